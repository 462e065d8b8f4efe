"""StudioApp: each MediaPipe analyser stays on the thread that made it; the session hook runs."""

from __future__ import annotations

import threading

from studio.app import StudioApp, open_camera
from studio.session import Session


class ThreadRecordingAnalyser:
    """Stands in for the Analyzer only to record threads; the camera and loop are real."""

    def __init__(self, threads: dict[str, str]) -> None:
        self.threads = threads
        self.threads["created"] = threading.current_thread().name

    def analyse_frame(self, frame, source):
        from studio.analysis import Analysis

        self.threads.setdefault("analysed", threading.current_thread().name)
        return Analysis(source=source, frame=frame.seq, timestamp=frame.timestamp,
                        size=frame.size, shot="headshot", faces=0, checks=(), ready=False,
                        required=())

    def close(self) -> None:
        self.threads["closed"] = threading.current_thread().name


def test_the_analyser_is_created_used_and_closed_on_the_vision_thread(tmp_path, sample_recording):
    threads: dict[str, str] = {}
    session = Session.open(tmp_path, "threads")
    camera = open_camera(str(sample_recording), sink=session, pace="fast")
    app = StudioApp(camera, analyser_factory=lambda preset: ThreadRecordingAnalyser(threads),
                    session=session)
    app.start()
    assert app.wait(60), "the sample recording did not end"
    app.stop()
    assert threads["created"] == threads["analysed"] == threads["closed"] == "vision"
    assert app.loop.stats.analysed > 0


def test_the_session_hook_hears_init_start_and_stop(tmp_path, sample_recording):
    from studio.session.state import SessionOptions

    log = tmp_path / "hook.log"
    script = tmp_path / "hook.sh"
    script.write_text(f'#!/bin/sh\necho "$ACTION" >> {log}\n')
    script.chmod(0o755)
    session = Session.open(tmp_path / "shoots", "hooks", options=SessionOptions(hook=str(script)))
    camera = open_camera(str(sample_recording), sink=session, pace="fast")
    threads: dict[str, str] = {}
    app = StudioApp(camera, analyser_factory=lambda preset: ThreadRecordingAnalyser(threads),
                    session=session)
    app.start()
    assert app.wait(60)
    app.stop()
    assert log.read_text().split() == ["init", "start", "stop"]


class PresetRecordingAnalyser(ThreadRecordingAnalyser):
    def __init__(self, threads: dict[str, str], presets: list[tuple[str, str]]) -> None:
        super().__init__(threads)
        self.presets = presets

    def set_preset(self, name: str) -> None:
        self.presets.append((name, threading.current_thread().name))


def test_only_the_newest_preset_asked_for_reaches_the_analyser_on_its_thread(tmp_path, sample_recording):
    from studio.vision.presets import PRESETS

    first, second = tuple(PRESETS)[:2]
    threads: dict[str, str] = {}
    presets: list[tuple[str, str]] = []
    camera = open_camera(str(sample_recording), pace="fast", sink=Session.open(tmp_path, "presets"))
    app = StudioApp(camera, analyser_factory=lambda preset: PresetRecordingAnalyser(threads, presets))
    app.set_preset(first)  # two asks before any frame: the first is overtaken, never applied
    app.set_preset(second)
    app.start()
    assert app.wait(60)
    app.stop()
    assert presets == [(second, "vision")]
    assert app.preset == second
