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
code: compare it with ``CPU jobs1 / (CPU jobs2 / 2)``, the ratio an idle machine would give.

    .venv/bin/python benchmarks/bench_check_jobs.py [--rounds 2] [--folder DIR] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
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


def run(folder: Path, jobs: int) -> dict:
    cmd = [sys.executable, "-m", "studio.cli", "check", "--json", "--jobs", str(jobs), str(folder)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=3600)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return {"jobs": jobs, "wall": wall, "cpu": cpu, "photos": len(lines), "exit": done.returncode,
            "load": load}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folder", type=Path, help="photos to check (default: the issue's 154 mixed photos)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=2, help="the parallel setting compared with --jobs 1")
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
                res = run(folder, jobs)
                results[jobs].append(res)
                print(f"round {r + 1} --jobs {jobs}: wall {res['wall']:.2f} s, CPU {res['cpu']:.2f} s, "
                      f"{res['photos']} photos, exit {res['exit']}, load {res['load']:.1f}", flush=True)
    w1 = statistics.median(r["wall"] for r in results[1])
    wn = statistics.median(r["wall"] for r in results[args.jobs])
    c1 = statistics.median(r["cpu"] for r in results[1])
    cn = statistics.median(r["cpu"] for r in results[args.jobs])
    print(f"summary: jobs1_wall_s={w1:.2f}, jobs{args.jobs}_wall_s={wn:.2f}, wall_ratio={w1 / wn:.2f}, "
          f"jobs1_cpu_s={c1:.2f}, jobs{args.jobs}_cpu_s={cn:.2f}, "
          f"cpu_bound_ratio={c1 / (cn / args.jobs):.2f}, startup_wall_s={startup['wall']:.2f}, "
          f"load={os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
