"""Sound trigger: a clap or another short, loud sound on the microphone.

:class:`OnsetDetector` works on 10 ms frames: an onset is a frame whose peak reaches
``threshold_dbfs`` and whose level jumps ``jump_db`` above the running background; it counts
only if the sound dies away within ``max_duration_s`` (a clap, a snap, a knock — not speech,
music or a door slammed into a long echo). The app's own cues would reach the microphone from
the speakers, so an onset while a cue plays (or shortly after) is ignored: pass
``ignore=lambda at: cue_player.recently_active(0.35, at)``.

The detector is pure and cheap; :class:`SoundTrigger` feeds it from a ``sounddevice``
``InputStream`` and hands triggers to a thread of its own (never from the audio callback).
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from studio.events import Decision, Emit, StatusListener, TriggerEvent
from studio.triggers.arming import Arming

log = logging.getLogger(__name__)

FRAME_S = 0.01
FLOOR_DB = -90.0


def _db(value: float) -> float:
    return 20.0 * math.log10(value) if value > 1e-9 else -180.0


class OnsetDetector:
    """Feed mono float samples with :meth:`feed`; it returns the onset times of short sounds."""

    def __init__(self, samplerate: int, *, threshold_dbfs: float = -24.0, jump_db: float = 18.0,
                 max_duration_s: float = 0.2) -> None:
        self.rate = samplerate
        self.frame = max(1, int(round(samplerate * FRAME_S)))
        self.threshold_dbfs = threshold_dbfs
        self.jump_db = jump_db
        self.max_duration_s = max_duration_s
        self.background_db = FLOOR_DB
        self._carry = np.zeros(0, dtype=np.float32)
        self._carry_at = 0.0
        self._state = "idle"  # idle | sound | long
        self._onset = 0.0
        self._quiet_since: float | None = None
        self.rejected_long = 0

    def feed(self, samples: np.ndarray, start_at: float) -> list[float]:
        """``samples`` begin at monotonic time ``start_at``; returns onsets confirmed now."""
        if self._carry.size:
            start_at = self._carry_at
            samples = np.concatenate([self._carry, samples.astype(np.float32, copy=False)])
        n_frames = samples.size // self.frame
        onsets: list[float] = []
        for i in range(n_frames):
            chunk = samples[i * self.frame:(i + 1) * self.frame]
            at = start_at + i * self.frame / self.rate
            onset = self._step(_db(float(np.sqrt(np.mean(chunk * chunk)))),
                               _db(float(np.max(np.abs(chunk)))), at)
            if onset is not None:
                onsets.append(onset)
        self._carry = samples[n_frames * self.frame:].copy()
        self._carry_at = start_at + n_frames * self.frame / self.rate
        return onsets

    def _step(self, level_db: float, peak_db: float, at: float) -> float | None:
        loud = level_db >= self.background_db + self.jump_db / 2
        if self._state == "idle":
            if peak_db >= self.threshold_dbfs and level_db >= self.background_db + self.jump_db:
                self._state, self._onset = "sound", at
                return None
            # Slow background follower (~0.2 s), floored so digital silence is not -inf.
            self.background_db = max(FLOOR_DB, 0.95 * self.background_db + 0.05 * level_db)
            return None
        if self._state == "sound":
            if not loud:
                self._state = "idle"
                return self._onset
            if at - self._onset > self.max_duration_s:
                self._state, self._quiet_since = "long", None
                self.rejected_long += 1
            return None
        # "long": wait for 100 ms of quiet before listening again
        if loud:
            self._quiet_since = None
        elif self._quiet_since is None:
            self._quiet_since = at
        elif at - self._quiet_since >= 0.1:
            self._state = "idle"
        return None


class SoundTrigger:
    """Listens on the default (or given) input device while started."""

    def __init__(self, emit: Emit, *, ignore: Callable[[float], bool] | None = None,
                 device: int | str | None = None, samplerate: int | None = None,
                 countdown: int = 0, rearm_s: float = 2.0, on_status: StatusListener | None = None,
                 **detector_options: float) -> None:
        self.emit = emit
        self.rearm_s = rearm_s  # after a clap that fired, claps are not heard for this long
        self.arming = Arming("sound", f"re-arms {rearm_s:g} s after a shot", on_status,
                             armed=False, reason="microphone not started")
        self._rearm_at = 0.0
        self.ignore = ignore or (lambda at: False)
        self.device = device
        self.samplerate = samplerate
        self.countdown = countdown
        self._options = detector_options
        self.detector: OnsetDetector | None = None
        self.ignored: list[float] = []  # onsets dropped as the app's own sound
        self.fired: list[float] = []
        self._stream: Any = None  # a sounddevice.InputStream while started
        self._queue: queue.SimpleQueue[float | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Open the input stream; raises ``sounddevice.PortAudioError`` without a microphone."""
        import sounddevice as sd  # PortAudio scans devices at import: import late

        info = sd.query_devices(self.device, kind="input")
        rate = int(self.samplerate or info["default_samplerate"])
        self.detector = detector = OnsetDetector(rate, **self._options)
        self._thread = threading.Thread(target=self._deliver, name="sound-trigger", daemon=True)
        self._thread.start()
        self._stream = sd.InputStream(device=self.device, channels=1, samplerate=rate,
                                      dtype="float32", blocksize=detector.frame,
                                      callback=self._callback)
        self._stream.start()
        self.arming.set(True)
        log.info("sound trigger listening on %s at %d Hz", info["name"], rate)

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        # On PortAudio's thread: be quick. The stream exists only once the detector does.
        detector = self.detector
        if detector is None:
            return
        start_at = time.monotonic() - frames / detector.rate
        for onset in detector.feed(indata[:, 0], start_at):
            self._queue.put(onset)

    def _deliver(self) -> None:
        while True:
            onset = self._queue.get()
            if onset is None:
                return
            if self.ignore(onset):
                self.ignored.append(onset)
                log.debug("sound at %.3f ignored: the app's own cue", onset)
                continue
            if onset < self._rearm_at:
                self.ignored.append(onset)
                continue
            self.fired.append(onset)
            decision = self.emit(TriggerEvent("sound", onset, countdown=self.countdown))
            if not isinstance(decision, Decision):
                continue  # not the controller (a test's list): nothing to re-arm
            if not decision.accepted:
                self.arming.set(True, f"last clap not taken: {decision.reason}")
                continue
            self._rearm_at = onset + self.rearm_s
            self.arming.set(False, f"fired: re-arms in {self.rearm_s:g} s")
            timer = threading.Timer(max(0.0, self._rearm_at - time.monotonic()), self._rearmed)
            timer.daemon = True
            timer.start()

    def _rearmed(self) -> None:
        if self._stream is not None and time.monotonic() >= self._rearm_at - 0.01:
            self.arming.set(True)

    def stop(self) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(2.0)
            self._thread = None
        self.arming.set(False, "stopped")


class RecentCues(Protocol):
    """A cue player that can say whether one of its cues sounded a moment ago."""

    def recently_active(self, within_s: float, now: float | None = None) -> bool: ...


def cue_guard(cue_player: RecentCues, margin_s: float = 0.35) -> Callable[[float], bool]:
    """``ignore`` for :class:`SoundTrigger`: true while a cue plays and ``margin_s`` after."""
    return lambda at: bool(cue_player.recently_active(margin_s, at))
