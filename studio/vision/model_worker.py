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
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from drivers.mailbox import Latest

if TYPE_CHECKING:
    from studio.vision.models import Models

log = logging.getLogger(__name__)

MASK_WIDTH = 256  # selfie segmentation works at 256 px: a larger input only costs the resize
NICE = 5  # the worker's priority below the vision thread (Linux nice increment: ~1/3 of its CPU share)


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


Results = Mapping[str, Measured]  # kind ("pose", "mask", "detect") -> newest finished result
NO_RESULTS: Results = MappingProxyType({})


class ModelWorker:
    """One thread running pose, the person mask and the detector on the newest frame handed to it.

    Both hand-overs are :class:`drivers.mailbox.Latest` mailboxes: jobs in (a newer job replaces
    one not yet taken), and the newest finished results out, published as one immutable map.
    """

    def __init__(self, name: str = "vision-models") -> None:
        self._name = name
        self._jobs: Latest[Job] = Latest()
        self._results: Latest[Results] = Latest()
        self._results.put(NO_RESULTS)
        self._lock = threading.Lock()  # the counters and flags below
        self._taken = 0  # sequence number of the last job taken (or dropped by forget)
        self._running = False
        self._closed = False
        self._thread: threading.Thread | None = None
        self.runs = 0  # jobs finished
        self.replaced = 0  # jobs overwritten in the mailbox before the worker took them
        self.busy_ms = 0.0  # time spent on jobs, in total

    def submit(self, job: Job) -> None:
        """Hand over a frame; never blocks. A job still waiting in the mailbox is replaced."""
        with self._lock:
            if self._closed:
                return
            if self._jobs.seq > self._taken:
                self.replaced += 1
            self._jobs.put(job)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    @property
    def busy(self) -> bool:
        """A job is waiting or running."""
        with self._lock:
            return self._running or self._jobs.seq > self._taken

    def latest(self, kind: str) -> Measured | None:
        """The newest finished ``"pose"``, ``"mask"`` or ``"detect"`` result, or None."""
        results = self._results.latest()
        return results.get(kind) if results is not None else None

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no job is waiting or running (tests, benchmarks); True if idle."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            seen = self._results.seq  # read before the check: a job ending after it wakes us
            if not self.busy:
                return True
            left = None if deadline is None else deadline - time.monotonic()
            if (left is not None and left <= 0) or self._results.closed:
                return False
            self._results.wait(seen, left)

    def forget(self) -> None:
        """Drop finished results and a waiting job (the subject or the set-up changed)."""
        with self._lock:
            self._taken = self._jobs.seq
            self._results.put(NO_RESULTS)

    def close(self, timeout: float = 5.0) -> None:
        with self._lock:
            self._closed = True
            self._taken = self._jobs.seq
            thread = self._thread
        self._jobs.close()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("model worker did not stop within %.1f s", timeout)
        self._results.put(NO_RESULTS)
        self._results.close()

    def _run(self) -> None:
        from studio.vision.models import Models  # MediaPipe loads on this thread

        _lower_priority()
        models = Models(live=True, max_faces=1)
        try:
            try:
                models.warm()
            except Exception:  # they load on first use instead: live view goes on either way
                log.exception("slow models could not be built ahead")
            while (job := self._take()) is not None:
                t = time.perf_counter()
                found = _run_job(models, job)
                with self._lock:
                    self._running = False
                    self.runs += 1
                    self.busy_ms += (time.perf_counter() - t) * 1000.0
                    newest = self._results.latest() or NO_RESULTS
                    # Published even when nothing was found: it wakes wait_idle().
                    self._results.put(NO_RESULTS if self._closed else MappingProxyType({**newest, **found}))
        finally:
            models.close()

    def _take(self) -> Job | None:
        """The next job to run, waiting for one; None once closed."""
        while True:
            with self._lock:
                after = self._taken
            got = self._jobs.wait(after)
            with self._lock:
                if self._closed:
                    return None
                if got is None or got[0] <= self._taken:
                    continue  # dropped by forget() while we waited
                self._taken, self._running = got[0], True
                return got[1]


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


def _lower_priority() -> None:
    """Nice this thread only (on Linux a thread's nice value is its own; threads it starts
    inherit it). Elsewhere, or if refused, the worker runs at normal priority."""
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + NICE)
    except (AttributeError, OSError) as exc:
        log.debug("model worker keeps normal priority: %s", exc)


def small_rgb(rgb: np.ndarray, width: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    if w <= width:
        return rgb
    return cv2.resize(rgb, (width, max(1, round(h * width / w))), interpolation=cv2.INTER_AREA)
