"""The overlay layer: guides, face and eye boxes, catchlights and glare, the READY border.

Drawn on the screen above the picture from the newest :class:`~studio.analysis.Analysis`; the
frames themselves are never touched, so nothing drawn here can reach the analysis or a capture.
Everything is positioned through :class:`ViewMap`, which maps normalised frame coordinates to
the widget (and handles the zoom to the eyes, where only part of the frame is shown).
"""

from __future__ import annotations

from dataclasses import dataclass

from PyQt5.QtCore import QPointF, QRectF, Qt
from PyQt5.QtGui import QColor, QPainter, QPainterPath, QPen

from studio.analysis import Analysis, Box, Status
from studio.ready import ReadyState
from studio.ui import style
from studio.ui.guides import Guides, crop_box

Align = Qt.AlignmentFlag  # PyQt5's stubs know Qt's enums by their scoped names

MAX_AGE_FRAMES = 2  # geometry older than this (in frames) is not drawn over a newer picture


@dataclass(frozen=True, slots=True)
class ViewMap:
    target: QRectF  # widget rectangle the shown part of the frame fills
    crop: Box = (0.0, 0.0, 1.0, 1.0)  # normalised part of the frame shown

    def point(self, x: float, y: float) -> QPointF:
        cx, cy, cw, ch = self.crop
        return QPointF(self.target.x() + (x - cx) / cw * self.target.width(),
                       self.target.y() + (y - cy) / ch * self.target.height())

    def rect(self, box: Box) -> QRectF:
        top_left = self.point(box[0], box[1])
        bottom_right = self.point(box[0] + box[2], box[1] + box[3])
        return QRectF(top_left, bottom_right)

    @property
    def zoomed(self) -> bool:
        return self.crop != (0.0, 0.0, 1.0, 1.0)


def fit_rect(area: QRectF, width: float, height: float) -> QRectF:
    """The largest rectangle of aspect width:height centred in ``area``."""
    if width <= 0 or height <= 0:
        return QRectF(area)
    scale = min(area.width() / width, area.height() / height)
    w, h = width * scale, height * scale
    return QRectF(area.x() + (area.width() - w) / 2, area.y() + (area.height() - h) / 2, w, h)


def paint_overlay(p: QPainter, view: ViewMap, analysis: Analysis | None, guides: Guides,
                  state: ReadyState, frame_size: tuple[int, int], *, geometry: bool) -> None:
    """Draw everything above the picture. ``geometry`` False hides boxes and marks (stale)."""
    p.save()
    p.setClipRect(view.target)
    p.setRenderHint(QPainter.Antialiasing, True)
    if guides.visible and not view.zoomed:
        _paint_guides(p, view, guides, frame_size)
    if analysis is not None and geometry:
        _paint_subject(p, view, analysis)
        _paint_marks(p, view, analysis)
    p.restore()
    _paint_state_border(p, view.target, state)


def _pen(color: QColor, width: float, style_: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(color, width, style_)
    pen.setCosmetic(True)
    return pen


def _outlined_rect(p: QPainter, rect: QRectF, color: QColor, width: float) -> None:
    """A box readable on any background: a dark halo under the coloured line."""
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(_pen(QColor(0, 0, 0, 150), width + 3))
    p.drawRect(rect)
    p.setPen(_pen(color, width))
    p.drawRect(rect)


def _paint_guides(p: QPainter, view: ViewMap, guides: Guides, frame_size: tuple[int, int]) -> None:
    target = view.target
    if guides.crop:
        box = view.rect(crop_box(guides.crop, *frame_size))
        outside = QPainterPath()
        outside.addRect(target)
        inside = QPainterPath()
        inside.addRect(box)
        p.fillPath(outside.subtracted(inside), QColor(0, 0, 0, 110))
        p.setPen(_pen(QColor(255, 255, 255, 170), 2))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(box)
        p.setFont(style.font(16, bold=True))
        inset = style.READY_BORDER_PX + 6  # stays readable inside the READY border
        p.drawText(box.adjusted(inset, inset, -inset, -inset), Align.AlignLeft | Align.AlignBottom,
                   guides.crop)
    if guides.eye_band:
        top, bottom = guides.eye_band
        band = QRectF(view.point(0, top), view.point(1, bottom))
        p.fillRect(band, style.BAND)
        p.setPen(_pen(style.BAND_EDGE, 1.5, Qt.PenStyle.DashLine))
        p.drawLine(band.topLeft(), band.topRight())
        p.drawLine(band.bottomLeft(), band.bottomRight())
        p.setFont(style.font(14))
        inset = style.READY_BORDER_PX + 6
        p.drawText(band.adjusted(inset, 4, -inset, -4), Align.AlignRight | Align.AlignTop, "eye line")
    if guides.headroom is not None:
        y = view.point(0, guides.headroom).y()
        p.setPen(_pen(QColor(255, 255, 255, 120), 1.5, Qt.PenStyle.DotLine))
        p.drawLine(QPointF(target.left(), y), QPointF(target.right(), y))
        p.setFont(style.font(14))
        p.drawText(QRectF(target.left() + style.READY_BORDER_PX + 6, y - 22, 200, 20),
                   Align.AlignLeft | Align.AlignBottom,
                   "headroom")
    if guides.thirds:
        p.setPen(_pen(style.GUIDE, 1.5))
        for third in (1 / 3, 2 / 3):
            p.drawLine(view.point(third, 0), view.point(third, 1))
            p.drawLine(view.point(0, third), view.point(1, third))


def _paint_subject(p: QPainter, view: ViewMap, analysis: Analysis) -> None:
    face = analysis.subject
    if face is None:
        return
    face_check = analysis.check("framing") or analysis.check("face")
    face_color = style.FACE_BOX
    if face_check is not None and face_check.status in (Status.WARN, Status.FAIL):
        face_color = style.STATUS_COLORS[face_check.status]
    if not view.zoomed:  # zoomed on the eyes, the face box is only two stray lines
        _outlined_rect(p, view.rect(face.box), face_color, 3)
    eye_status = max((c.status for c in (analysis.check("eyes_open"), analysis.check("eye_focus"))
                      if c is not None), key=lambda s: s.rank, default=Status.PASS)
    eye_color = style.EYE_BOX if eye_status is Status.PASS else style.STATUS_COLORS[eye_status]
    for eye in (face.left_eye, face.right_eye):
        _outlined_rect(p, view.rect(eye), eye_color, 2)


def _paint_marks(p: QPainter, view: ViewMap, analysis: Analysis) -> None:
    radius = 7.0 if not view.zoomed else 16.0
    glare = analysis.check("glare")
    if glare is not None:
        for region in glare.regions:
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(_pen(style.GLARE, 2.5, Qt.PenStyle.DashLine))
            p.drawRect(view.rect(region))
        for x, y in glare.marks:
            c = view.point(x, y)
            p.setPen(_pen(QColor(0, 0, 0, 160), 5))
            _cross(p, c, radius)
            p.setPen(_pen(style.GLARE, 3))
            _cross(p, c, radius)
    catchlights = analysis.check("catchlights")
    if catchlights is not None:
        for x, y in catchlights.marks:
            c = view.point(x, y)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(_pen(QColor(0, 0, 0, 160), 4))
            p.drawEllipse(c, radius * 0.7, radius * 0.7)
            p.setPen(_pen(style.CATCHLIGHT, 2))
            p.drawEllipse(c, radius * 0.7, radius * 0.7)


def _cross(p: QPainter, c: QPointF, r: float) -> None:
    p.drawLine(QPointF(c.x() - r, c.y() - r), QPointF(c.x() + r, c.y() + r))
    p.drawLine(QPointF(c.x() - r, c.y() + r), QPointF(c.x() + r, c.y() - r))


def _paint_state_border(p: QPainter, target: QRectF, state: ReadyState) -> None:
    """READY: a thick green frame round the picture, seen from across the room."""
    if state is ReadyState.NOT_READY:
        return
    width = style.READY_BORDER_PX if state is ReadyState.READY else 5
    p.save()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(style.STATE_COLORS[state])
    outer = QPainterPath()
    outer.addRect(target)
    inner = QPainterPath()
    inner.addRect(target.adjusted(width, width, -width, -width))
    p.drawPath(outer.subtracted(inner))
    p.restore()
