"""Live view's mask checks (background, clothing, depth) on a background thread.

They read the person mask, which comes from the model worker every ``mask_every`` frames, and
cost more than the rest of a frame's checks together (~10 ms background, ~9 ms clothing, ~3 ms
depth at 960×540): judged on the vision thread they made every 15th frame the slowest. When a
new mask arrives, the tracker hands this worker the frame's context with that mask
(:class:`SceneJob`, through a :class:`~drivers.mailbox.Latest` mailbox: a newer job replaces
one not yet taken) and goes on showing the verdicts of the previous mask until the new ones
are published (:class:`SceneVerdicts`, with the mask's key and the preset generation they were
judged with). The very first mask of a subject is judged on the vision thread (nothing to show
meanwhile).

A job can also take slow measurements (``SceneJob.measures``, :data:`MEASURES`, published as
:class:`SceneMeasured`) for the tracker to carry; live view hands none over at present
(``tracker.OFFLOADED`` is empty: the glasses measure taken here, 1-2 frames later, made the
glasses and glare verdicts flip more often on a moving subject).

The checks are the same pure functions of a :class:`~studio.vision.context.FrameContext` that a
still runs; the worker gets a fresh context (its own memo) over a copy of the analysed image,
so nothing it touches is shared with the vision thread. It runs at the model worker's lower CPU
priority: where the two compete for a core, the frame in hand wins.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.context import FrameContext
from studio.vision.verdict import Verdict
from studio.vision.worker_thread import LatestWorker, lower_priority

log = logging.getLogger(__name__)

MaskKey = tuple[int, int]  # (epoch, frame) of the person mask


@dataclass(frozen=True)
class SceneJob:
    ctx: FrameContext  # the worker's own context: image copied, person mask in it
    check_ids: tuple[str, ...]  # mask checks to judge (none: a measurement only)
    key: MaskKey | None  # the mask's (None: no mask checks)
    generation: int  # the tracker's preset generation
    frame: int = 0  # the tracker's frame number
    measures: tuple[str, ...] = ()  # slow measurements to take (keys of MEASURES)
    epoch: int = 0  # the tracker's subject epoch


@dataclass(frozen=True)
class SceneVerdicts:
    verdicts: Mapping[str, Verdict]
    key: MaskKey
    generation: int
    ms: float  # time the checks took on the worker


@dataclass(frozen=True)
class SceneMeasured:
    """Slow measurements (``ctx.measure`` keys -> values) taken on one frame."""

    values: Mapping[str, Any]
    epoch: int
    generation: int
    frame: int


def _glasses(ctx: FrameContext) -> object:
    from studio.vision.checks.glasses import glasses_kind

    return glasses_kind(ctx)


MEASURES: Mapping[str, Callable[[FrameContext], object]] = MappingProxyType({"glasses": _glasses})


def scene_job(ctx: FrameContext, mask: np.ndarray | None, check_ids: tuple[str, ...], key: MaskKey | None,
              generation: int, *, frame: int = 0, measures: tuple[str, ...] = (), epoch: int = 0) -> SceneJob:
    """The job for ``ctx``'s frame: a context of its own over a copy of the analysed image (the
    caller's frame may be reused or drawn on) with ``mask`` as its person mask, everything due."""
    own = dataclasses.replace(ctx, image=np.array(ctx.image, copy=True), full_source=None, source_scale=1.0,
                              detail=None, pose_source=None, mask_source=lambda: mask, due=None,
                              carried=MappingProxyType({}))
    return SceneJob(own, check_ids, key, generation, frame, measures, epoch)


class SceneWorker(LatestWorker[SceneJob]):
    """One thread judging the mask checks of the newest job handed to it
    (:class:`~studio.vision.worker_thread.LatestWorker`)."""

    def __init__(self, name: str = "vision-scene") -> None:
        super().__init__(name)

    def latest(self) -> SceneVerdicts | None:
        """The newest mask verdicts published (None: none since the start or forget())."""
        found: SceneVerdicts | None = self._latest("mask")
        return found

    def latest_measured(self) -> SceneMeasured | None:
        """The newest slow measurements published."""
        found: SceneMeasured | None = self._latest("measured")
        return found

    def _run(self) -> None:
        lower_priority()
        self._serve(_work)


def _work(job: SceneJob) -> dict[str, object]:
    """What one job publishes. Verdicts of an earlier subject or preset are told apart by their
    key and generation (the tracker checks both), so a job that outlived forget() is harmless."""
    t = time.perf_counter()
    verdicts = judge(job)
    measured = measure(job)
    ms = (time.perf_counter() - t) * 1000.0
    found: dict[str, object] = {}
    if job.key is not None:
        found["mask"] = SceneVerdicts(verdicts, job.key, job.generation, ms)
    if measured:
        found["measured"] = SceneMeasured(measured, job.epoch, job.generation, job.frame)
    return found


class SceneDesk:
    """The live tracker's side of the scene worker: the newest mask verdicts it shows, the mask
    last handed over, the preset generation (verdicts judged with older thresholds are not
    used), and the frame of the last measurements taken in."""

    def __init__(self) -> None:
        self.worker = SceneWorker()
        self.verdicts: SceneVerdicts | None = None
        self.asked: MaskKey | None = None
        self.generation = 0
        self.measured_at = -(10**9)

    def forget_verdicts(self) -> None:
        self.verdicts, self.asked = None, None

    def restart(self) -> None:
        """A frame without a subject: the verdicts judged before it, and those of jobs still
        running, are not shown for whoever is judged next (a subject's first mask again: judged
        on the vision thread, on that frame's image)."""
        if self.verdicts is not None or self.asked is not None:
            self.generation += 1
            self.forget_verdicts()

    def held(self, ids: Sequence[str], mask_key: MaskKey | None, epoch: int) -> dict[str, Verdict]:
        """The mask checks' newest verdicts (the worker's, once published), shown on the frame
        instead of judging them there; none yet (a subject's first mask): {} (judged there)."""
        if mask_key is None:
            return {}
        newest = self.worker.latest()
        if (newest is not None and newest.verdicts and newest.key[0] == epoch
                and newest.generation == self.generation
                and (self.verdicts is None or newest.key[1] > self.verdicts.key[1])):
            self.verdicts = newest
        if self.verdicts is None or not all(c in self.verdicts.verdicts for c in ids):
            return {}
        return {c: self.verdicts.verdicts[c] for c in ids}

    def keep(self, judged: Mapping[str, Verdict], mask_key: MaskKey, held: bool) -> MaskKey | None:
        """After the checks of a frame with a subject and a mask: keep verdicts judged on the
        frame (``held`` False), or say the key of a newer mask for the worker (None: none)."""
        if not held:
            self.verdicts = SceneVerdicts(MappingProxyType(dict(judged)), mask_key, self.generation, 0.0)
            self.asked = mask_key
            return None
        if mask_key in (self.asked, self.verdicts.key if self.verdicts else None):
            return None
        return mask_key

    def hand_over(self, ctx: FrameContext, mask_key: MaskKey | None, ids: tuple[str, ...],
                  measures: tuple[str, ...], frame: int, epoch: int) -> None:
        """One job for the frame: a newer mask's checks and/or the measurements due."""
        if mask_key is None and not measures:
            return
        mask, checks = (ctx.person_mask, ids) if mask_key is not None else (None, ())
        self.worker.submit(scene_job(ctx, mask, checks, mask_key, self.generation,
                                     frame=frame, measures=measures, epoch=epoch))
        if mask_key is not None:
            self.asked = mask_key

    def take_measured(self, epoch: int, carried: dict[str, Any]) -> None:
        """The worker's newest measurements of this subject into ``carried``."""
        found = self.worker.latest_measured()
        if found is not None and found.epoch == epoch and found.frame > self.measured_at:
            carried.update(found.values)
            self.measured_at = found.frame

def judge(job: SceneJob) -> Mapping[str, Verdict]:
    """The job's checks on its context; one that fails says ``unknown`` (logged), the others
    stand (an old mask's verdict is not shown in its place)."""
    from studio.vision.checks import CHECKS

    verdicts: dict[str, Verdict] = {}
    for c in job.check_ids:
        try:
            verdicts[c] = CHECKS[c](job.ctx)
        except Exception:  # a failing check must never stop live view
            log.exception("%s check failed on mask %s", c, job.key)
            verdicts[c] = Verdict(CheckResult(c, Status.UNKNOWN, "Could not be judged on this frame"))
    return MappingProxyType(verdicts)


def measure(job: SceneJob) -> Mapping[str, Any]:
    """The job's slow measurements on its context ({} if one fails)."""
    try:
        for key in job.measures:
            MEASURES[key](job.ctx)
        return MappingProxyType({k: v for k, v in job.ctx.fresh_measurements.items() if k in job.measures})
    except Exception:  # a failing measurement must never stop live view
        log.exception("slow measurements failed on frame %d", job.frame)
        return MappingProxyType({})
