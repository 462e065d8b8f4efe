"""A camera that replays live view from a recording, a video file or a folder of JPEGs.

:class:`ReplayCamera` is a real driver, not a test double: it implements
:class:`drivers.base.Camera` with one thread of its own that owns the source, publishes frames
into a :class:`~drivers.base.LatestFrameSlot` at the recorded pace, serves requests (capture,
settings, live view on/off) from a queue and answers them with Futures. Frames are handed on
exactly as stored; nothing waits for the consumer (a slow reader skips frames, as with a camera).

Sources (chosen by :func:`source_kind`):

- a recording (``.slv``, see :mod:`drivers.recording`): frames byte for byte, paced by their
  timestamps; records that fail their CRC are skipped and counted; a capture returns the ``S``
  still nearest in time to the current frame when the recording has stills;
- a video OpenCV can read: frames re-encoded to JPEG, paced by the video's frame rate;
- a folder of ``*.jpg`` / ``*.jpeg`` (or one JPEG file): sorted by name, paced at ``fps``
  (30 by default); files that cannot be read or are not JPEGs are skipped and counted.

When a non-looping source ends, live view stops, :attr:`ReplayCamera.frames` is closed (a
:class:`studio.loop.VisionLoop` ends on that) and ``StateChanged(GONE, "end of recording")`` is
emitted. :meth:`ReplayCamera.start_live_view` afterwards plays the source again from the start.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, Protocol

from drivers.base import (
    CameraError,
    CameraGone,
    CameraState,
    EventHub,
    FileAdded,
    LatestFrameSlot,
    Listener,
    Setting,
    SettingError,
    SettingKind,
    SourceError,
    StateChanged,
    failed,
    jpeg_size,
    parse_setting_value,
)
from drivers.download import DownloadSink, LazyFolderSink
from drivers.recording import FRAME, STILL, RecordingReader, is_recording

log = logging.getLogger(__name__)

Pace = Literal["recorded", "fast"]
SourceKind = Literal["recording", "video", "folder"]
JPEG_SUFFIXES = (".jpg", ".jpeg")
DEFAULT_FPS = 30.0
VIDEO_JPEG_QUALITY = 90
# Later than this behind schedule (a stalled machine, a debugger), restart the clock instead of
# publishing a burst of stale frames to catch up.
LATE_RESET_S = 0.5
END_REASON = "end of recording"


# --------------------------------------------------------------------------------------------
# Sources: each yields (seconds since start, JPEG bytes) and is used by the camera thread only
# --------------------------------------------------------------------------------------------


class FrameSource(Protocol):
    """One pass over a source per call of :meth:`frames`; used by one thread at a time."""

    kind: SourceKind
    model: str
    description: str
    nominal_fps: float
    corrupt: int
    skipped: int
    metadata: dict[str, Any]  # a recording's M record; empty for videos and folders

    def frames(self) -> Iterator[tuple[float, bytes]]:
        """(seconds since the start, JPEG bytes) for every readable frame, in order."""
        ...

    def records(self) -> Iterator[tuple[bytes, float, bytes]]:
        """(``b"F"`` or ``b"S"``, seconds, JPEG) in order: the frames and any stills."""
        ...

    def still_near(self, timestamp: float) -> bytes | None: ...

    def close(self) -> None: ...


class _RecordingSource:
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


class _VideoSource:
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

    def _open(self):
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

    def records(self) -> Iterator[tuple[bytes, float, bytes]]:
        return ((FRAME, t, jpeg) for t, jpeg in self.frames())

    def still_near(self, timestamp: float) -> bytes | None:
        return None

    def close(self) -> None:
        pass


class _FolderSource:
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

    def records(self) -> Iterator[tuple[bytes, float, bytes]]:
        return ((FRAME, t, jpeg) for t, jpeg in self.frames())

    def still_near(self, timestamp: float) -> bytes | None:
        return None

    def close(self) -> None:
        pass


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
        return _RecordingSource(path)
    if kind == "folder":
        return _FolderSource(path, fps)
    return _VideoSource(path, fps)


# --------------------------------------------------------------------------------------------
# Settings: a small emulated set, so the settings UI and its validation can run without a body
# --------------------------------------------------------------------------------------------


def _emulated_settings(model: str) -> dict[str, Setting]:
    settings = (
        Setting("imageformat", "Image Format", SettingKind.CHOICE, "Large Fine JPEG",
                choices=("Large Fine JPEG", "Large Normal JPEG", "Medium Fine JPEG", "Small Fine JPEG")),
        Setting("iso", "ISO Speed", SettingKind.CHOICE, "100",
                choices=("Auto", "100", "200", "400", "800", "1600", "3200", "6400")),
        Setting("exposurecompensation", "Exposure Compensation", SettingKind.RANGE, 0.0,
                range=(-3.0, 3.0, 0.5)),
        Setting("cameramodel", "Camera Model", SettingKind.TEXT, model, readonly=True),
    )
    return {s.name: s for s in settings}


# --------------------------------------------------------------------------------------------
# The camera
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReplayStats:
    published: int  # frames put into the slot
    passes: int  # completed passes over the source (loop mode wraps)
    corrupt: int  # recording records skipped because their CRC failed
    skipped: int  # folder files skipped (unreadable or not JPEG)
    resyncs: int  # damaged record headers skipped in the recording
    truncated: bool  # the recording ends inside a record
    bytes_lost: int
    late_resets: int  # times the pacing clock was restarted after falling > 0.5 s behind
    captures: int


@dataclass
class _Request:
    action: str
    future: Future
    args: tuple = ()


class ReplayCamera:
    """Live view from a recording, a video or a folder of JPEGs, behind the Camera protocol.

    ``pace="recorded"`` publishes each frame at its recorded time; ``pace="fast"`` publishes as
    fast as the source can be read (frames are overwritten, never queued: a consumer that wants
    them all reads with ``wait_newer`` and counts seq gaps). ``loop=True`` wraps at the end.
    ``fps`` paces a folder of JPEGs (default 30) or overrides a video's own rate; recordings
    carry their own timestamps. Captures go through ``sink`` (default: a ``captures/`` folder,
    created at the first capture).
    """

    def __init__(self, source: Path | str, *, pace: Pace = "recorded", loop: bool = False,
                 fps: float | None = None, sink: DownloadSink | None = None,
                 kind: SourceKind | None = None) -> None:
        if pace not in ("recorded", "fast"):
            raise ValueError(f"pace must be 'recorded' or 'fast', not {pace!r}")
        if fps is not None and not (math.isfinite(fps) and fps > 0):
            raise SourceError(f"fps must be a positive number, not {fps!r}")
        self.path = Path(source)
        self.pace: Pace = pace
        self.loop = loop
        self._fps = fps
        self._kind = kind
        self._sink: DownloadSink = sink if sink is not None else LazyFolderSink("captures")
        self._frames = LatestFrameSlot()
        self._events = EventHub()
        self._state = CameraState.CLOSED
        self._model = f"replay of {self.path.name}"
        self._settings: dict[str, Setting] = {}
        self._requests: queue.SimpleQueue[_Request] = queue.SimpleQueue()
        self._accepting = False
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._source: FrameSource | None = None
        self.metadata: dict[str, Any] = {}
        self.description = str(self.path)
        # Written by the camera thread only; read (as a snapshot) through `stats`.
        self._published = 0
        self._passes = 0
        self._late_resets = 0
        self._captures = 0

    # -- Camera protocol: cheap properties -------------------------------------------------

    @property
    def model(self) -> str:
        return self._model

    @property
    def state(self) -> CameraState:
        return self._state

    @property
    def frames(self) -> LatestFrameSlot:
        return self._frames

    @property
    def nominal_fps(self) -> float:
        return self._source.nominal_fps if self._source else DEFAULT_FPS

    @property
    def stats(self) -> ReplayStats:
        source = self._source
        reader = source.reader if isinstance(source, _RecordingSource) else None
        return ReplayStats(
            published=self._published, passes=self._passes,
            corrupt=source.corrupt if source else 0, skipped=source.skipped if source else 0,
            resyncs=reader.stats.resyncs if reader else 0,
            truncated=reader.truncated if reader else False,
            bytes_lost=reader.bytes_lost if reader else 0,
            late_resets=self._late_resets, captures=self._captures)

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        return self._events.add_listener(listener)

    # -- lifecycle -------------------------------------------------------------------------

    def open(self) -> None:
        """Open the source on the camera thread; raises :class:`SourceError` if it cannot be read."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            kind = self._kind or source_kind(self.path)
            ready: Future = Future()
            self._requests = queue.SimpleQueue()
            self._thread = threading.Thread(target=self._run, args=(kind, ready),
                                            name=f"replay-{self.path.name}", daemon=True)
            self._thread.start()
        try:
            ready.result()
        except CameraError:
            self._thread.join()
            raise
        self._frames.reopen()
        with self._lock:
            self._accepting = True
        self._set_state(CameraState.CONNECTED, f"replaying {self.description}")

    def close(self) -> None:
        """Stop live view, finish queued requests, release the source. Idempotent."""
        with self._lock:
            thread = self._thread
            if thread is None:
                return
            if self._accepting:
                self._accepting = False
                self._requests.put(_Request("stop", Future()))
            self._thread = None
        if thread is not threading.current_thread():  # a listener may close from our own thread
            thread.join()
        self._frames.close()
        self._set_state(CameraState.CLOSED, "closed")

    # -- Camera protocol: requests served by the camera thread -----------------------------

    def start_live_view(self) -> Future[None]:
        return self._submit("start")

    def stop_live_view(self) -> Future[None]:
        return self._submit("pause")

    def capture(self) -> Future[list[Path]]:
        """Save the current frame (or the recording's still nearest to it) through the sink."""
        return self._submit("capture")

    def settings(self) -> Future[dict[str, Setting]]:
        return self._submit("settings")

    def set_setting(self, name: str, value: str) -> Future[Setting]:
        return self._submit("set", name, value)

    def _submit(self, action: str, *args: object) -> Future:
        future: Future = Future()
        with self._lock:
            if not self._accepting:
                return failed(CameraGone("the replay camera is not open", "call open() first"))
            self._requests.put(_Request(action, future, args))
        return future

    # -- the camera thread -----------------------------------------------------------------

    def _run(self, kind: SourceKind, ready: Future) -> None:
        try:
            source = open_frame_source(self.path, kind, self._fps)
        except BaseException as exc:  # reported to open() in the caller's thread
            ready.set_exception(exc if isinstance(exc, CameraError)
                                else SourceError(f"cannot read {self.path}: {exc}"))
            return
        self._source = source
        self._model = source.model
        self.description = source.description
        self.metadata = source.metadata
        self._settings = _emulated_settings(source.model)
        player = _Player(self, source)
        if player.empty:
            source.close()
            ready.set_exception(SourceError(f"{self.path} holds no readable frames",
                                            "every frame is damaged or unreadable"))
            return
        log.info("replay camera opened: %s", source.description)
        ready.set_result(None)
        try:
            player.run()
        finally:
            source.close()

    def _publish(self, jpeg: bytes) -> None:
        self._frames.put_jpeg(jpeg)
        self._published += 1

    def _set_state(self, state: CameraState, reason: str) -> None:
        self._state = state
        self._events.emit(StateChanged(state, reason))

    def _capture_now(self, timestamp: float, jpeg: bytes) -> list[Path]:
        source = self._source
        data = (source.still_near(timestamp) if source else None) or jpeg
        self._captures += 1
        name = f"RPL_{self._captures:04d}.JPG"
        path = self._sink.store(name, data)
        self._events.emit(FileAdded(path, f"replay/{name}", len(data)))
        return [path]

    def _set(self, name: str, value: str) -> Setting:
        setting = self._settings.get(name)
        if setting is None:
            raise SettingError(f"no setting {name!r} on {self._model}; "
                               f"settings: {', '.join(sorted(self._settings))}")
        updated = replace(setting, value=parse_setting_value(setting, value))
        self._settings[name] = updated
        return updated


class _Player:
    """The camera thread's loop: serve requests, publish each frame when it is due."""

    def __init__(self, camera: ReplayCamera, source: FrameSource) -> None:
        self.camera = camera
        self.source = source
        self.live = False
        self.ended = False
        self._frames: Iterator[tuple[float, bytes]] = source.frames()
        self._pending = self._next(first_of_pass=True)  # (raw t, schedule t, jpeg) or None
        self._current: tuple[float, bytes] | None = (
            (self._pending[0], self._pending[2]) if self._pending else None)
        self._clock0 = 0.0  # monotonic time at schedule t = 0

    @property
    def empty(self) -> bool:
        return self._pending is None

    def _next(self, first_of_pass: bool = False,
              previous: tuple[float, float] | None = None) -> tuple[float, float, bytes] | None:
        item = next(self._frames, None)
        if item is None:
            return None
        raw, jpeg = item
        if not math.isfinite(raw):
            raw = previous[0] if previous else 0.0
        if previous is None:
            scheduled = 0.0
        elif first_of_pass:  # a new pass after a wrap: one nominal interval after the last frame
            scheduled = previous[1] + 1.0 / self.source.nominal_fps
        else:  # never backwards, whatever the file says
            scheduled = previous[1] + max(0.0, raw - previous[0])
        return raw, scheduled, jpeg

    def run(self) -> None:
        requests = self.camera._requests
        while True:
            timeout = self._wait_time()
            try:
                request = requests.get(timeout=timeout) if timeout is None or timeout > 0 \
                    else requests.get_nowait()
            except queue.Empty:
                request = None
            if request is not None:
                if request.action == "stop":
                    self._drain(requests)
                    return
                self._serve(request)
                continue
            if self.live and self._pending is not None:
                self._publish_pending()

    def _wait_time(self) -> float | None:
        if not self.live or self._pending is None:
            return None
        if self.camera.pace == "fast":
            return 0.0
        return self._clock0 + self._pending[1] - time.monotonic()

    def _publish_pending(self) -> None:
        raw, scheduled, jpeg = self._pending
        now = time.monotonic()
        if now - (self._clock0 + scheduled) > LATE_RESET_S:
            self._clock0 = now - scheduled
            self.camera._late_resets += 1
        self.camera._publish(jpeg)
        self._current = (raw, jpeg)
        self._pending = self._next(previous=(raw, scheduled))
        if self._pending is None:
            self.camera._passes += 1
            if self.camera.loop:
                self._frames = self.source.frames()
                self._pending = self._next(first_of_pass=True, previous=(raw, scheduled))
            if self._pending is None:
                self._end()
        if self.camera.pace == "fast":
            time.sleep(0)  # let readers in between frames

    def _end(self) -> None:
        self.live = False
        self.ended = True
        self.camera._frames.close()
        log.info("replay of %s ended after %d frames", self.camera.path.name, self.camera._published)
        self.camera._set_state(CameraState.GONE, END_REASON)

    def _start(self) -> None:
        if self.ended:  # play again from the start
            self.ended = False
            self._frames = self.source.frames()
            self._pending = self._next(first_of_pass=True)
            self.camera._frames.reopen()
            self.camera._set_state(CameraState.CONNECTED, "replaying again from the start")
        if self._pending is None:
            raise CameraGone(f"{self.camera.path} has no frames left")
        if not self.live:
            self.live = True
            self._clock0 = time.monotonic() - self._pending[1]

    def _serve(self, request: _Request) -> None:
        future = request.future
        if not future.set_running_or_notify_cancel():
            return
        try:
            if request.action == "start":
                self._start()
                result: object = None
            elif request.action == "pause":
                self.live = False
                result = None
            elif request.action == "capture":
                if self.ended:
                    raise CameraGone(f"the replay of {self.camera.path.name} has ended",
                                     "start live view again to replay it")
                if self._current is None:
                    raise CameraGone(f"{self.camera.path} has no frames")
                result = self.camera._capture_now(*self._current)
            elif request.action == "settings":
                result = dict(self.camera._settings)
            elif request.action == "set":
                result = self.camera._set(*request.args)
            else:
                raise ValueError(f"unknown request {request.action!r}")
        except BaseException as exc:
            future.set_exception(exc)
        else:
            future.set_result(result)

    def _drain(self, requests: queue.SimpleQueue[_Request]) -> None:
        """Finish what was asked before close(): captures are saved, live view is not restarted."""
        self.live = False
        while True:
            try:
                request = requests.get_nowait()
            except queue.Empty:
                return
            if request.action in ("start", "pause"):
                if request.future.set_running_or_notify_cancel():
                    request.future.set_exception(CameraGone("the replay camera was closed"))
            else:
                self._serve(request)


def open_source(spec: str | Path, **options: Any) -> ReplayCamera:
    """A (not yet opened) :class:`ReplayCamera` for a recording, video, JPEG folder or JPEG file.

    ``options`` are :class:`ReplayCamera`'s keyword arguments (``pace``, ``loop``, ``fps``,
    ``sink``). Raises :class:`SourceError` at once when the path does not exist.
    """
    path = Path(spec).expanduser()
    return ReplayCamera(path, kind=source_kind(path), **options)
