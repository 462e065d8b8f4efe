"""Plays cues on the default output device, one at a time, never blocking the caller.

A single worker thread owns the output. :meth:`CuePlayer.play` puts the cue in a
:class:`~drivers.mailbox.Latest` mailbox (a newer request replaces an older one that has not
started: a cue about a state that has already changed is worth nothing) and returns at once.
The same cue is not repeated within ``min_repeat_s``. With no output device the player logs
one warning and every call is a silent no-op; the app goes on.

While a countdown runs it owns the speaker: :meth:`CuePlayer.hold` lets only the countdown and
shutter cues through (a guidance tone that is playing is cut short, one asked for is refused)
until :meth:`CuePlayer.release`; and a cue timed by its caller (countdown, shutter) waiting to
start is never replaced by a guidance cue.

``sounddevice`` is imported on the worker thread, lazily: PortAudio scans the devices at import,
so the PulseAudio server (tests: ``PULSE_SERVER``) must be set before the first cue.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from drivers.mailbox import Latest
from studio.audio import speech
from studio.audio.cues import CUE_NAMES, SAMPLERATE, countdown_run, synthesize

log = logging.getLogger(__name__)

NO_DEVICE_MESSAGE = "no audio output device; cues are off"
COUNTDOWN_RUN = "countdown-run"  # the whole countdown as one cue: beeps exactly 1 s apart
# The countdown's stream keeps this much queued and is written in long chunks: a busy machine
# that leaves the cue thread unscheduled for up to ~0.2 s cannot make it skip.
RUN_LATENCY_S = 0.3
RUN_CHUNK_S = 0.1
# Timed by their callers (countdown, shutter): only a much shorter repeat guard.
URGENT_CUES = frozenset({"countdown", "countdown-final", "shutter", COUNTDOWN_RUN})
URGENT_REPEAT_S = 0.15
HOLD_CUES = URGENT_CUES  # what may sound while the countdown holds the speaker
CHUNK_S = 0.05  # cues are written in chunks this long, so one can be cut short
# A cue played "at" a time sounds this long after it, whatever opening the output stream cost
# (a tone cut short, PulseAudio): the countdown starts on its tick's clock.
SCHEDULE_LEAD_S = 0.12

_warned_lock = threading.Lock()
_warned = False


def _warn_no_device(detail: str) -> None:
    """Say it once per process, however many players there are."""
    global _warned
    with _warned_lock:
        if _warned:
            return
        _warned = True
    log.warning("%s (%s)", NO_DEVICE_MESSAGE, detail)


@dataclass(frozen=True, slots=True)
class _Request:
    name: str
    render: Callable[[], tuple[np.ndarray, int]]  # -> (mono float32 samples, samplerate)
    asked_at: float
    at: float | None = None  # sound at at + SCHEDULE_LEAD_S (monotonic), not as soon as possible


class CuePlayer:
    """``play("ready")`` from any thread; see :data:`studio.audio.cues.CUE_NAMES`."""

    def __init__(self, volume: float = 0.7, enabled: bool = True, *, min_repeat_s: float = 1.0,
                 device: int | str | None = None, samplerate: int = SAMPLERATE) -> None:
        self._volume = _clamp(volume)
        self.enabled = enabled
        self.min_repeat_s = min_repeat_s
        self._device = device
        self._rate = samplerate
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()  # guards _asked (play() comes from any thread)
        self._next: Latest[_Request] = Latest()
        self._taken = 0  # sequence number of the request the worker took last
        self._asked: dict[str, float] = {}
        self._closed = False
        self._playing = False
        self._playing_name = ""
        self._held: frozenset[str] | None = None  # while a countdown owns the speaker
        self._cut = threading.Event()  # stop the cue that is sounding
        self.refused_held: deque[str] = deque(maxlen=200)  # cues refused while held (diagnostics)
        self._available: bool | None = None  # None until the worker has looked
        self._probed = threading.Event()
        self.last_started_at = 0.0  # monotonic, when the last cue began to sound
        self.last_ended_at = 0.0  # monotonic, when it stopped sounding
        self.history: deque[tuple[str, float]] = deque(maxlen=200)  # (cue, started_at)
        self._speech_engine = speech.find_engine()
        self._thread = threading.Thread(target=self._run, name="cues", daemon=True)
        self._thread.start()

    # -- settings --------------------------------------------------------------------------

    @property
    def volume(self) -> float:
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._volume = _clamp(value)

    @property
    def muted(self) -> bool:
        return not self.enabled

    @muted.setter
    def muted(self, value: bool) -> None:
        self.enabled = not value

    # -- state for others (the sound trigger ignores the app's own cues) -------------------

    @property
    def available(self) -> bool | None:
        """True with an output device, False without, None while still looking."""
        return self._available

    def wait_ready(self, timeout: float = 5.0) -> bool | None:
        """Wait until the device probe is done; returns :attr:`available`."""
        self._probed.wait(timeout)
        return self._available

    @property
    def is_playing(self) -> bool:
        return self._playing

    def recently_active(self, within_s: float, now: float | None = None) -> bool:
        """Playing now, or stopped less than ``within_s`` ago (echo guard for sound triggers)."""
        now = time.monotonic() if now is None else now
        return self._playing or now - self.last_ended_at < within_s

    @property
    def can_speak(self) -> bool:
        return self._speech_engine is not None

    # -- the speaker held by one owner (the countdown) -------------------------------------

    def hold(self, allowed: frozenset[str] | None = None) -> None:
        """From now until :meth:`release`, only ``allowed`` cues (default: countdown and
        shutter) sound; a cue of another kind that is sounding is cut short."""
        allowed = HOLD_CUES if allowed is None else allowed
        with self._lock:
            self._held = allowed
            cut = self._playing and self._playing_name not in allowed
        if cut:
            self._cut.set()
        log.debug("speaker held for %s", ", ".join(sorted(allowed)))

    def release(self, *, cut: bool = False) -> None:
        """End :meth:`hold`; ``cut`` also stops the countdown that is sounding (cancelled)."""
        with self._lock:
            self._held = None
            cut = cut and self._playing and self._playing_name == COUNTDOWN_RUN
        if cut:
            self._cut.set()
        log.debug("speaker released")

    @property
    def held(self) -> bool:
        return self._held is not None

    # -- requests --------------------------------------------------------------------------

    def play(self, name: str) -> bool:
        """Ask for a cue; False when muted, without a device, or rate-limited."""
        if name not in CUE_NAMES:
            raise KeyError(f"unknown cue {name!r}; known: {', '.join(CUE_NAMES)}")
        return self._request(name, lambda: (self._samples(name), self._rate))

    def play_countdown(self, seconds: int, at: float | None = None) -> bool:
        """The whole countdown as one cue: a ``countdown`` beep at 0, 1 … ``seconds``-1 s and
        ``countdown-final`` at ``seconds`` s, placed on one buffer so the spacing is exact
        (1.000 s) however busy the machine; it starts :data:`SCHEDULE_LEAD_S` after the monotonic
        time ``at`` (the first tick). :meth:`release` with ``cut=True`` stops it (cancelled)."""
        if not 1 <= seconds <= 600:
            raise ValueError(f"a countdown of {seconds} s")
        return self._request(COUNTDOWN_RUN, lambda: (self._countdown_samples(seconds), self._rate), at=at)

    def _countdown_samples(self, seconds: int) -> np.ndarray:
        return countdown_run(seconds, self._samples("countdown"), self._samples("countdown-final"),
                             self._rate)

    def speak(self, text: str) -> bool:
        """Say ``text`` with espeak-ng/espeak if installed; False (and nothing) otherwise."""
        engine = self._speech_engine
        if engine is None or not text:
            return False
        return self._request(f"say:{text}", lambda: speech.synthesize_speech(text, engine))

    def close(self, timeout: float = 2.0) -> None:
        self._closed = True  # before waking the worker: a cue not started is dropped
        self._next.close()
        self._thread.join(timeout)

    def _request(self, key: str, render: Callable[[], tuple[np.ndarray, int]],
                 at: float | None = None) -> bool:
        if not self.enabled or self._available is False or self._closed:
            return False
        now = time.monotonic()
        repeat = URGENT_REPEAT_S if key in URGENT_CUES else self.min_repeat_s
        with self._lock:
            if self._held is not None and key not in self._held:
                self.refused_held.append(key)
                log.debug("cue %s refused: the countdown holds the speaker", key)
                return False
            if now - self._asked.get(key, -1e9) < repeat:
                log.debug("cue %s rate-limited", key)
                return False
            seq, waiting = self._next.get()
            request = _Request(key, render, now, at)
            if waiting is not None and seq > self._taken:  # not started yet
                if _urgent(waiting.name) and key not in URGENT_CUES:
                    log.debug("cue %s refused: %s is waiting to sound", key, waiting.name)
                    return False
                if _urgent(waiting.name):  # both timed (final beep, then shutter): one after the other
                    request = _joined(waiting, request)
                else:
                    log.debug("cue %s replaces %s before it started", key, waiting.name)
            self._asked[key] = now
            self._next.put(request)
        return True

    def _samples(self, name: str) -> np.ndarray:
        if name not in self._cache:
            self._cache[name] = synthesize(name, self._rate)
        return self._cache[name]

    # -- the worker ------------------------------------------------------------------------

    def _run(self) -> None:
        sd = self._probe()
        while True:
            found = self._next.wait(self._taken)
            if found is None or self._closed:
                return
            self._taken, request = found
            if sd is None:
                continue
            held = self._held
            if held is not None and not set(request.name.split("+")) <= held:
                continue  # asked for just before the countdown took the speaker
            try:
                samples, rate = request.render()
            except Exception as exc:  # a speech engine that fails must not stop the cues
                log.warning("cue %s not rendered: %s", request.name, exc)
                continue
            self._output(sd, request.name, samples * self._volume, rate, request.at)

    def _probe(self) -> Any:  # the sounddevice module, or None without an output device
        try:
            import sounddevice as sd

            sd.query_devices(self._device, kind="output")
        except Exception as exc:  # OSError: no PortAudio; PortAudioError/ValueError: no device
            self._available = False
            _warn_no_device(str(exc).strip() or type(exc).__name__)
            self._probed.set()
            return None
        self._available = True
        self._probed.set()
        return sd

    def _output(self, sd: Any, name: str, samples: np.ndarray, rate: int,
                at: float | None = None) -> None:
        with self._lock:
            self._playing, self._playing_name = True, name
            self._cut.clear()
        try:
            run = name.split("+")[0] == COUNTDOWN_RUN
            with sd.OutputStream(samplerate=rate, channels=1, dtype="float32", device=self._device,
                                 latency=RUN_LATENCY_S if run else "high") as stream:
                started = time.monotonic()
                self.last_started_at = started
                self.history.append((name, started))
                pad = 0
                if at is not None:  # silence first, so the cue sounds at its scheduled time
                    pad = int(max(0.0, at + SCHEDULE_LEAD_S - time.monotonic()) * rate)
                    samples = np.concatenate([np.zeros(pad, np.float32), samples])
                data = np.ascontiguousarray(samples, dtype=np.float32).reshape(-1, 1)
                chunk = max(1, int(rate * (RUN_CHUNK_S if run else CHUNK_S)))
                first = pad + chunk
                if self._cut.is_set():
                    return
                stream.write(data[:first])  # the lead silence and the first beep in one go
                for i in range(first, len(data), chunk):
                    if self._cut.is_set():
                        stream.abort()
                        log.debug("cue %s cut short", name)
                        return
                    stream.write(data[i:i + chunk])
                latency = float(stream.latency or 0.0)
                if run and self._cut.wait(latency):  # closing drops what is still queued
                    stream.abort()
                    return
            # Hold the slot until the cue has really sounded: one cue at a time, audibly.
            audible_end = started + len(samples) / rate + latency
            remaining = audible_end - time.monotonic()
            if remaining > 0:
                self._cut.wait(remaining)
        except Exception as exc:  # PortAudioError: device vanished mid-session
            self._available = False
            _warn_no_device(str(exc).strip() or type(exc).__name__)
        finally:
            self.last_ended_at = time.monotonic()
            with self._lock:
                self._playing, self._playing_name = False, ""


def _urgent(name: str) -> bool:
    return name.split("+")[0] in URGENT_CUES


def _joined(first: _Request, then: _Request) -> _Request:
    """One request that plays ``first`` and then ``then`` (both synthesized at one rate)."""
    def render() -> tuple[np.ndarray, int]:
        a, rate = first.render()
        b, _ = then.render()
        return np.concatenate([a, b]), rate
    return _Request(f"{first.name}+{then.name}", render, first.asked_at, first.at)


def _clamp(volume: float) -> float:
    return min(1.0, max(0.0, float(volume)))
