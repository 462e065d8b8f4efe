"""Building the chosen triggers in one place, from options or command-line arguments.

``studio run`` (or any front end) calls :func:`add_arguments` on its parser, turns the parsed
arguments into :class:`TriggerOptions` with :func:`options_from_args`, and starts
:class:`Triggers` with the capture controller, the live-view slot, the ready machine and the
cue player. The window forwards key presses to :attr:`Triggers.keys`.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from drivers.base import LatestFrameSlot
from studio.events import CaptureRequests, Cues
from studio.ready import ReadyMachine
from studio.triggers.auto import AutoTrigger
from studio.triggers.countdown import CountdownBeeper
from studio.triggers.gesture import GestureTrigger
from studio.triggers.interval import IntervalTrigger
from studio.triggers.keys import DEFAULT_KEYS, KeyTrigger
from studio.triggers.sound import RecentCues, SoundTrigger, cue_guard

log = logging.getLogger(__name__)


class TriggerCues(Cues, RecentCues, Protocol):
    """The cue player as the triggers use it: the countdown beeper plays cues, the sound
    trigger asks whether one just sounded (so a beep is not taken for a clap)."""


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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("triggers")
    g.add_argument("--auto", action="store_true", help="fire when READY has held for the hold time")
    g.add_argument("--gesture", action="store_true", help="fire on a raised open palm held ~0.6 s")
    g.add_argument("--sound", action="store_true", help="fire on a clap on the default microphone")
    g.add_argument("--sound-threshold", type=float, default=-24.0, metavar="DBFS",
                   help="peak level a clap must reach (default -24 dBFS)")
    g.add_argument("--keys", default=None, metavar="MAP",
                   help="key mapping, e.g. 'PageDown=capture,B=countdown' (default: PageDown, Space, "
                        "Return capture; PageUp, B count down)")
    g.add_argument("--countdown", type=int, default=3, metavar="S", help="countdown length (default 3)")
    g.add_argument("--hands-free-countdown", action="store_true",
                   help="gesture and sound triggers count down before firing")
    g.add_argument("--interval", nargs=2, type=float, metavar=("SECONDS", "SHOTS"),
                   help="a sequence of SHOTS shots, one every SECONDS")


def options_from_args(args: argparse.Namespace) -> TriggerOptions:
    """Raises :class:`ValueError` (a user mistake) for a bad key map or interval."""
    options = TriggerOptions(auto=args.auto, gesture=args.gesture, sound=args.sound,
                             sound_threshold_dbfs=args.sound_threshold, countdown_s=args.countdown,
                             hands_free_countdown=args.hands_free_countdown)
    if args.keys is not None:
        options.keys = KeyTrigger.parse_mapping(args.keys)
    if args.interval:
        seconds, shots = args.interval
        if not (0 < seconds < float("inf") and shots >= 1 and float(shots).is_integer()):
            raise ValueError("--interval takes a positive number of seconds and a whole number of shots")
        options.interval_s, options.interval_shots = seconds, int(shots)
    if options.countdown_s < 0:
        raise ValueError("--countdown must be 0 or more seconds")
    return options


class Triggers:
    """The running triggers of one session; :meth:`stop` ends them all."""

    def __init__(self, controller: CaptureRequests, options: TriggerOptions, *,
                 frames: LatestFrameSlot | None = None, ready: ReadyMachine | None = None,
                 cues: TriggerCues | None = None) -> None:
        self.controller = controller
        self.options = options
        self.keys = KeyTrigger(controller.submit, options.keys, countdown_s=options.countdown_s)
        self.auto: AutoTrigger | None = None
        self.gesture: GestureTrigger | None = None
        self.sound: SoundTrigger | None = None
        self.interval: IntervalTrigger | None = None
        self._cleanup: list[Callable[[], None]] = []
        hands_free = options.countdown_s if options.hands_free_countdown else 0
        if cues is not None:
            self._cleanup.append(controller.add_listener(CountdownBeeper(cues)))
        if options.auto and ready is not None:
            self.auto = AutoTrigger(controller)
            self._cleanup.append(ready.add_listener(self.auto.on_transition))
        if options.gesture and frames is not None:
            self.gesture = GestureTrigger(frames, controller.submit, hold_s=options.gesture_hold_s,
                                          countdown=hands_free)
        if options.sound:
            self.sound = SoundTrigger(controller.submit, ignore=cue_guard(cues) if cues else None,
                                      countdown=hands_free, threshold_dbfs=options.sound_threshold_dbfs)
        if options.interval_shots:
            self.interval = IntervalTrigger(controller.submit, options.interval_s, options.interval_shots)

    def start(self) -> list[str]:
        """Start the threaded triggers; returns warnings (e.g. no microphone) to show the user."""
        warnings: list[str] = []
        if self.gesture:
            self.gesture.start()
        if self.sound:
            try:
                self.sound.start()
            except Exception as exc:  # no PortAudio, no input device: go on without it
                warnings.append(f"sound trigger off: no microphone ({exc})")
                log.warning("sound trigger off: %s", exc)
                self.sound = None
        if self.interval:
            self.interval.start()
        return warnings

    def stop(self) -> None:
        for trigger in (self.gesture, self.sound, self.interval, self.auto):
            if trigger is None:
                continue
            (trigger.close if isinstance(trigger, AutoTrigger) else trigger.stop)()
        for remove in self._cleanup:
            remove()
        self._cleanup = []
