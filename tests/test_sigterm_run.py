"""SIGTERM behaves like Ctrl-C (issue 13): stop hook, summary, the camera closed (live view left).

A real ``studio run --headless`` subprocess on the bundled sample recording, looping, with a
hook script that logs every action it is run for.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studio.app import bundled_sample

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not bundled_sample().exists(), reason="bundled sample missing")]


def start_run(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / "hook.log"
    hook = tmp_path / "hook.sh"
    hook.write_text(f'#!/bin/sh\necho "$ACTION" >> {log}\n')
    hook.chmod(0o755)
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    proc = subprocess.Popen([sys.executable, "-m", "studio.cli", "run", "--headless", "--loop",
                             "--session", "term", "--session-root", str(tmp_path / "sessions"),
                             "--hook", str(hook)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    return proc, log


def wait_for_line(proc: subprocess.Popen, prefix: str, timeout: float) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line.rstrip())
        if line.startswith(prefix):
            return seen
    raise AssertionError(f"no {prefix!r} line within {timeout} s: {seen}")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_the_run_cleanly(tmp_path, sig):
    proc, log = start_run(tmp_path)
    try:
        wait_for_line(proc, "[frame", timeout=180)  # models loaded, live view analysed
        assert log.read_text().split() == ["init", "start"]
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == 0, err[-2000:]
    assert f"[stop] {sig.name}: stopped" in out
    assert "[camera] camera closed" in out  # the camera was closed: live view left
    assert "summary:" in err and "frames analysed" in err
    assert "Traceback" not in err
    assert log.read_text().split() == ["init", "start", "stop"]
