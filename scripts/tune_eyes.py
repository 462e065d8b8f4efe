#!/usr/bin/env python3
"""Set ``ear_one_closed_ratio`` from the ``tune`` half of the development set.

One eye alone is called closed only when its eye aspect ratio (EAR) is under this share of the
other eye's: on news photos a head turned or a look aside narrows one eye's outline to a
"closed" EAR while both eyes are open. The ratio is the largest one (in steps of 0.01) that
calls no open-eyed tune face of ``tests/labels/{glasses,lfw}-pool-eyes.csv`` one-eye-closed.
Faces are found by the app's still analyser (landmarks cached with ``--cache``).

    .venv/bin/python scripts/tune_eyes.py [--cache DIR]

Prints the ratio and whether ``Thresholds.ear_one_closed_ratio`` holds it (exit 1 if not).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.devset import TUNE  # noqa: E402
from scripts.tune_glasses import faces  # noqa: E402
from studio.vision.thresholds import DEFAULT  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, help="folder for the landmark caches (faces-<pool>.json)")
    args = ap.parse_args(argv)
    th = DEFAULT
    pairs: dict[str, list[tuple[float, float]]] = {"open": [], "closed": [], "one-closed": []}
    for f in faces(TUNE, args.cache, want=""):
        if f.row["eyes"] in pairs:
            ears = sorted((f.face.right_eye.ear, f.face.left_eye.ear))
            pairs[f.row["eyes"]].append((ears[0], ears[1]))
    # Open faces the EAR limits alone would call one-eye-closed: one eye under ear_closed, the
    # other open or half shut (at or above ear_closed).
    risky = [lo / hi for lo, hi in pairs["open"] if lo < th.ear_closed <= hi]
    ratio = round(min(risky) - 0.01, 2) if risky else 1.0
    print(f"open tune faces with one 'closed' EAR: {len(risky)}, lowest ratio {min(risky, default=1.0):.2f}")
    print(f"ear_one_closed_ratio = {ratio:.2f} (Thresholds has {th.ear_one_closed_ratio:.2f})")
    both = [hi < th.ear_closed for _, hi in pairs["closed"]]
    print(f"tune closed eyes with both EARs under ear_closed: {sum(both)} of {len(both)}")
    opened = [hi < th.ear_closed for _, hi in pairs["open"]]
    print(f"tune open eyes with both EARs under ear_closed (called closed): {sum(opened)} of {len(opened)}")
    return 0 if abs(ratio - th.ear_one_closed_ratio) < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
