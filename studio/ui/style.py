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

# Every size in the window is given for a 1280x800 window at 96 dpi and multiplied by the
# window's scale (MainWindow.update_scale: window size and the screen's logical DPI; Qt's own
# QT_SCALE_FACTOR shrinks the logical window, so the text keeps its share of the screen).
BASE_SIZE = (1280, 800)
BASE_DPI = 96.0
SCALE_LIMITS = (0.6, 3.0)
_scale = 1.0


def scale_for(width: int, height: int, logical_dpi: float = BASE_DPI) -> float:
    """The UI scale for a window of ``width`` x ``height`` logical pixels on a screen of ``logical_dpi``."""
    by_size = min(width / BASE_SIZE[0], height / BASE_SIZE[1])
    value = by_size * (logical_dpi / BASE_DPI if logical_dpi > 0 else 1.0)
    return min(max(value, SCALE_LIMITS[0]), SCALE_LIMITS[1])


def set_scale(value: float) -> None:
    global _scale
    _scale = value


def scale() -> float:
    return _scale


def px(size: float) -> int:
    """A base size (at 1280x800, 96 dpi) in the window's current logical pixels."""
    return max(1, round(size * _scale))


def font(pixel_size: int, bold: bool = False) -> QFont:
    """DejaVu Sans at a base pixel size, scaled to the window."""
    f = QFont(FONT_FAMILY)
    f.setPixelSize(px(pixel_size))
    f.setBold(bold)
    return f
