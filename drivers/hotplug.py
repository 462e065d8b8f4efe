"""Camera hotplug: a pyudev monitor where udev runs, polling a scan function otherwise.

The monitor only says *that* the set of cameras changed; what is attached comes from ``scan``
(for libgphoto2, :meth:`drivers.gphoto.discovery.PresenceScanner.scan`, 0.3 ms). It knows
nothing of gphoto2 itself, so it can be used from ``studio`` and tested with any scanner.
With pyudev, a USB ``add``/``remove`` event triggers one scan (device numbers change on every
replug, so the scan, not the udev event, decides); without it the scan runs every
``interval`` seconds.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from drivers.base import EventHub

log = logging.getLogger(__name__)


class Change(enum.StrEnum):
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class HotplugEvent:
    change: Change
    device: Hashable  # what the scan returned, e.g. DetectedCamera(model, port)
    timestamp: float = field(default_factory=time.monotonic)


Scan = Callable[[], Sequence[Hashable]]
HotplugListener = Callable[[HotplugEvent], None]


def udev_available() -> bool:
    """True when pyudev can open a netlink monitor here (a udev daemon is running)."""
    try:
        import pyudev
    except ImportError:
        return False
    try:
        context = pyudev.Context()
        monitor = pyudev.Monitor.from_netlink(context)
        monitor.filter_by("usb")
    except Exception:  # no netlink permission, no udev in containers
        return False
    from pathlib import Path

    return Path("/run/udev/control").exists()


class HotplugMonitor:
    """Emits :class:`HotplugEvent` s when cameras appear or disappear.

    ``mode`` is ``"auto"`` (udev when available, else polling), ``"udev"`` or ``"poll"``.
    Listeners run on the monitor's thread: keep them short (post to the camera's thread).
    """

    def __init__(self, scan: Scan, *, interval: float = 1.0, mode: str = "auto") -> None:
        if mode not in ("auto", "udev", "poll"):
            raise ValueError(f"mode must be auto, udev or poll, not {mode!r}")
        self._scan = scan
        self._interval = interval
        self.mode = ("udev" if udev_available() else "poll") if mode == "auto" else mode
        self._listeners: EventHub[HotplugEvent] = EventHub()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._known: set[Hashable] = set()
        self._observer: Any = None  # pyudev.MonitorObserver in udev mode
        self._rescan = threading.Event()
        self.scans = 0

    def add_listener(self, listener: HotplugListener) -> Callable[[], None]:
        return self._listeners.add_listener(listener)

    @property
    def devices(self) -> set[Hashable]:
        return set(self._known)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._known = set(self._safe_scan())
        self._stop.clear()
        if self.mode == "udev":
            self._start_udev()
        self._thread = threading.Thread(target=self._run, name="hotplug", daemon=True)
        self._thread.start()
        log.info("hotplug: %s mode, %d camera(s) present", self.mode, len(self._known))

    def stop(self) -> None:
        self._stop.set()
        self._rescan.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer = None
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None

    def _start_udev(self) -> None:
        import pyudev

        context = pyudev.Context()
        monitor = pyudev.Monitor.from_netlink(context)
        monitor.filter_by("usb", device_type="usb_device")

        def on_event(action: str, device: object) -> None:
            if action in ("add", "remove"):
                self._rescan.set()

        self._observer = pyudev.MonitorObserver(monitor, on_event, name="hotplug-udev")
        self._observer.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.mode == "udev":
                self._rescan.wait()
                self._rescan.clear()
                time.sleep(0.3)  # let the kernel and udev finish creating the node
            else:
                self._stop.wait(self._interval)
            if self._stop.is_set():
                return
            self.check()

    def check(self) -> list[HotplugEvent]:
        """Scan now and emit what changed; returns the events."""
        current = set(self._safe_scan())
        events = [HotplugEvent(Change.REMOVED, d) for d in self._known - current]
        events += [HotplugEvent(Change.ADDED, d) for d in current - self._known]
        self._known = current
        for event in events:
            log.info("hotplug: %s %s", event.change.value, event.device)
            self._listeners.emit(event)
        return events

    def _safe_scan(self) -> Sequence[Hashable]:
        self.scans += 1
        try:
            return self._scan()
        except Exception:  # a failing scan must not kill the monitor; treat as "unchanged"
            log.warning("hotplug scan failed", exc_info=True)
            return list(self._known)
