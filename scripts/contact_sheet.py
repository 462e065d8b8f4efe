#!/usr/bin/env python3
"""Contact sheets for labelling photos by eye: many crops of the same region on one image.

Each tile is one photo's region (the level eye band by default, or the whole face), scaled up,
with the file name under it; one sheet of 6 x 5 tiles lets one look label 30 photos. Faces are
found once with the app's own still analyser and their landmarks cached (``--cache``), so a
second set of sheets, or a tuning script reading the same cache, costs no model time.

    .venv/bin/python scripts/contact_sheet.py ../shared/fixtures/glasses-pool/*.jpg \
        --out /tmp/sheets --crop eyes --cols 6 --rows 5 --cache /tmp/faces.json

Prints the sheets written; a photo without a face gets a grey tile saying so.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studio.vision.crops import Aligned  # noqa: E402
from studio.vision.landmarks import FaceGeometry  # noqa: E402

log = logging.getLogger("contact_sheet")
TILE_W = 232  # px of one tile (6 tiles + gaps ~ 1400 px)
LABEL_H = 16  # px under each tile for the file name
CROPS = ("eyes", "lenses", "face")
LENS_BOX = (64, 24, 448, 184)  # the two lenses inside the eye band (aligned px, IED = 128)


def analysis_image(path: Path, side: float = 1280.0) -> np.ndarray:
    """The image at the size the still analyser works on (≤ ``side`` px, area-averaged)."""
    from studio.vision import load_image

    image = load_image(path)
    h, w = image.shape[:2]
    k = min(1.0, side / max(h, w))
    if k < 1.0:
        image = cv2.resize(image, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA)
    return image


def find_faces(paths: Sequence[Path], cache: Path | None) -> dict[str, dict[str, object]]:
    """name -> {"landmarks": normalised 478x3 list or None, "checks": {id: [status, message]}}
    from ``studio check``'s still analyser (every check on), read from/added to ``cache``."""
    known: dict[str, dict[str, object]] = {}
    if cache is not None and cache.exists():
        known = json.loads(cache.read_text(encoding="utf-8"))
    todo = [p for p in paths if p.name not in known]
    if todo:
        from studio.vision import Analyzer

        with Analyzer("portrait", mode="still") as analyzer:
            for i, p in enumerate(todo):
                a = analyzer.analyse_path(p)
                lm = a.subject.landmarks.tolist() if a.subject is not None else None
                checks = {c.id: [c.status.value, c.message] for c in a.checks}
                known[p.name] = {"landmarks": lm, "checks": checks, "faces": a.faces}
                if cache is not None and (i % 50 == 49 or i == len(todo) - 1):
                    cache.write_text(json.dumps(known), encoding="utf-8")
    return known


def face_of(entry: dict[str, object], image: np.ndarray) -> FaceGeometry | None:
    """The cached subject's landmarks in ``image``'s pixels."""
    lm = entry.get("landmarks")
    if lm is None:
        return None
    pts = np.array(lm, np.float64)
    h, w = image.shape[:2]
    pts[:, 0] *= w
    pts[:, 1] *= h
    pts[:, 2] *= w
    return FaceGeometry(pts)


def eye_band(image: np.ndarray, face: FaceGeometry) -> np.ndarray:
    return Aligned.of(image, face).bgr


def lens_crop(image: np.ndarray, face: FaceGeometry) -> np.ndarray:
    x0, y0, x1, y1 = LENS_BOX
    return eye_band(image, face)[y0:y1, x0:x1]


def face_crop(image: np.ndarray, face: FaceGeometry) -> np.ndarray:
    x0, y0, x1, y1 = face.box
    pad = 0.25 * (x1 - x0)
    h, w = image.shape[:2]
    xa, ya = int(max(0, x0 - pad)), int(max(0, y0 - pad))
    xb, yb = int(min(w, x1 + pad)), int(min(h, y1 + pad))
    return image[ya:yb, xa:xb]


def tile(crop: np.ndarray | None, name: str, tile_h: int, tile_w: int = TILE_W) -> np.ndarray:
    out = np.full((tile_h + LABEL_H, tile_w, 3), 40, np.uint8)
    if crop is None or crop.size == 0:
        cv2.putText(out, "no face", (8, tile_h // 2), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (200, 200, 200), 1)
    else:
        k = min(tile_w / crop.shape[1], tile_h / crop.shape[0])
        small = cv2.resize(crop, (max(1, int(crop.shape[1] * k)), max(1, int(crop.shape[0] * k))),
                           interpolation=cv2.INTER_CUBIC if k > 1 else cv2.INTER_AREA)
        out[: small.shape[0], : small.shape[1]] = small
    cv2.putText(out, name[:30], (3, tile_h + 12), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 255), 1)
    return out


def sheets(
    paths: Sequence[Path], faces: dict[str, dict[str, object]], crop: str, cols: int, rows: int,
    out: Path, prefix: str = "sheet", tile_w: int = TILE_W,
) -> list[Path]:
    cuts: dict[str, Callable[[np.ndarray, FaceGeometry], np.ndarray]] = {
        "eyes": eye_band, "lenses": lens_crop, "face": face_crop}
    cut = cuts[crop]
    aspect = {"eyes": 0.5, "lenses": (LENS_BOX[3] - LENS_BOX[1]) / (LENS_BOX[2] - LENS_BOX[0]), "face": 1.0}
    tile_h = int(tile_w * aspect[crop])
    out.mkdir(parents=True, exist_ok=True)
    written = []
    per = cols * rows
    for start in range(0, len(paths), per):
        tiles = []
        for p in paths[start : start + per]:
            image = analysis_image(p)
            face = face_of(faces.get(p.name, {}), image)
            tiles.append(tile(cut(image, face) if face is not None else None, p.stem, tile_h, tile_w))
        while len(tiles) < per:
            tiles.append(np.zeros_like(tiles[0]))
        grid = np.vstack([np.hstack(tiles[r * cols : (r + 1) * cols]) for r in range(rows)])
        path = out / f"{prefix}-{start // per + 1:03d}.png"
        cv2.imwrite(str(path), grid)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("images", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, required=True, help="folder for the sheets")
    ap.add_argument("--crop", choices=CROPS, default="eyes")
    ap.add_argument("--cols", type=int, default=6)
    ap.add_argument("--rows", type=int, default=5)
    ap.add_argument("--cache", type=Path, help="JSON cache of the faces found")
    ap.add_argument("--prefix", default="sheet")
    ap.add_argument("--tile-width", type=int, default=TILE_W, help="px of one tile")
    args = ap.parse_args(argv)
    missing = [p for p in args.images if not p.is_file()]
    if missing:
        print(f"contact_sheet: no such file: {missing[0]}", file=sys.stderr)
        return 2
    if args.cols < 1 or args.rows < 1:
        print("contact_sheet: --cols and --rows must be at least 1", file=sys.stderr)
        return 2
    paths = sorted(args.images)
    faces = find_faces(paths, args.cache)
    for path in sheets(paths, faces, args.crop, args.cols, args.rows, args.out, args.prefix, args.tile_width):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
