"""Reading images: live-view JPEGs (fast, optionally at reduced size) and stills from disk.

Every decoder returns 8-bit BGR (OpenCV's order). Unreadable, truncated or unsupported files
raise :class:`ImageError` with a one-line reason, never a half-decoded picture: a truncated
JPEG that OpenCV would silently grey-fill is refused here.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".png"})


class ImageError(ValueError):
    """An image that cannot be analysed (unreadable, truncated, unsupported)."""


def decode_jpeg(data: bytes, *, reduce: int = 1) -> np.ndarray:
    """Decode a JPEG to BGR; ``reduce`` 2, 4 or 8 decodes at that fraction (DCT scaling, cheap)."""
    if len(data) < 4 or data[:2] != b"\xff\xd8":
        raise ImageError("not a JPEG (no start-of-image marker)")
    flag = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
            8: cv2.IMREAD_REDUCED_COLOR_8}.get(reduce)
    if flag is None:
        raise ValueError(f"reduce must be 1, 2, 4 or 8, not {reduce}")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flag)
    if image is None:
        raise ImageError("corrupt JPEG (cannot decode)")
    return image


def _jpeg_complete(data: bytes) -> bool:
    # Cameras and encoders end with EOI (FF D9); some pad a few bytes after it.
    return b"\xff\xd9" in data[-4096:]


def _png_complete(data: bytes) -> bool:
    return b"IEND" in data[-64:]


def load_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read a JPEG or PNG still as 8-bit BGR; raises :class:`ImageError` on any problem.

    16-bit PNGs are scaled to 8 bits (a valid export format, not an error); alpha is dropped
    (composited on white would invent a background: we keep the colour channels as they are).
    """
    path = Path(path)
    if path.is_dir():
        raise ImageError("is a folder")
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise ImageError(f"unsupported file type {path.suffix or '(none)'!r}: JPEG or PNG only")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageError(exc.strerror or str(exc)) from None
    if data[:2] == b"\xff\xd8":
        if not _jpeg_complete(data):
            raise ImageError("truncated JPEG (no end-of-image marker)")
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        if not _png_complete(data):
            raise ImageError("truncated PNG (no IEND chunk)")
    else:
        raise ImageError("not a JPEG or PNG (unknown file signature)")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ImageError("corrupt image (cannot decode)")
    return to_bgr8(image)


def to_bgr8(image: np.ndarray) -> np.ndarray:
    """Any OpenCV image (grey, BGRA, 16-bit, float) as contiguous 8-bit BGR."""
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype != np.uint8:
        image = np.clip(image.astype(np.float32) * (255.0 if image.max() <= 1.0 else 1.0), 0, 255)
        image = image.astype(np.uint8)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    elif image.shape[2] != 3:
        raise ImageError(f"unsupported channel count {image.shape[2]}")
    if image.shape[0] < 16 or image.shape[1] < 16:
        raise ImageError(f"image too small ({image.shape[1]}×{image.shape[0]})")
    return np.ascontiguousarray(image)
