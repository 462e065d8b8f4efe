"""A hook script in the manner of gphoto2's ``--hook-script``.

The script is run with an argument list (never through a shell) and ``ACTION`` (``init``,
``start``, ``download``, ``stop``) and ``ARGUMENT`` (the downloaded file, for ``download``) in
its environment, from the session folder, with a time limit. Its failure is logged and never
stops the session.
"""

from __future__ import annotations

import contextlib
import logging
import os
import selectors
import signal
import subprocess
import time
from pathlib import Path

log = logging.getLogger(__name__)

ACTIONS = ("init", "start", "download", "stop")
# What is kept of a hook's stderr: its last 64 kB (a script writing 300 MB costs nothing).
OUTPUT_CAP = 64 * 1024
# After the script itself has ended, how long its stderr may stay open: a child it left behind
# (``setsid sleep 120 &``) holds the pipe, and must not keep studio waiting.
DRAIN_AFTER_EXIT_S = 0.5
# After SIGKILL to its process group, how long to wait for the script to be reaped.
REAP_S = 2.0


class HookError(ValueError):
    """A hook script that cannot be used (missing, not executable)."""


class _Tail:
    """The last ``cap`` bytes written to a pipe, read without blocking."""

    def __init__(self, cap: int = OUTPUT_CAP) -> None:
        self.cap = cap
        self.data = bytearray()
        self.total = 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        self.data += chunk
        if len(self.data) > self.cap:
            del self.data[:len(self.data) - self.cap]

    def last_line(self) -> str:
        lines = self.data.decode(errors="replace").strip().splitlines()
        return lines[-1][:300] if lines else ""


def _pump(proc: subprocess.Popen, tail: _Tail, deadline: float) -> bool:
    """Read the script's stderr into ``tail`` until it has ended (True) or ``deadline`` (False).

    Every wait is bounded: the pipe is read only while the script runs and for
    :data:`DRAIN_AFTER_EXIT_S` after; whatever still holds it open then is not waited for.
    """
    assert proc.stderr is not None
    fd = proc.stderr.fileno()
    os.set_blocking(fd, False)
    exited_at: float | None = None
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while True:
            now = time.monotonic()
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at >= DRAIN_AFTER_EXIT_S:
                return True
            if exited_at is None and now >= deadline:
                return False
            limit = deadline if exited_at is None else exited_at + DRAIN_AFTER_EXIT_S
            if not sel.select(timeout=max(0.0, min(0.1, limit - now))):
                continue
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if chunk:
                tail.add(chunk)
                continue
            try:  # every writer closed the pipe: only the script's exit is left to wait for
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
                return True
            except subprocess.TimeoutExpired:
                return False


class Hook:
    def __init__(self, script: Path | str, *, cwd: Path | None = None, timeout_s: float = 30.0) -> None:
        self.script = Path(script).expanduser().resolve()
        if not self.script.is_file():
            raise HookError(f"hook script {script} does not exist")
        if not os.access(self.script, os.X_OK):
            raise HookError(f"hook script {script} is not executable (chmod +x it)")
        self.cwd = cwd
        self.timeout_s = timeout_s

    def run(self, action: str, argument: Path | str | None = None) -> bool:
        """Run the script for ``action``; True if it exited with status 0 in time.

        Returns within ``timeout_s`` plus a few seconds whatever the script does: on timeout
        its whole process group is killed; its stderr is kept only as its last 64 kB.
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown hook action {action!r}")
        env = dict(os.environ, ACTION=action, ARGUMENT=str(argument) if argument else "")
        try:
            # Own process group: on timeout the script's children die with it.
            proc = subprocess.Popen([str(self.script)], env=env, cwd=self.cwd, start_new_session=True,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
        except OSError as exc:
            log.warning("hook %s (%s) could not run: %s", self.script.name, action, exc)
            return False
        tail = _Tail()
        try:
            ended = _pump(proc, tail, time.monotonic() + self.timeout_s)
            if not ended:
                self._kill(proc)
                log.warning("hook %s (%s) killed after %.1f s", self.script.name, action, self.timeout_s)
                return False
        finally:
            assert proc.stderr is not None
            proc.stderr.close()
        if proc.returncode != 0:
            log.warning("hook %s (%s) failed with status %d %s", self.script.name, action,
                        proc.returncode, tail.last_line())
            return False
        log.debug("hook %s (%s) ok", self.script.name, action)
        return True

    def _kill(self, proc: subprocess.Popen) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        try:
            proc.wait(timeout=REAP_S)
        except subprocess.TimeoutExpired:  # unkillable (D state): left to the OS, not waited for
            log.warning("hook %s did not end after SIGKILL", self.script.name)
