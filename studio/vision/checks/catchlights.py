"""``catchlights``: the reflection of the light in each eye, its count and clock position.

Inside the iris disc (its inner 80 %) and the eye opening (lid edges excluded), a catchlight is
a small blob clearly brighter than the iris around it (white top-hat above
``catchlight_contrast`` and above ``catchlight_min_level``). Clock position:
``atan2(dx, -dy)`` in hours, 12 = straight up.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.checks.eyes import eye_states
from studio.vision.checks.glasses import glasses_kind
from studio.vision.context import EyePatch, FrameContext
from studio.vision.landmarks import SIDES


def find_catchlights(
    patch: EyePatch, contrast: float, min_level: float, max_area: float
) -> list[tuple[float, float, float]]:
    """Catchlight blobs as (x, y, area / iris area) in patch px, biggest first."""
    gray = patch.gray
    cx, cy = patch.iris_centre
    # The inner 80 % of the iris: the landmark ring is a little loose, and the white of the eye
    # just outside it is as bright as a catchlight. The lids' edges are excluded too.
    radius = 0.8 * patch.iris_radius
    disc = np.zeros(gray.shape, np.uint8)
    cv2.circle(disc, (int(round(cx)), int(round(cy))), max(1, int(round(radius))), 255, -1)
    lid = max(1, int(round(0.25 * patch.iris_radius)))  # the wet lid margin shines too
    opening = cv2.erode(patch.opening, np.ones((2 * lid + 1, 2 * lid + 1), np.uint8))
    area_mask = (disc > 0) & (opening > 0)
    values = gray[area_mask]
    if values.size < 6:
        return []
    # A catchlight is a small bright spot: keep what a white top-hat (bright detail smaller than
    # half the iris) shows, so a light iris lit from above (its whole lower half bright) is not one.
    size = max(3, int(round(patch.iris_radius)) | 1)
    tophat = cv2.morphologyEx(
        gray, cv2.MORPH_TOPHAT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    )
    bright = ((tophat >= contrast) & (gray >= min_level) & area_mask).astype(np.uint8)
    if not bright.any():
        return []
    n, _, stats, centroids = cv2.connectedComponentsWithStats(bright)
    iris_area = math.pi * radius * radius
    blobs = []
    for i in range(1, n):
        frac = stats[i, cv2.CC_STAT_AREA] / iris_area
        off = np.hypot(centroids[i][0] - cx, centroids[i][1] - cy)
        if frac <= max_area and off <= 0.7 * patch.iris_radius:
            blobs.append((float(centroids[i][0]), float(centroids[i][1]), float(frac)))
    return sorted(blobs, key=lambda b: -b[2])


def clock_hour(dx: float, dy: float) -> int:
    angle = math.degrees(math.atan2(dx, -dy)) % 360.0
    hour = round(angle / 30.0) % 12
    return 12 if hour == 0 else hour


def check_catchlights(ctx: FrameContext) -> CheckResult:
    s, th = ctx.subject, ctx.th
    empty = {"present": None, "count": 0, "clock": None}
    fields: dict[str, object] = {"left": dict(empty), "right": dict(empty), "agree": None}
    if s is None:
        return CheckResult("catchlights", Status.UNKNOWN, "No face", None, (), fields)
    if glasses_kind(ctx) == "sunglasses":
        return CheckResult("catchlights", Status.UNKNOWN, "Eyes hidden by dark lenses", None, (), fields)
    states = eye_states(ctx)
    marks: list[tuple[float, float]] = []
    sizes: list[float] = []
    judged: dict[str, dict[str, object]] = {}
    for side in SIDES:
        patch = ctx.eye_patch(side)
        if patch is None or states[side][0] in ("closed", "unknown"):
            continue
        iris = 2.0 * patch.iris_radius  # px at the best resolution we have
        sizes.append(iris)
        if iris < th.catchlight_min_iris_px:
            continue
        blobs = find_catchlights(
            patch, th.catchlight_contrast, th.catchlight_min_level, th.catchlight_max_area
        )
        clock = None
        if blobs:
            x, y, _ = blobs[0]
            clock = clock_hour(x - patch.iris_centre[0], y - patch.iris_centre[1])
            marks.extend(ctx.norm_point(*patch.to_image(bx, by)) for bx, by, _ in blobs)
        judged[side] = {"present": bool(blobs), "count": len(blobs), "clock": clock}
        fields[side] = judged[side]
    regions = tuple(ctx.norm_box(*s.eye(side).box(0.1)) for side in judged)
    if not judged:
        if sizes:
            need = th.catchlight_min_iris_px
            msg = f"Iris too small to see catchlights ({max(sizes):.0f} px, need {need:.0f})"
        else:
            msg = "Eyes closed or not visible"
        fields["iris_px"] = round(max(sizes), 1) if sizes else None
        return CheckResult("catchlights", Status.UNKNOWN, msg, None, (), fields)
    present = [side for side, v in judged.items() if v["present"]]
    clocks = [int(judged[side]["clock"]) for side in present]
    agree = None
    if len(clocks) == 2:
        diff = abs(clocks[0] - clocks[1]) % 12
        agree = min(diff, 12 - diff) <= th.catchlight_clock_agree
    fields["agree"] = agree
    fields["iris_px"] = round(max(sizes), 1)
    value = float(len(present))
    if not present:
        return CheckResult(
            "catchlights",
            Status.WARN,
            "No catchlights: raise or move the key light in front, or add a reflector below",
            value,
            regions,
            fields,
            tuple(marks),
        )
    if len(judged) == 2 and len(present) == 1:
        missing = next(side for side in judged if side not in present)
        return CheckResult(
            "catchlights",
            Status.WARN,
            f"No catchlight in the {missing} eye (brow or lid shadow, or the head turned away)",
            value,
            regions,
            fields,
            tuple(marks),
        )
    if agree is False:
        return CheckResult(
            "catchlights",
            Status.WARN,
            f"Catchlights disagree ({clocks[0]} and {clocks[1]} o'clock)",
            value,
            regions,
            fields,
            tuple(marks),
        )
    where = f" at {clocks[0]} o'clock" if clocks else ""
    return CheckResult(
        "catchlights", Status.PASS, f"Catchlights{where}", value, regions, fields, tuple(marks)
    )
