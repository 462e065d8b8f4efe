"""Optional extra files per shot: a black-and-white version and a headshot crop.

Both are written next to the colour file with the same base name (``<base>.bw.jpg``,
``<base>.crop-4x5.jpg``), atomically, never over an existing file. The colour file is never
touched. The B&W file keeps the original's EXIF block (camera, exposure, orientation): its pixels
are converted as stored, so the orientation tag still applies.
"""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np

from drivers.download import write_atomic
from studio.analysis import Analysis
from studio.session.files import BW_MARK, CROP_MARK, base_of

log = logging.getLogger(__name__)

ASPECTS = {"4:5": (4, 5), "1:1": (1, 1)}
JPEG_QUALITY = 95
# Headshot crop geometry (heuristic, portrait convention): the face box fills this much of the
# crop's height and the eye line sits this far down from the top.
FACE_HEIGHT_SHARE = 0.42
EYE_LINE = 0.38


def _read(path: Path, *, oriented: bool) -> np.ndarray:
    flags = cv2.IMREAD_COLOR if oriented else cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION
    image = cv2.imread(str(path), flags)
    if image is None:
        raise ValueError(f"cannot read {path.name} for deliverables")
    return image


def _encode(image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return buf.tobytes()


def _exif_segment(jpeg: bytes) -> bytes | None:
    """The APP1 ``Exif`` segment of a JPEG, with its marker and length, if any."""
    i = 2
    while i + 4 <= len(jpeg) and jpeg[i] == 0xFF:
        marker = jpeg[i + 1]
        length = int.from_bytes(jpeg[i + 2:i + 4], "big")
        if marker == 0xE1 and jpeg[i + 4:i + 10] == b"Exif\0\0":
            return jpeg[i:i + 2 + length]
        if marker == 0xDA:
            break
        i += 2 + length
    return None


def black_and_white(photo: Path) -> Path:
    """Write ``<base>.bw.jpg`` (luminance, EXIF kept) next to ``photo``; returns its path."""
    original = photo.read_bytes()
    image = _read(photo, oriented=False)
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    data = _encode(grey)
    exif = _exif_segment(original)
    if exif:
        data = data[:2] + exif + data[2:]
    return write_atomic(photo.with_name(f"{base_of(photo)}{BW_MARK}.jpg"), data)


def crop_box(analysis: Analysis, size: tuple[int, int], aspect: str) -> tuple[int, int, int, int]:
    """Pixel crop ``(x, y, w, h)`` of a headshot at ``aspect`` around the analysed face.

    The face box fills :data:`FACE_HEIGHT_SHARE` of the height with the eye line at
    :data:`EYE_LINE`; a crop that would leave the image is shrunk around the face, keeping the
    aspect. Raises :class:`ValueError` without a face.
    """
    if analysis.subject is None:
        raise ValueError("no face found: no headshot crop")
    if aspect not in ASPECTS:
        raise ValueError(f"crop aspect must be one of {', '.join(ASPECTS)}, not {aspect!r}")
    aw, ah = ASPECTS[aspect]
    width, height = size
    fx, fy, fw, fh = analysis.subject.box
    face_h = fh * height
    le, re_ = analysis.subject.left_eye, analysis.subject.right_eye
    eye_y = ((le[1] + le[3] / 2) + (re_[1] + re_[3] / 2)) / 2 * height
    centre_x = (fx + fw / 2) * width
    crop_h = face_h / FACE_HEIGHT_SHARE
    crop_w = crop_h * aw / ah
    # Shrink (keeping the aspect) until the crop fits in the image around the face.
    top = eye_y - EYE_LINE * crop_h
    scale = min(1.0, width / crop_w, height / crop_h)
    if top < 0:
        scale = min(scale, eye_y / (EYE_LINE * crop_h))
    crop_w, crop_h = crop_w * scale, crop_h * scale
    top = min(max(0.0, eye_y - EYE_LINE * crop_h), height - crop_h)
    left = min(max(0.0, centre_x - crop_w / 2), width - crop_w)
    return int(round(left)), int(round(top)), int(round(crop_w)), int(round(crop_h))


def headshot_crop(photo: Path, analysis: Analysis, aspect: str = "4:5") -> Path:
    """Write ``<base>.crop-4x5.jpg`` (or ``crop-1x1``) next to ``photo``; returns its path."""
    image = _read(photo, oriented=True)
    height, width = image.shape[:2]
    x, y, w, h = crop_box(analysis, (width, height), aspect)
    if w < 16 or h < 16:
        raise ValueError("the face is too small for a headshot crop")
    tag = aspect.replace(":", "x")
    return write_atomic(photo.with_name(f"{base_of(photo)}{CROP_MARK}{tag}.jpg"),
                        _encode(image[y:y + h, x:x + w]))
