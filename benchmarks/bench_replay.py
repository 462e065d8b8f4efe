"""Replay driver figures on the bundled sample: size, pacing error, fast-mode throughput.

    .venv/bin/python benchmarks/bench_replay.py [--recording PATH] [--runs N]

Pacing error is a frame's publish time (``LiveFrame.timestamp``, taken when the camera thread
puts it in the slot) minus its due time (first publish + recorded offset). The baseline is a
plain loop sleeping until the same due times, measured in the same run: it is what the OS
timer allows on this machine. Fast-mode throughput is published frames per second with an
idle reader; its baseline is reading and CRC-checking the same records with no camera at all.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from drivers.recording import RecordingReader  # noqa: E402
from drivers.replay import LazyFolderSink, ReplayCamera  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def replay_errors_ms(path: Path, timestamps: list[float], scratch: Path) -> tuple[list[float], int]:
    camera = ReplayCamera(path, sink=LazyFolderSink(scratch))
    camera.open()
    published: dict[int, float] = {}
    try:
        camera.start_live_view().result(timeout=5)
        seq = 0
        while True:
            frame = camera.frames.wait_newer(seq, 1.0)
            if frame is None:
                if camera.frames.closed:
                    break
                continue
            seq = frame.seq
            published[frame.seq] = frame.timestamp
    finally:
        camera.close()
    first = published[1]
    errors = [(t - first - (timestamps[seq - 1] - timestamps[0])) * 1000.0
              for seq, t in published.items()]
    return errors, len(timestamps) - len(published)


def sleep_baseline_ms(timestamps: list[float]) -> list[float]:
    start = time.monotonic()
    errors = []
    for t in timestamps:
        due = start + t - timestamps[0]
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        errors.append((time.monotonic() - due) * 1000.0)
    return errors


def fast_fps(path: Path, scratch: Path) -> float:
    camera = ReplayCamera(path, pace="fast", sink=LazyFolderSink(scratch))
    camera.open()
    try:
        started = time.perf_counter()
        camera.start_live_view().result(timeout=5)
        while not camera.frames.closed:
            camera.frames.wait_newer(camera.frames.seq, 1.0)
        elapsed = time.perf_counter() - started
        return camera.stats.published / elapsed
    finally:
        camera.close()


def read_fps(path: Path) -> float:
    started = time.perf_counter()
    with RecordingReader(path) as reader:
        count = sum(1 for _ in reader.frames())
    return count / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recording", type=Path, default=ROOT / "studio" / "data" / "sample.slv")
    parser.add_argument("--runs", type=int, default=5, help="fast-mode runs (median reported)")
    args = parser.parse_args()
    scratch = Path("/tmp") / "bench_replay_captures"  # never created: nothing is captured

    with RecordingReader(args.recording) as reader:
        stats = reader.stats
        timestamps = [e.timestamp for e in reader.frame_entries]
        meta = reader.metadata
    duration = timestamps[-1] - timestamps[0]
    size = args.recording.stat().st_size
    print(f"recording      {args.recording.name}: {size / 1e6:.2f} MB, {stats.frames} frames, "
          f"{stats.stills} stills, {duration:.2f} s, {(stats.frames - 1) / duration:.2f} fps "
          f"(nominal {meta.get('fps')}), {meta.get('frame_size')}")

    errors, missed = replay_errors_ms(args.recording, timestamps, scratch)
    baseline = sleep_baseline_ms(timestamps)
    late = [abs(e) for e in errors]
    base = [abs(e) for e in baseline]
    print(f"pacing error   replay:   median {statistics.median(late):.2f} ms, p95 "
          f"{percentile(late, 0.95):.2f} ms, max {max(late):.2f} ms "
          f"({len(errors)} frames, {missed} not seen by the reader)")
    print(f"               baseline: median {statistics.median(base):.2f} ms, p95 "
          f"{percentile(base, 0.95):.2f} ms, max {max(base):.2f} ms (time.sleep to the same due times)")
    ratio = statistics.median(late) / max(statistics.median(base), 1e-6)
    print(f"               ratio:    median x{ratio:.2f}")

    fast = [fast_fps(args.recording, scratch) for _ in range(args.runs)]
    reads = [read_fps(args.recording) for _ in range(args.runs)]
    fast_median, read_median = statistics.median(fast), statistics.median(reads)
    print(f"fast mode      {fast_median:.0f} frames/s published (median of {args.runs}; "
          f"min {min(fast):.0f}, max {max(fast):.0f}); x{fast_median / ((stats.frames - 1) / duration):.0f} "
          "real time")
    print(f"               baseline: {read_median:.0f} frames/s read + CRC-checked without a camera; "
          f"ratio {fast_median / read_median:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
