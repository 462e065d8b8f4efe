"""Cues through a real PulseAudio server: recorded from the virtual speaker's monitor.

Run under the rig: ``scripts/test-rig.sh .venv/bin/pytest tests/test_audio_pulse.py``
(PULSE_SERVER must be set before sounddevice is imported, which the player does lazily).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import numpy as np
import pytest

from studio.analysis import Analysis, CheckResult, Status
from studio.audio import AudioGuide, CuePlayer
from studio.audio.cues import CUES, cue_seconds
from studio.ready import ReadyMachine

pytestmark = [
    pytest.mark.audio,
    pytest.mark.skipif(not os.environ.get("STUDIO_TEST_PULSE"),
                       reason="needs the PulseAudio rig: scripts/test-rig.sh .venv/bin/pytest ..."),
]
RATE = 48_000


class MonitorRecording:
    """parec on vspk.monitor as float32 mono at 48 kHz, into a file, for the life of a with-block."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        if not shutil.which("parec"):
            pytest.skip("parec (pulseaudio-utils) is not installed")
        self._file = open(self.path, "wb")
        self.proc = subprocess.Popen(
            ["parec", "-d", "vspk.monitor", "--raw", "--format=float32le", f"--rate={RATE}",
             "--channels=1", "--latency-msec=10"], stdout=self._file)
        time.sleep(0.5)  # let the stream settle before anything plays
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc):
        time.sleep(0.4)
        self.proc.terminate()
        self.proc.wait(5)
        self._file.close()
        self.samples = np.fromfile(self.path, dtype="<f4")


def envelope(samples: np.ndarray, hop: int = 240) -> np.ndarray:
    """Peak level per 5 ms block."""
    n = len(samples) // hop
    return np.abs(samples[: n * hop]).reshape(n, hop).max(axis=1)


def sounding_spans(samples: np.ndarray, threshold: float = 0.01, hop: int = 240,
                   gap_s: float = 0.08) -> list[tuple[float, float]]:
    """(start_s, end_s) of the sounding parts; gaps shorter than ``gap_s`` are bridged."""
    loud = np.flatnonzero(envelope(samples, hop) > threshold)
    spans: list[list[float]] = []
    for block in loud:
        t = block * hop / RATE
        if spans and t - spans[-1][1] <= gap_s:
            spans[-1][1] = t + hop / RATE
        else:
            spans.append([t, t + hop / RATE])
    return [(a, b) for a, b in spans]


def dominant_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)), n=1 << 18))
    return float(np.argmax(spectrum) * RATE / (1 << 18))


@pytest.fixture
def player():
    p = CuePlayer(volume=0.8, min_repeat_s=1.0)
    assert p.wait_ready(10) is True, "the rig's PulseAudio should be an output device"
    yield p
    p.close()


def test_ready_cue_reaches_the_speaker(player, tmp_path):
    with MonitorRecording(tmp_path / "ready.f32") as rec:
        asked = time.monotonic()
        assert player.play("ready")
        time.sleep(1.0)
    spans = sounding_spans(rec.samples)
    assert len(spans) == 1, spans
    start, end = spans[0]
    duration = end - start
    started_after = player.history[-1][1] - asked
    print(f"ready cue: {duration * 1000:.0f} ms long; stream started {started_after * 1000:.0f} ms "
          "after play()")
    assert duration == pytest.approx(cue_seconds("ready"), abs=0.04)
    first, second = CUES["ready"]
    a = int(start * RATE)
    n1, n2 = int(first.seconds * RATE), int(second.seconds * RATE)
    f1 = dominant_hz(rec.samples[a + 240: a + n1 - 240])
    f2 = dominant_hz(rec.samples[a + n1 + 240: a + n1 + n2 - 480])
    print(f"ready cue notes: {f1:.1f} Hz, {f2:.1f} Hz")
    assert f1 == pytest.approx(first.freq, abs=5)
    assert f2 == pytest.approx(second.freq, abs=5)
    assert player.history and player.history[-1][0] == "ready"
    assert not player.is_playing and player.recently_active(5.0)


def test_one_cue_at_a_time_and_rate_limited(player, tmp_path):
    with MonitorRecording(tmp_path / "burst.f32") as rec:
        accepted = [player.play("eyes")]
        deadline = time.monotonic() + 2
        while not player.is_playing and time.monotonic() < deadline:
            time.sleep(0.002)
        accepted += [player.play(name) for name in ("eyes", "light", "focus", "framing")]
        time.sleep(1.5)
    # The repeat of "eyes" is refused; "light" and "focus" were replaced by "framing" while
    # "eyes" was still sounding: the newest wins, nothing queues up.
    assert accepted == [True, False, True, True, True]
    played = [name for name, _ in player.history]
    assert played == ["eyes", "framing"], played
    spans = sounding_spans(rec.samples, gap_s=0.03)
    # eyes is two blips, then framing: never two cues at once, so three spans in order.
    assert len(spans) == 3, spans
    framing = spans[2]
    assert framing[0] >= spans[1][1], "framing started before eyes ended"
    assert dominant_hz(rec.samples[int(framing[0] * RATE): int((framing[0] + 0.12) * RATE)]) == \
        pytest.approx(392.0, abs=5)


def analysis_at(t: float, frame: int, *, ready: bool, problem: str = "glare") -> Analysis:
    status = Status.PASS if ready else Status.FAIL
    checks = (CheckResult("face", Status.PASS, "one face"),
              CheckResult(problem, status, "" if ready else "glare on the left lens"))
    return Analysis(source="test", frame=frame, timestamp=t, size=(640, 480), shot="headshot",
                    faces=1, checks=checks, ready=ready, preset="test",
                    required=("face", problem))


def test_flapping_state_does_not_nag(player, tmp_path):
    """READY for 0.6 s, glare for 0.2 s, over and over for 5 s, at 30 fps in real time.

    Naively that is 6 READY cues and 6 glare cues; the guide says READY at most every 2.5 s and
    never names glare (it never stays long enough to settle).
    """
    machine = ReadyMachine(hold_s=0.4)
    guide = AudioGuide(player, settle_s=0.6, ready_repeat_s=2.5)
    machine.add_listener(guide.on_transition)
    asked: list[str] = []
    transitions: list[str] = []
    machine.add_listener(lambda t: transitions.append(t.state.value))
    with MonitorRecording(tmp_path / "flap.f32") as rec:
        t0 = time.monotonic()
        frame = 0
        while (now := time.monotonic()) - t0 < 5.0:
            frame += 1
            ready = ((now - t0) % 0.8) < 0.6
            a = analysis_at(now, frame, ready=ready)
            machine.update(a)
            cue = guide.on_analysis(a)
            if cue:
                asked.append(cue)
            time.sleep(max(0.0, t0 + frame / 30 - time.monotonic()))
        time.sleep(0.6)
    ready_entries = transitions.count("ready")
    played = [name for name, _ in player.history]
    spans = sounding_spans(rec.samples)
    print(f"flapping: {ready_entries} READY entries, cues played {played}, {len(spans)} heard")
    assert ready_entries >= 5, "the state really flapped"
    assert "light" not in played
    assert played.count("ready") in (1, 2)
    assert len(spans) == len(played)


def test_guide_names_a_settled_problem_once(player):
    guide = AudioGuide(player, settle_s=0.5, clear_s=1.0, min_gap_s=0.0)
    asked = []
    t0 = time.monotonic()
    for i in range(60):  # 2 s of glare at 30 fps
        cue = guide.on_analysis(analysis_at(t0 + i / 30, i, ready=False))
        asked.append((i, cue))
    named = [(i, c) for i, c in asked if c]
    assert [c for _, c in named] == ["light"]
    assert named[0][0] >= 15, "named before the problem settled for 0.5 s"
    # Gone for longer than clear_s, then back and settled: it is news again.
    for i in range(60, 100):
        guide.on_analysis(analysis_at(t0 + i / 30, i, ready=True))
    time.sleep(1.1)  # the player's own repeat guard (min_repeat_s=1.0) is in real time
    again = [guide.on_analysis(analysis_at(t0 + i / 30, i, ready=False)) for i in range(100, 140)]
    assert again.count("light") == 1


def test_spoken_hint_when_an_engine_is_installed(player, tmp_path):
    from studio.audio.speech import find_engine

    if find_engine() is None:
        pytest.skip("no espeak-ng/espeak on PATH: hints are tones (tested above)")
    with MonitorRecording(tmp_path / "say.f32") as rec:
        assert player.speak("glare on the left lens")
        time.sleep(3.0)
    assert player.history[-1][0].startswith("say:")
    spans = sounding_spans(rec.samples, gap_s=0.3)  # words are separated by short pauses
    assert spans, "nothing was heard"
    assert spans[-1][1] - spans[0][0] > 0.6, spans  # a sentence, not a blip
