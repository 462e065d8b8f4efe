"""The headline under the picture: the state word and the ONE instruction, read from two metres.

At 1920x1080 both are drawn at >= 48 px glyph height (tests/test_ui_readable.py measures the
rendered ink): the state word in its colour block on the left (icon + word, colour never the
only cue), the instruction from :func:`studio.guidance.instruction` beside it, and the problem's
own reason in one smaller line under it. Nothing is said twice: the reason is the check's own
message, not "label: message", and it is left out when it only repeats the instruction.
"""

from __future__ import annotations

from PyQt5.QtCore import QRectF, Qt
from PyQt5.QtGui import QFont, QFontMetricsF, QPainter, QPaintEvent
from PyQt5.QtWidgets import QSizePolicy, QWidget

from studio.analysis import Analysis
from studio.guidance import STATE_WORDS, describe_transition, instruction, primary_problem
from studio.ready import ReadyState, ReadyTransition
from studio.ui import style

Align = Qt.AlignmentFlag

STATE_ICONS = {ReadyState.READY: "\u2714", ReadyState.HOLDING: "\u25cf", ReadyState.NOT_READY: "\u2716"}
HEIGHT = 100  # base px: the big line and the reason line
STATE_FONT = 52  # base px; x1.35 at 1920x1080 = 70 px, cap height ~51 px (DejaVu Sans Bold)
INSTRUCTION_FONT = 50  # base px; 67 px at 1080p, ascenders ~51 px
MIN_INSTRUCTION_FONT = 48  # base px: a long instruction shrinks to this, then wraps
REASON_FONT = 18


STATE_INSTRUCTIONS = {ReadyState.READY: "Take the picture", ReadyState.HOLDING: ""}
STATE_REASONS = {ReadyState.READY: "", ReadyState.HOLDING: "all checks pass"}


def headline_words(state: ReadyState, live: bool, live_reason: str, analysis: Analysis | None,
                   transition: ReadyTransition | None) -> tuple[ReadyState, str, str]:
    """(state shown, instruction, reason): no live frames -> NOT READY and why; READY / HOLD
    STILL -> their words; NOT READY -> the one instruction and the first problem's own message."""
    if not live:
        reason = live_reason or "no live view"
        return ReadyState.NOT_READY, reason[:1].upper() + reason[1:], ""
    if state is not ReadyState.NOT_READY:
        return state, STATE_INSTRUCTIONS[state], STATE_REASONS[state]
    first = primary_problem(analysis)
    reason = first.message if first is not None else ""
    if analysis is not None and analysis.faces == 0:
        reason = "no face in the frame"
    elif not reason and transition is not None:
        reason = describe_transition(transition).partition(": ")[2]
    return state, instruction(analysis), reason


class Headline(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = ReadyState.NOT_READY
        self.instruction = ""
        self.reason = "no subject yet"
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.apply_scale()

    def apply_scale(self) -> None:
        self.setFixedHeight(style.px(HEIGHT))
        self.update()

    def show_state(self, state: ReadyState, instruction: str, reason: str = "") -> None:
        if reason.strip().lower() == instruction.strip().lower():
            reason = ""  # said once is enough
        if (state, instruction, reason) != (self.state, self.instruction, self.reason):
            self.state, self.instruction, self.reason = state, instruction, reason
            self.update()

    def state_rect(self) -> QRectF:
        """Where the state block is drawn (tests measure the glyphs inside it)."""
        metrics = QFontMetricsF(style.font(STATE_FONT, bold=True))
        word = f"{STATE_ICONS[self.state]} {STATE_WORDS[self.state]}"
        width = metrics.horizontalAdvance(word) + style.px(36)
        return QRectF(0, 0, width, self.height()).adjusted(3, 3, -3, -3)

    def instruction_rect(self) -> QRectF:
        block = self.state_rect()
        left = block.right() + style.px(20)
        reason_h = style.px(REASON_FONT) * 1.4 if self.reason else 0.0
        return QRectF(left, 0, self.width() - left - style.px(12), self.height() - reason_h)

    def paintEvent(self, event: QPaintEvent | None) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.fillRect(self.rect(), style.PANEL)
        block = self.state_rect()
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(style.STATE_COLORS[self.state])
        p.drawRoundedRect(block, 10, 10)
        p.setPen(style.TEXT)
        p.setFont(style.font(STATE_FONT, bold=True))
        p.drawText(block, Align.AlignCenter, f"{STATE_ICONS[self.state]} {STATE_WORDS[self.state]}")
        area = self.instruction_rect()
        if self.instruction:
            p.setFont(self._instruction_font(area))
            p.drawText(area, Align.AlignLeft | Align.AlignVCenter | Qt.TextFlag.TextWordWrap,
                       self.instruction)
        if self.reason:
            p.setPen(style.DIM_TEXT)
            p.setFont(style.font(REASON_FONT))
            line = QRectF(area.left(), area.bottom(), area.width(), self.height() - area.bottom())
            p.drawText(line, Align.AlignLeft | Align.AlignTop | Qt.TextFlag.TextWordWrap, self.reason)
        p.end()

    def _instruction_font(self, area: QRectF) -> QFont:
        for size in range(INSTRUCTION_FONT, MIN_INSTRUCTION_FONT - 1, -1):
            f = style.font(size)
            if QFontMetricsF(f).horizontalAdvance(self.instruction) <= area.width():
                return f
        return style.font(MIN_INSTRUCTION_FONT)
