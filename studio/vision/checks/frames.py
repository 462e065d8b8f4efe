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
from studio.vision.landmarks import IRISES, LEFT_BROW, LEFT_CHEEK, RIGHT_BROW, RIGHT_CHEEK, SIDES

RIDGE_SIGMA = 2.5  # aligned px: a frame line of 2-8 px (a wire on a small face, upsampled)
RIDGE_CELL = 32  # aligned px (a quarter of the IED): a 16 x 8 grid over the 512 x 256 band
RIDGE_GRID = (8, 16)  # rows, columns of cells
RIDGE_FEATURES = tuple(f"ridge_{k}{i}" for k in ("d", "b") for i in range(RIDGE_GRID[0] * RIDGE_GRID[1]))
COLOUR_FEATURES = ("lens_lab", "lens_l", "sclera_iris", "lens_spread",
                   "lens_dark_half", "lens_dark_70", "lens_sat_abs", "lens_p25", "lens_p50")
EYE_FEATURES = ("eye_chroma", "eye_texture", "lens_dark_ref")
_CONTRAST_FLOOR = 0.05  # of full scale: a flat band's ridges are not blown up by its contrast
# The eye area behind a lens, from the iris centre only (the mesh guesses an eye behind a dark
# lens; its lid contour is not trusted): 2 iris radii each side, 1.1 up and down, the radius
# held to 8-18 aligned px (0.06-0.14 IED) when the mesh's iris ring is off.
_EYE_HALF_W, _EYE_HALF_H, _IRIS_R = 2.0, 1.1, (8.0, 18.0)
_CHROMA_FAR = 12.0  # Lab a/b distance from the cheeks' colour and from grey: a blue, green or mirrored tint
_FOREHEAD = (30.0, 6.0)  # the skin strip above the brows, aligned px above their top
_FOREHEAD_INSET = 10.0  # aligned px in from the lens box's sides


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
            "lens_p50": float(np.percentile(grey, 50)) / c50,
            **eye_visibility(a, lab, cheek, c50, grey)}


def _eye_box(a: Aligned, side: str) -> tuple[float, float, float, float]:
    """The eye area behind one lens, from the iris centre and radius only."""
    iris = IRISES[side]
    c = a.points[iris[0]]
    r = float(np.clip(np.linalg.norm(a.points[iris[1]] - c), *_IRIS_R))
    cx, cy = float(round(c[0])), float(round(c[1]))
    return (cx - _EYE_HALF_W * r, cy - _EYE_HALF_H * r, cx + _EYE_HALF_W * r, cy + _EYE_HALF_H * r)


def eye_visibility(a: Aligned, lab: np.ndarray, cheek: np.ndarray, c50: float,
                   lens_grey: np.ndarray) -> dict[str, float]:
    """Whether the eye shows through the lens: the share of the eye area whose colour is far
    from the cheeks' and from grey (a blue, green or mirrored tint; a bare eye is skin, white
    and an iris, and a reflection is colourless),
    its texture (mean gradient against the cheeks': a dark or mirrored lens loses the lids,
    lashes and iris edge) and the lens's darkness against the brighter of the cheeks and the
    forehead above the brows (a face lit from above shadows the cheeks, not the lenses)."""
    g = cv2.GaussianBlur(a.gray, (0, 0), 1.0)
    grad = np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))
    cheeks = _cheeks(a) > 0
    cheek_grad = max(float(grad[cheeks].mean()) if cheeks.any() else float(grad.mean()), 1.0)
    far, texture, forehead = [], [], []
    for side in SIDES:
        box = _eye_box(a, side)
        eye = region(lab, *box)
        if eye.size:
            ab = eye[..., 1:].reshape(-1, 2)
            tinted = np.linalg.norm(ab - 128.0, axis=1) > _CHROMA_FAR  # glare is colourless
            far.append(float(np.mean(tinted & (np.linalg.norm(ab - cheek[1:], axis=1) > _CHROMA_FAR))))
            texture.append(float(region(grad, *box).mean()) / cheek_grad)
        x0, _, x1, _ = lens_box(a, side)
        top = float(a.points[list(RIGHT_BROW if side == "right" else LEFT_BROW)][:, 1].min())
        strip = region(a.gray, x0 + _FOREHEAD_INSET, top - _FOREHEAD[0],
                       x1 - _FOREHEAD_INSET, top - _FOREHEAD[1])
        if strip.size:
            forehead.append(float(np.median(strip)))
    ref = max(c50, max(forehead, default=0.0), 1.0)
    return {"eye_chroma": float(np.mean(far)) if far else 0.0,
            "eye_texture": float(np.mean(texture)) if texture else 0.0,
            "lens_dark_ref": float(np.median(lens_grey)) / ref}


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
