"""``exposure``: is the face too dark, too bright, or clipped on the skin?

Measured on the face oval (eyes and mouth included: they are small) in 8-bit luma.
"""

from __future__ import annotations

import cv2
import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.context import FrameContext
from studio.vision.landmarks import FACE_OVAL
from studio.vision.thresholds import Thresholds
from studio.vision.verdict import observes_nothing

_MIN_PIXELS = 16  # fewer face pixels than this: nothing to judge
_LIT_SKIN_PERCENTILE = 95  # "the lit skin": the 95th percentile of face luma


def face_values(ctx: FrameContext, step: int = 2) -> np.ndarray | None:
    """Luma of the face oval, every ``step``-th pixel (plenty for percentiles, 4× cheaper)."""
    s = ctx.subject
    if s is None:
        return None
    x0, y0, x1, y1 = (int(v) for v in s.box)
    x0, y0 = max(0, x0), max(0, int(s.xy[:, 1].min()))
    x1, y1 = min(ctx.w, x1 + 1), min(ctx.h, y1 + 1)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    crop = cv2.cvtColor(ctx.image[y0:y1:step, x0:x1:step], cv2.COLOR_BGR2GRAY)
    mask = np.zeros(crop.shape, np.uint8)
    oval = (s.xy[list(FACE_OVAL)] - (x0, y0)) / step
    cv2.fillPoly(mask, [np.round(oval).astype(np.int32)], (255,))
    return crop[mask > 0]


def exposure_measure(values: np.ndarray, th: Thresholds) -> dict[str, float]:
    """Median and lit-skin luma of the face, and the fractions clipped and crushed."""
    median, highlights = (float(v) for v in np.percentile(values, (50, _LIT_SKIN_PERCENTILE)))
    return {
        "median": median,
        "highlights": highlights,
        "clipped": float((values >= th.face_clipped_level).mean()),
        "crushed": float((values <= th.face_crushed_level).mean()),
    }


def exposure_verdict(m: dict[str, float], th: Thresholds) -> tuple[Status, str]:
    median = m["median"]
    if m["highlights"] < th.face_highlights_dark or median < th.face_dark:
        return Status.FAIL, f"Face too dark (median {median:.0f}/255): open up or add light"
    if median > th.face_bright:
        return Status.FAIL, f"Face too bright (median {median:.0f}/255): stop down or lower the light"
    if m["clipped"] > th.face_clipped_fraction:
        return Status.WARN, f"Clipped highlights on {m['clipped']:.0%} of the face: lower the key light"
    if m["crushed"] > th.face_crushed_fraction:
        return Status.WARN, f"Deep shadows on {m['crushed']:.0%} of the face: add fill"
    return Status.PASS, f"Face well exposed (median {median:.0f}/255)"


@observes_nothing
def check_exposure(ctx: FrameContext) -> CheckResult:
    values, s = face_values(ctx), ctx.subject
    if values is None or values.size < _MIN_PIXELS or s is None:
        return CheckResult("exposure", Status.UNKNOWN, "No face", None, (), {})
    m = exposure_measure(values, ctx.th)
    fields = {
        "face_median": round(m["median"], 1),
        "face_p95": round(m["highlights"], 1),
        "clipped": round(m["clipped"], 4),
        "crushed": round(m["crushed"], 4),
    }
    status, message = exposure_verdict(m, ctx.th)
    return CheckResult("exposure", status, message, m["median"], (ctx.norm_box(*s.box),), fields)
