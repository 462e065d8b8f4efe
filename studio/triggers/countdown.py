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
    """Register with ``controller.add_listener(beeper)``."""

    def __init__(self, cues: Cues) -> None:
        self.cues = cues
        self._holding = False

    def __call__(self, event: CaptureEvent) -> None:
        if isinstance(event, CountdownTick):
            if event.n > 0:
                self._hold()
                self.cues.play("countdown")
            else:
                self.cues.play("countdown-final")
                self._release()  # the final beep is already asked for: it plays
        elif self._holding and (isinstance(event, CaptureFailed)
                                or isinstance(event, TriggerIgnored) and event.reason == CANCELLED):
            self._release()  # cancelled, or the camera failed

    # A player without hold/release (a test's stand-in) just plays the beeps.
    def _hold(self) -> None:
        hold = getattr(self.cues, "hold", None)
        if hold is not None and not self._holding:
            self._holding = True
            hold()

    def _release(self) -> None:
        release = getattr(self.cues, "release", None)
        if release is not None and self._holding:
            self._holding = False
            release()


class ShutterSound:
    """Register with ``controller.add_listener(ShutterSound(cues))``: a click on every shot."""

    def __init__(self, cues: Cues) -> None:
        self.cues = cues

    def __call__(self, event: CaptureEvent) -> None:
        if isinstance(event, CaptureStarted):
            self.cues.play("shutter")
