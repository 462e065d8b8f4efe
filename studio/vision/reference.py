"""The consistency reference: one shot's face geometry and light, in frame-relative units.

A team day wants the same crop for everyone: eye line, head size and position, tilt and turn,
face exposure and background brightness. A :class:`Reference` holds them for one shot (a still
given with ``--reference FILE``, a shot made the reference in the window, or the session's
first keeper); the ``consistency`` check (:mod:`studio.vision.checks.consistency`) compares every
frame with it. Everything is relative to the frame (fractions of its width or height, degrees,
stops), so a live-view frame and a full-size still compare directly.

The reference is measured by the ``consistency`` check itself (its JSON fields carry the
frame's measures whether or not a reference is set), so a still analysed by ``studio check``
and a live frame are measured by the same code. It is persisted as ``reference.json`` next to
``session.json`` (:func:`save`, :func:`load`, validated like the other state files).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from studio import schema

REFERENCE_FILE = "reference.json"
VERSION = 1
MAX_REFERENCE_BYTES = 64 * 1024  # a reference is under 2 kB


class ReferenceError(ValueError):
    """A reference file or still that cannot give a reference (one line, for the user)."""


@dataclass(frozen=True, slots=True)
class Reference:
    """One shot's measures. Fractions of the frame: ``eye_y`` (eye midpoint from the top, of
    the height), ``head`` (crown-to-chin length, of the height), ``head_x`` (eye midpoint from
    the left, of the width). Degrees: ``roll`` (tilt), ``yaw`` (turn). Stops (log2 of linear
    light): ``face`` (the face oval's median), ``background`` (the frame beside and above the
    head). ``outline``: the face oval as (x, y) fractions of the frame, for the ghost overlay;
    ``eyes``: the two iris centres, the same way. ``aspect``: the frame's width / height (0 =
    unknown), so a frame of another shape compares with the same picture (:meth:`seen_at`)."""

    eye_y: float
    head: float
    head_x: float
    roll: float
    yaw: float
    face: float | None
    background: float | None
    outline: tuple[tuple[float, float], ...] = ()
    eyes: tuple[tuple[float, float], ...] = ()
    source: str = ""
    aspect: float = 0.0

    def seen_at(self, aspect: float) -> Reference:
        """This reference as a frame of ``aspect`` (width / height) cut from the centre of its
        own would measure it: a 16:9 live view of a 3:2 still (a capture card) shows the middle
        of its height, a 4:3 one the middle of its width. Unchanged when either is unknown or
        they agree within 1 %."""
        if self.aspect <= 0 or aspect <= 0 or abs(aspect / self.aspect - 1.0) <= 0.01:
            return self
        fy = min(1.0, self.aspect / aspect)  # share of the reference's height still in view
        fx = min(1.0, aspect / self.aspect)  # share of its width

        def moved(p: tuple[float, float]) -> tuple[float, float]:
            return ((p[0] - (1 - fx) / 2) / fx, (p[1] - (1 - fy) / 2) / fy)

        (head_x, eye_y) = moved((self.head_x, self.eye_y))
        return replace(self, eye_y=eye_y, head=self.head / fy, head_x=head_x,
                       outline=tuple(moved(p) for p in self.outline),
                       eyes=tuple(moved(p) for p in self.eyes), aspect=aspect)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outline"] = [[round(x, 5), round(y, 5)] for x, y in self.outline]
        data["eyes"] = [[round(x, 5), round(y, 5)] for x, y in self.eyes]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], key: str = "reference") -> Reference:
        """A reference from its JSON form; :class:`ReferenceError` naming the bad key."""
        try:
            schema.mapping(data, key)
            v = {name: schema.number(data.get(name), f"{key}.{name}", lo=lo, hi=hi)
                 for name, lo, hi in _RANGES}
            face, background = (_light(data.get(name), f"{key}.{name}") for name in ("face", "background"))
            outline = _points(data.get("outline", []), f"{key}.outline")
            eyes = _points(data.get("eyes", []), f"{key}.eyes")
            source = schema.text(data.get("source", ""), f"{key}.source", limit=4096)
            aspect = schema.number(data.get("aspect", 0.0), f"{key}.aspect", lo=0, hi=20)
        except schema.SchemaError as exc:
            raise ReferenceError(str(exc)) from None
        return cls(v["eye_y"], v["head"], v["head_x"], v["roll"], v["yaw"], face, background,
                   outline=outline, eyes=eyes, source=source, aspect=aspect)

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any], source: str = "") -> Reference | None:
        """The reference a ``consistency`` check result measured (its ``measured`` field),
        or None when it measured nothing (no face)."""
        measured = fields.get("measured")
        if not isinstance(measured, Mapping):
            return None
        data = dict(measured)
        data["source"] = source
        return cls.from_dict(data)


_RANGES = (("eye_y", -1.0, 2.0), ("head", 0.0, 10.0), ("head_x", -1.0, 2.0),
           ("roll", -180.0, 180.0), ("yaw", -180.0, 180.0))


def _light(value: object, key: str) -> float | None:
    return None if value is None else schema.number(value, key, lo=-30, hi=5)


def _points(value: object, key: str) -> tuple[tuple[float, float], ...]:
    if not isinstance(value, list | tuple) or len(value) > 512:
        raise schema.SchemaError(f"{key} must be a list of [x, y] pairs")
    out = []
    for i, p in enumerate(value):
        if not isinstance(p, list | tuple) or len(p) != 2:
            raise schema.SchemaError(f"{key}[{i}] must be an [x, y] pair")
        out.append((schema.number(p[0], f"{key}[{i}]", lo=-1, hi=2),
                    schema.number(p[1], f"{key}[{i}]", lo=-1, hi=2)))
    return tuple(out)


BLACK_STOPS = -8.0  # 8-bit sRGB luma ~13: darker is black, where a stop is a few noisy levels


def stops(luma: float) -> float:
    """An 8-bit sRGB luma as stops below white (log2 of its linear light; 0 = white), no lower
    than :data:`BLACK_STOPS`."""
    v = max(luma, 0.5) / 255.0
    linear = v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    return max(BLACK_STOPS, math.log2(linear))


def path_in(folder: str | os.PathLike[str]) -> Path:
    return Path(folder) / REFERENCE_FILE


def save(folder: str | os.PathLike[str], reference: Reference | None) -> None:
    """Write (or, for None, remove) the session's reference, atomically."""
    target = path_in(folder)
    if reference is None:
        target.unlink(missing_ok=True)
        return
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(json.dumps({"version": VERSION, "reference": reference.to_dict()}, indent=1))
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def load(folder: str | os.PathLike[str]) -> Reference | None:
    """The session's saved reference, None without one; :class:`ReferenceError` for a file
    that is not a reference (one line naming the key)."""
    target = path_in(folder)
    return read(target) if target.exists() else None


def read(target: Path) -> Reference:
    """The reference saved in the file ``target``; :class:`ReferenceError` (one line naming the
    key) for a file that is not one."""
    from drivers.safe_read import FileRefused, read_capped

    try:
        data = json.loads(read_capped(target, MAX_REFERENCE_BYTES).decode("utf-8"))
        schema.shallow(data, REFERENCE_FILE)
        table = schema.mapping(data, REFERENCE_FILE)
        schema.whole(table.get("version"), f"{REFERENCE_FILE}: version", lo=1, hi=VERSION)
    except (FileRefused, OSError, UnicodeDecodeError, json.JSONDecodeError, schema.SchemaError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ReferenceError(f"{target}: {reason}") from None
    try:
        return Reference.from_dict(table.get("reference") or {}, f"{REFERENCE_FILE}: reference")
    except ReferenceError as exc:
        raise ReferenceError(f"{target}: {exc}") from None
