"""`studio bench`'s 1080p line: full analysis of 1920x1080 frames and the bare face mesh on the
same frames, in the same run, as raw pixels (a capture card) and as JPEGs (timings not asserted).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OTHER_PARTS = ("frames", "pipeline", "latency", "memory", "stills")


@pytest.fixture(scope="module")
def hd_report() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    skips = [arg for part in OTHER_PARTS for arg in ("--skip", part)]
    done = subprocess.run([sys.executable, "-m", "studio.cli", "bench", "--quick", "--json", *skips],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [ln for ln in done.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1
    return json.loads(lines[0])


def test_summary_has_the_1080p_figures(hd_report: dict) -> None:
    summary = hd_report["summary"]
    for key in ("fps_1080p", "ratio_1080p", "fps_1080p_jpeg", "ratio_1080p_jpeg"):
        assert isinstance(summary.get(key), (int, float)) and math.isfinite(summary[key]), key
        assert summary[key] > 0, key
    assert summary["fps_1080p"] == pytest.approx(hd_report["hd"]["raw"]["full_fps"], rel=1e-2)
    assert "per_frame" not in hd_report  # the other parts were skipped


def test_both_forms_measured_on_1080p_with_their_own_baseline(hd_report: dict) -> None:
    for form in ("raw", "jpeg"):
        row = hd_report["hd"][form]
        assert row["frames"].startswith("sample@1920x1080")
        # ratio: wall time per analysed frame over the bare mesh's; the two stages overlap, so
        # frames are analysed faster than one frame's latency (one thread would make them equal)
        per_frame_ms = 1000.0 / row["full_fps"]
        assert row["ratio"] == pytest.approx(per_frame_ms / row["baseline"]["median_ms"], rel=1e-2)
        assert row["full_fps"] > 1000.0 / row["full"]["median_ms"]
        assert row["cores_used"] > 0
        assert row["slowest_block_fps"] <= row["full_fps"] and row["slowest_block_fps"] <= row["overall_fps"]
        assert row["full"]["n"] == row["baseline"]["n"] > 0
        assert row["full"]["p95_ms"] >= row["full"]["median_ms"] > 0
        assert "face_mesh" in row["stages"]
    # raw frames are only scaled (no decode); JPEGs are decoded, then scaled
    assert "resize" in hd_report["hd"]["raw"]["stages"] and "decode" not in hd_report["hd"]["raw"]["stages"]
    assert {"decode", "resize"} <= set(hd_report["hd"]["jpeg"]["stages"])


def test_table_shows_the_1080p_line() -> None:
    from studio.commands.bench import render_table

    row = {"frames": "sample@1920x1080 raw", "baseline": {"median_ms": 8.0, "p95_ms": 9.0},
           "full": {"median_ms": 12.0, "p95_ms": 14.0}, "ratio": 1.5, "full_fps": 83.3}
    report = {"machine": {"cpu": "x", "cores": 2, "python": "3.11"}, "quick": True, "preset": "p",
              "hd": {"raw": row}, "summary": {"fps_1080p": 83.3, "ratio_1080p": 1.5}}
    text = render_table(report)
    assert "sample@1920x1080 raw" in text and "1.50" in text and "fps_1080p=83.3" in text
