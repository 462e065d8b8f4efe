"""The one place that fires the camera: triggers ask, the controller decides.

Every trigger (auto, gesture, sound, keys, interval, the GUI button) sends a
:class:`~studio.events.TriggerEvent` to :meth:`CaptureController.submit`. The controller
applies the rules — one capture at a time, a countdown if asked, a disk-space check before
every shot; for hands-free triggers also a cooldown after each shot, a minimum interval between
shots, at most one auto shot per READY period and, if set, a maximum per sequence — then calls
``camera.capture()``. A manual shot (key, pedal, the window's button) is refused only for a
stated reason: a capture or a countdown running (camera busy), or capturing stopped (disk full,
folder unwritable). The triggers' own re-arm rules (studio.triggers) decide when a hands-free
trigger asks again. When
the files are down, a worker thread checks the still, writes the sidecars and deliverables and
emits :class:`~studio.events.CaptureDone`. Listeners (overlay, audio) receive
:data:`~studio.events.CaptureEvent` s on the thread that produced them and must be quick.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from drivers.base import (
    Camera,
    CameraError,
    CameraEvent,
    EventHub,
    FileAdded,
    PermissionDenied,
    StateChanged,
    StorageFull,
)
from studio import heap
from studio.body_shots import BodyShots
from studio.events import (
    CaptureDone,
    CaptureEvent,
    CaptureFailed,
    CaptureListener,
    CaptureStarted,
    CountdownTick,
    Cues,
    Decision,
    TriggerEvent,
    TriggerIgnored,
)

if TYPE_CHECKING:
    from studio.session import Session, ShotProcessor

log = logging.getLogger(__name__)

# A stopped controller (disk or card full) goes on when the photographer presses capture and
# the space check passes; hands-free triggers never resume it by themselves.
RESUMING_SOURCES = frozenset({"button", "key"})
# Triggers nobody pressed: they wait out the cooldown and the minimum interval; a manual shot
# (key, pedal, button) does not.
HANDS_FREE_SOURCES = frozenset({"auto", "gesture", "sound", "interval"})


@dataclass(slots=True)
class CaptureRules:
    cooldown_s: float = 1.0  # hands-free: after a shot's files are down
    min_interval_s: float = 2.0  # hands-free: between two shutter releases
    max_auto_shots: int = 0  # hands-free shots per sequence, 0 = no limit (the re-arm rules decide)
    limited_sources: frozenset[str] = field(default_factory=lambda: frozenset({"auto", "gesture", "sound"}))
    paced_sources: frozenset[str] = HANDS_FREE_SOURCES  # those the cooldown and interval apply to


class CaptureController:
    """Owns the capture rules. :meth:`submit` may be called from any thread."""

    def __init__(self, camera: Camera, *, session: Session | None = None,
                 processor: ShotProcessor | None = None, rules: CaptureRules | None = None,
                 cues: Cues | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.camera = camera
        self.session = session
        self.processor = processor
        self.rules = rules or CaptureRules()
        self.cues = cues
        self._clock = clock
        self._lock = threading.Lock()
        self._listeners: EventHub[CaptureEvent] = EventHub()
        self._busy = False
        self._counting = False
        self._cancel = threading.Event()
        self._last_start = float("-inf")
        self._last_done = float("-inf")
        self._auto_period: int | None = None
        self._limited_in_sequence = 0
        self._stopped: str | None = None
        self._camera_away: str | None = None  # "camera reconnecting: …" while it is not connected
        self.shots_fired = 0
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shots")
        self._pending: list[Future] = []
        # Shots fired from the camera body arrive only as FileAdded events (studio.body_shots).
        self._body_shots = BodyShots(self._body_shot)
        self._unsubscribe = camera.add_listener(self._camera_event)

    @property
    def camera(self) -> Camera:
        return self._camera

    @camera.setter
    def camera(self, camera: Camera) -> None:
        """Another body (or a new connection) from now on: its events are the ones heard, and
        whether it is away is its own state, not the old one's."""
        old_unsubscribe = getattr(self, "_unsubscribe", None)
        self._camera = camera
        if old_unsubscribe is not None:
            old_unsubscribe()
            self._camera_away = None
            self._unsubscribe = camera.add_listener(self._camera_event)

    # -- listeners -------------------------------------------------------------------------

    def add_listener(self, listener: CaptureListener) -> Callable[[], None]:
        return self._listeners.add_listener(listener)

    def _emit(self, event: CaptureEvent) -> None:
        self._listeners.emit(event)

    # -- state -----------------------------------------------------------------------------

    @property
    def stopped(self) -> str | None:
        """Why capturing is stopped (disk full, folder unwritable), or None."""
        return self._stopped

    @property
    def busy(self) -> bool:
        return self._busy or self._counting

    def resume(self) -> None:
        """The photographer fixed the problem (freed space): accept triggers again. A button or
        key trigger does this by itself when the space check passes."""
        with self._lock:
            self._stopped = None

    def new_sequence(self, *, session: bool = True) -> None:
        """A new subject or set-up: auto, gesture and sound may fire their maximum again.
        ``session=False`` when the session has started its sequence already (a new person)."""
        with self._lock:
            self._limited_in_sequence = 0
        if session and self.session is not None:
            self.session.new_sequence()

    def set_preset(self, name: str) -> None:
        """The still re-check and the sidecars use preset ``name`` from the next shot on; queued
        on the shot worker, so shots already taken are checked with the preset they had."""
        processor = self.processor
        if processor is None:
            if self.session is not None:
                self.session.state.preset = name
            return
        with self._lock:
            try:
                self._pending.append(self._worker.submit(processor.set_preset, name))
            except RuntimeError:  # closed
                log.warning("controller closed: preset %s not applied to stills", name)

    # -- the decision ------------------------------------------------------------------------

    def submit(self, trigger: TriggerEvent) -> Decision:
        """Ask for a shot. Returns at once; the capture itself runs on the camera's thread."""
        decision = self._decide(trigger)
        if not decision.accepted:
            log.debug("trigger %s ignored: %s", trigger.source, decision.reason)
            self._emit(TriggerIgnored(trigger, decision.reason))
            return decision
        if trigger.countdown > 0:
            threading.Thread(target=self._count_down, args=(trigger,), name="countdown",
                             daemon=True).start()
        else:
            self._fire(trigger)
        return decision

    def _decide(self, trigger: TriggerEvent) -> Decision:
        now = self._clock()
        rules = self.rules
        if self._stopped and trigger.source in RESUMING_SOURCES and self._space_ok(trigger):
            # The photographer presses capture after freeing space: the check above passed.
            log.info("capturing resumed by %s", trigger.source)
            self.resume()
        with self._lock:
            if self._stopped:
                return Decision(False, f"capturing stopped: {self._stopped}")
            if self._counting:
                return Decision(False, "countdown running")
            if self._busy:
                return Decision(False, "a capture is running", now + 0.2)
            paced = trigger.source in rules.paced_sources
            if paced and now - self._last_done < rules.cooldown_s:
                return Decision(False, "cooldown", self._last_done + rules.cooldown_s)
            if paced and now - self._last_start < rules.min_interval_s:
                return Decision(False, "minimum interval", self._last_start + rules.min_interval_s)
            if trigger.period is not None and trigger.period == self._auto_period:
                return Decision(False, "already fired in this READY period")
            limited = trigger.source in rules.limited_sources
            if limited and rules.max_auto_shots and self._limited_in_sequence >= rules.max_auto_shots:
                return Decision(False, f"{rules.max_auto_shots} hands-free shots in this sequence")
        if self._camera_away:  # the trigger says why, instead of a capture that must fail
            return Decision(False, self._camera_away)
        if not self._space_ok(trigger):
            return Decision(False, f"capturing stopped: {self._stopped}")
        with self._lock:
            if self._busy or self._counting:  # lost a race with another trigger
                return Decision(False, "a capture is running", now + 0.2)
            if trigger.countdown > 0:
                self._counting = True
                self._cancel.clear()
            else:
                self._busy = True
            self._claim(trigger, now)
        return Decision(True)

    def _claim(self, trigger: TriggerEvent, now: float) -> None:
        if trigger.period is not None:
            self._auto_period = trigger.period
        if trigger.source in self.rules.limited_sources:
            self._limited_in_sequence += 1
        self._last_start = now

    def _space_ok(self, trigger: TriggerEvent | None) -> bool:
        if self.session is None:
            return True
        try:
            self.session.ensure_space()
        except (StorageFull, PermissionDenied, OSError) as exc:
            self._stop(str(exc), trigger)
            return False
        return True

    def _stop(self, reason: str, trigger: TriggerEvent | None) -> None:
        with self._lock:
            already = self._stopped is not None
            self._stopped = reason
        if not already:
            log.error("capturing stopped: %s", reason)
            self._emit(CaptureFailed(reason, trigger, stopped=True))

    # -- countdown ---------------------------------------------------------------------------

    def cancel_countdown(self) -> None:
        self._cancel.set()

    def _count_down(self, trigger: TriggerEvent) -> None:
        start = self._clock()
        for n in range(trigger.countdown, 0, -1):
            self._emit(CountdownTick(n, self._clock()))
            wake = start + (trigger.countdown - n + 1)
            if self._cancel.wait(max(0.0, wake - self._clock())):
                with self._lock:
                    self._counting = False
                self._emit(TriggerIgnored(trigger, "countdown cancelled"))
                return
        self._emit(CountdownTick(0, self._clock()))
        with self._lock:
            self._counting = False
            self._busy = True
            self._last_start = self._clock()
        self._fire(trigger)

    # -- firing ------------------------------------------------------------------------------

    def _fire(self, trigger: TriggerEvent) -> None:
        self.shots_fired += 1
        self._emit(CaptureStarted(trigger, self._clock()))
        try:
            future = self.camera.capture()
        except Exception as exc:  # a driver should return a failed Future; be safe anyway
            future = Future()
            future.set_exception(exc)
        future.add_done_callback(lambda fut: self._captured(fut, trigger))

    def _captured(self, future: Future, trigger: TriggerEvent) -> None:
        # On the camera's thread: only bookkeeping here, the work goes to the worker.
        try:
            paths = tuple(Path(p) for p in future.result())
        except (StorageFull, PermissionDenied) as exc:
            self._finish()
            self._stop(str(exc), trigger)
            return
        except CameraError as exc:
            self._finish()
            self._emit(CaptureFailed(str(exc), trigger))
            return
        except Exception as exc:
            self._finish()
            log.exception("capture failed")
            self._emit(CaptureFailed(f"capture failed: {exc}", trigger))
            return
        self._finish()
        with self._lock:
            self._pending = [f for f in self._pending if not f.done()]
            try:
                self._pending.append(self._worker.submit(self._process, paths, trigger))
            except RuntimeError:  # closed while the capture ran: the files are safe on disk
                log.warning("controller closed: %s not checked", ", ".join(p.name for p in paths))

    def _finish(self) -> None:
        with self._lock:
            self._busy = False
            self._last_done = self._clock()

    def _process(self, paths: tuple[Path, ...], trigger: TriggerEvent) -> None:
        records: tuple = ()
        if self.processor is not None and paths:
            try:
                records = tuple(self.processor.process(paths, trigger=trigger.source))
            except Exception:
                log.exception("processing %s failed", ", ".join(p.name for p in paths))
        analysis = next((r.analysis for r in records if r.analysis is not None), None)
        done = CaptureDone(paths, analysis, trigger, records)
        if done.still_failed and self.cues is not None:
            self.cues.play("still-failed")
        self._emit(done)
        self._space_ok(None)  # say "disk full" now, not when the next trigger comes
        heap.trim()  # the still's decode buffers: free pages back to the system (studio.heap)

    # -- shots from the camera body ----------------------------------------------------------

    def _camera_event(self, event: CameraEvent) -> None:
        # On the camera's thread. Files of a capture we fired come back through its Future.
        if isinstance(event, StateChanged):
            state = str(event.state)
            self._camera_away = None if state == "connected" else (
                f"camera {state}" + (f": {event.reason}" if event.reason else ""))
        if not isinstance(event, FileAdded) or self.processor is None:
            return
        with self._lock:
            busy = self._busy
        if not busy:
            self._body_shots.add(Path(event.path))

    def _body_shot(self, paths: tuple[Path, ...]) -> None:
        trigger = TriggerEvent("camera", self._clock())
        with self._lock:
            try:
                self._pending.append(self._worker.submit(self._process, paths, trigger))
            except RuntimeError:
                log.warning("controller closed: %s not checked", ", ".join(p.name for p in paths))

    def process_leftovers(self) -> Future | None:
        """Check, on the shot worker, the photos an earlier run stored but never checked."""
        if self.processor is None:
            return None
        future = self._worker.submit(self.processor.process_leftovers)
        with self._lock:
            self._pending.append(future)
        return future

    # -- shutdown ----------------------------------------------------------------------------

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no capture, countdown or processing is pending (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                pending = [f for f in self._pending if not f.done()]
                idle = not (self._busy or self._counting or pending or self._body_shots.gathering)
            if idle:
                return True
            time.sleep(0.01)
        return False

    def close(self, timeout: float = 30.0) -> None:
        """Cancel a countdown and finish processing the shots already taken."""
        self._cancel.set()
        self._unsubscribe()
        self.wait_idle(timeout)
        self._worker.shutdown(wait=True)

