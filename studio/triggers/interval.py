"""Interval trigger: a sequence of M shots, one every N seconds (time-lapse, test series).

The first shot comes one interval after the start (starting or choosing the interval never
fires the camera at once); its status carries the progress, "3 of 5".
"""

from __future__ import annotations

import logging
import threading
import time

from studio.events import Decision, Emit, StatusListener, TriggerEvent
from studio.triggers.arming import Arming

log = logging.getLogger(__name__)


class IntervalTrigger:
    def __init__(self, emit: Emit, every_s: float, shots: int, *,
                 on_status: StatusListener | None = None) -> None:
        if every_s <= 0 or shots <= 0:
            raise ValueError("the interval and the number of shots must be positive")
        self.emit = emit
        self.every_s = every_s
        self.shots = shots
        self.sent = 0
        self.arming = Arming("interval", f"one shot every {every_s:g} s", on_status,
                             armed=False, reason="not started", progress=f"0 of {shots}")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self.sent = 0
        self.arming.set(True, f"next shot in {self.every_s:g} s", progress=f"0 of {self.shots}")
        self._thread = threading.Thread(target=self._run, name="interval", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        start = time.monotonic()
        for i in range(self.shots):
            # Scheduled from the start, so a slow shot does not push the rest later.
            if self._stop.wait(max(0.0, start + (i + 1) * self.every_s - time.monotonic())):
                return
            decision = self.emit(TriggerEvent("interval", time.monotonic()))
            self.sent += 1
            reason = ""
            if isinstance(decision, Decision) and not decision.accepted:
                reason = f"shot {i + 1} not taken: {decision.reason}"
            if i + 1 < self.shots:
                self.arming.set(True, reason, progress=f"{i + 1} of {self.shots}")
        self.arming.set(False, "sequence done", progress=f"{self.shots} of {self.shots}")

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(2.0)
        if self.arming.armed:
            self.arming.set(False, "stopped")

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True
