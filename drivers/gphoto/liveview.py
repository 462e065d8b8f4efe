"""Live view on libgphoto2: ``capture_preview`` frames into the slot, and leaving it cleanly.

Owner thread only. Frames are grabbed between requests, capped at ``max_fps`` (the brand's
default unless the user set one). A body without live view over USB (``-6``) is reported once
as a warning and captures still work. Leaving live view writes the brand's viewfinder widget
(``viewfinder=0`` on most), so no body is left with its mirror up.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future

from drivers.base import CameraError, DriverWarning, LatestFrameSlot, NotSupported
from drivers.gphoto.connection import Link, error_action
from drivers.gphoto.errors import Action

log = logging.getLogger(__name__)


class LiveViewFeed:
    """Whether live view is wanted, running and possible, and the frames it produces.

    ``capture_waiting`` says whether a capture is in progress: bodies whose quirks need it
    pause the preview then.
    """

    def __init__(self, link: Link, frames: LatestFrameSlot, capture_waiting: Callable[[], bool]) -> None:
        self._link = link
        self._frames = frames
        self._capture_waiting = capture_waiting
        self.wanted = False
        self.active = False  # the body is in live view because we asked for frames
        self.supported = True
        self._waiters: list[Future] = []
        self._drop_frames = 0
        self._next_frame_at = 0.0
        self._last_frame_at = float("-inf")

    def alive_within(self, seconds: float) -> bool:
        """A frame came from the body in the last ``seconds``: it is answering."""
        return time.monotonic() - self._last_frame_at < seconds

    def connected(self) -> None:
        """A new connection: the body is not in live view; resume at once if it was wanted."""
        self.active = False
        self._drop_frames = 0
        self._next_frame_at = 0.0

    def request(self, on: bool, future: Future) -> None:
        """Start or stop; a start resolves with the first frame (or at once while reconnecting)."""
        self.wanted = on
        if not on:
            if self._link.connected:
                self.leave()
            self._resolve_waiters(None)
            future.set_result(None)
            return
        if not self.supported:
            raise NotSupported(f"{self._link.model} has no live view over USB")
        if not self._link.connected:
            future.set_result(None)  # resumes on reconnect
            return
        self._next_frame_at = 0.0
        self._waiters.append(future)

    @property
    def paused(self) -> bool:
        quirks = self._link.quirks
        return self._capture_waiting() and (quirks.leave_live_view_before_capture
                                            or quirks.capture_ends_live_view)

    @property
    def streaming(self) -> bool:
        return self.wanted and self.supported and not self.paused

    def sleep_time(self, timeout: float) -> float:
        """``timeout`` shortened to the next frame's time while streaming."""
        if self.streaming:
            return min(timeout, self._next_frame_at - time.monotonic())
        return timeout

    def grab_if_due(self) -> None:
        """Publish one frame when the next one is due; raises the link's error (not -6)."""
        if not self.streaming:
            return
        now = time.monotonic()
        if now < self._next_frame_at:
            return
        fps = self._link.options.max_fps or self._link.quirks.max_fps
        self._next_frame_at = now + 1.0 / max(fps, 0.1)
        if not self.active:
            self._drop_frames = self._link.quirks.drop_first_frames
        try:
            preview = self._link.call("live view", self._link.cam.capture_preview)
        except CameraError as exc:
            if error_action(exc) is Action.DISABLE:
                self._unsupported()
                return
            self._fail_waiters(exc)
            raise
        self.active = True
        self._last_frame_at = time.monotonic()
        jpeg = bytes(memoryview(preview.get_data_and_size()))
        if self._drop_frames > 0:
            self._drop_frames -= 1
            return
        self._frames.put_jpeg(jpeg)
        self._resolve_waiters(None)

    def _unsupported(self) -> None:
        self.supported = False
        self.wanted = False
        message = f"{self._link.model} has no live view over USB; captures still work"
        self._link.hub.emit(DriverWarning(message, code="no-live-view"))
        self._fail_waiters(NotSupported(message))

    def leave(self) -> None:
        """``viewfinder=0`` (or the brand's widget) so no body is left with its mirror up."""
        link = self._link
        if not self.active or link.cam is None:
            return
        self.active = False
        quirks = link.quirks
        for name in quirks.viewfinder_widgets:
            if name not in link.widget_names:
                continue
            try:
                widget = link.call("leaving live view", link.cam.get_single_config, name)
                widget.set_value(quirks.viewfinder_off)
                link.call("leaving live view", link.cam.set_single_config, name, widget)
                log.info("live view left (%s=%s)", name, quirks.viewfinder_off)
                return
            except CameraError as exc:
                log.warning("could not leave live view with %s: %s", name, exc)

    def close(self) -> None:
        self._fail_waiters(CameraError("camera closed"))

    def _resolve_waiters(self, value: None) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(value)
        self._waiters.clear()

    def _fail_waiters(self, exc: BaseException) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(exc)
        self._waiters.clear()
