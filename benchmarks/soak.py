"""Soak: a long headless replay with captures, watched from outside for leaks and slow-down.

    .venv/bin/python benchmarks/soak.py --minutes 60 --every 10 [--out FILE.json]

It starts a real ``studio run --headless --json --loop`` subprocess on the bundled sample
recording with an interval trigger (one capture every ``--every`` seconds into a scratch
session), reads its JSON lines (one per analysed frame) and samples ``/proc/<pid>`` every
``--sample`` seconds: resident memory (VmRSS), open file descriptors and threads. After a
warm-up (models loaded, first captures done) the baseline is the median of the first minute's
samples; the figures are the growth from it to the median of the last minute AND to the worst
single sample (both reported), open files and threads (medians of the first and the last
minute after the warm-up, so a file a capture holds open for a moment does not count), and the
frame rate per minute (median, min, max; first and last minute). Exit status 1 when a limit is
broken (RSS growth to the last minute > ``--max-rss-growth-mb``, fd or thread count above the
baseline at the end); the worst sample is reported, not limited (a still's buffers alive at a
sample's moment swing it by ~15 MB). When the thread count changes, the sample keeps the
child's thread names (``/proc/<pid>/task/*/comm``), so a step in memory can be attributed (a
MediaPipe graph built on first use brings its own threads).

``--trace DIR`` (diagnosis, slows the child): the child runs under ``tracemalloc`` and every
``--trace-every`` seconds writes to DIR one JSON line (Python-traced bytes, ``smaps_rollup``,
glibc ``mallinfo2`` and arena count, live objects by type) and a tracemalloc snapshot, so that
Python objects that grow can be told from native heap growth; ``--trace-diff DIR`` prints the
top growing allocation sites between the first snapshot after the warm-up and the last.
"""

from __future__ import annotations

import argparse
import ctypes
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
    thread_names: list[str] | None = None  # only when the count changed since the last sample


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
        # Samples from the warm-up to the run's end (the child stops ``minutes`` after its own
        # start, later than ours): none taken while it winds down counts.
        after = [s for s in self.samples if self.warmup_s <= s.t < self.minutes * 60.0]
        if len(after) < 2:
            return {"error": "too few samples after the warm-up"}
        per_min = _frames_per_minute(after)
        # A capture holds a file open (and a still's buffers) for a moment: counts and memory
        # are compared as medians of the first and last minute after the warm-up, so only a
        # lasting rise counts; the worst single sample is reported (and limited) as well.
        first, final = after[:6], after[-6:]
        rss0 = statistics.median([s.rss_mb for s in first])
        rss1 = statistics.median([s.rss_mb for s in final])
        worst = max(after, key=lambda s: s.rss_mb)
        fds = [statistics.median_low([s.fds for s in first]), statistics.median_low([s.fds for s in final])]
        threads = [statistics.median_low([s.threads for s in first]),
                   statistics.median_low([s.threads for s in final])]
        return {
            "minutes": self.minutes, "capture_every_s": self.every_s,
            "captures_fired": self.captures_fired, "captures_saved": self.captures_saved,
            "rss_mb_baseline": round(rss0, 1), "rss_mb_end": round(rss1, 1),
            "rss_mb_max": round(worst.rss_mb, 1), "rss_max_at_s": round(worst.t),
            "rss_mb_first_sample": round(after[0].rss_mb, 1),
            "rss_mb_last_sample": round(after[-1].rss_mb, 1),
            "rss_growth_mb": round(rss1 - rss0, 1),
            "rss_growth_worst_mb": round(worst.rss_mb - rss0, 1),
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


def thread_names(pid: int) -> list[str]:
    """The names of a live process's threads (native ones too), sorted; [] if it is gone."""
    names = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/comm") as fh:
                names.append(fh.read().strip())
    except OSError:
        return []
    return sorted(names)


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
         scratch: Path, python: str = sys.executable, trace: Path | None = None,
         trace_every_s: float = 60.0) -> SoakResult:
    seconds = minutes * 60.0
    shots = max(1, int(seconds // every_s) + 1)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("DISPLAY", None)
    prefix = ([python, str(Path(__file__).resolve()), "--child-trace", str(trace),
               str(trace_every_s), "--"] if trace else [python, "-m", "studio.cli"])
    cmd = [*prefix, "run", "--headless", "--json", "--loop",
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
            sample = Sample(time.monotonic() - start, rss, fds, threads, out.frames)
            if not result.samples or result.samples[-1].threads != threads:
                sample.thread_names = thread_names(proc.pid)
            result.samples.append(sample)
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


def native_heap() -> dict:
    """glibc's view of the heap (mallinfo2 summed over arenas, arena count), {} elsewhere."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        mi = libc.mallinfo2()
    except (OSError, AttributeError):
        return {}
    arenas = 0
    try:
        libc.open_memstream.restype = ctypes.c_void_p
        buf, size = ctypes.c_char_p(), ctypes.c_size_t()
        stream = libc.open_memstream(ctypes.byref(buf), ctypes.byref(size))
        libc.malloc_info(0, ctypes.c_void_p(stream))
        libc.fclose(ctypes.c_void_p(stream))
        xml = ctypes.string_at(buf, size.value).decode()
        libc.free(buf)
        arenas = xml.count("<heap nr=")
    except (OSError, AttributeError, ValueError):
        pass
    mb = 1024.0 * 1024.0
    return {"arenas": arenas, "arena_mb": round(mi.arena / mb, 2),
            "mmap_mb": round(mi.hblkhd / mb, 2), "in_use_mb": round(mi.uordblks / mb, 2),
            "free_mb": round(mi.fordblks / mb, 2), "top_free_mb": round(mi.keepcost / mb, 2)}


class _MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def _smaps_rollup() -> dict:
    out = {}
    with open("/proc/self/smaps_rollup") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                out[parts[0].rstrip(":")] = round(int(parts[1]) / 1024.0, 2)
    return out


def _trace_child(trace_dir: Path, every_s: float, cli_args: list[str]) -> None:
    """Run ``studio.cli`` with tracemalloc and a thread writing heap figures to trace_dir."""
    import collections
    import gc
    import runpy
    import tracemalloc

    tracemalloc.start(8)
    trace_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()

    def watch() -> None:
        n = 0
        with open(trace_dir / "heap.jsonl", "a") as log:
            while True:
                time.sleep(every_s)
                n += 1
                traced, _peak = tracemalloc.get_traced_memory()
                types = collections.Counter(type(o).__name__ for o in gc.get_objects())
                t = time.monotonic() - t0
                row = {"t": round(t, 1), "rss_mb": round(rss_self(), 1),
                       "traced_mb": round(traced / 1048576.0, 2), "native": native_heap(),
                       "smaps": {k: v for k, v in _smaps_rollup().items()
                                 if k in ("Rss", "Anonymous", "Private_Dirty", "Shared_Clean")},
                       "threads": threading.active_count(),
                       "objects": dict(types.most_common(25))}
                log.write(json.dumps(row) + "\n")
                log.flush()
                snap = tracemalloc.take_snapshot().filter_traces(
                    [tracemalloc.Filter(False, tracemalloc.__file__)])
                snap.dump(str(trace_dir / f"snap-{n:03d}-{int(t)}.pickle"))

    threading.Thread(target=watch, daemon=True, name="soak-trace").start()
    sys.argv = ["studio", *cli_args]
    runpy.run_module("studio.cli", run_name="__main__")


def rss_self() -> float:
    return read_proc(os.getpid())[0]


def trace_diff(trace_dir: Path, warmup_s: float, top: int = 25) -> None:
    """Print the allocation sites that grew most between the first snapshot after warm-up and
    the last one, and the heap figures of both."""
    import tracemalloc

    snaps = sorted(trace_dir.glob("snap-*.pickle"), key=lambda p: int(p.stem.split("-")[1]))
    if len(snaps) < 2:
        print("too few snapshots in", trace_dir)
        return
    base = next((p for p in snaps if int(p.stem.split("-")[2]) >= warmup_s), snaps[0])
    a, b = tracemalloc.Snapshot.load(str(base)), tracemalloc.Snapshot.load(str(snaps[-1]))
    print(f"{base.name} -> {snaps[-1].name}")
    for stat in b.compare_to(a, "traceback")[:top]:
        print(f"{stat.size_diff / 1024:+9.1f} kB {stat.count_diff:+7d} blocks")
        for line in stat.traceback.format()[-6:]:
            print("     ", line)


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
    ap.add_argument("--trace", type=Path, help="diagnosis: tracemalloc + heap figures to DIR")
    ap.add_argument("--trace-every", type=float, default=60.0, help="seconds between snapshots")
    ap.add_argument("--trace-diff", type=Path, help="print the growth between snapshots in DIR")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child-trace"]:
        _trace_child(Path(argv[1]), float(argv[2]), argv[4:])
        return 0
    args = ap.parse_args(argv)
    if args.trace_diff:
        trace_diff(args.trace_diff, args.warmup)
        return 0
    with tempfile.TemporaryDirectory(prefix="studio-soak-") as scratch:
        result = soak(args.minutes, args.every, args.sample, args.warmup, Path(scratch),
                      trace=args.trace, trace_every_s=args.trace_every)
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
