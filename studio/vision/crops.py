"""Regions cut from a frame for the checks: the level eye band (:class:`Aligned`) and one eye at
the best resolution available (:class:`EyePatch`). Pure functions of an image and a face."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from studio.vision.landmarks import FaceGeometry


@dataclass(frozen=True, eq=False)
class EyePatch:
    """One eye cut from the best-resolution image available (the full-size still when there is
    one). Coordinates inside the patch are patch pixels."""

    side: str
    gray: np.ndarray  # float32 0..255
    bgr: np.ndarray
    iris_centre: tuple[float, float]
    iris_radius: float
    opening: np.ndarray  # uint8 mask of the eye opening (eyelid polygon)
    scale: float  # patch px per analysed-image px
    origin: tuple[float, float]  # analysed-image px of the patch's (0, 0)

    def to_image(self, x: float, y: float) -> tuple[float, float]:
        return (self.origin[0] + x / self.scale, self.origin[1] + y / self.scale)


ALIGNED_IED = 128.0
ALIGNED_EYE_Y = 104.0  # the band kept: brows to cheeks (rows for glasses, lenses and cheeks)
ALIGNED_SIZE = (512, 256)


@dataclass(frozen=True, eq=False)
class Aligned:
    """The eye band of a face warped so the eyes are level: IED = 128 px, eye midpoint at
    (256, 104), 512 × 256 px (brows to mid-cheeks; the rest of the face is not needed)."""

    bgr: np.ndarray
    gray: np.ndarray  # float32
    points: np.ndarray  # landmarks (x, y) in aligned px
    matrix: np.ndarray  # 2x3, analysed px -> aligned px

    @classmethod
    def of(cls, image: np.ndarray, face: FaceGeometry) -> Aligned:
        r, left = face.right_eye.centre, face.left_eye.centre
        angle = np.degrees(np.arctan2(left[1] - r[1], left[0] - r[0]))
        k = ALIGNED_IED / face.ied
        mid = (r + left) / 2.0
        m = np.asarray(cv2.getRotationMatrix2D((float(mid[0]), float(mid[1])), float(angle), k), np.float64)
        m[:, 2] += np.array([256.0, ALIGNED_EYE_Y]) - mid
        bgr = cv2.warpAffine(image, m, ALIGNED_SIZE, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        pts = face.xy @ m[:, :2].T + m[:, 2]
        gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float32)
        return cls(bgr, gray, pts, m)

    def to_image(self, pts: np.ndarray) -> np.ndarray:
        inv = cv2.invertAffineTransform(self.matrix)
        return np.asarray(pts, np.float64) @ inv[:, :2].T + inv[:, 2]


def cut_eye(
    full: np.ndarray, full_scale: float, face: FaceGeometry, side: str, max_iris_px: float
) -> EyePatch | None:
    """One eye of ``face`` (analysed px) cut from ``full`` (``full_scale`` px per analysed px)
    with an iris of at most ``max_iris_px`` across."""
    eye = face.eye(side)
    # Square around the eye: the whole opening plus lashes and a little lid/brow margin.
    half = 0.75 * max(eye.width, 1.0)
    cx, cy = (eye.corners[0] + eye.corners[1]) / 2.0
    # Resolution: as much detail as the source has, but no more than needed (an iris of
    # ~max_iris_px across), so a 45 MP still costs what a small one does.
    iris_full = 2.0 * eye.iris_radius * full_scale
    k = full_scale * min(1.0, max_iris_px / max(iris_full, 1e-6))
    fx0, fy0 = (cx - half) * full_scale, (cy - half) * full_scale
    fx1, fy1 = (cx + half) * full_scale, (cy + half) * full_scale
    fh, fw = full.shape[:2]
    ix0, iy0, ix1, iy1 = int(max(0, fx0)), int(max(0, fy0)), int(min(fw, fx1)), int(min(fh, fy1))
    if ix1 - ix0 < 4 or iy1 - iy0 < 4:
        return None
    crop = full[iy0:iy1, ix0:ix1]
    r = k / full_scale  # patch px per full px
    if r < 0.999:
        crop = cv2.resize(
            crop,
            (max(4, round(crop.shape[1] * r)), max(4, round(crop.shape[0] * r))),
            interpolation=cv2.INTER_AREA,
        )
        r = crop.shape[1] / (ix1 - ix0)
    scale = r * full_scale  # patch px per analysed px
    origin = (ix0 / full_scale, iy0 / full_scale)

    def to_patch(pts: np.ndarray) -> np.ndarray:
        return (pts - np.array(origin)) * scale

    opening = np.zeros(crop.shape[:2], np.uint8)
    cv2.fillPoly(opening, [np.round(to_patch(eye.contour)).astype(np.int32)], (255,))
    c = to_patch(eye.centre[None, :])[0]
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY).astype(np.float32)
    return EyePatch(
        side, gray, crop, (float(c[0]), float(c[1])), eye.iris_radius * scale, opening, scale, origin
    )
