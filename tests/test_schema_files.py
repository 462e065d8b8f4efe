"""Presets, `[thresholds]`, session.json and the user config, hand-edited wrongly: each is
refused with one line naming the key (never a traceback, a hang or a silent coercion)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fuzz"))
from make_corpus import preset_cases, sample_frames, session_cases  # noqa: E402

from studio import schema  # noqa: E402
from studio.session.state import load_state_file  # noqa: E402
from studio.vision.presets import PresetError, load_preset  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def within(fn, timeout: float = 5.0) -> dict:
    """Run ``fn`` on a thread: its value or exception, failing if it does not finish."""
    box: dict = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - RecursionError and the like are findings too
            box["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "hung"
    return box


def test_every_preset_case_loads_or_is_refused_naming_the_key(tmp_path):
    for case in preset_cases(tmp_path):
        start = time.monotonic()
        box = within(lambda c=case: load_preset(str(c.path)))
        assert time.monotonic() - start < 2.0, case.name
        if case.expect == "ok":
            assert "value" in box, (case.name, box)
            continue
        error = box.get("error")
        assert isinstance(error, PresetError), (case.name, box)
        text = str(error)
        assert "\n" not in text and case.words.lower() in text.lower(), (case.name, text)


def test_threshold_values_keep_the_sign_of_their_default(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text("[thresholds]\nchin_cut_margin = 0\nroll_max = 0.5\n")
    preset = load_preset(str(path))
    assert preset.thresholds.chin_cut_margin == 0.0 and preset.thresholds.roll_max == 0.5
    path.write_text("[thresholds]\nchin_cut_margin = -1\n")
    with pytest.raises(PresetError, match="chin_cut_margin must be at least 0"):
        load_preset(str(path))


def test_a_bad_user_preset_is_one_line_from_the_command_line(tmp_path):
    (tmp_path / "zero.toml").write_text("[thresholds]\nmax_analysis_side = 0\n")
    (tmp_path / "f.jpg").write_bytes(sample_frames(1)[0])
    done = subprocess.run([sys.executable, "-m", "studio.cli", "check", "--preset", "zero.toml", "f.jpg"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "max_analysis_side must be at least 64, not 0" in done.stderr


def test_every_session_file_case_loads_or_is_refused_naming_the_key(tmp_path):
    for case in session_cases(tmp_path):
        box = within(lambda c=case: load_state_file(c.path))
        if case.expect == "ok":
            assert "value" in box, (case.name, box)
            continue
        error = box.get("error")
        assert isinstance(error, ValueError), (case.name, box)
        text = str(error)
        assert "\n" not in text and case.words in text and str(case.path) in text, (case.name, text)


def test_a_hand_edited_session_is_refused_before_anything_starts(tmp_path):
    folder = tmp_path / "2026-01-01_s"
    folder.mkdir()
    (folder / "session.json").write_text('{"name": "s", "slug": "s", "created": "x", '
                                         '"options": {"min_free_mb": "lots"}}')
    done = subprocess.run([sys.executable, "-m", "studio.cli", "run", "--headless", "--session", "s",
                           "--session-root", str(tmp_path), "--frames", "1"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "options.min_free_mb must be a whole number" in done.stderr


@pytest.mark.parametrize("text, words", [
    ("[metadata]\ncreator = 5\n", "creator must be text"),
    ("metadata = 3\n", "must be a table"),
    ("x = " + "[" * 3000 + "]" * 3000 + "\n", "config.toml"),
    ("[metadata\n", "config.toml"),
])
def test_the_user_config_is_refused_naming_the_key(isolated_config, text, words):
    from studio.session.credits import config_path, load_config_credits

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    box = within(load_config_credits)
    assert isinstance(box.get("error"), ValueError), box
    assert "\n" not in str(box["error"]) and words in str(box["error"])


def test_schema_checkers_refuse_lookalikes():
    for value in ("no", 1, 0, None, "true"):
        with pytest.raises(schema.SchemaError, match="must be true or false"):
            schema.boolean(value, "k")
    for value in (True, "3", None, [1]):
        with pytest.raises(schema.SchemaError, match="must be a number"):
            schema.number(value, "k")
    for value in (float("nan"), float("inf"), -float("inf")):
        with pytest.raises(schema.SchemaError, match="finite"):
            schema.number(value, "k")
    deep: list = []
    for _ in range(100_000):  # far past Python's recursion limit: counted without recursing
        deep = [deep]
    with pytest.raises(schema.SchemaError, match="nested more than"):
        schema.shallow(deep, "k")
    assert schema.whole(5.0, "k") == 5 and schema.number(2, "k", lo=0, lo_open=True) == 2


@pytest.mark.parametrize("kind", ["preset", "session"])
def test_every_schema_case_in_a_child_process_has_bounded_time_and_memory(tmp_path, kind):
    import json

    cases = preset_cases(tmp_path) if kind == "preset" else session_cases(tmp_path)
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "fuzz" / "measured.py"), "60", sys.executable,
                           str(ROOT / "tests" / "fuzz" / "load_all.py"), kind, *(str(c.path) for c in cases)],
                          capture_output=True, text=True, timeout=120)
    run = json.loads(done.stdout)
    assert run["returncode"] == 0 and not run["killed"], run["stderr"]
    assert "Traceback" not in run["stderr"]
    assert run["max_rss_mb"] < 1024
    assert len(run["lines"]) == len(cases)
    previous = run["lines"][0][0]  # the first line also carries the imports
    for (arrival, line), case in zip(run["lines"], cases, strict=True):
        item = json.loads(line)
        assert item["path"] == str(case.path)
        assert (item["error"] is None) == (case.expect == "ok"), (case.name, item)
        assert arrival - previous < 2.0, (case.name, arrival - previous)
        previous = arrival
