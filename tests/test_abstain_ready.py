"""Honest abstention and READY: a check that cannot judge says ``unknown`` with its reason, and
READY waits only on the checks the preset needs for the shot type in view."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from studio.analysis import CheckResult, Status
from studio.vision import Analyzer, load_image, load_preset
from studio.vision.evaluate import excused, readiness
from studio.vision.presets import EYE_DETAIL, WIDE_SHOTS

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "portraits"
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")


def _results(**statuses: Status) -> list[CheckResult]:
    return [CheckResult(cid, status, f"{cid} {status.value}") for cid, status in statuses.items()]


def test_an_eye_detail_unknown_is_excused_only_in_a_wide_shot():
    preset = load_preset("portrait")
    results = _results(face=Status.PASS, eyes_open=Status.PASS, eye_focus=Status.UNKNOWN, glare=Status.PASS)
    for shot in WIDE_SHOTS:
        required, spared, ready = readiness(preset, True, shot, results)
        assert spared == ("eye_focus",) and ready and "eye_focus" in required
    required, spared, ready = readiness(preset, True, "headshot", results)
    assert spared == () and not ready  # a headshot's irises are big enough: unknown holds READY


def test_a_verdict_the_check_does_give_still_counts_in_a_wide_shot():
    preset = load_preset("portrait")
    closed = _results(face=Status.PASS, eyes_open=Status.FAIL, eye_focus=Status.UNKNOWN, glare=Status.PASS)
    assert excused(preset, "full-length", closed) == ("eye_focus",)
    assert readiness(preset, True, "full-length", closed)[2] is False  # closed eyes: not ready


def test_only_eye_detail_is_ever_excused_and_never_without_a_subject():
    preset = load_preset("id-photo")
    results = _results(face=Status.PASS, framing=Status.UNKNOWN, exposure=Status.UNKNOWN,
                       background=Status.UNKNOWN, eye_focus=Status.UNKNOWN)
    assert set(excused(preset, "full-length", results)) <= set(EYE_DETAIL)
    assert readiness(preset, False, "full-length", _results(face=Status.PASS))[2] is False


@needs_fixtures
def test_a_full_length_still_with_tiny_irises_can_be_ready():
    """The 36 MP full-length fixture shrunk to 1200 px: its irises are a few pixels, eye focus
    cannot be judged and says why; READY does not wait for it."""
    image = load_image(FIXTURES / "compreface__sample_001_A.jpg")
    k = 1200 / image.shape[0]
    small = cv2.resize(image, (round(image.shape[1] * k), 1200), interpolation=cv2.INTER_AREA)
    with Analyzer("portrait", mode="still") as analyzer:
        a = analyzer.analyse_image(small, source="full-length")
    focus = a.check("eye_focus")
    assert a.shot == "full-length"
    assert focus.status is Status.UNKNOWN and "small" in focus.message  # the reason, not a guess
    assert "eye_focus" in a.excused and "eye_focus" not in [c.id for c in a.problems]
    others = [c for c in a.checks if c.id in a.required and c.id not in a.excused]
    assert a.ready == all(c.status is Status.PASS for c in others)
    assert a.to_json()["excused"] == list(a.excused)


@needs_fixtures
def test_a_small_headshot_whose_focus_cannot_be_judged_is_not_ready():
    with Analyzer("portrait", mode="still") as analyzer:
        a = analyzer.analyse_path(FIXTURES / "lfw__Raul_Rivero_0001.jpg")
    assert a.shot == "headshot" and a.check("eye_focus").status is Status.UNKNOWN
    assert a.excused == () and not a.ready
    assert "eye_focus" in [c.id for c in a.problems]
