"""Changes at run time take effect everywhere: a preset chosen while running reaches the live
checks, the still re-check, the sidecars and the report; the chooser shows the active trigger
with its progress.

Real parts: the replay driver on a real portrait, the real live Analyzer on the vision thread,
the real ShotProcessor (still Analyzer, XMP and JSON sidecars) on the shot worker.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import cv2
import pytest

from drivers.replay import ReplayCamera
from studio.app import StudioApp
from studio.events import CaptureDone, TriggerStatus
from studio.session import Session, SessionOptions
from studio.session.state import load_state
from studio.triggers.setup import TriggerOptions

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
PORTRAIT = FIXTURES / "portraits" / "frec__obama.jpg"


def live_folder(tmp_path: Path) -> Path:
    if not PORTRAIT.exists():
        pytest.skip(f"fixture {PORTRAIT} absent")
    folder = tmp_path / "live"
    folder.mkdir()
    cv2.imwrite(str(folder / "0.jpg"), cv2.resize(cv2.imread(str(PORTRAIT)), (960, 720)))
    return folder


def wait_for(what, timeout: float):
    deadline = time.monotonic() + timeout
    while not (value := what()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return value


def test_a_preset_changed_while_running_reaches_checks_stills_sidecars_and_report(tmp_path):
    session = Session.open(tmp_path / "s", "presets", subject="barack", preset="commercial-headshot",
                           options=SessionOptions(min_free_mb=1))
    camera = ReplayCamera(live_folder(tmp_path), fps=5, loop=True, sink=session)
    app = StudioApp(camera, preset="commercial-headshot", session=session)
    done: list[CaptureDone] = []
    app.capture.add_listener(lambda e: done.append(e) if isinstance(e, CaptureDone) else None)
    app.start()
    try:
        first = wait_for(lambda: app.loop.latest, 120)
        assert first.preset == "commercial-headshot"
        assert app.request_capture("key").accepted
        wait_for(lambda: done, 120)
        app.set_preset("portrait")  # what the window's P key does
        assert app.preset == "portrait"
        live = wait_for(lambda: (a := app.loop.latest) is not None and a.preset == "portrait" and a, 60)
        assert app.request_capture("key").accepted
        wait_for(lambda: len(done) == 2, 120)
        assert app.capture.wait_idle(60)
    finally:
        app.stop()
    before, after = done
    assert before.analysis is not None and before.analysis.preset == "commercial-headshot"
    assert after.analysis is not None and after.analysis.preset == "portrait"  # the still re-check
    assert live.preset == "portrait"  # the live checks
    sidecars = [json.loads(next(p for p in d.records[0].sidecars if p.name.endswith(".studio.json"))
                           .read_text()) for d in done]
    assert [s["preset"] for s in sidecars] == ["commercial-headshot", "portrait"]
    assert [s["analysis"]["preset"] for s in sidecars] == ["commercial-headshot", "portrait"]
    assert load_state(session.folder).preset == "portrait"  # session.json, read by the report
    from studio.report.sheet import render_sheet

    assert "preset portrait" in render_sheet(session.folder, load_state(session.folder))


def test_the_chooser_shows_the_active_trigger_with_progress(tmp_path):
    session = Session.open(tmp_path / "s", "interval", options=SessionOptions(min_free_mb=1))
    camera = ReplayCamera(live_folder(tmp_path), fps=10, loop=True, sink=session)
    options = TriggerOptions(interval_s=0.5, interval_shots=3)
    app = StudioApp(camera, session=session, trigger_options=options,
                    analyser_factory=lambda preset: _NoFace())
    app.capture.rules.cooldown_s = app.capture.rules.min_interval_s = 0.0
    heard: list[TriggerStatus] = []
    app.add_status_listener(heard.append)
    assert app.trigger_mode == "interval" and "interval" in app.trigger_modes
    app.start()
    try:
        wait_for(lambda: app.trigger_status.progress == "3 of 3", 20)
        assert app.trigger_mode == "interval"  # not "manual" while it runs
        app.set_trigger_mode("manual")
        assert app.trigger_status == TriggerStatus("manual", True, "", "", "keys, pedal and button fire")
    finally:
        app.stop()
    assert [s.progress for s in heard if s.mode == "interval"][:2] == ["0 of 3", "1 of 3"]
    assert heard[-1].mode == "manual"


class _NoFace:
    """Only the interval is under test here: the analyser's verdicts do not matter."""

    def analyse_frame(self, frame, source):
        from studio.analysis import Analysis

        return Analysis(source=source, frame=frame.seq, timestamp=frame.timestamp, size=frame.size,
                        shot="headshot", faces=0, checks=(), ready=False, required=())

    def set_preset(self, name: str) -> None:
        pass
