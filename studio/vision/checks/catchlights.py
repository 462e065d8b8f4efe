"""``catchlights``: the reflection of the light in each eye, its count and clock position.

Inside the iris disc (its inner 80 %) and the eye opening (lid edges excluded), a catchlight is
a small blob clearly brighter than the iris around it (white top-hat above
``catchlight_contrast`` and above ``catchlight_min_level``). Clock position:
``atan2(dx, -dy)`` in hours, 12 = straight up.

The two eyes are compared on the unrounded hours (rounding each to the hour adds up to an hour of
error), and the tolerance widens by what the measurement can resolve: a catchlight ``d`` px from
the iris centre, both located to ``catchlight_clock_px_error`` px, has its direction known only to
``atan(error / d)``. Two catchlights near the centres of small irises therefore agree rather than
"disagree" by noise; one at the very centre (a light on the lens axis) has no direction at all.
"""

from __future__ import annotations

import functools
import math

import cv2
import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.checks.eyes import eye_states
from studio.vision.checks.glasses import glasses_kind
from studio.vision.context import FrameContext
from studio.vision.crops import EyePatch
from studio.vision.landmarks import SIDES
from studio.vision.thresholds import Thresholds
from studio.vision.verdict import observes_nothing

# Where a catchlight is looked for (geometry of the measurement, not a verdict): the inner 80 %
# of the iris (the landmark ring is a little loose, and the white of the eye just outside it is
# as bright as a catchlight), minus the wet lid margin, which shines too.
_IRIS_INNER = 0.8
_LID_MARGIN = 0.25  # of the iris radius
_MIN_PIXELS = 6  # fewer pixels of iris than this: nothing to search
_EYE_REGION_PAD = 0.1  # drawn region around each judged eye, in eye widths
_EMPTY = {"present": None, "count": 0, "clock": None}
Blob = tuple[float, float, float]  # x, y (patch px), area / iris area


def _search_area(patch: EyePatch, box: tuple[int, int, int, int]) -> np.ndarray:
    """Boolean mask of the patch's ``box`` (x0, y0, x1, y1; :func:`_search_box`): the inner iris
    disc inside the eye opening, lid edges excluded."""
    x0, y0, x1, y1 = box
    cx, cy = patch.iris_centre
    radius = _IRIS_INNER * patch.iris_radius
    disc = np.zeros((y1 - y0, x1 - x0), np.uint8)
    centre = (int(round(cx)) - x0, int(round(cy)) - y0)
    cv2.circle(disc, centre, max(1, int(round(radius))), (255,), -1)
    lid = max(1, int(round(_LID_MARGIN * patch.iris_radius)))
    # The box reaches more than ``lid`` px beyond the disc: eroding its part of the opening
    # gives the disc the same pixels as eroding the whole.
    opening = cv2.erode(patch.opening[y0:y1, x0:x1], np.ones((2 * lid + 1, 2 * lid + 1), np.uint8))
    return (disc > 0) & (opening > 0)


def _search_box(patch: EyePatch, margin: int) -> tuple[int, int, int, int]:
    """Patch rows/columns (x0, y0, x1, y1) holding the iris disc searched, ``margin`` px wider
    on every side, clipped to the patch."""
    cx, cy = patch.iris_centre
    radius = max(1, int(round(_IRIS_INNER * patch.iris_radius)))
    x, y = int(round(cx)), int(round(cy))
    h, w = patch.gray.shape[:2]
    reach = radius + 1 + margin
    return max(0, x - reach), max(0, y - reach), min(w, x + reach + 1), min(h, y + reach + 1)


def _bright_detail(patch: EyePatch) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]] | None:
    """(white top-hat, grey levels, search area) over the part of the patch around the iris,
    and that part's (x, y) offset in the patch; None when the search area is too small.

    A catchlight is a small bright spot: the top-hat (bright detail smaller than half the iris)
    keeps it, and not a light iris lit from above (its whole lower half bright). The top-hat of
    a pixel depends only on pixels within one kernel size of it, so it is computed on the
    search area's box widened by that much (the same values as over the whole patch, at a
    fraction of the cost: the patch also holds lids, lashes and brow), on 8-bit grey (the
    patch's grey levels are whole numbers: the same values again)."""
    size = max(3, int(round(patch.iris_radius)) | 1)
    x0, y0, x1, y1 = _search_box(patch, size)
    if x1 <= x0 or y1 <= y0:  # the iris centre off the patch (an eye at the frame's edge)
        return None
    area_mask = _search_area(patch, (x0, y0, x1, y1))
    gray = patch.gray[y0:y1, x0:x1]
    if np.count_nonzero(area_mask) < _MIN_PIXELS:
        return None
    tophat = cv2.morphologyEx(gray.astype(np.uint8), cv2.MORPH_TOPHAT, _disc(size))  # grey is 0..255
    return tophat, gray, area_mask, (x0, y0)


@functools.lru_cache(maxsize=64)
def _disc(size: int) -> np.ndarray:
    """The top-hat's elliptical kernel (the same few sizes every frame of a subject)."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    kernel.flags.writeable = False
    return kernel


def find_catchlights(
    patch: EyePatch, th: Thresholds, min_level: float | None = None,
    detail: tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]] | None = None,
) -> list[Blob]:
    """Catchlight blobs as (x, y, area / iris area) in patch px, biggest first (``min_level``:
    instead of ``catchlight_min_level``; ``detail``: :func:`_bright_detail` of the patch,
    when already computed)."""
    level = th.catchlight_min_level if min_level is None else min_level
    found = detail if detail is not None else _bright_detail(patch)
    if found is None:
        return []
    tophat, gray, area_mask, (ox, oy) = found
    bright = ((tophat >= th.catchlight_contrast) & (gray >= level) & area_mask).astype(np.uint8)
    if not bright.any():
        return []
    n, _, stats, centroids = cv2.connectedComponentsWithStats(bright)
    radius = _IRIS_INNER * patch.iris_radius
    iris_area = math.pi * radius * radius
    cx, cy = patch.iris_centre
    blobs = []
    for i in range(1, n):
        frac = stats[i, cv2.CC_STAT_AREA] / iris_area
        bx, by = centroids[i][0] + ox, centroids[i][1] + oy
        off = np.hypot(bx - cx, by - cy)
        if frac <= th.catchlight_max_area and off <= th.catchlight_max_offset * patch.iris_radius:
            blobs.append((float(bx), float(by), float(frac)))
    return sorted(blobs, key=lambda b: -b[2])


def clock_hours(dx: float, dy: float) -> float:
    """Unrounded clock position in hours, in [0, 12) (0 = 12 o'clock, straight up)."""
    return (math.degrees(math.atan2(dx, -dy)) % 360.0) / 30.0


def clock_hour(dx: float, dy: float) -> int:
    hour = round(clock_hours(dx, dy)) % 12
    return 12 if hour == 0 else hour


def _eye_fields(ctx: FrameContext, patch: EyePatch) -> tuple[dict[str, object], list[tuple[float, float]]]:
    """One judged eye: its fields (present, count, clock of the biggest) and the blobs as marks."""
    detail = _bright_detail(patch)
    blobs = find_catchlights(patch, ctx.th, detail=detail)
    if not blobs:
        # A spot as contrasty as a catchlight that only misses the absolute level (a catchlight of
        # 1-2 px in a small iris is blurred and dimmed by the lens and JPEG): not shown to be
        # missing. ``present`` None: it does not count as a catchlight, nor as a missing one.
        dim = bool(find_catchlights(patch, ctx.th, min_level=0.0, detail=detail))
        return {"present": None if dim else False, "count": 0, "clock": None}, []
    x, y, _ = blobs[0]
    dx, dy = x - patch.iris_centre[0], y - patch.iris_centre[1]
    fields: dict[str, object] = {"present": True, "count": len(blobs), "clock": clock_hour(dx, dy)}
    # unrounded, and how far from the iris centre (patch px): what the comparison of eyes needs
    fields["hours"] = round(clock_hours(dx, dy), 2)
    fields["offset_px"] = round(math.hypot(dx, dy), 2)
    marks = [ctx.norm_point(*patch.to_image(bx, by)) for bx, by, _ in blobs]
    return fields, marks


def _judge_eyes(
    ctx: FrameContext,
) -> tuple[dict[str, dict[str, object]], list[tuple[float, float]], list[float]]:
    """(side -> fields of every eye judged, marks, iris diameters of the open eyes in px)."""
    states = eye_states(ctx)
    judged: dict[str, dict[str, object]] = {}
    marks: list[tuple[float, float]] = []
    sizes: list[float] = []
    for side in SIDES:
        patch = ctx.eye_patch(side)
        if patch is None or states[side][0] in ("closed", "unknown"):
            continue
        iris = 2.0 * patch.iris_radius  # px at the best resolution we have
        sizes.append(iris)
        if iris >= ctx.th.catchlight_min_iris_px:
            judged[side], eye_marks = _eye_fields(ctx, patch)
            marks.extend(eye_marks)
    return judged, marks, sizes


def _agree(judged: dict[str, dict[str, object]], th: Thresholds) -> bool | None:
    """Whether both eyes' catchlights sit at about the same hour (None: not two to compare).

    Unrounded hours; the tolerance grows by each clock's own uncertainty, the angle that
    ``catchlight_clock_px_error`` subtends at the catchlight's distance from the iris centre.
    """
    read = [(h, d) for v in judged.values()
            if isinstance(h := v.get("hours"), float) and isinstance(d := v.get("offset_px"), float)]
    if len(read) != 2:
        return None
    diff = abs(read[0][0] - read[1][0]) % 12.0
    err = th.catchlight_clock_px_error
    slack = sum(math.degrees(math.atan2(err, d)) / 30.0 for _, d in read)
    return min(diff, 12.0 - diff) <= th.catchlight_clock_agree + slack


def _verdict(
    judged: dict[str, dict[str, object]], clocks: list[int], agree: bool | None
) -> tuple[Status, str]:
    present = [side for side, v in judged.items() if v["present"]]
    absent = [side for side, v in judged.items() if v["present"] is False]
    if not present:
        return Status.WARN, "No catchlights: raise or move the key light in front, or add a reflector below"
    if absent:
        missing = absent[0]
        return (
            Status.WARN,
            f"No catchlight in the {missing} eye (brow or lid shadow, or the head turned away)",
        )
    if agree is False:
        return Status.WARN, f"Catchlights disagree ({clocks[0]} and {clocks[1]} o'clock)"
    where = f" at {clocks[0]} o'clock" if clocks else ""
    return Status.PASS, f"Catchlights{where}"


@observes_nothing
def check_catchlights(ctx: FrameContext) -> CheckResult:
    s, th = ctx.subject, ctx.th
    fields: dict[str, object] = {"left": dict(_EMPTY), "right": dict(_EMPTY), "agree": None}
    if s is None:
        return CheckResult("catchlights", Status.UNKNOWN, "No face", None, (), fields)
    if glasses_kind(ctx) == "sunglasses":
        return CheckResult("catchlights", Status.UNKNOWN, "Eyes hidden by dark lenses", None, (), fields)
    judged, marks, sizes = _judge_eyes(ctx)
    fields.update(judged)
    if not judged:
        if sizes:
            need = th.catchlight_min_iris_px
            msg = f"Iris too small to see catchlights ({max(sizes):.0f} px, need {need:.0f})"
        else:
            msg = "Eyes closed or not visible"
        fields["iris_px"] = round(max(sizes), 1) if sizes else None
        return CheckResult("catchlights", Status.UNKNOWN, msg, None, (), fields)
    clocks = [clock for v in judged.values() if isinstance(clock := v["clock"], int)]
    agree = _agree(judged, th)
    fields["agree"] = agree
    fields["iris_px"] = round(max(sizes), 1)
    status, message = _verdict(judged, clocks, agree)
    regions = tuple(ctx.norm_box(*s.eye(side).box(_EYE_REGION_PAD)) for side in judged)
    value = float(len(clocks))
    return CheckResult("catchlights", status, message, value, regions, fields, tuple(marks))
