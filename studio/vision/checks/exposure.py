"""``exposure``: is the face too dark, too bright, or clipped on the skin?

Measured on the face oval (eyes and mouth included: they are small) in 8-bit luma.
"""

from __future__ import annotations

import cv2
import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.context import FrameContext
from studio.vision.landmarks import FACE_OVAL


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
    cv2.fillPoly(mask, [np.round(oval).astype(np.int32)], 255)
    return crop[mask > 0]


def check_exposure(ctx: FrameContext) -> CheckResult:
    values, th = face_values(ctx), ctx.th
    if values is None or values.size < 16:
        return CheckResult("exposure", Status.UNKNOWN, "No face", None, (), {})
    median, highlights = (float(v) for v in np.percentile(values, (50, 95)))
    clipped = float((values >= 250).mean())
    crushed = float((values <= 25).mean())
    fields = {
        "face_median": round(median, 1),
        "face_p95": round(highlights, 1),
        "clipped": round(clipped, 4),
        "crushed": round(crushed, 4),
    }
    regions = (ctx.norm_box(*ctx.subject.box),)
    if highlights < th.face_highlights_dark or median < th.face_dark:
        return CheckResult(
            "exposure",
            Status.FAIL,
            f"Face too dark (median {median:.0f}/255): open up or add light",
            median,
            regions,
            fields,
        )
    if median > th.face_bright:
        return CheckResult(
            "exposure",
            Status.FAIL,
            f"Face too bright (median {median:.0f}/255): stop down or lower the light",
            median,
            regions,
            fields,
        )
    if clipped > th.face_clipped_fraction:
        return CheckResult(
            "exposure",
            Status.WARN,
            f"Clipped highlights on {clipped:.0%} of the face: lower the key light",
            median,
            regions,
            fields,
        )
    if crushed > th.face_crushed_fraction:
        return CheckResult(
            "exposure",
            Status.WARN,
            f"Deep shadows on {crushed:.0%} of the face: add fill",
            median,
            regions,
            fields,
        )
    return CheckResult(
        "exposure", Status.PASS, f"Face well exposed (median {median:.0f}/255)", median, regions, fields
    )
