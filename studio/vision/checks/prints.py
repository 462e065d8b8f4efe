"""Print features: what makes clothes or a background busy beyond its mean gradient.

Pure functions of a region at a face scale (grey, Lab colour and a boolean mask of the
region), used by ``clothing`` (the torso, :mod:`.clothing`) and ``background``. Measured so
that a garment's own outlines (a collar, lapels, a zip, a jacket's edge over a shirt), its
folds and its shadows count for little:

* ``print_edges``: the density of short edges (Canny runs shorter than an outline: a print's
  motifs, a logo's letters, the lines of a check) per pixel of the garment;
* ``colour_entropy``: how many colours share the garment (bits of a coarse Lab histogram,
  lightness in wide bins so that shading does not count): a jacket over a shirt is two or
  three colours, a print many;
* ``log_blob``: the strongest compact high-contrast spots (a logo, a printed motif): the
  99th percentile of the grey spread in a small window lying wholly on the region;
* ``log_periodicity``: the spectral peak of stripes and checks (measured by the caller);
* ``coherence`` (third round): how much of the garment's gradient runs in one direction
  locally (the structure tensor's coherence, weighted by the gradient): stripes and checks
  are coherent everywhere, soft folds only where they are faint.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

# Edges: Canny hysteresis 40/80 grey levels at IED = 32 px (as the outlines); a run shorter
# than ``outline_px`` is print, longer is an outline (the caller passes its own length).
_CANNY = (40, 80)
# Colour histogram: lightness in 4 bins of 64 levels (shading moves L, not the colour), a and b
# in bins of 12 units (OpenCV Lab, 0-255): two plain colours of one outfit land in 2-4 bins.
_L_BIN, _AB_BIN = 64.0, 12.0
# A bin holding under 2 % of the garment is noise (a button, a sliver of background).
_MIN_BIN_SHARE = 0.02
# Logo / motif: a window of 5 × 5 px at IED = 32 px (about 1/6 of an inter-eye distance).
_BLOB_PX = 5
# Skin: a and b (OpenCV Lab) within 6 units of the face's median: skin tones of one person
# spread about ±4 in a and b under one light; clothes of another hue lie further away.
_SKIN_AB = 6.0
# Structure tensor: gradients smoothed over a Gaussian of 1.5 px at IED = 32 px (a stripe's
# width): the neighbourhood in which one orientation is looked for.
_TENSOR_SIGMA = 1.5

Features = dict[str, float]

# True while scripts/tune_scene.py measures: every candidate feature is measured, not only
# those the packaged model reads (the rest cost time on live view for nothing).
MEASURE_ALL = False


def model_reads(model_name: str, names: tuple[str, ...]) -> bool:
    """Whether the packaged model ``model_name`` reads any of ``names``."""
    from studio.vision.calibrated import load_model

    try:
        return bool(set(load_model(model_name).features) & set(names))
    except FileNotFoundError:
        return False


def print_edges(gray: np.ndarray, where: np.ndarray, outline_px: int) -> float:
    """Share of the garment's pixels on short Canny edges (runs shorter than ``outline_px``)."""
    if not where.any():
        return 0.0
    edges = (cv2.Canny(gray.astype(np.uint8), *_CANNY) > 0) & where
    n, labels, stats, _ = cv2.connectedComponentsWithStats(edges.astype(np.uint8), connectivity=8)
    short = np.flatnonzero(np.maximum(stats[:, 2], stats[:, 3]) < outline_px)
    short = short[short > 0]
    return float(np.isin(labels, short).sum() / where.sum())


def colour_entropy(lab: np.ndarray, where: np.ndarray) -> float:
    """Bits of the garment's coarse Lab histogram (bins under ``_MIN_BIN_SHARE`` dropped)."""
    px = lab[where]
    if len(px) == 0:
        return 0.0
    keys = (
        (px[:, 0] // _L_BIN).astype(np.int32) * 10000
        + (px[:, 1] // _AB_BIN).astype(np.int32) * 100
        + (px[:, 2] // _AB_BIN).astype(np.int32)
    )
    _, counts = np.unique(keys, return_counts=True)
    p = counts / counts.sum()
    p = p[p >= _MIN_BIN_SHARE]
    p = p / p.sum()
    return float(-(p * np.log2(p)).sum())


def blob_contrast(gray: np.ndarray, where: np.ndarray) -> float:
    """The strongest compact spot: the 99th percentile over the garment of the grey spread
    (standard deviation) in a small window lying wholly on it (a logo or a motif is a strong
    spread in a few windows; a fold or a shadow is wide and soft, little spread in any)."""
    if where.sum() < _BLOB_PX * _BLOB_PX:
        return 0.0
    k = (_BLOB_PX, _BLOB_PX)
    inside = cv2.boxFilter(where.astype(np.float32), -1, k, normalize=True) > 0.99
    if not inside.any():
        return 0.0
    mean = cv2.boxFilter(gray, -1, k, normalize=True)
    sq = cv2.boxFilter(gray * gray, -1, k, normalize=True)
    spread = np.sqrt(np.maximum(sq - mean * mean, 0.0))
    return float(np.percentile(spread[inside], 99))


def print_features(gray: np.ndarray, lab: np.ndarray, where: np.ndarray, outline_px: int,
                   periodicity: float) -> Features:
    """The print features of one garment region (see the module's docstring)."""
    return {
        "print_edges": print_edges(gray, where, outline_px),
        "colour_entropy": colour_entropy(lab, where),
        "log_blob": math.log1p(blob_contrast(gray, where)),
        "log_periodicity": math.log1p(periodicity),
    }


def skin_free(lab: np.ndarray, where: np.ndarray, skin_ab: tuple[float, float]) -> np.ndarray:
    """``where`` without the subject's skin (pixels within ``_SKIN_AB`` of the face's median
    a, b: a neck, a neckline, hands, arms) and 1 px off its edge (a neckline is no print)."""
    a, b = lab[..., 1] - skin_ab[0], lab[..., 2] - skin_ab[1]
    skin = (np.abs(a) < _SKIN_AB) & (np.abs(b) < _SKIN_AB)
    near = cv2.dilate(skin.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    return where & ~near


def garment_features(gray: np.ndarray, grad: np.ndarray, garment: np.ndarray, where: np.ndarray) -> Features:
    """The texture of the garment alone (``garment``: ``where`` without skin): its mean and
    90th-percentile gradient and its share of ``where``."""
    if garment.sum() < _BLOB_PX * _BLOB_PX:
        return {"log_garment": 0.0, "log_garment_p90": 0.0, "garment_share": 0.0}
    g = grad[garment]
    return {"log_garment": math.log1p(float(g.mean())),
            "log_garment_p90": math.log1p(float(np.percentile(g, 90))),
            "garment_share": float(garment.sum() / max(1, where.sum()))}


def coherence(gray: np.ndarray, where: np.ndarray) -> float:
    """The gradient-weighted mean coherence of the local orientation over ``where`` (0: no
    preferred direction, 1: every neighbourhood one direction, as stripes)."""
    if where.sum() < _BLOB_PX * _BLOB_PX:
        return 0.0
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1)
    jxx, jyy, jxy = (cv2.GaussianBlur(v, (0, 0), _TENSOR_SIGMA) for v in (gx * gx, gy * gy, gx * gy))
    trace = jxx + jyy
    coh = np.sqrt((jxx - jyy) ** 2 + 4.0 * jxy * jxy) / (trace + 1e-6)
    weight = np.sqrt(trace)[where]
    return float((coh[where] * weight).sum() / (weight.sum() + 1e-6))


def relative(energy: float, face: float) -> float:
    """A region's mean gradient against the face's at the same scale (log ratio): a soft or
    compressed photo makes both smoother, a print stays busier than the face."""
    return math.log((energy + 1.0) / (face + 1.0))
