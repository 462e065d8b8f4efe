"""Colours and sizes of the window, chosen to read from two metres.

Status colours are the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies); every status also has an icon and a word, so colour is never the only cue.
"""

from __future__ import annotations

from PyQt5.QtGui import QColor, QFont

from studio.analysis import Status
from studio.ready import ReadyState

STATUS_COLORS: dict[Status, QColor] = {
    Status.PASS: QColor(0, 158, 115),  # bluish green
    Status.WARN: QColor(230, 159, 0),  # orange
    Status.FAIL: QColor(213, 94, 0),  # vermillion
    Status.UNKNOWN: QColor(110, 110, 110),  # grey
}
# Text drawn on each status colour (contrast ratio >= 4.5 for the big labels).
STATUS_TEXT: dict[Status, QColor] = {
    Status.PASS: QColor(255, 255, 255),
    Status.WARN: QColor(0, 0, 0),
    Status.FAIL: QColor(255, 255, 255),
    Status.UNKNOWN: QColor(255, 255, 255),
}
STATE_COLORS: dict[ReadyState, QColor] = {
    ReadyState.READY: STATUS_COLORS[Status.PASS],
    ReadyState.HOLDING: QColor(0, 114, 178),  # blue: not a problem, just wait
    ReadyState.NOT_READY: STATUS_COLORS[Status.FAIL],
}
CAMERA_COLORS = {
    "connected": STATUS_COLORS[Status.PASS],
    "reconnecting": STATUS_COLORS[Status.WARN],
    "gone": STATUS_COLORS[Status.FAIL],
    "closed": STATUS_COLORS[Status.UNKNOWN],
}

BACKGROUND = QColor(24, 24, 24)
PANEL = QColor(36, 36, 36)
TEXT = QColor(235, 235, 235)
DIM_TEXT = QColor(170, 170, 170)
GUIDE = QColor(255, 255, 255, 110)
BAND = QColor(86, 180, 233, 40)  # sky blue, faint
BAND_EDGE = QColor(86, 180, 233, 150)
FACE_BOX = QColor(255, 255, 255)
EYE_BOX = QColor(86, 180, 233)  # sky blue
CATCHLIGHT = QColor(240, 228, 66)  # yellow
GLARE = QColor(204, 121, 167)  # reddish purple

FONT_FAMILY = "DejaVu Sans"
READY_BORDER_PX = 14


def font(pixel_size: int, bold: bool = False) -> QFont:
    f = QFont(FONT_FAMILY)
    f.setPixelSize(pixel_size)
    f.setBold(bold)
    return f
