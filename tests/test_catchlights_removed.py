"""Catchlights removed from both eyes of real photos are reported absent (issue 14).

Photos of the development set labelled ``catchlights = both`` (tests/labels/glasses-pool-light.csv,
held-out half): the original shows catchlights, the copy with them painted out
(:func:`studio.vision.synthetic.remove_catchlights`) shows none in either eye.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from studio.analysis import Status
from studio.vision import load_image, synthetic

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts.devset import FIXTURES, HELD_OUT, image_path, load_labels  # noqa: E402

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")
# Held-out photos labelled "both" whose irises are large enough to judge (>= 20 px across).
NAMES = ("glasses_014.jpg", "glasses_109.jpg", "noglasses_036.jpg", "noglasses_066.jpg")


def _row(name: str) -> dict[str, str]:
    rows = {Path(r["file"]).name: r for r in load_labels("glasses-pool-light.csv")}
    row = rows[name]
    assert row["catchlights"] == "both" and row["split"] == HELD_OUT
    return row


def _present(check) -> list[bool]:
    sides = [check.fields[side]["present"] for side in ("right", "left")]
    return [bool(p) for p in sides if p is not None]


@pytest.mark.parametrize("name", NAMES)
def test_removed_catchlights_are_reported_absent(analyzer, name):
    image = load_image(image_path(_row(name)))
    original = analyzer.analyse_image(image, source=name)
    before = original.check("catchlights")
    assert before.status is not Status.UNKNOWN and any(_present(before)), before.message
    lm = original.subject.landmarks[:, :2] * [image.shape[1], image.shape[0]]
    removed = analyzer.analyse_image(synthetic.remove_catchlights(image, lm), source="removed")
    after = removed.check("catchlights")
    assert after.status is Status.WARN and not any(_present(after)), after.fields
    assert "No catchlights" in after.message
