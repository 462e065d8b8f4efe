"""Review of a downloaded shot: the still large, its verdict, both eyes at 100 % side by side.

:func:`load_still` runs off the GUI thread (OpenCV decodes the camera's JPEG at its native
size; a ``QImage`` may be built on any thread): the still scaled to the view, the two eye crops
cut from the native pixels round each eye box of the still's own :class:`Analysis` (so one
still pixel is one screen pixel), and a filmstrip thumbnail. :class:`ReviewView` paints them;
the rating, colour label and reject mark of the shot are drawn over it, and a confirmation
line once the session has written them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PyQt5.QtCore import QRectF, Qt
from PyQt5.QtGui import QColor, QFontMetricsF, QImage, QPainter, QPaintEvent
from PyQt5.QtWidgets import QWidget

from studio.analysis import Analysis, Box, Status
from studio.guidance import STATUS_ICONS, label
from studio.ui import style
from studio.ui.overlay import fit_rect
from studio.vision.image_format import ImageError, check_layout, image_limits

Align = Qt.AlignmentFlag

# Lightroom's number keys for colour labels.
LABEL_KEYS = {6: "Red", 7: "Yellow", 8: "Green", 9: "Blue"}
LABEL_COLORS = {"Red": QColor(213, 50, 40), "Yellow": QColor(240, 200, 40),
                "Green": QColor(40, 170, 80), "Blue": QColor(40, 110, 220), "Purple": QColor(140, 70, 190)}
EYE_CROP = (360, 240)  # base px of each eye crop on screen (device pixels = still pixels)
STILL_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff")
THUMB_HEIGHT = 96


@dataclass
class Shot:
    """One shot as the window knows it (GUI thread only; the file side is the session's)."""

    path: Path
    analysis: Analysis | None
    person: str = ""
    still: QImage | None = None  # scaled to the review area
    eyes: tuple[QImage | None, QImage | None] = (None, None)  # image-left eye, image-right eye
    thumb: QImage | None = None
    error: str = ""
    rating: int | None = None
    label: str | None = None
    rejected: bool = False
    buffers: list[np.ndarray] = field(default_factory=list, repr=False)  # pixels the images view

    @property
    def name(self) -> str:
        return self.path.name


def pick_still(paths: tuple[Path, ...] | list[Path]) -> Path | None:
    """The file to show of a shot's files: the JPEG of a RAW+JPEG pair."""
    for p in paths:
        if Path(p).suffix.lower() in STILL_SUFFIXES:
            return Path(p)
    return Path(paths[0]) if paths else None


def load_still(shot: Shot, area: tuple[int, int], eye_size: tuple[int, int]) -> Shot:
    """Decode ``shot.path`` and fill its images (any thread). ``area`` and ``eye_size`` are in
    device pixels. An unreadable file leaves the images empty and says why in ``error``."""
    bgr = _decode_checked(shot)
    if bgr is None:
        return shot
    h, w = bgr.shape[:2]
    scale = min(area[0] / w, area[1] / h, 1.0)
    shown = cv2.resize(bgr, (max(1, round(w * scale)), max(1, round(h * scale))),
                       interpolation=cv2.INTER_AREA) if scale < 1 else bgr
    shot.still = _qimage(shown, shot.buffers)
    t = THUMB_HEIGHT / h
    shot.thumb = _qimage(cv2.resize(bgr, (max(1, round(w * t)), THUMB_HEIGHT),
                                    interpolation=cv2.INTER_AREA), shot.buffers)
    face = shot.analysis.subject if shot.analysis is not None else None
    if face is not None:
        boxes = sorted((face.left_eye, face.right_eye), key=lambda b: b[0])  # in image order
        shot.eyes = (_qimage(eye_crop(bgr, boxes[0], eye_size), shot.buffers),
                     _qimage(eye_crop(bgr, boxes[1], eye_size), shot.buffers))
    return shot


def _decode_checked(shot: Shot) -> np.ndarray | None:
    """The still's pixels, or None with ``shot.error`` set. Its header is checked against the
    still limits before decoding: a damaged header claiming gigapixels is never decoded."""
    limits = image_limits()
    try:
        if shot.path.stat().st_size > limits.max_bytes:
            raise ImageError("larger than any still")
        data = shot.path.read_bytes()
        if data[:2] == b"\xff\xd8" or data[:8] == b"\x89PNG\r\n\x1a\n":
            check_layout(data, limits)
    except (OSError, ImageError) as exc:
        shot.error = f"no preview: {exc}"
        return None
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if bgr is None:
        shot.error = f"no preview of {shot.path.suffix or 'this file'} (unreadable or RAW)"
    return bgr


def eye_crop(bgr: np.ndarray, eye: Box, size: tuple[int, int]) -> np.ndarray:
    """``size`` native pixels of the still centred on the normalised eye box (clamped inside)."""
    h, w = bgr.shape[:2]
    cw, ch = min(size[0], w), min(size[1], h)
    cx = (eye[0] + eye[2] / 2) * w
    cy = (eye[1] + eye[3] / 2) * h
    x0 = int(min(max(cx - cw / 2, 0), w - cw))
    y0 = int(min(max(cy - ch / 2, 0), h - ch))
    return np.ascontiguousarray(bgr[y0:y0 + ch, x0:x0 + cw])


def _qimage(bgr: np.ndarray, keep: list[np.ndarray]) -> QImage:
    pixels = cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA)
    keep.append(pixels)
    return QImage(pixels.data, pixels.shape[1], pixels.shape[0],  # type: ignore[call-overload]
                  pixels.strides[0], QImage.Format_RGB32)


def stars(rating: int | None) -> str:
    if rating is None:
        return ""
    return "\u2605" * rating + "\u2606" * (5 - rating)


def verdict_line(analysis: Analysis | None) -> tuple[QColor, str]:
    """The still's verdict in one line: worst status icon and the problems by their own words."""
    if analysis is None:
        return style.DIM_TEXT, "? not checked"
    problems = analysis.problems
    worst = analysis.worst
    if not problems:
        return style.STATUS_COLORS[worst], f"{STATUS_ICONS[worst]} all checks pass"
    words = "; ".join(c.message or label(c.id) for c in problems[:2])
    return style.STATUS_COLORS[worst], f"{STATUS_ICONS[worst]} {words}"


class ReviewView(QWidget):
    """The reviewed shot over the whole view area (stacked over the live view)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.shot: Shot | None = None
        self.title = ""  # e.g. "no live view from this camera: latest shot"
        self.confirmation = ""
        self.eye_rects: tuple[QRectF, ...] = ()  # where the eye crops were painted (tests)
        self.still_rect = QRectF()

    def show_shot(self, shot: Shot | None, title: str = "") -> None:
        self.shot, self.title, self.confirmation = shot, title, ""
        self.update()

    def confirm(self, text: str) -> None:
        self.confirmation = text
        self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), style.BACKGROUND)
        shot = self.shot
        if shot is None:
            p.end()
            return
        ratio = self.devicePixelRatioF()
        if shot.still is not None:
            self.still_rect = fit_rect(QRectF(self.rect()), shot.still.width(), shot.still.height())
            p.setRenderHint(QPainter.SmoothPixmapTransform, True)
            p.drawImage(self.still_rect, shot.still)
        elif not shot.error:
            p.setPen(style.DIM_TEXT)
            p.setFont(style.font(28))
            p.drawText(QRectF(self.rect()), Align.AlignCenter, f"loading {shot.name}\u2026")
        self._paint_eyes(p, shot, ratio)
        self._paint_text(p, shot)
        p.end()

    def _paint_eyes(self, p: QPainter, shot: Shot, ratio: float) -> None:
        rects = []
        gap = style.px(12)
        x = float(self.width())
        for eye, side in zip(reversed(shot.eyes), ("left eye", "right eye"), strict=True):
            if eye is None:
                continue
            w, h = eye.width() / ratio, eye.height() / ratio  # 100 %: one still pixel per device pixel
            x -= w + gap
            rect = QRectF(x, self.height() - h - gap, w, h)
            p.fillRect(rect.adjusted(-3, -3, 3, 3), style.TEXT)
            p.drawImage(rect, eye)
            p.setFont(style.font(15, bold=True))
            p.setPen(style.TEXT)
            p.drawText(rect.adjusted(6, 4, -6, -4), Align.AlignLeft | Align.AlignTop, f"{side} 100 %")
            rects.append(rect)
        self.eye_rects = tuple(reversed(rects))

    def _paint_text(self, p: QPainter, shot: Shot) -> None:
        """Top band: verdict (wrapped, never cut) and the marks; under it who, which file, and
        the keys or the session's confirmation."""
        pad = style.px(14)
        color, text = verdict_line(shot.analysis)
        if shot.error:
            color, text = style.STATUS_COLORS[Status.FAIL], f"\u2716 {shot.error}"
        marks = "\u2716 REJECTED" if shot.rejected else stars(shot.rating)
        marks_font = style.font(34, bold=True)
        marks_w = QFontMetricsF(marks_font).horizontalAdvance(marks) + pad if marks else 0.0
        verdict_font = style.font(28, bold=True)
        width = self.width() - 2 * pad - marks_w
        wrap = int(Qt.TextFlag.TextWordWrap)
        verdict_h = QFontMetricsF(verdict_font).boundingRect(QRectF(0, 0, width, 10_000), wrap, text).height()
        line_h = style.px(30)
        band = QRectF(0, 0, self.width(), pad + verdict_h + line_h + pad / 2)
        p.fillRect(band, QColor(0, 0, 0, 175))
        p.setFont(verdict_font)
        p.setPen(color)
        p.drawText(QRectF(pad, pad / 2, width, verdict_h + 2), Align.AlignLeft | Align.AlignTop | wrap, text)
        if marks:
            p.setFont(marks_font)
            p.setPen(style.STATUS_COLORS[Status.FAIL] if shot.rejected else style.CATCHLIGHT)
            marks_box = QRectF(pad, pad / 2, self.width() - 2 * pad, line_h * 1.4)
            p.drawText(marks_box, Align.AlignRight | Align.AlignTop, marks)
        line = QRectF(pad, band.bottom() - line_h - pad / 4, self.width() - 2 * pad, line_h)
        p.setFont(style.font(18))
        p.setPen(style.TEXT)
        head = " \u00b7 ".join(t for t in (self.title, shot.person, shot.name) if t)
        p.drawText(line, Align.AlignLeft | Align.AlignVCenter, head)
        hint = "0\u20135 rate \u00b7 6\u20139 label \u00b7 X reject \u00b7 Esc live view"
        if self.confirmation:
            hint = f"\u2714 {self.confirmation}"
        p.setFont(style.font(18, bold=bool(self.confirmation)))
        p.setPen(style.STATUS_COLORS[Status.PASS].lighter(140) if self.confirmation else style.DIM_TEXT)
        p.drawText(line, Align.AlignRight | Align.AlignVCenter, hint)
        if shot.label:
            chip_w = style.px(150)
            chip = QRectF(self.width() - pad - chip_w, band.bottom() + pad, chip_w, style.px(34))
            p.fillRect(chip, LABEL_COLORS.get(shot.label, style.DIM_TEXT))
            p.setFont(style.font(18, bold=True))
            p.setPen(QColor(0, 0, 0))
            p.drawText(chip, Align.AlignCenter, shot.label)
