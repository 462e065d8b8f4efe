"""Camera settings as typed values: what a setting is, what it may be set to, and the exposure
controls the app lists by the photographer's names."""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from drivers.errors import SettingError


class SettingKind(enum.StrEnum):
    CHOICE = "choice"
    RANGE = "range"
    TOGGLE = "toggle"
    TEXT = "text"
    DATE = "date"


class ExposureControl(enum.Enum):
    """An exposure control as the photographer names it; a driver tags the one setting of its
    body that serves each, so the app lists controls without knowing any camera's names.
    Declaration order is display order."""

    APERTURE = ("Aperture", "f/")
    SHUTTER = ("Shutter", "s")
    ISO = ("ISO", "")
    WHITE_BALANCE = ("White balance", "")
    EXPOSURE_COMP = ("Exposure comp.", "EV")

    @property
    def title(self) -> str:
        return self.value[0]

    @property
    def unit(self) -> str:
        """What the values are in, for a label ("f/", "s", "EV"); empty when they say it."""
        return self.value[1]


@dataclass(frozen=True, slots=True)
class Setting:
    """One camera setting as a typed value with what it may be set to.

    ``value`` is a ``str`` for choice/text, ``float`` for range, ``bool`` for toggle, ``int``
    (Unix time) for date, or ``None`` when the camera reports no value.
    """

    name: str
    label: str
    kind: SettingKind
    value: str | float | bool | int | None
    choices: tuple[str, ...] = ()
    range: tuple[float, float, float] | None = None  # (min, max, step)
    readonly: bool = False
    control: ExposureControl | None = None  # the exposure control this setting serves, if any

    def allowed(self) -> str:
        """Human text of the allowed values, for error messages."""
        if self.kind is SettingKind.CHOICE:
            return ", ".join(self.choices) if self.choices else "(none)"
        if self.kind is SettingKind.RANGE and self.range:
            lo, hi, step = self.range
            return f"{lo:g} to {hi:g} in steps of {step:g}"
        if self.kind is SettingKind.TOGGLE:
            return "on, off"
        return "any text"


def exposure_controls(settings: Mapping[str, Setting]) -> list[Setting]:
    """The settings tagged with an :class:`ExposureControl`, one per control, in display order."""
    found: dict[ExposureControl, Setting] = {}
    for setting in settings.values():
        if setting.control is not None:
            found.setdefault(setting.control, setting)
    return [found[c] for c in ExposureControl if c in found]


def parse_setting_value(setting: Setting, text: str) -> str | float | bool:
    """Validate ``text`` for ``setting`` and convert it; raises :class:`SettingError`."""
    if setting.readonly:
        raise SettingError(f"{setting.name} is read-only on this camera")
    if setting.kind is SettingKind.CHOICE:
        if text in setting.choices:
            return text
        folded = {c.casefold(): c for c in setting.choices}
        if text.casefold() in folded:
            return folded[text.casefold()]
        raise SettingError(f"{text!r} is not allowed for {setting.name}; allowed: {setting.allowed()}")
    if setting.kind is SettingKind.RANGE:
        try:
            number = float(text)
        except ValueError:
            raise SettingError(f"{setting.name} takes a number: {setting.allowed()}") from None
        if setting.range:
            lo, hi, step = setting.range
            if not lo - 1e-9 <= number <= hi + 1e-9:
                raise SettingError(f"{number:g} is out of range for {setting.name}: {setting.allowed()}")
            if step > 0:
                number = lo + round((number - lo) / step) * step
        return number
    if setting.kind is SettingKind.TOGGLE:
        lowered = text.strip().lower()
        if lowered in ("1", "on", "true", "yes"):
            return True
        if lowered in ("0", "off", "false", "no"):
            return False
        raise SettingError(f"{setting.name} is on or off, not {text!r}")
    return text


# -- the lens's f-number, as the checks read it ------------------------------------------

_NUMBER = re.compile(r"^\s*(?:f\s*/?\s*)?(\d+(?:[.,]\d+)?)\s*$", re.IGNORECASE)


def f_number(text: object) -> float | None:
    """The f-number in a camera's aperture value ("f/5.6", "F5.6", "5.6", 5.6); None if none."""
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        found = _NUMBER.match(str(text))
        if found is None:
            return None
        value = float(found.group(1).replace(",", "."))
    return value if 0.5 <= value <= 128 and math.isfinite(value) else None


def aperture_of(settings: Mapping[str, Setting]) -> float | None:
    """The f-number of the setting a driver tagged as the aperture (None: none, or no value)."""
    for setting in settings.values():
        if setting.control is ExposureControl.APERTURE:
            return f_number(setting.value)
    return None
