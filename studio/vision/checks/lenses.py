"""Measures on the eye band of a face warped level (IED = 128 px, :class:`Aligned`) that
glasses and glare are judged on: frame lines, the lens area, the pupil's level, the cheeks.

The constants define where and how each measure is taken (in aligned px or IED); the numbers
that turn a measure into a verdict are in :class:`~studio.vision.thresholds.Thresholds`.
"""

from __future__ import annotations

import cv2
import numpy as np

from studio.vision.crops import ALIGNED_EYE_Y, ALIGNED_IED, Aligned
from studio.vision.landmarks import (
    EYE_CONTOURS,
    EYE_CORNERS,
    IRISES,
    LEFT_CHEEK,
    LEFT_EYE_INNER,
    LEFT_LOWER_LID,
    RIGHT_CHEEK,
    RIGHT_EYE_INNER,
    RIGHT_LOWER_LID,
    SIDES,
)
from studio.vision.thresholds import Thresholds

# Line strength: a row profile smoothed a little (fine) against its broad trend.
_GAUSS_FINE = cv2.getGaussianKernel(7, 1.2).ravel()
_GAUSS_TREND = cv2.getGaussianKernel(25, 6.0).ravel()
_TREND_PAD = 12  # half the trend kernel: the profile's ends are padded, then cut off again
# Where frames run, in aligned px: across the bridge (the middle 70 % between the inner eye
# corners, from brow height to just under the eye line) and under each eye (below the lower lid).
_BRIDGE_INSET = 0.15  # of the gap between the inner corners, on each side
_BRIDGE_ABOVE, _BRIDGE_BELOW = 64.0, 20.0  # rows above / below the eye line
_RIM_BELOW_LID, _RIM_BELOW_EYES = 4.0, 85.0  # rows below the lower lid / the eye line
# The lens area around an eye, in IED (field notes): widened 0.35 outwards, 0.27 up towards the
# brows, 0.25 below the lid; towards the nose only 0.08 (the lit nose bridge is not lens).
_LENS_OUT, _LENS_IN, _LENS_UP, _LENS_DOWN = 0.35, 0.08, 0.27, 0.25
_IRIS_INNER = 0.8  # the inner 80 % of the iris disc: the landmark ring is a little loose
_PUPIL_PERCENTILE = 10  # the pupil's level: the 10th percentile of the iris disc
_MIN_DISC_PIXELS = 6  # a visible iris disc of fewer pixels has no pupil level
_MIN_LINE_ROWS, _MIN_LINE_COLS = 8, 4  # a smaller region shows no line


def line_strength(region: np.ndarray) -> float:
    """Strongest horizontal line across ``region`` (grey levels above/below the local trend)."""
    if region.shape[0] < _MIN_LINE_ROWS or region.shape[1] < _MIN_LINE_COLS:
        return 0.0
    prof = region.mean(axis=1)
    padded = np.pad(prof, _TREND_PAD, mode="edge")
    fine = np.convolve(padded, _GAUSS_FINE, "same")[_TREND_PAD:-_TREND_PAD]
    trend = np.convolve(padded, _GAUSS_TREND, "same")[_TREND_PAD:-_TREND_PAD]
    return float(np.abs(fine - trend).max())


def region(gray: np.ndarray, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    """The box (x0, y0)-(x1, y1) of ``gray`` (or a colour image), clipped to the image."""
    h, w = gray.shape[:2]
    return gray[int(max(0, y0)) : int(min(h, y1)), int(max(0, x0)) : int(min(w, x1))]


def frame_lines(a: Aligned) -> tuple[float, float]:
    """(bridge line, the weaker of the two rim lines under the eyes)."""
    g, p = a.gray, a.points
    inner_r, inner_l = p[RIGHT_EYE_INNER], p[LEFT_EYE_INNER]
    inset = _BRIDGE_INSET * (inner_l[0] - inner_r[0])
    top, bottom = ALIGNED_EYE_Y - _BRIDGE_ABOVE, ALIGNED_EYE_Y + _BRIDGE_BELOW
    bridge = line_strength(region(g, inner_r[0] + inset, top, inner_l[0] - inset, bottom))
    lower_lid = max(p[RIGHT_LOWER_LID][1], p[LEFT_LOWER_LID][1])
    rims = []
    for side in SIDES:
        x0, x1 = sorted(p[i][0] for i in EYE_CORNERS[side])
        rim = region(g, x0, lower_lid + _RIM_BELOW_LID, x1, ALIGNED_EYE_Y + _RIM_BELOW_EYES)
        rims.append(line_strength(rim))
    return bridge, min(rims)


def eye_opening(
    a: Aligned, side: str, shape: tuple[int, ...], origin: tuple[int, int] = (0, 0)
) -> np.ndarray:
    """The eye opening (eyelid polygon) as a uint8 mask of ``shape`` whose (0, 0) is ``origin``."""
    opening = np.zeros(shape, np.uint8)
    contour = a.points[list(EYE_CONTOURS[side])] - origin
    cv2.fillPoly(opening, [np.round(contour).astype(np.int32)], (1,))
    return opening


def iris_disc(a: Aligned, side: str) -> tuple[np.ndarray, tuple[int, int], float]:
    """The inner 80 % of the iris disc inside the eye opening, as a uint8 mask of a small box
    around it, the box's (x, y) origin, and the fraction of the disc the lids leave visible."""
    iris = IRISES[side]
    centre = a.points[iris[0]]
    radius = max(1, int(_IRIS_INNER * float(np.linalg.norm(a.points[iris[1]] - centre))))
    x0, y0 = int(round(centre[0])) - radius - 1, int(round(centre[1])) - radius - 1
    size = 2 * radius + 3
    disc = np.zeros((size, size), np.uint8)
    cv2.circle(disc, (radius + 1, radius + 1), radius, (1,), -1)
    opening = eye_opening(a, side, (size, size), (x0, y0))
    # Clip to the aligned image (a face at its edge).
    h, w = a.gray.shape
    cx0, cy0, cx1, cy1 = max(0, -x0), max(0, -y0), min(size, w - x0), min(size, h - y0)
    visible = np.zeros_like(disc)
    visible[cy0:cy1, cx0:cx1] = (disc & opening)[cy0:cy1, cx0:cx1]
    return visible, (x0, y0), float(visible.sum() / max(int(disc.sum()), 1))


def pupil_level(a: Aligned, side: str, th: Thresholds) -> tuple[float, np.ndarray]:
    """The pupil's grey level (10th percentile of the iris disc) and the disc as a mask of the
    aligned image. A reflection on a lens lifts it; a bare pupil stays dark. 0 when the lids
    hide the pupil (squint, blink: the disc then holds lid skin, which is bright) or the disc
    is a few pixels."""
    iris, (x0, y0), visible = iris_disc(a, side)
    full = np.zeros(a.gray.shape, np.uint8)
    ys, xs = np.nonzero(iris)
    ys, xs = ys + y0, xs + x0
    full[ys, xs] = 1
    inside = a.gray[ys, xs]
    if inside.size < _MIN_DISC_PIXELS or visible < th.pupil_min_visible:
        return 0.0, full
    k = inside.size // _PUPIL_PERCENTILE
    return float(np.partition(inside, k)[k]), full


def cheek_values(a: Aligned) -> np.ndarray:
    """Grey levels of both cheeks (the whole band if the cheeks fall outside it)."""
    mask = np.zeros(a.gray.shape, np.uint8)
    for cheek in (RIGHT_CHEEK, LEFT_CHEEK):
        cv2.fillPoly(mask, [np.round(a.points[list(cheek)]).astype(np.int32)], (255,))
    values = a.gray[mask > 0]
    return values if values.size else a.gray.ravel()


def lens_box(a: Aligned, side: str) -> tuple[float, float, float, float]:
    """x0, y0, x1, y1 of the lens area around one eye, in aligned px (not clipped)."""
    contour = a.points[list(EYE_CONTOURS[side])]
    x0, y0 = contour.min(axis=0)
    x1, y1 = contour.max(axis=0)
    out, inner = _LENS_OUT * ALIGNED_IED, _LENS_IN * ALIGNED_IED
    left_pad, right_pad = (out, inner) if side == "right" else (inner, out)
    return (x0 - left_pad, y0 - _LENS_UP * ALIGNED_IED, x1 + right_pad, y1 + _LENS_DOWN * ALIGNED_IED)


# -- glare measured against the lens's own surroundings ----------------------------------------
# Local background: the median over 0.33 IED (43 px) ignores thin dark frame lines and bright
# structure smaller than half its window; a reflection stands out above it.
_BACKGROUND_KERNEL = 43
_RING = 0.16  # the skin ring around a lens box, in IED: the lens's own surroundings
_CATCHLIGHT_IRIS = 0.12  # a bright blob in the iris smaller than 12 % of it is a catchlight


def local_contrast(a: Aligned) -> np.ndarray:
    """Grey levels above the local surroundings (the median over 0.33 IED)."""
    g8 = np.clip(a.gray, 0, 255).astype(np.uint8)
    return a.gray - cv2.medianBlur(g8, _BACKGROUND_KERNEL).astype(np.float32)


def box_mask(shape: tuple[int, ...], box: tuple[float, float, float, float]) -> np.ndarray:
    m = np.zeros(shape[:2], np.uint8)
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    m[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = 1
    return m


def skin_ring(a: Aligned, side: str, face: np.ndarray) -> np.ndarray:
    """The face's skin just around one lens box (brow, temple, cheek), eyes excluded."""
    x0, y0, x1, y1 = lens_box(a, side)
    pad = _RING * ALIGNED_IED
    outer = box_mask(a.gray.shape, (x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    inner = box_mask(a.gray.shape, (x0, y0, x1, y1))
    both = box_mask(a.gray.shape, lens_box(a, "right")) | box_mask(a.gray.shape, lens_box(a, "left"))
    return outer & (1 - inner) & (1 - both) & face


_PUPIL_DISC = 0.45  # of the iris radius: the pupil itself
_IRIS_RADIUS = (8.0, 18.0)  # aligned px (0.06-0.14 IED): a mesh iris ring outside it is off


def pupil_brightness(a: Aligned, side: str) -> float:
    """Median grey level of the pupil (the inner 45 % of the iris disc, around the iris centre;
    the lids are not read: a reflection over the pupil also hides them)."""
    iris = IRISES[side]
    c = a.points[iris[0]]
    r = _PUPIL_DISC * float(np.clip(np.linalg.norm(a.points[iris[1]] - c), *_IRIS_RADIUS))
    h, w = a.gray.shape
    x0, x1 = max(0, int(c[0] - r)), min(w, int(c[0] + r) + 1)
    y0, y1 = max(0, int(c[1] - r)), min(h, int(c[1] + r) + 1)
    if x1 <= x0 or y1 <= y0:
        return 0.0
    yy, xx = np.mgrid[y0:y1, x0:x1]
    disc = (xx - c[0]) ** 2 + (yy - c[1]) ** 2 <= r * r
    return float(np.median(a.gray[y0:y1, x0:x1][disc])) if disc.any() else 0.0


def iris_glare(a: Aligned, side: str, lit: np.ndarray) -> float:
    """Fraction of the visible iris disc covered by lit structure, a catchlight-sized blob
    (under 12 % of the disc) left out: a catchlight is the light's reflection in the eye."""
    disc, (x0, y0), _ = iris_disc(a, side)
    h, w = lit.shape
    full = np.zeros(lit.shape, np.uint8)
    ys, xs = np.nonzero(disc)
    ys, xs = ys + y0, xs + x0
    ok = (ys >= 0) & (ys < h) & (xs >= 0) & (xs < w)
    full[ys[ok], xs[ok]] = 1
    total = int(full.sum())
    if total == 0:
        return 0.0
    covered = lit & full
    n, labels, stats, _ = cv2.connectedComponentsWithStats(covered)
    big = sum(int(stats[i, cv2.CC_STAT_AREA]) for i in range(1, n)
              if stats[i, cv2.CC_STAT_AREA] >= _CATCHLIGHT_IRIS * total)
    return big / total


# -- one lens against the other: glare is rarely the same on both ------------------------------
_BRIGHTNESS = ("p95", "p75", "mean", "iris", "op")


def lens_brightness(a: Aligned, side: str, c50: float) -> dict[str, float]:
    """Grey levels of one lens area (95th/75th percentile, mean), of its iris disc (median) and
    of its eye opening (median), in units of the cheeks' median ``c50``."""
    v = a.gray[box_mask(a.gray.shape, lens_box(a, side)) > 0]
    disc, (x0, y0), _ = iris_disc(a, side)
    ys, xs = np.nonzero(disc)
    ys, xs = ys + y0, xs + x0
    h, w = a.gray.shape
    ok = (ys >= 0) & (ys < h) & (xs >= 0) & (xs < w)
    iris = a.gray[ys[ok], xs[ok]]
    opening = a.gray[eye_opening(a, side, a.gray.shape) > 0]
    if not v.size:
        return dict.fromkeys(_BRIGHTNESS, 0.0)
    return {"p95": float(np.percentile(v, 95)) / c50, "p75": float(np.percentile(v, 75)) / c50,
            "mean": float(v.mean()) / c50, "iris": float(np.median(iris)) / c50 if iris.size else 0.0,
            "op": float(np.median(opening)) / c50 if opening.size else 0.0}


def pair_measures(own: dict[str, float], other: dict[str, float], lc99: tuple[float, float],
                  m: dict[str, float], m_other: dict[str, float] | None) -> dict[str, float]:
    """One lens against the other (``asym_*``: this lens less the other), its own brightness
    (``own_*``) and the 99th percentile of its local contrast (``lc99``, /100)."""
    out = {f"asym_{k}": own[k] - other[k] for k in _BRIGHTNESS}
    out.update({f"own_{k}": own[k] for k in ("p95", "p75", "iris", "op")})
    for k in ("reflection", "lift", "pupil"):
        out[f"asym_{k[:4] if k == 'reflection' else k}"] = m[k] - (m_other[k] if m_other else 0.0)
    out["lc99"], out["asym_lc99"] = lc99[0] / 100.0, (lc99[0] - lc99[1]) / 100.0
    return out
