"""Typing a person's name in the window (``I``): a small input over the picture.

Enter sets the name, Escape cancels. While it has the focus it eats every key, including the
ones a pedal sends (Space, Return, PageDown): typed letters never fire a trigger or a shortcut.
"""

from __future__ import annotations

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtGui import QKeyEvent
from PyQt5.QtWidgets import QLineEdit, QWidget

from studio.ui import style


class NameInput(QLineEdit):
    entered = pyqtSignal(str)
    cancelled = pyqtSignal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setPlaceholderText("person's name, Enter to set, Esc to cancel")
        self.setMaxLength(120)
        self.hide()

    def open(self) -> None:
        parent = self.parentWidget()
        width = min(style.px(640), parent.width() - 40) if parent is not None else style.px(640)
        self.setFont(style.font(26))
        self.resize(width, style.px(52))
        if parent is not None:
            self.move((parent.width() - width) // 2, style.px(60))
        self.clear()
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def close_input(self) -> None:
        self.hide()
        top = self.window()
        if top is not None:
            top.setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent | None) -> None:  # noqa: N802
        if event is None:
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            name = self.text().strip()
            self.close_input()
            if name:
                self.entered.emit(name)
            else:
                self.cancelled.emit()
        elif event.key() == Qt.Key.Key_Escape:
            self.close_input()
            self.cancelled.emit()
        else:
            super().keyPressEvent(event)
        event.accept()  # never on to the window: no shortcut, no pedal trigger while typing
