"""Cue synthesis and the no-device path: no sound server needed.

The audio that really reaches a speaker is checked in test_audio_pulse.py (PulseAudio rig).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from studio.audio import NO_DEVICE_MESSAGE
from studio.audio.cues import CUE_NAMES, CUES, PEAK, SAMPLERATE, TAIL_S, cue_seconds, synthesize

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = ("ready", "framing", "eyes", "focus", "light", "countdown", "countdown-final",
            "shutter", "still-failed")


def dominant_hz(samples: np.ndarray, rate: int) -> float:
    window = samples * np.hanning(len(samples))
    spectrum = np.abs(np.fft.rfft(window, n=1 << 18))
    return float(np.argmax(spectrum) * rate / (1 << 18))


def test_every_required_cue_exists_and_is_padded():
    for name in REQUIRED:
        assert name in CUE_NAMES
        wave = synthesize(name)
        assert wave.dtype == np.float32
        assert 0.3 * PEAK < np.max(np.abs(wave)) <= PEAK + 1e-6, name
        tail = int(TAIL_S * SAMPLERATE)
        assert TAIL_S >= 0.04
        assert np.all(wave[-tail:] == 0.0), f"{name}: the last {TAIL_S * 1000:.0f} ms must be silent"
        assert len(wave) == pytest.approx((cue_seconds(name) + TAIL_S) * SAMPLERATE, abs=3)
        assert cue_seconds(name) <= 0.5, f"{name} is not short"
        # Soft edges: no click at the start.
        assert abs(wave[0]) < 0.01


def test_ready_cue_notes_have_their_frequencies():
    wave = synthesize("ready")
    first, second = CUES["ready"]
    n1 = int(first.seconds * SAMPLERATE)
    n2 = int(second.seconds * SAMPLERATE)
    assert dominant_hz(wave[:n1], SAMPLERATE) == pytest.approx(first.freq, abs=2)
    assert dominant_hz(wave[n1:n1 + n2], SAMPLERATE) == pytest.approx(second.freq, abs=2)


def test_cues_are_distinct():
    # Two cues are told apart by length or by their loudest frequency.
    signatures = {}
    for name in CUE_NAMES:
        wave = synthesize(name)
        body = wave[: int(cue_seconds(name) * SAMPLERATE)]
        signatures[name] = (round(cue_seconds(name), 2), round(dominant_hz(body, SAMPLERATE) / 20))
    assert len(set(signatures.values())) == len(signatures), signatures


def test_unknown_cue_is_a_clear_error():
    with pytest.raises(KeyError, match="unknown cue 'bogus'"):
        synthesize("bogus")


def test_no_device_says_so_once_and_goes_on(tmp_path):
    cards = Path("/proc/asound/cards")
    if cards.exists() and "no soundcards" not in cards.read_text() and cards.read_text().strip():
        pytest.skip("this machine has an ALSA sound card: cannot create the no-device condition")
    script = textwrap.dedent("""
        import logging
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
        from studio.audio import CuePlayer
        first = CuePlayer()
        print("available", first.wait_ready(10))
        print("played", [first.play(n) for n in ("ready", "eyes", "shutter")])
        second = CuePlayer()
        second.wait_ready(10)
        print("played", [second.play("ready"), second.speak("hello")])
        first.close(); second.close()
        print("still running")
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT), PULSE_SERVER=f"unix:{tmp_path}/no-such-server")
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "available False" in proc.stdout
    assert "played [False, False, False]" in proc.stdout
    assert "played [False, False]" in proc.stdout
    assert "still running" in proc.stdout
    assert proc.stderr.count(NO_DEVICE_MESSAGE) == 1, proc.stderr
    assert "Traceback" not in proc.stderr


def test_read_wav_pads_the_end(tmp_path):
    import wave

    from studio.audio.speech import read_wav

    path = tmp_path / "say.wav"
    tone = (0.5 * np.sin(2 * np.pi * 440 * np.arange(2205) / 22050) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(22050)
        out.writeframes(tone.tobytes())
    samples, rate = read_wav(path)
    assert rate == 22050
    assert len(samples) == len(tone) + int(0.06 * 22050)
    assert np.max(np.abs(samples)) == pytest.approx(0.5, abs=0.01)
    assert np.all(samples[len(tone):] == 0)
