"""eye_focus: sharp photos pass, missed focus and whole-image blur fail, tiny eyes are unknown."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from studio.analysis import Status
from studio.vision import load_image, synthetic
from studio.vision.checks.focus import face_scale_blur

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "portraits"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")

SHARP = ["deepface__img24.jpg", "frec__obama.jpg", "deepface__img13.jpg"]


@pytest.fixture(scope="module")
def cases(analyzer):
    out = {}
    for name in SHARP:
        image = load_image(FIXTURES / name)
        base = analyzer.analyse_image(image, source=name)
        lm = np.array(base.subject.landmarks, np.float32).copy()
        lm[:, 0] *= image.shape[1]
        lm[:, 1] *= image.shape[0]
        out[name] = (image, lm, base)
    return out


@pytest.mark.parametrize("name", SHARP)
def test_sharp_photos_do_not_fail(cases, name):
    check = cases[name][2].check("eye_focus")
    assert check.status in (Status.PASS, Status.WARN)
    assert check.fields["relative"] > 0.7
    assert check.fields["eye"] in ("both", "left", "right")


@pytest.mark.parametrize("name", SHARP)
def test_missed_focus_on_the_eyes_fails(analyzer, cases, name):
    image, lm, base = cases[name]
    check = analyzer.analyse_image(synthetic.blur_eyes(image, lm), source="eye-blur").check("eye_focus")
    assert check.status is Status.FAIL
    assert check.fields["relative"] < base.check("eye_focus").fields["relative"]


@pytest.mark.parametrize("name", SHARP)
def test_whole_image_blur_fails(analyzer, cases, name):
    image, lm, _ = cases[name]
    check = analyzer.analyse_image(synthetic.blur_all(image, lm), source="blur").check("eye_focus")
    assert check.status is Status.FAIL
    assert "soft" in check.message.lower()


def test_eyes_too_small_are_unknown_with_the_size(analyzer):
    check = analyzer.analyse_path(FIXTURES / "lfw__Anna_Jones_0001.jpg").check("eye_focus")
    assert check.status is Status.UNKNOWN
    assert "px" in check.message and check.fields["iris_px"] < 10


@pytest.mark.parametrize("name", ["frec__lin-manuel-miranda.png", "inspireface__bulk_blur.jpg"])
def test_soft_real_stills_fail(analyzer, name):
    # A soft video still and a blurred photo: large irises, nothing on the face sharp.
    check = analyzer.analyse_path(FIXTURES / name).check("eye_focus")
    assert check.status is Status.FAIL
    assert "soft" in check.message.lower()
    assert check.fields["face_blur"] > 0.0077


def test_sharp_small_faces_are_not_called_soft(analyzer):
    # A sharp 1280 px frame with 10 px irises: edges as sharp as the pixels allow.
    check = analyzer.analyse_path(FIXTURES / "ultralytics__zidane.jpg").check("eye_focus")
    assert check.status is not Status.FAIL
    assert check.fields["face_blur"] < 0.0077


def test_eyes_behind_dark_lenses_are_unknown(analyzer):
    check = analyzer.analyse_path(FIXTURES / "glassesdet__demo_3.jpg").check("eye_focus")
    assert check.status is Status.UNKNOWN
    assert "dark lenses" in check.message


def test_face_scale_blur_removes_the_pixel_width():
    assert face_scale_blur(0.5, 100.0, 0.6) == 0.0
    assert face_scale_blur(1.0, 100.0, 0.6) == pytest.approx(0.008)
    # The same edge width means more blur on a smaller face.
    assert face_scale_blur(1.0, 50.0, 0.6) == pytest.approx(2 * face_scale_blur(1.0, 100.0, 0.6))
