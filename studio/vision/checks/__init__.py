"""The portrait checks: each a small pure function of a :class:`FrameContext`.

``CHECKS`` maps every check id (``studio.analysis.CHECK_IDS``) to its function, in display order.
"""

from __future__ import annotations

from collections.abc import Callable

from studio.analysis import CheckResult
from studio.vision.checks.background import check_background, check_clothing
from studio.vision.checks.catchlights import check_catchlights
from studio.vision.checks.exposure import check_exposure
from studio.vision.checks.eyes import check_eyes_open
from studio.vision.checks.face import check_face
from studio.vision.checks.focus import check_eye_focus
from studio.vision.checks.framing import check_framing, shot_type
from studio.vision.checks.glasses import check_glare, check_glasses
from studio.vision.context import FrameContext

Check = Callable[[FrameContext], CheckResult]

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
}

__all__ = ["CHECKS", "Check", "shot_type"]
