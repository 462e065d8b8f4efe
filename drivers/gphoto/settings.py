"""The camera's configuration tree as typed :class:`~drivers.base.Setting` values.

python-gphoto2 2.6.4 crashes the interpreter in ``CameraWidget.get_value()`` when a radio, menu
or text widget has a NULL value (python-gphoto2 issue 203; real bodies produce such widgets).
Those values are read here through ctypes on the same libgphoto2, and NULL means "no value".
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Collection, Iterator
from dataclasses import replace
from typing import Any

from drivers.base import ExposureControl, Setting, SettingError, SettingKind, parse_setting_value
from drivers.gphoto.lib import gp, libgphoto2

log = logging.getLogger(__name__)

# libgphoto2's widget names (they differ by body) for each exposure control, preferred first.
EXPOSURE_WIDGETS: dict[ExposureControl, tuple[str, ...]] = {
    ExposureControl.APERTURE: ("aperture", "f-number", "fnumber"),
    ExposureControl.SHUTTER: ("shutterspeed", "shutterspeed2", "eosshutterspeed"),
    ExposureControl.ISO: ("iso", "isospeed"),
    ExposureControl.WHITE_BALANCE: ("whitebalance",),
    ExposureControl.EXPOSURE_COMP: ("exposurecompensation", "exposurecompensation2"),
}


def control_for(name: str, present: Collection[str]) -> ExposureControl | None:
    """The exposure control widget ``name`` serves, when it is the first of its control's
    names among the widgets ``present`` on this body."""
    for control, names in EXPOSURE_WIDGETS.items():
        if name in names:
            return control if next((n for n in names if n in present), name) == name else None
    return None


def with_control(setting: Setting, present: Collection[str]) -> Setting:
    """``setting`` tagged with the exposure control it serves on this body (if any)."""
    control = control_for(setting.name, present)
    return replace(setting, control=control) if control is not setting.control else setting


def _kind_of(widget_type: int) -> SettingKind | None:
    g = gp()
    return {
        g.GP_WIDGET_RADIO: SettingKind.CHOICE,
        g.GP_WIDGET_MENU: SettingKind.CHOICE,
        g.GP_WIDGET_RANGE: SettingKind.RANGE,
        g.GP_WIDGET_TOGGLE: SettingKind.TOGGLE,
        g.GP_WIDGET_TEXT: SettingKind.TEXT,
        g.GP_WIDGET_DATE: SettingKind.DATE,
    }.get(widget_type)


def string_value(widget: Any) -> str | None:
    """A radio/menu/text widget's value without python-gphoto2's NULL crash; None for NULL."""
    value = ctypes.c_char_p()
    result = libgphoto2().gp_widget_get_value(ctypes.c_void_p(int(widget.this)),
                                              ctypes.byref(value))
    if result < 0 or value.value is None:
        return None
    return value.value.decode("utf-8", "replace")


def to_setting(widget: Any) -> Setting | None:
    """The typed setting for one leaf widget; ``None`` for sections and buttons."""
    kind = _kind_of(widget.get_type())
    if kind is None:
        return None
    choices: tuple[str, ...] = ()
    rng: tuple[float, float, float] | None = None
    value: str | float | bool | int | None
    if kind in (SettingKind.CHOICE, SettingKind.TEXT):
        value = string_value(widget)
        if kind is SettingKind.CHOICE:
            choices = tuple(str(c) for c in widget.get_choices())
    elif kind is SettingKind.RANGE:
        lo, hi, step = widget.get_range()
        rng = (float(lo), float(hi), float(step))
        value = float(widget.get_value())
    elif kind is SettingKind.TOGGLE:
        raw = widget.get_value()
        value = None if raw == 2 else bool(raw)  # 2 is libgphoto2's "unknown"
    else:
        value = int(widget.get_value())
    return Setting(name=str(widget.get_name()), label=str(widget.get_label()), kind=kind,
                   value=value, choices=choices, range=rng, readonly=bool(widget.get_readonly()))


def iter_leaves(widget: Any) -> Iterator[Any]:
    """Depth-first leaf widgets of a config tree."""
    g = gp()
    for child in widget.get_children():
        if child.get_type() in (g.GP_WIDGET_SECTION, g.GP_WIDGET_WINDOW):
            yield from iter_leaves(child)
        else:
            yield child


def read_settings(config: Any) -> dict[str, Setting]:
    """Every setting of a ``get_config()`` tree by name (first widget wins on duplicate names)."""
    settings: dict[str, Setting] = {}
    for widget in iter_leaves(config):
        name = str(widget.get_name())
        if name in settings:
            continue
        try:
            setting = to_setting(widget)
        except Exception:  # a widget libgphoto2 cannot describe is skipped, not fatal
            log.debug("skipping widget %s", name, exc_info=True)
            continue
        if setting is not None:
            settings[name] = setting
    return {name: with_control(setting, settings) for name, setting in settings.items()}


def apply_value(widget: Any, setting: Setting, text: str) -> None:
    """Validate ``text`` against ``setting`` and write it into ``widget`` (not yet to the camera).

    Only values from the camera's own list reach a choice widget: writing anything else can make
    the next read crash inside libgphoto2 (seen on the virtual camera with ``f/1.2``).
    """
    value = parse_setting_value(setting, text)
    if setting.kind is SettingKind.TOGGLE:
        widget.set_value(1 if value else 0)
    elif setting.kind is SettingKind.RANGE:
        widget.set_value(float(value))
    elif setting.kind is SettingKind.DATE:
        try:
            widget.set_value(int(float(text)))
        except ValueError:
            raise SettingError(f"{setting.name} takes a Unix time in seconds, not {text!r}") from None
    else:
        widget.set_value(str(value))
