"""RSS probe, run in its own process by ``studio bench``: the real pipeline over N frames.

    python -m studio.bench.rss RECORDING FRAMES PRESET

Replays RECORDING flat out and looping into a StudioApp until FRAMES frames are analysed,
sampling the resident set size; prints one JSON line: peak RSS, RSS after warm-up, at the end,
and the growth between them.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studio.analysis import Analysis


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB, from /proc."""
    cur = peak = 0.0
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                cur = int(line.split()[1]) / 1024.0
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024.0
    return cur, peak


def main(argv: list[str]) -> int:
    from drivers.replay import open_source
    from studio.app import StudioApp

    recording, frames, preset = argv[0], int(argv[1]), argv[2]
    warmup = max(200, frames // 20)
    camera = open_source(recording, pace="fast", loop=True)
    app = StudioApp(camera, preset=preset, source_name="rss")
    samples: list[tuple[int, float]] = []
    done = threading.Event()
    count = 0

    def on_analysis(_analysis: Analysis) -> None:
        nonlocal count
        count += 1
        if count % 250 == 0 or count == warmup:
            samples.append((count, rss_mb()[0]))
        if count >= frames:
            done.set()

    app.add_analysis_listener(on_analysis)
    t0 = time.monotonic()
    app.start()
    try:
        done.wait()
    finally:
        app.stop()
    after_warmup = next((mb for n, mb in samples if n >= warmup), samples[0][1] if samples else 0.0)
    end_mb = samples[-1][1] if samples else rss_mb()[0]  # last sample while running
    peak_mb = rss_mb()[1]
    print(json.dumps({"frames": count, "seconds": round(time.monotonic() - t0, 1),
                      "rss_after_warmup_mb": round(after_warmup, 1), "rss_end_mb": round(end_mb, 1),
                      "rss_peak_mb": round(peak_mb, 1),
                      "rss_growth_mb": round(end_mb - after_warmup, 1),
                      "samples": samples[:: max(1, len(samples) // 20)]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
