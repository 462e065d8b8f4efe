"""The portrait checks: each a small pure function ``check(ctx) -> Verdict`` of one frame's
:class:`~studio.vision.context.FrameContext` (:mod:`studio.vision.verdict`).

``CHECKS`` maps every check id (``studio.analysis.CHECK_IDS``) to its function, in display order.
"""

from __future__ import annotations

from studio.vision.checks.background import check_background
from studio.vision.checks.catchlights import check_catchlights
from studio.vision.checks.clothing import check_clothing
from studio.vision.checks.consistency import check_consistency
from studio.vision.checks.depth import check_depth
from studio.vision.checks.exposure import check_exposure
from studio.vision.checks.expression import check_expression
from studio.vision.checks.eyes import check_eyes_open
from studio.vision.checks.face import check_face
from studio.vision.checks.focus import check_eye_focus
from studio.vision.checks.framing import check_framing, shot_type
from studio.vision.checks.glare import check_glare
from studio.vision.checks.glasses import check_glasses
from studio.vision.verdict import Check

CHECKS: dict[str, Check] = {
    "face": check_face,
    "framing": check_framing,
    "eyes_open": check_eyes_open,
    "eye_focus": check_eye_focus,
    "catchlights": check_catchlights,
    "glasses": check_glasses,
    "glare": check_glare,
    "exposure": check_exposure,
    "background": check_background,
    "clothing": check_clothing,
    "expression": check_expression,
    "depth": check_depth,
    "consistency": check_consistency,
}

__all__ = ["CHECKS", "Check", "shot_type"]
