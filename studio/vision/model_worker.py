"""The slow models of live view (pose, person mask, face detector) on one background thread.

Live view never waits for them: pose costs ~20 ms, the person mask and the full-range face
detector ~6 ms each, as much as the whole rest of a frame's analysis. The vision thread hands a
frame to this worker through a :class:`~drivers.mailbox.Latest` mailbox (a newer frame replaces
one not yet taken: dropped, never queued) and goes on with the newest *finished* result, which
carries the number of the frame it was measured on. Framing joints, the background, clothing and the number of
faces change slowly, so a result a few frames old is as good as a fresh one. (While no face is
seen, the analyser runs the detector itself: it needs the answer on that frame, and a frame
without a face is light anyway.)

The worker owns its own MediaPipe graphs (graphs are confined to the thread that runs them).
It runs at a lower CPU priority than the vision thread (Linux thread nice value, inherited by the
graphs' own threads): where the two compete for a core, the frame in hand wins.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from studio.vision.worker_thread import LatestWorker, lower_priority

if TYPE_CHECKING:
    from studio.vision.models import Models

log = logging.getLogger(__name__)

MASK_WIDTH = 256  # selfie segmentation works at 256 px: a larger input only costs the resize


@dataclass(frozen=True)
class Job:
    rgb: np.ndarray  # the analysed frame (RGB); the analyser never writes to it after hand-over
    frame: int  # analyser frame number
    epoch: int  # analyser epoch: changes on reset() (a new subject)
    pose: bool
    mask: bool
    detect: bool = False
    min_score: float = 0.5  # detector threshold


@dataclass(frozen=True)
class Measured:
    """One finished result (a pose, a person mask, detections) and where it comes from."""

    value: Any  # pose (33, 4) or None (no person); mask (h, w) float; list of Detection
    frame: int
    epoch: int
    size: tuple[int, int]  # (w, h) of the frame it was measured on


class ModelWorker(LatestWorker[Job]):
    """One thread running pose, the person mask and the detector on the newest frame handed to
    it (:class:`~studio.vision.worker_thread.LatestWorker`: the newest job in, the newest
    result of each kind out)."""

    def __init__(self, name: str = "vision-models") -> None:
        super().__init__(name)

    def latest(self, kind: str) -> Measured | None:
        """The newest finished ``"pose"``, ``"mask"`` or ``"detect"`` result, or None."""
        found: Measured | None = self._latest(kind)
        return found

    def _run(self) -> None:
        from studio.vision.models import Models  # MediaPipe loads on this thread

        lower_priority()
        models = Models(live=True, max_faces=1)
        try:
            try:
                models.warm()
            except Exception:  # they load on first use instead: live view goes on either way
                log.exception("slow models could not be built ahead")
            self._serve(lambda job: _run_job(models, job))
        finally:
            models.close()


def _run_job(models: Models, job: Job) -> dict[str, Measured]:
    found: dict[str, Measured] = {}
    h, w = job.rgb.shape[:2]
    try:
        if job.pose:
            found["pose"] = Measured(models.pose(job.rgb), job.frame, job.epoch, (w, h))
        if job.mask:
            small = small_rgb(job.rgb, MASK_WIDTH)
            found["mask"] = Measured(models.person_mask(small), job.frame, job.epoch, (w, h))
        if job.detect:
            found["detect"] = Measured(models.detect(job.rgb, job.min_score), job.frame, job.epoch, (w, h))
    except Exception:  # a failed slow model must never stop live view
        log.exception("slow models failed on frame %d", job.frame)
    return found


def small_rgb(rgb: np.ndarray, width: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    if w <= width:
        return rgb
    return cv2.resize(rgb, (width, max(1, round(h * width / w))), interpolation=cv2.INTER_AREA)
