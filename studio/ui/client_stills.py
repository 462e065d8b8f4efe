"""The client screen's stills: each decoded off the GUI thread at its place on the client's
display (:class:`~studio.ui.client.ClientScreen`), after its header is checked against the
still limits (:func:`~studio.vision.image_format.check_layout`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PyQt5.QtGui import QImage

from studio.vision.image_format import ImageError, check_layout, image_limits


@dataclass(frozen=True)
class Picture:
    """A still decoded for this screen: ``image`` exactly fits ``area`` (device pixels)."""

    path: Path
    area: tuple[int, int]
    image: QImage | None
    pixels: np.ndarray | None  # the BGRA buffer ``image`` views


REDUCED = ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4), (2, cv2.IMREAD_REDUCED_COLOR_2))


def reduction_for(size: tuple[int, int], area: tuple[int, int]) -> tuple[int, int]:
    """(factor, imread flag): the JPEG decoder's own 1/2, 1/4 or 1/8 scaling when the still is
    still at least as large as its place on the screen after it (a 24 MP still, a 1080p area)."""
    w, h = size
    if w > 0 and h > 0:
        shrink = max(w / area[0], h / area[1])  # the fitted picture is the still / shrink
        for factor, flag in REDUCED:
            if factor <= shrink:
                return factor, flag
    return 1, cv2.IMREAD_COLOR


def decode_for(path: Path, area: tuple[int, int]) -> Picture:
    """``path`` scaled to the largest size that fits ``area`` (up or down), any thread. A file
    over the still limits (:func:`~studio.vision.image_format.check_layout`: a damaged header
    claiming gigapixels, a cut JPEG, not an image) gives no picture, logged in one line."""
    limits = image_limits()
    if path.stat().st_size > limits.max_bytes:
        raise ImageError(f"{path.stat().st_size / 1e6:.0f} MB: larger than any still")
    raw = path.read_bytes()
    layout = check_layout(raw, limits)  # ImageError: one line, the caller logs it
    data = np.frombuffer(raw, np.uint8)
    flag = cv2.IMREAD_COLOR
    if area[0] > 0 and area[1] > 0:
        flag = reduction_for((layout.width, layout.height), area)[1]
    bgr = cv2.imdecode(data, flag) if data.size else None
    if bgr is None or area[0] < 1 or area[1] < 1:
        return Picture(path, area, None, None)
    h, w = bgr.shape[:2]
    scale = min(area[0] / w, area[1] / h)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if size != (w, h):
        bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    pixels = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA))
    image = QImage(pixels.data, pixels.shape[1], pixels.shape[0],  # type: ignore[call-overload]
                   pixels.strides[0], QImage.Format_RGB32)
    return Picture(path, area, image, pixels)
