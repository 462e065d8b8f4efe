"""End-to-end latency: frame arrival -> analysis -> overlay painted, in a real Qt window.

A window (Qt offscreen unless told otherwise) shows a recording replayed at its recorded pace;
every paint is recorded with the arrival time of the frame it showed and the age of the analysis
drawn over it. Phases in one run: ``baseline`` (live view alone, no analysis), ``full-nohold``
(analysis, newest picture always) and ``full`` (the default: the picture waits up to two frames
for its analysis). Geometry more than two frames old is never drawn (studio/ui/overlay.py).

The window and its paint records come from :mod:`studio.ui.latency_probe` (Qt stays in
``studio/ui/``); this module turns them into figures.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio.bench.stats import percentile

if TYPE_CHECKING:
    from studio.ui.latency_probe import PhaseRecording

WARMUP_S = 2.0  # model loading and the first analyses are not steady state


def measure_latency(recording: Path, *, seconds: float, preset: str, x11: bool = False) -> dict:
    """The three phases on ``recording``; figures per phase plus ``median_ms`` / ``p95_ms``."""
    from studio.ui.latency_probe import platform_name, qt_application

    qt_application(x11)
    out: dict[str, Any] = {"platform": platform_name()}
    for name, analyse, hold in (("baseline", False, True), ("full-nohold", True, False),
                                ("full", True, True)):
        phase = run_phase(recording, seconds, analyse, preset, hold=hold)
        phase["median_ms"] = phase["latency_ms_median"]
        phase["p95_ms"] = phase["latency_ms_p95"]
        phase["max_shown_age_frames"] = phase.get("age_frames_max_shown")
        out[name] = phase
    return out


def run_phase(source: Path, seconds: float, analyse: bool, preset: str,
              hold: bool = True) -> dict:
    """One phase's figures (:func:`studio.ui.latency_probe.qt_application` must have run)."""
    from drivers.replay import open_source
    from studio.ui.latency_probe import record_phase

    camera = open_source(source, pace="recorded", loop=True)
    app = None
    if analyse:
        from studio.app import StudioApp

        app = StudioApp(camera, preset=preset, source_name="bench")
    seen = record_phase(camera, app, seconds, preset=preset, hold=hold)
    return phase_figures(seen, analyse=analyse, hold=hold)


def phase_figures(seen: PhaseRecording, *, analyse: bool, hold: bool) -> dict:
    """Latency from arrival to first paint of each frame, and the analysis' age at paint."""
    steady = [r for r in seen.records if r.arrived >= seen.started + WARMUP_S]
    first_paint: dict[int, float] = {}
    for r in steady:
        first_paint.setdefault(r.seq, (r.painted - r.arrived) * 1000.0)
    latencies = list(first_paint.values())
    span = max(seen.ended - seen.started - WARMUP_S, 1e-9)
    result: dict[str, Any] = {
        "phase": ("full" if hold else "full-nohold") if analyse else "baseline",
        "frames_published": seen.published,
        "frames_painted": len(first_paint),
        "display_fps": round(len(first_paint) / span, 1),
        "latency_ms_median": round(statistics.median(latencies), 1) if latencies else None,
        "latency_ms_p95": round(percentile(latencies, 0.95), 1) if latencies else None,
        "latency_ms_max": round(max(latencies), 1) if latencies else None,
    }
    if analyse:
        loop_stats = seen.loop_stats
        ages = [r.age_frames for r in steady if r.age_frames is not None]
        shown = [r.age_frames for r in steady if r.age_frames is not None and r.geometry]
        result.update({
            "analysis_fps": round(loop_stats.fps, 1) if loop_stats else None,
            "analysed": loop_stats.analysed if loop_stats else None,
            "analysis_dropped": loop_stats.dropped if loop_stats else None,
            "analysis_latency_ms_last": round(loop_stats.latency_ms, 1) if loop_stats else None,
            "age_frames_median": statistics.median(ages) if ages else None,
            "age_frames_p95": percentile(ages, 0.95) if ages else None,
            "age_frames_max_raw": max(ages) if ages else None,
            "age_frames_max_shown": max(shown) if shown else None,
            "geometry_hidden_pct": round(100 * (1 - len(shown) / len(ages)), 1) if ages else None,
            "held_pct": round(100 * sum(r.held_frames > 0 for r in steady) / len(steady), 1)
            if steady else None,
        })
    return result
