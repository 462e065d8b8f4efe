"""The strip under the picture: who is being photographed, the session, the trigger, the camera,
and this person's filmstrip. Diagnostics (fps, latency, source path, histograms) are behind a
key (``D``): the space belongs to what the photographer needs during a shoot day.
"""

from __future__ import annotations

import numpy as np
from PyQt5.QtCore import QPointF, QRectF, Qt
from PyQt5.QtGui import QPainter, QPainterPath, QPaintEvent, QPen
from PyQt5.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from studio.analysis import Status
from studio.ui import style
from studio.ui.filmstrip import Filmstrip
from studio.ui.panel import dark

Align = Qt.AlignmentFlag
HEIGHT = 136  # base px


class Histogram(QWidget):
    """Luma histograms of the frame (grey) and of the face (outline), clipping at the ends marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frame_hist: np.ndarray | None = None
        self.face_hist: np.ndarray | None = None
        self.setFixedHeight(86)

    def set_hists(self, frame_hist: np.ndarray | None, face_hist: np.ndarray | None) -> None:
        self.frame_hist, self.face_hist = frame_hist, face_hist
        self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        area = QRectF(self.rect()).adjusted(2, 18, -2, -2)
        p.fillRect(area, style.BACKGROUND)
        p.setFont(style.font(13))
        p.setPen(style.DIM_TEXT)
        p.drawText(QRectF(2, 0, self.width(), 16), Align.AlignLeft, "frame (grey) \u00b7 face (line)")
        for hist, fill in ((self.frame_hist, True), (self.face_hist, False)):
            if hist is None or not len(hist):
                continue
            peak = float(hist.max()) or 1.0
            path = QPainterPath(QPointF(area.left(), area.bottom()))
            step = area.width() / len(hist)
            for i, v in enumerate(hist):
                y = area.bottom() - min(1.0, float(v) / peak) * area.height()
                path.lineTo(QPointF(area.left() + i * step, y))
                path.lineTo(QPointF(area.left() + (i + 1) * step, y))
            path.lineTo(QPointF(area.right(), area.bottom()))
            if fill:
                p.fillPath(path, style.DIM_TEXT.darker(130))
            else:
                p.setPen(QPen(style.CATCHLIGHT, 2))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawPath(path)
            # Clipping warning: more than 2 % of pixels in the darkest / brightest bin.
            for index, x in ((0, area.left()), (len(hist) - 1, area.right() - 6)):
                if hist[index] > 0.02:
                    p.fillRect(QRectF(x, area.top(), 6, area.height()), style.STATUS_COLORS[Status.FAIL])
        p.end()



class InfoStrip(QWidget):
    """Person, session, shot count, trigger and camera state; diagnostics (``D``); the filmstrip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        dark(self, style.PANEL)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 10, 4)
        row.setSpacing(14)
        self.session_box = QWidget(self)
        left = QVBoxLayout(self.session_box)
        left.setContentsMargins(0, 0, 0, 0)
        left.setSpacing(1)
        self.person = _text_label(24, bold=True)
        self.session = _text_label(15)
        self.trigger = _text_label(15)
        self.camera = _text_label(15, bold=True)
        self.message = _text_label(14)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #aaaaaa")
        for widget in (self.person, self.session, self.trigger, self.camera, self.message):
            left.addWidget(widget)
        left.addStretch(1)
        row.addWidget(self.session_box)
        self.diagnostics = QWidget(self)
        diag = QHBoxLayout(self.diagnostics)
        diag.setContentsMargins(0, 0, 0, 0)
        texts = QVBoxLayout()
        self.stats = _text_label(14)
        self.latency = _text_label(14)
        self.source = _text_label(13)
        self.source.setWordWrap(True)
        for widget in (self.stats, self.latency, self.source):
            texts.addWidget(widget)
        texts.addStretch(1)
        diag.addLayout(texts, 1)
        self.histogram = Histogram(self.diagnostics)
        diag.addWidget(self.histogram)
        row.addWidget(self.diagnostics)
        self.diagnostics.hide()
        self.filmstrip = Filmstrip(self)
        row.addWidget(self.filmstrip, 1)
        self.show_person("", None, 0)
        self.show_session("", 0, 0)
        self.show_trigger("manual", True, "")
        self.show_camera_state("connected", "")
        self.set_stats(0.0, 0.0, 0.0)
        self.apply_scale()

    def apply_scale(self) -> None:
        self.setFixedHeight(style.px(HEIGHT))
        self.session_box.setFixedWidth(style.px(400))
        self.diagnostics.setFixedWidth(style.px(430))
        self.histogram.setFixedSize(style.px(200), style.px(86))
        self.message.setFixedHeight(style.px(34))  # two lines; fixed so wrapping never resizes
        for lab, size, bold in ((self.person, 24, True), (self.session, 15, False), (self.trigger, 15, False),
                                (self.camera, 15, True), (self.message, 13, False), (self.stats, 14, False),
                                (self.latency, 14, False), (self.source, 13, False)):
            lab.setFont(style.font(size, bold))

    def toggle_diagnostics(self) -> bool:
        self.diagnostics.setVisible(not self.diagnostics.isVisible())
        return self.diagnostics.isVisible()

    def show_person(self, name: str, index: int | None, total: int) -> None:
        where = f" <span style='color:#aaaaaa'>\u00b7 {index + 1} of {total}</span>" if index is not None \
            and total else ""
        nobody = ("<span style='color:#aaaaaa; font-size:small'>"
                  "no person \u00b7 I: type a name</span>")
        self.person.setText(f"{_escape(name)}{where}" if name else nobody)

    def show_session(self, name: str, shots: int, person_shots: int) -> None:
        parts = [f"session {_escape(name)}" if name else "", f"{shots} shot{'s' * (shots != 1)}",
                 f"{person_shots} of this person"]
        self.session.setText(" \u00b7 ".join(p for p in parts if p))

    def show_trigger(self, mode: str, armed: bool, reason: str, progress: str = "") -> None:
        color = style.STATUS_COLORS[Status.PASS if armed else Status.WARN].name()
        state = "armed" if armed else (reason or "not armed")
        extra = f" \u00b7 {_escape(progress)}" if progress else ""
        self.trigger.setText(f"trigger <b>{_escape(mode)}</b>{extra}: "
                             f"<span style='color:{color}'>{_escape(state)}</span>")

    def show_camera_state(self, state: str, reason: str) -> None:
        """The state, and the reason (which may be a long path) in the wrapped line below."""
        color = style.CAMERA_COLORS.get(state, style.DIM_TEXT).name()
        self.camera.setText(f"<span style='color:{color}'>\u25cf</span> camera {_escape(state)}")
        self.camera.setToolTip(reason)
        if state == "connected":  # what is connected (a path, a port) is a diagnostic: D shows it
            if reason:
                self.set_source(reason)
        elif reason:
            self.show_message(reason)

    def set_stats(self, view_fps: float, analysis_fps: float, latency_ms: float) -> None:
        self.stats.setText(f"view {view_fps:.0f} fps \u00b7 checks {analysis_fps:.0f} fps")
        self.latency.setText(f"analysis latency {latency_ms:.0f} ms")

    def set_source(self, source: str) -> None:
        self.source.setText(f"source {_escape(source)}")

    def show_message(self, text: str) -> None:
        self.message.setText(_escape(text))


def _text_label(size: int, bold: bool = False) -> QLabel:
    lab = QLabel()
    lab.setFont(style.font(size, bold))
    lab.setTextFormat(Qt.TextFormat.RichText)
    # Long text (a file path in the camera state) must never widen the window: it is clipped.
    lab.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
    lab.setMinimumWidth(40)
    pal = lab.palette()
    pal.setColor(lab.foregroundRole(), style.TEXT)
    lab.setPalette(pal)
    return lab


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
