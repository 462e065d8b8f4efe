"""Live view's first stage, one frame ahead of the checks, on a thread of its own.

A frame's analysis is two stages that depend on each other only one way: the frame reduced to
analysis size, made RGB and put through the frame-wide face mesh (:class:`MeshAhead`), then
everything else: faces followed, the checks, tracking and smoothing (the
:class:`~studio.vision.analyzer.Analyzer`). The vision loop (:class:`studio.loop.VisionLoop`,
``prepare=``) runs the first stage on its own thread, so that on two cores the mesh of frame
N+1 runs while the checks of frame N do: the face mesh releases the GIL (two meshes on two
threads: 1.93–1.98× the frames of one), and at 1920×1080 the two stages cost about the same.

The stage hands on a :class:`PreparedFrame`: the same :class:`~drivers.base.LiveFrame` with
that work done. The analyser uses it when it matches what it would have done itself (the same
analysis size), and otherwise analyses the frame as sent. The stage's face-mesh graph is its
own (MediaPipe graphs are thread-confined): built by the first :meth:`MeshAhead.prepare`, used
and closed (:meth:`MeshAhead.close`) on the stage's thread only; the hints
(:meth:`MeshAhead.follow`) come from the vision thread.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import cv2
import numpy as np

from drivers.base import LiveFrame
from studio.vision.image import ImageError
from studio.vision.landmarks import FaceGeometry
from studio.vision.live_input import LiveInput, live_input
from studio.vision.thresholds import Thresholds
from studio.vision.timing import Stopwatch

log = logging.getLogger(__name__)

# OpenCV's own worker threads while live view runs its two stages: none. The two stages, the
# model and scene workers already keep both cores busy; OpenCV's pool only competes with them
# (the 1080p bench line, three runs each, same session: 66-75 fps with one OpenCV thread,
# 60-65 with two). Process-wide: the shot worker's still checks in a session run on one
# OpenCV thread too, as `studio check`'s workers always do.
LIVE_OPENCV_THREADS = 1


def set_opencv_threads(count: int) -> int:
    """OpenCV's thread count (process-wide) set to ``count``; returns the one before."""
    before = cv2.getNumThreads()
    cv2.setNumThreads(count)
    return before


@dataclass(frozen=True, slots=True, kw_only=True)
class PreparedFrame(LiveFrame):
    """A live frame with the first stage done: reduced (``input``), RGB, and its frame-wide
    face mesh (``wide``; None when the analyser said it did not need it for this frame)."""

    input: LiveInput = field(compare=False)
    rgb: np.ndarray = field(compare=False)
    wide: tuple[FaceGeometry, ...] | None = field(compare=False)
    max_side: float  # the analysis size it was reduced for
    timings: Mapping[str, float] = field(compare=False)  # ms of this stage's parts


class MeshAhead:
    """The first stage. ``max_side`` and ``wide_wanted`` are the analyser's hints for the next
    frames, set from the vision thread after each frame (:meth:`follow`). A hint reaches the
    frame after the one being prepared as it is given: a stale analysis size makes the analyser
    redo the stage; the wide-mesh hint leads by that frame (``LiveFaces.wants_wide_mesh``)."""

    def __init__(self, max_side: float | None = None) -> None:
        self._first_side = float(max_side if max_side is not None else Thresholds().max_analysis_side)
        self.max_side = self._first_side
        self.wide_wanted = True
        self._models: Any = None  # studio.vision.models.Models, built on the stage's thread

    def follow(self, max_side: float, wide_wanted: bool) -> None:
        """The analyser's needs, from its thread (plain attribute writes: atomic in CPython)."""
        self.max_side = float(max_side)
        self.wide_wanted = wide_wanted

    def prepare(self, frame: LiveFrame) -> LiveFrame:
        """``frame`` with the first stage done; as it came when it cannot be read (the vision
        thread meets the error and counts it)."""
        watch = Stopwatch()
        max_side = self.max_side
        try:
            got = live_input(frame, max_side, watch)
        except ImageError as exc:
            log.debug("frame %d not prepared: %s", frame.seq, exc)
            return frame
        rgb = watch.timed("convert", lambda: cv2.cvtColor(got.image, cv2.COLOR_BGR2RGB))
        wide = None
        if self.wide_wanted:
            if self._models is None:
                from studio.vision.models import Models  # MediaPipe: loaded on this thread

                self._models = Models(live=True, max_faces=1)
            models = self._models
            wide = tuple(watch.timed("face_mesh", lambda: models.mesh(rgb)))
        return PreparedFrame(frame.jpeg, frame.seq, frame.timestamp, frame.size, frame.pixels,
                             input=got, rgb=rgb, wide=wide, max_side=max_side,
                             timings=MappingProxyType(dict(watch.timings)))

    def close(self) -> None:
        """Release the mesh graph (on the thread that used it); a next run starts afresh."""
        if self._models is not None:
            self._models.close()
            self._models = None
        self.max_side, self.wide_wanted = self._first_side, True
