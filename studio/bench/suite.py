"""The measurements of ``studio bench``. Each returns plain dicts of figures; nothing asserts.

- :func:`per_frame`: bare baseline (decode + face mesh) and the full analysis, same frames
  (its throughput with the first stage ahead, and each frame's latency).
- :func:`pipeline`: replay → vision loop: throughput flat out, and analysed fraction, latency
  and lag at 30 and 60 fps real-time replay.
- :func:`memory`: RSS and RSS growth of the real pipeline over N frames (subprocess).
- :func:`stills`: ``studio check`` on 24 MP JPEGs, one process and all cores.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from studio.bench.frames import FrameSet, write_paced_recording
from studio.bench.interleave import frame_maker, throughput, time_interleaved
from studio.bench.stats import percentile, summary_ms

if TYPE_CHECKING:
    from studio.analysis import Analysis
    from studio.vision import Analyzer

log = logging.getLogger(__name__)



def per_frame(frames: FrameSet, preset: str) -> dict:
    """Median/p95 of the bare baseline and of the full analysis's latency on the same frames,
    and the full analysis's throughput (:mod:`studio.bench.interleave`)."""
    import mediapipe as mp

    from studio.vision import Analyzer

    mesh = mp.solutions.face_mesh.FaceMesh(static_image_mode=False, max_num_faces=1,
                                           refine_landmarks=True)
    analyser = Analyzer(preset, mode="live")
    try:
        makers = [frame_maker(data, frames.size) for data in frames.jpegs]
        timed = time_interleaved(makers, mesh, analyser)
        worker = analyser.model_worker
        if worker is not None:
            worker.wait_idle(5.0)
            worker_runs, worker_ms = worker.runs, worker.busy_ms
    finally:
        mesh.close()
        analyser.close()
    base, full, stages = summary_ms(timed.base_s), summary_ms(timed.full_s), timed.stages
    out = {
        "frames": frames.name,
        "baseline": base,
        "full": full,
        **throughput(timed, base, full),
        "stages": {k: summary_ms(v) for k, v in sorted(stages.items())},
    }
    if worker is not None:
        # Pose, person mask and detector run on the model worker thread, beside the frames
        # timed above (wall time of its jobs, the first one loading the models; on a busy
        # core it includes waiting at its lower priority).
        out["model_worker"] = {"runs": worker_runs, "ms_per_run": worker_ms / max(worker_runs, 1),
                               "ms_per_frame": worker_ms / max(len(frames.jpegs), 1)}
    return out


def _run_app(recording: Path, *, pace: str, loop: bool, preset: str, seconds: float) -> dict:
    """Replay ``recording`` into the real StudioApp for ``seconds``; collect loop figures."""
    from drivers.replay import open_source

    return run_app(open_source(recording, pace=pace, loop=loop), preset=preset, seconds=seconds)


def run_app(camera: Any, *, preset: str, seconds: float) -> dict:
    """The real StudioApp on ``camera`` (not yet opened) for ``seconds`` after its first
    analysis: frames analysed of those published, latency, lag."""
    from studio.app import StudioApp

    app = StudioApp(camera, preset=preset, source_name="bench")
    seen: list[tuple[int, float, int]] = []  # (frame seq, arrival->analysis s, lag in frames)
    first_analysed = threading.Event()

    def on_analysis(analysis: Analysis) -> None:
        seq = analysis.frame or 0
        seen.append((seq, time.monotonic() - analysis.timestamp, camera.frames.seq - seq))
        first_analysed.set()

    app.add_analysis_listener(on_analysis)
    app.start()
    try:
        first_analysed.wait(30)  # models load on the first frame: not part of the figures
        seq0, t0, cpu0 = camera.frames.seq, time.monotonic(), time.process_time()
        app.wait(seconds)
        seq1, elapsed, cpu = camera.frames.seq, time.monotonic() - t0, time.process_time() - cpu0
    finally:
        app.stop()
    # Frames published in the window, and which of them were analysed (counted by sequence
    # number, so a frame in flight at either edge is counted on both sides or on neither).
    window = [(lat, lag) for seq, lat, lag in seen if seq0 < seq <= seq1]
    analysed, published = len(window), seq1 - seq0
    return {
        "analysed": analysed,
        "published": published,
        "seconds": elapsed,
        "analysed_fps": analysed / elapsed if elapsed else 0.0,
        "analysed_fraction": analysed / published if published else 0.0,
        "latency": summary_ms([lat for lat, _ in window]),
        "max_lag_frames": max((lag for _, lag in window), default=0),
        "cores_used": cpu / elapsed if elapsed else 0.0,  # the process's CPU over wall time
    }


def pipeline(frames: FrameSet, preset: str, seconds: float, workdir: Path) -> dict:
    """Throughput flat out, and real-time replay at 30 and 60 fps."""
    out: dict = {"frames": frames.name}
    fast_rec = write_paced_recording(workdir / "fast.slv", frames, 30.0, len(frames.jpegs))
    out["fast"] = _run_app(fast_rec, pace="fast", loop=True, preset=preset, seconds=seconds)
    for fps in (30, 60):
        count = int(fps * (seconds + 8))  # enough for model start-up plus the measured span
        rec = write_paced_recording(workdir / f"paced{fps}.slv", frames, float(fps), count)
        out[f"paced_{fps}"] = _run_app(rec, pace="recorded", loop=False, preset=preset,
                                       seconds=seconds)
    return out


def memory(recording: Path, frames: int, preset: str) -> dict:
    """RSS of the real pipeline (replay flat out, looping) over ``frames`` analysed frames."""
    cmd = [sys.executable, "-m", "studio.bench.rss", str(recording), str(frames), preset]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"RSS probe failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


GRAIN_SIGMA = 7.0  # grey levels: sensor-like grain, so files are camera-sized (~6.4 MB, not ~1 MB)


def make_stills(folder: Path, sources: list[np.ndarray], count: int,
                size: tuple[int, int] = (6000, 4000)) -> list[Path]:
    """``count`` 24 MP JPEGs (6000×4000, quality 92) scaled up from ``sources``, with grain.

    An upscaled picture alone is far smoother than a camera's: it compresses to ~1 MB, and
    decoding it costs less than half of what a real 24 MP JPEG costs (the entropy decoding
    scales with the file size). The grain brings the files to ~6.4 MB (cameras write 6-12 MB).
    """
    folder.mkdir(parents=True, exist_ok=True)
    grain = np.random.default_rng(1).normal(0.0, GRAIN_SIGMA, (size[1], size[0], 3)).astype(np.int16)
    paths = []
    for i in range(count):
        src = sources[i % len(sources)]
        h, w = src.shape[:2]
        k = min(size[0] / w, size[1] / h)
        big = cv2.resize(src, (round(w * k), round(h * k)), interpolation=cv2.INTER_CUBIC)
        canvas = np.full((size[1], size[0], 3), 40, np.int16)
        y0, x0 = (size[1] - big.shape[0]) // 2, (size[0] - big.shape[1]) // 2
        canvas[y0:y0 + big.shape[0], x0:x0 + big.shape[1]] = big
        canvas += np.roll(grain, 97 * i, axis=1)  # not the same grain twice
        path = folder / f"still_{i:03d}.jpg"
        cv2.imwrite(str(path), np.clip(canvas, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 92])
        paths.append(path)
    return paths


STILLS_ROUNDS = 2  # interleaved: 1, N, N, 1 cores; machine load falls on both settings alike


def stills(folder: Path, preset: str, rounds: int = STILLS_ROUNDS) -> dict:
    """``studio check`` on a folder: one process, then all cores (worker start-up included),
    ``rounds`` interleaved rounds; the median of each setting's wall times."""
    count = len(list(folder.glob("*.jpg")))
    cores = os.cpu_count() or 1
    out: dict = {"images": count, "cores": cores, "rounds": rounds}
    runs: dict[str, list[dict]] = {"one_core": [], "all_cores": []}
    settings = [("one_core", 1), ("all_cores", cores)]
    for r in range(rounds):
        for label, jobs in settings if r % 2 == 0 else settings[::-1]:
            runs[label].append(_check_command(folder, preset, jobs))
    for label, done in runs.items():
        seconds = statistics.median(run["seconds"] for run in done)
        analysed = min(run["analysed"] for run in done)
        out[label] = {"seconds": seconds, "analysed": analysed,
                      "images_per_s": analysed / seconds if seconds else 0.0,
                      "exit": max(run["exit"] for run in done),
                      "runs_s": [run["seconds"] for run in done]}
    one = out["one_core"]["images_per_s"]
    out["scaling"] = out["all_cores"]["images_per_s"] / one if one else 0.0
    return out


def _check_command(folder: Path, preset: str, jobs: int) -> dict:
    cmd = [sys.executable, "-m", "studio.cli", "check", "--json", "--jobs", str(jobs),
           "--preset", preset, str(folder)]
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    elapsed = time.perf_counter() - t
    analysed = sum(1 for line in done.stdout.splitlines() if line.startswith("{"))
    return {"seconds": elapsed, "analysed": analysed, "exit": done.returncode}


_worker_analyser: Analyzer | None = None  # one per pool process, made by the initializer


def _pool_init(preset: str, warm: str) -> None:
    global _worker_analyser
    cv2.setNumThreads(1)  # as `studio check` workers: one core each
    from studio.heap import keep_decode_buffers

    keep_decode_buffers()  # as `studio check` workers (studio.heap)
    from studio.vision import Analyzer

    _worker_analyser = Analyzer(preset, mode="still")
    _worker_analyser.analyse_path(warm)  # models loaded before the clock starts


def _pool_analyse(path: str) -> tuple[float, float]:
    assert _worker_analyser is not None, "the pool initializer runs first"
    t, cpu = time.perf_counter(), time.process_time()
    _worker_analyser.analyse_path(path)
    return time.perf_counter() - t, time.process_time() - cpu


def stills_steady(folder: Path, preset: str, jobs: int) -> dict:
    """Steady-state throughput with ``jobs`` warm single-threaded worker processes (no
    start-up in the clock), as `studio check --jobs N` runs them."""
    import multiprocessing as mp

    paths = [str(p) for p in sorted(folder.glob("*.jpg"))]
    ctx = mp.get_context("spawn")  # MediaPipe graphs must not be forked
    with ctx.Pool(jobs, initializer=_pool_init, initargs=(preset, paths[0])) as pool:
        pool.map(_pool_analyse, paths[:jobs], chunksize=1)  # every worker has started and warmed up
        t = time.perf_counter()
        per_image = pool.map(_pool_analyse, paths, chunksize=1)
        elapsed = time.perf_counter() - t
    s = summary_ms([wall for wall, _ in per_image])
    s["cpu_ms_per_image"] = 1000.0 * sum(cpu for _, cpu in per_image) / len(per_image)
    s["images_per_s"] = len(paths) / elapsed
    s["jobs"] = jobs
    return s


def stills_in_process(folder: Path, preset: str) -> dict:
    """Per-image time of the still analysis itself (no process start-up, models warm), and,
    as the same-run reference, the same images decoded whole (``load_image`` +
    ``analyse_image``: the path before reduced-size decoding)."""
    from studio.vision import Analyzer, load_image

    paths = sorted(folder.glob("*.jpg"))
    times: list[float] = []
    whole: list[float] = []
    cpu: dict[str, list[float]] = {"reduced": [], "whole": []}  # CPU s: fair on a loaded machine
    stages: dict[str, list[float]] = {}
    with Analyzer(preset, mode="still") as analyser:
        analyser.analyse_path(paths[0])  # load the models
        for path in paths:  # the two paths interleaved, image by image
            t, c = time.perf_counter(), time.process_time()
            analysis = analyser.analyse_path(path)
            times.append(time.perf_counter() - t)
            cpu["reduced"].append(time.process_time() - c)
            for stage, ms in analysis.timings.items():
                stages.setdefault(stage, []).append(ms / 1000.0)
            t, c = time.perf_counter(), time.process_time()
            analyser.analyse_image(load_image(path), source=str(path))
            whole.append(time.perf_counter() - t)
            cpu["whole"].append(time.process_time() - c)
    s: dict[str, Any] = dict(summary_ms(times))
    s["images_per_s"] = 1000.0 / s["median_ms"]
    s["stages"] = {k: summary_ms(v) for k, v in sorted(stages.items())}
    s["whole_decode"] = summary_ms(whole)
    s["speedup_vs_whole_decode"] = s["whole_decode"]["median_ms"] / s["median_ms"]
    s["cpu_ms"] = {k: summary_ms(v) for k, v in cpu.items()}
    s["cpu_speedup_vs_whole_decode"] = s["cpu_ms"]["whole"]["median_ms"] / s["cpu_ms"]["reduced"]["median_ms"]
    return s


def temp_workdir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="studio-bench-")


__all__ = ["make_stills", "memory", "per_frame", "percentile", "pipeline", "stills",
           "stills_in_process", "temp_workdir"]
