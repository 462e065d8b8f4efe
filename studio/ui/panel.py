"""The status panel beside the picture: READY banner, one badge per check, camera state,
fps/latency, histograms and the last capture. Beside, not over, the picture: it never covers
the face, and its type is big enough to read from two metres.
"""

from __future__ import annotations

import numpy as np
from PyQt5.QtCore import QPointF, QRectF, QSize, Qt
from PyQt5.QtGui import QColor, QImage, QPainter, QPainterPath, QPaintEvent, QPen, QPixmap
from PyQt5.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from studio.analysis import Analysis, CheckResult, Status
from studio.guidance import STATE_WORDS, STATUS_ICONS, STATUS_WORDS, label, verdict_text
from studio.ready import ReadyState, ReadyTransition
from studio.ui import style

Align = Qt.AlignmentFlag  # PyQt5's stubs know Qt's enums by their scoped names

PANEL_WIDTH = 400
BADGE_HEIGHT = 58  # required checks: name line + reason line
COMPACT_HEIGHT = 36  # advisory checks: one line


class ReadyBanner(QWidget):
    """READY / HOLD STILL / NOT READY, with the first problem, in the state colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = ReadyState.NOT_READY
        self.detail = "no subject yet"
        self.setFixedHeight(128)

    def show_transition(self, t: ReadyTransition, detail: str = "") -> None:
        self.state = t.state
        self.detail = detail
        self.update()

    def set_detail(self, detail: str) -> None:
        if detail != self.detail:
            self.detail = detail
            self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        color = style.STATE_COLORS[self.state]
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        p.drawRoundedRect(QRectF(self.rect()).adjusted(2, 2, -2, -2), 10, 10)
        p.setPen(style.TEXT)
        icon = {ReadyState.READY: "\u2714 ", ReadyState.HOLDING: "\u25cf ",
                ReadyState.NOT_READY: "\u2716 "}[self.state]
        p.setFont(style.font(44, bold=True))
        p.drawText(QRectF(14, 6, self.width() - 28, 62), Align.AlignLeft | Align.AlignVCenter,
                   icon + STATE_WORDS[self.state])
        p.setFont(style.font(18))
        box = QRectF(16, 66, self.width() - 32, 56)  # two lines, then an ellipsis
        metrics = p.fontMetrics()
        text = self.detail
        wrap = Qt.TextFlag.TextWordWrap
        while text and metrics.boundingRect(box.toRect(), wrap, text).height() > box.height():
            text = text[:-2].rstrip() + "\u2026" if len(text) > 2 else ""
        p.drawText(box, Align.AlignLeft | Align.AlignTop | wrap, text)
        p.end()


class Badge(QWidget):
    """One check: a coloured tile with an icon, the check's name, the status word, and the reason."""

    def __init__(self, check_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check_id = check_id
        self.result: CheckResult | None = None
        self.required = True
        self.setFixedHeight(BADGE_HEIGHT)

    @property
    def status(self) -> Status:
        return self.result.status if self.result else Status.UNKNOWN

    def set_result(self, result: CheckResult | None, required: bool) -> None:
        self.result = result
        self.set_required(required)
        self.update()

    def set_required(self, required: bool) -> None:
        self.required = required
        self.setFixedHeight(BADGE_HEIGHT if required else COMPACT_HEIGHT)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(PANEL_WIDTH, self.height())

    def paintEvent(self, event: QPaintEvent | None) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        status = self.status
        color = style.STATUS_COLORS[status]
        if not self.required and status is not Status.PASS:
            color = color.darker(140)  # advisory checks: same hue, quieter
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        p.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 8, 8)
        ink = style.STATUS_TEXT[status]
        p.setPen(ink)
        name = f"{STATUS_ICONS[status]} {label(self.check_id)}"
        reason = self.result.message if self.result else "not checked"
        if self.required:
            p.setFont(style.font(26, bold=True))
            top = QRectF(12, 1, self.width() - 24, 33)
            p.drawText(top, Align.AlignLeft | Align.AlignVCenter, name)
            p.setFont(style.font(18, bold=True))
            p.drawText(top, Align.AlignRight | Align.AlignVCenter, STATUS_WORDS[status])
            p.setFont(style.font(15))
            p.drawText(QRectF(14, 33, self.width() - 28, 22), Align.AlignLeft | Align.AlignVCenter,
                       p.fontMetrics().elidedText(reason, Qt.TextElideMode.ElideRight, self.width() - 28))
        else:  # advisory: one line, name then reason
            p.setFont(style.font(19, bold=True))
            row = QRectF(12, 0, self.width() - 24, self.height())
            p.drawText(row, Align.AlignLeft | Align.AlignVCenter, name)
            used = p.fontMetrics().horizontalAdvance(name) + 14
            p.setFont(style.font(14))
            rest = row.adjusted(used, 0, 0, 0)
            p.drawText(rest, Align.AlignRight | Align.AlignVCenter,
                       p.fontMetrics().elidedText(reason, Qt.TextElideMode.ElideRight, int(rest.width())))
        p.end()


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


class StatusPanel(QWidget):
    """Right of the picture: READY banner and the badges."""

    def __init__(self, check_ids: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedWidth(PANEL_WIDTH)
        _dark(self, style.PANEL)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(4)
        self.banner = ReadyBanner(self)
        layout.addWidget(self.banner)
        layout.addSpacing(4)
        self.badges: dict[str, Badge] = {}
        self._badge_box = QVBoxLayout()
        self._badge_box.setSpacing(4)
        layout.addLayout(self._badge_box)
        layout.addStretch(1)
        self.set_checks(check_ids, ())  # compact until an analysis says which are required

    def set_checks(self, shown: tuple[str, ...], required: tuple[str, ...]) -> None:
        """Badges for ``shown`` checks, required ones first; re-created when the preset changes."""
        order = tuple(c for c in shown if c in required) + tuple(c for c in shown if c not in required)
        if tuple(self.badges) != order:
            for badge in self.badges.values():
                self._badge_box.removeWidget(badge)
                badge.deleteLater()
            self.badges = {}
            for cid in order:
                badge = Badge(cid, self)
                self._badge_box.addWidget(badge)
                self.badges[cid] = badge
        for cid, badge in self.badges.items():
            badge.set_required(cid in required)

    def show_analysis(self, analysis: Analysis) -> None:
        shown = tuple(c.id for c in analysis.checks) or tuple(self.badges)
        required = analysis.required or shown
        self.set_checks(shown, required)
        for cid, badge in self.badges.items():
            badge.set_result(analysis.check(cid), cid in required)


class InfoStrip(QWidget):
    """Under the picture: camera state, fps/latency, histograms, last capture and its verdict."""

    HEIGHT = 146

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedHeight(self.HEIGHT)
        _dark(self, style.PANEL)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 10, 6)
        row.setSpacing(14)
        left = QVBoxLayout()
        self.camera = _text_label(18, bold=True)
        self.stats = _text_label(15)
        self.latency = _text_label(15)
        self.message = _text_label(14)
        self.message.setWordWrap(True)
        self.message.setFixedHeight(36)  # two lines; a fixed height keeps wrapping from resizing the window
        self.message.setStyleSheet("color: #aaaaaa")
        for widget in (self.camera, self.stats, self.latency, self.message):
            left.addWidget(widget)
        left.addStretch(1)
        row.addLayout(left, 5)
        self.histogram = Histogram(self)
        self.histogram.setFixedWidth(200)
        row.addWidget(self.histogram)
        self.thumbnail = QLabel(self)
        self.thumbnail.setFixedSize(140, 112)
        self.thumbnail.setAlignment(Align.AlignCenter)
        row.addWidget(self.thumbnail)
        right = QVBoxLayout()
        self.capture_title = _text_label(15, bold=True)
        self.capture_title.setText("last shot: none yet")
        self.verdict = _text_label(15)
        self.verdict.setWordWrap(True)
        self.verdict.setFixedHeight(84)  # up to four lines; fixed so wrapping never resizes the window
        right.addWidget(self.capture_title)
        right.addWidget(self.verdict)
        right.addStretch(1)
        row.addLayout(right, 3)
        self.show_camera_state("connected", "")
        self.set_stats(0.0, 0.0, 0.0)

    def show_camera_state(self, state: str, reason: str) -> None:
        """The state, big, and the reason (which may be a long path) in the wrapped line below."""
        color = style.CAMERA_COLORS.get(state, style.DIM_TEXT).name()
        self.camera.setText(f"<span style='color:{color}'>\u25cf</span> camera {state}")
        self.camera.setToolTip(reason)
        if reason:
            self.show_message(reason)

    def set_stats(self, view_fps: float, analysis_fps: float, latency_ms: float) -> None:
        self.stats.setText(f"view {view_fps:.0f} fps \u00b7 checks {analysis_fps:.0f} fps")
        self.latency.setText(f"analysis latency {latency_ms:.0f} ms")

    def show_message(self, text: str) -> None:
        self.message.setText(_escape(text))

    def show_capture(self, name: str, thumbnail: QImage | None, verdict: Analysis | None,
                     error: str = "") -> None:
        self.capture_title.setText("last shot")
        if thumbnail is not None and not thumbnail.isNull():
            self.thumbnail.setPixmap(QPixmap.fromImage(thumbnail).scaled(
                self.thumbnail.size(), Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
        else:
            self.thumbnail.clear()
        if error:
            color, text = style.STATUS_COLORS[Status.FAIL], f"\u2716 {error}"
        elif verdict is None:
            color, text = style.DIM_TEXT, "? not checked"
        else:
            worst = verdict.worst
            color = style.STATUS_COLORS[worst]
            text = f"{STATUS_ICONS[worst]} {verdict_text(verdict)}"
        self.verdict.setText(f"{_escape(name)}<br><span style='color:{color.name()}'>{_escape(text)}</span>")


def _dark(widget: QWidget, color: QColor) -> None:
    widget.setAutoFillBackground(True)
    pal = widget.palette()
    pal.setColor(widget.backgroundRole(), color)
    pal.setColor(widget.foregroundRole(), style.TEXT)
    widget.setPalette(pal)


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
