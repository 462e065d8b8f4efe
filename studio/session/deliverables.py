"""Optional extra files per shot: a black-and-white version and a headshot crop.

Both are written next to the colour file with the same base name (``<base>.bw.jpg``,
``<base>.crop-4x5.jpg``), atomically, never over an existing file. The colour file is never
touched. The B&W file keeps the original's EXIF block (camera, exposure, orientation): its pixels
are converted as stored, so the orientation tag still applies.

The B&W is a portrait conversion, not flat luminance: a channel mix weighted towards red (as a
light orange filter on film: skin a little lighter and smoother, lips and eyes kept darker than
the skin), then a gentle S-curve that gives the mid-tones, where faces sit, more separation.

A deliverable that cannot be written (disk full, folder not writable) raises
:class:`DeliverableSkipped`, one line saying what was skipped and why, with the numbers; the
photo and its sidecars are already on disk by then.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import cv2
import numpy as np

from drivers.base import CameraError, StorageFull
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
# The B&W mix (B, G, R weights; they sum to 1 so white stays white). Luminance (Rec. 601) is
# 0.114, 0.587, 0.299: this moves weight from green to red, like a light orange filter.
BW_MIX = (0.10, 0.45, 0.45)
# Share of the S-curve (smoothstep) blended with the straight line: 0 is flat, 1 is strong.
# At 0.4 mid-tone contrast is 1.2x and the ends are compressed to 0.6x: highlights keep detail.
BW_CURVE = 0.4

MB = 1024 * 1024


class DeliverableSkipped(ValueError):
    """A B&W or crop copy was not written; the message says which and why (one line)."""


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


def portrait_mono(image: np.ndarray) -> np.ndarray:
    """The B&W conversion of a BGR image (uint8, one channel): :data:`BW_MIX`, :data:`BW_CURVE`."""
    weights = np.asarray(BW_MIX, dtype=np.float32) / 255.0
    mono = image.astype(np.float32) @ weights  # 0..1
    smooth = mono * mono * (3.0 - 2.0 * mono)
    curved = mono + BW_CURVE * (smooth - mono)
    return np.clip(curved * 255.0 + 0.5, 0, 255).astype(np.uint8)


def black_and_white(photo: Path) -> Path:
    """Write ``<base>.bw.jpg`` (:func:`portrait_mono`, EXIF kept) next to ``photo``; its path."""
    original = photo.read_bytes()
    image = _read(photo, oriented=False)
    data = _encode(portrait_mono(image))
    exif = _exif_segment(original)
    if exif:
        data = data[:2] + exif + data[2:]
    return _write(photo.with_name(f"{base_of(photo)}{BW_MARK}.jpg"), data, "B&W copy")


def _write(final: Path, data: bytes, what: str) -> Path:
    """``write_atomic``, with a disk-full or permission failure as :class:`DeliverableSkipped`."""
    try:
        return write_atomic(final, data)
    except StorageFull as exc:
        free = _free_bytes(final.parent)
        raise DeliverableSkipped(f"disk full: {what} {final.name} skipped (only {human_size(free)} free, "
                                 f"it needs {human_size(len(data))})") from exc
    except CameraError as exc:  # PermissionDenied: the folder turned read-only
        raise DeliverableSkipped(f"{what} {final.name} skipped: {exc}") from exc


def _free_bytes(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return 0


def human_size(n: int) -> str:
    """Sizes as people read them: "12 MB", "0.3 MB", "40 kB"."""
    if n >= 10 * MB:
        return f"{n / MB:.0f} MB"
    if n >= MB // 10:
        return f"{n / MB:.1f} MB"
    return f"{max(n, 0) / 1024:.0f} kB"


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
    if (w, h) == (width, height):
        raise ValueError("the headshot crop would be the whole photo: none written")
    tag = aspect.replace(":", "x")
    return _write(photo.with_name(f"{base_of(photo)}{CROP_MARK}{tag}.jpg"),
                  _encode(image[y:y + h, x:x + w]), f"{aspect} crop")
