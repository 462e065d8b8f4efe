"""Which way up a still is meant to be seen: the EXIF orientation tag, and turning pixels by it.

Cameras store a vertical shot as landscape pixels plus the tag. OpenCV applies it for a
full-size decode but not for a reduced (DCT-scaled) one, so stills are decoded ignoring it and
turned upright with :func:`upright`, whatever the decode size (:mod:`studio.vision.image`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import cv2
import numpy as np

__all__ = ["exif_orientation", "upright"]


def exif_orientation(data: bytes) -> int:
    """The EXIF orientation (1-8) of a JPEG, 1 when it has none.

    Cameras store a vertical shot as landscape pixels plus this tag. OpenCV applies it for a
    full-size decode but not for a reduced (DCT-scaled) one, so stills are decoded ignoring it
    and turned upright with :func:`upright`, whatever the decode size.
    """
    i, n = 2, min(len(data), 1 << 17)  # the Exif block sits in the first segments
    while i + 4 <= n and data[i] == 0xFF:
        marker = data[i + 1]
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if marker == 0xE1 and data[i + 4:i + 10] == b"Exif\0\0":
            return _tiff_orientation(data[i + 10:i + 2 + length])
        if marker == 0xDA:  # image data: no Exif before it
            break
        i += 2 + length
    return 1


def _tiff_orientation(tiff: bytes) -> int:
    if len(tiff) < 8 or tiff[:2] not in (b"II", b"MM"):
        return 1
    order: Literal["little", "big"] = "little" if tiff[:2] == b"II" else "big"
    ifd = int.from_bytes(tiff[4:8], order)
    if ifd + 2 > len(tiff):
        return 1
    for k in range(int.from_bytes(tiff[ifd:ifd + 2], order)):
        entry = ifd + 2 + 12 * k
        if entry + 12 > len(tiff):
            break
        if int.from_bytes(tiff[entry:entry + 2], order) == 0x0112:
            value = int.from_bytes(tiff[entry + 8:entry + 10], order)
            return value if 1 <= value <= 8 else 1
    return 1


def upright(image: np.ndarray, orientation: int) -> np.ndarray:
    """``image`` (decoded ignoring EXIF) turned the way the camera meant it to be seen."""
    turns: dict[int, Callable[[np.ndarray], Any]] = {
        2: lambda im: cv2.flip(im, 1),
        3: lambda im: cv2.rotate(im, cv2.ROTATE_180),
        4: lambda im: cv2.flip(im, 0),
        5: cv2.transpose,
        6: lambda im: cv2.rotate(im, cv2.ROTATE_90_CLOCKWISE),
        7: lambda im: cv2.flip(cv2.transpose(im), -1),
        8: lambda im: cv2.rotate(im, cv2.ROTATE_90_COUNTERCLOCKWISE),
    }
    turn = turns.get(orientation)
    return np.ascontiguousarray(turn(image)) if turn else image
