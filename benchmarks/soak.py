"""Soak: a long headless replay with captures, watched from outside for leaks and slow-down.

    .venv/bin/python benchmarks/soak.py --minutes 60 --every 10 [--out FILE.json]

It starts a real ``studio run --headless --json --loop`` subprocess on the bundled sample
recording with an interval trigger (one capture every ``--every`` seconds into a scratch
session), reads its JSON lines (one per analysed frame) and samples ``/proc/<pid>`` every
``--sample`` seconds: resident memory (VmRSS), open file descriptors and threads. After a
warm-up (models loaded, first captures done) the first sample is the baseline; the figures
are the growth from it to the end (and the worst sample), open files and threads (medians of
the first and the last minute after the warm-up, so a file a capture holds open for a moment
does not count), and the frame rate per minute (median, min, max; first and last minute).
Exit status 1 when a limit is broken (RSS growth > ``--max-rss-growth-mb``, fd or thread
count above the baseline at the end).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Sample:
    t: float
    rss_mb: float
    fds: int
    threads: int
    frames: int


@dataclass
class SoakResult:
    minutes: float
    every_s: float
    warmup_s: float
    samples: list[Sample] = field(default_factory=list)
    captures_saved: int = 0
    captures_fired: int = 0
    exit_code: int | None = None
    summary_line: str = ""

    def figures(self) -> dict:
        after = [s for s in self.samples if s.t >= self.warmup_s]
        if len(after) < 2:
            return {"error": "too few samples after the warm-up"}
        base, last = after[0], after[-1]
        per_min = _frames_per_minute(after)
        # A capture holds a file open for a moment: counts are compared as medians of the
        # first and last minute after the warm-up, so only a lasting rise counts.
        first, final = after[:6], after[-6:]
        fds = [statistics.median_low([s.fds for s in first]), statistics.median_low([s.fds for s in final])]
        threads = [statistics.median_low([s.threads for s in first]),
                   statistics.median_low([s.threads for s in final])]
        return {
            "minutes": self.minutes, "capture_every_s": self.every_s,
            "captures_fired": self.captures_fired, "captures_saved": self.captures_saved,
            "rss_mb_baseline": round(base.rss_mb, 1), "rss_mb_end": round(last.rss_mb, 1),
            "rss_mb_max": round(max(s.rss_mb for s in after), 1),
            "rss_growth_mb": round(last.rss_mb - base.rss_mb, 1),
            "fds_baseline": fds[0], "fds_end": fds[1], "fds_max": max(s.fds for s in after),
            "threads_baseline": threads[0], "threads_end": threads[1],
            "threads_max": max(s.threads for s in after),
            "fps_per_minute_median": round(statistics.median(per_min), 1) if per_min else None,
            "fps_per_minute_min": round(min(per_min), 1) if per_min else None,
            "fps_per_minute_max": round(max(per_min), 1) if per_min else None,
            "fps_first_minute": round(per_min[0], 1) if per_min else None,
            "fps_last_minute": round(per_min[-1], 1) if per_min else None,
            "exit_code": self.exit_code, "summary": self.summary_line,
        }


def _frames_per_minute(samples: list[Sample]) -> list[float]:
    rates, start = [], samples[0]
    for s in samples[1:]:
        if s.t - start.t >= 60.0:
            rates.append((s.frames - start.frames) / (s.t - start.t))
            start = s
    return rates


def read_proc(pid: int) -> tuple[float, int, int]:
    """(RSS in MB, open fds, threads) of a live process, from /proc."""
    rss_kb, threads = 0, 0
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                rss_kb = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return rss_kb / 1024.0, len(os.listdir(f"/proc/{pid}/fd")), threads


class _Reader(threading.Thread):
    """Counts the child's JSON frame lines (stdout) and keeps its capture lines (stderr)."""

    def __init__(self, stream, json_lines: bool) -> None:
        super().__init__(daemon=True)
        self.stream, self.json_lines = stream, json_lines
        self.frames = 0
        self.saved = 0
        self.fired = 0
        self.tail: list[str] = []

    def run(self) -> None:
        for line in self.stream:
            if self.json_lines:
                self.frames += line.startswith("{")
                continue
            if line.startswith("[capture] saved"):
                self.saved += 1
            elif line.startswith("[capture] fired"):
                self.fired += 1
            self.tail = (self.tail + [line.rstrip()])[-5:]


def soak(minutes: float, every_s: float, sample_s: float, warmup_s: float,
         scratch: Path, python: str = sys.executable) -> SoakResult:
    seconds = minutes * 60.0
    shots = max(1, int(seconds // every_s) + 1)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("DISPLAY", None)
    cmd = [python, "-m", "studio.cli", "run", "--headless", "--json", "--loop",
           "--interval", str(every_s), str(shots), "--seconds", str(seconds),
           "--session", "soak", "--session-root", str(scratch), "--min-free-mb", "50"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out, err = _Reader(proc.stdout, True), _Reader(proc.stderr, False)
    out.start()
    err.start()
    result = SoakResult(minutes=minutes, every_s=every_s, warmup_s=warmup_s)
    start = time.monotonic()
    try:
        while proc.poll() is None:
            try:
                rss, fds, threads = read_proc(proc.pid)
            except (FileNotFoundError, ProcessLookupError):
                break
            result.samples.append(Sample(time.monotonic() - start, rss, fds, threads, out.frames))
            if _sleep_or_exit(proc, sample_s):
                break
    finally:
        if proc.poll() is None:  # interrupted: stop the child the way Ctrl-C would
            proc.send_signal(signal.SIGINT)
        try:
            result.exit_code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            result.exit_code = proc.wait(timeout=30)
    out.join(10)
    err.join(10)
    result.captures_saved, result.captures_fired = err.saved, err.fired
    result.summary_line = next((t for t in err.tail if t.startswith("summary:")), "")
    return result


def _sleep_or_exit(proc: subprocess.Popen, seconds: float) -> bool:
    try:
        proc.wait(timeout=seconds)
        return True
    except subprocess.TimeoutExpired:
        return False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--every", type=float, default=10.0, help="seconds between captures")
    ap.add_argument("--sample", type=float, default=10.0, help="seconds between /proc samples")
    ap.add_argument("--warmup", type=float, default=120.0, help="seconds before the baseline")
    ap.add_argument("--max-rss-growth-mb", type=float, default=10.0)
    ap.add_argument("--out", type=Path, help="write the samples and figures as JSON here")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="studio-soak-") as scratch:
        result = soak(args.minutes, args.every, args.sample, args.warmup, Path(scratch))
    figures = result.figures()
    print(json.dumps(figures, indent=1))
    if args.out:
        args.out.write_text(json.dumps({"figures": figures,
                                        "samples": [asdict(s) for s in result.samples]}, indent=1))
    ok = (figures.get("rss_growth_mb", 1e9) <= args.max_rss_growth_mb
          and figures.get("fds_end", 1e9) <= figures.get("fds_baseline", 0)
          and figures.get("threads_end", 1e9) <= figures.get("threads_baseline", 0)
          and result.exit_code == 0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
