"""The countdown owns the speaker: heard on the PulseAudio rig's virtual speaker.

    scripts/test-rig.sh .venv/bin/python -m pytest tests/test_countdown_speaker.py

A real :class:`AudioGuide` is fed a failing analysis 30 times a second and asks for a "light"
tone again and again (a short reminder time), so without the hold guidance tones would sound
between the beeps. A 3-second countdown through the real capture controller (replay camera,
session) starts while one of those tones is sounding. ``parec`` records ``vspk.monitor``; the
test finds every burst of sound at 1 ms resolution and its pitch: the guidance tone is cut
short, the three beeps and the final beep follow one another at 1.000 ± 0.02 s on the
recording's own clock with nothing in between, and the shutter click comes with the shot.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.replay import ReplayCamera
from studio.analysis import Analysis, CheckResult, Status
from studio.capture import CaptureController, CaptureRules
from studio.events import CaptureDone, CountdownTick, TriggerEvent
from studio.session import Session, SessionOptions
from studio.triggers.countdown import CountdownBeeper, ShutterSound

RATE = 48_000
FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
pytestmark = [pytest.mark.audio,
              pytest.mark.skipif(not os.environ.get("STUDIO_TEST_PULSE"),
                                 reason="needs the PulseAudio test rig: scripts/test-rig.sh pytest ...")]


def bursts(samples: np.ndarray, *, hop: int = 48, threshold: float = 0.02,
           gap_s: float = 0.025) -> list[tuple[float, float, float]]:
    """(onset s, length s, dominant Hz) of each burst; 1 ms blocks, gaps < ``gap_s`` bridged."""
    n = samples.size // hop
    peak = np.abs(samples[: n * hop]).reshape(n, hop).max(axis=1)
    loud = np.flatnonzero(peak > threshold)
    spans: list[list[int]] = []
    for block in loud:
        if spans and (block - spans[-1][1]) * hop / RATE <= gap_s:
            spans[-1][1] = block
        else:
            spans.append([block, block])
    out = []
    for a, b in spans:
        chunk = samples[a * hop:(b + 1) * hop]
        spectrum = np.abs(np.fft.rfft(chunk * np.hanning(chunk.size), n=1 << 16))
        out.append((a * hop / RATE, (b + 1 - a) * hop / RATE, float(np.argmax(spectrum) * RATE / (1 << 16))))
    return out


def failing(t: float, frame: int) -> Analysis:
    checks = (CheckResult("face", Status.PASS, "one face"),
              CheckResult("glare", Status.FAIL, "glare on the left lens"))
    return Analysis(source="test", frame=frame, timestamp=t, size=(640, 480), shot="headshot",
                    faces=1, checks=checks, ready=False, preset="test", required=("face", "glare"))


class Guide(threading.Thread):
    """The real guide, fed a failing analysis at 30 fps until stopped."""

    def __init__(self, player) -> None:
        super().__init__(daemon=True)
        from studio.audio import AudioGuide

        self.guide = AudioGuide(player, settle_s=0.1, clear_s=0.2, min_gap_s=0.25, reminder_s=0.25)
        self.asked: list[tuple[str, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        frame = 0
        while not self.stop.wait(1 / 30):
            frame += 1
            now = time.monotonic()
            cue = self.guide.on_analysis(failing(now, frame))
            if cue:
                self.asked.append((cue, now))


def test_countdown_beeps_alone_on_time_while_the_guide_would_speak(tmp_path):
    if shutil.which("parec") is None:
        pytest.skip("parec absent (pulseaudio-utils)")
    portrait = FIXTURES / "portraits" / "frec__obama.jpg"
    if not portrait.exists():
        pytest.skip(f"fixture {portrait} absent")
    from studio.audio import CuePlayer

    live = tmp_path / "live"
    live.mkdir()
    cv2.imwrite(str(live / "0.jpg"), cv2.resize(cv2.imread(str(portrait)), (640, 480)))
    session = Session.open(tmp_path, "speaker", day=date(2026, 11, 23), options=SessionOptions(min_free_mb=1))
    camera = ReplayCamera(live, fps=10, loop=True, sink=session)
    camera.open()
    camera.start_live_view().result(5)
    player = CuePlayer(volume=1.0, min_repeat_s=0.25)
    assert player.wait_ready(5), "no output device on the rig"
    controller = CaptureController(camera, session=session,
                                   rules=CaptureRules(cooldown_s=0, min_interval_s=0))
    controller.add_listener(CountdownBeeper(player))
    controller.add_listener(ShutterSound(player))
    events: list = []
    controller.add_listener(events.append)
    guide = Guide(player)
    out = tmp_path / "speaker.raw"
    with open(out, "wb") as sink:
        recorder = subprocess.Popen(["parec", "-d", "vspk.monitor", "--raw", "--format=float32le",
                                     f"--rate={RATE}", "--channels=1", "--latency-msec=10"],
                                    stdout=sink, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 5
        while out.stat().st_size < 0.5 * RATE * 4:
            assert time.monotonic() < deadline, "parec records nothing"
            time.sleep(0.02)
        guide.start()
        # Start the countdown while a guidance tone is sounding.
        deadline = time.monotonic() + 5
        while not (player.is_playing and player.history and player.history[-1][0] == "light"
                   and time.monotonic() - player.history[-1][1] > 0.03):
            assert time.monotonic() < deadline, f"the guide never spoke: {guide.asked}"
            time.sleep(0.002)
        asked_before = len(guide.asked)
        assert controller.submit(TriggerEvent("key", time.monotonic(), countdown=3)).accepted
        deadline = time.monotonic() + 10
        while not any(isinstance(e, CaptureDone) for e in events):
            assert time.monotonic() < deadline, "no shot"
            time.sleep(0.05)
        time.sleep(1.5)
    finally:
        guide.stop.set()
        guide.join(2)
        recorder.terminate()
        recorder.wait(5)
        controller.close()
        camera.close()
        player.close()
    heard = bursts(np.frombuffer(out.read_bytes(), dtype="<f4"))
    ticks = [e for e in events if isinstance(e, CountdownTick)]
    assert [t.n for t in ticks] == [3, 2, 1, 0]
    beeps = [i for i, (_, _, hz) in enumerate(heard) if abs(hz - 880) < 20]
    finals = [i for i, (_, _, hz) in enumerate(heard) if abs(hz - 1760) < 30]
    assert len(beeps) == 3 and len(finals) == 1, heard
    first, final = beeps[0], finals[0]
    # Nothing but the countdown between its first and its last beep.
    assert list(range(first, final + 1)) == beeps + finals, heard
    onsets = [heard[i][0] for i in beeps + finals]
    gaps = np.diff(onsets)
    print(f"\nbursts {[(round(s, 3), round(d, 3), round(f)) for s, d, f in heard]}\n"
          f"beep spacing {np.round(gaps, 4).tolist()} s; guide asked {len(guide.asked)} cues, "
          f"{len(player.refused_held)} refused while held")
    assert np.all(np.abs(gaps - 1.0) <= 0.02), gaps
    # The guide went on asking during the countdown and was refused; the tone that was sounding
    # when the countdown began was cut short (light is 0.27 s + tail).
    assert "light" in player.refused_held and len(guide.asked) >= asked_before
    before = [b for b in heard[:first] if abs(b[2] - 880) >= 20]
    assert before, "no guidance tone before the countdown"
    assert before[-1][1] < 0.26, f"the tone sounding at the countdown's start was not cut: {before[-1]}"
    # The shutter click (noise) after the final beep, with the shot.
    assert final + 1 < len(heard), "no shutter sound"
    names = [name for name, _ in player.history]
    assert "countdown-run" in names and "shutter" in names[names.index("countdown-run"):], names
