"""The status panel beside the picture: one badge per check. Beside, not over, the picture: it
never covers the face, and its type is big enough to read from two metres. Every reason is
wrapped in full, never cut off.
"""

from __future__ import annotations

import math

from PyQt5.QtCore import QRectF, QSize, Qt
from PyQt5.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QResizeEvent
from PyQt5.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from studio.analysis import Analysis, CheckResult, Status
from studio.consistency import idle
from studio.guidance import STATUS_ICONS, STATUS_WORDS, label
from studio.ui import style

Align = Qt.AlignmentFlag  # PyQt5's stubs know Qt's enums by their scoped names

PANEL_WIDTH = 400  # base px (x the window's scale)


class Badge(QWidget):
    """One check: a coloured tile with an icon, the check's name, the status word, and the reason.

    The reason is wrapped, never elided: the badge grows to the lines it needs (its height is
    recomputed when the message or the width changes).
    """

    def __init__(self, check_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check_id = check_id
        self.result: CheckResult | None = None
        self.required = True
        self.compact = False  # name line only (a passing badge, when the panel is full)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        self._fit()

    @property
    def status(self) -> Status:
        return self.result.status if self.result else Status.UNKNOWN

    @property
    def reason(self) -> str:
        return self.result.message if self.result else "not checked"

    def set_result(self, result: CheckResult | None, required: bool) -> None:
        self.result = result
        self.required = required
        self._fit()
        self.update()

    def set_required(self, required: bool) -> None:
        self.required = required
        self._fit()

    def set_compact(self, compact: bool) -> None:
        if compact != self.compact:
            self.compact = compact
            self._fit()
            self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(style.px(PANEL_WIDTH), self.height())

    def resizeEvent(self, event: QResizeEvent | None) -> None:  # noqa: N802
        self._fit()
        super().resizeEvent(event)

    def layout_rects(self) -> tuple[QRectF, QRectF]:
        """(name line, reason box) for the current width; the reason box holds every line."""
        pad = style.px(12)
        name_h = style.px(31 if self.required else 24)
        width = style.px(PANEL_WIDTH) - 16 - 2 * pad  # the panel's width less its margins
        metrics = QFontMetricsF(self._reason_font())
        if self.compact:
            return QRectF(pad, 0, width, name_h), QRectF(pad, name_h, width, 0)
        lines = metrics.boundingRect(QRectF(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap),
                                     self.reason)
        return (QRectF(pad, 0, width, name_h),
                QRectF(pad, name_h, width, math.ceil(lines.height()) + style.px(2)))

    def _reason_font(self) -> QFont:
        return style.font(15 if self.required else 14)

    def height_for(self, compact: bool) -> int:
        """The badge's height with or without its reason line (nothing is changed)."""
        shown = self.compact
        self.compact = compact
        try:
            _, reason = self.layout_rects()
        finally:
            self.compact = shown
        return math.ceil(reason.bottom()) + style.px(3)

    def _fit(self) -> None:
        height = self.height_for(self.compact)
        if height != self.height():
            self.setFixedHeight(height)

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
        p.setPen(style.STATUS_TEXT[status])
        name_box, reason_box = self.layout_rects()
        p.setFont(style.font(26 if self.required else 19, bold=True))
        p.drawText(name_box, Align.AlignLeft | Align.AlignVCenter,
                   f"{STATUS_ICONS[status]} {label(self.check_id)}")
        p.setFont(style.font(18 if self.required else 15, bold=True))
        p.drawText(name_box, Align.AlignRight | Align.AlignVCenter, STATUS_WORDS[status])
        if not self.compact:
            p.setFont(self._reason_font())
            p.drawText(reason_box, Align.AlignLeft | Align.AlignTop | Qt.TextFlag.TextWordWrap, self.reason)
        p.end()


class StatusPanel(QWidget):
    """Right of the picture: one badge per check, required ones first (the state word and the
    instruction are in the headline under the picture)."""

    def __init__(self, check_ids: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _dark(self, style.PANEL)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(4)
        self.badges: dict[str, Badge] = {}
        self._badge_box = QVBoxLayout()
        self._badge_box.setSpacing(4)
        layout.addLayout(self._badge_box)
        layout.addStretch(1)
        self.set_checks(check_ids, ())  # compact until an analysis says which are required
        self.apply_scale()

    def apply_scale(self) -> None:
        self.setFixedWidth(style.px(PANEL_WIDTH))
        for badge in self.badges.values():
            badge.set_required(badge.required)  # refits the height for the new font sizes

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
        required = analysis.required or tuple(c.id for c in analysis.checks)
        shown = tuple(c.id for c in analysis.checks if not idle(c, required)) or tuple(self.badges)
        self.set_checks(shown, required)
        for cid, badge in self.badges.items():
            badge.set_result(analysis.check(cid), cid in required)
        self.fit_badges()

    def resizeEvent(self, event: QResizeEvent | None) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit_badges()

    def fit_badges(self) -> None:
        """Every badge inside the panel: when they do not fit, passing badges (advisory ones
        first, from the bottom) show their name only; a badge that is not OK keeps its reason."""
        badges = list(self.badges.values())
        room = self.height() - 16 - 4 * max(0, len(badges) - 1)
        # Decided on computed heights, then applied once: flipping every folded badge to full and
        # back on each frame resized it twice a frame, and a paint between the two resizes and
        # the re-layout drew a reason under the next badge.
        used = sum(b.height_for(False) for b in badges)
        compact: set[str] = set()
        passing = [b for b in reversed(badges) if b.status is Status.PASS]
        for badge in [b for b in passing if not b.required] + [b for b in passing if b.required]:
            if used <= room:
                break
            used -= badge.height_for(False) - badge.height_for(True)
            compact.add(badge.check_id)
        for badge in badges:
            badge.set_compact(badge.check_id in compact)


def dark(widget: QWidget, color: QColor) -> None:
    widget.setAutoFillBackground(True)
    pal = widget.palette()
    pal.setColor(widget.backgroundRole(), color)
    pal.setColor(widget.foregroundRole(), style.TEXT)
    widget.setPalette(pal)


_dark = dark
