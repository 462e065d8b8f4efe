#!/usr/bin/env python3
"""`studio check --jobs 1` against `--jobs 2` on the same folder, start-up included.

Runs the real command (`python -m studio.cli check --json --jobs N FOLDER`) as a user does,
alternating the two settings for ``--rounds`` rounds so that machine load falls on both alike,
and prints per run: wall time, the command's CPU time (its processes and their children, from
``resource.getrusage``), photos analysed, and the load average; then the median wall times and
their ratio (``jobs1 / jobs2``: 2.0 = perfect scaling on two cores). Also the start-up alone:
the same command on one small photo.

The folder defaults to the issue's 154 photos of mixed sizes: the first 106 of
``../shared/fixtures/glasses-pool`` (0.1-2.5 MP) and the portrait fixtures (up to 36 MP), linked
into a temporary folder. On a loaded machine the wall ratio measures the other load, not the
code. Two load-robust figures are printed beside it: ``cpu_bound_ratio`` = CPU of ``--jobs 1`` /
(CPU of ``--jobs N`` / N), the ratio if every process had a core and nothing were serial, and
``critical_path_ratio``, from each process's own CPU time (sampled from /proc): ``--jobs 1``'s
CPU over the busiest ``--jobs N`` worker's plus the parent's, what an idle machine with a core
per process would give, start-up included.

``--timeline`` also prints, per run, what each process did when (``$STUDIO_CHECK_TIMELINE``,
studio/commands/check_pool.py): wall seconds since the command was started and the process's
own CPU seconds at its start-up steps, its first and last file, and the exit after the last.

    .venv/bin/python benchmarks/bench_check_jobs.py [--rounds 2] [--folder DIR] [--jobs 2] [--timeline]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "fixtures"


def mixed_folder(into: Path) -> Path:
    """The issue's 154 photos: 106 of glasses-pool and the portrait fixtures, as links."""
    pool = sorted((FIXTURES / "glasses-pool").glob("*.jpg"))[:106]
    portraits = sorted(p for p in (FIXTURES / "portraits").iterdir()
                       if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    for path in pool + portraits:
        (into / f"{path.parent.name}__{path.name}").symlink_to(path)
    return into


TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> float | None:
    """CPU seconds (user + system, all threads) of a live process, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def _children(pid: int) -> list[int]:
    """The worker processes of ``pid`` (multiprocessing's resource tracker left out)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    out = []
    for child in (int(c) for c in text.split()):
        try:
            if b"resource_tracker" in Path(f"/proc/{child}/cmdline").read_bytes():
                continue
        except OSError:
            continue
        out.append(child)
    return out


def timeline(path: Path, start: float, end: float) -> list[str]:
    """Lines ``role pid: event@wall/cpu ...`` from a $STUDIO_CHECK_TIMELINE file (wall: seconds
    since ``start``; cpu: the process's own CPU seconds then)."""
    events: dict[str, list[tuple[float, float, str, str]]] = {}
    for line in path.read_text().splitlines():
        wall, cpu, pid, event, *detail = line.split(" ", 4)
        steps = events.setdefault(pid, [])
        steps.append((float(wall) - start, float(cpu), event, "".join(detail).strip()))
    out = []
    for n, (pid, steps) in enumerate(events.items()):
        takes = [(w, c) for w, c, e, _ in steps if e == "take"]
        dones = [(w, c) for w, c, e, _ in steps if e == "done"]  # a process takes one file at a time
        marks = [f"{e}{f'({d})' if d else ''}@{w:.2f}/{c:.2f}"
                 for w, c, e, d in steps if e not in ("take", "done")]
        if takes and len(dones) == len(takes):
            busy = sum(d[1] - t[1] for t, d in zip(takes, dones, strict=True))
            first = dones[0][1] - takes[0][1]
            marks += [f"first-file@{takes[0][0]:.2f}/{takes[0][1]:.2f} (its CPU {first:.2f})",
                      f"last-done@{dones[-1][0]:.2f}/{dones[-1][1]:.2f}",
                      f"{len(takes)} files, CPU in files {busy:.2f}"]
        out.append(f"    {'command' if n == 0 else 'worker'} {pid}: {', '.join(marks)}")
    out.append(f"    exit@{end - start:.2f}")
    return out


def run(folder: Path, jobs: int, trace: Path | None = None) -> dict:
    """One run of the command: wall, CPU, and the CPU of each of its processes (sampled from
    /proc every 50 ms; a worker's last sample is within 50 ms of its end). ``trace``: a file
    for the command's timeline (printed by :func:`timeline`)."""
    cmd = [sys.executable, "-m", "studio.cli", "check", "--json", "--jobs", str(jobs), str(folder)]
    env = dict(os.environ)
    if trace is not None:
        trace.unlink(missing_ok=True)
        env["STUDIO_CHECK_TIMELINE"] = str(trace)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    started = time.time()
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
                            env=env)
    per_process: dict[int, float] = {}
    chunks: list[str] = []
    stdout = proc.stdout
    assert stdout is not None  # PIPE
    reader = threading.Thread(target=lambda: chunks.append(stdout.read()), daemon=True)
    reader.start()
    while proc.poll() is None:
        for pid in [proc.pid, *_children(proc.pid)]:
            cpu_now = _cpu_of(pid)
            if cpu_now is not None:
                per_process[pid] = cpu_now
        time.sleep(0.05)
    reader.join()
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [line for line in "".join(chunks).splitlines() if line.startswith("{")]
    workers = [v for pid, v in per_process.items() if pid != proc.pid]
    parent = per_process.get(proc.pid, 0.0)
    # On an idle machine with a core per process, the run lasts about as long as its longest
    # process's CPU: the parent's (its own work) for --jobs 1, the busiest worker's plus the
    # parent's start before it spawned them for --jobs N (taken as the parent's CPU: an upper bound).
    critical = max(workers) + parent if workers else cpu
    steps = timeline(trace, started, started + wall) if trace is not None and trace.exists() else []
    return {"jobs": jobs, "wall": wall, "cpu": cpu, "photos": len(lines), "exit": proc.returncode,
            "load": load, "critical": critical, "workers": sorted(workers, reverse=True), "timeline": steps}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folder", type=Path, help="photos to check (default: the issue's 154 mixed photos)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=2, help="the parallel setting compared with --jobs 1")
    ap.add_argument("--timeline", action="store_true", help="print each run's per-process timeline")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp:
        if args.folder is None:
            if not (FIXTURES / "glasses-pool").is_dir():
                print(f"fixtures not found at {FIXTURES}: pass --folder", file=sys.stderr)
                return 2
            folder = mixed_folder(Path(tmp))
        else:
            folder = args.folder
        count = sum(1 for _ in folder.rglob("*") if _.is_file())
        print(f"folder: {folder} ({count} files); cores: {os.cpu_count()}; load: {os.getloadavg()}")
        small = next(p for p in sorted(folder.rglob("*.jpg")))
        one = Path(tmp) / "one"
        one.mkdir()
        (one / small.name).symlink_to(small.resolve())
        startup = run(one, 1)
        print(f"start-up (1 photo, --jobs 1): wall {startup['wall']:.2f} s, CPU {startup['cpu']:.2f} s")
        results: dict[int, list[dict]] = {1: [], args.jobs: []}
        for r in range(args.rounds):
            for jobs in ((1, args.jobs) if r % 2 == 0 else (args.jobs, 1)):
                res = run(folder, jobs, Path(tmp) / "timeline.txt" if args.timeline else None)
                results[jobs].append(res)
                print(f"round {r + 1} --jobs {jobs}: wall {res['wall']:.2f} s, CPU {res['cpu']:.2f} s "
                      f"(critical path {res['critical']:.2f} s; workers "
                      f"{', '.join(f'{w:.2f}' for w in res['workers']) or '-'}), "
                      f"{res['photos']} photos, exit {res['exit']}, load {res['load']:.1f}", flush=True)
                for line in res["timeline"]:
                    print(line, flush=True)
    w1 = statistics.median(r["wall"] for r in results[1])
    wn = statistics.median(r["wall"] for r in results[args.jobs])
    c1 = statistics.median(r["cpu"] for r in results[1])
    cn = statistics.median(r["cpu"] for r in results[args.jobs])
    p1 = statistics.median(r["critical"] for r in results[1])
    pn = statistics.median(r["critical"] for r in results[args.jobs])
    print(f"summary: jobs1_wall_s={w1:.2f}, jobs{args.jobs}_wall_s={wn:.2f}, wall_ratio={w1 / wn:.2f}, "
          f"jobs1_cpu_s={c1:.2f}, jobs{args.jobs}_cpu_s={cn:.2f}, "
          f"cpu_bound_ratio={c1 / (cn / args.jobs):.2f}, critical_path_ratio={p1 / pn:.2f}, "
          f"startup_wall_s={startup['wall']:.2f}, startup_cpu_s={startup['cpu']:.2f}, "
          f"load={os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
