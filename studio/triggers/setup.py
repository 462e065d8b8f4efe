"""Building the chosen triggers in one place, from options or command-line arguments.

``studio run`` (or any front end) calls :func:`add_arguments` on its parser, turns the parsed
arguments into :class:`TriggerOptions` with :func:`options_from_args`, and starts
:class:`Triggers` with the capture controller, the live-view slot, the ready machine and the
cue player. The window forwards key presses to :attr:`Triggers.keys`.

One *mode* is active at a time (:attr:`Triggers.modes`): ``manual`` (keys, pedal, button),
``countdown`` (the same, counting down), or one hands-free trigger: ``auto``, ``gesture``,
``sound``, ``interval``. :meth:`Triggers.set_mode` switches it and never fires the camera (a
new hands-free trigger starts disarmed until READY, the hand or the clap is fresh). The
active trigger's :class:`~studio.events.TriggerStatus` (armed or not, why, progress) goes to
:meth:`Triggers.add_status_listener` listeners whenever it changes.
"""

from __future__ import annotations

import argparse
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from drivers.base import EventHub, LatestFrameSlot
from studio import argtypes
from studio.events import (
    CaptureEvent,
    CaptureFailed,
    CaptureRequests,
    CaptureStarted,
    Cues,
    StatusListener,
    TriggerStatus,
)
from studio.ready import ReadyMachine, ReadyState
from studio.triggers.auto import AutoTrigger, RearmRule
from studio.triggers.countdown import CountdownBeeper, ShutterSound
from studio.triggers.gesture import GestureTrigger
from studio.triggers.interval import IntervalTrigger
from studio.triggers.keys import DEFAULT_KEYS, KeyTrigger
from studio.triggers.sound import RecentCues, SoundTrigger, cue_guard

log = logging.getLogger(__name__)


class TriggerCues(Cues, RecentCues, Protocol):
    """The cue player as the triggers use it: the countdown beeper plays cues (and holds the
    speaker if the player can), the sound trigger asks whether one just sounded (so a beep is
    not taken for a clap)."""


MANUAL_MODES = ("manual", "countdown")
HANDS_FREE_MODES = ("auto", "gesture", "sound", "interval")
MIN_INTERVAL_S = 0.1  # no camera shoots, downloads and re-checks faster than this
MODES = ("manual", "auto", "gesture", "sound", "countdown")  # + "interval" with --interval


def mode_of(options: TriggerOptions) -> str:
    """The mode the options start in (the chooser shows it)."""
    for mode in ("interval", "auto", "gesture", "sound"):
        if (options.interval_shots if mode == "interval" else getattr(options, mode)):
            return mode
    return "manual"


@dataclass(slots=True)
class TriggerOptions:
    auto: bool = False
    gesture: bool = False
    gesture_hold_s: float = 0.6
    sound: bool = False
    sound_threshold_dbfs: float = -24.0
    keys: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_KEYS))
    countdown_s: int = 3  # for keys mapped to "countdown", and hands-free triggers if asked
    hands_free_countdown: bool = False  # gesture and sound count down before firing
    interval_s: float = 0.0
    interval_shots: int = 0
    rearm: RearmRule = field(default_factory=RearmRule)  # how auto re-arms after a shot
    shutter_sound: bool = True  # a click on every shot
    sound_rearm_s: float = 2.0  # claps not heard for this long after one fired


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("triggers")
    g.add_argument("--auto", action="store_true", help="fire when READY has held for the hold time")
    g.add_argument("--gesture", action="store_true", help="fire on a raised open palm held ~0.6 s")
    g.add_argument("--sound", action="store_true", help="fire on a clap on the default microphone")
    g.add_argument("--sound-threshold", type=argtypes.bounded(-96, 0), default=-24.0, metavar="DBFS",
                   help="peak level a clap must reach (default -24 dBFS)")
    g.add_argument("--keys", default=None, metavar="MAP",
                   help="key mapping, e.g. 'PageDown=capture,B=countdown' (default: PageDown, Space, "
                        "Return capture; PageUp, B count down)")
    g.add_argument("--countdown", type=argtypes.bounded(0, 60, int), default=3, metavar="S",
                   help="countdown length (default 3)")
    g.add_argument("--hands-free-countdown", action="store_true",
                   help="gesture and sound triggers count down before firing")
    g.add_argument("--interval", nargs=2, type=argtypes.bounded(0, 100_000, lo_open=True),
                   metavar=("SECONDS", "SHOTS"),
                   help="a sequence of SHOTS shots, one every SECONDS")
    g.add_argument("--rearm", default="ready", metavar="RULE",
                   help="when auto may fire again after a shot: 'ready' (READY lost and regained, "
                        "default), 'person' (the next person), or a number of seconds")
    g.add_argument("--no-shutter-sound", dest="shutter_sound", action="store_false",
                   help="no shutter click on each shot")


def options_from_args(args: argparse.Namespace) -> TriggerOptions:
    """Raises :class:`ValueError` (a user mistake) for a bad key map or interval."""
    options = TriggerOptions(auto=args.auto, gesture=args.gesture, sound=args.sound,
                             sound_threshold_dbfs=args.sound_threshold, countdown_s=args.countdown,
                             hands_free_countdown=args.hands_free_countdown,
                             rearm=RearmRule.parse(getattr(args, "rearm", "ready")),
                             shutter_sound=getattr(args, "shutter_sound", True))
    if args.keys is not None:
        options.keys = KeyTrigger.parse_mapping(args.keys)
    if args.interval:
        seconds, shots = args.interval
        if not (MIN_INTERVAL_S <= seconds < float("inf") and shots >= 1 and float(shots).is_integer()):
            raise ValueError(f"--interval takes at least {MIN_INTERVAL_S:g} seconds and a whole number "
                             f"of shots, not {seconds:g} {shots:g}")
        options.interval_s, options.interval_shots = seconds, int(shots)
    if options.countdown_s < 0:
        raise ValueError("--countdown must be 0 or more seconds")
    return options


class Triggers:
    """The triggers of one session: the keys always, plus the active hands-free trigger(s).

    Options may start several hands-free triggers at once (``--auto --gesture``); :attr:`mode`
    is the first of them, and :meth:`set_mode` leaves exactly one (or none) running. ``actions``
    gives the keys their non-capture actions (``next-person`` → the people desk).
    """

    def __init__(self, controller: CaptureRequests, options: TriggerOptions, *,
                 frames: LatestFrameSlot | None = None, ready: ReadyMachine | None = None,
                 cues: TriggerCues | None = None,
                 actions: dict[str, Callable[[], object]] | None = None) -> None:
        self.controller = controller
        self.options = options
        self.frames = frames
        self.ready = ready
        self.cues = cues
        self.keys = KeyTrigger(controller.submit, options.keys, countdown_s=options.countdown_s,
                               actions=actions)
        self.auto: AutoTrigger | None = None
        self.gesture: GestureTrigger | None = None
        self.sound: SoundTrigger | None = None
        self.interval: IntervalTrigger | None = None
        self.modes: tuple[str, ...] = MODES + (("interval",) if options.interval_shots else ())
        self._mode = mode_of(options)
        self._running: set[str] = {m for m in HANDS_FREE_MODES if _enabled(options, m)}
        self._statuses: dict[str, TriggerStatus] = {}
        self._stopped_reason: str | None = None  # capturing stopped (disk full): nothing is armed
        self._hub: EventHub[TriggerStatus] = EventHub()
        self._lock = threading.RLock()  # starting and stopping triggers
        self._status_lock = threading.Lock()  # the statuses and the active mode
        self._started = False
        self._cleanup: list[Callable[[], None]] = []
        self._auto_remove: Callable[[], None] | None = None
        self._published: TriggerStatus | None = None  # listeners hear changes only
        self.keys.capture_countdown_s = options.countdown_s if self._mode == "countdown" else 0

    # -- status ------------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def status(self) -> TriggerStatus:
        """The active mode's status now."""
        status = self._statuses.get(self._mode) or self._manual_status(self._mode)
        if self._stopped_reason:
            return TriggerStatus(status.mode, False, f"capturing stopped: {self._stopped_reason}",
                                 status.progress, status.rule)
        return status

    def add_status_listener(self, listener: StatusListener) -> Callable[[], None]:
        return self._hub.add_listener(listener)

    def _manual_status(self, mode: str) -> TriggerStatus:
        if mode == "countdown":
            return TriggerStatus(mode, True, "", "", f"each press counts down {self.options.countdown_s} s")
        if mode in HANDS_FREE_MODES:
            return TriggerStatus(mode, False, "not started")
        return TriggerStatus(mode, True, "", "", "keys, pedal and button fire")

    def _listener_for(self, mode: str) -> StatusListener:
        def heard(status: TriggerStatus) -> None:
            with self._status_lock:  # not self._lock: set_mode holds it while joining threads
                self._statuses[mode] = status
                active = mode == self._mode
            if active:
                self._publish()
        return heard

    def _publish(self) -> None:
        with self._status_lock:
            status = self.status
            if status == self._published:
                return
            self._published = status
        self._hub.emit(status)

    def _capture_event(self, event: CaptureEvent) -> None:
        if isinstance(event, CaptureFailed) and event.stopped:
            self._stopped_reason = event.reason
            self._publish()
        elif isinstance(event, CaptureStarted) and self._stopped_reason:
            self._stopped_reason = None  # a key resumed capturing
            self._publish()

    # -- modes -------------------------------------------------------------------------------

    def set_mode(self, mode: str) -> None:
        """Make ``mode`` the active one. Never fires the camera: the new trigger starts
        disarmed until READY / the hand / the clap is fresh. ValueError for an unknown mode."""
        if mode not in self.modes:
            raise ValueError(f"unknown trigger mode {mode!r}; modes: {', '.join(self.modes)}")
        with self._lock:
            self._stop_hands_free()
            with self._status_lock:
                self._mode = mode
            self._running = {mode} if mode in HANDS_FREE_MODES else set()
            self._statuses.pop(mode, None)
            self.keys.capture_countdown_s = self.options.countdown_s if mode == "countdown" else 0
            warnings = self._start_hands_free(switched=True) if self._started else []
        for warning in warnings:
            log.warning("%s", warning)
        self._publish()

    def on_person_changed(self, _event: object = None) -> None:
        """The people desk moved on: auto's ``person`` rule re-arms."""
        if self.auto is not None:
            self.auto.on_person_changed(_event)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> list[str]:
        """Start the active triggers; returns warnings (e.g. no microphone) to show the user."""
        with self._lock:
            self._started = True
            controller = self.controller
            self._cleanup.append(controller.add_listener(self._capture_event))
            if self.cues is not None:
                self._cleanup.append(controller.add_listener(CountdownBeeper(self.cues)))
                if self.options.shutter_sound:
                    self._cleanup.append(controller.add_listener(ShutterSound(self.cues)))
            warnings = self._start_hands_free()
        self._publish()
        return warnings

    def _start_hands_free(self, *, switched: bool = False) -> list[str]:
        """``switched``: chosen at run time, so every trigger starts disarmed until fresh."""
        options, controller, warnings = self.options, self.controller, []
        hands_free = options.countdown_s if options.hands_free_countdown else 0
        if "auto" in self._running and self.ready is not None:
            standing = self.ready.state is ReadyState.READY
            self.auto = AutoTrigger(controller, rearm=options.rearm, ready_now=standing,
                                    on_status=self._listener_for("auto"))
            self._statuses["auto"] = self.auto.arming.status
            self._auto_remove = self.ready.add_listener(self.auto.on_transition)
        if "gesture" in self._running and self.frames is not None:
            self.gesture = GestureTrigger(self.frames, controller.submit, hold_s=options.gesture_hold_s,
                                          countdown=hands_free, on_status=self._listener_for("gesture"),
                                          armed=not switched)
            self._statuses["gesture"] = self.gesture.arming.status
            self.gesture.start()
        if "sound" in self._running:
            warnings += self._start_sound(hands_free)
        if "interval" in self._running and options.interval_shots:
            self.interval = IntervalTrigger(controller.submit, options.interval_s, options.interval_shots,
                                            on_status=self._listener_for("interval"))
            self.interval.start()
            self._statuses["interval"] = self.interval.arming.status
        return warnings

    def _start_sound(self, countdown: int) -> list[str]:
        options, cues = self.options, self.cues
        self.sound = SoundTrigger(self.controller.submit, ignore=cue_guard(cues) if cues else None,
                                  countdown=countdown, threshold_dbfs=options.sound_threshold_dbfs,
                                  rearm_s=options.sound_rearm_s, on_status=self._listener_for("sound"))
        try:
            self.sound.start()
        except Exception as exc:  # no PortAudio, no input device: go on without it
            log.warning("sound trigger off: %s", exc)
            self._statuses["sound"] = TriggerStatus("sound", False, f"no microphone ({exc})")
            self.sound = None
            return [f"sound trigger off: no microphone ({exc})"]
        self._statuses["sound"] = self.sound.arming.status
        return []

    def _stop_hands_free(self) -> None:
        if self.auto is not None:
            self.auto.close()
        for trigger in (self.gesture, self.sound, self.interval):
            if trigger is not None:
                trigger.stop()
        if self._auto_remove is not None:
            self._auto_remove()
            self._auto_remove = None

    def stop(self) -> None:
        with self._lock:
            self._stop_hands_free()
            for remove in self._cleanup:
                remove()
            self._cleanup = []
            self._started = False


def _enabled(options: TriggerOptions, mode: str) -> bool:
    return bool(options.interval_shots) if mode == "interval" else bool(getattr(options, mode))
