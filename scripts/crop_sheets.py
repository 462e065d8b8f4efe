#!/usr/bin/env python3
"""Contact sheets for checking crop labels by eye against the rule in docs/checks.md (framing).

Each tile is a whole labelled photo of ``tests/labels/glasses-pool-scene.csv`` with, at both side
edges, ticks for the chin (red, face mesh) and, from the pose landmarks, the shoulder line (green),
the armpits (cyan, a quarter of the shoulder-hip length lower), mid-chest (magenta, half) and the
waist (yellow, 0.85): where the frame's bottom edge falls among them is what the crop names. Under
each tile: the photo, its label, its split and the measured frame bottom below the chin (eye-chin
distances). Tiles are sorted by that measure, so neighbouring names meet on one sheet.

    .venv/bin/python scripts/crop_sheets.py --labels head-and-shoulders,bust --out /tmp/sheets \
        --cache /tmp/crop_sheets.json [--split tune] [--confusions CROPS_JSON]

``--confusions`` keeps only the photos whose name (from ``tune_scene.py measure --only crops``'s
``crops.json``) differs from their label; use it on the tune half only (held-out confusions are
read as a list of names, never looked at to change a cut).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.devset import FIXTURES, load_labels  # noqa: E402

LABELS = "glasses-pool-scene.csv"
SHORT = {"tight-headshot": "TH", "head-and-shoulders": "HS", "bust": "B", "half-length": "HL",
         "three-quarter": "3Q", "full-length": "FL", "group": "G", "unsure": "?"}
# (share of the shoulder-hip length below the shoulder line, BGR)
BODY_LINES = ((0.0, (0, 255, 0)), (0.25, (255, 255, 0)), (0.5, (255, 0, 255)), (0.85, (0, 255, 255)))
TILE_W, TILE_H, COLS, PER_SHEET = 280, 240, 5, 20  # 1400 x 960 px sheets


def measure(files: Sequence[str], cache: Path) -> dict[str, dict]:
    """Chin, eye-chin distance and pose shoulder/hip lines (px) of each photo, cached."""
    from studio.vision import Analyzer, load_image
    from studio.vision.models import Models
    from studio.vision.presets import Preset

    known: dict[str, dict] = json.loads(cache.read_text(encoding="utf-8")) if cache.is_file() else {}
    todo = [f for f in files if f not in known]
    if todo:
        preset = Preset("crop-sheets", "face only", required=("face",))
        models = Models(live=False)
        try:
            with Analyzer(preset, mode="still") as analyzer:
                for f in todo:
                    image = load_image(FIXTURES / f)
                    h, w = image.shape[:2]
                    a = analyzer.analyse_image(image, source=f)
                    entry: dict = {"h": h, "w": w, "faces": a.faces}
                    if a.subject is not None:
                        lm = np.asarray(a.subject.landmarks)[:, :2] * (w, h)
                        eye = (lm[468] + lm[473]) / 2
                        entry.update(chin=float(lm[152, 1]), t=float(np.linalg.norm(lm[152] - eye)))
                    pose = models.pose(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
                    if pose is not None:
                        entry.update(shoulders=float(pose[[11, 12], 1].mean()),
                                     hips=float(pose[[23, 24], 1].mean()))
                    known[f] = entry
        finally:
            models.close()
        cache.write_text(json.dumps(known), encoding="utf-8")
    return known


def below_chin(m: dict) -> float:
    return (m["h"] - m["chin"]) / m["t"] if m.get("t") else float("inf")


def tile(path: Path, m: dict, caption: str) -> np.ndarray:
    image = cv2.imread(str(path))
    out = np.full((TILE_H, TILE_W, 3), 40, np.uint8)
    if image is None:
        return out
    k = min(TILE_W / image.shape[1], (TILE_H - 16) / image.shape[0])
    small = cv2.resize(image, (max(1, int(image.shape[1] * k)), max(1, int(image.shape[0] * k))),
                       interpolation=cv2.INTER_AREA)

    def tick(y: float, colour: tuple[int, int, int]) -> None:
        yy = int(y * k)
        if 0 <= yy < small.shape[0]:
            cv2.line(small, (0, yy), (12, yy), colour, 2)
            cv2.line(small, (small.shape[1] - 13, yy), (small.shape[1] - 1, yy), colour, 2)

    if "chin" in m:
        tick(m["chin"], (0, 0, 255))
    if "shoulders" in m:
        torso = m["hips"] - m["shoulders"]
        for share, colour in BODY_LINES:
            tick(m["shoulders"] + share * torso, colour)
    out[: small.shape[0], : small.shape[1]] = small
    cv2.putText(out, caption, (2, TILE_H - 4), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (255, 255, 255), 1)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--labels", required=True, help="comma-separated crop labels to show")
    p.add_argument("--out", required=True, help="folder for the sheets")
    p.add_argument("--cache", default=str(Path("/tmp") / "crop_sheets.json"), help="measurements cache")
    p.add_argument("--split", choices=("tune", "held-out"), help="one half only")
    p.add_argument("--confusions", help="crops.json of tune_scene.py measure --only crops: misnamed only")
    args = p.parse_args(argv)
    wanted = set(args.labels.split(","))
    unknown = wanted - set(SHORT)
    if unknown:
        print(f"unknown crop label(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    rows = [r for r in load_labels(LABELS) if r["crop"] in wanted and (args.split in (None, r["split"]))]
    if args.confusions:
        said = {c["file"]: (c["result"]["checks"].get("framing") or {}).get("crop")
                for c in json.loads(Path(args.confusions).read_text(encoding="utf-8")) if c["kind"] == "real"}
        rows = [r for r in rows if said.get(r["file"]) not in (None, r["crop"])]
    measured = measure([r["file"] for r in rows], Path(args.cache))
    rows.sort(key=lambda r: below_chin(measured[r["file"]]))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tiles = [tile(FIXTURES / r["file"], measured[r["file"]],
                  f"{Path(r['file']).stem} {SHORT[r['crop']]} {r['split'][:4]} "
                  f"c{below_chin(measured[r['file']]):.2f}") for r in rows]
    for n, start in enumerate(range(0, len(tiles), PER_SHEET)):
        chunk = tiles[start : start + PER_SHEET]
        chunk += [np.zeros((TILE_H, TILE_W, 3), np.uint8)] * (-len(chunk) % COLS)
        sheet = np.vstack([np.hstack(chunk[i : i + COLS]) for i in range(0, len(chunk), COLS)])
        target = out / f"crops_{n:02d}.png"
        cv2.imwrite(str(target), sheet)
        print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
