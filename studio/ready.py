"""The READY state machine: the one source of truth for "take the picture now".

It reads each :class:`~studio.analysis.Analysis` in order and emits a :class:`ReadyTransition`
whenever its state changes. The overlay, the audio cues and the triggers consume these
transitions; none of them decides readiness on its own.

States: ``not-ready`` (a required check fails, or no subject) → ``holding`` (all required
checks pass, waiting for the hold time) → ``ready``. Any failure returns to ``not-ready``.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from drivers.base import EventHub
from studio.analysis import Analysis

log = logging.getLogger(__name__)


class ReadyState(enum.StrEnum):
    NOT_READY = "not-ready"
    HOLDING = "holding"
    READY = "ready"


@dataclass(frozen=True, slots=True)
class ReadyTransition:
    previous: ReadyState
    state: ReadyState
    at: float  # monotonic time of the frame that caused it
    frame: int | None
    problems: tuple[str, ...]  # required check ids not passing, worst first
    period: int  # counts READY periods: triggers fire at most once per period


ReadyListener = Callable[[ReadyTransition], object]  # what it returns is ignored


class ReadyMachine:
    """Feed it analyses with :meth:`update`; listen with :meth:`add_listener`."""

    def __init__(self, hold_s: float = 0.4) -> None:
        self.hold_s = hold_s
        self._state = ReadyState.NOT_READY
        self._since = 0.0
        self._period = 0
        self._problems: tuple[str, ...] = ()
        self._listeners: EventHub[ReadyTransition] = EventHub()
        # update() comes from the vision thread, reset() from the live-view watch or the GUI.
        self._lock = threading.RLock()

    @property
    def state(self) -> ReadyState:
        return self._state

    @property
    def period(self) -> int:
        """Number of READY periods entered so far."""
        return self._period

    @property
    def problems(self) -> tuple[str, ...]:
        return self._problems

    def add_listener(self, listener: ReadyListener) -> Callable[[], None]:
        return self._listeners.add_listener(listener)

    def reset(self, at: float = 0.0, reason: str = "reset") -> ReadyTransition | None:
        """Back to not-ready (live view stopped, camera gone, preset changed); ``reason`` is the
        transition's one problem ("no live view from this camera", "recording ended" …)."""
        with self._lock:
            self._problems = (reason,)
            return self._move(ReadyState.NOT_READY, at, None, (reason,))

    def update(self, analysis: Analysis) -> ReadyTransition | None:
        """Advance on one analysis; returns the transition it caused, if any."""
        with self._lock:
            return self._update(analysis)

    def _update(self, analysis: Analysis) -> ReadyTransition | None:
        at = analysis.timestamp
        problems = tuple(c.id for c in analysis.problems)
        if not analysis.ready or analysis.faces == 0:
            self._problems = problems or (("face",) if analysis.faces == 0 else ())
            return self._move(ReadyState.NOT_READY, at, analysis.frame, self._problems)
        self._problems = ()
        if self._state is ReadyState.NOT_READY:
            return self._move(ReadyState.HOLDING, at, analysis.frame, ())
        if self._state is ReadyState.HOLDING and at - self._since >= self.hold_s:
            return self._move(ReadyState.READY, at, analysis.frame, ())
        return None

    def _move(self, state: ReadyState, at: float, frame: int | None,
              problems: tuple[str, ...]) -> ReadyTransition | None:
        if state is self._state:
            return None
        previous, self._state, self._since = self._state, state, at
        if state is ReadyState.READY:
            self._period += 1
        transition = ReadyTransition(previous, state, at, frame, problems, self._period)
        log.debug("ready: %s -> %s %s", previous, state, problems)
        self._listeners.emit(transition)
        return transition
