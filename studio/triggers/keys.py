"""Key trigger: foot pedals and presenter remotes are keyboards sending a few keys.

Qt-free: the window forwards each key press as a name (:meth:`KeyTrigger.press`) or as a Qt key
code (:meth:`KeyTrigger.press_qt`; the codes are Qt's stable ``Qt::Key`` values, so no Qt import
is needed here). Each mapped key does an action: ``capture``, ``countdown``, or one of the
people desk's ``next-person`` / ``previous-person`` (a pedal's second switch: ``Right=next-person``).
A capture from a key is a manual shot: the controller refuses it only for a stated reason
(a capture running, capturing stopped, disk full), never for the hands-free intervals.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from studio.events import Emit, TriggerEvent

log = logging.getLogger(__name__)

ACTIONS = ("capture", "countdown", "next-person", "previous-person")
PEOPLE_ACTIONS = ("next-person", "previous-person")

# Presenter remotes send PageDown/PageUp (next/previous), B or Period (blank screen), F5/Escape
# (start/stop show); USB foot pedals are usually programmed to Space, Return or a letter.
DEFAULT_KEYS = {"PageDown": "capture", "Space": "capture", "Return": "capture",
                "PageUp": "countdown", "B": "countdown"}

# Qt::Key values (qnamespace.h) of the keys remotes and pedals send.
QT_KEY_NAMES = {
    0x01000016: "PageUp", 0x01000017: "PageDown", 0x20: "Space", 0x01000004: "Return",
    0x01000005: "Enter", 0x01000030: "F5", 0x01000000: "Escape", 0x2E: "Period",
    0x01000012: "Left", 0x01000013: "Up", 0x01000014: "Right", 0x01000015: "Down",
    0x01000010: "Home", 0x01000011: "End", 0x01000001: "Tab",
    **{0x41 + i: chr(0x41 + i) for i in range(26)},  # A..Z
    **{0x30 + i: str(i) for i in range(10)},  # 0..9
}


class KeyMapError(ValueError):
    """A key mapping that names an unknown action."""


def normalise(name: str) -> str:
    """``"key_pagedown"``, ``"Page Down"``, ``"pagedown"`` -> ``"pagedown"`` (for matching)."""
    name = name.strip()
    if name.lower().startswith("key_"):
        name = name[4:]
    return name.replace(" ", "").replace("_", "").lower()


def _checked(mapping: dict[str, str]) -> dict[str, str]:
    bad = {k: a for k, a in mapping.items() if a not in ACTIONS}
    if bad:
        raise KeyMapError(f"unknown key action(s) {bad}; use one of {', '.join(ACTIONS)}")
    return mapping


class KeyTrigger:
    """``actions`` runs the non-capture actions (``next-person`` → the desk's ``next``);
    ``capture_countdown_s`` makes ``capture`` keys count down too (the "countdown" mode)."""

    def __init__(self, emit: Emit, mapping: dict[str, str] | None = None, *,
                 countdown_s: int = 3, actions: dict[str, Callable[[], object]] | None = None) -> None:
        mapping = DEFAULT_KEYS if mapping is None else _checked(mapping)
        self._map = {normalise(k): a for k, a in mapping.items()}
        self.emit = emit
        self.countdown_s = countdown_s
        self.capture_countdown_s = 0
        self.actions: dict[str, Callable[[], object]] = dict(actions or {})

    @classmethod
    def parse_mapping(cls, text: str) -> dict[str, str]:
        """``"PageDown=capture,B=countdown"`` -> a mapping (for the command line and config)."""
        mapping: dict[str, str] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            key, sep, action = item.partition("=")
            if not sep or not key.strip():
                raise KeyMapError(f"key mapping {item!r} is not KEY=ACTION")
            mapping[key.strip()] = action.strip() or "capture"
        return _checked(mapping)

    def action_for(self, key_name: str) -> str | None:
        return self._map.get(normalise(key_name))

    def press(self, key_name: str) -> bool:
        """Handle one key press; True if the key is mapped (the window should then eat it)."""
        action = self.action_for(key_name)
        if action is None:
            return False
        if action in PEOPLE_ACTIONS:
            handler = self.actions.get(action)
            if handler is None:
                log.info("key %s: %s needs a roster or a people desk", key_name, action)
                return False
            handler()
            return True
        countdown = self.countdown_s if action == "countdown" else self.capture_countdown_s
        self.emit(TriggerEvent("key", time.monotonic(), countdown=countdown))
        return True

    def press_qt(self, key_code: int) -> bool:
        name = QT_KEY_NAMES.get(int(key_code))
        return self.press(name) if name else False
