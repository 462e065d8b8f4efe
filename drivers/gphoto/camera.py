"""A camera on libgphoto2: :class:`drivers.base.Camera` over one owner loop.

:class:`GphotoCamera` is a thin facade: every request becomes a typed message for the owner
loop (:mod:`drivers.owner`), which runs :class:`~drivers.gphoto.device.GphotoDevice` on its
thread. The work is split by concern: :mod:`~drivers.gphoto.connection` (the ``gp.Camera`` and
its calls), :mod:`~drivers.gphoto.reconnect` (presence, backoff, hotplug),
:mod:`~drivers.gphoto.downloads` (captures, events, RAW+JPEG pairing, retries, verified
delete), :mod:`~drivers.gphoto.liveview` and :mod:`~drivers.gphoto.controls` (settings).

Captures use ``trigger_capture`` and the event loop, so every ``GP_EVENT_FILE_ADDED`` is
downloaded: both files of a RAW+JPEG pair and shots fired from the camera body.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path

from drivers.base import CameraEvent, CameraState, EventHub, LatestFrameSlot, Listener
from drivers.download import DownloadSink, FolderSink
from drivers.gphoto.device import GphotoDevice, PresenceChanged, Summary
from drivers.gphoto.options import GphotoOptions
from drivers.owner import OwnerLoop
from drivers.requests import PostsRequests

__all__ = ["GphotoCamera", "GphotoOptions"]


class GphotoCamera(PostsRequests):
    """:class:`drivers.base.Camera` on a libgphoto2 camera (real, or libgphoto2's virtual one)."""

    def __init__(self, sink: DownloadSink | Path | str, options: GphotoOptions | None = None, *,
                 port: str | None = None) -> None:
        store: DownloadSink = FolderSink(Path(sink)) if isinstance(sink, (str, Path)) else sink
        opts = options or GphotoOptions()
        if port is not None:
            opts = replace(opts, port=port)
        self._frames = LatestFrameSlot()
        self._hub: EventHub[CameraEvent] = EventHub()
        self._device = GphotoDevice(store, opts, self._frames, self._hub, self.notify_presence_changed)
        self._loop = OwnerLoop(self._device, "gphoto-camera")

    @property
    def model(self) -> str:
        return self._device.link.model

    @property
    def state(self) -> CameraState:
        return self._device.link.state

    @property
    def frames(self) -> LatestFrameSlot:
        return self._frames

    @property
    def port(self) -> str:
        return self._device.link.port

    @property
    def deleted_on_camera(self) -> int:
        """Files removed from the card after a verified download."""
        return self._device.downloads.deleted_on_camera

    @property
    def hotplug_mode(self) -> str:
        """How USB changes are noticed while open: "udev", "poll" or "off"."""
        return self._device.hotplug.mode

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        return self._hub.add_listener(listener)

    def open(self) -> None:
        """Connect on a new owner thread; raises the typed error (with a hint) on failure."""
        if self._loop.running:
            return
        self._frames.reopen()
        self._loop.start()

    def close(self, timeout: float = 10.0) -> None:
        """Leave live view (``viewfinder=0``), finish downloads, ``exit()``. Idempotent."""
        self._loop.stop(timeout)

    def _submit(self, request: object) -> Future:
        return self._loop.submit(request)  # a closed loop fails the Future itself

    def summary(self) -> Future[str]:
        """The camera's own summary text (model, serial, storage, abilities)."""
        return self._loop.submit(Summary())

    def notify_presence_changed(self) -> None:
        """Hotplug saw a USB change: check at once whether our camera is still (or again) there."""
        self._loop.submit(PresenceChanged())

    def __repr__(self) -> str:
        return f"GphotoCamera({self.model or '?'} {self.port or ''} {self.state.value})"
