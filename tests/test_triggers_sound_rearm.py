"""The clap trigger's re-arm rule and the shutter sound, on the PulseAudio rig.

    scripts/test-rig.sh .venv/bin/python -m pytest tests/test_triggers_sound_rearm.py

Claps are played into the rig's virtual microphone (``paplay -d micfeed``) and heard by the real
SoundTrigger; shots go through the real controller to the replay camera and a real session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest
from test_triggers_sound import clap, silence, write_wav

from drivers.replay import ReplayCamera
from studio.capture import CaptureController, CaptureRules
from studio.events import CaptureDone, CaptureStarted, TriggerStatus
from studio.session import Session, SessionOptions
from studio.triggers.setup import TriggerOptions, Triggers

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
PORTRAIT = FIXTURES / "portraits" / "frec__obama.jpg"
pytestmark = [pytest.mark.audio,
              pytest.mark.skipif(not os.environ.get("STUDIO_TEST_PULSE"),
                                 reason="needs the PulseAudio test rig: scripts/test-rig.sh pytest ...")]


@pytest.fixture
def rig(tmp_path):
    if not PORTRAIT.exists():
        pytest.skip(f"fixture {PORTRAIT} absent")
    if shutil.which("paplay") is None:
        pytest.skip("paplay absent (pulseaudio-utils)")
    live = tmp_path / "live"
    live.mkdir()
    cv2.imwrite(str(live / "0.jpg"), cv2.resize(cv2.imread(str(PORTRAIT)), (640, 480)))
    session = Session.open(tmp_path / "s", "claps", day=date(2026, 11, 23),
                           options=SessionOptions(min_free_mb=1))
    camera = ReplayCamera(live, fps=10, loop=True, sink=session)
    camera.open()
    camera.start_live_view().result(5)
    controller = CaptureController(camera, session=session,
                                   rules=CaptureRules(cooldown_s=0.2, min_interval_s=0.4))
    events: list = []
    controller.add_listener(events.append)
    yield controller, events, tmp_path
    controller.close()
    camera.close()


def play_clap(path: Path) -> None:
    write_wav(path, np.concatenate([silence(0.1), clap(0.8), silence(0.2)]))
    subprocess.run(["paplay", "-d", "micfeed", str(path)], check=True, timeout=10)


def wait_for(what, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not what():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_clap_fires_then_claps_are_not_heard_until_it_rearms(rig):
    controller, events, tmp = rig
    triggers = Triggers(controller, TriggerOptions(sound=True, sound_rearm_s=2.0))
    heard: list[TriggerStatus] = []
    triggers.add_status_listener(heard.append)
    assert triggers.start() == []
    try:
        time.sleep(0.5)  # the background level settles
        assert triggers.status.armed
        play_clap(tmp / "a.wav")
        wait_for(lambda: any(isinstance(e, CaptureStarted) for e in events))
        assert triggers.status == TriggerStatus("sound", False, "fired: re-arms in 2 s", "",
                                                "re-arms 2 s after a shot")
        play_clap(tmp / "b.wav")  # within the 2 s: not a shot
        time.sleep(0.4)
        assert len([e for e in events if isinstance(e, CaptureStarted)]) == 1
        wait_for(lambda: triggers.status.armed, 3)
        play_clap(tmp / "c.wav")
        wait_for(lambda: len([e for e in events if isinstance(e, CaptureStarted)]) == 2)
    finally:
        triggers.stop()
    assert triggers.sound is None or triggers.sound.ignored  # clap b was heard and ignored
    assert [s.armed for s in heard if s.mode == "sound"][:4] == [True, False, True, False]


@pytest.mark.parametrize("shutter", [True, False])
def test_the_shutter_sound_setting(rig, shutter):
    from studio.audio import CuePlayer

    controller, events, _ = rig
    player = CuePlayer(volume=0.5)
    assert player.wait_ready(5)
    triggers = Triggers(controller, TriggerOptions(shutter_sound=shutter), cues=player)
    triggers.start()
    try:
        assert triggers.keys.press("Space")
        wait_for(lambda: any(isinstance(e, CaptureDone) for e in events), 10)
        time.sleep(0.4)
    finally:
        triggers.stop()
        player.close()
    assert ([name for name, _ in player.history] == ["shutter"]) is shutter
