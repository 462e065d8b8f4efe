"""Exposure judged against references that do not depend on skin (issue 14, item 6).

Real held-out photos of the development set (tests/labels/*-light.csv): well-exposed darker skin
is not called dark, the same photos two stops darker are, and the verdict reads the whites of
the eyes and the scene, not a fixed face median.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from studio.analysis import Status
from studio.vision import load_image, synthetic
from studio.vision.calibrated import load_model
from studio.vision.checks.exposure import (
    FEATURES_EYES,
    MODEL_EYES,
    MODEL_NO_EYES,
    dark_probability,
    exposure_measure,
    exposure_verdict,
)
from studio.vision.thresholds import DEFAULT

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts.devset import FIXTURES, HELD_OUT, image_path, load_labels  # noqa: E402

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")


def _held_out_darker(limit: int) -> list[dict[str, str]]:
    rows = load_labels("glasses-pool-light.csv") + load_labels("lfw-pool-light.csv")
    picked = [r for r in rows if r["split"] == HELD_OUT and r["skin"] == "darker" and r["exposure"] == "ok"]
    return picked[:limit]


def test_models_are_packaged_with_their_features():
    eyes, no_eyes = load_model(MODEL_EYES), load_model(MODEL_NO_EYES)
    assert eyes.features == FEATURES_EYES and "eye_white" not in no_eyes.features
    assert 0.5 <= eyes.cut < 1.0 and 0.5 <= no_eyes.cut < 1.0


def test_dark_skin_with_bright_eye_whites_is_not_dark_but_the_same_face_two_stops_under_is():
    """The same face luma (a darker-skinned face) passes when the whites of the eyes and the
    scene say the exposure is right, and fails when they are dim too."""
    skin = np.full(2000, 70, np.uint8)
    skin[:100] = 120  # the lit side of the face
    m = exposure_measure(skin, DEFAULT)
    well = {"eye_white": 190.0, "lit_skin": m["highlights"], "scene_bright": 250.0}
    under = {"eye_white": 95.0, "lit_skin": m["highlights"], "scene_bright": 130.0}
    assert exposure_verdict(m, DEFAULT, well)[0] is Status.PASS
    status, message = exposure_verdict(m, DEFAULT, under)
    assert status is Status.FAIL and "too dark" in message and "whites of the eyes 95" in message
    p_well, p_under = dark_probability(well), dark_probability(under)
    assert p_well is not None and p_under is not None and p_well[0] < p_under[0]


def test_held_out_darker_skin_passes_and_its_dark_copies_mostly_fail(analyzer):
    """Six held-out darker-skinned photos: none is called dark, and their copies two stops darker
    are (all but at most one: the measured rate on the held-out half is 96 %)."""
    rows = _held_out_darker(6)
    assert len(rows) == 6
    caught = 0
    for row in rows:
        image = load_image(image_path(row))
        original = analyzer.analyse_image(image, source=row["file"]).check("exposure")
        assert not (original.status is Status.FAIL and "too dark" in original.message), original.message
        dark = analyzer.analyse_image(synthetic.darken(image, 2.0), source="dark").check("exposure")
        caught += dark.status is Status.FAIL and "too dark" in dark.message
        assert dark.fields["p_dark"] > original.fields["p_dark"]
    assert caught >= 5


def test_highlights_clipped_in_the_original_stay_clipped_when_darkened():
    image = np.full((40, 40, 3), 180, np.uint8)
    image[:5] = 255
    out = synthetic.darken(image, 2.0, keep_clipped=True)
    assert out[0, 0].tolist() == [255, 255, 255] and out[20, 20, 0] < 110
    assert synthetic.darken(image, 2.0)[0, 0, 0] < 140
