""":class:`VideoCamera`: live view from an HDMI capture card, a webcam or any OpenCV capture.

A :class:`drivers.base.Camera` whose frames come from ``cv2.VideoCapture`` on its own owner
loop (:mod:`drivers.video.device`). Live view only: :meth:`VideoCamera.capture` saves the
newest frame as a JPEG (a frame grab, named ``VID_NNNN.JPG``); for real stills pair it with a
USB camera (``--source v4l2:/dev/video0+camera``, :class:`drivers.composite.CompositeCamera`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future

from drivers.base import (
    CameraEvent,
    CameraGone,
    CameraState,
    EventHub,
    LatestFrameSlot,
    Listener,
    failed,
)
from drivers.download import DownloadSink, LazyFolderSink
from drivers.owner import OwnerLoop
from drivers.requests import PostsRequests
from drivers.video.device import VideoDevice, VideoOptions, VideoStats
from drivers.video.target import VideoMode, VideoTarget, parse_video_spec

log = logging.getLogger(__name__)

CLOSE_TIMEOUT_S = 10.0


def _not_open() -> CameraGone:
    return CameraGone("the video source is not open", "call open() first")


class VideoCamera(PostsRequests):
    """Live view from ``target``; ``options.asked`` is the size and rate asked for,
    :attr:`mode` what the device gives once open."""

    def __init__(self, target: VideoTarget, options: VideoOptions | None = None,
                 sink: DownloadSink | None = None) -> None:
        self.target = target
        self.options = options or VideoOptions()
        self._frames = LatestFrameSlot()
        self._events: EventHub[CameraEvent] = EventHub()
        sink = sink if sink is not None else LazyFolderSink("captures")
        self._device = VideoDevice(target, self.options, sink, self._frames, self._events)
        self._loop = OwnerLoop(self._device, f"video-{target.device}", _not_open)
        self._open = False

    @property
    def model(self) -> str:
        return f"video {self.target}"

    @property
    def state(self) -> CameraState:
        return self._device.state

    @property
    def frames(self) -> LatestFrameSlot:
        return self._frames

    @property
    def mode(self) -> VideoMode:
        """What the device gives (size, fps); zeros before the first open."""
        return self._device.mode

    @property
    def nominal_fps(self) -> float:
        return self._device.mode.fps or 30.0

    @property
    def stats(self) -> VideoStats:
        return self._device.stats

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        return self._events.add_listener(listener)

    def open(self) -> None:
        """Open the device on its thread; raises :class:`~drivers.base.SourceError` (one line)."""
        if self._open and self._loop.running:
            return
        if not self._loop.wait_ended(CLOSE_TIMEOUT_S):
            raise CameraGone("the video source's previous thread has not ended")
        self._loop.start()
        self._frames.reopen()
        self._open = True
        self._device.set_state(CameraState.CONNECTED, f"{self.target}: {self.mode}")

    def close(self, timeout: float = CLOSE_TIMEOUT_S) -> None:
        if not self._open:
            return
        self._open = False
        self._loop.stop(timeout)
        self._frames.close()
        self._device.set_state(CameraState.CLOSED, "closed")

    def _submit(self, request: object) -> Future:
        return self._loop.submit(request) if self._open else failed(_not_open())


def open_video(spec: str, *, size: tuple[int, int] | None = None, fps: float | None = None,
               sink: DownloadSink | None = None, fourcc: str | None = None,
               cut_bars: bool = True) -> VideoCamera:
    """A (not yet opened) :class:`VideoCamera` for ``v4l2:…``, ``capture:N`` or ``opencv:N``;
    ``cut_bars``: publish the picture without black side or top bars (:mod:`drivers.video.bars`)."""
    asked = VideoMode(size[0] if size else 0, size[1] if size else 0, float(fps or 0.0))
    options = VideoOptions(asked=asked, fourcc=fourcc, cut_bars=cut_bars)
    return VideoCamera(parse_video_spec(spec), options, sink)
