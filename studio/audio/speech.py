"""Optional spoken hints through espeak-ng / espeak, when one is installed.

The engine writes a WAV file (argument list, no shell, a timeout); the cue player plays it like
any other cue. Without an engine the guide uses tones.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

ENGINES = ("espeak-ng", "espeak")
TIMEOUT_S = 5.0
WORDS_PER_MINUTE = 165


def find_engine() -> str | None:
    """Path of the first speech engine on PATH, or None."""
    for name in ENGINES:
        path = shutil.which(name)
        if path:
            return path
    return None


def synthesize_speech(text: str, engine: str, timeout: float = TIMEOUT_S) -> tuple[np.ndarray, int]:
    """``text`` spoken by ``engine`` as (mono float32 samples, samplerate)."""
    with tempfile.TemporaryDirectory(prefix="studio-say-") as tmp:
        wav_path = Path(tmp) / "say.wav"
        subprocess.run([engine, "-s", str(WORDS_PER_MINUTE), "-w", str(wav_path), "--", text],
                       check=True, timeout=timeout, capture_output=True)
        return read_wav(wav_path)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as wav:
        rate = wav.getframerate()
        channels = wav.getnchannels()
        width = wav.getsampwidth()
        raw = wav.readframes(wav.getnframes())
    if width != 2:
        raise ValueError(f"{path.name}: {8 * width}-bit WAV, expected 16-bit")
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    tail = np.zeros(int(0.06 * rate), dtype=np.float32)  # the end must not be cut (see cues.py)
    return np.concatenate([samples, tail]), rate
