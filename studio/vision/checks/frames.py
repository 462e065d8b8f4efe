"""Measures for the glasses kind on the eye band warped level (IED = 128 px, :class:`Aligned`).

- *frame ridges*: thin lines (a frame's rim, the bridge, wire temples) drawn as ridges of the
  grey image (Hessian eigenvalues at a frame's width), dark and bright apart, averaged over a
  coarse grid of the band. A frame runs in the same cells of every face warped level (around
  each eye, across the bridge), so a calibrated model learns where rims run from the cells; skin
  texture, brows and the eyes themselves also light cells, but not the same pattern.
- *lens colour*: how far the lens area's colour is from the cheeks' (CIE Lab), and how much of
  the eye's own light/dark pattern (white sclera around a dark iris) is left inside the eye
  opening: dark, mirrored or tinted lenses hide it.

The models that turn these into a verdict are in :mod:`studio.vision.checks.glasses`.
"""

from __future__ import annotations

import cv2
import numpy as np

from studio.vision.checks.lenses import box_mask, cheek_values, eye_opening, iris_disc, lens_box, region
from studio.vision.crops import Aligned
from studio.vision.landmarks import LEFT_CHEEK, RIGHT_CHEEK, SIDES

RIDGE_SIGMA = 2.5  # aligned px: a frame line of 2-8 px (a wire on a small face, upsampled)
RIDGE_CELL = 32  # aligned px (a quarter of the IED): a 16 x 8 grid over the 512 x 256 band
RIDGE_GRID = (8, 16)  # rows, columns of cells
RIDGE_FEATURES = tuple(f"ridge_{k}{i}" for k in ("d", "b") for i in range(RIDGE_GRID[0] * RIDGE_GRID[1]))
COLOUR_FEATURES = ("lens_lab", "lens_l", "sclera_iris", "lens_spread",
                   "lens_dark_half", "lens_dark_70", "lens_sat_abs", "lens_p25", "lens_p50")
_CONTRAST_FLOOR = 0.05  # of full scale: a flat band's ridges are not blown up by its contrast


def frame_ridges(a: Aligned) -> dict[str, float]:
    """Mean dark-ridge and bright-ridge strength per grid cell, in units of the band's contrast."""
    g = a.gray / 255.0
    s = cv2.GaussianBlur(g, (0, 0), RIDGE_SIGMA)
    dxx = cv2.Sobel(s, cv2.CV_32F, 2, 0, ksize=3)
    dyy = cv2.Sobel(s, cv2.CV_32F, 0, 2, ksize=3)
    dxy = cv2.Sobel(s, cv2.CV_32F, 1, 1, ksize=3)
    half_trace = (dxx + dyy) / 2
    spread = np.sqrt(((dxx - dyy) / 2) ** 2 + dxy**2)
    dark = np.maximum(half_trace + spread, 0) * RIDGE_SIGMA**2  # a dark line on light skin
    bright = np.maximum(spread - half_trace, 0) * RIDGE_SIGMA**2  # a lit metal or clear rim
    contrast = float(np.percentile(g, 90) - np.percentile(g, 10)) + _CONTRAST_FLOOR
    rows, cols = RIDGE_GRID
    h, w = rows * RIDGE_CELL, cols * RIDGE_CELL
    out: dict[str, float] = {}
    for kind, m in (("d", dark), ("b", bright)):
        cells = m[:h, :w].reshape(rows, RIDGE_CELL, cols, RIDGE_CELL).mean(axis=(1, 3)).ravel() / contrast
        out.update({f"ridge_{kind}{i}": float(v) for i, v in enumerate(cells)})
    return out


def _cheeks(a: Aligned) -> np.ndarray:
    mask = np.zeros(a.gray.shape, np.uint8)
    for cheek in (RIGHT_CHEEK, LEFT_CHEEK):
        cv2.fillPoly(mask, [np.round(a.points[list(cheek)]).astype(np.int32)], (1,))
    return mask


def lens_colour(a: Aligned) -> dict[str, float]:
    """Lens against cheek colour (Lab distance / 100, lightness ratio), the eye's own
    sclera-vs-iris contrast, the lens area's grey spread and quartiles (cheek units), the share
    of it under half / 70 % of the cheeks' median, and its saturation (/255)."""
    lab = cv2.cvtColor(a.bgr, cv2.COLOR_BGR2LAB).astype(np.float32)
    cheek_mask = _cheeks(a) > 0
    cheek = np.median(lab[cheek_mask], axis=0) if cheek_mask.any() else np.median(lab.reshape(-1, 3), axis=0)
    lenses = box_mask(a.gray.shape, lens_box(a, "right")) | box_mask(a.gray.shape, lens_box(a, "left"))
    lens_med = np.median(lab[lenses > 0], axis=0) if lenses.any() else cheek
    c50 = max(float(np.median(cheek_values(a))), 1.0)
    grey = np.concatenate([region(a.gray, *lens_box(a, side)).ravel() for side in SIDES])
    if not grey.size:
        grey = np.array([c50], np.float32)
    sat = cv2.cvtColor(a.bgr, cv2.COLOR_BGR2HSV)[..., 1]
    return {"lens_lab": float(np.linalg.norm(lens_med - cheek)) / 100.0,
            "lens_l": float(lens_med[0]) / max(float(cheek[0]), 1.0),
            "sclera_iris": _sclera_iris(a) / c50,
            "lens_spread": float(np.percentile(grey, 90) - np.percentile(grey, 10)) / c50,
            # how much of the lens is much darker than the cheeks, its grey levels and colour
            "lens_dark_half": float(np.mean(grey < 0.5 * c50)),
            "lens_dark_70": float(np.mean(grey < 0.7 * c50)),
            "lens_sat_abs": float(np.median(sat[lenses > 0])) / 255.0 if lenses.any() else 0.0,
            "lens_p25": float(np.percentile(grey, 25)) / c50,
            "lens_p50": float(np.percentile(grey, 50)) / c50}


def _sclera_iris(a: Aligned) -> float:
    """The brighter eye's sclera (80th percentile of the opening outside the iris) less its iris
    (median of the disc), in grey levels: a bare eye shows white around a dark iris."""
    best = 0.0
    for side in SIDES:
        disc, (x0, y0), _ = iris_disc(a, side)
        opening = eye_opening(a, side, a.gray.shape) > 0
        iris = np.zeros(a.gray.shape, bool)
        ys, xs = np.nonzero(disc)
        ys, xs = ys + y0, xs + x0
        ok = (ys >= 0) & (ys < iris.shape[0]) & (xs >= 0) & (xs < iris.shape[1])
        iris[ys[ok], xs[ok]] = True
        white = opening & ~cv2.dilate(iris.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        if iris.any() and white.any():
            best = max(best, float(np.percentile(a.gray[white], 80) - np.median(a.gray[iris])))
    return best
