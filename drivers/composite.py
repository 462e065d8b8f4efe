"""One camera made of two: live view from one driver, captures and settings from another.

Used to run the whole app without a camera that has live view: frames from a recording
(:class:`drivers.replay.ReplayCamera`) and captures from libgphoto2's virtual camera, or on set
with a webcam-like live source and a body that cannot stream. Each part keeps its own thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from drivers.base import (
    Camera,
    CameraEvent,
    CameraState,
    DriverWarning,
    EventHub,
    LatestFrameSlot,
    Listener,
    Setting,
    StateChanged,
)

log = logging.getLogger(__name__)


class CompositeCamera:
    """:class:`drivers.base.Camera` with ``frames`` from ``live`` and everything else from ``stills``.

    The composite's state is the stills camera's (that is where photos come from); state
    changes of the live-view part arrive as :class:`DriverWarning` with code ``live-view``.
    """

    def __init__(self, live: Camera, stills: Camera) -> None:
        self.live = live
        self.stills = stills
        self._hub: EventHub[CameraEvent] = EventHub()
        self._unsubscribe: list[Callable[[], None]] = []

    @property
    def model(self) -> str:
        return f"{self.stills.model} (live view: {self.live.model})"

    @property
    def state(self) -> CameraState:
        return self.stills.state

    @property
    def frames(self) -> LatestFrameSlot:
        return self.live.frames

    def open(self) -> None:
        self._unsubscribe = [self.stills.add_listener(self._hub.emit),
                             self.live.add_listener(self._from_live)]
        self.stills.open()
        try:
            self.live.open()
        except Exception:
            self.stills.close()
            raise

    def close(self) -> None:
        try:
            self.live.close()
        finally:
            self.stills.close()
            for unsubscribe in self._unsubscribe:
                unsubscribe()
            self._unsubscribe = []

    def start_live_view(self) -> Future[None]:
        return self.live.start_live_view()

    def stop_live_view(self) -> Future[None]:
        return self.live.stop_live_view()

    def capture(self) -> Future[list[Path]]:
        return self.stills.capture()

    def settings(self) -> Future[dict[str, Setting]]:
        return self.stills.settings()

    def set_setting(self, name: str, value: str) -> Future[Setting]:
        return self.stills.set_setting(name, value)

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        return self._hub.add_listener(listener)

    def _from_live(self, event: CameraEvent) -> None:
        if isinstance(event, StateChanged):
            reason = f": {event.reason}" if event.reason else ""
            self._hub.emit(DriverWarning(f"live view source {event.state.value}{reason}", code="live-view"))
        elif isinstance(event, DriverWarning):
            self._hub.emit(event)
        # FileAdded from the live part (a replay "capture") is not ours: stills come from `stills`.
