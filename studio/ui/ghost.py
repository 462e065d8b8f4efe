"""The reference's ghost over live view: its eye line and head outline, for a team day.

The consistency reference (:class:`~studio.vision.reference.Reference`, frame-relative) is
drawn as a dashed outline of the reference face and a line across the frame at its eye
height, so the photographer lines the next person up by eye; the ``consistency`` badge says the
deltas in words. Keys (:mod:`studio.ui.keys`): ``R`` makes the shot under review (else the
newest shot not rejected) the reference, ``Shift+R`` shows / hides the ghost.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PyQt5.QtCore import QPointF, Qt
from PyQt5.QtGui import QColor, QPainter, QPen, QPolygonF

from studio.ui import style
from studio.vision.checks.consistency import turned_reason
from studio.vision.reference import Reference

if TYPE_CHECKING:
    from studio.ui.overlay import ViewMap
    from studio.ui.window import MainWindow

GHOST_COLOR = QColor(120, 200, 255, 210)  # a light blue no verdict colour uses
GHOST_SHADOW = QColor(0, 0, 0, 150)  # under the dashes: readable on a white backdrop too
GHOST_WIDTH = 3.0


@dataclass(frozen=True, slots=True)
class Ghost:
    """What the live view draws of the reference (and whether it is shown)."""

    reference: Reference
    visible: bool = True

    @classmethod
    def of(cls, reference: Reference, visible: bool = True) -> Ghost:
        return cls(reference, visible)


def paint_ghost(p: QPainter, view: ViewMap, ghost: Ghost | None, frame_size: tuple[int, int]) -> None:
    """The reference's eye line across the frame and its head outline, dashed, where they fall
    in a frame of ``frame_size`` (another shape than the reference's: its centre)."""
    if ghost is None or not ghost.visible or frame_size[1] <= 0:
        return
    if turned_reason(ghost.reference.aspect, frame_size[0] / frame_size[1]):
        return  # a portrait reference over a landscape frame (or the reverse): nothing lines up
    ref = ghost.reference.seen_at(frame_size[0] / frame_size[1])
    p.save()
    p.setClipRect(view.target)
    p.setRenderHint(QPainter.Antialiasing, True)
    left, right = view.point(0.0, ref.eye_y), view.point(1.0, ref.eye_y)
    outline = QPolygonF([view.point(x, y) for x, y in ref.outline])
    for color, width, dash in ((GHOST_SHADOW, GHOST_WIDTH + 2.0, Qt.PenStyle.SolidLine),
                               (GHOST_COLOR, GHOST_WIDTH, Qt.PenStyle.DashLine)):
        pen = QPen(color, width, dash)
        pen.setCosmetic(True)
        p.setPen(pen)
        p.drawLine(left, right)
        if len(ref.outline) >= 3:
            p.drawPolygon(outline)
    p.setPen(QPen(GHOST_COLOR, GHOST_WIDTH))
    for x, y in ref.eyes:
        c = view.point(x, y)
        p.drawLine(c - QPointF(8, 0), c + QPointF(8, 0))
        p.drawLine(c - QPointF(0, 8), c + QPointF(0, 8))
    p.setFont(style.font(14, bold=True))
    p.drawText(left + QPointF(10, -8), "reference eye line")
    p.restore()


def show_reference(w: MainWindow, reference: Reference | None) -> None:
    """Draw ``reference`` as the ghost (None: no ghost), keeping whether it is shown."""
    old = w.view.ghost
    w.view.ghost = Ghost.of(reference, old.visible if old is not None else True) if reference else None
    w.view.update()


def toggle_ghost(w: MainWindow) -> None:
    ghost = w.view.ghost
    if ghost is None:
        w.info.show_message("No reference yet: R makes the shot under review the reference")
        return
    w.view.ghost = replace(ghost, visible=not ghost.visible)
    w.view.update()


def make_reference(w: MainWindow) -> Reference | None:
    """``R``: the shot under review, else the newest shot not rejected, becomes the reference
    (saved in the session); the ghost shows it. None (and a message) when there is no such
    shot or its still had no face measured."""
    holder = getattr(w, "reference_holder", None)
    shot = w.reviewing or next((s for s in reversed(w.shots) if not s.rejected), None)
    if holder is None or shot is None or shot.analysis is None:
        w.info.show_message("No shot to make the reference: take one first")
        return None
    if shot.analysis.check("consistency") is None:
        w.info.show_message(f"{shot.name} was checked by a preset without 'consistency': not a reference")
        return None
    if shot.analysis.faces > 1:
        w.info.show_message(f"{shot.name} shows {shot.analysis.faces} faces: a reference shows one person")
        return None
    reference = holder.set_from(shot.analysis)
    if reference is None:
        w.info.show_message(f"No face measured in {shot.name}: not a reference")
        return None
    show_reference(w, reference)
    w.info.show_message(f"Reference: {shot.name}")
    return reference
