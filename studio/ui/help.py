"""The keyboard help overlay (``?``): every shortcut, drawn over the window."""

from __future__ import annotations

from PyQt5.QtCore import QRectF, Qt
from PyQt5.QtGui import QColor, QPainter, QPaintEvent
from PyQt5.QtWidgets import QWidget

from studio.ui import style

Align = Qt.AlignmentFlag  # PyQt5's stubs know Qt's enums by their scoped names

# (keys, what they do): the single list the help overlay and docs/overlay.md show.
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Space", "capture"),
    ("F", "full screen on / off"),
    ("Esc", "leave full screen, close this help"),
    ("L", "live view on / off"),
    ("Z", "zoom to the eyes on / off"),
    ("G", "guides on / off"),
    ("C", "crop guide: 4:5, 2:3, 1:1, none"),
    ("P", "next preset"),
    ("T", "next trigger mode"),
    ("M", "mute / unmute cues"),
    ("+ / -", "cue volume up / down"),
    ("S", "camera settings panel"),
    ("?", "this help"),
    ("Ctrl+Q", "quit"),
)


class HelpOverlay(QWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()

    def paintEvent(self, event: QPaintEvent | None) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(0, 0, 0, 205))
        p.setPen(style.TEXT)
        p.setFont(style.font(34, bold=True))
        top = max(30, (self.height() - 60 - 40 * len(SHORTCUTS)) // 2)
        p.drawText(QRectF(0, top, self.width(), 50), Align.AlignHCenter, "Keyboard")
        y = top + 66
        middle = self.width() / 2
        for keys, what in SHORTCUTS:
            p.setFont(style.font(24, bold=True))
            p.setPen(style.CATCHLIGHT)
            p.drawText(QRectF(0, y, middle - 20, 36), Align.AlignRight | Align.AlignVCenter, keys)
            p.setFont(style.font(24))
            p.setPen(style.TEXT)
            p.drawText(QRectF(middle + 20, y, middle - 40, 36), Align.AlignLeft | Align.AlignVCenter, what)
            y += 40
        p.end()
