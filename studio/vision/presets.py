"""Presets: which checks matter for a kind of shoot, how severe they are, and the thresholds.

Built-in: ``commercial-headshot``, ``theatrical-headshot``, ``portrait``, ``id-photo``.
A user preset is a TOML file, given by path or found as
``$XDG_CONFIG_HOME/studio/presets/<name>.toml`` (``~/.config`` when unset)::

    base = "commercial-headshot"      # start from this built-in (default: commercial-headshot)
    description = "Team page, grey backdrop"
    required = ["face", "framing", "eyes_open", "eye_focus", "glare"]
    advisory = ["catchlights", "exposure", "background"]
    shots = ["headshot"]
    allow_groups = false
    [thresholds]                      # any name from studio/vision/thresholds/
    eye_line_low = 0.45

Required checks decide READY; advisory checks are computed and shown but a failure is only a
warning; checks in neither list are not computed at all.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from studio import schema
from studio.analysis import CHECK_IDS, SHOT_TYPES
from studio.vision.thresholds import DEFAULT, Thresholds

# Eye detail: what the irises and lids tell. In a body shot or a group the irises are a few
# pixels across; a check of them that cannot judge there does not hold READY back (one that
# does judge, e.g. closed eyes, still does).
EYE_DETAIL = ("eyes_open", "eye_focus", "catchlights", "glasses", "glare")
WIDE_SHOTS = ("half-length", "three-quarter", "full-length", "group")


class PresetError(ValueError):
    """A preset name that does not exist or a preset file that is not valid."""


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    required: tuple[str, ...]
    advisory: tuple[str, ...] = ()
    shots: tuple[str, ...] = ()  # expected shot types; empty = any
    allow_groups: bool = False
    thresholds: Thresholds = field(default=DEFAULT)
    # A tight headshot's cut hair, chin or neck are a style, not a fault (the headshot
    # presets); elsewhere (ID photos, and presets for any framing) they are reported.
    tight_crop_style: bool = False

    @property
    def checks(self) -> tuple[str, ...]:
        """Every check this preset computes, in display order."""
        wanted = set(self.required) | set(self.advisory)
        return tuple(c for c in CHECK_IDS if c in wanted)

    def optional_for(self, shot: str) -> tuple[str, ...]:
        """Required checks READY need not wait on when they cannot judge, for ``shot``."""
        return tuple(c for c in EYE_DETAIL if c in self.required) if shot in WIDE_SHOTS else ()

    def severity(self, check_id: str) -> str:
        if check_id in self.required:
            return "required"
        return "advisory" if check_id in self.advisory else "off"


_HEADSHOT_REQUIRED = ("face", "framing", "eyes_open", "eye_focus", "glare", "exposure")

_BUILTIN: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "commercial-headshot",
            "Bright, friendly head-and-shoulders: plain background, light in the eyes.",
            required=_HEADSHOT_REQUIRED,
            advisory=("catchlights", "glasses", "background", "clothing", "expression", "depth",
                      "consistency"),
            shots=("headshot",),
            tight_crop_style=True,
        ),
        Preset(
            "theatrical-headshot",
            "Actors' headshots: dramatic light allowed, eyes and focus are everything.",
            required=("face", "framing", "eyes_open", "eye_focus", "glare"),
            advisory=("catchlights", "glasses", "exposure", "background", "clothing", "expression",
                      "depth", "consistency"),
            shots=("headshot",),
            thresholds=DEFAULT.updated(face_highlights_dark=95.0, face_dark=35.0, face_crushed_fraction=0.45,
                                        exposure_dark_min_probability=0.9),
            tight_crop_style=True,
        ),
        Preset(
            "portrait",
            "Any framing, groups welcome; only the faults that ruin a frame are required.",
            required=("face", "eyes_open", "eye_focus", "glare"),
            advisory=("framing", "catchlights", "glasses", "exposure", "depth", "consistency"),
            allow_groups=True,
            # consistency: portraits vary pose on purpose; only a clearly different crop is said
            thresholds=DEFAULT.updated(roll_max=25.0, yaw_max=60.0, pitch_max=30.0, consistency_size_tol=0.10,
                                       consistency_eye_line_tol=0.04, consistency_x_tol=0.06,
                                       consistency_roll_tol=10.0, consistency_yaw_tol=20.0),
        ),
        Preset(
            "id-photo",
            "Passport/ID (ICAO-like): frontal, level, eyes open, even light, plain background.",
            required=_HEADSHOT_REQUIRED + ("glasses", "background"),
            advisory=("catchlights", "clothing", "consistency"),
            shots=("headshot",),
            # consistency: a batch of ID photos shares one geometry; tighter on size and eye line
            thresholds=DEFAULT.updated(
                roll_max=8.0, yaw_max=5.0, pitch_max=5.0, eye_line_low=0.50, eye_line_high=0.25,
                consistency_size_tol=0.03, consistency_eye_line_tol=0.015,
            ),
        ),
    )
}

PRESETS: tuple[str, ...] = tuple(_BUILTIN)


def user_preset_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "studio" / "presets"


def load_preset(name_or_path: str | os.PathLike[str] | Preset) -> Preset:
    """A built-in preset by name, a user preset by name (TOML in :func:`user_preset_dir`,
    overriding a built-in of the same name) or a TOML file by path."""
    if isinstance(name_or_path, Preset):
        return name_or_path
    text = str(name_or_path)
    path = Path(text)
    if path.suffix == ".toml" or os.sep in text:
        if not path.exists():
            raise PresetError(f"preset file not found: {path}")
        return _from_toml(path, path.stem)  # a folder, FIFO or device is refused by its reader
    user = user_preset_dir() / f"{text}.toml"
    if user.exists():
        return _from_toml(user, text)
    if text in _BUILTIN:
        return _BUILTIN[text]
    raise PresetError(f"unknown preset {text!r}; built-in presets: {', '.join(PRESETS)}")


def _ids(value: object, key: str, allowed: tuple[str, ...], source: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PresetError(f"{source}: {key} must be a list of names, e.g. {key} = [\"{allowed[0]}\"]")
    bad = [v for v in value if v not in allowed]
    if bad:
        raise PresetError(f"{source}: unknown {key} {', '.join(bad)}; known: {', '.join(allowed)}")
    return tuple(value)


MAX_PRESET_BYTES = 1024 * 1024  # a preset is a few hundred bytes


def _read_toml(path: Path) -> dict:
    """The TOML table in ``path``; :class:`PresetError` (one line) for a FIFO, a device, a huge
    file, bad UTF-8 or TOML, or nesting deep enough to exhaust the parser."""
    from drivers.safe_read import FileRefused, read_capped

    try:
        data = tomllib.loads(read_capped(path, MAX_PRESET_BYTES).decode("utf-8-sig"))  # a BOM is fine
        schema.shallow(data, "the file")
    except FileRefused as exc:
        raise PresetError(str(exc)) from None
    except RecursionError:
        raise PresetError(f"{path}: nested too deeply to be a preset") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, schema.SchemaError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PresetError(f"{path}: {reason}") from None
    return data


def _from_toml(path: Path, name: str) -> Preset:
    data = _read_toml(path)
    base_name = data.pop("base", name if name in _BUILTIN else "commercial-headshot")
    if not isinstance(base_name, str) or base_name not in _BUILTIN:
        raise PresetError(f"{path}: unknown base preset {base_name!r}; built-in: {', '.join(PRESETS)}")
    base = _BUILTIN[base_name]

    def names(key: str, allowed: tuple[str, ...], default: tuple[str, ...]) -> tuple[str, ...]:
        return _ids(data.pop(key), key, allowed, path) if key in data else default

    required = names("required", CHECK_IDS, base.required)
    advisory = names("advisory", CHECK_IDS, base.advisory)
    shots = names("shots", SHOT_TYPES, base.shots)
    try:
        description = schema.text(data.pop("description", base.description), "description", limit=500)
        allow_groups = schema.boolean(data.pop("allow_groups", base.allow_groups), "allow_groups")
    except schema.SchemaError as exc:
        raise PresetError(f"{path}: {exc}") from None
    overrides = data.pop("thresholds", {})
    if data:
        raise PresetError(f"{path}: unknown key(s) {', '.join(sorted(data))}")
    thresholds = _thresholds(base.thresholds, overrides, path)
    return replace(
        base,
        name=name,
        description=description,
        required=required,
        advisory=advisory,
        shots=shots,
        allow_groups=allow_groups,
        thresholds=thresholds,
    )


# Thresholds with a range of their own (the sign rule below is not enough): the analysis size
# scales every still, so 1e-300 made a 0×0 picture and 1e300 a full-size analysis of 200 MP.
THRESHOLD_RANGES: dict[str, tuple[float, float]] = {"max_analysis_side": (64, 8192)}


def _thresholds(base: Thresholds, overrides: object, source: Path) -> Thresholds:
    """``base`` with a preset file's ``[thresholds]`` table applied.

    Each value must be a finite number of its default's sign: a threshold whose default is
    positive (a size, a ratio, a limit that divides) must stay positive, one whose default is 0
    may not go negative (``max_analysis_side = 0`` would divide by zero on every still, a
    negative one fails deep inside OpenCV)."""
    if not isinstance(overrides, dict):
        raise PresetError(f"{source}: [thresholds] must be a table of names = numbers")
    known = {f.name for f in fields(base)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise PresetError(f"{source}: unknown threshold(s) {', '.join(unknown)} in [thresholds]")
    checked: dict[str, float] = {}
    for key, value in overrides.items():
        default = getattr(DEFAULT, key)
        try:
            lo, hi = THRESHOLD_RANGES.get(key, (0 if default >= 0 else None, None))
            checked[key] = schema.number(value, f"[thresholds] {key}", lo=lo, hi=hi,
                                         lo_open=default > 0 and lo == 0)
        except schema.SchemaError as exc:
            raise PresetError(f"{source}: {exc}") from None
    return base.updated(**checked)
