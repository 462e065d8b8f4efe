"""Hook scripts cannot hang studio or blow up its memory (issue 13): real scripts, real processes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from studio.session.hooks import OUTPUT_CAP, Hook

ROOT = Path(__file__).resolve().parents[1]


def write_script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


def _kill_pid_in(path: Path) -> None:
    if path.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(path.read_text().split()[0]), signal.SIGKILL)


def test_detached_child_holding_the_pipe_does_not_block(tmp_path):
    pid_file = tmp_path / "child.pid"
    # The child is in its own session (killpg cannot reach it) and inherits stderr.
    script = write_script(tmp_path / "detach.sh",
                          f"setsid sleep 120 & echo $! > {pid_file}\necho started >&2\nexit 0\n")
    hook = Hook(script, cwd=tmp_path, timeout_s=30)
    try:
        started = time.monotonic()
        assert hook.run("init") is True
        elapsed = time.monotonic() - started
    finally:
        _kill_pid_in(pid_file)
    assert elapsed < 3.0, f"hook with a detached child took {elapsed:.1f} s"


def test_timeout_with_a_detached_child_is_bounded(tmp_path):
    pid_file = tmp_path / "child.pid"
    script = write_script(tmp_path / "hang.sh", f"setsid sleep 120 & echo $! > {pid_file}\nsleep 60\n")
    hook = Hook(script, cwd=tmp_path, timeout_s=0.5)
    try:
        started = time.monotonic()
        assert hook.run("stop") is False
        elapsed = time.monotonic() - started
    finally:
        _kill_pid_in(pid_file)
    assert elapsed < 4.0, f"timed-out hook took {elapsed:.1f} s to give up"


def test_failing_hook_reports_its_last_stderr_line(tmp_path, caplog):
    script = write_script(tmp_path / "fail.sh", "echo first >&2; echo 'the real reason' >&2; exit 3\n")
    assert Hook(script, cwd=tmp_path).run("start") is False
    assert "status 3 the real reason" in caplog.text


def test_hook_writing_300_mb_to_stderr_keeps_memory_bounded(tmp_path):
    # In a fresh interpreter so its peak RSS is the hook's doing, compared with the same
    # interpreter running a silent hook.
    loud = write_script(tmp_path / "loud.sh", "head -c 300000000 /dev/zero | tr '\\0' x >&2\n"
                                              "echo done >&2\nexit 1\n")
    quiet = write_script(tmp_path / "quiet.sh", "exit 1\n")
    code = ("import resource, sys; sys.path.insert(0, sys.argv[2])\n"
            "from studio.session.hooks import Hook\n"
            "ok = Hook(sys.argv[1], timeout_s=120).run('download', 'x.jpg')\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, ok)\n")

    def peak_kb(script: Path) -> int:
        out = subprocess.run([sys.executable, "-c", code, str(script), str(ROOT)], capture_output=True,
                             text=True, timeout=180, check=True).stdout.split()
        assert out[1] == "False"
        return int(out[0])

    baseline, loud_peak = peak_kb(quiet), peak_kb(loud)
    assert loud_peak - baseline < 20 * 1024, f"RSS grew {(loud_peak - baseline) / 1024:.0f} MB"
    assert OUTPUT_CAP <= 64 * 1024
