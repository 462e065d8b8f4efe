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
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, Protocol

from drivers.base import SourceError, jpeg_size
from drivers.recording import FRAME, STILL, RecordingReader, is_recording
from drivers.safe_read import FileRefused, check_regular, read_capped

log = logging.getLogger(__name__)

SourceKind = Literal["recording", "video", "folder"]
JPEG_SUFFIXES = (".jpg", ".jpeg")
DEFAULT_FPS = 30.0
# A source's own frame rate is believed only inside this range (a recording's metadata may say
# 0, inf or 1e-300: pacing by it would stall or burst); outside it DEFAULT_FPS is used.
FPS_RANGE = (1.0, 1000.0)
MAX_FOLDER_JPEG_BYTES = 64 * 1024 * 1024  # one live-view frame is < 1 MB; a still < 64 MB
VIDEO_JPEG_QUALITY = 90


def plausible_fps(value: object) -> float | None:
    """``value`` as a frame rate when it is a number inside :data:`FPS_RANGE`, else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if FPS_RANGE[0] <= value <= FPS_RANGE[1] else None  # NaN fails too


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
        self.nominal_fps = plausible_fps(meta.get("fps")) or DEFAULT_FPS
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
        elif plausible_fps(video_fps):
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
            data = read_capped(file, MAX_FOLDER_JPEG_BYTES)  # a FIFO named x.jpg is never opened
        except FileRefused as exc:
            reason = str(exc).replace(f"{file} ", "", 1)
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
        check_regular(path)
        with open(path, "rb") as fh:
            fh.read(1)
    except FileNotFoundError:
        raise SourceError(f"{path} does not exist") from None
    except PermissionError:
        raise SourceError(f"cannot read {path}: permission denied") from None
    except FileRefused as exc:
        raise SourceError(str(exc), _SOURCES_HINT) from None
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from None


_SOURCES_HINT = "pass a .slv recording, a video file or a folder of JPEGs"


def source_kind(path: Path | str) -> SourceKind:
    """Which reader fits ``path``; raises :class:`SourceError` when it does not exist."""
    path = Path(path)
    if path.is_dir():
        return "folder"
    if not path.exists():
        raise SourceError(f"{path} does not exist", _SOURCES_HINT)
    _check_readable(path)  # a FIFO, device or socket is refused here, before any reader opens it
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

