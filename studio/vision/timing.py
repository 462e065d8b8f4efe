"""Per-stage timings of one analysis ("decode", "face_mesh", "check:<id>", "total", … in ms)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Stopwatch:
    """Adds the time each stage takes to one frame's ``timings`` (a stage may run twice)."""

    def __init__(self, timings: dict[str, float] | None = None) -> None:
        self.timings: dict[str, float] = timings if timings is not None else {}

    def timed(self, stage: str, work: Callable[[], T]) -> T:
        start = time.perf_counter()
        out = work()
        self.add(stage, (time.perf_counter() - start) * 1000.0)
        return out

    def add(self, stage: str, ms: float) -> None:
        self.timings[stage] = self.timings.get(stage, 0.0) + ms
