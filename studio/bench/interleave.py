"""Timing the bare face mesh and the full analysis on the same frames, alternating by block.

Both the per-frame line (``suite.per_frame``) and the 1080p line (``hd.per_frame_hd``) time the
same way: blocks of :data:`BLOCK` frames, first through the bare mesh, then through the analyser,
so that machine noise falls on both sides alike; the first :data:`WARMUP_FRAMES` of each side
(model loading, tracker start-up) are left out.

The analyser runs as live view runs it (:mod:`studio.vision.ahead`): the first stage (reduce,
RGB, face mesh) on a thread of its own, one frame ahead of the checks on this one, handing each
frame on, and preparing the next once the analyser has taken it (as the vision loop does: it
waits rather than drops, so every frame is analysed). Per frame: its latency (made →
analysed, both stages and the wait between them); per block: its frames after the first over
the time from its first frame analysed to its last (the pipeline's fill at each block's start
left out: in live view it runs on). Throughput = the median block's rate (steady state); all
blocks together and the slowest one are reported beside it.

The frames carry the arrival times of a :data:`NOMINAL_FPS` source, not the times they were
made: the periodic work's stretch (:class:`studio.vision.schedule.Pace`) is then that of a
60 fps camera or card, whatever speed the analysis itself reaches.
"""

from __future__ import annotations

import contextlib
import queue
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from drivers.base import LiveFrame
from studio.vision.ahead import LIVE_OPENCV_THREADS, set_opencv_threads

WARMUP_FRAMES = 15  # model loading and tracker start-up are not steady state
BLOCK = 20
NOMINAL_FPS = 60.0  # the frames' arrival times: a 60 fps source


@dataclass(frozen=True)
class Block:
    """One block through the analyser: frames analysed after its first one (``intervals``) in
    ``span`` s, from its first frame analysed to its last (the pipeline's fill left out: live
    view's runs on); ``wall`` and ``cpu``: the whole block's wall and process CPU time."""

    intervals: int
    span: float
    wall: float
    cpu: float


@dataclass
class Timings:
    base_s: list[float] = field(default_factory=list)
    full_s: list[float] = field(default_factory=list)  # per-frame latency, both stages
    stages: dict[str, list[float]] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def _rates(self) -> list[float]:
        return [b.intervals / b.span for b in self.blocks if b.span > 0]

    @property
    def throughput_fps(self) -> float:
        """The median block's frames per second: steady state (a subject's first person mask,
        judged on the vision thread once, ~0.2 s, falls in one block)."""
        rates = self._rates()
        return statistics.median(rates) if rates else float("nan")

    @property
    def overall_fps(self) -> float:
        """Frames per second over all measured blocks, one-off costs included."""
        n, span = sum(b.intervals for b in self.blocks), sum(b.span for b in self.blocks)
        return n / span if span > 0 else float("nan")

    @property
    def slowest_block_fps(self) -> float:
        rates = self._rates()
        return min(rates) if rates else float("nan")

    @property
    def cores_used(self) -> float:
        """The process's CPU time over the wall time of the measured blocks (all threads)."""
        wall, cpu = sum(b.wall for b in self.blocks), sum(b.cpu for b in self.blocks)
        return cpu / wall if wall > 0 else float("nan")


def frame_maker(jpeg: bytes, size: tuple[int, int],
                pixels: np.ndarray | None = None) -> Callable[[int], LiveFrame]:
    """A maker of the same frame with a fresh sequence number and a 60 fps source's arrival
    time (the tracker sees a stream)."""
    return lambda seq: LiveFrame(jpeg, seq, seq / NOMINAL_FPS, size, pixels=pixels)


def bare_mesh(frame: LiveFrame, mesh: Any) -> None:
    """The baseline: decode (unless raw) and the face mesh alone."""
    image = frame.pixels if frame.pixels is not None else cv2.imdecode(
        np.frombuffer(frame.jpeg, np.uint8), cv2.IMREAD_COLOR)
    mesh.process(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))


def time_interleaved(makers: list[Callable[[int], LiveFrame]], mesh: Any, analyser: Any) -> Timings:
    """Each frame (``makers[i](seq)``) through ``bare_mesh`` and through the analyser
    (``analyse_frame``) with its first stage ahead."""
    with _Ahead() as ahead:
        return _time_blocks(makers, mesh, analyser, ahead)


def _time_blocks(makers: list[Callable[[int], LiveFrame]], mesh: Any, analyser: Any,
                 ahead: _Ahead) -> Timings:
    out = Timings()
    for start in range(0, len(makers), BLOCK):
        chunk = makers[start:start + BLOCK]
        for i, make in enumerate(chunk):
            frame = make(start + i + 1)
            t = time.perf_counter()
            bare_mesh(frame, mesh)
            if start + i >= WARMUP_FRAMES:
                out.base_s.append(time.perf_counter() - t)
        opencv = set_opencv_threads(LIVE_OPENCV_THREADS)  # as the app runs live view
        t, cpu = time.perf_counter(), time.process_time()
        ahead.feed(chunk, start + 1)
        first = done = 0.0
        for i in range(len(chunk)):
            frame, made = ahead.take()
            analysis = analyser.analyse_frame(frame, "bench")
            ahead.stage.follow(*analyser.ahead_hints())
            done = time.perf_counter()
            first = first or done
            if start + i >= WARMUP_FRAMES:
                out.full_s.append(time.perf_counter() - made)
                for stage, ms in analysis.timings.items():
                    out.stages.setdefault(stage, []).append(ms / 1000.0)
        if start >= WARMUP_FRAMES and len(chunk) > 1:
            out.blocks.append(Block(len(chunk) - 1, done - first, time.perf_counter() - t,
                                    time.process_time() - cpu))
        set_opencv_threads(opencv)  # the bare mesh as it always ran
    return out


def throughput(timed: Timings, base: dict[str, float], full: dict[str, float]) -> dict[str, float]:
    """The figures of a line: ``full_fps`` (throughput: the median block's), ``ratio`` (wall time
    per analysed frame, 1000 / ``full_fps``, over the bare mesh's median), ``overall_fps`` and
    ``slowest_block_fps`` (all blocks together; the slowest one), ``latency_ratio`` (one frame's
    latency over the bare mesh's median), ``cores_used`` (CPU over wall time while the analyser
    ran)."""
    fps = timed.throughput_fps
    return {"full_fps": fps, "ratio": 1000.0 / fps / base["median_ms"],
            "overall_fps": timed.overall_fps, "slowest_block_fps": timed.slowest_block_fps,
            "latency_ratio": full["median_ms"] / base["median_ms"],
            "p95_to_median": full["p95_ms"] / full["median_ms"], "cores_used": timed.cores_used}


class _Ahead:
    """The first stage's thread for the whole run (its mesh graph stays on one thread)."""

    def __init__(self) -> None:
        from studio.vision.ahead import MeshAhead

        self.stage = MeshAhead()
        self._blocks: queue.Queue[tuple[list[Callable[[int], LiveFrame]], int] | None] = queue.Queue()
        self._out: queue.Queue[tuple[LiveFrame, float] | BaseException] = queue.Queue(maxsize=1)
        self._thread = threading.Thread(target=self._run, name="bench-ahead", daemon=True)
        self._thread.start()

    def feed(self, makers: list[Callable[[int], LiveFrame]], first_seq: int) -> None:
        self._blocks.put((makers, first_seq))

    def take(self) -> tuple[LiveFrame, float]:
        """The next prepared frame and when it was made (``perf_counter``)."""
        got = self._out.get()
        self._out.task_done()  # the stage may prepare the next one
        if isinstance(got, BaseException):
            raise got
        return got

    def _run(self) -> None:
        try:
            while (block := self._blocks.get()) is not None:
                makers, seq = block
                for i, make in enumerate(makers):
                    made = time.perf_counter()
                    self._out.put((self.stage.prepare(make(seq + i)), made))
                    self._out.join()  # taken: prepare the next (the vision loop's policy)
        except BaseException as exc:  # handed to the timing thread, which raises it
            self._out.put(exc)
        finally:
            self.stage.close()

    def __enter__(self) -> _Ahead:
        return self

    def __exit__(self, *exc: object) -> None:
        self._blocks.put(None)
        deadline = time.monotonic() + 30.0
        while self._thread.is_alive() and time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):  # a frame left over (the timing side
                self._out.get(timeout=0.1)  # raised) must not block the thread
                self._out.task_done()
