"""The filmstrip: this person's shots as thumbnails, newest on the right, with their rating
stars, colour label, reject mark and verdict colour; the reviewed shot outlined."""

from __future__ import annotations

from PyQt5.QtCore import QRectF, Qt
from PyQt5.QtGui import QPainter, QPaintEvent, QPen
from PyQt5.QtWidgets import QSizePolicy, QWidget

from studio.analysis import Status
from studio.ui import style
from studio.ui.review import LABEL_COLORS, Shot, stars

Align = Qt.AlignmentFlag


class Filmstrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shots: list[Shot] = []
        self.selected: Shot | None = None
        self.tiles: list[tuple[Shot, QRectF]] = []  # painted tiles, newest last (tests read them)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumWidth(120)

    def set_shots(self, shots: list[Shot], selected: Shot | None = None) -> None:
        self.shots, self.selected = list(shots), selected
        self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        gap = style.px(8)
        stars_h = style.px(22)
        tile_h = max(20.0, self.height() - stars_h - gap)
        x = float(self.width())
        self.tiles = []
        if not self.shots:
            p.setPen(style.DIM_TEXT)
            p.setFont(style.font(15))
            p.drawText(QRectF(self.rect()), Align.AlignCenter, "no shots of this person yet")
        for shot in reversed(self.shots):
            aspect = (shot.thumb.width() / shot.thumb.height()) if shot.thumb is not None else 1.5
            w = tile_h * aspect
            x -= w + gap
            if x + w < 0:
                break
            rect = QRectF(x, gap / 2, w, tile_h)
            self._paint_tile(p, shot, rect, stars_h)
            self.tiles.append((shot, rect))
        self.tiles.reverse()
        p.end()

    def _paint_tile(self, p: QPainter, shot: Shot, rect: QRectF, stars_h: float) -> None:
        if shot.thumb is not None:
            p.drawImage(rect, shot.thumb)
        else:
            p.fillRect(rect, style.BACKGROUND)
        worst = shot.analysis.worst if shot.analysis is not None else Status.UNKNOWN
        p.fillRect(QRectF(rect.left(), rect.bottom() - style.px(6), rect.width(), style.px(6)),
                   style.STATUS_COLORS[worst])
        if shot.label:
            p.fillRect(QRectF(rect.left(), rect.top(), rect.width(), style.px(6)),
                       LABEL_COLORS.get(shot.label, style.DIM_TEXT))
        if shot.rejected:
            p.setPen(QPen(style.STATUS_COLORS[Status.FAIL], style.px(4)))
            p.drawLine(rect.topLeft(), rect.bottomRight())
            p.drawLine(rect.bottomLeft(), rect.topRight())
        if shot is self.selected:
            p.setPen(QPen(style.TEXT, style.px(3)))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(rect.adjusted(-2, -2, 2, 2))
        p.setFont(style.font(14))
        p.setPen(style.CATCHLIGHT)
        text = "\u2716 rejected" if shot.rejected else stars(shot.rating)
        p.drawText(QRectF(rect.left() - 20, rect.bottom() + 2, rect.width() + 40, stars_h),
                   Align.AlignHCenter | Align.AlignTop, text)
