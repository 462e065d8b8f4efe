"""What a JPEG or PNG says about itself, read before decoding, and the limits it must keep.

A decoder trusts the header: a 2.8 kB JPEG claiming 65500×65500 pixels makes OpenCV allocate
half a gigabyte, a PNG "bomb" of a few MB several gigabytes. :func:`jpeg_layout` and
:func:`png_layout` walk the file's structure (segments, scans, chunks; never the compressed
data itself) and :func:`check_layout` refuses, with a one-line reason, a picture larger than
:class:`ImageLimits` allows, a header that makes no sense, or a file that ends before its
image does. The image ends at its end marker: bytes after it (motion-photo videos, padding,
a second picture) are not part of it and are ignored.

A JPEG cut short and "repaired" by appending an end marker decodes without an error, its
missing blocks filled with flat mid-grey (libjpeg's zero coefficients). :func:`grey_filled`
finds that band at the bottom of a baseline decode; for a progressive JPEG the scans present
must still cover every coefficient of every component (:attr:`JpegLayout.complete`).
"""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".png"})  # the files read as stills


# No camera makes more than ~200 MP (medium format tops out at 150 MP; pixel-shift modes of
# 200-400 MP write RAW, not JPEG). 200 MP decodes to 600 MB of 8-bit BGR: the most a still
# may claim. STUDIO_MAX_MEGAPIXELS raises (or lowers) it; `studio check --max-megapixels`
# sets it for a run.
DEFAULT_MAX_PIXELS = 200_000_000
# Bytes of one image file: a 200 MP JPEG at the highest quality is ~150 MB, the same as a
# 16-bit PNG under 1 GB. Larger files are refused from their size, not read.
DEFAULT_MAX_BYTES = 500_000_000
ENV_MAX_MEGAPIXELS = "STUDIO_MAX_MEGAPIXELS"


class ImageError(ValueError):
    """An image that cannot be analysed (unreadable, truncated, damaged, too large,
    unsupported); the message is one line."""


@dataclass(frozen=True, slots=True)
class ImageLimits:
    max_pixels: int = DEFAULT_MAX_PIXELS
    max_bytes: int = DEFAULT_MAX_BYTES

    @property
    def max_decoded_bytes(self) -> int:
        return 3 * self.max_pixels  # 8-bit BGR of the largest picture allowed


def image_limits() -> ImageLimits:
    """The limits in force: the defaults, or ``$STUDIO_MAX_MEGAPIXELS`` when set (> 0)."""
    text = os.environ.get(ENV_MAX_MEGAPIXELS, "")
    try:
        megapixels = float(text) if text else 0.0
    except ValueError:
        megapixels = 0.0
    if 0 < megapixels < 1e6:  # NaN and nonsense keep the default
        return ImageLimits(max_pixels=int(megapixels * 1e6))
    return ImageLimits()


@dataclass(frozen=True, slots=True)
class JpegLayout:
    width: int
    height: int
    progressive: bool
    end: int  # offset just after the image's end-of-image marker
    complete: bool  # the scans cover every coefficient of every component


@dataclass(frozen=True, slots=True)
class PngLayout:
    width: int
    height: int
    channels: int  # as OpenCV decodes it unchanged (palette: 3)
    bytes_per_sample: int
    end: int  # offset just after the IEND chunk


_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_PROGRESSIVE = frozenset({0xC2, 0xC6, 0xCA, 0xCE})
_STANDALONE = frozenset({0x01, 0xD8, *range(0xD0, 0xD8)})
# Inside entropy-coded data 0xFF is followed by 0x00 (stuffing) or a restart marker; any other
# byte after it is the next marker (0xFF fill bytes may come first).
_ENTROPY_END = re.compile(rb"\xff(?=[^\x00\xd0-\xd7\xff])")
_FILL = re.compile(rb"\xff+")
# A camera JPEG has ~10-30 segments (a progressive one adds ~10 scans); 500,000 empty APP
# segments in a 2 MB file took 1.9 s to walk, a 500 MB one would take minutes.
MAX_SEGMENTS = 10_000


def jpeg_layout(data: bytes) -> JpegLayout:
    """The frame size, scans and end of a JPEG; :class:`ImageError` when damaged."""
    n, pos = len(data), 2
    frame: tuple[int, int, tuple[int, ...], bool] | None = None  # w, h, component ids, progressive
    covered: dict[int, set[int]] = {}
    segments = 0
    while True:
        if pos + 2 > n:
            raise ImageError("truncated JPEG (no end-of-image marker)")
        if data[pos] != 0xFF:  # stray bytes between segments: libjpeg skips them too
            nxt = data.find(b"\xff", pos)
            pos = n if nxt < 0 else nxt
            continue
        marker = data[pos + 1]
        if marker == 0xFF:  # fill bytes: one regex step, not one loop turn per byte
            fill = _FILL.match(data, pos)
            pos = fill.end() - 1 if fill else pos + 1
            continue
        segments += 1
        if segments > MAX_SEGMENTS:
            raise ImageError(f"damaged JPEG (more than {MAX_SEGMENTS} segments)")
        if marker == 0xD9:
            break
        if marker in _STANDALONE:
            pos += 2
            continue
        if pos + 4 > n:
            raise ImageError("truncated JPEG (no end-of-image marker)")
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        body = data[pos + 4:pos + 2 + length]
        if length < 2 or pos + 2 + length > n:
            raise ImageError("truncated JPEG (a segment runs past the end of the file)")
        if marker in _SOF and frame is None:
            frame = _frame_header(body, marker in _PROGRESSIVE)
        elif marker == 0xDA:
            if frame is None:
                raise ImageError("damaged JPEG (image data before any frame header)")
            _cover(covered, body, frame[3])
            found = _ENTROPY_END.search(data, pos + 2 + length)
            if found is None:
                raise ImageError("truncated JPEG (no end-of-image marker)")
            pos = found.start()
            continue
        pos += 2 + length
    if frame is None:
        raise ImageError("damaged JPEG (no frame header)")
    width, height, ids, progressive = frame
    complete = all(covered.get(c, set()) >= _ALL_COEFFICIENTS for c in ids)
    return JpegLayout(width, height, progressive, pos + 2, complete)


_ALL_COEFFICIENTS = frozenset(range(64))


def _frame_header(body: bytes, progressive: bool) -> tuple[int, int, tuple[int, ...], bool]:
    if len(body) < 6:
        raise ImageError("damaged JPEG (short frame header)")
    height, width, count = struct.unpack(">HHB", body[1:6])
    if len(body) < 6 + 3 * count or count == 0:
        raise ImageError("damaged JPEG (frame header lists no components)")
    if width == 0 or height == 0:
        raise ImageError(f"unsupported JPEG: the header gives a size of {width}×{height}")
    ids = tuple(body[6 + 3 * i] for i in range(count))
    return width, height, ids, progressive


def _cover(covered: dict[int, set[int]], body: bytes, progressive: bool) -> None:
    """Record which coefficients of which components a scan finishes (its final bit)."""
    count = body[0] if body else 0
    if len(body) < 1 + 2 * count + 3:
        raise ImageError("damaged JPEG (short scan header)")
    ids = [body[1 + 2 * i] for i in range(count)]
    start, stop, approx = body[1 + 2 * count:4 + 2 * count]
    if not progressive:  # a sequential scan carries its components whole (Ss, Se unused)
        start, stop, approx = 0, 63, 0
    if approx & 0x0F:  # not the last bit of these coefficients yet
        return
    for c in ids:
        covered.setdefault(c, set()).update(range(start, min(stop, 63) + 1))


_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_PNG_CHANNELS = {0: 1, 2: 3, 3: 3, 4: 2, 6: 4}  # colour type -> channels OpenCV gives
_PNG_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}


# A 500 MB PNG in libpng's 8 kB IDAT chunks has ~61,000; a million empty chunks (12 MB) took
# 1.3 s to walk, so the byte limit's worth of them would take ~50 s.
MAX_PNG_CHUNKS = 200_000


def png_layout(data: bytes) -> PngLayout:
    """The header and end of a PNG; :class:`ImageError` when damaged."""
    if len(data) < 33 or data[12:16] != b"IHDR" or int.from_bytes(data[8:12], "big") != 13:
        raise ImageError("damaged PNG (no IHDR header)")
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    if width == 0 or height == 0 or width > 2**31 - 1 or height > 2**31 - 1:
        raise ImageError(f"damaged PNG: the header gives a size of {width}×{height}")
    if depth not in _PNG_DEPTHS.get(colour, ()):
        raise ImageError(f"damaged PNG (colour type {colour} with bit depth {depth})")
    pos, n, chunks = 8, len(data), 0
    while True:
        if pos + 12 > n:
            raise ImageError("truncated PNG (no IEND chunk)")
        chunks += 1
        if chunks > MAX_PNG_CHUNKS:
            raise ImageError(f"damaged PNG (more than {MAX_PNG_CHUNKS} chunks)")
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        nxt = pos + 12 + length
        if length > 2**31 - 1 or nxt > n:
            raise ImageError("truncated PNG (a chunk runs past the end of the file)")
        if kind == b"IEND":
            return PngLayout(width, height, _PNG_CHANNELS[colour], 2 if depth == 16 else 1, nxt)
        pos = nxt


def decodable(size: tuple[int, int]) -> bool:
    """Whether a live-view frame whose header says ``size`` (w, h) is within the pixel limit:
    every decoder of live frames asks before ``cv2.imdecode`` (a damaged frame may claim 4 GP)."""
    return size[0] * size[1] <= image_limits().max_pixels


def check_size(width: int, height: int, decoded_bytes: int, limits: ImageLimits) -> None:
    """Refuse a picture over the limits, from its header."""
    pixels = width * height
    if pixels > limits.max_pixels or decoded_bytes > limits.max_decoded_bytes:
        raise ImageError(
            f"image too large to decode: {width}×{height} ({pixels / 1e6:.0f} MP) claimed by its "
            f"header; the limit is {limits.max_pixels / 1e6:g} MP "
            f"(--max-megapixels or ${ENV_MAX_MEGAPIXELS} raises it)")


def check_layout(data: bytes, limits: ImageLimits) -> JpegLayout | PngLayout:
    """The layout of a JPEG or PNG within ``limits``; :class:`ImageError` otherwise."""
    if data[:2] == b"\xff\xd8":
        jpeg = jpeg_layout(data)
        check_size(jpeg.width, jpeg.height, 3 * jpeg.width * jpeg.height, limits)
        if not jpeg.complete:
            raise ImageError("damaged JPEG: its image data stops part-way (cut short)")
        return jpeg
    if data[:8] == _PNG_MAGIC:
        png = png_layout(data)
        decoded = 3 * png.width * png.height  # decoded as 8-bit BGR (studio.vision.image)
        check_size(png.width, png.height, decoded, limits)
        return png
    raise ImageError("not a JPEG or PNG (unknown file signature)")


# A JPEG block is 8×8 px (16×16 per MCU with chroma subsampling); at 1/reduce scale, 8/reduce.
# The fill starts at the first missing block and runs to the end, so it always reaches the
# bottom-right corner. Measured by scripts/measure_grey_fill.py on the 1,608 fixture JPEGs and
# PNGs: no intact one is refused (full size and 1/8). Of the 772 held-out baseline JPEGs cut
# with an end marker appended, all are found when cut at 50 % or 90 % (both scales), 758 at
# 95 % (full size; all at 1/8); cut at 99 % the loss often lies in the last, partly visible
# block row only: 655 found at full size, 741 at 1/8. Progressive JPEGs are judged by their
# scans instead (JpegLayout.complete): cut at 50 %, all 6 are found; cut inside their last scan
# (90 % and more), 1 of 6 — their picture is then whole, only less sharp at the bottom.
GREY_LOW, GREY_HIGH, GREY_SPREAD = 125, 131, 3  # fancy chroma upsampling blurs the fill's edge
def grey_filled(image: np.ndarray, reduce: int = 1) -> bool:
    """True when the bottom-right corner of ``image`` (as decoded, before any EXIF turn) is
    libjpeg's flat mid-grey fill of missing data: the bottom block row grey from some column to
    the right edge, at least two blocks wide, in a picture that is not flat grey all over."""
    import numpy as np  # here: `studio check`'s parent reads this module and never decodes
    rows, cols = max(2, 8 // reduce), max(2, 16 // reduce)
    height, width = image.shape[:2]
    if height <= rows or width < cols:
        return False
    bottom = image[height - rows:]
    grey = (bottom >= GREY_LOW) & (bottom <= GREY_HIGH)
    columns = grey.all(axis=0) if grey.ndim == 2 else grey.all(axis=(0, 2))
    if not columns[-1]:
        return False
    run = width - int(np.flatnonzero(~columns)[-1]) - 1 if not columns.all() else width
    if run < cols:
        return False
    patch = bottom[:, width - run:]
    if int(patch.max()) - int(patch.min()) > GREY_SPREAD:
        return False
    return int(image.min()) != int(image.max())  # a picture that is flat grey all over is one
