"""The keyboard help overlay (``?``): every shortcut, drawn over the window."""

from __future__ import annotations

from PyQt5.QtCore import QRectF, Qt
from PyQt5.QtGui import QColor, QPainter, QPaintEvent
from PyQt5.QtWidgets import QWidget

from studio.ui import style

Align = Qt.AlignmentFlag  # PyQt5's stubs know Qt's enums by their scoped names

# (keys, what they do): the single list the help overlay and docs/overlay.md show.
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Space", "capture (and back to live view)"),
    ("0 \u2013 5", "rate the shot (0 clears the stars)"),
    ("6 / 7 / 8 / 9", "colour label red / yellow / green / blue"),
    ("X", "reject the shot (again: take it back)"),
    ("N / Shift+N", "next / previous person"),
    ("I", "type the person's name (Enter sets, Esc cancels)"),
    ("D", "diagnostics: fps, latency, source, histograms"),
    ("R / Shift+R", "make the shot under review (or the newest) the reference / its ghost on / off"),
    ("V / Shift+V", "client screen: latest / favourites / blank; live view on it"),
    ("[ / ]", "client screen: previous / next favourite"),
    ("F", "full screen on / off"),
    ("Esc", "close this help, back to live view from a review, leave full screen"),
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
        row = min(style.px(34), (self.height() - 120) / (len(SHORTCUTS) + 2))
        size = max(10, int(row * 0.62))
        title = style.font(34, bold=True)
        title.setPixelSize(int(size * 1.35))
        p.setFont(title)
        top = max(10.0, (self.height() - row * (len(SHORTCUTS) + 2)) / 2)
        p.drawText(QRectF(0, top, self.width(), row * 1.5), Align.AlignHCenter, "Keyboard")
        y = top + row * 1.8
        middle = self.width() / 2
        keys_font, what_font = style.font(24, bold=True), style.font(24)
        keys_font.setPixelSize(size)
        what_font.setPixelSize(size)
        for keys, what in SHORTCUTS:
            p.setFont(keys_font)
            p.setPen(style.CATCHLIGHT)
            p.drawText(QRectF(0, y, middle - 20, row), Align.AlignRight | Align.AlignVCenter, keys)
            p.setFont(what_font)
            p.setPen(style.TEXT)
            p.drawText(QRectF(middle + 20, y, middle - 40, row), Align.AlignLeft | Align.AlignVCenter, what)
            y += row
        p.end()
