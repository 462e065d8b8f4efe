"""Presets: built-ins, thresholds with reasons, user TOML overrides, severity."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from studio.analysis import CHECK_IDS, Status
from studio.vision import PRESETS, Analyzer, PresetError, Thresholds, load_preset

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "portraits"


def test_builtin_presets():
    assert set(PRESETS) == {"commercial-headshot", "theatrical-headshot", "portrait", "id-photo"}
    for name in PRESETS:
        preset = load_preset(name)
        assert preset.name == name
        assert set(preset.required) <= set(CHECK_IDS)
        assert "face" in preset.required and "eyes_open" in preset.required
    assert load_preset("id-photo").thresholds.yaw_max < load_preset("portrait").thresholds.yaw_max


def test_every_threshold_says_why():
    th = Thresholds()
    for f in fields(th):
        assert len(th.why(f.name)) > 20, f.name


def test_unknown_preset_is_a_clear_error():
    with pytest.raises(PresetError, match="unknown preset 'nope'.*commercial-headshot"):
        load_preset("nope")


def test_user_preset_from_xdg_config(tmp_path, monkeypatch):
    folder = tmp_path / "studio" / "presets"
    folder.mkdir(parents=True)
    (folder / "team-day.toml").write_text(
        'base = "commercial-headshot"\nrequired = ["face", "eyes_open"]\nadvisory = ["framing"]\n'
        "[thresholds]\near_closed = 0.08\neye_line_low = 0.45\n"
    )
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    preset = load_preset("team-day")
    assert preset.required == ("face", "eyes_open")
    assert preset.checks == ("face", "framing", "eyes_open")
    assert preset.thresholds.ear_closed == 0.08 and preset.thresholds.eye_line_low == 0.45
    # untouched values kept
    assert preset.thresholds.glare_fail_eye_cover == Thresholds().glare_fail_eye_cover


def test_user_preset_overrides_a_builtin_of_the_same_name(tmp_path, monkeypatch):
    folder = tmp_path / "studio" / "presets"
    folder.mkdir(parents=True)
    (folder / "portrait.toml").write_text("[thresholds]\nroll_max = 3\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    preset = load_preset("portrait")
    assert preset.thresholds.roll_max == 3.0
    assert preset.allow_groups  # the rest of the built-in portrait preset


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[thresholds]\nnot_a_threshold = 1\n", "unknown threshold"),
        ('required = ["face", "smile"]\n', "unknown required smile"),
        ("colour = 3\n", "unknown key"),
        ("required = [\n", "bad.toml"),
        ('base = ["portrait"]\n', "unknown base preset"),
        ("[thresholds]\neye_line_low = true\n", "eye_line_low must be a number, not true"),
    ],
)
def test_bad_preset_files(tmp_path, text, match):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(PresetError, match=match):
        load_preset(path)


@pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")
def test_required_checks_and_advisory_downgrade():
    # The same photo: framing problems fail in a headshot preset (required) but only warn in
    # the portrait preset (advisory); ready follows the required checks only.
    path = FIXTURES / "frec__tests_obama_partial_face.jpg"
    with Analyzer("commercial-headshot", mode="still") as strict, Analyzer("portrait", mode="still") as loose:
        a = strict.analyse_path(path)
        b = loose.analyse_path(path)
    assert a.required == load_preset("commercial-headshot").required
    assert a.check("framing").status is Status.FAIL
    assert b.check("framing").status is Status.WARN
    assert "framing" in {c.id for c in a.problems}
    assert b.check("background") is None  # not computed by the portrait preset
    assert b.ready == all(c.status is Status.PASS for c in b.checks if c.id in b.required)
