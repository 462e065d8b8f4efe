"""Auto trigger: fire when READY has held for the hold time, then re-arm by a stated rule.

The :class:`~studio.ready.ReadyMachine` already waits the hold time before it reports READY;
this trigger fires on entering READY while it is *armed*. After a shot it is disarmed until its
:class:`RearmRule` is met:

- ``ready`` (default): READY is lost and regained (the subject blinked, moved, changed pose);
- ``person``: the people desk moved to another person (and READY is then entered afresh);
- ``seconds``: N seconds passed; if READY still stands then, it fires again.

It starts disarmed when READY already stands (switching to auto never fires the camera: READY
must drop and return first). If the controller says "not yet" (minimum interval, cooldown, a
capture running) while READY lasts, the request is repeated once that time comes; any other
refusal disarms it until READY drops. Its :class:`~studio.events.TriggerStatus` always says
which of these it is in.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

from studio.events import CaptureRequests, Decision, StatusListener, TriggerEvent
from studio.ready import ReadyState, ReadyTransition
from studio.triggers.arming import Arming

log = logging.getLogger(__name__)

REARM_KINDS = ("ready", "person", "seconds")
WAIT_DROP = "waiting for READY to drop and return"


@dataclass(frozen=True, slots=True)
class RearmRule:
    kind: str = "ready"  # one of REARM_KINDS
    seconds: float = 0.0  # for "seconds"

    def __post_init__(self) -> None:
        if self.kind not in REARM_KINDS:
            raise ValueError(f"unknown re-arm rule {self.kind!r}; use ready, person or a number of seconds")
        if self.kind == "seconds" and not (0 < self.seconds < math.inf):
            raise ValueError("the re-arm time must be a positive number of seconds")

    @classmethod
    def parse(cls, text: str) -> RearmRule:
        """``"ready"``, ``"person"`` or seconds (``"5"``, ``"5s"``); ValueError otherwise."""
        word = text.strip().lower()
        if word in ("ready", "person"):
            return cls(word)
        try:
            seconds = float(word.removesuffix("s"))
        except ValueError:
            raise ValueError(f"--rearm takes ready, person or a number of seconds, not {text!r}") from None
        return cls("seconds", seconds)

    @property
    def text(self) -> str:
        if self.kind == "seconds":
            return f"re-arms {self.seconds:g} s after a shot"
        if self.kind == "person":
            return "re-arms on the next person"
        return "re-arms when READY is lost and regained"


class AutoTrigger:
    """Subscribe with ``ready_machine.add_listener(trigger.on_transition)``.

    ``ready_now`` says READY already stands when the trigger is made (it then starts disarmed).
    """

    def __init__(self, controller: CaptureRequests, *, enabled: bool = True,
                 rearm: RearmRule | None = None, on_status: StatusListener | None = None,
                 ready_now: bool = False) -> None:
        self.controller = controller
        self.enabled = enabled
        self.rearm = rearm or RearmRule()
        self._lock = threading.Lock()
        self._period: int | None = None  # the READY period we are in, None when not READY
        self._standing = ready_now  # READY stands (we may not know its period yet)
        self._retry: threading.Timer | None = None
        self._rearm_timer: threading.Timer | None = None
        self._wait: str | None = "drop" if ready_now else None  # what re-arms us: drop, person, timer
        self.arming = Arming("auto", self.rearm.text, on_status, armed=not ready_now,
                             reason=f"READY already up: {WAIT_DROP}" if ready_now else "")

    @property
    def armed(self) -> bool:
        return self.arming.armed

    def on_transition(self, transition: ReadyTransition) -> None:
        ready = transition.state is ReadyState.READY
        with self._lock:
            self._cancel_retry()
            self._period = transition.period if ready else None
            self._standing = ready
            fire = ready and self._wait is None and self.enabled
            dropped = not ready and self._wait in (None, "drop")
            if dropped:
                self._wait = None
        if dropped:
            self.arming.set(True)
        if fire:
            self._request(transition.period, transition.at)

    def on_person_changed(self, _event: object = None) -> None:
        """The people desk moved on: the ``person`` rule re-arms (fires on a fresh READY)."""
        with self._lock:
            if self._wait != "person":
                return
            self._wait = "drop" if self._standing else None
        if self._wait == "drop":
            self.arming.set(False, f"next person: {WAIT_DROP}")
        else:
            self.arming.set(True)

    def _request(self, period: int | None, at: float) -> None:
        with self._lock:
            if self._period != period and period is not None or not self._standing or self._wait:
                return  # READY ended meanwhile, or we were disarmed
        decision = self.controller.submit(TriggerEvent("auto", at, period=period))
        if decision.accepted:
            self._fired()
        elif decision.retry_at is not None:
            self._schedule_retry(period, decision)
        else:
            with self._lock:
                self._wait = "drop"
            self.arming.set(False, f"not fired ({decision.reason}): {WAIT_DROP}")

    def _fired(self) -> None:
        rule = self.rearm
        with self._lock:
            if rule.kind == "seconds":
                self._wait = "timer"
                self._rearm_timer = threading.Timer(rule.seconds, self._timer_rearm)
                self._rearm_timer.daemon = True
                self._rearm_timer.start()
            else:
                self._wait = "person" if rule.kind == "person" else "drop"
        if rule.kind == "seconds":
            self.arming.set(False, f"fired: re-arms in {rule.seconds:g} s")
        elif rule.kind == "person":
            self.arming.set(False, "fired: waiting for the next person")
        else:
            self.arming.set(False, f"fired: {WAIT_DROP}")

    def _timer_rearm(self) -> None:
        with self._lock:
            if self._wait != "timer":
                return
            self._wait = None
            again = self._standing and self.enabled
        self.arming.set(True)
        if again:  # READY held all along: N seconds passed, so another shot
            self._request(None, time.monotonic())

    def _schedule_retry(self, period: int | None, decision: Decision) -> None:
        assert decision.retry_at is not None
        delay = max(0.05, decision.retry_at - time.monotonic())
        with self._lock:
            if (period is not None and self._period != period) or not self._standing:
                return
            self._retry = threading.Timer(delay, self._request, args=(period, time.monotonic() + delay))
            self._retry.daemon = True
            self._retry.start()
        self.arming.set(True, f"{decision.reason}: trying again in {delay:.1f} s")

    def _cancel_retry(self) -> None:
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None

    def close(self) -> None:
        with self._lock:
            self._period = None
            self._standing = False
            self._cancel_retry()
            if self._rearm_timer is not None:
                self._rearm_timer.cancel()
                self._rearm_timer = None
