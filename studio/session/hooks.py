"""A hook script in the manner of gphoto2's ``--hook-script``.

The script is run with an argument list (never through a shell) and ``ACTION`` (``init``,
``start``, ``download``, ``stop``) and ``ARGUMENT`` (the downloaded file, for ``download``) in
its environment, from the session folder, with a time limit. Its failure is logged and never
stops the session.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

ACTIONS = ("init", "start", "download", "stop")


class HookError(ValueError):
    """A hook script that cannot be used (missing, not executable)."""


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
        """Run the script for ``action``; True if it exited with status 0 in time."""
        if action not in ACTIONS:
            raise ValueError(f"unknown hook action {action!r}")
        env = dict(os.environ, ACTION=action, ARGUMENT=str(argument) if argument else "")
        try:
            # Own process group: on timeout the script's children die with it, and their open
            # pipes cannot keep us waiting.
            proc = subprocess.Popen([str(self.script)], env=env, cwd=self.cwd, start_new_session=True,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
        except OSError as exc:
            log.warning("hook %s (%s) could not run: %s", self.script.name, action, exc)
            return False
        try:
            _, stderr = proc.communicate(timeout=self.timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            log.warning("hook %s (%s) killed after %.1f s", self.script.name, action, self.timeout_s)
            return False
        if proc.returncode != 0:
            tail = stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
            log.warning("hook %s (%s) failed with status %d %s", self.script.name, action,
                        proc.returncode, tail[0])
            return False
        log.debug("hook %s (%s) ok", self.script.name, action)
        return True
