#!/usr/bin/env python3
"""Depth of field: measure the subject's separation on real photos with a busy background in
focus and on the same photos with the background blurred, set the cut, report held-out.

Truth: photos labelled ``busy`` in ``tests/labels/glasses-pool-scene.csv`` (detail in the
background, as shot) are "background in focus"; the same photo with everything the person mask
calls background blurred (Gaussian σ = 2 % of the frame's long side, a shallow depth of field;
the subject untouched) is "separated". Only ``tune`` photos (:func:`scripts.devset.split_of`)
set ``depth_sharp_separation`` in studio/vision/thresholds/advice.py; the ``held-out`` figures go to
docs/accuracy.md (block ``depth``).

    .venv/bin/python scripts/tune_depth.py measure   # cache the separations (slow: 2 analyses a photo)
    .venv/bin/python scripts/tune_depth.py fit       # set the cut from the tune half
    .venv/bin/python scripts/tune_depth.py report [--no-write]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.devset import HELD_OUT, TUNE, image_path, load_labels, write_section  # noqa: E402
from studio.vision import Analyzer, load_image  # noqa: E402
from studio.vision.models import Models  # noqa: E402
from studio.vision.presets import Preset  # noqa: E402
from studio.vision.thresholds import DEFAULT  # noqa: E402

LABELS = "glasses-pool-scene.csv"
BLUR = 0.02  # σ as a share of the long side
THRESHOLDS_PY = ROOT / "studio" / "vision" / "thresholds" / "advice.py"  # depth of field
PRESET = Preset("depth-tuning", "face and depth only", required=("face",), advisory=("depth",),
                shots=("headshot",))


def blurred_background(models: Models, image: np.ndarray) -> np.ndarray:
    """``image`` with its background (person mask) under a soft Gaussian blur."""
    mask = models.person_mask(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    person = cv2.resize(mask, (image.shape[1], image.shape[0]))[..., None]
    soft = cv2.GaussianBlur(image, (0, 0), BLUR * max(image.shape[:2]))
    return (image * person + soft * (1 - person)).astype(np.uint8)


def measure(cache: Path) -> None:
    rows = [r for r in load_labels(LABELS) if r["background"] == "busy"]
    out = []
    models = Models(live=False)
    with Analyzer(PRESET, mode="still") as analyzer:
        for i, row in enumerate(rows):
            image = load_image(image_path(row))
            case: dict[str, object] = {"file": row["file"], "split": row["split"]}
            for kind, picture in (("sharp", image), ("blurred", blurred_background(models, image))):
                check = analyzer.analyse_image(picture, source=kind).check("depth")
                case[kind] = check.fields.get("separation") if check is not None else None
            out.append(case)
            print(f"{i + 1}/{len(rows)} {row['file']} {case['sharp']} {case['blurred']}", flush=True)
    models.close()
    cache.write_text(json.dumps(out, indent=1), encoding="utf-8")


def _pairs(cache: Path, split: str) -> list[dict]:
    cases = json.loads(cache.read_text(encoding="utf-8"))
    return [c for c in cases if c["split"] == split and c["sharp"] is not None and c["blurred"] is not None]


def _balanced(cases: list[dict], cut: float) -> float:
    sharp = np.mean([c["sharp"] < cut for c in cases])
    soft = np.mean([c["blurred"] >= cut for c in cases])
    return float(sharp + soft) / 2


def fit(cache: Path) -> float:
    cases = _pairs(cache, TUNE)
    values = sorted({v for c in cases for v in (c["sharp"], c["blurred"])})
    cuts = [(a + b) / 2 for a, b in zip(values, values[1:], strict=False)]
    best = max(_balanced(cases, c) for c in cuts)
    chosen = [c for c in cuts if _balanced(cases, c) == best]
    cut = round((chosen[0] + chosen[-1]) / 2, 2)  # the middle of the best plateau
    text = THRESHOLDS_PY.read_text(encoding="utf-8")
    pattern = re.compile(r"(depth_sharp_separation: float = _t\(\s*)([-0-9.]+)")
    text, n = pattern.subn(f"\\g<1>{cut:.2f}", text, count=1)
    if n != 1:
        raise SystemExit(f"depth_sharp_separation not found in {THRESHOLDS_PY}")
    THRESHOLDS_PY.write_text(text, encoding="utf-8")
    print(f"depth_sharp_separation = {cut:.2f} (tune: {len(cases)} pairs, balanced accuracy {best:.3f})")
    return cut


def report(cache: Path, write: bool) -> str:
    cut = DEFAULT.depth_sharp_separation
    lines = ["## Depth of field (held-out)", "",
             f"Truth: the photos of `tests/labels/{LABELS}` labelled `busy` (background detail, as "
             f"shot) = \"background in focus\"; the same photos with the person mask's background "
             f"blurred (σ = {BLUR:.0%} of the long side, subject untouched) = \"separated\". "
             f"`depth_sharp_separation` = {cut:.2f}, set by `scripts/tune_depth.py fit` from the tune half.",
             "", "| split | pairs | in focus → \"open up\" | blurred → no advice "
             "| median separation in focus / blurred |", "|---|---|---|---|---|"]
    every = json.loads(cache.read_text(encoding="utf-8"))
    for split in (TUNE, HELD_OUT):
        cases = _pairs(cache, split)
        if not cases:
            continue
        n = len(cases)
        hit = sum(c["sharp"] < cut for c in cases)
        quiet = sum(c["blurred"] >= cut for c in cases)
        med = (float(np.median([c["sharp"] for c in cases])), float(np.median([c["blurred"] for c in cases])))
        lines.append(f"| {split} | {n} | {hit}/{n} ({hit / n:.0%}) | {quiet}/{n} ({quiet / n:.0%}) | "
                     f"{med[0]:.2f} / {med[1]:.2f} |")
    lines += ["", "A `busy` label is a judgement of detail, not of focus: some of those backgrounds were "
              "already soft as shot, so \"in focus → open up\" is a lower bound of the rate on truly "
              "sharp backgrounds. Left out: photos where no face or too little background was found "
              f"({len(every) - len(_pairs(cache, TUNE)) - len(_pairs(cache, HELD_OUT))} of {len(every)})."]
    text = "\n".join(lines)
    print(text)
    if write:
        write_section("depth", text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("measure", "fit", "report"))
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "tune_depth.json"))
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    cache = Path(args.cache)
    if args.step == "measure":
        measure(cache)
    elif args.step == "fit":
        fit(cache)
    else:
        report(cache, not args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
