"""The headless front end: prints what the window would show, as text or JSON lines.

With ``json_lines`` every analysed frame becomes one line of the documented JSON form on
stdout and READY transitions go to stderr as text; without it, the transitions are printed on
stdout. Either way a summary ends the run.
"""

from __future__ import annotations

import json
import logging
import statistics
import sys
import threading
import time
from array import array
from collections.abc import MutableSequence
from dataclasses import dataclass, field
from typing import TextIO

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
from studio.guidance import describe_transition
from studio.ready import ReadyTransition

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
        }

    def text(self) -> str:
        s = self.to_json()
        return (f"summary: {s['analysed']} frames analysed, {s['dropped']} dropped, "
                f"{s['errors']} unreadable; face in {100 * s['face_fraction']:.0f}% of them; "
                f"{s['ready_periods']} READY periods; {s['fps']} fps; latency median "
                f"{s['latency_ms_median']} ms, p95 {s['latency_ms_p95']} ms")


def format_transition(t: ReadyTransition) -> str:
    """One line for a READY state change, the same words the window uses."""
    return describe_transition(t)


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
        app.add_analysis_listener(self._on_analysis)
        app.ready.add_listener(self._on_transition)
        app.capture.add_listener(self._on_capture)

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
        stream = self.err if self.json_lines else self.out
        self._write(stream, f"[frame {t.frame}] {format_transition(t)}")

    def _on_capture(self, event: CaptureEvent) -> None:
        line = describe_capture_event(event)
        if line:
            self._write(self.err if self.json_lines else self.out, line)

    def run(self, timeout: float | None = None) -> RunSummary:
        self.app.start()
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
        return self.summary
