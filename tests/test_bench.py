"""`studio bench --quick` keeps working: its output is well formed (timings are not asserted)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SUMMARY_KEYS = ("full_to_baseline_ratio", "full_fps", "analysed_fraction_60fps", "e2e_p95_ms",
                "rss_mb", "rss_growth_mb", "stills_per_s_per_core", "fps_1080p", "ratio_1080p")


@pytest.fixture(scope="module")
def quick_report() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run([sys.executable, "-m", "studio.cli", "bench", "--quick", "--json"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [ln for ln in done.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, "--json prints exactly one JSON object"
    return json.loads(lines[0])


def test_summary_holds_every_headline_figure(quick_report):
    summary = quick_report["summary"]
    for key in SUMMARY_KEYS:
        assert isinstance(summary.get(key), (int, float)), f"{key} missing or not a number"
        assert math.isfinite(summary[key])
    assert summary["full_fps"] > 0 and summary["full_to_baseline_ratio"] > 0
    assert summary["fps_1080p"] > 0 and summary["ratio_1080p"] > 0  # the 1080p line (video helper)
    assert 0 <= summary["analysed_fraction_60fps"] <= 1
    assert summary["rss_mb"] > 50  # a process with MediaPipe loaded is never smaller


def test_per_frame_covers_three_sizes_and_ratios_are_consistent(quick_report):
    rows = quick_report["per_frame"]
    sizes = {row["frames"].split("@")[1] for row in rows}
    assert sizes == {"640x424", "1024x680", "1920x1280"}
    for row in rows:
        # ratio: wall time per analysed frame (throughput, first stage ahead) over the bare mesh
        per_frame_ms = 1000.0 / row["full_fps"]
        assert row["ratio"] == pytest.approx(per_frame_ms / row["baseline"]["median_ms"], rel=1e-2)
        latency = row["full"]["median_ms"] / row["baseline"]["median_ms"]
        assert row["latency_ratio"] == pytest.approx(latency, rel=1e-2)
        assert row["full"]["p95_ms"] >= row["full"]["median_ms"]
        assert "face_mesh" in row["stages"] and "decode" in row["stages"]


def test_pipeline_latency_memory_and_stills_sections(quick_report):
    pipe = quick_report["pipeline"]
    for part in ("fast", "paced_30", "paced_60"):
        assert pipe[part]["analysed"] > 0
        assert pipe[part]["analysed"] <= pipe[part]["published"] or part == "fast"
    lat = quick_report["latency"]
    assert {"baseline", "full"} <= set(lat)
    assert lat["full"]["p95_ms"] >= lat["full"]["median_ms"] > 0
    assert quick_report["memory"]["frames"] >= 600
    steady = quick_report["stills"]["steady"]
    assert steady["1"]["images_per_s"] > 0
