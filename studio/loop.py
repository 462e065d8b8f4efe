"""The realtime vision loop: always the newest live-view frame, never a queue.

One thread waits on the camera's :class:`~drivers.base.LatestFrameSlot` (a
:class:`~drivers.mailbox.Latest` of frames numbered by the slot) for a frame newer than the
last one it analysed, analyses it, and hands the :class:`~studio.analysis.Analysis` to its
listeners (ready state machine, overlay, audio, triggers, JSON printer) and to
:attr:`VisionLoop.analyses`, the newest-analysis mailbox other threads may read or wait on.
Frames that arrive while an analysis runs are overwritten in the slot and counted as dropped.

With ``prepare`` (live view's first stage, :class:`studio.vision.ahead.MeshAhead`) a second
thread takes the camera's newest frame, prepares it, and relays it through a slot of its own
under its camera number: the first stage of the next frame runs while the current one is
analysed. It prepares the next only once the loop has taken the last one (no work on a frame
that would be overwritten unseen: both cores are needed), so a hint the analyser gives after
frame N reaches the frame prepared after N+1. Frames overwritten in the camera's slot are
counted as dropped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from drivers.base import EventHub, LatestFrameSlot, LiveFrame
from drivers.mailbox import Latest
from studio.analysis import Analysis

log = logging.getLogger(__name__)

AnalysisListener = Callable[[Analysis], None]
Analyse = Callable[[LiveFrame], Analysis]
AHEAD_JOIN_S = 30.0  # the first stage's last frame, models loading on a busy machine


@dataclass(frozen=True, slots=True)
class LoopStats:
    analysed: int
    dropped: int  # frames overwritten before the loop could take them
    errors: int  # frames the analyser could not handle (corrupt JPEG…)
    fps: float  # analysed frames per second over the last ~2 s
    latency_ms: float  # arrival -> analysis ready, last frame


class VisionLoop:
    """Runs ``analyse`` on the newest frame of ``frames`` on its own thread.

    ``analyse`` is called only from the loop's thread, so a thread-confined analyser (MediaPipe
    graphs are) is safe. Listeners are called on that thread too and must be quick; a GUI
    listener should only post a signal.
    """

    def __init__(self, frames: LatestFrameSlot, analyse: Analyse, *, name: str = "vision",
                 on_exit: Callable[[], None] | None = None,
                 prepare: Callable[[LiveFrame], LiveFrame] | None = None,
                 on_prepare_exit: Callable[[], None] | None = None) -> None:
        self._camera_frames = frames
        # What the loop's thread analyses: the camera's frames, or the first stage's relay.
        self._frames: Latest[LiveFrame] = frames if prepare is None else Latest()
        self._analyse = analyse
        self._on_exit = on_exit  # runs on the loop's thread as it ends: release thread-bound models
        self._prepare = prepare
        self._on_prepare_exit = on_prepare_exit  # the same, on the first stage's thread
        self._ahead: threading.Thread | None = None
        self._taken = threading.Condition()  # the loop took a relayed frame (``_last_seq``)
        self._listeners: EventHub[Analysis] = EventHub()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._name = name
        self.analyses: Latest[Analysis] = Latest()  # the newest analysis, for other threads
        self._analysed = 0
        self._dropped = 0
        self._errors = 0
        self._last_seq = 0
        self._latency_ms = 0.0
        self._recent: deque[float] = deque(maxlen=120)
        self.finished = threading.Event()  # set when the loop thread ends

    # -- listeners -------------------------------------------------------------------------

    def add_listener(self, listener: AnalysisListener) -> Callable[[], None]:
        return self._listeners.add_listener(listener)

    @property
    def latest(self) -> Analysis | None:
        return self.analyses.latest()

    @property
    def stats(self) -> LoopStats:
        now = time.monotonic()
        recent = [t for t in self._recent if now - t <= 2.0]
        span = recent[-1] - recent[0] if len(recent) > 1 else 0.0
        fps = (len(recent) - 1) / span if span > 0 else 0.0
        return LoopStats(self._analysed, self._dropped, self._errors, fps, self._latency_ms)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        if (self._thread and self._thread.is_alive()) or (self._ahead and self._ahead.is_alive()):
            return  # still running (or a first stage stuck in a frame: never two on one graph)
        self._stop.clear()
        self.finished.clear()
        if self._prepare is not None:
            self._frames = Latest()  # a relay per run: a restarted loop starts from its frames
            self._ahead = threading.Thread(target=self._run_ahead, args=(self._prepare, self._frames),
                                           name=f"{self._name}-ahead", daemon=True)
            self._ahead.start()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in (self._ahead, self._thread):
            if thread:
                thread.join(max(0.0, deadline - time.monotonic()))

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the loop ends (source exhausted or stopped)."""
        return self.finished.wait(timeout)

    # -- the loop --------------------------------------------------------------------------

    def step(self, timeout: float = 0.25) -> Analysis | None:
        """Analyse the next newer frame, if one comes within ``timeout``. Used by the thread."""
        frame = self._frames.wait_newer(self._last_seq, timeout)
        if frame is None:
            return None
        if self._last_seq and frame.seq > self._last_seq + 1:
            self._dropped += frame.seq - self._last_seq - 1
        with self._taken:
            self._last_seq = frame.seq
            self._taken.notify_all()
        try:
            analysis = self._analyse(frame)
        except Exception as exc:  # a corrupt frame must never stop live view
            self._errors += 1
            log.warning("frame %d not analysed: %s", frame.seq, exc)
            return None
        done = time.monotonic()
        self._latency_ms = (done - frame.timestamp) * 1000.0
        self._recent.append(done)
        self._analysed += 1
        self.analyses.put(analysis)
        self._listeners.emit(analysis)
        return analysis

    def _run_ahead(self, prepare: Callable[[LiveFrame], LiveFrame], relay: Latest[LiveFrame]) -> None:
        """The first stage: every newer camera frame prepared and relayed under its number."""
        source, last, failed = self._camera_frames, self._last_seq, ""
        try:
            while not self._stop.is_set():
                frame = source.wait_newer(last, 0.25)
                if frame is None:
                    if source.closed and source.seq <= last:
                        break  # the source has ended and every frame was seen
                    continue
                last = frame.seq
                try:
                    ready = prepare(frame)
                except Exception as exc:  # the vision thread analyses the frame as sent
                    if str(exc) != failed:  # said once, not for every frame
                        log.warning("frame %d not prepared: %s", frame.seq, exc)
                    failed, ready = str(exc), frame
                relay.put_numbered(frame.seq, ready)
                with self._taken:  # the next frame is prepared once this one is taken
                    while self._last_seq < frame.seq and not self._stop.is_set():
                        self._taken.wait(0.25)
        finally:
            if self._on_prepare_exit is not None:
                try:
                    self._on_prepare_exit()
                except Exception:
                    log.exception("vision loop first-stage exit handler failed")
            relay.close()  # the loop's thread ends once it has taken the last one

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                if self.step() is None and self._frames.closed and self._frames.seq <= self._last_seq:
                    break  # the source has ended and every frame was seen
        finally:
            self._finish()

    def _finish(self) -> None:
        """Once both threads are done: the exit handler, then ``finished``. A first stage still
        in a frame after :data:`AHEAD_JOIN_S` leaves ``finished`` unset: MediaPipe must not be
        running anywhere once it is (the app then leaves the models to process exit)."""
        if self._ahead is not None:
            self._stop.set()  # the source ended, or the loop stops: the first stage ends too
            self._ahead.join(AHEAD_JOIN_S)
            if self._ahead.is_alive():
                log.warning("live view's first stage did not stop within %.0f s", AHEAD_JOIN_S)
                return
        if self._on_exit is not None:
            try:
                self._on_exit()
            except Exception:
                log.exception("vision loop exit handler failed")
        self.finished.set()
