"""End-to-end latency: frame arrival -> analysis -> overlay painted, in a real Qt window.

A window (Qt offscreen unless told otherwise) shows a recording replayed at its recorded pace;
every paint is recorded with the arrival time of the frame it showed and the age of the analysis
drawn over it. Phases in one run: ``baseline`` (live view alone, no analysis), ``full-nohold``
(analysis, newest picture always) and ``full`` (the default: the picture waits up to two frames
for its analysis). Geometry more than two frames old is never drawn (studio/ui/overlay.py).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from studio.bench.stats import percentile

WARMUP_S = 2.0  # model loading and the first analyses are not steady state


def _drop_offscreen_noise(_mode, _context, message: str) -> None:
    # The offscreen platform warns on every window resize; nothing a reader can act on.
    if "propagateSizeHints" not in message:
        sys.stderr.write(message + "\n")


def measure_latency(recording: Path, *, seconds: float, preset: str, x11: bool = False) -> dict:
    """The three phases on ``recording``; figures per phase plus ``median_ms`` / ``p95_ms``."""
    if not x11:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PyQt5.QtCore import qInstallMessageHandler
    from PyQt5.QtWidgets import QApplication

    from studio.ui import undo_cv2_qt_paths

    undo_cv2_qt_paths()
    qInstallMessageHandler(_drop_offscreen_noise)
    qt = QApplication.instance() or QApplication([])
    out = {"platform": qt.platformName()}
    for name, analyse, hold in (("baseline", False, True), ("full-nohold", True, False),
                                ("full", True, True)):
        phase = run_phase(qt, recording, seconds, analyse, preset, hold=hold)
        phase["median_ms"] = phase["latency_ms_median"]
        phase["p95_ms"] = phase["latency_ms_p95"]
        phase["max_shown_age_frames"] = phase.get("age_frames_max_shown")
        out[name] = phase
    return out


def run_phase(qt, source: Path, seconds: float, analyse: bool, preset: str, hold: bool = True) -> dict:
    from PyQt5.QtCore import QTimer

    from drivers.replay import open_source
    from studio.ui.window import MainWindow

    camera = open_source(source, pace="recorded", loop=True)
    app = None
    if analyse:
        from studio.app import StudioApp

        app = StudioApp(camera, preset=preset, source_name="bench")
    window = MainWindow(camera.frames, preset=preset)
    window.resize(1280, 800)
    window.view.hold_picture = hold
    records = []
    window.view.paint_listeners.append(records.append)
    if app is not None:
        app.add_analysis_listener(window.bridge.post_analysis)
        app.ready.add_listener(window.bridge.post_transition)
        app.start()
    else:
        camera.open()
        camera.start_live_view().result(timeout=15)
    window.show()
    started = time.monotonic()
    QTimer.singleShot(int(seconds * 1000), qt.quit)
    qt.exec_()
    ended = time.monotonic()
    window.feed.stop()
    loop_stats = app.loop.stats if app else None
    published = camera.frames.seq
    if app is not None:
        app.stop()
    else:
        camera.close()
    window.close()

    steady = [r for r in records if r.arrived >= started + WARMUP_S]
    first_paint: dict[int, float] = {}
    for r in steady:
        first_paint.setdefault(r.seq, (r.painted - r.arrived) * 1000.0)
    latencies = list(first_paint.values())
    span = max(ended - started - WARMUP_S, 1e-9)
    result = {
        "phase": ("full" if hold else "full-nohold") if analyse else "baseline",
        "frames_published": published,
        "frames_painted": len(first_paint),
        "display_fps": round(len(first_paint) / span, 1),
        "latency_ms_median": round(statistics.median(latencies), 1) if latencies else None,
        "latency_ms_p95": round(percentile(latencies, 0.95), 1) if latencies else None,
        "latency_ms_max": round(max(latencies), 1) if latencies else None,
    }
    if analyse:
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
