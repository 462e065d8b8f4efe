"""Reading images: live-view JPEGs (fast, optionally at reduced size) and stills from disk.

A large still JPEG is decoded no larger than its analysis needs (:func:`read_still`): libjpeg's
DCT scaling decodes at 1/2, 1/4 or 1/8 size for much less than a full decode (a 24 MP camera
JPEG: ~80 instead of ~170 ms at 1/4), and a larger decode is made only when the eyes need more
detail than the analysed image has.

Every decoder returns 8-bit BGR (OpenCV's order). Unreadable, truncated or unsupported files
raise :class:`ImageError` with a one-line reason, never a half-decoded picture: a truncated
JPEG that OpenCV would silently grey-fill is refused here, with or without an end marker
appended. Nothing is decoded before its header is checked against :class:`ImageLimits`
(:mod:`studio.vision.image_format`), and no file is read that is not a regular file within
the byte limit (:func:`drivers.safe_read.read_capped`): a FIFO or ``/dev/zero`` is refused.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from drivers.base import jpeg_size
from drivers.safe_read import FileRefused, read_capped
from studio.vision.image_format import (
    IMAGE_SUFFIXES,
    ImageError,
    ImageLimits,
    JpegLayout,
    PngLayout,
    check_layout,
    check_size,
    grey_filled,
    image_limits,
)
from studio.vision.jpeg_region import decode_region, stored_box
from studio.vision.orientation import exif_orientation, upright

if TYPE_CHECKING:
    from studio.vision.landmarks import FaceGeometry

__all__ = ["IMAGE_SUFFIXES", "ImageError", "ImageLimits", "StillSource", "decode_jpeg", "exif_orientation",
           "load_image", "read_still", "to_bgr8", "upright"]

GREY_FILLED = "damaged JPEG: part of the picture is missing (decodes as flat grey)"


_REDUCED_FLAGS = {
    1: cv2.IMREAD_COLOR,
    2: cv2.IMREAD_REDUCED_COLOR_2,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    8: cv2.IMREAD_REDUCED_COLOR_8,
}


MIN_SIDE = 16
# A whole frame goes to MediaPipe as it is (live view is not scaled first), whose OpenCV
# aborts the process (SIGABRT in remap) on a side of SHRT_MAX or more: a damaged recording's
# frame claiming 1×65500 killed `studio run`. Stills are scaled before analysis and decode
# with orientation=False, so a wide panorama still is not refused here.
MAX_FRAME_SIDE = 32766


def decode_jpeg(data: bytes, *, reduce: int = 1, orientation: bool = True) -> np.ndarray:
    """Decode a JPEG to BGR; ``reduce`` 2, 4 or 8 decodes at that fraction (DCT scaling, cheap).
    ``orientation=False`` ignores the EXIF orientation, as :func:`load_image` does. A whole
    frame (``orientation=True``, as live view is decoded) must have sides of
    :data:`MIN_SIDE` to :data:`MAX_FRAME_SIDE` px, else :class:`ImageError`."""
    if len(data) < 4 or data[:2] != b"\xff\xd8":
        raise ImageError("not a JPEG (no start-of-image marker)")
    flag = _REDUCED_FLAGS.get(reduce)
    if flag is None:
        raise ValueError(f"reduce must be 1, 2, 4 or 8, not {reduce}")
    if not orientation:
        flag |= cv2.IMREAD_IGNORE_ORIENTATION
    width, height = jpeg_size(data)
    check_size(width, height, 3 * width * height, image_limits())  # before any pixel is made
    if orientation and not (min(width, height) >= MIN_SIDE and max(width, height) <= MAX_FRAME_SIDE):
        raise ImageError(f"frame of {width}×{height} cannot be analysed "
                         f"(each side must be {MIN_SIDE} to {MAX_FRAME_SIDE} px)")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flag)
    if image is None:
        raise ImageError("corrupt JPEG (cannot decode)")
    if grey_filled(image, reduce):
        raise ImageError(GREY_FILLED)
    return image


def load_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read a JPEG or PNG still as 8-bit BGR; raises :class:`ImageError` on any problem.

    16-bit PNGs are scaled to 8 bits (a valid export format, not an error); alpha is dropped
    (composited on white would invent a background: we keep the colour channels as they are).
    """
    data, _ = _read_checked(Path(path))
    return _decode_any(data)


def _decode_any(data: bytes) -> np.ndarray:
    # A 16-bit or alpha PNG is decoded straight to 8-bit BGR (libpng strips while reading): an
    # unchanged decode of a 64 MP 16-bit RGBA PNG held 512 MB plus a 512 MB shifted copy (peak
    # RSS 1335 -> 481 MB). Everything else unchanged: a 196 MP grey PNG decoded to colour at once
    # peaked at 1235 MB, grey first then converted at 862 MB.
    wide = data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 25 and (data[24] == 16 or data[25] in (4, 6))
    flag = cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION if wide else cv2.IMREAD_UNCHANGED
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flag)  # both ignore EXIF
    if image is None:
        raise ImageError("corrupt image (cannot decode)")
    image = to_bgr8(image)
    if data[:2] != b"\xff\xd8":
        return image
    if grey_filled(image):
        raise ImageError(GREY_FILLED)
    return upright(image, exif_orientation(data))


class StillSource:
    """A still read for analysis: ``image`` (decoded at 1/``reduce`` of the ``native`` size)
    and, for a reduced JPEG, the file's bytes to decode larger when detail is needed."""

    def __init__(self, image: np.ndarray, native: tuple[int, int], reduce: int, data: bytes | None) -> None:
        self.image = image
        self.native = native  # (w, h) of the full-size picture
        self.reduce = reduce
        self._data = data
        self._decoded = {reduce: image}
        self.decodes = [reduce]  # every decode made, in order (benchmarks, tests)
        # A full-size canvas holding only the decoded rectangle ``_held`` (upright px); the rest
        # of it is never written nor read (zero pages the system does not even allocate).
        self._canvas: np.ndarray | None = None
        self._held = (0, 0, 0, 0)

    def at_least(self, width: float, face: FaceGeometry | None = None, analysed_w: int = 0) -> np.ndarray:
        """The cheapest decode at least ``width`` px wide, or the full-size one if none is.

        With ``face`` (px of the analysed image, ``analysed_w`` px wide), when the decodes in hand
        are too small: a full-size canvas in which only that face's band and eye squares
        (:func:`~studio.vision.regions.band_rect`) are decoded, instead of a whole larger decode
        (read nothing outside that rectangle: the eye patches and the face band do not)."""
        wide_enough = [im for im in self._decoded.values() if im.shape[1] >= width - 0.5]
        if wide_enough:
            return min(wide_enough, key=lambda im: im.shape[1])
        if self._data is None:
            return self._decoded[min(self._decoded)]
        if face is not None and analysed_w > 0 and 1 not in self._decoded:
            canvas = self._face_canvas(face, self.native[0] / analysed_w)
            if canvas is not None:
                return canvas
        reduce = max(r for r in (1, 2, 4, 8) if r == 1 or math.ceil(self.native[0] / r) >= width - 0.5)
        whole = None
        if reduce == 1:  # libjpeg-turbo itself: the same pixels as OpenCV's, 129 instead of ~200 ms at 24 MP
            stored_w, stored_h = jpeg_size(self._data)
            whole = decode_region(self._data, 0, 0, stored_w, stored_h)
        if whole is None:
            whole = to_bgr8(decode_jpeg(self._data, reduce=reduce, orientation=False))
        image = upright(whole, exif_orientation(self._data))
        self._decoded[reduce] = image
        self.decodes.append(reduce)
        return image

    def region(self, x0: int, y0: int, x1: int, y1: int) -> tuple[np.ndarray, tuple[int, int]]:
        """Full-size pixels of the upright picture's rectangle (clipped to it) and its top-left
        corner: decoded on their own from a reduced JPEG (:mod:`studio.vision.jpeg_region`), else
        cut from the whole picture."""
        w, h = self.native
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        if x1 - x0 < 1 or y1 - y0 < 1:
            raise ValueError(f"empty region {x0},{y0}-{x1},{y1} of a {w}×{h} picture")
        hx0, hy0, hx1, hy1 = self._held
        if self._canvas is not None and hx0 <= x0 and hy0 <= y0 and x1 <= hx1 and y1 <= hy1:
            return self._canvas[y0:y1, x0:x1], (x0, y0)
        if self._data is not None and 1 not in self._decoded:
            orientation = exif_orientation(self._data)
            stored = stored_box(orientation, (x0, y0, x1, y1), (w, h))
            pixels = decode_region(self._data, *stored)
            if pixels is not None:
                self.decodes.append(0)  # 0: a region at full size
                return upright(pixels, orientation), (x0, y0)
        return self.at_least(w)[y0:y1, x0:x1], (x0, y0)

    def _face_canvas(self, face: FaceGeometry, scale: float) -> np.ndarray | None:
        from studio.vision.regions import band_rect  # regions -> context: imported when needed

        w, h = self.native
        x0, y0, x1, y1 = band_rect(face, scale)
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        if x1 - x0 < 1 or y1 - y0 < 1 or (x1 - x0) * (y1 - y0) > 0.5 * w * h:
            return None  # nothing of the face in the picture, or most of it: a whole decode
        canvas = np.zeros((h, w, 3), np.uint8)  # calloc: untouched pages cost nothing
        data = self._data
        assert data is not None  # at_least asks only with the file's bytes in hand
        if exif_orientation(data) == 1 and decode_region(data, x0, y0, x1, y1, out=canvas) is not None:
            self.decodes.append(0)  # decoded in place: no copy
        else:
            pixels, _ = self.region(x0, y0, x1, y1)
            if 1 in self._decoded:  # no region decoder here: the whole picture was decoded instead
                return self._decoded[1]
            canvas[y0:y1, x0:x1] = pixels
        self._canvas, self._held = canvas, (x0, y0, x1, y1)
        return canvas



# A still is decoded at the smallest DCT scale that is at least this many times the analysis
# size: the analysed image is scaled down from it (its eye patches too, when it holds an iris of
# eye_patch_iris_px; else the face's band is decoded at full size on its own: StillSource.at_least
# with a face). Measured on 24 MP camera-like JPEGs (CPU, one core): 1/2 scale ~100 ms, 1/4 ~86,
# 1/8 ~75, full ~131 (libjpeg-turbo) / ~185 (cv2.imdecode): the entropy decoding (~70 ms) is paid
# at every scale. 1/4 (factor 1) would save ~15 ms of decode and resize a still, but its DCT-scaled
# pixels move the landmarks more than the 1/2 decode's (area-reduced like a whole decode's):
# tests/test_vision_speed.py's crop name of a 24 MP copy of ultralytics__zidane flipped (7.82
# against 7.85 IED below the chin, the cut between them).
STILL_DETAIL_FACTOR = 2.0


def read_still(path: str | os.PathLike[str], analysis_side: float) -> StillSource:
    """Read a still for analysis at ≤ ``analysis_side`` px; raises :class:`ImageError`.

    A JPEG at least :data:`STILL_DETAIL_FACTOR` times that size is decoded at a reduced DCT
    scale still that large (the pixels :func:`load_image` gives, scaled; both turned upright
    by the EXIF orientation); PNGs and smaller JPEGs are read whole."""
    data, layout = _read_checked(Path(path))
    _check_shape(layout.width, layout.height, analysis_side)
    if isinstance(layout, JpegLayout):
        w, h = layout.width, layout.height
        orientation = exif_orientation(data)
        if orientation >= 5:  # stored turned by 90°: the upright picture is h wide
            w, h = h, w
        want = STILL_DETAIL_FACTOR * analysis_side
        fits = [r for r in (8, 4, 2) if min(w, h) >= 16 * r and max(w, h) / r >= want]
        reduce = max(fits, default=1)
        if reduce > 1:
            image = upright(to_bgr8(decode_jpeg(data, reduce=reduce, orientation=False)), orientation)
            return StillSource(image, (w, h), reduce, data)
    image = _decode_any(data)
    return StillSource(image, (image.shape[1], image.shape[0]), 1, None)


MIN_ANALYSED_SIDE = 16  # px: the smallest side a picture may have once scaled to the analysis size


def _check_shape(width: int, height: int, analysis_side: float) -> None:
    """Refuse a sliver (16×60000) that scaling to the analysis size would make 0 px wide."""
    scale = min(1.0, analysis_side / max(width, height))
    if scale < 1.0 and min(width, height) * scale < MIN_ANALYSED_SIDE:  # smaller: to_bgr8's rule
        raise ImageError(f"image too narrow to analyse ({width}×{height}): its shorter side would be "
                         f"under {MIN_ANALYSED_SIDE} px at the analysis size ({analysis_side:g} px)")


def _read_checked(path: Path) -> tuple[bytes, JpegLayout | PngLayout]:
    """The file's bytes and its checked layout; :class:`ImageError` for anything else."""
    if path.is_dir():
        raise ImageError("is a folder")
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise ImageError(f"unsupported file type {path.suffix or '(none)'!r}: JPEG or PNG only")
    limits = image_limits()
    try:
        data = read_capped(path, limits.max_bytes)  # a FIFO or device is refused, never opened
    except FileRefused as exc:
        raise ImageError(str(exc).replace(f"{path} ", "", 1)) from None
    except OSError as exc:
        raise ImageError(exc.strerror or str(exc)) from None
    return data, check_layout(data, limits)


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
