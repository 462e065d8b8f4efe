"""Auto trigger: fire when READY has held for the hold time, at most once per READY period.

The :class:`~studio.ready.ReadyMachine` already waits the hold time before it reports READY;
this trigger turns each READY transition into one request carrying the period number, so the
controller can refuse a second shot in the same period. If the controller says "not yet"
(minimum interval, cooldown) while READY lasts, the request is repeated once that time comes.
"""

from __future__ import annotations

import logging
import threading
import time

from studio.events import CaptureRequests, TriggerEvent
from studio.ready import ReadyState, ReadyTransition

log = logging.getLogger(__name__)


class AutoTrigger:
    """Subscribe with ``ready_machine.add_listener(trigger.on_transition)``."""

    def __init__(self, controller: CaptureRequests, *, enabled: bool = True) -> None:
        self.controller = controller
        self.enabled = enabled
        self._lock = threading.Lock()
        self._period: int | None = None  # the READY period we are in, None when not READY
        self._timer: threading.Timer | None = None

    def on_transition(self, transition: ReadyTransition) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._period = transition.period if transition.state is ReadyState.READY else None
        if self._period is not None and self.enabled:
            self._request(transition.period, transition.at)

    def _request(self, period: int, at: float) -> None:
        with self._lock:
            if self._period != period:
                return  # READY ended meanwhile
        decision = self.controller.submit(TriggerEvent("auto", at, period=period))
        if decision.accepted or decision.retry_at is None:
            return
        delay = max(0.05, decision.retry_at - time.monotonic())
        with self._lock:
            if self._period != period:
                return
            self._timer = threading.Timer(delay, self._request, args=(period, time.monotonic() + delay))
            self._timer.daemon = True
            self._timer.start()

    def close(self) -> None:
        with self._lock:
            self._period = None
            if self._timer is not None:
                self._timer.cancel()
