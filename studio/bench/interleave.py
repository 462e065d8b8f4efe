"""Timing the bare face mesh and the full analysis on the same frames, alternating by block.

Both the per-frame line (``suite.per_frame``) and the 1080p line (``hd.per_frame_hd``) time the
same way: blocks of :data:`BLOCK` frames, first through the bare mesh, then through the analyser,
so that machine noise falls on both sides alike; the first :data:`WARMUP_FRAMES` of each side
(model loading, tracker start-up) are left out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from drivers.base import LiveFrame

WARMUP_FRAMES = 15  # model loading and tracker start-up are not steady state
BLOCK = 20


@dataclass
class Timings:
    base_s: list[float] = field(default_factory=list)
    full_s: list[float] = field(default_factory=list)
    stages: dict[str, list[float]] = field(default_factory=dict)


def frame_maker(jpeg: bytes, size: tuple[int, int],
                pixels: np.ndarray | None = None) -> Callable[[int], LiveFrame]:
    """A maker of the same frame with a fresh sequence number and time (the tracker sees a stream)."""
    return lambda seq: LiveFrame(jpeg, seq, time.monotonic(), size, pixels=pixels)


def bare_mesh(frame: LiveFrame, mesh: Any) -> None:
    """The baseline: decode (unless raw) and the face mesh alone."""
    image = frame.pixels if frame.pixels is not None else cv2.imdecode(
        np.frombuffer(frame.jpeg, np.uint8), cv2.IMREAD_COLOR)
    mesh.process(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))


def time_interleaved(makers: list[Callable[[int], LiveFrame]], mesh: Any, analyser: Any) -> Timings:
    """Each frame (``makers[i](seq)``) through ``bare_mesh`` and ``analyser.analyse_frame``."""
    out = Timings()
    for start in range(0, len(makers), BLOCK):
        chunk = makers[start:start + BLOCK]
        for i, make in enumerate(chunk):
            frame = make(start + i + 1)
            t = time.perf_counter()
            bare_mesh(frame, mesh)
            if start + i >= WARMUP_FRAMES:
                out.base_s.append(time.perf_counter() - t)
        for i, make in enumerate(chunk):
            frame = make(start + i + 1)
            t = time.perf_counter()
            analysis = analyser.analyse_frame(frame, "bench")
            if start + i >= WARMUP_FRAMES:
                out.full_s.append(time.perf_counter() - t)
                for stage, ms in analysis.timings.items():
                    out.stages.setdefault(stage, []).append(ms / 1000.0)
    return out
