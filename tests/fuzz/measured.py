"""Run one command and measure it: ``python tests/fuzz/measured.py TIMEOUT CMD...``.

Prints one JSON object: the exit status, stdout lines each with the seconds since the start
when it arrived (so each `studio check --json` line gives its case's time), stderr, the
child's peak RSS (``resource.getrusage(RUSAGE_CHILDREN)`` of this fresh process: only that
child's) and whether it had to be killed at TIMEOUT seconds.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import threading
import time


def main() -> int:
    timeout, command = float(sys.argv[1]), sys.argv[2:]
    start = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    lines: list[tuple[float, str]] = []
    err: list[bytes] = []

    def pump_out() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            lines.append((round(time.monotonic() - start, 3), raw.decode(errors="replace").rstrip("\n")))

    def pump_err() -> None:
        assert proc.stderr is not None
        err.append(proc.stderr.read())

    threads = [threading.Thread(target=pump_out), threading.Thread(target=pump_err)]
    for t in threads:
        t.start()
    killed = False
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        killed = True
    for t in threads:
        t.join(10)
    rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: kilobytes
    print(json.dumps({"returncode": proc.returncode, "killed": killed, "seconds": time.monotonic() - start,
                      "lines": lines, "stderr": b"".join(err).decode(errors="replace"),
                      "max_rss_mb": rss_kb / 1024}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
