#!/usr/bin/env python3
"""Per-stage time of the per-frame analysis on 1024×680 live-view frames, on one core.

Pose, the person mask and the face detector run on the analyser's model worker thread (pinned to
the same core here, at a lower priority): its time is reported per frame beside the stages.

Frames come from the fixture video (../shared/fixtures/liveview), scaled to 1024×680 and
encoded as camera-like JPEGs. The baseline is the bare face mesh (tracking mode, iris refined)
on the same decoded frames, measured in the same run, interleaved with the full analysis so
that machine load affects both alike. Also measures verdict flips per second on a still subject
(one frame repeated with fresh sensor noise and JPEG re-encoding), with and without smoothing.

    .venv/bin/python benchmarks/bench_checks.py [--frames 300] [--preset commercial-headshot] [--cpu 0]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("GLOG_minloglevel", "2")
import mediapipe as mp  # noqa: E402

from drivers.base import LiveFrame  # noqa: E402
from studio.vision import Analyzer, decode_jpeg  # noqa: E402
from studio.vision.presets import load_preset  # noqa: E402

VIDEO = ROOT.parent / "shared" / "fixtures" / "liveview" / "stage_singer_640x360_30fps.mp4"
SIZE = (1024, 680)


def video_frames(limit: int) -> list[bytes]:
    cap = cv2.VideoCapture(str(VIDEO))
    out: list[bytes] = []
    while len(out) < limit:
        ok, frame = cap.read()
        if not ok:
            if not out:
                break
            cap.set(cv2.CAP_PROP_POS_FRAMES, 0)  # loop the clip
            continue
        h, w = frame.shape[:2]
        k = max(SIZE[0] / w, SIZE[1] / h)
        frame = cv2.resize(frame, (round(w * k), round(h * k)), interpolation=cv2.INTER_CUBIC)
        y0, x0 = (frame.shape[0] - SIZE[1]) // 2, (frame.shape[1] - SIZE[0]) // 2
        frame = frame[y0 : y0 + SIZE[1], x0 : x0 + SIZE[0]]
        out.append(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes())
    cap.release()
    return out


def still_subject(jpeg: bytes, n: int, seed: int = 1) -> list[bytes]:
    """One frame repeated with new sensor noise each time, as a camera sees a still sitter."""
    base = decode_jpeg(jpeg).astype(np.float32)
    rng = np.random.default_rng(seed)
    out: list[bytes] = []
    for _ in range(n):
        noisy = np.clip(base + rng.normal(0, 2.5, base.shape), 0, 255).astype(np.uint8)
        out.append(cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes())
    return out


def stats(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return statistics.median(values), p95


def flips_per_second(
    analyzer: Analyzer, frames: list[bytes], fps: float = 30.0
) -> tuple[float, dict[str, int]]:
    analyzer.reset()
    previous: dict[str, object] | None = None
    per_check: dict[str, int] = {}
    for i, jpeg in enumerate(frames):
        a = analyzer.analyse_frame(LiveFrame(jpeg, i + 1, i / fps, SIZE))
        now: dict[str, object] = {c.id: c.status for c in a.checks}
        now["ready"] = a.ready
        if previous is not None:
            for key, value in now.items():
                if previous.get(key) != value:
                    per_check[key] = per_check.get(key, 0) + 1
        previous = now
    seconds = len(frames) / fps
    return sum(per_check.values()) / seconds, per_check


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--preset", default="commercial-headshot")
    ap.add_argument("--cpu", type=int, default=0, help="pin to this core (-1: do not pin)")
    args = ap.parse_args(argv)
    if not VIDEO.is_file():
        print(f"fixture video not found: {VIDEO}", file=sys.stderr)
        return 2
    if args.cpu >= 0 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})  # MediaPipe's threads inherit it: one core in all
    frames = video_frames(args.frames)
    print(
        f"{len(frames)} frames {SIZE[0]}×{SIZE[1]}, preset {args.preset}, "
        f"{'pinned to core ' + str(args.cpu) if args.cpu >= 0 else 'not pinned'}; "
        f"load {os.getloadavg()[0]:.1f}"
    )

    analyzer = Analyzer(args.preset, mode="live")
    mesh = mp.solutions.face_mesh.FaceMesh(
        static_image_mode=False,
        max_num_faces=1,
        refine_landmarks=True,
        min_detection_confidence=0.5,
        min_tracking_confidence=0.5,
    )
    # Warm up both (graph start, first detections).
    for i, jpeg in enumerate(frames[:20]):
        analyzer.analyse_frame(LiveFrame(jpeg, i + 1, i / 30, SIZE))
        mesh.process(cv2.cvtColor(decode_jpeg(jpeg), cv2.COLOR_BGR2RGB))
    analyzer.reset()

    stages: dict[str, list[float]] = {}
    full: list[float] = []
    bare: list[float] = []
    worker = analyzer.model_worker
    assert worker is not None, "a live analyser has a model worker"
    worker.wait_idle(10)
    runs0, busy0 = worker.runs, worker.busy_ms
    for i, jpeg in enumerate(frames):
        t0 = time.perf_counter()
        analysis = analyzer.analyse_frame(LiveFrame(jpeg, i + 1, i / 30, SIZE))
        full.append((time.perf_counter() - t0) * 1000)
        for stage, ms in analysis.timings.items():
            stages.setdefault(stage, []).append(ms)
        t0 = time.perf_counter()
        rgb = cv2.cvtColor(decode_jpeg(jpeg), cv2.COLOR_BGR2RGB)
        mesh.process(rgb)
        bare.append((time.perf_counter() - t0) * 1000)
    mesh.close()
    worker.wait_idle(10)
    runs, busy = worker.runs - runs0, worker.busy_ms - busy0

    n = len(frames)
    print()
    print(f"{'stage':<22}{'runs':>6}{'median ms':>11}{'p95 ms':>9}{'mean/frame':>12}")
    for stage, values in sorted(stages.items(), key=lambda kv: -sum(kv[1])):
        med, p95 = stats(values)
        print(f"{stage:<22}{len(values):>6}{med:>11.2f}{p95:>9.2f}{sum(values) / n:>12.2f}")
    f_med, f_p95 = stats(full)
    b_med, b_p95 = stats(bare)
    print()
    print(
        f"full analysis (decode + all)   median {f_med:6.2f} ms  p95 {f_p95:6.2f} ms"
        f"  -> {1000 / f_med:5.1f} fps"
    )
    print(
        f"bare face mesh (decode + mesh) median {b_med:6.2f} ms  p95 {b_p95:6.2f} ms"
        f"  -> {1000 / b_med:5.1f} fps"
    )
    print(f"ratio full / bare: median {f_med / b_med:.2f}, p95 {f_p95 / b_p95:.2f}")
    print(
        f"model worker (pose, person mask, detector; own thread, lower priority): {runs} runs, "
        f"{busy / max(runs, 1):.1f} ms each (wall: preempted by the frames on a shared core)"
    )
    print(f"target: full ≤ 10 ms median -> {'met' if f_med <= 10 else 'NOT met'}")

    # Stability on a still subject: the frame of the clip where the face mesh sees the largest face.
    probe = mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=1, refine_landmarks=True)
    best, best_width = frames[0], 0.0
    for jpeg in frames[::10]:
        found = probe.process(cv2.cvtColor(decode_jpeg(jpeg), cv2.COLOR_BGR2RGB)).multi_face_landmarks
        if found:
            xs = [p.x for p in found[0].landmark]
            if max(xs) - min(xs) > best_width:
                best, best_width = jpeg, max(xs) - min(xs)
    probe.close()
    still = still_subject(best, 150)
    smoothed, per = flips_per_second(analyzer, still)
    # What the verdicts do without hysteresis, for comparison: the same preset, one frame.
    preset = load_preset(args.preset)
    raw_analyzer = Analyzer(replace(preset, thresholds=preset.thresholds.updated(hysteresis_frames=1)),
                            mode="live")
    raw, raw_per = flips_per_second(raw_analyzer, still)
    raw_analyzer.close()
    analyzer.close()
    print()
    print(
        f"still subject, 150 frames at 30 fps: {smoothed:.2f} flips/s smoothed {per or ''}; "
        f"{raw:.2f} flips/s without hysteresis {raw_per or ''}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
