#!/usr/bin/env python3
"""1080p at 60 fps through the whole app: a video source, as a capture card feeds it.

The bundled sample's frames scaled to 1920x1080 are written as a 60 fps MJPG video (the form a
USB 2 capture card sends 1080p60 in), played by the video-capture driver (``drivers.video``,
the same ``cv2.VideoCapture`` and owner loop as a card, paced at the file's own 60 fps; the
camera thread decodes every frame) into the real ``StudioApp`` with its default analyser.
Prints, for ``--seconds`` after the first analysis: frames analysed of those published, the
analysed rate, arrival→analysis latency median and p95, the largest lag in frames, and the
process's CPU over wall time (all threads: decode, both vision stages, the workers).
``studio bench``'s ``hd`` line measures the analyser alone; this measures the app.

    .venv/bin/python benchmarks/bench_video_60.py [--seconds 15] [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drivers.video import VideoCamera, VideoTarget  # noqa: E402
from studio.bench.frames import load_frames  # noqa: E402
from studio.bench.suite import run_app  # noqa: E402
from studio.sources import bundled_sample  # noqa: E402

FPS = 60.0
SIZE = (1920, 1080)
STARTUP_S = 10.0  # models load before the measured window starts


def write_video(path: Path, seconds: float) -> Path:
    """The sample's frames forth and back (no cut at a loop), MJPG at 60 fps."""
    frames = load_frames(bundled_sample(), SIZE, 180, "sample")
    pictures = [cv2.imdecode(np.frombuffer(j, np.uint8), cv2.IMREAD_COLOR) for j in frames.jpegs]
    order = list(range(len(pictures))) + list(range(len(pictures) - 2, 0, -1))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), FPS, SIZE)
    if not writer.isOpened():
        raise SystemExit("OpenCV cannot write an MJPG video here")
    for i in range(int((seconds + STARTUP_S) * FPS)):
        writer.write(pictures[order[i % len(order)]])
    writer.release()
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--preset", default="commercial-headshot")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        video = write_video(Path(tmp) / "1080p60.avi", args.seconds)
        for run in range(args.runs):
            load = os.getloadavg()[0]
            camera = VideoCamera(VideoTarget("file", str(video)))
            got = run_app(camera, preset=args.preset, seconds=args.seconds)
            lat = got["latency"]
            print(f"run {run + 1}: 1920x1080 at 60 fps, {got['analysed']}/{got['published']} frames "
                  f"analysed ({100 * got['analysed_fraction']:.1f} %), {got['analysed_fps']:.1f} fps; "
                  f"arrival->analysis median {lat['median_ms']:.1f} ms p95 {lat['p95_ms']:.1f} ms; "
                  f"max lag {got['max_lag_frames']} frames; {got['cores_used']:.2f} cores; load {load:.2f}")
            print(json.dumps(got))
    return 0


if __name__ == "__main__":
    sys.exit(main())
