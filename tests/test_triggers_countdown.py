"""The countdown's beeps, heard on the virtual speaker of the PulseAudio rig.

    scripts/test-rig.sh .venv/bin/pytest tests/test_triggers_countdown.py

A 3-second countdown through the capture controller (camera: the replay driver) with the app's
CuePlayer; ``parec`` records ``vspk.monitor`` and the test finds each beep's time and pitch.
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

from drivers.replay import ReplayCamera
from studio.capture import CaptureController, CaptureRules
from studio.events import CaptureDone, CountdownTick, TriggerEvent
from studio.session import Session, SessionOptions
from studio.triggers.countdown import CountdownBeeper

RATE = 48_000
FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
pytestmark = [pytest.mark.audio,
              pytest.mark.skipif(not os.environ.get("STUDIO_TEST_PULSE"),
                                 reason="needs the PulseAudio test rig: scripts/test-rig.sh pytest ...")]


def beeps(samples: np.ndarray) -> list[tuple[float, float, float]]:
    """(start s, length s, dominant Hz) of each sound burst in a recording."""
    frame = RATE // 200  # 5 ms
    n = samples.size // frame
    level = np.sqrt(np.mean(samples[: n * frame].reshape(n, frame) ** 2, axis=1))
    loud = level > 0.02
    out = []
    i = 0
    while i < n:
        if loud[i]:
            j = i
            while j < n and (loud[j] or (j + 4 < n and loud[j:j + 4].any())):
                j += 1
            chunk = samples[i * frame:j * frame]
            spectrum = np.abs(np.fft.rfft(chunk * np.hanning(chunk.size)))
            freq = np.fft.rfftfreq(chunk.size, 1 / RATE)[int(np.argmax(spectrum))]
            out.append((i * frame / RATE, (j - i) * frame / RATE, float(freq)))
            i = j
        i += 1
    return out


def record_speaker(path: Path) -> subprocess.Popen:
    """parec on the virtual speaker's monitor, into a file (a pipe left unread fills in 0.3 s)."""
    with open(path, "wb") as out:
        recorder = subprocess.Popen(["parec", "-d", "vspk.monitor", "--raw", "--format=float32le",
                                     f"--rate={RATE}", "--channels=1", "--latency-msec=10"],
                                    stdout=out, stderr=subprocess.DEVNULL)
    # Wait until audio really flows: the first moments of a monitor recording can be dropped,
    # which would squeeze the timeline of whatever plays then.
    deadline = time.monotonic() + 5
    while path.stat().st_size < 0.5 * RATE * 4:
        assert time.monotonic() < deadline, "parec records nothing"
        time.sleep(0.02)
    return recorder


def stop_recording(recorder: subprocess.Popen, path: Path) -> bytes:
    recorder.terminate()
    recorder.wait(5)
    return path.read_bytes()


def test_countdown_beeps_are_heard_on_the_speaker(tmp_path):
    if shutil.which("parec") is None:
        pytest.skip("parec absent (pulseaudio-utils)")
    portrait = FIXTURES / "portraits" / "frec__obama.jpg"
    if not portrait.exists():
        pytest.skip(f"fixture {portrait} absent")
    from studio.audio import CuePlayer

    live = tmp_path / "live"
    live.mkdir()
    cv2.imwrite(str(live / "0.jpg"), cv2.resize(cv2.imread(str(portrait)), (640, 480)))
    session = Session.open(tmp_path, "countdown", day=date(2026, 11, 23),
                           options=SessionOptions(min_free_mb=1))
    camera = ReplayCamera(live, fps=10, loop=True, sink=session)
    camera.open()
    camera.start_live_view().result(5)
    player = CuePlayer(volume=1.0)
    assert player.wait_ready(5), "no output device on the rig"
    controller = CaptureController(camera, session=session,
                                   rules=CaptureRules(cooldown_s=0, min_interval_s=0))
    controller.add_listener(CountdownBeeper(player))
    events: list = []
    controller.add_listener(events.append)
    recorder = record_speaker(tmp_path / "speaker.raw")
    try:
        assert controller.submit(TriggerEvent("key", time.monotonic(), countdown=3)).accepted
        deadline = time.monotonic() + 8
        while not any(isinstance(e, CaptureDone) for e in events) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.8)
    finally:
        raw = stop_recording(recorder, tmp_path / "speaker.raw")
        controller.close()
        camera.close()
        player.close()
    audio = np.frombuffer(raw, dtype="<f4")
    heard = beeps(audio)
    ticks = [e for e in events if isinstance(e, CountdownTick)]
    assert [t.n for t in ticks] == [3, 2, 1, 0]
    assert any(isinstance(e, CaptureDone) for e in events)
    # 80 ms beeps give the FFT a 12.5 Hz resolution: compare pitches within 30 Hz.
    assert len(heard) == 4, heard
    pitches = [f for _, _, f in heard]
    assert all(abs(f - want) < 30 for f, want in zip(pitches, (880, 880, 880, 1760), strict=True)), heard
    tick_gaps = np.diff([t.at for t in ticks])
    assert np.all(np.abs(tick_gaps - 1.0) < 0.05), tick_gaps  # the controller counts true seconds
    starts = [s for s, _, _ in heard]
    gaps = np.diff(starts)
    assert np.all(np.abs(gaps - 1.0) < 0.12), gaps  # one beep a second
    assert heard[-1][1] > 2 * heard[0][1]  # the final beep is the long one
    print(f"\ncountdown heard: {[(round(s, 3), round(d, 3), round(f)) for s, d, f in heard]}; "
          f"gaps {np.round(gaps, 3).tolist()} s")


def test_a_failing_still_is_heard_as_the_still_failed_cue(tmp_path):
    closed = FIXTURES / "portraits" / "inspireface__reaction_close_eyes.jpeg"
    if not closed.exists():
        pytest.skip(f"fixture {closed} absent")
    if shutil.which("parec") is None:
        pytest.skip("parec absent (pulseaudio-utils)")
    from studio.audio import CuePlayer
    from studio.session import ShotProcessor

    live = tmp_path / "live"
    live.mkdir()
    shutil.copyfile(closed, live / "0.jpg")
    session = Session.open(tmp_path, "blink", day=date(2026, 11, 23), options=SessionOptions(min_free_mb=1))
    camera = ReplayCamera(live, fps=10, loop=True, sink=session)
    camera.open()
    camera.start_live_view().result(5)
    player = CuePlayer(volume=1.0)
    assert player.wait_ready(5)
    controller = CaptureController(camera, session=session, processor=ShotProcessor(session), cues=player)
    events: list = []
    controller.add_listener(events.append)
    recorder = record_speaker(tmp_path / "speaker.raw")
    try:
        assert controller.submit(TriggerEvent("key", time.monotonic())).accepted
        assert controller.wait_idle(30)
        deadline = time.monotonic() + 5
        while player.last_ended_at < player.last_started_at or not player.history:
            assert time.monotonic() < deadline, "the cue never finished"
            time.sleep(0.05)
        time.sleep(0.3)

    finally:
        raw = stop_recording(recorder, tmp_path / "speaker.raw")
        controller.close()
        camera.close()
        player.close()
    [done] = [e for e in events if isinstance(e, CaptureDone)]
    assert done.still_failed and "studio:eyes-closed" in done.records[0].verdict.keywords
    assert [name for name, _ in player.history] == ["still-failed"]
    # Three falling notes (466, 370, 294 Hz) came out of the speaker.
    # The three falling notes (466, 370, 294 Hz, 0.46 s) came out of the speaker, as one burst.
    [(_, seconds, _)] = beeps(np.frombuffer(raw, dtype="<f4"))
    assert seconds == pytest.approx(0.46, abs=0.08)
