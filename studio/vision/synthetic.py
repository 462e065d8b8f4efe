"""Synthetic faults with a known truth, made from real photos (for evaluation and tests).

Each function takes a BGR image and the subject's landmarks in that image's pixels (478, ≥2)
and returns a new image with one fault: missed focus on the eyes, whole-image blur, dark or
bright exposure, the head cut at the top, a low eye line, catchlights removed or added, glare
on the lenses.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

RIGHT_IRIS, LEFT_IRIS = 468, 473


def _feather(mask: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(mask.astype(np.float32), (0, 0), max(0.5, sigma))[..., None]


def _blend(a: np.ndarray, b: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    return np.clip(a * (1 - alpha) + b * alpha, 0, 255).astype(np.uint8)


def _eyes(lm: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    r, left = lm[RIGHT_IRIS, :2], lm[LEFT_IRIS, :2]
    return r, left, float(np.linalg.norm(left - r))


def iris_radius(lm: np.ndarray, centre: int) -> float:
    return float(np.mean(np.linalg.norm(lm[centre + 1 : centre + 5, :2] - lm[centre, :2], axis=1)))


def blur_eyes(image: np.ndarray, lm: np.ndarray, amount: float = 0.03, floor_px: float = 1.5) -> np.ndarray:
    """Missed focus: the eyes, lids and lashes blurred by ``amount`` × IED (at least
    ``floor_px``), the rest sharp. ``amount=0.01, floor_px=0`` is "slightly soft at 100 %"."""
    h, w = image.shape[:2]
    r, left, ied = _eyes(lm)
    mask = np.zeros((h, w), np.uint8)
    for c in (r, left):
        cv2.ellipse(mask, (int(c[0]), int(c[1])), (int(0.42 * ied), int(0.26 * ied)), 0, 0, 360, (255,), -1)
    blurred = cv2.GaussianBlur(image, (0, 0), max(floor_px, amount * ied, 0.3))
    return _blend(image, blurred, _feather(mask > 0, 0.06 * ied))


def blur_all(image: np.ndarray, lm: np.ndarray, amount: float = 0.035) -> np.ndarray:
    _, _, ied = _eyes(lm)
    return cv2.GaussianBlur(image, (0, 0), max(1.5, amount * ied))


def recompress(image: np.ndarray, quality: int = 80) -> np.ndarray:
    """A sharp control: the same photo through one more JPEG generation."""
    return cv2.imdecode(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1], cv2.IMREAD_COLOR)


CLIPPED_LEVEL = 250  # a channel at or above this was clipped: its true level is unknown


def darken(image: np.ndarray, stops: float = 2.5, keep_clipped: bool = False) -> np.ndarray:
    """Under-exposure by ``stops`` (applied in linear light, sRGB-like gamma 2.2).

    ``keep_clipped``: pixels clipped in the original (a lamp, a window, a blown backdrop) stay
    clipped, as they would in a camera two stops under: their light was beyond the sensor's
    range, so the darker frame still has a bright end."""
    lut = np.clip(((np.arange(256) / 255.0) ** 2.2 * 2.0**-stops) ** (1 / 2.2) * 255, 0, 255)
    out = cv2.LUT(image, lut.astype(np.uint8))
    if keep_clipped:
        clipped = image.max(axis=2) >= CLIPPED_LEVEL
        out[clipped] = image[clipped]
    return out


def brighten(image: np.ndarray) -> np.ndarray:
    """Over-exposure: skin pushed into clipping."""
    return np.clip(image.astype(np.float32) * 2.6 + 40, 0, 255).astype(np.uint8)


def cut_top(image: np.ndarray, lm: np.ndarray, above_eyes: float = 0.55) -> np.ndarray | None:
    """Crop the frame's top edge ``above_eyes`` × eye-chin distance above the eye line."""
    r, left, _ = _eyes(lm)
    eye_y = (r[1] + left[1]) / 2
    top = int(max(0, eye_y - above_eyes * (lm[152, 1] - eye_y)))
    return image[top:].copy() if top > 0 else None


def lower_eye_line(image: np.ndarray, lm: np.ndarray, to: float = 0.65) -> np.ndarray | None:
    """Add room above (the top row repeated) until the eye line sits at ``to`` of the height."""
    h = image.shape[0]
    r, left, _ = _eyes(lm)
    eye_y = (r[1] + left[1]) / 2
    pad = int(max(0.0, to * h - eye_y) / (1 - to)) + 1
    padded = cv2.copyMakeBorder(image, pad, 0, 0, 0, cv2.BORDER_REPLICATE)
    return padded if (eye_y + pad) / padded.shape[0] > to - 0.05 else None


def remove_catchlights(image: np.ndarray, lm: np.ndarray) -> np.ndarray:
    """Paint the iris colour over every highlight inside both irises: spots brighter than the
    iris median by 18 grey levels, grown by a fifth of the iris radius (their JPEG halo too),
    filled with the median colour of the rest of the iris, edges feathered."""
    out = image.copy()
    h, w = image.shape[:2]
    for centre in (RIGHT_IRIS, LEFT_IRIS):
        cx, cy = lm[centre, :2]
        r = iris_radius(lm, centre)
        disc = np.zeros((h, w), np.uint8)
        cv2.circle(disc, (int(round(cx)), int(round(cy))), max(1, int(round(r * 0.95))), (255,), -1)
        inside = disc > 0
        gray = cv2.cvtColor(out, cv2.COLOR_BGR2GRAY)
        med = np.median(gray[inside])
        grow = max(3, int(round(0.4 * r)) | 1)
        raw = ((gray > med + 18) & inside).astype(np.uint8)
        spots = (cv2.dilate(raw, np.ones((grow, grow), np.uint8)) > 0) & inside
        if spots.any() and (inside & ~spots).any():
            fill = np.full_like(out, np.median(out[inside & ~spots], axis=0).astype(np.uint8))
            out = _blend(out, fill, _feather(spots, 0.04 * r) * inside[..., None])
    return out


def add_catchlights(image: np.ndarray, lm: np.ndarray, hour: int = 10) -> np.ndarray:
    """A small soft white catchlight at ``hour`` o'clock, 55 % of the way to the iris rim."""
    out = image.copy()
    h, w = image.shape[:2]
    angle = math.radians(hour * 30)
    for centre in (RIGHT_IRIS, LEFT_IRIS):
        cx, cy = lm[centre, :2]
        r = iris_radius(lm, centre)
        px, py = cx + 0.55 * r * math.sin(angle), cy - 0.55 * r * math.cos(angle)
        spot = np.zeros((h, w), np.uint8)
        cv2.circle(spot, (int(round(px)), int(round(py))), max(1, int(round(0.2 * r))), (255,), -1)
        out = _blend(out, np.full_like(out, 250), _feather(spot > 0, 0.05 * r))
    return out


def add_glare(image: np.ndarray, lm: np.ndarray, over_eye: bool) -> np.ndarray:
    """A softbox reflection on each lens: over the eye, or a smaller one low and outside it."""
    h, w = image.shape[:2]
    r, left, ied = _eyes(lm)
    blob = np.zeros((h, w), np.uint8)
    for c, outwards in ((r, -1), (left, 1)):
        if over_eye:
            centre, axes = (c[0], c[1]), (0.2 * ied, 0.11 * ied)
        else:
            centre, axes = (c[0] + outwards * 0.12 * ied, c[1] + 0.21 * ied), (0.12 * ied, 0.06 * ied)
        cv2.ellipse(
            blob, (int(centre[0]), int(centre[1])), (int(axes[0]), int(axes[1])), -20, 0, 360, (255,), -1
        )
    return _blend(image, np.full_like(image, 245), _feather(blob > 0, 0.02 * ied) * 0.92)
