#!/usr/bin/env python3
"""1080p live view: the reduced analysis against the full-size analysis it replaced, same run.

The bundled sample's frames scaled to 1920x1080, as raw BGR arrays (the video-capture source's
form), are analysed by two live analysers in the same process: ``reduced`` (the default: face
found at 960x540, eyes cut from the full frame, studio/vision/live_input.py) and ``full size``
(``max_analysis_side`` raised to 4096: every frame analysed at 1920x1080, as before). They take
the frames in blocks of 20, alternating which goes first, so machine load falls on both alike.
Prints median / p95 / fps of each, the ratio of the medians and the median of the per-frame
ratios, and the load average before and after. ``studio bench`` (its ``hd`` line) gives the
ratio to the bare face mesh; this gives the ratio to the code before.

    .venv/bin/python benchmarks/bench_1080p.py [--frames 180] [--jpeg]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drivers.base import LiveFrame  # noqa: E402
from studio.app import bundled_sample  # noqa: E402
from studio.bench.frames import load_frames  # noqa: E402
from studio.bench.interleave import NOMINAL_FPS  # noqa: E402
from studio.bench.stats import summary_ms  # noqa: E402
from studio.vision import Analyzer  # noqa: E402
from studio.vision.presets import load_preset  # noqa: E402

WARMUP = 15
BLOCK = 20


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=180, help="frames of the sample (it has 180)")
    ap.add_argument("--jpeg", action="store_true", help="1080p JPEGs instead of raw arrays")
    ap.add_argument("--preset", default="commercial-headshot")
    args = ap.parse_args()
    frames = load_frames(bundled_sample(), (1920, 1080), args.frames, "sample")
    pixels = [cv2.imdecode(np.frombuffer(d, np.uint8), cv2.IMREAD_COLOR) for d in frames.jpegs]
    preset = load_preset(args.preset)
    whole = dataclasses.replace(preset, thresholds=dataclasses.replace(preset.thresholds,
                                                                       max_analysis_side=4096))
    analysers = {"reduced": Analyzer(preset, mode="live"), "full size": Analyzer(whole, mode="live")}
    times: dict[str, list[float]] = {k: [] for k in analysers}
    load0 = os.getloadavg()[0]
    try:
        for start in range(0, len(pixels), BLOCK):
            order = list(analysers) if (start // BLOCK) % 2 == 0 else list(reversed(analysers))
            for name in order:
                for i in range(start, min(start + BLOCK, len(pixels))):
                    arrival = (i + 1) / NOMINAL_FPS  # a 60 fps source's pace for both (schedule.Pace)
                    frame = (LiveFrame(frames.jpegs[i], i + 1, arrival, frames.size) if args.jpeg
                             else LiveFrame(b"", i + 1, arrival, frames.size, pixels=pixels[i]))
                    t = time.perf_counter()
                    analysers[name].analyse_frame(frame, "bench")
                    if i >= WARMUP:
                        times[name].append(time.perf_counter() - t)
    finally:
        for a in analysers.values():
            a.close()
    form = "JPEG" if args.jpeg else "raw"
    print(f"1080p {form} frames of the sample, {len(times['reduced'])} timed each, "
          f"load average {load0:.1f} -> {os.getloadavg()[0]:.1f}")
    stats = {k: summary_ms(v) for k, v in times.items()}
    for name, s in stats.items():
        print(f"  {name:<10} median {s['median_ms']:7.2f} ms  p95 {s['p95_ms']:7.2f} ms  "
              f"{1000.0 / s['median_ms']:6.1f} fps")
    ratio = stats["reduced"]["median_ms"] / stats["full size"]["median_ms"]
    per_frame = statistics.median(r / f for r, f in zip(times["reduced"], times["full size"], strict=True))
    print(f"  reduced / full size: {ratio:.2f} (median of per-frame ratios {per_frame:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
