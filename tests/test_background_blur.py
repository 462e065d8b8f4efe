"""Background: a softly blurred background is plain; objects, text and patterns in focus are
busy. Real photos, changed only where the person mask says background (a known truth)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from studio.analysis import Status
from studio.vision import Analyzer, load_image
from studio.vision.calibrated import load_model
from studio.vision.models import Models

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "portraits"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")


@pytest.fixture(scope="module")
def id_photo():
    with Analyzer("id-photo", mode="still") as a:  # background required: always computed
        yield a


@pytest.fixture(scope="module")
def segmenter():
    models = Models(live=False)
    yield models
    models.close()


def _person(models: Models, image: np.ndarray) -> np.ndarray:
    mask = models.person_mask(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    return cv2.resize(mask, (image.shape[1], image.shape[0]))[..., None]


def _blend(person: np.ndarray, subject: np.ndarray, background: np.ndarray) -> np.ndarray:
    return (subject * person + background * (1 - person)).astype(np.uint8)


def test_the_packaged_models_load_offline():
    for name in ("background", "clothing"):
        model = load_model(name)
        assert model.features and 0.0 < model.cut < 1.0 and "tune half" in model.about


def test_busy_background_blurred_softly_becomes_plain(id_photo, segmenter):
    """Flags and curtains behind Obama are busy; the same background under a soft blur (σ 2 %
    of the frame, a shallow depth of field) is plain, the subject untouched."""
    image = load_image(FIXTURES / "frec__obama.jpg")
    busy = id_photo.analyse_image(image, source="obama").check("background")
    assert busy.status is Status.WARN and busy.fields["busy"] is True
    soft = cv2.GaussianBlur(image, (0, 0), 0.02 * max(image.shape[:2]))
    blurred = _blend(_person(segmenter, image), image, soft)
    plain = id_photo.analyse_image(blurred, source="obama-blurred").check("background")
    assert plain.status is Status.PASS and plain.fields["busy"] is False
    assert plain.fields["p_busy"] < busy.fields["p_busy"]


def test_text_in_focus_on_a_plain_backdrop_is_busy(id_photo, segmenter):
    image = load_image(FIXTURES / "deepface__img13.jpg")
    plain = id_photo.analyse_image(image, source="img13").check("background")
    assert plain.status is Status.PASS
    h, w = image.shape[:2]
    text = image.copy()
    for i in range(6):
        cv2.putText(text, "STUDIO SALE 50%", (int(0.02 * w), int((0.1 + 0.15 * i) * h)),
                    cv2.FONT_HERSHEY_SIMPLEX, w / 900, (20, 20, 20), max(2, w // 300))
    lettered = _blend(_person(segmenter, image), image, text)
    busy = id_photo.analyse_image(lettered, source="img13-text").check("background")
    assert busy.status is Status.WARN and busy.fields["busy"] is True
    assert "plain backdrop" in busy.message


def test_too_little_background_is_unknown_with_its_reason(id_photo):
    """A face filling the frame leaves no background to judge: it says so."""
    image = load_image(FIXTURES / "deepface__img24.jpg")
    a = id_photo.analyse_image(image, source="img24")
    x, y, bw, bh = a.subject.box
    h, w = image.shape[:2]
    crop = image[int(y * h) : int((y + bh * 0.9) * h), int((x + bw * 0.12) * w) : int((x + bw * 0.88) * w)]
    check = id_photo.analyse_image(np.ascontiguousarray(crop), source="face-only").check("background")
    if check.status is Status.UNKNOWN:
        assert check.message in ("Too little background to judge", "No face",
                                 "Face too small or blurred to analyse")
    else:  # the mask left some background: then it is judged, with its measured fraction
        assert check.fields["fraction"] >= 0.08
