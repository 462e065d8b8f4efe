"""Where the parts of the main window sit (1920x1080 and any other size, by proportion):

    +-----------------------------------+-----------+
    | live view / review (stacked)      | badges    |
    +-----------------------------------+ (full     |
    | person · session · trigger · strip|  height)  |
    +-----------------------------------+-----------+
    | STATE WORD   the one instruction (full width)  |
    | buttons and choosers                           |
    +-----------------------------------------------+
"""

from __future__ import annotations

from PyQt5.QtWidgets import QGridLayout, QLayout, QSizePolicy, QVBoxLayout, QWidget

from studio.ui import style


def central_widget(view_area: QWidget, info: QWidget, panel: QWidget, headline: QWidget,
                   controls: QWidget) -> QWidget:
    grid = QGridLayout()
    grid.setSpacing(0)
    grid.setContentsMargins(0, 0, 0, 0)
    grid.addWidget(view_area, 0, 0)
    grid.addWidget(info, 1, 0)
    grid.addWidget(panel, 0, 1, 2, 1)
    grid.addWidget(headline, 2, 0, 1, 2)  # full width: the instruction needs it
    grid.setRowStretch(0, 1)
    grid.setColumnStretch(0, 1)
    outer = QVBoxLayout()
    outer.setContentsMargins(0, 0, 0, 0)
    outer.setSpacing(0)
    outer.addLayout(grid, 1)
    outer.addWidget(controls)
    # No minimum size from the layout: the window may shrink first and its scale (and so every
    # font) follows; at a scale that does not fit, the bar's last buttons are clipped.
    outer.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
    central = QWidget()
    central.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)
    central.setMinimumSize(320, 240)
    central.setLayout(outer)
    central.setAutoFillBackground(True)
    pal = central.palette()
    pal.setColor(central.backgroundRole(), style.PANEL)
    pal.setColor(central.foregroundRole(), style.TEXT)
    central.setPalette(pal)
    return central
