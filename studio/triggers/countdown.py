"""Countdown beeps: the controller counts (:class:`~studio.events.CountdownTick`), this beeps.

One short ``countdown`` beep per remaining second and a long ``countdown-final`` at the moment
of firing, through the app's :class:`~studio.audio.CuePlayer` (so the sound trigger knows they
are the app's own sounds).
"""

from __future__ import annotations

from studio.events import CaptureEvent, CountdownTick, Cues


class CountdownBeeper:
    """Register with ``controller.add_listener(beeper)``."""

    def __init__(self, cues: Cues) -> None:
        self.cues = cues

    def __call__(self, event: CaptureEvent) -> None:
        if isinstance(event, CountdownTick):
            self.cues.play("countdown" if event.n > 0 else "countdown-final")
