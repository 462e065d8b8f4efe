"""Audio cues synthesised with numpy: short, soft-edged tones, no sound files.

Each cue is a few notes (a frequency, a length, optionally a glide) with a warm timbre (two
quiet harmonics) and raised-cosine edges so nothing clicks. Families differ by rhythm and
contour, not only pitch, so they can be told apart without a musical ear:

- ``ready``: a bright rising fifth — "take it now";
- ``framing``: a soft falling third, low;
- ``eyes``: two quick high blips (a blink);
- ``focus``: a rising glide (focus pulling in);
- ``light``: a three-note arpeggio;
- ``countdown`` / ``countdown-final``: short beep / long high beep;
- ``shutter``: a filtered noise click; ``still-failed``: three falling notes.

Every cue ends with :data:`TAIL_S` of silence: PortAudio drops the last ~31 ms of a buffer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAMPLERATE = 48_000
TAIL_S = 0.06  # silence after the last note (>= 40 ms, see docs/overlay.md)
EDGE_S = 0.008  # raised-cosine attack; the release is longer
RELEASE_S = 0.03
PEAK = 0.8  # full-volume peak amplitude, headroom for the mixer


@dataclass(frozen=True, slots=True)
class Note:
    freq: float  # Hz; 0 = rest
    seconds: float
    glide_to: float | None = None  # Hz at the end of the note


CUES: dict[str, tuple[Note, ...]] = {
    "ready": (Note(784.0, 0.12), Note(1175.0, 0.18)),
    "framing": (Note(392.0, 0.14), Note(330.0, 0.18)),
    "eyes": (Note(1047.0, 0.07), Note(0.0, 0.05), Note(1047.0, 0.07)),
    "focus": (Note(440.0, 0.26, glide_to=660.0),),
    "light": (Note(523.0, 0.08), Note(659.0, 0.08), Note(784.0, 0.11)),
    "countdown": (Note(880.0, 0.08),),
    "countdown-final": (Note(1760.0, 0.20),),
    "still-failed": (Note(466.0, 0.12), Note(370.0, 0.12), Note(294.0, 0.22)),
}
NOISE_CUES = {"shutter": 0.035}  # seconds of shaped noise
CUE_NAMES = tuple(CUES) + tuple(NOISE_CUES)


def cue_seconds(name: str) -> float:
    """Length of the audible part of a cue (without the silent tail)."""
    if name in NOISE_CUES:
        return NOISE_CUES[name]
    return sum(n.seconds for n in _notes(name))


def synthesize(name: str, samplerate: int = SAMPLERATE) -> np.ndarray:
    """The cue as mono float32 samples in [-PEAK, PEAK], padded with :data:`TAIL_S` of silence."""
    if name in NOISE_CUES:
        body = _click(NOISE_CUES[name], samplerate)
    else:
        body = np.concatenate([_note(n, samplerate) for n in _notes(name)])
    tail = np.zeros(int(round(TAIL_S * samplerate)), dtype=np.float32)
    return np.concatenate([body.astype(np.float32), tail])


def countdown_run(seconds: int, beep: np.ndarray, final: np.ndarray, samplerate: int) -> np.ndarray:
    """A whole countdown on one buffer: ``beep`` at 0, 1 … ``seconds``-1 s, ``final`` at
    ``seconds`` s — sample-exact spacing, whatever the machine does while it plays."""
    out = np.zeros(seconds * samplerate + final.size, np.float32)
    for i in range(seconds):
        out[i * samplerate:i * samplerate + beep.size] = beep
    out[seconds * samplerate:] = final
    return out


def _notes(name: str) -> tuple[Note, ...]:
    try:
        return CUES[name]
    except KeyError:
        raise KeyError(f"unknown cue {name!r}; known: {', '.join(CUE_NAMES)}") from None


def _note(note: Note, samplerate: int) -> np.ndarray:
    n = int(round(note.seconds * samplerate))
    if note.freq <= 0:
        return np.zeros(n, dtype=np.float32)
    t = np.arange(n) / samplerate
    end = note.glide_to if note.glide_to else note.freq
    # Instantaneous frequency ramps linearly; phase is its integral.
    phase = 2 * np.pi * (note.freq * t + (end - note.freq) * t * t / (2 * note.seconds))
    wave = np.sin(phase) + 0.18 * np.sin(2 * phase) + 0.06 * np.sin(3 * phase)
    wave *= _envelope(n, samplerate)
    return (PEAK / 1.24 * wave).astype(np.float32)


def _envelope(n: int, samplerate: int) -> np.ndarray:
    env = np.ones(n)
    attack = min(int(EDGE_S * samplerate), n // 4)
    release = min(int(RELEASE_S * samplerate), n // 3)
    if attack:
        env[:attack] = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, attack))
    if release:
        env[-release:] = 0.5 + 0.5 * np.cos(np.linspace(0, np.pi, release))
    # A gentle decay makes a sustained tone sound like a struck bell rather than a buzzer.
    env *= np.exp(-np.arange(n) / samplerate * 2.5)
    return env


def _click(seconds: float, samplerate: int) -> np.ndarray:
    n = int(round(seconds * samplerate))
    noise = np.random.default_rng(7).standard_normal(n)  # fixed seed: the same click every time
    smoothed = np.convolve(noise, np.ones(4) / 4, mode="same")  # take the hiss off the top
    env = np.exp(-np.arange(n) / (0.006 * samplerate))
    attack = int(0.0015 * samplerate)  # 1.5 ms: crisp, but not a speaker-popping step
    env[:attack] *= np.linspace(0.0, 1.0, attack)
    wave = smoothed * env
    return (PEAK * wave / np.max(np.abs(wave))).astype(np.float32)
