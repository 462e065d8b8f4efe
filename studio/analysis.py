"""The analysis of one frame or still: one immutable value that everything else reads.

The overlay, the audio cues, the ready state machine, the triggers, the sidecars and the JSON
output all read an :class:`Analysis`; none of them recomputes anything. Coordinates are
normalised to the frame (0..1, origin top-left) so they survive any display scaling. Sides
(``left`` / ``right``) are always the subject's own.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

Box = tuple[float, float, float, float]  # normalised x, y, w, h
Point = tuple[float, float]  # normalised x, y


class Status(enum.StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """Severity order for "worst of": pass < unknown < warn < fail."""
        return _RANK[self]


_RANK = {Status.PASS: 0, Status.UNKNOWN: 1, Status.WARN: 2, Status.FAIL: 3}

SHOT_TYPES = ("headshot", "half-length", "three-quarter", "full-length", "group", "none")

# Check ids, in display order. Fixed: the JSON form, the presets and the sidecars use them.
CHECK_IDS = ("face", "framing", "eyes_open", "eye_focus", "catchlights", "glasses", "glare",
             "exposure", "background", "clothing", "expression", "depth", "consistency")


_PLAIN = frozenset({str, int, float, bool, type(None)})  # immutable already; checked first (speed)
_SCALARS = (str, int, float, type(None), enum.Enum)  # subclasses too (numpy floats, Status)


def frozen(value: Any) -> Any:
    """``value`` made read-only all the way down: mappings become read-only mappings, lists and
    tuples tuples, sets frozensets, numpy arrays read-only copies; anything else is kept."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict or kind is MappingProxyType:
        return MappingProxyType({k: frozen(v) for k, v in value.items()})
    if kind is list or kind is tuple:
        return tuple(map(frozen, value))
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, Mapping):
        return MappingProxyType({k: frozen(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(frozen(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(frozen(v) for v in value)
    if getattr(getattr(value, "flags", None), "writeable", False):  # a writeable numpy array
        value = value.copy()
        value.flags.writeable = False
    return value


def _box(values: Any) -> tuple[float, ...]:
    return tuple(map(float, values))


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's verdict. Immutable all the way down.

    ``fields`` holds the check-specific, JSON-ready values (e.g. ``left``/``right`` for
    ``eyes_open``, ``lenses`` for ``glare``), read-only: nested mappings are read-only mappings
    and lists are tuples (the JSON form has them as objects and arrays). ``marks`` holds points
    to draw (catchlights, glare blob centres) that do not belong in the JSON form.
    """

    id: str
    status: Status
    message: str
    value: float | None = None
    regions: tuple[Box, ...] = ()
    fields: Mapping[str, Any] = field(default_factory=dict)
    marks: tuple[Point, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        object.__setattr__(self, "fields", frozen(self.fields or {}))
        object.__setattr__(self, "regions", tuple(_box(r) for r in self.regions))
        object.__setattr__(self, "marks", tuple(_box(p) for p in self.marks))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": self.status.value,
            "message": self.message,
            "value": _json_number(self.value),
            "regions": [[round(v, 4) for v in r] for r in self.regions],
        }
        for key, val in self.fields.items():
            out[key] = _jsonable(val)
        return out


@dataclass(frozen=True, slots=True)
class Face:
    """The main subject's face geometry, normalised. ``landmarks`` is (478, 3), read-only."""

    box: Box
    left_eye: Box
    right_eye: Box
    landmarks: Any = None  # numpy array, flags.writeable = False
    yaw: float = 0.0  # degrees, positive = subject turned to their left
    pitch: float = 0.0
    roll: float = 0.0

    def __post_init__(self) -> None:
        for name in ("box", "left_eye", "right_eye"):
            object.__setattr__(self, name, _box(getattr(self, name)))
        object.__setattr__(self, "landmarks", frozen(self.landmarks))


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything known about one frame. Built once by the analyzer, then only read: frozen
    all the way down (tuples, read-only mappings, read-only landmark array)."""

    source: str
    frame: int | None  # live-view sequence number, None for stills
    timestamp: float  # monotonic arrival time of the frame (stills: analysis time)
    size: tuple[int, int]  # (width, height) of the analysed image
    shot: str
    faces: int
    checks: tuple[CheckResult, ...]
    ready: bool  # every check the preset requires passes (before the hold time)
    preset: str = ""
    subject: Face | None = None
    timings: Mapping[str, float] = field(default_factory=dict)  # stage -> ms
    required: tuple[str, ...] = ()  # check ids the preset requires for ready
    # Required checks READY does not wait on in this frame: they cannot judge a detail the shot
    # type in view does not need (eye focus on a full-length figure).
    excused: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "timings", MappingProxyType({k: float(v) for k, v in self.timings.items()}))
        object.__setattr__(self, "checks", tuple(self.checks))
        object.__setattr__(self, "required", tuple(self.required))
        object.__setattr__(self, "excused", tuple(self.excused))
        object.__setattr__(self, "size", (int(self.size[0]), int(self.size[1])))

    def check(self, check_id: str) -> CheckResult | None:
        for result in self.checks:
            if result.id == check_id:
                return result
        return None

    @property
    def problems(self) -> tuple[CheckResult, ...]:
        """Required checks that do not pass (the excused ones left out), worst first."""
        bad = [c for c in self.checks
               if c.id in self.required and c.id not in self.excused and c.status is not Status.PASS]
        return tuple(sorted(bad, key=lambda c: -c.status.rank))

    @property
    def worst(self) -> Status:
        return max((c.status for c in self.checks if c.id in self.required and c.id not in self.excused),
                   key=lambda s: s.rank, default=Status.PASS)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON form (docs/json.md), shared by ``studio check`` and ``run --json``."""
        return {
            "source": self.source,
            "frame": self.frame,
            "size": [int(self.size[0]), int(self.size[1])],
            "shot": self.shot,
            "faces": self.faces,
            "preset": self.preset,
            "checks": {c.id: c.to_json() for c in self.checks},
            "ready": bool(self.ready),
            "excused": list(self.excused),
            "timings_ms": {k: round(v, 3) for k, v in self.timings.items()},
        }


def _json_number(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return None
    return round(value, 4)


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        return _json_number(value)
    if hasattr(value, "item"):  # numpy scalar
        return _jsonable(value.item())
    return str(value)
