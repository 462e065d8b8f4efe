"""The libgphoto2 device as the owner loop runs it: setup, request handlers, step, teardown.

Every ``gphoto2`` call for a camera happens on the loop's thread (a ``gp.Camera`` is not thread
safe: a second caller gets ``-110 I/O in progress``). Between requests :meth:`GphotoDevice.step`
drains ``wait_for_event`` (which returns at once when nothing is queued), grabs a live-view
frame when one is due, retries downloads and checks presence; it returns how long the loop may
sleep, so the thread sleeps on its wake-up event instead of spinning.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass

from drivers.base import (
    CameraError,
    CameraEvent,
    CameraGone,
    CameraState,
    EventHub,
    LatestFrameSlot,
)
from drivers.download import DownloadSink
from drivers.gphoto import controls
from drivers.gphoto.connection import Link, error_action
from drivers.gphoto.downloads import Downloads
from drivers.gphoto.errors import Action
from drivers.gphoto.liveview import LiveViewFeed
from drivers.gphoto.options import GphotoOptions
from drivers.gphoto.reconnect import HotplugWatch, Reconnector
from drivers.requests import Capture, Handler, LiveView, Pending, ReadSettings, SetSetting, fail_all

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Summary:
    """The camera's own summary text."""


@dataclass(frozen=True, slots=True)
class PresenceChanged:
    """A USB change was seen: check at once whether the camera is still (or again) there."""


class GphotoDevice:
    """One camera's connection, downloads, live view and reconnect, driven by the owner loop.

    ``presence_changed`` is what the hotplug monitor calls (from its own thread) on a change.
    """

    def __init__(self, sink: DownloadSink, options: GphotoOptions, frames: LatestFrameSlot,
                 hub: EventHub[CameraEvent], presence_changed: Callable[[], object]) -> None:
        self.link = Link(options, hub)
        self.downloads = Downloads(self.link, sink)
        self.live = LiveViewFeed(self.link, frames, lambda: self.downloads.waiting)
        self.reconnect = Reconnector(self.link, self._connect, self._lost)
        self.hotplug = HotplugWatch(self.link, presence_changed)
        self._frames = frames
        self._handlers: dict[type, Handler] = {
            Capture: self._capture,
            LiveView: self._live_view,
            ReadSettings: self._read_settings,
            SetSetting: self._set_setting,
            Summary: self._summary,
            PresenceChanged: self._presence_changed,
        }

    # ------------------------------------------------------------------ the loop's calls

    @property
    def handlers(self) -> Mapping[type, Handler]:
        return self._handlers

    def setup(self) -> None:
        try:
            self._connect()
        except CameraGone as exc:
            self._drop()
            if not (self.link.options.wait_for_camera and self.link.target is None):
                self.link.set_state(CameraState.CLOSED, str(exc))
                raise
            self.reconnect.wait_for_camera(str(exc))  # connects on a later step
        except Exception as exc:  # CameraError, or a libgphoto2 surprise: open() must not hang
            self.link.set_state(CameraState.CLOSED, str(exc))
            self._drop()
            if isinstance(exc, CameraError):
                raise
            raise CameraError(f"cannot connect: {exc}") from exc
        self.hotplug.start()

    def step(self) -> float:
        if self.link.connected:
            try:
                self.downloads.pump_events()
                self.live.grab_if_due()
                self.downloads.retry_downloads()
                self.reconnect.check_if_due(self.downloads.waiting,
                                            self.downloads.stalled(self.link.options.stall_s),
                                            self.live.alive_within(self.link.options.probe_s))
            except CameraError as exc:
                self._after_error(exc)
            self.downloads.finish_captures()
        else:
            self.reconnect.attempt_if_due()
        return self._sleep_time()

    def handler_failed(self, request: object, exc: Exception) -> None:
        if isinstance(exc, CameraError):
            self._after_error(exc)

    def teardown(self, leftover: list[Pending]) -> None:
        try:
            if self.link.cam is not None and self.link.connected:
                self.downloads.drain_before_close()
                self.live.leave()
        finally:
            self._drop()
            self.downloads.fail_all(lambda: CameraError("camera closed before the file arrived"))
            self.live.close()
            fail_all(leftover, lambda: CameraError("camera closed"))
            self._frames.close()
            self.link.set_state(CameraState.CLOSED)
            self.hotplug.stop()

    # ------------------------------------------------------------------ handlers

    def _capture(self, request: Capture, future: Future) -> None:
        self.link.require_connected()
        if self.link.quirks.leave_live_view_before_capture and self.live.active:
            self.live.leave()
        self.downloads.trigger(future)

    def _live_view(self, request: LiveView, future: Future) -> None:
        self.live.request(request.on, future)

    def _read_settings(self, request: ReadSettings, future: Future) -> None:
        future.set_result(controls.read_all(self.link))

    def _set_setting(self, request: SetSetting, future: Future) -> None:
        self.link.require_connected()
        future.set_result(controls.write(self.link, request.name, request.value))

    def _summary(self, request: Summary, future: Future) -> None:
        future.set_result(controls.summary(self.link))

    def _presence_changed(self, request: PresenceChanged, future: Future) -> None:
        self.reconnect.presence_changed()
        future.set_result(None)

    # ------------------------------------------------------------------ connection

    def _connect(self) -> None:
        settings = self.link.connect()
        self.downloads.connected()
        controls.set_capture_target(self.link, settings)
        self.live.connected()
        self.reconnect.connected()
        self.link.set_state(CameraState.CONNECTED)

    def _drop(self) -> None:
        self.link.drop()
        self.live.active = False

    def _lost(self, reason: str) -> None:
        self._drop()
        self.downloads.fail_all(lambda: CameraGone(f"camera lost during capture ({reason})",
                                                   "the photo may still be on the camera's card"))

    def _after_error(self, exc: CameraError) -> None:
        """Reconnect when the error says the link is gone; otherwise it was only reported."""
        if error_action(exc) is Action.RECONNECT and self.link.connected:
            self.reconnect.begin(str(exc))

    def _sleep_time(self) -> float:
        if not self.link.connected:
            return self.reconnect.sleep_time()
        options = self.link.options
        if self.downloads.waiting:  # wait_for_event itself blocked (it returns when an event arrives)
            timeout = max(0.0, options.busy_poll_s - self.downloads.last_wait_s)
        else:
            timeout = options.idle_poll_s
        return max(0.0, self.live.sleep_time(timeout))
