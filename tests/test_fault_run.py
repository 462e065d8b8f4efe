"""Faults at scale, the small version (issue 13 item 3): benchmarks/fault_run.py on the virtual
camera with 100 captures, busy replies, failed downloads, 1 unplug and 1 silent stall. The
1,000-capture run and its figures are in docs/reliability.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.camera, pytest.mark.slow]


def test_100_captures_with_faults_lose_nothing(tmp_path):
    out = tmp_path / "figures.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fault_run.py"), "--captures", "100",
                           "--unplugs", "1", "--stalls", "1", "--download-errors", "5", "--busy", "8",
                           "--seed", "7", "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert out.exists(), proc.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert figures["checks"] == {k: True for k in figures["checks"]}, figures
    assert proc.returncode == 0
    injected = figures["injected"]
    assert injected["unplugs"] == 1 and injected["stalls"] == 1
    assert injected["download_failures"] == 5 and injected["busy_replies"] >= 8
    # Every picture the camera took is a file (the run checks byte identity and the counter);
    # only the shots asked for while the camera was away failed.
    assert figures["files_on_disk"] == figures["pictures_taken"] >= 95
    assert figures["outcomes"]["saved"] >= 95
    assert max(figures["replug_to_connected_s"]) <= 2.0
    assert max(figures["stall_to_connected_s"]) <= 5.0
