"""The soak, CI version (issue 13 item 4): 10 minutes of headless replay with a capture every
10 s (benchmarks/soak.py; the 1-hour run's figures are in docs/reliability.md).

A real ``studio run --headless --json --loop`` subprocess watched from outside through /proc:
after a 2-minute warm-up, resident memory may grow at most 10 MB, open files and threads not at
all, and the frame rate stays steady. Runs in ``make test`` (marked slow: ~11 minutes).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from studio.app import bundled_sample

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not bundled_sample().exists(), reason="bundled sample missing")]


def test_ten_minutes_headless_with_captures_does_not_leak(tmp_path):
    from soak import soak

    result = soak(minutes=10, every_s=10, sample_s=10, warmup_s=120, scratch=tmp_path)
    figures = result.figures()
    print("soak figures:", figures)
    assert result.exit_code == 0, figures
    assert figures["captures_saved"] >= 50, figures  # one every 10 s: 60 asked for
    assert figures["captures_saved"] == figures["captures_fired"], figures
    assert figures["rss_growth_mb"] <= 10.0, figures
    assert figures["fds_end"] <= figures["fds_baseline"], figures
    assert figures["threads_end"] <= figures["threads_baseline"], figures
    # Steady: no minute far slower than the typical one. The frame rate follows whatever else
    # the machine runs (on a shared 2-core machine a parallel soak without captures fell from
    # 5.5 to 3.3 fps in the same 10 minutes), so this only catches a collapse, not a drift.
    assert figures["fps_per_minute_min"] >= 0.4 * figures["fps_per_minute_median"], figures
