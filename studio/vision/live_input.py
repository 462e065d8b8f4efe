"""A live-view frame at analysis size, and the full-size frame its eye detail is cut from.

Frames up to ``max_analysis_side`` px (every camera body's live view up to 1024×680) are
analysed as they are. A larger one (1080p from a capture card, 1920×1280 live view) is analysed
at 1/N of its size, N the smallest whole factor that brings its longest side within
``max_analysis_side`` (1920×1080 → 960×540), scaled by area averaging (OpenCV's fast path for a
whole factor): the face mesh and the frame-wide checks see the smaller image, and the eye crops
(catchlights, glare, eye focus, eyes open) are cut from the full-size frame, as a still's are
(``FrameContext.full``, ``source_scale`` = N).

Raw pixels (:mod:`drivers.video`) are used as they are, never decoded. A JPEG is decoded whole:
a decode at the reduced DCT scale would still need the full-size decode for the eyes of any
headshot at 1080p (the iris of a face 1/3 of a 960-px frame wide is smaller than the eye
checks' patch), and two decodes cost more than one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from drivers.base import LiveFrame
from studio.vision.image import ImageError, decode_jpeg
from studio.vision.timing import Stopwatch


@dataclass(frozen=True, eq=False)
class LiveInput:
    image: np.ndarray  # analysed BGR image
    full: np.ndarray  # the frame at full size
    full_scale: float  # px of ``full`` per analysed px
    native: tuple[int, int]  # (w, h) of the frame as sent


def live_factor(size: tuple[int, int], max_side: float) -> int:
    """1 when the longest side is within ``max_side``, else the smallest whole factor that
    brings it there."""
    longest = max(size)
    return 1 if longest <= max_side or longest <= 0 else math.ceil(longest / max_side)


def live_input(frame: LiveFrame, max_side: float, watch: Stopwatch) -> LiveInput:
    """The frame decoded (or taken as sent) and reduced for analysis; raises ImageError."""
    if frame.pixels is not None:
        full = _checked(frame.pixels)
    else:
        full = watch.timed("decode", lambda: decode_jpeg(frame.jpeg))
    h, w = full.shape[:2]
    k = live_factor((w, h), max_side)
    if k == 1:
        return LiveInput(full, full, 1.0, (w, h))
    small = watch.timed("resize", lambda: cv2.resize(full, (max(1, w // k), max(1, h // k)),
                                                     interpolation=cv2.INTER_AREA))
    return LiveInput(small, full, w / small.shape[1], (w, h))


def _checked(pixels: object) -> np.ndarray:
    if not (isinstance(pixels, np.ndarray) and pixels.ndim == 3 and pixels.shape[2] == 3
            and pixels.dtype == np.uint8):
        raise ImageError("a raw frame must be a BGR uint8 array")
    return pixels
