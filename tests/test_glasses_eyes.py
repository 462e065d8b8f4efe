"""The eye behind the lens (issue 14, third round): dark, tinted or mirrored lenses hide the
eye's texture and colour (``glasses_sun``); a reflection over the pupil lifts the pupil to the
skin's level (glare "hides the eye"); a reflection running off the lens box is the lens's own."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from studio.vision import Analyzer, load_image
from studio.vision.calibrated import load_model
from studio.vision.checks import glasses as K
from studio.vision.checks.glare import _reflection, glare_of
from studio.vision.checks.lenses import lens_box, pupil_brightness
from studio.vision.crops import Aligned
from studio.vision.landmarks import FaceGeometry
from studio.vision.thresholds import DEFAULT

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "fixtures" / "portraits"
sys.path.insert(0, str(ROOT))
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")


@pytest.fixture(scope="module")
def img24():
    """deepface__img24.jpg (clear glasses, no glare) and its subject's face."""
    image = load_image(FIXTURES / "deepface__img24.jpg")
    with Analyzer("portrait", mode="still") as analyser:
        a = analyser.analyse_image(image, source="img24")
    lm = np.array(a.subject.landmarks, np.float64)
    lm[:, 0] *= image.shape[1]
    lm[:, 1] *= image.shape[0]
    lm[:, 2] *= image.shape[1]
    return image, FaceGeometry(lm)


def _paint_lenses(a: Aligned, colour: tuple[int, int, int], texture: float) -> Aligned:
    """The band with both lens areas filled by ``colour`` (plus noise of ``texture`` grey levels
    smoothed to a reflection's scale): a dark or mirrored lens over the eye."""
    bgr = a.bgr.copy()
    rng = np.random.default_rng(3)
    for side in ("right", "left"):
        x0, y0, x1, y1 = (int(round(v)) for v in lens_box(a, side))
        y0, x0 = max(0, y0), max(0, x0)
        noise = cv2.GaussianBlur(rng.normal(0, texture, (y1 - y0, x1 - x0)).astype(np.float32), (0, 0), 6)
        bgr[y0:y1, x0:x1] = np.clip(np.array(colour, np.float32) + noise[..., None], 0, 255).astype(np.uint8)
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float32)
    return Aligned(bgr, gray, a.points, a.matrix)


@needs_fixtures
@pytest.mark.parametrize("colour, texture", [((28, 30, 34), 2.0), ((190, 120, 40), 25.0)],
                         ids=["dark", "blue-mirror"])
def test_lenses_that_hide_the_eye_read_as_sunglasses(img24, colour, texture):
    image, face = img24
    a = Aligned.of(image, face)
    clear = K.glasses_features(a, DEFAULT)
    hidden = K.glasses_features(_paint_lenses(a, colour, texture), DEFAULT)
    sun = load_model(K.SUN_MODEL)
    assert sun.probability(clear) < sun.cut, "the clear glasses of img24 are not sunglasses"
    assert hidden["eye_texture"] < clear["eye_texture"]
    assert sun.probability(hidden) >= sun.cut, {k: round(hidden[k], 3) for k in K.SUN_FEATURES}


@needs_fixtures
def test_a_reflection_over_the_pupil_lifts_it_to_the_skin_and_hides_the_eye(img24):
    from scripts.tune_glasses import add_glare

    image, face = img24
    clean = Aligned.of(image, face)
    glared = Aligned.of(add_glare(image, face, "right", True, "softbox", np.random.default_rng(7)), face)
    assert pupil_brightness(glared, "right") > pupil_brightness(clean, "right") + 40
    before = {ln.side: ln for ln in glare_of(clean, DEFAULT)}
    after = {ln.side: ln for ln in glare_of(glared, DEFAULT)}
    assert before["right"].measures["pupil_ring"] < DEFAULT.glare_pupil_lit
    assert after["right"].measures["pupil_ring"] >= DEFAULT.glare_pupil_lit
    assert after["right"].covers_eye and not before["right"].glaring


def test_a_patch_running_off_the_lens_box_is_not_skin_shine():
    lens = np.zeros((40, 80), np.uint8)
    lens[:, :40] = 1
    ring = 1 - lens
    lit = np.zeros_like(lens)
    lit[10:20, 30:50] = 1  # one reflection across the lens box's edge
    assert _reflection(lit, lens, ring) == pytest.approx(100 / lens.sum())
    apart = np.zeros_like(lens)
    apart[10:20, 10:20] = 1  # the same patch on the lens and, apart, on the skin: shine
    apart[10:20, 60:70] = 1
    assert _reflection(apart, lens, ring) == pytest.approx(0.0)
