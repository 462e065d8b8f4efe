"""The headless front end: prints what the window would show, as text or JSON lines.

With ``json_lines`` every analysed frame becomes one line of the documented JSON form on
stdout and the words go to stderr; without it, only words are printed on stdout, one line
each: READY state changes with the first problem's instruction, camera state changes (waiting,
reconnecting, connected), the camera's warnings and what happened to each shot. Either way a
summary ends the run, counting fired, saved and failed shots separately. SIGTERM (systemd, a
desktop session logging out) and Ctrl-C end a run the same way: the app is stopped (live view
left, stop hook run) and the summary printed.
"""

from __future__ import annotations

import json
import logging
import signal
import statistics
import sys
import threading
import time
from array import array
from collections.abc import MutableSequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from drivers.base import CameraEvent, DriverWarning, StateChanged
from studio.analysis import Analysis
from studio.app import StudioApp
from studio.bench.stats import percentile
from studio.events import (
    CaptureDone,
    CaptureEvent,
    CaptureFailed,
    CaptureStarted,
    CountdownTick,
    TriggerIgnored,
)
from studio.guidance import describe_transition, instruction
from studio.ready import ReadyState, ReadyTransition

log = logging.getLogger(__name__)


@dataclass
class RunSummary:
    analysed: int = 0
    with_face: int = 0
    ready_periods: int = 0
    # 4 bytes a frame (a list of floats would be 32): an hour at 30 fps stays under 0.5 MB
    latencies_ms: MutableSequence[float] = field(default_factory=lambda: array("f"))
    started: float = field(default_factory=time.monotonic)
    ended: float = 0.0
    dropped: int = 0
    errors: int = 0
    shots_fired: int = 0  # the camera was asked to fire
    shots_saved: int = 0  # a shot's files are on disk
    shots_failed: int = 0  # fired, but no file came (camera error, timeout, disk full)
    shots_skipped: int = 0  # a trigger asked and was refused (busy, disk full, camera away)
    stopped_by: str = ""  # "SIGTERM" / "SIGINT" when a signal ended the run

    def to_json(self) -> dict:
        lat = sorted(self.latencies_ms)
        duration = max(self.ended - self.started, 1e-9)
        return {
            "analysed": self.analysed,
            "dropped": self.dropped,
            "errors": self.errors,
            "face_fraction": round(self.with_face / self.analysed, 3) if self.analysed else 0.0,
            "ready_periods": self.ready_periods,
            "fps": round(self.analysed / duration, 1),
            "latency_ms_median": round(statistics.median(lat), 1) if lat else None,
            "latency_ms_p95": round(percentile(lat, 0.95), 1) if lat else None,
            "seconds": round(duration, 2),
            "shots": {"fired": self.shots_fired, "saved": self.shots_saved,
                      "failed": self.shots_failed, "skipped": self.shots_skipped},
            "stopped_by": self.stopped_by or None,
        }

    def text(self) -> str:
        s = self.to_json()
        return (f"summary: {s['analysed']} frames analysed, {s['dropped']} dropped, "
                f"{s['errors']} unreadable; face in {100 * s['face_fraction']:.0f}% of them; "
                f"{s['ready_periods']} READY periods; {s['fps']} fps; latency median "
                f"{s['latency_ms_median']} ms, p95 {s['latency_ms_p95']} ms; shots: "
                f"{self.shots_fired} fired, {self.shots_saved} saved, {self.shots_failed} failed, "
                f"{self.shots_skipped} skipped")


def format_transition(t: ReadyTransition, analysis: Analysis | None = None) -> str:
    """One line for a READY state change, the same words the window uses (with the analysis
    that caused it, the first problem's instruction)."""
    return describe_transition(t, analysis)


CAMERA_WORDS = {
    "connected": "camera connected",
    "reconnecting": "camera lost, reconnecting",
    "gone": "camera gone",
    "waiting": "waiting for a camera",
    "closed": "camera closed",
}


def describe_camera_event(event: CameraEvent) -> str | None:
    """One line for a camera state change or warning (None for files: the shot line says it)."""
    if isinstance(event, StateChanged):
        words = CAMERA_WORDS.get(event.state.value, f"camera {event.state.value}")
        said = event.reason and event.reason != event.state.value
        return f"[camera] {words}" + (f": {event.reason}" if said else "")
    if isinstance(event, DriverWarning):
        return f"[camera] warning: {event.message}"
    return None


def describe_capture_event(event: CaptureEvent) -> str | None:
    """One line for a capture event (None for events not worth a line)."""
    match event:
        case CaptureStarted():
            return f"[capture] fired by {event.trigger.source}"
        case CountdownTick():
            return f"[capture] {event.n}…" if event.n else None
        case CaptureFailed():
            return f"[capture] failed: {event.reason}"
        case TriggerIgnored():
            return f"[capture] {event.trigger.source} ignored: {event.reason}"
        case CaptureDone():
            names = ", ".join(p.name for p in event.paths)
            if event.analysis is None:
                return f"[capture] saved {names}"
            problems = [c.id for c in event.analysis.problems]
            verdict = "still passes" if not problems else "still fails: " + ", ".join(problems)
            return f"[capture] saved {names}; {verdict}"
    return None


class HeadlessRunner:
    """Subscribes to a :class:`StudioApp` and prints; :meth:`run` blocks until the source ends."""

    def __init__(self, app: StudioApp, *, json_lines: bool, out: TextIO = sys.stdout,
                 err: TextIO = sys.stderr, max_frames: int | None = None) -> None:
        self.app = app
        self.json_lines = json_lines
        self.out = out
        self.err = err
        self.max_frames = max_frames
        self.summary = RunSummary()
        self._done = threading.Event()
        self.closed_output = False
        self._print_lock = threading.Lock()
        self._stop_signal: str = ""
        app.add_analysis_listener(self._on_analysis)
        app.ready.add_listener(self._on_transition)
        app.capture.add_listener(self._on_capture)
        app.camera.add_listener(self._on_camera)
        desk = getattr(app, "people", None)
        if desk is not None:  # people (studio.people): who is in front of the camera, in words
            from studio.people.desk import describe

            start = desk.announce("start")
            desk.add_listener(lambda e: self._say(describe(e)))
            if start is not None:
                self._say(describe(start))

    def _on_analysis(self, analysis: Analysis) -> None:
        s = self.summary
        if self._done.is_set():
            return  # --frames reached, or nobody reads stdout any more
        s.analysed += 1
        s.with_face += analysis.faces > 0
        s.latencies_ms.append((time.monotonic() - analysis.timestamp) * 1000.0)
        if self.max_frames and s.analysed >= self.max_frames:
            self._done.set()
        if self.json_lines:
            line = json.dumps(analysis.to_json(), separators=(",", ":"))
            self._write(self.out, line)

    def _write(self, stream: TextIO, line: str) -> None:
        with self._print_lock:
            try:
                stream.write(line + "\n")
                stream.flush()
            except BrokenPipeError:  # `studio run --json | head`: the reader is gone, stop
                self.closed_output = True
                self._done.set()

    def _on_transition(self, t: ReadyTransition) -> None:
        if t.state.value == "ready":
            self.summary.ready_periods += 1
        _, analysis = self.app.loop.analyses.get()  # put before the listeners are called
        if analysis is not None and analysis.frame != t.frame:
            analysis = None
        where = f"[frame {t.frame}]" if t.frame is not None else "[live]"
        line = f"{where} {format_transition(t, analysis)}"
        todo = instruction(analysis) if t.state is ReadyState.NOT_READY else ""
        self._say(f"{line} → {todo}" if todo else line)

    def _say(self, line: str) -> None:
        """Words: on stdout, or on stderr when stdout carries the JSON lines."""
        self._write(self.err if self.json_lines else self.out, line)

    def _on_capture(self, event: CaptureEvent) -> None:
        s = self.summary
        match event:
            case CaptureStarted():
                s.shots_fired += 1
            case CaptureDone():
                s.shots_saved += bool(event.paths)
            case CaptureFailed() if event.trigger is not None:
                s.shots_failed += 1
            case TriggerIgnored():
                s.shots_skipped += 1
        line = describe_capture_event(event)
        if line:
            self._say(line)

    def _on_camera(self, event: CameraEvent) -> None:
        line = describe_camera_event(event)
        if line:
            self._say(line)

    def _on_signal(self, signum: int, frame: object) -> None:
        # Only a flag: the run loop sees it within 0.1 s and stops the app in order.
        self._stop_signal = signal.Signals(signum).name
        self._done.set()

    def _install_signals(self) -> dict[signal.Signals, Any]:
        if threading.current_thread() is not threading.main_thread():
            return {}
        previous: dict[signal.Signals, Any] = {}
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, self._on_signal)
        return previous

    def run(self, timeout: float | None = None) -> RunSummary:
        """Start the app, print until the source ends (or ``timeout``, ``max_frames``, SIGTERM,
        Ctrl-C), stop it; the summary."""
        previous = self._install_signals()
        try:
            self.app.start()
            return self._run_started(timeout)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _run_started(self, timeout: float | None) -> RunSummary:
        try:
            deadline = None if timeout is None else time.monotonic() + timeout
            while not self._done.is_set():
                if self.app.wait(0.1):
                    break
                if deadline is not None and time.monotonic() > deadline:
                    break
        finally:
            self.app.stop()
            stats = self.app.loop.stats
            self.summary.dropped = stats.dropped
            self.summary.errors = stats.errors
            self.summary.ended = time.monotonic()
            if self._stop_signal:
                self.summary.stopped_by = self._stop_signal
                self._say(f"[stop] {self._stop_signal}: stopped, live view left")
        return self.summary
