"""Headless words (issue 11 item 9): without --json a headless run prints words, one line each.

A real ``studio run --headless`` subprocess on the bundled sample recording, with an interval
trigger so a shot is fired and saved.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from studio.app import bundled_sample

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def run_headless(tmp_path: Path, *extra: str, timeout: float = 240) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    return subprocess.run([sys.executable, "-m", "studio.cli", "run", "--headless", "--session", "words",
                           "--session-root", str(tmp_path), *extra], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.skipif(not bundled_sample().exists(), reason="the bundled sample recording is missing")
def test_headless_run_prints_words_not_json(tmp_path):
    # Looping for 25 s: on a loaded machine the first seconds pass while the models load, and
    # the sample's NOT READY moments (framing) come round again.
    proc = run_headless(tmp_path, "--interval", "2", "1", "--loop", "--seconds", "25")
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert lines, "nothing printed"
    assert not any(line.lstrip().startswith("{") for line in lines), "a JSON dump on stdout"
    # One line per event, each tagged with where it comes from.
    assert all(re.match(r"^\[(frame \d+|live|camera|capture|stop)\] \S", line) for line in lines), lines
    states = [line for line in lines if line.startswith("[frame")]
    assert any(line.endswith("] READY") for line in states), states
    assert any("HOLD STILL" in line for line in states), states
    not_ready = [line for line in states if "NOT READY:" in line]
    # The READY machine's words come with the one instruction to follow ("→ Zoom out a little").
    assert not_ready and all(re.search(r"→ [A-Z][a-z]", line) for line in not_ready), not_ready
    assert any(line.startswith("[camera] camera connected") for line in lines)
    assert any(line.startswith("[capture] fired by interval") for line in lines)
    assert any(line.startswith("[capture] saved words-0001.jpg") for line in lines)
    # The summary is words too, and counts the shots separately.
    assert re.search(r"shots: 1 fired, 1 saved, 0 failed, \d+ skipped", proc.stderr), proc.stderr[-800:]
    assert "{" not in proc.stderr.splitlines()[-1]


@pytest.mark.skipif(not bundled_sample().exists(), reason="the bundled sample recording is missing")
def test_json_mode_keeps_words_off_stdout(tmp_path):
    proc = run_headless(tmp_path, "--json", "--frames", "20")
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert len(lines) == 20 and all(line.startswith("{") for line in lines)
    assert "[camera] camera connected" in proc.stderr
