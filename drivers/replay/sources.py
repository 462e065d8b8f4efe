"""Frame sources for the replay camera: a recording, a video file, or a folder of JPEGs.

Each yields (seconds since start, JPEG bytes) and is used by one thread at a time (the replay
camera's, or a tool reading every frame through :func:`open_frame_source`):

- a recording (``.slv``, see :mod:`drivers.recording`): frames byte for byte with their
  timestamps; records that fail their CRC are skipped and counted; ``still_near`` finds the
  ``S`` still nearest in time to a frame;
- a video OpenCV can read: frames re-encoded to JPEG, timed by the video's frame rate;
- a folder of ``*.jpg`` / ``*.jpeg`` (or one JPEG file): sorted by name, timed at ``fps``
  (30 by default); files that cannot be read or are not JPEGs are skipped and counted.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, Protocol

from drivers.base import SourceError, jpeg_size
from drivers.recording import FRAME, STILL, RecordingReader, is_recording

log = logging.getLogger(__name__)

SourceKind = Literal["recording", "video", "folder"]
JPEG_SUFFIXES = (".jpg", ".jpeg")
DEFAULT_FPS = 30.0
VIDEO_JPEG_QUALITY = 90


class FrameSource(Protocol):
    """One pass over a source per call of :meth:`frames`; used by one thread at a time."""

    kind: SourceKind
    model: str
    description: str
    nominal_fps: float
    metadata: dict[str, Any]  # a recording's M record; empty for videos and folders

    @property
    def corrupt(self) -> int:
        """Records skipped because their CRC failed."""
        ...

    @property
    def skipped(self) -> int:
        """Files skipped (unreadable or not JPEG)."""
        ...

    def frames(self) -> Iterator[tuple[float, bytes]]:
        """(seconds since the start, JPEG bytes) for every readable frame, in order."""
        ...

    def records(self) -> Iterator[tuple[bytes, float, bytes]]:
        """(``b"F"`` or ``b"S"``, seconds, JPEG) in order: the frames and any stills."""
        ...

    def still_near(self, timestamp: float) -> bytes | None: ...

    def close(self) -> None: ...


class RecordingSource:
    kind: SourceKind = "recording"
    skipped = 0

    def __init__(self, path: Path) -> None:
        self._reader = RecordingReader(path)
        self._frames = self._reader.frame_entries
        if not self._frames:
            self._reader.close()
            raise SourceError(f"{path} holds no live-view frames",
                              "the recording is empty or too damaged to replay")
        meta = self._reader.metadata
        self.model = str(meta.get("camera") or f"replay of {path.name}")
        fps = meta.get("fps")
        self.nominal_fps = float(fps) if isinstance(fps, int | float) and fps > 0 else DEFAULT_FPS
        self.description = f"recording {path}"
        self.metadata = meta
        self._stills = self._reader.still_entries

    @property
    def corrupt(self) -> int:
        return self._reader.corrupt

    @property
    def reader(self) -> RecordingReader:
        return self._reader

    def frames(self) -> Iterator[tuple[float, bytes]]:
        for entry in self._frames:
            data = self._reader.payload(entry)
            if data is not None:
                yield entry.timestamp, data

    def records(self) -> Iterator[tuple[bytes, float, bytes]]:
        for entry in self._reader.entries:
            if entry.kind in (FRAME, STILL):
                data = self._reader.payload(entry)
                if data is not None:
                    yield entry.kind, entry.timestamp, data

    def still_near(self, timestamp: float) -> bytes | None:
        for entry in sorted(self._stills, key=lambda e: abs(e.timestamp - timestamp)):
            data = self._reader.payload(entry)
            if data is not None:
                return data
        return None

    def close(self) -> None:
        self._reader.close()


class _FramesOnly:
    """What a source without stills (a video, a JPEG folder) shares: only ``F`` records."""

    def frames(self) -> Iterator[tuple[float, bytes]]:
        raise NotImplementedError

    def records(self) -> Iterator[tuple[bytes, float, bytes]]:
        return ((FRAME, t, jpeg) for t, jpeg in self.frames())

    def still_near(self, timestamp: float) -> bytes | None:
        return None

    def close(self) -> None:
        """Nothing held open between passes."""


class VideoSource(_FramesOnly):
    kind: SourceKind = "video"
    corrupt = 0
    skipped = 0

    def __init__(self, path: Path, fps: float | None) -> None:
        import cv2  # only the video source needs OpenCV

        self._cv2 = cv2
        self._path = path
        self.metadata: dict[str, Any] = {}
        _check_readable(path)
        capture = self._open()
        ok, _ = capture.read()
        video_fps = capture.get(cv2.CAP_PROP_FPS)
        capture.release()
        if not ok:
            raise SourceError(f"{path} has no readable video frames")
        if fps:
            self.nominal_fps = float(fps)
        elif video_fps and math.isfinite(video_fps) and 1.0 <= video_fps <= 1000.0:
            self.nominal_fps = float(video_fps)
        else:
            self.nominal_fps = DEFAULT_FPS
        self.model = f"replay of {path.name}"
        self.description = f"video {path} at {self.nominal_fps:.3g} fps"

    def _open(self) -> Any:
        capture = self._cv2.VideoCapture(str(self._path))
        if not capture.isOpened():
            capture.release()
            raise SourceError(f"cannot read {self._path}: not a recording, and not a video OpenCV "
                              "can open", "pass a .slv recording, a video or a folder of JPEGs")
        return capture

    def frames(self) -> Iterator[tuple[float, bytes]]:
        capture = self._open()
        params = [self._cv2.IMWRITE_JPEG_QUALITY, VIDEO_JPEG_QUALITY]
        try:
            index = 0
            while True:
                ok, image = capture.read()
                if not ok:
                    return
                ok, encoded = self._cv2.imencode(".jpg", image, params)
                if ok:
                    yield index / self.nominal_fps, encoded.tobytes()
                index += 1
        finally:
            capture.release()


class FolderSource(_FramesOnly):
    kind: SourceKind = "folder"
    corrupt = 0

    def __init__(self, path: Path, fps: float | None) -> None:
        if path.is_dir():
            try:
                files = sorted(p for p in path.iterdir() if p.suffix.lower() in JPEG_SUFFIXES)
            except OSError as exc:
                raise SourceError(f"cannot list {path}: {exc.strerror or exc}") from None
            if not files:
                raise SourceError(f"{path} holds no .jpg/.jpeg files",
                                  "pass a folder of JPEGs, a video or a .slv recording")
        else:
            files = [path]
        self._files = files
        self.metadata: dict[str, Any] = {}
        self._bad: set[Path] = set()
        self.nominal_fps = float(fps) if fps else DEFAULT_FPS
        self.model = f"replay of {path.name}"
        self.description = f"{len(files)} JPEG(s) in {path} at {self.nominal_fps:g} fps"
        if not any(self._read(f) for f in files):
            raise SourceError(f"none of the {len(files)} JPEG file(s) in {path} can be read")

    @property
    def skipped(self) -> int:
        return len(self._bad)

    def _read(self, file: Path) -> bytes | None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            reason = exc.strerror or str(exc)
        else:
            if jpeg_size(data) != (0, 0):
                return data
            reason = "not a JPEG"
        if file not in self._bad:
            self._bad.add(file)
            log.warning("skipping %s: %s", file.name, reason)
        return None

    def frames(self) -> Iterator[tuple[float, bytes]]:
        index = 0
        for file in self._files:
            data = self._read(file)
            if data is not None:
                yield index / self.nominal_fps, data
                index += 1


def _check_readable(path: Path) -> None:
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except FileNotFoundError:
        raise SourceError(f"{path} does not exist") from None
    except PermissionError:
        raise SourceError(f"cannot read {path}: permission denied") from None
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from None


def source_kind(path: Path | str) -> SourceKind:
    """Which reader fits ``path``; raises :class:`SourceError` when it does not exist."""
    path = Path(path)
    if path.is_dir():
        return "folder"
    if not path.exists():
        raise SourceError(f"{path} does not exist",
                          "pass a .slv recording, a video file or a folder of JPEGs")
    if is_recording(path):
        return "recording"
    if path.suffix.lower() in JPEG_SUFFIXES:
        return "folder"
    return "video"


def open_frame_source(path: Path | str, kind: SourceKind | None = None,
                      fps: float | None = None) -> FrameSource:
    """Open ``path`` for reading frames directly (conversion, tools); raises :class:`SourceError`.

    The camera uses the same readers on its own thread; this is for code that wants every
    frame with its source timestamp rather than a paced live view.
    """
    path = Path(path)
    kind = kind or source_kind(path)
    if kind == "recording":
        return RecordingSource(path)
    if kind == "folder":
        return FolderSource(path, fps)
    return VideoSource(path, fps)

