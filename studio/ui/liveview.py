"""The live view: the newest decoded frame, aspect kept, with the overlay layer above it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PyQt5.QtCore import QRectF, Qt, QTimer
from PyQt5.QtGui import QColor, QPainter, QPaintEvent, QResizeEvent
from PyQt5.QtWidgets import QSizePolicy, QWidget

from studio.analysis import Analysis, Box
from studio.ready import ReadyState
from studio.ui import style
from studio.ui.feed import FULL, DisplayFrame, FrameFeed
from studio.ui.ghost import Ghost, paint_ghost
from studio.ui.guides import Guides
from studio.ui.overlay import MAX_AGE_FRAMES, ViewMap, fit_rect, paint_overlay

Align = Qt.AlignmentFlag  # PyQt5's stubs know Qt's enums by their scoped names

# The picture may be held back this many frames (~66 ms at 30 fps) so that the boxes drawn on
# it are never more than MAX_AGE_FRAMES older; an analysis further behind than that is not
# waited for: the live picture is shown and the boxes are hidden.
MAX_HOLD_FRAMES = 2
COUNTDOWN_CLEAR_MS = 1500  # a countdown number left without a newer tick is cleared
EYE_ZOOM_PAD = 0.25  # padding on each side of the two eye boxes, as a fraction of their joint width


@dataclass(frozen=True, slots=True)
class PaintRecord:
    """One painted picture: what the latency benchmark and the tests read."""

    seq: int
    arrived: float  # frame arrival (monotonic)
    painted: float  # end of paintEvent (monotonic)
    analysis_frame: int | None  # frame the drawn overlay belongs to
    age_frames: int | None  # seq - analysis_frame
    geometry: bool  # boxes and marks were drawn
    held_frames: int = 0  # how many newer frames were decoded but held back for the overlay


class LiveView(QWidget):
    """The live picture, its overlay, the large countdown and why frames stopped."""

    def __init__(self, feed: FrameFeed, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.feed = feed
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # we fill every pixel ourselves
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(320, 240)
        self.frame: DisplayFrame | None = None
        self.analysis: Analysis | None = None
        self.state = ReadyState.NOT_READY
        self.guides = Guides()
        self.zoom_to_eyes = False
        self.ghost: Ghost | None = None  # the consistency reference's eye line and outline
        self.live = True
        self.hold_picture = True
        self.newest_seq = 0  # newest frame decoded, shown or not
        self.paint_listeners: list[Callable[[PaintRecord], None]] = []
        self.last_paint: PaintRecord | None = None
        self.frames_shown = 0  # distinct frames painted
        self._shown = 0
        self._fps_times: list[float] = []
        self.countdown = 0  # seconds to go of a running countdown, drawn large; 0 = none
        self.live_reason = ""  # why no live frames arrive (LiveState); drawn over the picture
        self._countdown_clear = QTimer(self)
        self._countdown_clear.setSingleShot(True)
        # A bound method, not a lambda: PyQt disconnects it when this widget is destroyed, so a
        # timer still running when the window goes can never call into a deleted widget.
        self._countdown_clear.timeout.connect(self._clear_countdown)

    # -- inputs (GUI thread) ---------------------------------------------------------------

    def show_frame(self, frame: DisplayFrame) -> None:
        """A newly decoded frame: shown at once, or held back for its analysis (see pick_frame)."""
        self.newest_seq = max(self.newest_seq, frame.seq)
        self._show(self.pick_frame(frame))

    def show_analysis(self, analysis: Analysis) -> None:
        self.analysis = analysis
        face = analysis.subject.box if analysis.subject else None
        self.feed.set_face(face)
        if self.zoom_to_eyes:
            self._send_target()
        newest = self.feed.latest()
        if newest is not None:
            self._show(self.pick_frame(newest))
        self.update()

    def pick_frame(self, newest: DisplayFrame) -> DisplayFrame:
        """The frame to show so the overlay is at most MAX_AGE_FRAMES older than the picture.

        Never goes back in time, and never holds more than MAX_HOLD_FRAMES.
        """
        a = self.analysis
        if not self.hold_picture or a is None or a.frame is None or newest.seq - a.frame <= MAX_AGE_FRAMES:
            return newest
        wanted = a.frame + MAX_AGE_FRAMES
        candidates = [f for f in self.feed.recent() if f.seq <= wanted]
        if not candidates or newest.seq - candidates[-1].seq > MAX_HOLD_FRAMES:
            return newest  # the analysis is too far behind: live picture, boxes hidden
        pick = candidates[-1]
        if self.frame is not None and pick.seq < self.frame.seq:
            return self.frame
        return pick

    def _show(self, frame: DisplayFrame) -> None:
        if self.frame is frame:
            return
        self.frame = frame
        now = time.monotonic()
        self._fps_times = [t for t in self._fps_times if now - t < 2.0] + [now]
        self.update()

    def set_state(self, state: ReadyState) -> None:
        self.state = state
        self.update()

    def set_countdown(self, n: int) -> None:
        """A CountdownTick: ``n`` seconds to go, drawn large in the middle; 0 clears it."""
        self.countdown = max(0, int(n))
        if self.countdown:
            self._countdown_clear.start(COUNTDOWN_CLEAR_MS)  # a lost last tick never leaves it up
        else:
            self._countdown_clear.stop()
        self.update()

    def _clear_countdown(self) -> None:
        self.set_countdown(0)

    def set_live_reason(self, reason: str) -> None:
        self.live_reason = reason
        self.update()

    def set_guides(self, guides: Guides) -> None:
        self.guides = guides
        self.update()

    def set_zoom(self, on: bool) -> None:
        self.zoom_to_eyes = on
        self._send_target()
        self.update()

    @property
    def display_fps(self) -> float:
        t = self._fps_times
        return (len(t) - 1) / (t[-1] - t[0]) if len(t) > 1 and t[-1] > t[0] else 0.0

    def eye_crop(self) -> Box | None:
        """The normalised part of the frame around both eyes, in the widget's aspect."""
        a = self.analysis
        if a is None or a.subject is None:
            return None
        left, right = a.subject.left_eye, a.subject.right_eye
        x0 = min(left[0], right[0])
        y0 = min(left[1], right[1])
        x1 = max(left[0] + left[2], right[0] + right[2])
        y1 = max(left[1] + left[3], right[1] + right[3])
        w = (x1 - x0) * (1 + 2 * EYE_ZOOM_PAD)
        fw, fh = a.size
        aspect = (self.width() / max(self.height(), 1)) * fh / max(fw, 1)  # in normalised units
        h = w / aspect
        if h < (y1 - y0) * 1.6:
            h = (y1 - y0) * 1.6
            w = h * aspect
        w, h = min(w, 1.0), min(h, 1.0)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        x = min(max(cx - w / 2, 0.0), 1.0 - w)
        y = min(max(cy - h / 2, 0.0), 1.0 - h)
        return (x, y, w, h)

    # -- Qt --------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent | None) -> None:  # noqa: N802 (Qt name)
        self._send_target()
        super().resizeEvent(event)

    def _send_target(self) -> None:
        crop = (self.eye_crop() or FULL) if self.zoom_to_eyes else FULL
        ratio = self.devicePixelRatioF()
        self.feed.set_target(int(self.width() * ratio), int(self.height() * ratio), crop)

    def paintEvent(self, event: QPaintEvent | None) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), style.BACKGROUND)
        frame = self.frame
        if frame is None or not self.live:
            p.setPen(style.DIM_TEXT)
            p.setFont(style.font(28))
            text = "live view off" if not self.live else (self.live_reason or "waiting for live view\u2026")
            p.drawText(self.rect(), Align.AlignCenter | Qt.TextFlag.TextWordWrap, text)
            self._paint_countdown(p)
            p.end()
            return
        fw, fh = frame.size
        cw, ch = frame.crop[2] * fw, frame.crop[3] * fh
        target = fit_rect(QRectF(self.rect()), cw, ch)
        scaling = abs(target.width() - frame.image.width()) > 1
        p.setRenderHint(QPainter.SmoothPixmapTransform, scaling)
        p.drawImage(target, frame.image)
        analysis = self.analysis
        age = None
        if analysis is not None and analysis.frame is not None:
            age = frame.seq - analysis.frame
        geometry = analysis is not None and (age is None or abs(age) <= MAX_AGE_FRAMES)
        paint_overlay(p, ViewMap(target, frame.crop), analysis, self.guides, self.state,
                      frame.size, geometry=geometry)
        paint_ghost(p, ViewMap(target, frame.crop), self.ghost, frame.size)
        if analysis is not None and not geometry:
            p.setPen(style.DIM_TEXT)
            p.setFont(style.font(14))
            p.drawText(target.adjusted(10, 8, -10, -8), Align.AlignLeft | Align.AlignTop,
                       f"analysis {age} frames behind")
        if self.live_reason:  # the last frame, dimmed, with why no new ones come
            p.fillRect(target, QColor(0, 0, 0, 150))
            p.setPen(style.TEXT)
            p.setFont(style.font(30, bold=True))
            p.drawText(target, Align.AlignCenter | Qt.TextFlag.TextWordWrap, self.live_reason)
        self._paint_countdown(p)
        p.end()
        record = PaintRecord(frame.seq, frame.arrived, time.monotonic(),
                             analysis.frame if analysis else None, age, geometry,
                             max(0, self.newest_seq - frame.seq))
        if self.last_paint is None or self.last_paint.seq != record.seq:
            self.frames_shown += 1
        self.last_paint = record
        for listener in self.paint_listeners:
            listener(record)

    def _paint_countdown(self, p: QPainter) -> None:
        if not self.countdown:
            return
        side = min(self.width(), self.height()) * 0.45
        circle = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        p.setRenderHint(QPainter.Antialiasing, True)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 170))
        p.drawEllipse(circle)
        p.setPen(style.TEXT)
        f = style.font(20, bold=True)
        f.setPixelSize(max(12, int(side * 0.62)))
        p.setFont(f)
        p.drawText(circle, Align.AlignCenter, str(self.countdown))
