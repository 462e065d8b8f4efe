"""The sounds of the controller's events: the countdown's beeps and the shutter.

The controller counts (:class:`~studio.events.CountdownTick`), :class:`CountdownBeeper` beeps:
one short ``countdown`` beep per remaining second and a long ``countdown-final`` at the moment
of firing, through the app's :class:`~studio.audio.CuePlayer` (so the sound trigger knows they
are the app's own sounds). While a countdown runs it owns the speaker: it puts the player on
hold (only the countdown and shutter cues sound; a guidance tone playing is cut short and none
starts until the countdown ends or is cancelled).

:class:`ShutterSound` plays ``shutter`` as each shot is fired (the ``shutter_sound`` setting).
"""

from __future__ import annotations

from studio.events import CaptureEvent, CaptureFailed, CaptureStarted, CountdownTick, Cues, TriggerIgnored

CANCELLED = "countdown cancelled"  # the controller's reason when a countdown is called off


class CountdownBeeper:
    """Register with ``controller.add_listener(beeper)``.

    With the app's :class:`~studio.audio.CuePlayer` the first tick asks for the whole countdown
    as one cue (``play_countdown``: the beeps placed exactly 1 s apart on one buffer, so a busy
    machine cannot push one late) and holds the speaker; a plain cue player gets one cue a tick.
    """

    def __init__(self, cues: Cues) -> None:
        self.cues = cues
        self._holding = False
        self._whole = False  # the whole countdown was asked for as one cue

    def __call__(self, event: CaptureEvent) -> None:
        if isinstance(event, CountdownTick):
            if event.n > 0 and not self._holding:
                self._start(event)
            elif event.n > 0 and not self._whole:
                self.cues.play("countdown")
            elif event.n == 0:
                if not self._whole:
                    self.cues.play("countdown-final")
                self._release(cut=False)  # the final beep is already asked for: it plays
        elif self._holding and (isinstance(event, CaptureFailed)
                                or isinstance(event, TriggerIgnored) and event.reason == CANCELLED):
            self._release(cut=True)  # cancelled, or the camera failed: silence at once

    # A player without play_countdown/hold/release (a test's stand-in) gets a cue a tick.
    def _start(self, tick: CountdownTick) -> None:
        self._holding = True
        hold = getattr(self.cues, "hold", None)
        if hold is not None:
            hold()
        whole = getattr(self.cues, "play_countdown", None)
        self._whole = whole is not None and bool(whole(tick.n, tick.at))
        if not self._whole:
            self.cues.play("countdown")

    def _release(self, *, cut: bool) -> None:
        if not self._holding:
            return
        self._holding, self._whole = False, False
        release = getattr(self.cues, "release", None)
        if release is not None:
            release(cut=cut)


class ShutterSound:
    """Register with ``controller.add_listener(ShutterSound(cues))``: a click on every shot."""

    def __init__(self, cues: Cues) -> None:
        self.cues = cues

    def __call__(self, event: CaptureEvent) -> None:
        if isinstance(event, CaptureStarted):
            self.cues.play("shutter")
