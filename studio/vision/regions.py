"""The face band of a frame or still: eyes level, cut from the best-resolution image, with the
regions eye focus compares (each eye, the brows, the mouth, the nose).

A still's band is cut at its native resolution (every pixel the photographer sees at 100 %),
only reduced past a cost bound; live view reduces it to a small fixed size. The best-resolution
image is the context's :attr:`~studio.vision.context.FrameContext.full`: the still read whole, or
a large JPEG decoded again, larger, when its reduced decode is not enough for the eyes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import cv2
import numpy as np

from studio.vision.context import FrameContext
from studio.vision.landmarks import (
    LEFT_BROW,
    LEFT_EYE_CONTOUR,
    LEFT_IRIS,
    MOUTH,
    NOSE_OUTLINE,
    RIGHT_BROW,
    RIGHT_EYE_CONTOUR,
    RIGHT_IRIS,
    SIDES,
    FaceGeometry,
)

# What the measurement is (not verdicts): the face band warped level, from the brows (0.55 IED
# above the eyes) to below the mouth, 2.4 IED wide; each region's polygon grown by a share of the
# IED to take in its edges; catchlight discs grown by a few px.
BAND_SIZE_IED = (2.4, 1.9)
BAND_EYE_Y_IED = 0.55
GROW_IED = {"eye": 0.06, "brows": 0.05, "mouth": 0.04, "nose": 0.03}
HIGHLIGHT_GROW_PX = 5
# Cost only: a band smaller than this is made whole even when only its regions are asked for
# (five small warps cost more than one).
PIECES_MIN_PX = 250_000


def band_rect(s: FaceGeometry, scale: float, margin: float = 4.0) -> tuple[int, int, int, int]:
    """The upright rectangle (x0, y0, x1, y1; px of an image ``scale`` times the analysed one)
    holding the face band of ``s`` turned by its roll, both eye patches' squares
    (crops.cut_eye: 0.75 eye widths around each eye) and ``margin`` px for interpolation."""
    ied = s.ied * scale
    r, left = s.right_eye.centre * scale, s.left_eye.centre * scale
    angle = float(np.arctan2(left[1] - r[1], left[0] - r[0]))
    half_w, top = BAND_SIZE_IED[0] / 2.0 * ied, BAND_EYE_Y_IED * ied
    corners = np.array([[-half_w, -top], [half_w, -top], [-half_w, BAND_SIZE_IED[1] * ied - top],
                        [half_w, BAND_SIZE_IED[1] * ied - top]])
    c, si = np.cos(angle), np.sin(angle)
    pts = [corners @ np.array([[c, si], [-si, c]]) + (r + left) / 2.0]
    for side in SIDES:
        eye = s.eye(side)
        half = 0.75 * max(eye.width, 1.0) * scale
        centre = (eye.corners[0] + eye.corners[1]) / 2.0 * scale
        pts.append(np.array([centre - half, centre + half]))
    every = np.concatenate(pts)
    (x0, y0), (x1, y1) = np.floor(every.min(axis=0) - margin), np.ceil(every.max(axis=0) + margin)
    return int(x0), int(y0), int(x1), int(y1)


@dataclass(frozen=True)
class FaceBand:
    """One face warped level: grey pixels, landmarks and region masks in band px."""

    gray: np.ndarray  # float32
    pts: np.ndarray
    ied: float  # inter-eye distance in the band, px
    scale: float  # band px per px of the best-resolution image (1: native)
    iris_px: Mapping[str, float]  # side -> iris diameter in the band, px
    masks: Mapping[str, np.ndarray]  # "right", "left" (catchlights out), "brows", "mouth", "nose"
    # face_band(reach=...): one band per region holding only its part (and its mask); then
    # ``gray`` is empty and ``masks`` too.
    pieces: tuple[FaceBand, ...] = ()


def face_band(
    ctx: FrameContext, s: FaceGeometry, limit_ied: float, catchlight_contrast: float,
    source: tuple[np.ndarray, float, tuple[float, float]] | None = None, reach: int = -1,
) -> FaceBand:
    """The band of ``s`` from ``ctx.full`` at native size, or reduced to ``limit_ied``; or from
    ``source``: (pixels, their px per analysed px, the pixels' top-left corner in those px), a
    full-size region of a still decoded on its own (checks/focus.py).

    ``reach`` ≥ 0: only each region's part of the band (its box, an eye's iris disc, plus
    ``reach`` px) is made, as :attr:`FaceBand.pieces`: the same values for a measure that reads
    no farther than ``reach`` px around a region (a native band of a 24 MP headshot is ~3 MP,
    its regions' boxes about a third of it)."""
    full, full_scale, origin = source if source is not None else (ctx.full, ctx.full_scale, (0.0, 0.0))
    m, size, pts, ied, k, iris_px = _geometry(s, full_scale, origin, limit_ied)
    if reach < 0 or size[0] * size[1] < PIECES_MIN_PX:
        return _warped(full, m, size, pts, ied, k, iris_px, catchlight_contrast)
    pieces = []  # each region's own part of the band: shift the output by its corner
    for name, parts in _REGIONS.items():
        x0, y0, x1, y1 = _region_box(name, parts, pts, ied, iris_px, reach, size)
        shifted = m.copy()
        shifted[:, 2] -= (x0, y0)
        pieces.append(_warped(full, shifted, (x1 - x0, y1 - y0), pts - (x0, y0), ied, k, iris_px,
                              catchlight_contrast, name))
    return FaceBand(np.zeros((0, 0), np.float32), pts, ied, k, iris_px, {}, tuple(pieces))


def _geometry(
    s: FaceGeometry, full_scale: float, origin: tuple[float, float], limit_ied: float
) -> tuple[np.ndarray, tuple[int, int], np.ndarray, float, float, dict[str, float]]:
    """The band's warp (source px -> band px), size, landmarks, IED, scale and iris sizes."""
    native_ied = s.ied * full_scale
    k = min(1.0, limit_ied / max(native_ied, 1e-6))  # band px per full px
    r, left = s.right_eye.centre, s.left_eye.centre
    angle = float(np.degrees(np.arctan2(left[1] - r[1], left[0] - r[0])))
    mid = (r + left) / 2.0 * full_scale - np.asarray(origin)
    ied = native_ied * k
    size = (int(BAND_SIZE_IED[0] * ied), int(BAND_SIZE_IED[1] * ied))
    m = np.asarray(cv2.getRotationMatrix2D((float(mid[0]), float(mid[1])), angle, k), np.float64)
    m[:, 2] += np.array([size[0] / 2, BAND_EYE_Y_IED * ied]) - mid
    pts = (s.xy * full_scale - np.asarray(origin)) @ m[:, :2].T + m[:, 2]
    iris_px = {side: 2.0 * s.eye(side).iris_radius * full_scale * k for side in SIDES}
    return m, size, pts, ied, k, iris_px


def pieces_rect(
    s: FaceGeometry, scale: float, limit_ied: float, reach: int, margin: float = 4.0
) -> tuple[int, int, int, int]:
    """The upright rectangle (px of an image ``scale`` times the analysed one) that
    :func:`face_band` with ``reach`` reads from such an image: its regions' pieces mapped back,
    plus ``margin`` px; :func:`band_rect` when the band is made whole."""
    m, size, pts, ied, _, iris_px = _geometry(s, scale, (0.0, 0.0), limit_ied)
    if reach < 0 or size[0] * size[1] < PIECES_MIN_PX:
        return band_rect(s, scale, margin)
    corners = []
    for name, parts in _REGIONS.items():
        x0, y0, x1, y1 = _region_box(name, parts, pts, ied, iris_px, reach, size)
        corners += [(x0, y0), (x1, y0), (x0, y1), (x1, y1)]
    inv = cv2.invertAffineTransform(m)
    src = np.asarray(corners, np.float64) @ inv[:, :2].T + inv[:, 2]
    (x0, y0), (x1, y1) = np.floor(src.min(axis=0) - margin), np.ceil(src.max(axis=0) + margin)
    return int(x0), int(y0), int(x1), int(y1)


def _warped(
    full: np.ndarray, m: np.ndarray, size: tuple[int, int], pts: np.ndarray, ied: float, k: float,
    iris_px: Mapping[str, float], catchlight_contrast: float, only: str | None = None,
) -> FaceBand:
    flags = cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR
    band = cv2.warpAffine(full, m, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
    gray = cv2.cvtColor(band, cv2.COLOR_BGR2GRAY).astype(np.float32)
    masks = _masks(gray, pts, ied, iris_px, catchlight_contrast, only)
    return FaceBand(gray, pts, ied, k, iris_px, masks)


_REGIONS = {"right": ((RIGHT_EYE_CONTOUR, "eye"),), "left": ((LEFT_EYE_CONTOUR, "eye"),),
            "brows": ((RIGHT_BROW, "brows"), (LEFT_BROW, "brows")), "mouth": ((MOUTH, "mouth"),),
            "nose": ((NOSE_OUTLINE, "nose"),)}


def _region_box(
    name: str, parts: tuple[tuple[tuple[int, ...], str], ...], pts: np.ndarray, ied: float,
    iris_px: Mapping[str, float], reach: int, size: tuple[int, int],
) -> tuple[int, int, int, int]:
    """The box (band px, within the band) of one region's grown polygon(s), for an eye its iris
    disc and the catchlights' dilation too, plus ``reach`` px."""
    lo, hi = np.array(size, np.float64), np.zeros(2)
    for idx, part in parts:
        poly = np.round(pts[list(idx)])
        grow = max(1, int(GROW_IED[part] * ied))
        lo, hi = np.minimum(lo, poly.min(axis=0) - grow), np.maximum(hi, poly.max(axis=0) + grow)
    if name in SIDES:
        r = max(1, int(iris_px[name] / 2)) + HIGHLIGHT_GROW_PX
        c = np.round(pts[(RIGHT_IRIS if name == "right" else LEFT_IRIS)[0]])
        lo, hi = np.minimum(lo, c - r), np.maximum(hi, c + r)
    x0, y0 = np.maximum(np.floor(lo) - reach - 2, 0).astype(int)
    x1, y1 = np.minimum(np.ceil(hi) + reach + 3, size).astype(int)
    if x1 <= x0 or y1 <= y0:
        return 0, 0, 1, 1
    return int(x0), int(y0), int(x1), int(y1)


def _masks(
    gray: np.ndarray, pts: np.ndarray, ied: float, iris_px: Mapping[str, float], contrast: float,
    only: str | None = None,
) -> dict[str, np.ndarray]:
    """Every region's mask, or ``only`` that one."""
    masks: dict[str, np.ndarray] = {}
    for name, parts in _REGIONS.items():
        if only is not None and name != only:
            continue
        grown = [_polygon(gray.shape, pts, idx, max(1, int(GROW_IED[part] * ied))) for idx, part in parts]
        mask = (grown[0] | grown[1]) > 0 if len(grown) > 1 else grown[0] > 0
        if name in SIDES:
            mask &= _without_catchlights(gray, pts, iris_px, contrast)
        masks[name] = mask
    return masks


def _polygon(shape: tuple[int, ...], pts: np.ndarray, idx: tuple[int, ...], grow_px: int) -> np.ndarray:
    mask: np.ndarray = np.zeros(shape, np.uint8)
    poly = np.round(pts[list(idx)]).astype(np.int32)
    # Filled and grown inside the polygon's own box only (the same pixels as over the whole
    # band: a still's native band is ~1.4 MP, and dilating it whole cost ~18 ms a still).
    x0, y0 = np.maximum(poly.min(axis=0) - grow_px - 1, 0)
    x1, y1 = np.minimum(poly.max(axis=0) + grow_px + 2, (shape[1], shape[0]))
    if x1 <= x0 or y1 <= y0:
        return mask
    sub = mask[y0:y1, x0:x1]
    cv2.fillPoly(sub, [poly - np.array([x0, y0], np.int32)], (255,))
    if grow_px > 0:
        sub[:] = cv2.dilate(sub, np.ones((2 * grow_px + 1, 2 * grow_px + 1), np.uint8))
    return mask


def _without_catchlights(
    gray: np.ndarray, pts: np.ndarray, iris_px: Mapping[str, float], contrast: float
) -> np.ndarray:
    """Where no catchlight is (their edges always read sharp): bright spots inside each iris."""
    highlights = np.zeros(gray.shape, np.uint8)
    h, w = gray.shape[:2]
    for side, centre in (("right", RIGHT_IRIS[0]), ("left", LEFT_IRIS[0])):
        c, r = pts[centre], max(1, int(iris_px[side] / 2))
        cx, cy = int(round(c[0])), int(round(c[1]))
        # The disc drawn in its own box (the same pixels as over the whole band, far cheaper).
        x0, y0, x1, y1 = max(0, cx - r - 1), max(0, cy - r - 1), min(w, cx + r + 2), min(h, cy + r + 2)
        if x1 <= x0 or y1 <= y0:
            continue
        disc = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.circle(disc, (cx - x0, cy - y0), r, (255,), -1)
        sub = gray[y0:y1, x0:x1]
        inside = sub[disc > 0]
        if inside.size:
            highlights[y0:y1, x0:x1] |= ((sub > np.median(inside) + contrast) & (disc > 0)).astype(np.uint8)
    highlights = np.asarray(cv2.dilate(highlights, np.ones((HIGHLIGHT_GROW_PX, HIGHLIGHT_GROW_PX), np.uint8)))
    return highlights == 0
