"""Interval trigger: a sequence of M shots, one every N seconds (time-lapse, test series)."""

from __future__ import annotations

import logging
import threading
import time

from studio.events import Emit, TriggerEvent

log = logging.getLogger(__name__)


class IntervalTrigger:
    def __init__(self, emit: Emit, every_s: float, shots: int) -> None:
        if every_s <= 0 or shots <= 0:
            raise ValueError("the interval and the number of shots must be positive")
        self.emit = emit
        self.every_s = every_s
        self.shots = shots
        self.sent = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self.sent = 0
        self._thread = threading.Thread(target=self._run, name="interval", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        start = time.monotonic()
        for i in range(self.shots):
            # Scheduled from the start, so a slow shot does not push the rest later.
            if self._stop.wait(max(0.0, start + i * self.every_s - time.monotonic())):
                return
            self.emit(TriggerEvent("interval", time.monotonic()))
            self.sent += 1

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(2.0)

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True
