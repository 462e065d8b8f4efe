"""The values triggers and the capture controller exchange, in a module both import.

Triggers (:mod:`studio.triggers`) send a :class:`TriggerEvent` to anything that is a
:class:`CaptureRequests` and get a :class:`Decision` back; the controller
(:mod:`studio.capture`) emits :data:`CaptureEvent` s to its listeners (overlay, audio, the
countdown beeper, the headless printer). Neither package imports the other: ``studio.app``
wires them together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from studio.analysis import Analysis

if TYPE_CHECKING:
    from studio.session import ShotRecord


@dataclass(frozen=True, slots=True)
class TriggerEvent:
    """A request for one shot.

    ``period`` is the READY period that caused an auto trigger (at most one shot each);
    ``countdown`` asks the controller to count down that many seconds before firing.
    """

    source: str  # "auto", "gesture", "sound", "key", "interval", …
    at: float  # time.monotonic() when the trigger noticed it
    period: int | None = None
    countdown: int = 0


Emit = Callable[[TriggerEvent], object]


@dataclass(frozen=True, slots=True)
class Decision:
    accepted: bool
    reason: str = ""
    retry_at: float | None = None  # monotonic time when asking again may succeed


# -- what the controller tells its listeners ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaptureStarted:
    trigger: TriggerEvent
    at: float


@dataclass(frozen=True, slots=True)
class CaptureDone:
    """The shot's files are on disk and, with a session, checked and labelled."""

    paths: tuple[Path, ...]
    analysis: Analysis | None  # the still's analysis (None without a session or if unreadable)
    trigger: TriggerEvent
    records: tuple[ShotRecord, ...] = ()

    @property
    def still_failed(self) -> bool:
        return any(r.failed for r in self.records)


@dataclass(frozen=True, slots=True)
class CaptureFailed:
    reason: str
    trigger: TriggerEvent | None
    stopped: bool = False  # capturing is off until the controller is resumed


@dataclass(frozen=True, slots=True)
class CountdownTick:
    """``n`` seconds to go; 0 is the moment of firing."""

    n: int
    at: float


@dataclass(frozen=True, slots=True)
class TriggerIgnored:
    trigger: TriggerEvent
    reason: str


@dataclass(frozen=True, slots=True)
class PersonChanged:
    """The person being photographed changed (studio.people.PeopleDesk emits it).

    ``index`` is the 0-based place in the roster (None for a name typed with no roster);
    ``source`` says why: "next", "previous", "typed", "code" (QR/barcode), "auto"
    (--shots-per-person), "resume" (restart at the saved person).
    """

    person_name: str
    index: int | None
    total: int
    source: str


CaptureEvent = CaptureStarted | CaptureDone | CaptureFailed | CountdownTick | TriggerIgnored
CaptureListener = Callable[[CaptureEvent], None]


# -- what the triggers, the live-view watch and the people desk tell the front ends ------------


@dataclass(frozen=True, slots=True)
class TriggerStatus:
    """The active trigger's state: whether it would fire now and, if not, why.

    Emitted by :class:`studio.triggers.setup.Triggers` whenever one of the fields changes, e.g.
    ``TriggerStatus("auto", False, "waiting for READY to drop and return")`` or
    ``TriggerStatus("interval", True, "", "3 of 5")``. ``rule`` says how the trigger re-arms
    after a shot ("READY lost and regained", "next person", "every 5 s", "hand lowered" …).
    """

    mode: str  # "manual", "countdown", "auto", "gesture", "sound", "interval"
    armed: bool
    reason: str = ""  # why it is not armed (or what it is waiting for); "" when armed and idle
    progress: str = ""  # "3 of 5" for an interval
    rule: str = ""  # how it re-arms after a shot

    @property
    def text(self) -> str:
        """One line for a status bar: "auto 3 of 5 · armed" / "auto · not armed: …"."""
        head = f"{self.mode} {self.progress}".strip()
        if self.armed:
            return f"{head} · armed" + (f" ({self.reason})" if self.reason else "")
        return f"{head} · not armed" + (f": {self.reason}" if self.reason else "")


StatusListener = Callable[[TriggerStatus], None]


@dataclass(frozen=True, slots=True)
class LiveState:
    """Whether live-view frames are flowing. While ``live`` is False the app keeps the READY
    machine not-ready with ``reason`` ("no live view from this camera", "recording ended",
    "camera disconnected", "waiting for a camera", "no live view for 1 s")."""

    live: bool
    reason: str = ""
    at: float = 0.0  # monotonic time of the change


LiveListener = Callable[[LiveState], None]



# -- what each side needs of the other ---------------------------------------------------------


class Cues(Protocol):
    """The part of :class:`studio.audio.CuePlayer` the controller uses."""

    def play(self, name: str) -> bool: ...


class CaptureRequests(Protocol):
    """What a trigger needs of :class:`studio.capture.CaptureController`."""

    def submit(self, trigger: TriggerEvent) -> Decision: ...

    def add_listener(self, listener: CaptureListener) -> Callable[[], None]: ...
