"""The slow models of live view (pose, person mask, face detector) on one background thread.

Live view never waits for them: pose costs ~20 ms, the person mask and the full-range face
detector ~6 ms each, as much as the whole rest of a frame's analysis. The vision thread hands a
frame to this worker through a one-slot mailbox (a newer frame replaces one not yet taken:
dropped, never queued) and goes on with the newest *finished* result, which carries the number
of the frame it was measured on. Framing joints, the background, clothing and the number of
faces change slowly, so a result a few frames old is as good as a fresh one. (While no face is
seen, the analyser runs the detector itself: it needs the answer on that frame, and a frame
without a face is light anyway.)

The worker owns its own MediaPipe graphs (graphs are confined to the thread that runs them).
It runs at a lower CPU priority than the vision thread (Linux thread nice value, inherited by the
graphs' own threads): where the two compete for a core, the frame in hand wins.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

log = logging.getLogger(__name__)

MASK_WIDTH = 256  # selfie segmentation works at 256 px: a larger input only costs the resize
NICE = 5  # the worker's priority below the vision thread (Linux nice increment: ~1/3 of its CPU share)


@dataclass(frozen=True)
class Job:
    rgb: np.ndarray  # the analysed frame (RGB); the analyser never writes to it after hand-over
    frame: int  # analyser frame number
    epoch: int  # analyser epoch: changes on reset() and preset changes
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


class ModelWorker:
    """One thread running pose, the person mask and the detector on the newest frame handed to it."""

    def __init__(self, name: str = "vision-models") -> None:
        self._name = name
        self._cond = threading.Condition()
        self._job: Job | None = None
        self._busy = False
        self._closed = False
        self._thread: threading.Thread | None = None
        self._latest: dict[str, Measured] = {}
        self.runs = 0  # jobs finished
        self.replaced = 0  # jobs overwritten in the mailbox before the worker took them
        self.busy_ms = 0.0  # time spent on jobs, in total

    def submit(self, job: Job) -> None:
        """Hand over a frame; never blocks. A job still waiting in the mailbox is replaced."""
        with self._cond:
            if self._closed:
                return
            if self._job is not None:
                self.replaced += 1
            self._job = job
            self._cond.notify_all()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    @property
    def busy(self) -> bool:
        """A job is waiting or running."""
        with self._cond:
            return self._busy or self._job is not None

    def latest(self, kind: str) -> Measured | None:
        """The newest finished ``"pose"``, ``"mask"`` or ``"detect"`` result, or None."""
        with self._cond:
            return self._latest.get(kind)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no job is waiting or running (tests, benchmarks); True if idle."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._busy and self._job is None, timeout)

    def forget(self) -> None:
        """Drop finished results and a waiting job (the subject or the set-up changed)."""
        with self._cond:
            self._latest.clear()
            self._job = None

    def close(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._closed = True
            self._job = None
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("model worker did not stop within %.1f s", timeout)
        with self._cond:
            self._latest.clear()

    def _run(self) -> None:
        from studio.vision.models import Models  # MediaPipe loads on this thread

        _lower_priority()
        models = Models(live=True, max_faces=1)
        try:
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: self._job is not None or self._closed)
                    if self._closed:
                        return
                    job, self._job = self._job, None
                    self._busy = True
                found: dict[str, Measured] = {}
                t = time.perf_counter()
                try:
                    h, w = job.rgb.shape[:2]
                    if job.pose:
                        found["pose"] = Measured(models.pose(job.rgb), job.frame, job.epoch, (w, h))
                    if job.mask:
                        small = _small_rgb(job.rgb, MASK_WIDTH)
                        found["mask"] = Measured(models.person_mask(small), job.frame, job.epoch, (w, h))
                    if job.detect:
                        found["detect"] = Measured(
                            models.detect(job.rgb, job.min_score), job.frame, job.epoch, (w, h)
                        )
                except Exception:  # a failed slow model must never stop live view
                    log.exception("slow models failed on frame %d", job.frame)
                with self._cond:
                    self._busy = False
                    if not self._closed:
                        self._latest.update(found)
                    self.runs += 1
                    self.busy_ms += (time.perf_counter() - t) * 1000.0
                    self._cond.notify_all()
        finally:
            models.close()


def _lower_priority() -> None:
    """Nice this thread only (on Linux a thread's nice value is its own; threads it starts
    inherit it). Elsewhere, or if refused, the worker runs at normal priority."""
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + NICE)
    except (AttributeError, OSError) as exc:
        log.debug("model worker keeps normal priority: %s", exc)


def _small_rgb(rgb: np.ndarray, width: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    if w <= width:
        return rgb
    return cv2.resize(rgb, (width, max(1, round(h * width / w))), interpolation=cv2.INTER_AREA)
