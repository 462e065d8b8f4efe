"""When live view's periodic work runs: spread so that no frame carries two stages.

The detector retry (``wide_mesh``), the glasses measure and eye sharpness each run every N
frames; in between, their last result is reused. A stage that falls due on a frame another one
already took waits for the next free frame (for at most another N frames). (The mask checks are
not scheduled here: they run on the scene worker thread, :mod:`studio.vision.scene_worker`, when
a new mask arrives.) Owned by the live tracker; a still has no schedule (everything runs).

Periods are counted in frames at 30 fps. Frames analysed faster stretch them (``stretch``, set
by the tracker from the frames' arrival times, :class:`Pace`: 2 at 60 fps), so that each stage
runs about as often a second as at 30 fps: glasses, eye sharpness and the subject's pose change
at a person's pace, not the camera's. (The smoothing's frame counts are not stretched: at
60 fps a verdict holds 3 frames, 0.05 s, before it changes.)
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
    """The pace of the analysed frames (their arrival times), as a period stretch: 2 from
    ~52 fps (at most 4), back to 1 only below 45 fps, so that a rate near a step does not
    flip the periods from frame to frame."""

    def __init__(self) -> None:
        self._times: deque[float] = deque(maxlen=PACE_FRAMES)
        self._stretch = 1

    def stretch(self, timestamp: float) -> int:
        times = self._times
        if times and timestamp <= times[-1]:
            times.clear()  # another source, or a replay started again
            self._stretch = 1
        times.append(timestamp)
        if len(times) < PACE_FRAMES:
            return self._stretch
        # The median gap: a pause (a dropped frame, a busy moment) is not the source's pace.
        gap = statistics.median(b - a for a, b in itertools.pairwise(times))
        steps = (1.0 / gap if gap > 0 else REFERENCE_FPS) / REFERENCE_FPS
        up, down = int(steps + 0.25), int(steps + 0.5)
        if up > self._stretch:
            self._stretch = min(4, up)
        elif down < self._stretch:
            self._stretch = max(1, down)
        return self._stretch
