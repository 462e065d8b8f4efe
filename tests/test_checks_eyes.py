"""eyes_open on real photos: open, closed, one closed, hidden behind dark lenses."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.analysis import Status

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "portraits"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")


@pytest.mark.parametrize(
    "name",
    ["lfw__Laura_Flessel_0001.jpg", "human__stock-emotions-b-1.jpg", "inspireface__reaction_close_eyes.jpeg"],
)
def test_closed_eyes_fail(analyzer, name):
    check = analyzer.analyse_path(FIXTURES / name).check("eyes_open")
    assert check.status is Status.FAIL
    assert check.fields["left"] == "closed" and check.fields["right"] == "closed"


@pytest.mark.parametrize("name", ["frec__obama.jpg", "deepface__img5.jpg", "facenetpt__paul_rudd_1.jpg"])
def test_open_eyes_pass(analyzer, name):
    check = analyzer.analyse_path(FIXTURES / name).check("eyes_open")
    assert check.status is Status.PASS
    assert check.fields["left"] == "open" and check.fields["right"] == "open"
    assert min(check.fields["ear"].values()) > 0.12


def test_one_eye_closed(analyzer):
    check = analyzer.analyse_path(FIXTURES / "inspireface__reaction_close_open_eyes.jpeg").check("eyes_open")
    assert check.status is Status.FAIL
    assert sorted((check.fields["left"], check.fields["right"])) == ["closed", "open"]


def test_eyes_behind_sunglasses_are_unknown(analyzer):
    a = analyzer.analyse_path(FIXTURES / "glassesdet__demo_3.jpg")
    assert a.check("glasses").fields["kind"] == "sunglasses"
    check = a.check("eyes_open")
    assert check.status is Status.UNKNOWN
    assert check.fields["left"] == check.fields["right"] == "unknown"
    assert not a.ready


def test_live_calibration_calls_a_closing_eye_a_blink(analyzer):
    """The checks are pure functions of a FrameContext: feed one with real landmarks whose upper
    lids are lowered, and a snapshot of this subject's recent open-eye EAR."""
    import numpy as np

    from studio.vision.checks.eyes import check_eyes_open
    from studio.vision.context import FrameContext, Recent
    from studio.vision.image import load_image
    from studio.vision.landmarks import LEFT_EAR, RIGHT_EAR, FaceGeometry

    image = load_image(FIXTURES / "deepface__img13.jpg")  # open eyes, EAR 0.32
    a = analyzer.analyse_image(image, source="img13")
    lm = np.array(a.subject.landmarks, np.float32).copy()
    lm[:, 0] *= image.shape[1]
    lm[:, 1] *= image.shape[0]
    lm[:, 2] *= image.shape[1]
    open_ear = FaceGeometry(lm).left_eye.ear
    closing = lm.copy()
    for idx in (RIGHT_EAR, LEFT_EAR):  # move the upper lid points 40 % of the way down: EAR ~0.19
        for upper, lower in ((idx[1], idx[5]), (idx[2], idx[4])):
            closing[upper, :2] += 0.4 * (lm[lower, :2] - lm[upper, :2])
    face = FaceGeometry(closing)
    assert face.left_eye.ear > analyzer.preset.thresholds.ear_uncertain  # a still would say "open"

    def ctx(recent):
        return FrameContext(
            image,
            th=analyzer.preset.thresholds,
            faces=[FaceGeometry(closing)],
            detected_only=[],
            live=recent is not None,
            recent=recent or Recent(),
        )

    assert check_eyes_open(ctx(None)).result.status is Status.PASS
    recent = Recent(ear_right=(open_ear,) * 30, ear_left=(open_ear,) * 30)
    blinking = check_eyes_open(ctx(recent))
    assert blinking.result.status is Status.WARN and "blink" in blinking.result.message


@pytest.mark.parametrize("other", [("open", 0.30), ("half", 0.12)])
def test_one_narrow_eye_beside_an_open_or_squinting_one_is_half_shut_not_closed(other):
    """A turned head or a squint narrows one eye's outline: closed only when it is a wink
    (under ear_one_closed_ratio of the other eye), whether the other is open or half shut."""
    from studio.vision.checks.eyes import one_closed_check
    from studio.vision.thresholds import DEFAULT

    ratio = DEFAULT.ear_one_closed_ratio
    narrow = {"right": ("closed", 0.9 * other[1]), "left": other}
    assert one_closed_check(narrow, ratio)["right"][0] == "half"
    wink = {"right": ("closed", 0.5 * ratio * other[1]), "left": other}
    assert one_closed_check(wink, ratio)["right"][0] == "closed"
    both = {"right": ("closed", 0.05), "left": ("closed", 0.06)}
    assert one_closed_check(both, ratio) == both
