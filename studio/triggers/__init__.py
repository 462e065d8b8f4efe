"""Hands-free triggers. Each one turns something it noticed into a :class:`TriggerEvent` for the
one :class:`studio.capture.CaptureController`; none of them calls the camera.

- :mod:`.auto` — READY held for the hold time, once per READY period;
- :mod:`.gesture` — a raised open palm (MediaPipe hands) held for a moment;
- :mod:`.sound` — a clap or short loud sound on the microphone, ignoring the app's own cues;
- :mod:`.keys` — foot pedals and presenter remotes (Page Down, B, Space…);
- :mod:`.countdown` — the beeps of the controller's countdown;
- :mod:`.interval` — every N seconds, M shots.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TriggerEvent:
    """A request for one shot.

    ``period`` is the READY period that caused an auto trigger (at most one shot each);
    ``countdown`` asks the controller to count down that many seconds before firing.
    """

    source: str  # "auto", "gesture", "sound", "key", "interval", …
    at: float  # time.monotonic() when the trigger noticed it
    period: int | None = None
    countdown: int = 0


Emit = Callable[[TriggerEvent], object]

__all__ = ["Emit", "TriggerEvent"]
