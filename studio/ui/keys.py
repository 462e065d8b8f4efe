"""The window's keys: one table (``handle_key``) the help overlay and docs/overlay.md follow.

Pedal and remote keys the window does not use itself go on to the key trigger
(``MainWindow.key_trigger``). While the name input has the focus no key arrives here: the input
eats every key (see :class:`studio.ui.people.NameInput`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QKeyEvent

from studio.ui.client_screens import CLIENT_KEYS, client_key
from studio.ui.ghost import make_reference, toggle_ghost
from studio.ui.review import LABEL_KEYS

if TYPE_CHECKING:
    from studio.ui.window import MainWindow

Key = Qt.Key
DIGITS = {getattr(Key, f"Key_{i}"): i for i in range(10)}


def handle_key(w: MainWindow, event: QKeyEvent) -> bool:
    """Do what ``event`` asks of the window; False if the key is not the window's."""
    key, mods = event.key(), event.modifiers()
    shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
    if key == Key.Key_Q and mods & Qt.KeyboardModifier.ControlModifier:
        w.close()
    elif key == Key.Key_Question or event.text() == "?":
        w.toggle_help()
    elif key == Key.Key_Escape:
        if w.help.isVisible():
            w.help.hide()
        elif w.reviewing:
            w.end_review()
        elif w.isFullScreen():
            w.showNormal()
    elif key == Key.Key_Space:
        if not event.isAutoRepeat():  # holding Space must not fire a burst
            w.end_review()
            w.capture_requested.emit()
    elif key in DIGITS and not mods & Qt.KeyboardModifier.ControlModifier:
        digit = DIGITS[key]
        if digit in LABEL_KEYS:
            w.review_shot(label=LABEL_KEYS[digit])
        else:
            w.review_shot(rating=digit)
    elif key == Key.Key_X:
        w.review_shot(rejected=True)
    elif key == Key.Key_N:
        (w.previous_person_wanted if shift else w.next_person_wanted).emit()
    elif key == Key.Key_I:
        w.name_input.open()
    elif key == Key.Key_D:
        w.info.toggle_diagnostics()
    elif key == Key.Key_R:
        (toggle_ghost if shift else make_reference)(w)
    elif key in CLIENT_KEYS:
        client_key(w, "live" if key == Key.Key_V and shift else CLIENT_KEYS[key])
    else:
        return _view_key(w, key)
    return True


def _view_key(w: MainWindow, key: int) -> bool:
    if key == Key.Key_F:
        w.toggle_full_screen()
    elif key == Key.Key_L:
        w.live_button.toggle()
    elif key == Key.Key_Z:
        w.zoom_button.toggle()
    elif key == Key.Key_G:
        w.guides_button.toggle()
    elif key == Key.Key_C:
        w.view.set_guides(w.view.guides.next_crop())
    elif key == Key.Key_M:
        w.mute_button.toggle()
    elif key in (Key.Key_Plus, Key.Key_Equal):
        w.volume_slider.setValue(w.volume_slider.value() + 10)
    elif key == Key.Key_Minus:
        w.volume_slider.setValue(w.volume_slider.value() - 10)
    elif key == Key.Key_S:
        w.toggle_settings()
    elif key == Key.Key_P:
        w.cycle(w.preset_box, w.preset_chosen)
    elif key == Key.Key_T:
        w.cycle(w.trigger_box, w.trigger_mode_chosen)
    else:
        return False
    return True
