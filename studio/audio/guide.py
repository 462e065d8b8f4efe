"""Decides what to say: the READY cue on entering READY, one cue per problem family on changes.

It listens to the READY state machine (the one source of truth for READY) and to analyses (for
which family of problem to name). To avoid nagging:

- a problem family must stay the one to fix first for ``settle_s`` before it is named;
- a family once named is not named again until it has been gone for ``clear_s``
  (so a check flapping pass/fail says nothing new), or ``reminder_s`` passed (off by default);
- no two guide cues closer than ``min_gap_s``; READY at most once per ``ready_repeat_s``;
- the player itself plays one cue at a time and rate-limits each cue.

Times come from the analyses and transitions (frame arrival, monotonic), so decisions are
reproducible on a recording.
"""

from __future__ import annotations

import logging
import threading

from studio.analysis import Analysis
from studio.audio.player import CuePlayer
from studio.guidance import FAMILY_HINTS, family_of, primary_family
from studio.ready import ReadyState, ReadyTransition

log = logging.getLogger(__name__)


class AudioGuide:
    def __init__(self, player: CuePlayer, *, settle_s: float = 0.6, clear_s: float = 1.5,
                 min_gap_s: float = 1.5, ready_repeat_s: float = 2.5, reminder_s: float | None = None,
                 speech: bool = False) -> None:
        self.player = player
        self.settle_s = settle_s
        self.clear_s = clear_s
        self.min_gap_s = min_gap_s
        self.ready_repeat_s = ready_repeat_s
        self.reminder_s = reminder_s
        self.speech = speech
        self._lock = threading.Lock()
        self._state = ReadyState.NOT_READY
        self._candidate: str | None = None  # family currently first to fix
        self._candidate_since = 0.0
        self._announced: str | None = None  # family last named
        self._announced_at = -1e9
        self._absent_since: float | None = None  # when the announced family stopped showing
        self._last_cue_at = -1e9
        self._last_ready_at = -1e9

    def on_transition(self, t: ReadyTransition) -> str | None:
        """ReadyMachine listener; returns the cue it asked for, if any."""
        with self._lock:
            self._state = t.state
            if t.state is not ReadyState.READY:
                return None
            self._announced = None  # after READY, any new problem is news
            if t.at - self._last_ready_at < self.ready_repeat_s:
                return None
            self._last_ready_at = t.at
            return self._say("ready", t.at)

    def on_analysis(self, analysis: Analysis) -> str | None:
        """VisionLoop listener; returns the cue it asked for, if any."""
        now = analysis.timestamp
        if analysis.faces == 0:
            problems = analysis.problems
            family = "framing" if not problems else primary_family(c.id for c in problems)
        elif analysis.ready:
            family = None
        else:
            family = primary_family(c.id for c in analysis.problems)
        with self._lock:
            self._track_absence(family, now)
            if family != self._candidate:
                self._candidate, self._candidate_since = family, now
                return None
            if family is None or self._state is ReadyState.READY:
                return None
            if now - self._candidate_since < self.settle_s:
                return None
            if family == self._announced and (self.reminder_s is None
                                              or now - self._announced_at < self.reminder_s):
                return None
            if now - self._last_cue_at < self.min_gap_s:
                return None
            cue = self._say(family, now, analysis)
            if cue:
                self._announced, self._announced_at = family, now
            return cue

    def _track_absence(self, family: str | None, now: float) -> None:
        if self._announced is None:
            return
        if family == self._announced:
            self._absent_since = None
        elif self._absent_since is None:
            self._absent_since = now
        elif now - self._absent_since >= self.clear_s:
            self._announced, self._absent_since = None, None

    def _say(self, cue: str, now: float, analysis: Analysis | None = None) -> str | None:
        spoken = False
        if self.speech and self.player.can_speak:
            spoken = self.player.speak(self._hint(cue, analysis))
        if spoken or self.player.play(cue):
            self._last_cue_at = now
            log.debug("cue %s", cue)
            return cue
        return None

    @staticmethod
    def _hint(cue: str, analysis: Analysis | None) -> str:
        if cue == "ready":
            return "ready"
        if analysis is not None:
            for check in analysis.problems:
                if family_of(check.id) == cue and check.message:
                    return check.message
        return FAMILY_HINTS.get(cue, cue)
