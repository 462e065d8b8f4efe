"""A live-view frame at analysis size, and where its eye detail comes from.

Frames up to ``max_analysis_side`` px (every camera body's live view up to 1024×680) are
analysed as they are. A larger one (1080p from a capture card, 1920×1280 live view) is analysed
at 1/N of its size, N the smallest whole factor that brings its longest side within
``max_analysis_side`` (1920×1080 → 960×540): the face mesh and the frame-wide checks see the
smaller image, and the eye crops (catchlights, glare, eye focus, eyes open) are cut from the
full-size frame, as a still's are (``FrameContext.full``).

- raw pixels (:mod:`drivers.video`): scaled down by area averaging at that whole factor (OpenCV's
  fast path); the full-size array is the detail source, no decode at all;
- a JPEG: decoded at the DCT scale of that factor (2, 4 or 8: far cheaper than a full decode), and
  decoded again at full size only when the subject's eyes need the detail
  (:class:`~studio.vision.image.StillSource`, as for stills).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from drivers.base import LiveFrame, jpeg_size
from studio.vision.image import ImageError, StillSource, decode_jpeg
from studio.vision.timing import Stopwatch

DCT_FACTORS = (2, 4, 8)


@dataclass(frozen=True, eq=False)
class LiveInput:
    image: np.ndarray  # analysed BGR image
    full: np.ndarray  # best-resolution image at hand (``image`` for a reduced JPEG)
    full_scale: float  # px of ``full`` per analysed px
    detail: StillSource | None  # a reduced JPEG: decoded larger on demand
    native: tuple[int, int]  # (w, h) of the frame as sent


def live_factor(size: tuple[int, int], max_side: float) -> int:
    """1 when the longest side is within ``max_side``, else the smallest whole factor that
    brings it there."""
    longest = max(size)
    return 1 if longest <= max_side or longest <= 0 else math.ceil(longest / max_side)


def live_input(frame: LiveFrame, max_side: float, watch: Stopwatch) -> LiveInput:
    """The frame decoded (or taken) and reduced for analysis; raises ImageError."""
    if frame.pixels is not None:
        return watch.timed("resize", lambda: _from_pixels(frame.pixels, max_side))
    return watch.timed("decode", lambda: _from_jpeg(frame.jpeg, max_side))


def _from_pixels(pixels: np.ndarray, max_side: float) -> LiveInput:
    if not isinstance(pixels, np.ndarray) or pixels.ndim != 3 or pixels.shape[2] != 3 \
            or pixels.dtype != np.uint8:
        raise ImageError("a raw frame must be a BGR uint8 array")
    h, w = pixels.shape[:2]
    k = live_factor((w, h), max_side)
    if k == 1:
        return LiveInput(pixels, pixels, 1.0, None, (w, h))
    small = cv2.resize(pixels, (max(1, w // k), max(1, h // k)), interpolation=cv2.INTER_AREA)
    return LiveInput(small, pixels, w / small.shape[1], None, (w, h))


def _from_jpeg(data: bytes, max_side: float) -> LiveInput:
    w, h = jpeg_size(data)
    k = live_factor((w, h), max_side) if w and h else 1
    reduce = next((r for r in DCT_FACTORS if r >= k), DCT_FACTORS[-1]) if k > 1 else 1
    image = decode_jpeg(data, reduce=reduce)
    if reduce == 1:
        return LiveInput(image, image, 1.0, None, (image.shape[1], image.shape[0]))
    detail = StillSource(image, (w, h), reduce, data)
    return LiveInput(image, image, 1.0, detail, (w, h))
