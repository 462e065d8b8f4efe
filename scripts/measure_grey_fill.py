"""How well studio finds JPEGs that were cut short and "repaired" with an end marker.

    .venv/bin/python scripts/measure_grey_fill.py [FOLDER ...]   (default: ../shared/fixtures)

For every JPEG and PNG under the folders: is an intact file ever refused (header and layout
checks of studio.vision.image_format, and the grey-fill test at full size and at 1/8)? For every
JPEG cut at 50, 90, 95 and 99 % with FF D9 appended: is it refused (by its scans for a
progressive JPEG, by the grey fill for a baseline one, at full size and at 1/8)? Counted per
half of the fixed split (scripts/devset.py): the grey-fill tolerance was chosen looking at the
``tune`` half; the ``held-out`` half is the honest figure. The figures go to docs/user-guide.md
(Troubleshooting: files studio refuses) and studio/vision/image_format.py.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from scripts.devset import split_of  # noqa: E402
from studio.vision.image_format import ImageError, ImageLimits, check_layout, grey_filled, jpeg_layout  # noqa: E402

CUTS = (0.5, 0.9, 0.95, 0.99)
SCALES = ((1, cv2.IMREAD_COLOR), (8, cv2.IMREAD_REDUCED_COLOR_8))


def refused(data: bytes, reduce: int, flag: int) -> bool:
    try:
        check_layout(data, ImageLimits())
    except ImageError:
        return True
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flag | cv2.IMREAD_IGNORE_ORIENTATION)
    return image is None or grey_filled(image, reduce)


def main(folders: list[Path]) -> int:
    files = sorted(p for f in folders for p in f.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    intact_refused: list[str] = []
    found: Counter = Counter()
    tried: Counter = Counter()
    for path in files:
        data = path.read_bytes()
        for reduce, flag in SCALES:
            if refused(data, reduce, flag):
                intact_refused.append(f"{path.name} at 1/{reduce}")
        if data[:2] != b"\xff\xd8":
            continue
        kind = "progressive" if jpeg_layout(data).progressive else "baseline"
        half = split_of(path.name)
        for cut in CUTS:
            damaged = data[:int(len(data) * cut)] + b"\xff\xd9"
            for reduce, flag in SCALES:
                tried[half, kind, cut, reduce] += 1
                found[half, kind, cut, reduce] += refused(damaged, reduce, flag)
    print(f"{len(files)} files; intact ones refused: {len(intact_refused)} {intact_refused[:5]}")
    for key in sorted(tried):
        half, kind, cut, reduce = key
        print(f"{half:<8} {kind:<11} cut at {cut:>4.0%}, decoded at 1/{reduce}: "
              f"{found[key]:>5} of {tried[key]:>5} refused")
    return 1 if intact_refused else 0


if __name__ == "__main__":
    targets = [Path(a) for a in sys.argv[1:]] or [ROOT.parent / "shared" / "fixtures"]
    sys.exit(main(targets))
