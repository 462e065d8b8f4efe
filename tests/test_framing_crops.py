"""Crops as photographers name them, and the classic tight headshot as a valid headshot.

Real fixture photos for the crop names; classic tight headshots (top of the hair cropped, the
frame ending at the neck) cut from real photos with a known truth (scripts/tune_scene.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scripts.tune_scene import tight_headshot
from studio.analysis import Status
from studio.vision import Analyzer, load_image, load_preset
from studio.vision.checks.framing import CROPS

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "portraits"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")

SOURCES = ("deepface__img24.jpg", "facenetpt__paul_rudd_1.jpg", "openface__lennon-1.jpg",
           "deepface__img35.jpg", "deepface__img33.jpg", "deepface__img61.jpg",
           "compreface__sample_007_B.jpg", "frec__obama.jpg", "deepface__img59.jpg",
           "frec__knntest_alex_lacamoire1.jpg")
STYLE_CUTS = {"top-of-head-cut", "chin-cut", "crop-at-joint:neck", "eye-line-high"}


@pytest.fixture(scope="module")
def tight_cases():
    """(name, tight crop) for every source the crop fits in."""
    out = []
    with Analyzer("portrait", mode="still") as analyzer:
        for name in SOURCES:
            image = load_image(FIXTURES / name)
            a = analyzer.analyse_image(image, source=name)
            if a.subject is None:
                continue
            lm = np.array(a.subject.landmarks, np.float32).copy()
            lm[:, 0] *= image.shape[1]
            lm[:, 1] *= image.shape[0]
            crop = tight_headshot(image, lm, name)
            if crop is not None:
                out.append((name, crop))
    assert len(out) >= 5, [n for n, _ in out]
    return out


def test_crop_names_of_real_photos():
    expected = {"frec__obama.jpg": "half-length", "frec__tests_obama3.jpg": "three-quarter",
                "compreface__sample_001_A.jpg": "full-length", "frec__two_people.jpg": "group"}
    with Analyzer("portrait", mode="still") as analyzer:
        for name, crop in expected.items():
            framing = analyzer.analyse_path(FIXTURES / name).check("framing")
            assert framing.fields["crop"] == crop, (name, framing.fields)
        for name in ("deepface__img5.jpg", "deepface__img24.jpg", "facenetpt__paul_rudd_1.jpg"):
            a = analyzer.analyse_path(FIXTURES / name)
            assert a.shot == "headshot"
            assert a.check("framing").fields["crop"] in CROPS[:3]  # tight, head and shoulders, bust


def test_the_crop_name_is_in_the_json_form(analyzer):
    checks = analyzer.analyse_path(FIXTURES / "deepface__img24.jpg").to_json()["checks"]
    assert checks["framing"]["crop"] in CROPS
    assert checks["framing"]["message"].startswith(("Tight headshot", "Head and shoulders", "Bust"))


@pytest.mark.parametrize("preset", ["commercial-headshot", "theatrical-headshot"])
def test_a_classic_tight_headshot_is_a_valid_headshot(tight_cases, preset):
    named = 0
    with Analyzer(preset, mode="still") as analyzer:
        for name, crop in tight_cases:
            framing = analyzer.analyse_image(crop, source=name + "#tight").check("framing")
            assert framing.status is Status.PASS, (name, framing.message)  # accepted, every one
            assert "neck" not in framing.message and "top of the head" not in framing.message
            named += framing.fields["crop"] == "tight-headshot"
    # The name: a crop barely into the hair and ending low on the neck may read as a
    # head-and-shoulders (the crown is an estimate); most read as what they are.
    assert named >= 0.75 * len(tight_cases)


def test_the_id_photo_preset_still_reports_a_tight_crop(tight_cases):
    """An ID photo needs the whole head and the neck: a crop into the head (by more than
    ``top_cut_margin``) or ending at the neck is a fault there."""
    th = load_preset("id-photo").thresholds
    cut = 0
    with Analyzer("id-photo", mode="still") as analyzer:
        for name, crop in tight_cases:
            framing = analyzer.analyse_image(crop, source=name + "#tight").check("framing")
            into_head = framing.fields["crown"] < -th.top_cut_margin
            at_neck = framing.fields["below_crown"] < 1 + th.neck_crop_band / 2
            if into_head or at_neck:
                cut += 1
                assert STYLE_CUTS & set(framing.fields["problems"]), (name, framing.fields)
                assert framing.status is not Status.PASS
    assert cut >= len(tight_cases) // 2  # not vacuous: most crops cut into the head or end at the neck


def test_framing_messages_say_each_thing_once():
    """'Half-length: half-length (preset wants headshot)' said the shot twice."""
    with Analyzer("commercial-headshot", mode="still") as analyzer:
        framing = analyzer.analyse_path(FIXTURES / "frec__obama.jpg").check("framing")
    assert framing.fields["shot"] == "half-length" and "shot-type" in framing.fields["problems"]
    assert framing.message.startswith("Half-length: ")
    assert framing.message.lower().count("half-length") == 1
    assert "the preset wants headshot" in framing.message
    words = [w.strip(";:,.()") for w in framing.message.lower().split()]
    notes = framing.message.split(": ", 1)[1].split("; ")
    assert len(notes) == len(set(notes)) and len(words) >= 4


def test_the_crop_name_follows_the_bottom_edge_down_the_body():
    """One real half-length photo cut ever lower, from just under the chin to its own bottom: the
    names come in the photographers' order (tight, head and shoulders, bust, body), never back."""
    order = {name: i for i, name in enumerate(CROPS)}
    image = load_image(FIXTURES / "frec__obama.jpg")
    with Analyzer("commercial-headshot", mode="still") as analyzer:
        whole = analyzer.analyse_image(image, source="obama")
        chin = float(whole.subject.landmarks[152, 1]) * image.shape[0]
        names = []
        for bottom in np.linspace(chin + 8, image.shape[0], 12):
            framing = analyzer.analyse_image(image[: int(bottom)].copy(), source="cut").check("framing")
            names.append(framing.fields["crop"])
    ranks = [order[n] for n in names]
    assert ranks == sorted(ranks), names
    assert names[0] == "tight-headshot" and order[names[-1]] >= order["half-length"], names
    assert {"head-and-shoulders", "bust"} <= set(names), names  # every headshot crop on the way


def test_margin_cut_takes_the_middle_of_the_widest_best_interval():
    from scripts.tune_crops import loo, margin_cut

    x = np.array([0.1, 0.2, 0.3, 1.0, 1.1, 1.2])
    up = x > 0.5
    acc, cut = margin_cut(x, up)
    assert acc == 1.0 and abs(cut - 0.65) < 1e-9  # between 0.3 and 1.0, not at either edge
    noisy = np.array([0.1, 0.2, 0.3, 0.35, 1.0, 1.1, 1.2])
    assert margin_cut(noisy, np.array([0, 0, 0, 1, 1, 1, 1], bool))[1] < 0.35 + 1e-9
    assert loo(x, up) == len(x)
