"""Replay pacing: how long to wait between two recorded frames, whatever the file says.

A recorded gap longer than :data:`MAX_GAP_S` (or negative, or not a number: a damaged or
hand-made file) is replayed as one nominal frame interval: a camera never pauses live view for
seconds, and a jump of 1e9 s must not stall the replay (nor 1e300 s overflow the loop's sleep,
nor one frame stamped -20 s hold the next one for 20 s). The player counts and warns once.
"""

from __future__ import annotations

MAX_GAP_S = 2.0


def replay_gap(raw: float, before: float, interval: float) -> tuple[float, bool]:
    """The time to wait between frames recorded at ``before`` and ``raw`` seconds, and whether
    it was clamped: a gap in (0, :data:`MAX_GAP_S`] is kept, a zero gap in a sane clock too (the
    later frame wins); NaN, infinities, negative, huge gaps, and zero gaps of a clock so large
    that it has lost its precision become one nominal ``interval``."""
    gap = raw - before
    if 0.0 < gap <= MAX_GAP_S:  # NaN, inf, negative, zero and huge all fail
        return gap, False
    if gap == 0.0 and abs(raw) < 1e9:
        return 0.0, False
    return interval, True
