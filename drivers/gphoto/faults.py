"""Faults injected into a real ``gp.Camera``: busy replies, failed downloads, a camera gone silent.

For the tests and ``benchmarks/fault_run.py`` on libgphoto2's virtual camera, which never
misbehaves by itself. :class:`FaultyCamera` wraps the real object (every call it does not
change goes straight through); :class:`Faults` is the plan shared by all the wrappers a driver
makes (one per connection), given to the driver as ``GphotoOptions(camera_factory=faults.camera)``.

- ``busy(n)``: the next ``n`` calls of the capture path answer ``-110`` (PTP device busy).
- ``fail_downloads(n)``: the next ``n`` ``file_get`` calls answer ``-1`` (the file stays on
  the camera; the driver retries it).
- ``stall()``: the camera of the current connection goes silent while still on USB, as a
  hung firmware does: ``trigger_capture`` is accepted but takes no picture, ``wait_for_event``
  only ever times out, and any request (status, config, download) blocks for ``hang_s`` (the
  USB timeout) and then fails with ``-10``. Only a new connection answers again.
- ``unplug()`` / ``replug()``: the virtual camera really leaves the bus (libgphoto2's USB iolib
  is switched away through ``IOLIBS``, so detection and reconnects fail), and the connection
  it had dies as a pulled cable's does: every call on it fails with ``-7`` from then on.

``taken`` counts the pictures the camera really took (a real ``trigger_capture`` that
returned): the number of files that must end up on disk.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from drivers.gphoto.lib import gp

_BUSY = -110
_UNSPECIFIED = -1
_TIMEOUT = -10
_IO = -7
# Calls that carry a request to the body: silent cameras never answer them.
_REQUESTS = ("get_config", "get_single_config", "set_config", "set_single_config", "get_summary",
             "get_storageinfo", "file_get", "file_get_info", "file_delete", "capture",
             "capture_preview", "folder_list_files")


class Faults:
    """The fault plan and what happened; thread-safe (the script and the camera thread use it)."""

    def __init__(self, hang_s: float = 1.0) -> None:
        self.hang_s = hang_s
        self._lock = threading.Lock()
        self._busy = 0
        self._download_failures = 0
        self._stall_next = False
        self.taken = 0  # pictures the camera really took
        self.busy_replies = 0
        self.download_failures = 0
        self.stalls = 0
        self.cameras = 0  # connections made (one wrapper each)
        self.stalled_at: float | None = None  # when the newest stall began
        self.unplugs = 0
        self._vusb: str | None = None  # IOLIBS while unplugged, to restore

    def busy(self, n: int = 1) -> None:
        with self._lock:
            self._busy += n

    def fail_downloads(self, n: int = 1) -> None:
        with self._lock:
            self._download_failures += n

    def stall(self) -> None:
        """The current connection's camera goes silent from now on."""
        with self._lock:
            self._stall_next = True
            self.stalls += 1
            self.stalled_at = time.monotonic()

    def unplug(self) -> None:
        """Pull the cable: the camera leaves USB and its current connection dies."""
        gp()  # the module sets IOLIBS on import
        with self._lock:
            if self._vusb is not None:
                return
            self.unplugs += 1
            self._vusb = os.environ["IOLIBS"]
            os.environ["IOLIBS"] = self._vusb.replace("vusb", "iolibs")

    def replug(self) -> None:
        with self._lock:
            if self._vusb is not None:
                os.environ["IOLIBS"], self._vusb = self._vusb, None

    def camera(self) -> FaultyCamera:
        """The factory the driver calls for each new connection."""
        with self._lock:
            self.cameras += 1
            generation = self.unplugs
        return FaultyCamera(gp().Camera(), self, generation)

    def _dead(self, generation: int) -> bool:
        return generation < self.unplugs

    # -- used by the wrappers ----------------------------------------------------------------

    def _take(self, kind: str) -> bool:
        with self._lock:
            if kind == "busy" and self._busy:
                self._busy -= 1
                self.busy_replies += 1
                return True
            if kind == "download" and self._download_failures:
                self._download_failures -= 1
                self.download_failures += 1
                return True
            if kind == "stall" and self._stall_next:
                self._stall_next = False
                return True
        return False

    def _count_taken(self) -> None:
        with self._lock:
            self.taken += 1


class FaultyCamera:
    """A ``gp.Camera`` with the faults of :class:`Faults` injected; the rest passes through."""

    def __init__(self, real: Any, faults: Faults, generation: int = 0) -> None:
        self._real = real
        self._faults = faults
        self._generation = generation  # unplugs before this connection was made
        self.silent = False

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._real, name)
        if name in _REQUESTS and callable(attr):
            def guarded(*args: Any) -> Any:
                self._maybe_go_silent()
                if self.silent:
                    self._hang()
                return attr(*args)
            return guarded
        return attr

    def _maybe_go_silent(self) -> None:
        if self._faults._dead(self._generation):  # the cable was pulled
            raise gp().GPhoto2Error(_IO)
        if not self.silent and self._faults._take("stall"):
            self.silent = True

    def _hang(self) -> None:
        time.sleep(self._faults.hang_s)
        raise gp().GPhoto2Error(_TIMEOUT)

    def init(self, *args: Any) -> Any:
        self._maybe_go_silent()
        return self._real.init(*args)

    def exit(self, *args: Any) -> Any:
        return self._real.exit(*args)

    def trigger_capture(self, *args: Any) -> Any:
        self._maybe_go_silent()
        if self.silent:
            return None  # accepted, nothing happens: the shutter never fires
        if self._faults._take("busy"):
            raise gp().GPhoto2Error(_BUSY)
        result = self._real.trigger_capture(*args)
        self._faults._count_taken()
        return result

    def wait_for_event(self, timeout_ms: int, *args: Any) -> Any:
        self._maybe_go_silent()
        if self.silent:
            time.sleep(min(timeout_ms, 1000) / 1000.0)
            return gp().GP_EVENT_TIMEOUT, None
        return self._real.wait_for_event(timeout_ms, *args)

    def file_get(self, *args: Any) -> Any:
        self._maybe_go_silent()
        if self.silent:
            self._hang()
        if self._faults._take("busy"):
            raise gp().GPhoto2Error(_BUSY)
        if self._faults._take("download"):
            raise gp().GPhoto2Error(_UNSPECIFIED)
        return self._real.file_get(*args)
