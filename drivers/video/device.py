"""The video source's owner-loop device: reads the capture, publishes the newest frame.

:class:`VideoDevice` runs on one :class:`~drivers.owner.OwnerLoop` thread, which alone touches
the ``cv2.VideoCapture``. While live view is on, :meth:`VideoDevice.step` reads a frame (the
read waits for the device's next one) and puts it into the :class:`~drivers.base.LatestFrameSlot`
as raw BGR pixels (``LiveFrame.pixels``, no JPEG) with the slot's sequence number; nothing is
queued. A video file (tests, a recorded capture) is paced at its own frame rate.

A source that stops delivering (unplugged card, hung driver, the end of a file) is noticed
after ``stall_s`` without a frame: state RECONNECTING with the reason, as the gphoto watchdog
does for a silent camera, the capture is released and reopened every ``reopen_every_s`` until
it gives frames again (state CONNECTED).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from drivers.base import (
    CameraEvent,
    CameraGone,
    CameraState,
    DriverWarning,
    EventHub,
    FileAdded,
    LatestFrameSlot,
    LiveFrame,
    Setting,
    SettingError,
    SettingKind,
    SourceError,
    StateChanged,
)
from drivers.download import DownloadSink
from drivers.requests import Capture, Handler, LiveView, Pending, ReadSettings, SetSetting, finish_leftover
from drivers.video.bars import BarCutter
from drivers.video.capture import differs, open_capture
from drivers.video.pixels import encode_jpeg
from drivers.video.target import VideoMode, VideoTarget

log = logging.getLogger(__name__)

DEFAULT_FILE_FPS = 30.0  # a file that does not say its rate


@dataclass(frozen=True, slots=True)
class VideoOptions:
    asked: VideoMode = field(default_factory=VideoMode)
    fourcc: str | None = None  # e.g. "MJPG": many USB capture cards give 1080p60 only so
    stall_s: float = 1.0  # no frame this long while live: the source is lost
    open_timeout_s: float = 5.0  # an open (and its first frame) that takes longer is refused
    reopen_every_s: float = 0.5
    cut_bars: bool = True  # publish the picture without a pillarbox/letterbox (drivers.video.bars)


@dataclass(frozen=True, slots=True)
class VideoStats:
    published: int
    reopens: int  # times the source was lost and opened again
    read_failures: int
    captures: int


class VideoDevice:
    """Owner-loop device of a :class:`~drivers.video.VideoCamera`."""

    def __init__(self, target: VideoTarget, options: VideoOptions, sink: DownloadSink,
                 frames: LatestFrameSlot, events: EventHub[CameraEvent]) -> None:
        self.target = target
        self.options = options
        self._sink = sink
        self._slot = frames
        self._events = events
        self.state = CameraState.CLOSED
        self.mode = VideoMode()  # what the device gives (after open)
        self.live = False
        self._capture: Any = None
        self._newest: np.ndarray | None = None
        self._bars = BarCutter() if options.cut_bars else None
        self._last_frame = 0.0  # monotonic time of the last frame read
        self._next_due = 0.0  # a file: when its next frame is due
        self._next_reopen = 0.0
        self._published = self._reopens = self._failures = self._captures = 0
        self._handlers: dict[type, Handler] = {
            LiveView: self._live_view, Capture: self._capture_frame,
            ReadSettings: self._read_settings, SetSetting: self._set_setting,
        }

    @property
    def handlers(self) -> Mapping[type, Handler]:
        return self._handlers

    @property
    def stats(self) -> VideoStats:
        return VideoStats(self._published, self._reopens, self._failures, self._captures)

    def set_state(self, state: CameraState, reason: str) -> None:
        self.state = state
        self._events.emit(StateChanged(state, reason))

    # ------------------------------------------------------------------ the loop's calls

    def setup(self) -> None:
        """Open the capture; raises :class:`SourceError` in one line when it cannot be."""
        self._open()
        if differs(self.options.asked, self.mode):
            self._events.emit(DriverWarning(f"{self.target}: asked for {self.options.asked}, "
                                            f"the device gives {self.mode}", code="video-mode"))
        log.info("video source opened: %s, %s", self.target, self.mode)

    def step(self) -> float | None:
        if self._capture is None:
            return self._reopen_if_due() if self.live or self.state is CameraState.RECONNECTING else None
        if not self.live:
            return None
        if self.target.kind == "file":
            wait = self._next_due - time.monotonic()
            if wait > 0:
                return wait
        ok, image = self._capture.read()
        now = time.monotonic()
        if ok and image is not None:
            self._publish(image, now)
            return max(0.0, self._next_due - time.monotonic()) if self.target.kind == "file" else 0.0
        self._failures += 1
        if now - self._last_frame >= self.options.stall_s:
            self._lost(f"no frame for {self.options.stall_s:g} s")
            return self.options.reopen_every_s
        return 0.01

    def handler_failed(self, request: object, exc: Exception) -> None:
        """Nothing to undo: the error is the caller's to see."""

    def teardown(self, leftover: list[Pending]) -> None:
        self.live = False
        try:
            finish_leftover(self._handlers, leftover, lambda: CameraGone("the video source was closed"))
        finally:
            self._release()

    # ------------------------------------------------------------------ frames

    def _open(self) -> None:
        opened = open_capture(self.target, self.options.asked, self.options.open_timeout_s,
                              self.options.fourcc, read_timeout=self.options.stall_s)
        self._capture, self.mode = opened.capture, opened.mode
        self._newest = opened.first
        if self._bars is not None:  # a new signal: its bars are looked for again
            self._bars.reset()
        self._last_frame = time.monotonic()
        self._next_due = self._last_frame

    def _publish(self, image: np.ndarray, now: float) -> None:
        if self._bars is not None:
            image = self._bars.cut(image)
        image.flags.writeable = False  # shared by every reader
        h, w = image.shape[:2]
        self._slot.put_made(lambda seq: LiveFrame(b"", seq, now, (w, h), pixels=image))
        self._newest = image
        self._published += 1
        self._last_frame = now
        if self.target.kind == "file":
            fps = self.mode.fps or DEFAULT_FILE_FPS
            self._next_due = max(self._next_due + 1.0 / fps, now - 1.0 / fps)

    def _lost(self, reason: str) -> None:
        log.warning("video source %s lost (%s); reopening", self.target, reason)
        self._release()
        self._next_reopen = time.monotonic() + self.options.reopen_every_s
        self.set_state(CameraState.RECONNECTING, reason)

    def _reopen_if_due(self) -> float:
        wait = self._next_reopen - time.monotonic()
        if wait > 0:
            return wait
        try:
            self._open()
        except SourceError as exc:
            log.debug("reopening %s failed: %s", self.target, exc)
            self._next_reopen = time.monotonic() + self.options.reopen_every_s
            return self.options.reopen_every_s
        self._reopens += 1
        self.set_state(CameraState.CONNECTED, f"{self.target} gives frames again ({self.mode})")
        return 0.0

    def _release(self) -> None:
        capture, self._capture = self._capture, None
        if capture is not None:
            capture.release()

    # ------------------------------------------------------------------ handlers

    def _live_view(self, request: LiveView, future: Future) -> None:
        if request.on and not self.live:
            self._next_due = time.monotonic()
            self._last_frame = time.monotonic()  # a stall is counted from now
        self.live = request.on
        future.set_result(None)

    def _capture_frame(self, request: Capture, future: Future) -> None:
        """A frame grab: the newest frame saved as a JPEG through the sink (a video source
        has no shutter; pair it with a USB camera for real stills)."""
        if self._newest is None:
            raise CameraGone(f"{self.target} has given no frame yet")
        data = encode_jpeg(self._newest)
        self._captures += 1
        name = f"VID_{self._captures:04d}.JPG"
        path = self._sink.store(name, data)
        self._events.emit(FileAdded(path, f"video/{name}", len(data)))
        future.set_result([path])

    def _read_settings(self, request: ReadSettings, future: Future) -> None:
        future.set_result(self.settings())

    def settings(self) -> dict[str, Setting]:
        size = f"{self.mode.width}x{self.mode.height}"
        rate = f"{self.mode.fps:g}"
        items = (Setting("videosize", "Video size", SettingKind.TEXT, size, readonly=True),
                 Setting("videofps", "Video frame rate", SettingKind.TEXT, rate, readonly=True))
        return {s.name: s for s in items}

    def _set_setting(self, request: SetSetting, future: Future) -> None:
        raise SettingError(f"{self.target} has no settings to change",
                           "its size and rate are asked for at start: --video-size, --video-fps")
