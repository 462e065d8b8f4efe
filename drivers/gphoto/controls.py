"""Reading and writing the camera's settings on the owner thread, and the capture target.

Only values from the camera's own list are ever written (see :func:`apply_value`); an unknown
name gets the near names as a hint, a refusal the allowed values.
"""

from __future__ import annotations

import difflib
import logging

from drivers.base import CameraError, DriverWarning, Setting, SettingError
from drivers.gphoto.connection import Link, error_action, error_code
from drivers.gphoto.errors import Action
from drivers.gphoto.settings import apply_value, read_settings, to_setting, with_control

log = logging.getLogger(__name__)


def read_all(link: Link) -> dict[str, Setting]:
    link.require_connected()
    settings = read_settings(link.call("reading settings", link.cam.get_config))
    link.widget_names = set(settings)
    return settings


def summary(link: Link) -> str:
    link.require_connected()
    return str(link.call("reading summary", link.cam.get_summary))


def write(link: Link, name: str, value: str) -> Setting:
    """Validate ``value`` against the camera's allowed values and set it; the setting read back."""
    try:
        widget = link.call(f"reading {name}", link.cam.get_single_config, name)
    except CameraError as exc:
        if error_code(exc) != -2:
            raise
        close = difflib.get_close_matches(name, sorted(link.widget_names), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "`studio camera settings` lists them"
        raise SettingError(f"{link.model} has no setting {name!r}", hint) from None
    setting = to_setting(widget)
    if setting is None:
        raise SettingError(f"{name} is not a setting (it is a section or a button)")
    apply_value(widget, setting, value)  # validates: clear error listing the allowed values
    try:
        link.call(f"setting {name}", link.cam.set_single_config, name, widget)
    except CameraError as exc:
        if error_action(exc) is Action.RECONNECT:
            raise
        code = getattr(exc, "code", "?")
        raise SettingError(f"{link.model} refused {name}={value!r} [gphoto2 {code}]",
                           f"allowed: {setting.allowed()}") from None
    updated = to_setting(link.call(f"reading {name}", link.cam.get_single_config, name))
    return with_control(updated or setting, link.widget_names)


def set_capture_target(link: Link, settings: dict[str, Setting]) -> None:
    """Set card/RAM explicitly: libgphoto2 persists the last one in $XDG_CONFIG_HOME."""
    wanted = link.options.capture_target
    quirks = link.quirks
    setting = settings.get(quirks.capturetarget_widget)
    if setting is None:
        log.info("%s has no capture target setting", link.model)
        return
    words = quirks.ram_words if wanted == "ram" else quirks.card_words
    choice = next((c for c in setting.choices if any(w in c.lower() for w in words)), None)
    if choice is None:
        link.hub.emit(DriverWarning(f"cannot set capture target {wanted!r}; "
                                    f"camera offers: {setting.allowed()}", code="capture-target"))
        return
    if setting.value != choice:
        try:
            write(link, setting.name, choice)
        except CameraError as exc:  # not fatal: photos still arrive, from wherever they go
            link.hub.emit(DriverWarning(f"cannot set capture target: {exc}", code="capture-target"))
            return
    log.info("capture target: %s", choice)
