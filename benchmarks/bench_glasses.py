#!/usr/bin/env python3
"""Live-view cost of the glasses and glare measures per frame, on one core.

Frames: the bundled sample (``studio/data/sample.slv``) at 1024×680 and a clear-glasses sitter
(``deepface__img24.jpg`` of the portrait fixtures, cover-scaled to 1024×680 and repeated with
fresh sensor noise and JPEG re-encoding, as a camera sees a still subject). The subject's
landmarks come from the still analyser; each frame's face is warped level once
(:class:`~studio.vision.crops.Aligned`), then, interleaved on the same aligned face so that
machine load affects all alike:

- ``glasses_of``: the whole glasses measure (live view takes it every ``glasses_every`` frames);
- ``frame_ridges`` (the Hessian filter over the 512×256 band) and ``lens_colour`` (the Lab
  conversion): the second round's frame-ridge and colour features, parts of ``glasses_of``
  (the colour only on a face the glasses model says wears glasses);
- ``glare_of``: the whole glare measure (every frame of a subject in clear glasses), and one
  ``local_contrast`` pass (the median filter glare's local-contrast measures read).

The baseline is the measure without the new features (``glasses_of`` less ridges and colour),
from the same frames. Prints median and p95 ms per frame and the cost per live frame with the
glasses measure every ``glasses_every`` frames.

    .venv/bin/python benchmarks/bench_glasses.py [--frames 120] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GLOG_minloglevel", "2")

from studio.bench.frames import load_frames  # noqa: E402
from studio.sources import bundled_sample  # noqa: E402
from studio.vision import Analyzer, decode_jpeg, load_image  # noqa: E402
from studio.vision.checks.frames import frame_ridges, lens_colour  # noqa: E402
from studio.vision.checks.glare import glare_of  # noqa: E402
from studio.vision.checks.glasses import glasses_of  # noqa: E402
from studio.vision.checks.lenses import local_contrast  # noqa: E402
from studio.vision.crops import Aligned  # noqa: E402
from studio.vision.landmarks import FaceGeometry  # noqa: E402
from studio.vision.thresholds import Thresholds  # noqa: E402

SIZE = (1024, 680)
GLASSES_SITTER = ROOT.parent / "shared" / "fixtures" / "portraits" / "deepface__img24.jpg"
STAGES = ("glasses_of", "frame_ridges", "lens_colour", "glare_of", "local_contrast")


def stats(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def sitter_frames(n: int, seed: int = 1) -> list[bytes]:
    image = load_image(GLASSES_SITTER)
    h, w = image.shape[:2]
    k = max(SIZE[0] / w, SIZE[1] / h)
    image = cv2.resize(image, (round(w * k), round(h * k)), interpolation=cv2.INTER_CUBIC)
    y0, x0 = (image.shape[0] - SIZE[1]) // 2, (image.shape[1] - SIZE[0]) // 2
    base = image[y0 : y0 + SIZE[1], x0 : x0 + SIZE[0]].astype(np.float32)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        noisy = np.clip(base + rng.normal(0, 2.5, base.shape), 0, 255).astype(np.uint8)
        out.append(cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes())
    return out


def aligned_faces(analyzer: Analyzer, jpegs: list[bytes]) -> list[Aligned]:
    out = []
    for i, data in enumerate(jpegs):
        image = decode_jpeg(data)
        a = analyzer.analyse_image(image, source=f"frame {i}")
        if a.subject is None:
            continue
        lm = np.array(a.subject.landmarks, np.float64)
        lm[:, 0] *= image.shape[1]
        lm[:, 1] *= image.shape[0]
        lm[:, 2] *= image.shape[1]
        out.append(Aligned.of(image, FaceGeometry(lm)))
    return out


def timed(fn: Callable[[Aligned], object], a: Aligned) -> float:
    t0 = time.perf_counter()
    fn(a)
    return (time.perf_counter() - t0) * 1000.0


def measure(faces: list[Aligned], th: Thresholds, repeat: int) -> dict[str, list[float]]:
    calls: dict[str, Callable[[Aligned], object]] = {
        "glasses_of": lambda a: glasses_of(a, th),
        "frame_ridges": frame_ridges,
        "lens_colour": lens_colour,
        "glare_of": lambda a: glare_of(a, th),
        "local_contrast": local_contrast,
    }
    for a in faces[:3]:  # warm-up: models loaded, caches filled
        for fn in calls.values():
            fn(a)
    ms: dict[str, list[float]] = {k: [] for k in STAGES + ("coloured",)}
    seen = [float("lens_lab" in glasses_of(a, th)[1]) for a in faces]  # Lab taken on glasses only
    for _ in range(repeat):
        for a, coloured in zip(faces, seen, strict=True):
            for k in STAGES:
                ms[k].append(timed(calls[k], a))
            ms["coloured"].append(coloured)
    return ms


def report(name: str, ms: dict[str, list[float]], every: int) -> None:
    print(f"{name}: {len(ms['glasses_of'])} timings per stage (ms per frame, median / p95)")
    for k in STAGES:
        med, p95 = stats(ms[k])
        print(f"  {k:<16} {med:7.2f} {p95:7.2f}")
    new = [r + c * on for r, c, on in zip(ms["frame_ridges"], ms["lens_colour"], ms["coloured"], strict=True)]
    base = [g - n for g, n in zip(ms["glasses_of"], new, strict=True)]
    (nm, np95), (bm, bp95) = stats(new), stats(base)
    print(f"  new features (ridges, + Lab on {sum(ms['coloured']):.0f} with glasses) {nm:.2f} / {np95:.2f}; "
          f"glasses_of without them {bm:.2f} / {bp95:.2f}"
          f" (ratio full/baseline {statistics.median(ms['glasses_of']) / max(bm, 1e-9):.2f})")
    print(f"  per live frame: glasses every {every} frames -> new features {nm / every:.2f} ms on average, "
          f"{nm:.2f} ms on the frame it falls on; glare_of every frame of a clear-glasses subject "
          f"{stats(ms['glare_of'])[0]:.2f} ms")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=120)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    th = Thresholds()
    sets = {"sample@1024x680": list(load_frames(bundled_sample(), SIZE, args.frames, "sample").jpegs)}
    if GLASSES_SITTER.is_file():
        sets["img24-still@1024x680"] = sitter_frames(args.frames)
    else:
        print(f"clear-glasses sitter skipped: {GLASSES_SITTER} not found")
    with Analyzer("commercial-headshot", mode="still") as analyzer:
        faces = {name: aligned_faces(analyzer, jpegs) for name, jpegs in sets.items()}
    for name, fs in faces.items():
        if not fs:
            print(f"{name}: no subject found")
            continue
        report(name, measure(fs, th, args.repeat), int(th.glasses_every))
    return 0


if __name__ == "__main__":
    sys.exit(main())
