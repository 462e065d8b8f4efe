"""Faces, shot type and framing on real fixture photos and synthetic crops."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from studio.analysis import Status
from studio.vision import Analyzer, load_image, synthetic

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "portraits"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")

NO_PERSON = [
    "skimage__coffee_noperson.png",
    "skimage__chelsea_cat_noperson.png",
    "dlib__faces_dogs_noperson.jpg",
    "opencvdoc__fruits_noperson.jpg",
    "compreface__sample_017_0_landscape_noperson.jpg",
]


@pytest.fixture(scope="module")
def analyzer():
    a = Analyzer("portrait", mode="still")
    yield a
    a.close()


def landmarks_px(analysis, image):
    lm = np.array(analysis.subject.landmarks, np.float32).copy()
    lm[:, 0] *= image.shape[1]
    lm[:, 1] *= image.shape[0]
    return lm


@pytest.mark.parametrize("name", NO_PERSON)
def test_no_face_where_there_is_none(analyzer, name):
    a = analyzer.analyse_path(FIXTURES / name)
    assert a.faces == 0
    assert a.subject is None
    assert a.shot == "none"
    assert a.check("face").status is Status.FAIL
    assert not a.ready


def test_one_face_headshot_with_readonly_normalised_landmarks(analyzer):
    a = analyzer.analyse_path(FIXTURES / "facenetpt__paul_rudd_1.jpg")
    assert a.faces == 1 and a.shot == "headshot"
    assert a.check("face").status is Status.PASS
    lm = a.subject.landmarks
    assert lm.shape == (478, 3) and not lm.flags.writeable
    assert lm[:, 0].min() >= 0.0 and lm[:, 0].max() <= 1.0
    x, y, w, h = a.subject.box
    assert 0 <= x < x + w <= 1 and w > 0.5  # a tight headshot: the face fills the width
    # Sides are the subject's own: their right eye is on the image's left.
    assert a.subject.right_eye[0] < a.subject.left_eye[0]


@pytest.mark.parametrize("name", ["frec__two_people.jpg", "dlib__faces_2008_002506.jpg"])
def test_groups(analyzer, name):
    a = analyzer.analyse_path(FIXTURES / name)
    assert a.faces >= 2
    assert a.shot == "group"
    assert len(a.check("face").regions) >= 2


def test_small_face_in_36_megapixel_full_length_still(analyzer):
    # Face mesh's own detector misses this face; the full-range detector + crop mesh finds it.
    a = analyzer.analyse_path(FIXTURES / "compreface__sample_001_A.jpg")
    assert a.size == (4912, 7360)
    assert a.faces == 1
    assert a.shot == "full-length"
    # Eye detail comes from the full-resolution image, so the iris is large enough to judge.
    assert a.check("eye_focus").status is not Status.UNKNOWN


def test_face_cut_at_the_image_left_is_the_subjects_right(analyzer):
    a = analyzer.analyse_path(FIXTURES / "frec__tests_obama_partial_face.jpg")
    framing = a.check("framing")
    assert "face-cut-right" in framing.fields["problems"]
    assert framing.status is Status.WARN  # framing is advisory in the portrait preset


def test_good_headshot_has_no_cut_problems(analyzer):
    a = analyzer.analyse_path(FIXTURES / "deepface__img5.jpg")
    problems = set(a.check("framing").fields["problems"])
    assert not problems & {"top-of-head-cut", "chin-cut", "face-cut-left", "face-cut-right", "eye-line-low"}


def test_synthetic_top_cut_and_low_eye_line(analyzer):
    image = load_image(FIXTURES / "deepface__img5.jpg")
    base = analyzer.analyse_image(image, source="img5")
    lm = landmarks_px(base, image)
    cut = analyzer.analyse_image(synthetic.cut_top(image, lm), source="cut")
    assert "top-of-head-cut" in cut.check("framing").fields["problems"]
    low = analyzer.analyse_image(synthetic.lower_eye_line(image, lm), source="low")
    framing = low.check("framing")
    assert "eye-line-low" in framing.fields["problems"]
    assert framing.fields["eye_line"] > 0.55


def test_shot_types_from_body_extent(analyzer):
    assert analyzer.analyse_path(FIXTURES / "frec__tests_obama3.jpg").shot == "three-quarter"
    assert analyzer.analyse_path(FIXTURES / "frec__obama.jpg").shot == "half-length"
