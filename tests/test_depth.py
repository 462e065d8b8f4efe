"""Depth-of-field advice (check ``depth``) on real photos whose background is blurred where the
person mask says background (a known truth), and the f-number read from libgphoto2's virtual
camera reaching the advice text."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.base import ExposureControl, Setting, SettingKind
from drivers.camera_settings import aperture_of, f_number
from studio.analysis import CHECK_IDS, Status
from studio.vision import Analyzer, load_image
from studio.vision.models import Models
from studio.vision.presets import load_preset

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "portraits"
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")
# Busy backgrounds in focus: a room behind the subject, flags and curtains.
SHARP_BACKGROUNDS = ("compreface__sample_001_A.jpg", "frec__obama.jpg")

# Only the checks these tests read (the built-in preset is tested once, whole).
HEADSHOT = replace(load_preset("commercial-headshot"), required=("face",), advisory=("depth",))
ENVIRONMENTAL = replace(load_preset("portrait"), required=("face",), advisory=("depth",),
                        thresholds=load_preset("portrait").thresholds.updated(depth_keep_background=1))


@pytest.fixture(scope="module")
def segmenter():
    models = Models(live=False)
    yield models
    models.close()


@pytest.fixture(scope="module")
def pictures(segmenter):
    """(as shot, background blurred) for each photo with a sharp busy background."""
    out = {}
    if not FIXTURES.is_dir():
        return out
    for name in SHARP_BACKGROUNDS:
        image = load_image(FIXTURES / name)
        mask = segmenter.person_mask(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
        person = cv2.resize(mask, (image.shape[1], image.shape[0]))[..., None]
        soft = cv2.GaussianBlur(image, (0, 0), 0.02 * max(image.shape[:2]))
        out[name] = (image, (image * person + soft * (1 - person)).astype(np.uint8))
    return out


_ANALYZERS: dict[int, Analyzer] = {}


@pytest.fixture(scope="module", autouse=True)
def _close_analyzers():
    yield
    for a in _ANALYZERS.values():
        a.close()
    _ANALYZERS.clear()


def _depth(preset, image, aperture=None):
    """(analysis, depth result) of ``image`` under ``preset`` with the camera's ``aperture``."""
    a = _ANALYZERS.get(id(preset))
    if a is None:
        a = _ANALYZERS[id(preset)] = Analyzer(preset, mode="still")
    a.set_camera_hints(aperture=aperture)
    analysis = a.analyse_image(image, source="test")
    return analysis, analysis.check("depth")


def test_depth_is_a_check_id_every_headshot_preset_computes_as_advice():
    assert "depth" in CHECK_IDS
    for name in ("commercial-headshot", "theatrical-headshot", "portrait"):
        preset = load_preset(name)
        assert "depth" in preset.advisory and "depth" not in preset.required


@needs_fixtures
@pytest.mark.parametrize("name", SHARP_BACKGROUNDS)
def test_headshot_with_a_sharp_background_is_told_to_open_up(pictures, name):
    sharp, blurred = pictures[name]
    _, busy = _depth(HEADSHOT, sharp)
    assert busy.status is Status.WARN  # an advisory warning: shown, READY never reads it
    assert busy.fields["advice"] == "open up"
    assert "open up (f/2.8 or wider)" in busy.message and "now f/" not in busy.message  # no f-number known
    _, soft = _depth(HEADSHOT, blurred)
    assert soft.status is Status.PASS and soft.fields["advice"] is None
    assert soft.fields["separation"] > busy.fields["separation"]
    assert soft.fields["background"] < busy.fields["background"]


@needs_fixtures
def test_the_known_f_number_is_named_and_a_wide_lens_is_not_told_to_open(pictures):
    sharp, _ = pictures["compreface__sample_001_A.jpg"]
    _, closed = _depth(HEADSHOT, sharp, aperture="f/8")
    assert closed.fields["advice"] == "open up" and "(now f/8)" in closed.message
    assert closed.fields["aperture"] == 8.0
    _, wide = _depth(HEADSHOT, sharp, aperture=2.0)
    assert wide.fields["advice"] is None and "at f/2" in wide.message and "move the subject" in wide.message


@needs_fixtures
def test_environmental_portrait_with_a_blurred_background_is_told_to_stop_down(pictures):
    sharp, blurred = pictures["frec__obama.jpg"]
    _, soft = _depth(ENVIRONMENTAL, blurred, aperture="f/1.8")
    assert soft.status is Status.WARN and soft.fields["advice"] == "stop down"
    assert "stop down (now f/1.8)" in soft.message
    _, kept = _depth(ENVIRONMENTAL, sharp)
    assert kept.fields["advice"] is None and kept.message == "Background readable"


@needs_fixtures
def test_the_built_in_headshot_preset_never_waits_on_the_advice(pictures):
    """Whole commercial-headshot preset: the advice is there, and READY is what the other
    required checks say (the same frame with the depth check left out agrees)."""
    sharp, _ = pictures["compreface__sample_001_A.jpg"]
    preset = load_preset("commercial-headshot")
    analysis, depth = _depth(preset, sharp, aperture="f/11")
    assert depth.fields["advice"] == "open up" and "depth" not in analysis.required
    assert all(c.id != "depth" for c in analysis.problems)
    without = replace(preset, advisory=tuple(c for c in preset.advisory if c != "depth"))
    other, _ = _depth(without, sharp)
    assert other.check("depth") is None and other.ready == analysis.ready
    # A preset that makes depth required still gets the advice, as a pass: it never blocks.
    required = replace(HEADSHOT, required=("face", "depth"), advisory=())
    strict, advised = _depth(required, sharp, aperture="f/11")
    assert advised.status is Status.PASS and advised.fields["advice"] == "open up"
    loose, _ = _depth(HEADSHOT, sharp)
    assert strict.ready == loose.ready


def test_a_user_preset_file_can_keep_the_background(tmp_path):
    path = tmp_path / "environmental.toml"
    path.write_text('base = "portrait"\n[thresholds]\ndepth_keep_background = 1\n', encoding="utf-8")
    preset = load_preset(path)
    assert "depth" in preset.checks and preset.thresholds.depth_keep_background == 1.0


@pytest.mark.parametrize("text, value", [("f/5.6", 5.6), ("F/8", 8.0), ("F11", 11.0), ("4", 4.0),
                                         (2.8, 2.8), ("f/1,4", 1.4), ("auto", None), ("", None),
                                         (None, None), (True, None), ("f/0", None), ("f/nan", None)])
def test_f_numbers_as_cameras_spell_them(text, value):
    assert f_number(text) == value


def test_the_aperture_is_the_setting_the_driver_tagged():
    untagged = Setting("f-number", "F-Number", SettingKind.CHOICE, "f/4", ("f/4", "f/8"))
    tagged = replace(untagged, name="aperture", value="f/5.6", control=ExposureControl.APERTURE)
    assert aperture_of({"f-number": untagged}) is None
    assert aperture_of({"f-number": untagged, "aperture": tagged}) == 5.6


@pytest.mark.camera
@needs_fixtures
def test_virtual_camera_f_number_reaches_the_advice(tmp_path, pictures):
    """libgphoto2's virtual camera: set f/11 through the driver, read the settings back, hand
    the tagged aperture to the analyser: the advice names f/11."""
    from tests.test_gphoto_driver import run_scenario

    res = run_scenario(tmp_path, """
        from drivers.camera_settings import aperture_of
        cam = GphotoCamera(OUT / "photos", GphotoOptions(hotplug="off"))
        cam.open()
        cam.set_setting("f-number", "f/11").result(10)
        settings = cam.settings().result(10)
        cam.close()
        result(aperture=aperture_of(settings), raw=settings["f-number"].value)
    """)
    assert res["raw"] == "f/11" and res["aperture"] == 11.0
    sharp, _ = pictures["compreface__sample_001_A.jpg"]
    _, depth = _depth(HEADSHOT, sharp, aperture=res["aperture"])
    assert depth.fields["advice"] == "open up" and "(now f/11)" in depth.message


@needs_fixtures
def test_live_view_gives_the_advice_once_the_worker_has_a_mask(pictures):
    """Live view: the person mask comes from the model worker; within a few seconds of frames
    the depth verdict is judged (not "not measured yet") and carries the camera's f-number."""
    import time

    from drivers.base import LiveFrame

    sharp, _ = pictures["compreface__sample_001_A.jpg"]
    size = (960, round(960 * sharp.shape[0] / sharp.shape[1]))
    small = cv2.resize(sharp, size, interpolation=cv2.INTER_AREA)
    jpeg = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
    with Analyzer(HEADSHOT, mode="live") as live:
        live.set_camera_hints(aperture="f/5.6")
        depth = None
        deadline = time.monotonic() + 30.0
        seq = 0
        while time.monotonic() < deadline:
            seq += 1
            frame = LiveFrame(jpeg, seq, seq / 30.0, (small.shape[1], small.shape[0]))
            depth = live.analyse_frame(frame).check("depth")
            if depth is not None and depth.fields.get("advice") is not None:
                break
            time.sleep(0.02)
    assert depth is not None and depth.status is Status.WARN, depth
    assert depth.fields["advice"] == "open up" and "(now f/5.6)" in depth.message


@pytest.mark.camera
def test_the_app_hands_the_virtual_camera_f_number_to_the_analyser(tmp_path):
    """StudioApp reads the camera's settings when it starts: the f-number set on libgphoto2's
    virtual camera is the one the depth advice will name."""
    from tests.test_gphoto_driver import run_scenario

    res = run_scenario(tmp_path, """
        import time
        from studio.app import StudioApp
        cam = GphotoCamera(OUT / "photos", GphotoOptions(hotplug="off"))
        cam.open()
        cam.set_setting("f-number", "f/11").result(10)
        app = StudioApp(cam, preset="commercial-headshot")
        app.start()
        deadline = time.monotonic() + 20
        while app.camera_aperture is None and time.monotonic() < deadline:
            time.sleep(0.1)
        aperture = app.camera_aperture
        app.stop()
        result(aperture=aperture)
    """)
    assert res["aperture"] == 11.0
