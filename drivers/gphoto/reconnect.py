"""Noticing a lost camera and getting it back: presence checks, backoff, hotplug.

A camera that is unplugged often just stops answering, so besides errors that say "gone" the
driver checks presence: every ``presence_poll_s`` when idle, every second while a capture
waits for its file, and at once when the hotplug monitor reports a USB change. A camera can
also go silent while still on USB (firmware hang, a flaky hub): the watchdog probes it with a
cheap request when a capture has had no file for ``stall_s`` (then every second) and every
``probe_s`` while no live-view frame proves it alive; a failed or slow probe reconnects.
While reconnecting it retries with backoff (0.2 s, 0.4 s, then every 0.5 s, so a camera that
comes back is connected within about half a second); after ``reconnect_timeout_s`` the state becomes GONE, and
it still keeps watching. Opened with no camera at all (``wait_for_camera``), the state is
WAITING until one appears.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from drivers.base import CameraState
from drivers.gphoto.connection import Link
from drivers.hotplug import HotplugEvent, HotplugMonitor

log = logging.getLogger(__name__)

class Reconnector:
    """Owner-thread state of presence polling and reconnect attempts for one :class:`Link`.

    ``connect`` makes a full connection (it raises when the camera is not back); ``lost`` is
    told the reason when the camera is lost, before the state becomes RECONNECTING.
    """

    def __init__(self, link: Link, connect: Callable[[], None], lost: Callable[[str], None]) -> None:
        self._link = link
        self._options = link.options
        self._connect = connect
        self._lost = lost
        self._gone_since = 0.0
        self._next_attempt = 0.0
        self._attempt = 0
        self._next_presence = 0.0
        self._next_stall_check = 0.0
        self._next_probe = 0.0

    def connected(self) -> None:
        now = time.monotonic()
        self._next_presence = now + self._options.presence_poll_s
        self._next_probe = now + self._options.probe_s

    def wait_for_camera(self, reason: str) -> None:
        """Opened with no camera attached: WAITING, trying to connect until one appears."""
        log.info("no camera yet (%s); waiting for one", reason)
        self._gone_since = time.monotonic()
        self._attempt = 0
        self._next_attempt = 0.0
        self._link.set_state(CameraState.WAITING, "no camera found \u2014 plug one in")

    def presence_changed(self) -> None:
        """A USB change: check presence (or try to reconnect) on the next step."""
        self._next_presence = 0.0
        self._next_attempt = 0.0

    def begin(self, reason: str) -> None:
        log.warning("camera lost (%s); reconnecting", reason)
        self._lost(reason)
        self._gone_since = time.monotonic()
        self._attempt = 0
        self._next_attempt = self._gone_since + 0.2
        self._link.set_state(CameraState.RECONNECTING, reason)

    def sleep_time(self) -> float:
        return max(0.0, min(self._next_attempt - time.monotonic(), 0.5))

    def attempt_if_due(self) -> bool:
        """One reconnect attempt when it is due; True when the camera is back."""
        now = time.monotonic()
        if now < self._next_attempt:
            return False
        self._attempt += 1
        try:
            self._connect()
        except Exception as exc:  # keep trying: the body may still be waking up
            log.debug("reconnect attempt %d: %s", self._attempt, exc)
            self._link.drop()
            # A lost camera is looked for every 0.5 s (a port scan, ~7 ms): back within about
            # half a second of its return; a camera awaited or gone, every second.
            cap = 0.5 if self._link.state is CameraState.RECONNECTING else 1.0
            delay = min(cap, 0.2 * 2 ** min(self._attempt - 1, 3))
            self._next_attempt = time.monotonic() + delay
            timeout = self._options.reconnect_timeout_s
            if self._link.state is CameraState.RECONNECTING and now - self._gone_since > timeout:
                self._link.set_state(CameraState.GONE, f"not back after {timeout:.0f} s")
            return False
        return True

    def check_if_due(self, waiting: bool, stalled: bool, alive_recently: bool) -> None:
        """The presence scan and the watchdog's probe, when due.

        ``stalled`` (a capture with no file for ``stall_s``): presence and a probe every
        second. Idle: presence every ``presence_poll_s``, and a probe every ``probe_s`` unless
        a live-view frame came meanwhile (``alive_recently``). Nothing while a capture is
        ``waiting`` but not yet stalled: the file is on its way.
        """
        now = time.monotonic()
        if stalled:
            if now < self._next_stall_check:
                return
            self._next_stall_check = now + 1.0
            self._check(probe=True)
            return
        if waiting:
            return
        if self._next_presence == 0.0 or (self._options.presence_poll_s > 0 and now >= self._next_presence):
            self._next_presence = now + (self._options.presence_poll_s or 3600.0)
            if not self._check(probe=False):
                return
        if self._options.probe_s > 0 and now >= self._next_probe:
            self._next_probe = now + self._options.probe_s
            if not alive_recently:
                self._check(probe=True)

    def _check(self, *, probe: bool) -> bool:
        """True while the camera is there (and, with ``probe``, answers); else reconnect."""
        if not self._link.present():
            self.begin("camera no longer detected on USB")
            return False
        silent = self._link.probe() if probe else None
        if silent:
            self.begin(silent)
            return False
        return True


class HotplugWatch:
    """A :class:`~drivers.hotplug.HotplugMonitor` for as long as the camera is open.

    With udev (pyudev and a running udev daemon) a USB add/remove triggers a scan; elsewhere
    the monitor scans every ``hotplug_poll_s``. Either way a change calls ``changed`` (which
    posts to the owner thread). Only the polling path can be exercised without hardware: no
    udev events exist in a container, so a real replug is the test of the udev path.
    """

    def __init__(self, link: Link, changed: Callable[[], object]) -> None:
        self._link = link
        self._changed = changed
        self._monitor: HotplugMonitor | None = None

    @property
    def mode(self) -> str:
        return self._monitor.mode if self._monitor else "off"

    def start(self) -> None:
        mode = self._link.options.hotplug
        if mode == "off" or self._monitor is not None:
            return
        interval = self._link.options.hotplug_poll_s
        monitor = HotplugMonitor(self._link.scanner.scan, interval=interval, mode=mode)
        monitor.add_listener(self._on_event)
        try:
            monitor.start()
        except Exception as exc:  # udev refused (no netlink here): polling still sees a replug
            log.warning("hotplug: %s mode failed (%s); polling every %.1f s", monitor.mode, exc, interval)
            monitor.stop()
            monitor = HotplugMonitor(self._link.scanner.scan, interval=interval, mode="poll")
            monitor.add_listener(self._on_event)
            monitor.start()
        self._monitor = monitor

    def stop(self) -> None:
        monitor, self._monitor = self._monitor, None
        if monitor is not None:
            monitor.stop()

    def _on_event(self, event: HotplugEvent) -> None:
        log.info("hotplug: camera %s (%s)", event.change.value, event.device)
        self._changed()
