"""When live view's periodic work runs: spread so that no frame carries two stages.

The detector retry (``wide_mesh``), the glasses measure and eye sharpness each run every N
frames; in between, their last result is reused. A stage that falls due on a frame another one
already took waits for the next free frame (for at most another N frames). (The mask checks are
not scheduled here: they run on the scene worker thread, :mod:`studio.vision.scene_worker`, when
a new mask arrives.) Owned by the live tracker; a still has no schedule (everything runs).

Periods are counted in frames at 30 fps. A faster source stretches them (``stretch``, set by
the tracker from the frames' times: 2 at 60 fps), so that each stage runs as often a second
as at 30 fps: glasses, eye sharpness and the subject's pose change at a person's pace, not the
camera's.
"""

from __future__ import annotations

import itertools
import statistics
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

REFERENCE_FPS = 30.0  # the frame rate the periods are counted at
PACE_FRAMES = 16  # frames the source's rate is measured over


@dataclass
class Schedule:
    frame: int = 0  # the frame being analysed (analyser count, from 1)
    last_run: dict[str, int] = field(default_factory=dict)  # stage -> frame it last ran on
    busy_frame: int = -1  # the last frame that carried a periodic stage
    stretch: int = 1  # periods are this many times longer (a source faster than 30 fps)

    def due(self, key: str, every: int, *, taken: bool | None = None) -> bool:
        """Whether periodic stage ``key`` (every ``every`` frames) runs on this frame.

        ``taken``: whether another stage already has this frame (default: one that :meth:`ran`).
        Call :meth:`ran` when it runs."""
        every *= self.stretch
        last = self.last_run.get(key)
        if last is None:
            return True  # never measured: nothing to reuse
        age = self.frame - last
        if age < every:
            return False
        busy = self.busy_frame == self.frame if taken is None else taken
        return not busy or age >= 2 * every

    def ran(self, key: str) -> None:
        self.last_run[key] = self.frame
        self.busy_frame = self.frame

    def plan(self, stages: Iterable[tuple[str, int]]) -> frozenset[str]:
        """The stages of ``stages`` (key, every; in priority order) due on this frame, decided
        before any runs: each one planned takes the frame from those after it. Call :meth:`ran`
        for those that then really run."""
        taken = self.busy_frame == self.frame
        due = set()
        for key, every in stages:
            if self.due(key, every, taken=taken):
                due.add(key)
                taken = True
        return frozenset(due)


class Pace:
    """The pace of the analysed frames (their arrival times), as a period stretch: 1 up to
    ~52 fps, 2 at 60 fps (at most 4)."""

    def __init__(self) -> None:
        self._times: deque[float] = deque(maxlen=PACE_FRAMES)

    def stretch(self, timestamp: float) -> int:
        times = self._times
        if times and timestamp <= times[-1]:
            times.clear()  # another source, or a replay started again
        times.append(timestamp)
        if len(times) < PACE_FRAMES:
            return 1
        # The median gap: a pause (a dropped frame, a busy moment) is not the source's pace.
        gap = statistics.median(b - a for a, b in itertools.pairwise(times))
        rate = 1.0 / gap if gap > 0 else REFERENCE_FPS
        return max(1, min(4, int(rate / REFERENCE_FPS + 0.25)))
