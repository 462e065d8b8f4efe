"""The sound trigger: onset detection on synthesized sounds, then the real path on PulseAudio.

The PulseAudio tests need the private server of ``scripts/test-rig.sh`` (a virtual microphone
``vmic`` fed by the sink ``micfeed``):

    scripts/test-rig.sh .venv/bin/pytest tests/test_triggers_sound.py

A clap is synthesized here and played into ``micfeed`` with ``paplay``. For the app's own cues,
the test routes this process's playback into ``micfeed`` too (``PULSE_SINK``), standing in for
a speaker that the microphone hears: the trigger must ignore those and still hear a real clap.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from studio.events import TriggerEvent
from studio.triggers.sound import OnsetDetector, SoundTrigger, cue_guard

RATE = 48_000


def clap(peak: float = 0.8, seed: int = 1) -> np.ndarray:
    """A hand clap: a 2 ms attack of broadband noise, decaying with a ~12 ms time constant."""
    t = np.arange(int(0.08 * RATE)) / RATE
    envelope = np.minimum(t / 0.002, 1.0) * np.exp(-np.maximum(t - 0.002, 0) / 0.012)
    noise = np.random.default_rng(seed).uniform(-1, 1, t.size)
    return (peak * envelope * noise / np.max(np.abs(noise))).astype(np.float32)


def tone(seconds: float, freq: float = 220.0, level: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    ramp = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.01)
    return (level * ramp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def silence(seconds: float, level: float = 0.0, seed: int = 2) -> np.ndarray:
    return (level * np.random.default_rng(seed).standard_normal(int(seconds * RATE))).astype(np.float32)


def detect(signal: np.ndarray, **options: float) -> list[float]:
    detector = OnsetDetector(RATE, **options)
    onsets: list[float] = []
    for start in range(0, signal.size, 441):  # odd block size: frames straddle blocks
        onsets += detector.feed(signal[start:start + 441], start / RATE)
    return onsets


# -- the detector (no sound server needed) -----------------------------------------------------


def test_claps_are_found_at_their_onset():
    quiet = lambda seconds: silence(seconds, 0.001)
    signal = np.concatenate([quiet(0.5), clap(), quiet(0.7), clap(0.3, 3), quiet(0.5)])
    onsets = detect(signal)
    assert len(onsets) == 2
    assert onsets[0] == pytest.approx(0.5, abs=0.015)
    assert onsets[1] == pytest.approx(0.5 + 0.08 + 0.7, abs=0.015)


def test_long_or_quiet_sounds_are_not_claps():
    # Speech-like: a loud sustained tone (0.6 s) starts as suddenly as a clap but lasts.
    speech = np.concatenate([silence(0.3, 0.001), tone(0.6), silence(0.4, 0.001)])
    assert detect(speech) == []
    # A clap far away / quiet: below the peak threshold.
    assert detect(np.concatenate([silence(0.3, 0.001), clap(0.03), silence(0.3, 0.001)])) == []
    # In steady loud noise (a fan, music), a clap must stand out by jump_db to count.
    noisy = np.concatenate([silence(1.0, 0.1), silence(0.2, 0.1) + np.pad(clap(0.2), (0, 9600 - 3840)),
                            silence(0.5, 0.1)])
    assert detect(noisy) == []
    assert len(detect(np.concatenate([silence(1.0, 0.01), clap(0.9), silence(0.5, 0.01)]))) == 1


# -- on PulseAudio ------------------------------------------------------------------------------

needs_pulse = pytest.mark.skipif(not os.environ.get("STUDIO_TEST_PULSE"),
                                 reason="needs the PulseAudio test rig: scripts/test-rig.sh pytest ...")


def write_wav(path: Path, samples: np.ndarray) -> Path:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())
    return path


def play_into_mic(path: Path) -> float:
    """Play a WAV into the virtual microphone; returns the monotonic time paplay was started."""
    started = time.monotonic()
    subprocess.run(["paplay", "-d", "micfeed", str(path)], check=True, timeout=10)
    return started


@pytest.fixture
def listening():
    if shutil.which("paplay") is None:
        pytest.skip("paplay absent (pulseaudio-utils)")
    fired: list[TriggerEvent] = []
    trigger = SoundTrigger(fired.append)
    trigger.start()
    time.sleep(0.5)  # let the background level settle
    yield trigger, fired
    trigger.stop()


@pytest.mark.audio
@needs_pulse
def test_clap_into_the_virtual_microphone_fires(listening, tmp_path):
    trigger, fired = listening
    latencies = []
    for i, peak in enumerate((0.9, 0.5, 0.25, 0.12)):
        samples = np.concatenate([silence(0.2), clap(peak, i), silence(0.3)])
        wav = write_wav(tmp_path / f"clap{i}.wav", samples)
        before = len(fired)
        started = play_into_mic(wav)
        deadline = time.monotonic() + 1.0
        while len(fired) == before and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(fired) == before + 1, f"clap at peak {peak} not heard"
        latencies.append(fired[-1].at - (started + 0.2))
        time.sleep(0.3)
    # Speech-like sound into the same microphone: no trigger.
    samples = np.concatenate([silence(0.2), tone(0.8, 180, 0.6), silence(0.3)])
    wav = write_wav(tmp_path / "speech.wav", samples)
    before = len(fired)
    play_into_mic(wav)
    time.sleep(0.5)
    assert len(fired) == before
    print(f"\nclaps at peaks 0.9/0.5/0.25/0.12 detected {len(latencies)}/4; onset time vs the clap in "
          f"the file: {', '.join(f'{x * 1000:+.0f} ms' for x in latencies)} (includes paplay start-up); "
          f"long sounds rejected: {trigger.detector.rejected_long}")
    # paplay's own start-up (process, connection, stream) is inside these figures; the first
    # run on a cold server took ~0.55 s, later ones ~20 ms.
    assert all(-0.1 < x < 1.0 for x in latencies)


@pytest.mark.audio
@needs_pulse
def test_the_apps_own_cues_do_not_fire_but_a_clap_still_does(tmp_path, monkeypatch):
    if shutil.which("paplay") is None:
        pytest.skip("paplay absent (pulseaudio-utils)")
    monkeypatch.setenv("PULSE_SINK", "micfeed")  # our speaker is heard by our microphone
    from studio.audio import CuePlayer

    player = CuePlayer(volume=1.0, min_repeat_s=0.0)
    assert player.wait_ready(5), "no output device on the rig"
    fired: list[TriggerEvent] = []
    trigger = SoundTrigger(fired.append, ignore=cue_guard(player))
    trigger.start()
    try:
        time.sleep(0.5)
        cues = ("shutter", "countdown", "countdown-final", "eyes", "shutter")
        for cue in cues:
            assert player.play(cue)
            time.sleep(0.9)
        own_heard = len(trigger.ignored)
        assert fired == [], f"the app's own cues fired the trigger: {fired}"
        # The microphone did hear them (they were detected as onsets and then ignored): the guard
        # is what kept them out, not a deaf microphone.
        assert own_heard >= 3
        wav = write_wav(tmp_path / "clap.wav", np.concatenate([silence(0.2), clap(0.6), silence(0.3)]))
        play_into_mic(wav)
        deadline = time.monotonic() + 1.0
        while not fired and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(fired) == 1 and fired[0].source == "sound"
        print(f"\nown cues played {len(cues)}, heard as onsets {own_heard}, fired 0; clap after them fired 1")
    finally:
        trigger.stop()
        player.close()
