"""A live-view frame's pixels or JPEG bytes, whichever form the source sent.

Camera bodies send JPEGs (:attr:`LiveFrame.jpeg`); a video-capture source sends raw BGR arrays
(:attr:`LiveFrame.pixels`, ``jpeg`` empty) so that 1080p at 60 fps is not encoded on the camera
thread and decoded again by every reader. Readers that need pixels call :func:`frame_bgr`,
readers that need bytes (a recording) call :func:`frame_jpeg`.
"""

from __future__ import annotations

import cv2
import numpy as np

from drivers.base import LiveFrame

JPEG_QUALITY = 90  # a raw frame written to a recording or saved as a frame grab

_REDUCED = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
            8: cv2.IMREAD_REDUCED_COLOR_8}


def is_raw(frame: LiveFrame) -> bool:
    """True when the frame carries pixels rather than JPEG bytes."""
    return frame.pixels is not None


def frame_bgr(frame: LiveFrame, reduce: int = 1) -> np.ndarray | None:
    """The frame as BGR uint8 at 1/``reduce`` (1, 2, 4, 8) of its size; None if it cannot be
    read. Raw pixels are returned as they are (read-only: copy before writing) or area-scaled;
    a JPEG is decoded with DCT scaling."""
    flag = _REDUCED.get(reduce)
    if flag is None:
        raise ValueError(f"reduce must be 1, 2, 4 or 8, not {reduce}")
    if frame.pixels is not None:
        image = frame.pixels
        if reduce == 1:
            return image
        h, w = image.shape[:2]
        return cv2.resize(image, (max(1, w // reduce), max(1, h // reduce)), interpolation=cv2.INTER_AREA)
    decoded = cv2.imdecode(np.frombuffer(frame.jpeg, np.uint8), flag)
    return decoded if decoded is not None else None


def frame_jpeg(frame: LiveFrame, quality: int = JPEG_QUALITY) -> bytes:
    """The frame as JPEG bytes: as sent, or the raw pixels encoded (``quality``)."""
    if frame.pixels is None:
        return frame.jpeg
    return encode_jpeg(frame.pixels, quality)


def encode_jpeg(image: np.ndarray, quality: int = JPEG_QUALITY) -> bytes:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError("the frame could not be encoded as JPEG")
    return buf.tobytes()
