"""Decode one rectangle of a JPEG at full size, without decoding the rest of the picture.

libjpeg-turbo's own API (``jpeg_skip_scanlines``, ``jpeg_crop_scanline``, libjpeg-turbo ≥ 1.5)
skips the rows above the rectangle (their entropy data is read, not their pixels made), decodes
only the columns of the rectangle, and stops at its last row: the eyes of a 24 MP still at 100 %
cost a few per cent of a full decode's pixel work. The library is the system's ``libjpeg.so.62``
(Debian's ``libjpeg62-turbo``) or, without it, the copy that Pillow's wheel bundles; both keep the
jpeg62 binary interface whose struct offsets are below (LP64: x86-64 and arm64 alike). The offsets
are checked on every file (the header's size read back must equal the file's), and anything
unexpected — no library, another layout, a CMYK JPEG, a warning while decoding — makes
:func:`decode_region` return ``None``: the caller then decodes the picture whole.

libjpeg reports a fatal error through a callback that must not return; this module is only asked
for files that OpenCV has already decoded whole at a reduced scale (same entropy data), so such
an error cannot occur here; should one, the callback records it and the result is ``None``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import logging
import os
import threading
from collections.abc import Callable
from functools import cache

import numpy as np

log = logging.getLogger(__name__)

# jpeg62 ABI (jpeglib.h of libjpeg-turbo, JPEG_LIB_VERSION 62; probed with offsetof on LP64).
_DECOMPRESS_SIZE = 632
_ERROR_MGR_SIZE = 168
_OFF = {"image_width": 48, "image_height": 52, "num_components": 56, "jpeg_color_space": 60,
        "out_color_space": 64, "output_width": 136, "output_height": 140, "output_components": 148}
_ERR_EMIT_MESSAGE = 8  # jpeg_error_mgr: error_exit at 0, emit_message at 8
_JPEG_LIB_VERSION = 62
_JCS_GRAYSCALE, _JCS_YCBCR, _JCS_EXT_BGR = 1, 3, 8

_ERROR_EXIT = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
_EMIT_MESSAGE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int)
_local = threading.local()  # what the callbacks saw during this thread's current decode


def _troubles() -> list[str]:
    if not hasattr(_local, "troubles"):
        _local.troubles = []
    troubles: list[str] = _local.troubles
    return troubles


@_ERROR_EXIT
def _error_exit(cinfo: int | None) -> None:  # pragma: no cover - see the module docstring
    _troubles().append("error")


@_EMIT_MESSAGE
def _emit_message(cinfo: int | None, level: int) -> None:
    if level < 0:  # a warning: corrupt data; trace messages (level ≥ 0) are ignored
        _troubles().append("warning")


def _candidates() -> list[str]:
    found = ctypes.util.find_library("jpeg")
    names = [found] if found else []
    names.append("libjpeg.so.62")
    try:
        import PIL

        bundled = os.path.join(os.path.dirname(os.path.dirname(PIL.__file__)), "pillow.libs")
        names += sorted(glob.glob(os.path.join(bundled, "libjpeg-*.so*")))
    except ImportError:  # pragma: no cover - Pillow is a dependency
        pass
    return names


@cache
def _library() -> ctypes.CDLL | None:
    for name in _candidates():
        try:
            lib = ctypes.CDLL(name)
            lib.jpeg_skip_scanlines  # noqa: B018 - libjpeg-turbo ≥ 1.5 only
            lib.jpeg_crop_scanline  # noqa: B018
        except (OSError, AttributeError):
            continue
        vp, u32 = ctypes.c_void_p, ctypes.c_uint
        lib.jpeg_std_error.argtypes, lib.jpeg_std_error.restype = [vp], vp
        lib.jpeg_CreateDecompress.argtypes = [vp, ctypes.c_int, ctypes.c_size_t]
        lib.jpeg_mem_src.argtypes = [vp, ctypes.c_char_p, ctypes.c_ulong]
        lib.jpeg_read_header.argtypes, lib.jpeg_read_header.restype = [vp, ctypes.c_int], ctypes.c_int
        lib.jpeg_start_decompress.argtypes, lib.jpeg_start_decompress.restype = [vp], ctypes.c_int
        lib.jpeg_crop_scanline.argtypes = [vp, ctypes.POINTER(u32), ctypes.POINTER(u32)]
        lib.jpeg_skip_scanlines.argtypes, lib.jpeg_skip_scanlines.restype = [vp, u32], u32
        lib.jpeg_read_scanlines.argtypes, lib.jpeg_read_scanlines.restype = [vp, vp, u32], u32
        lib.jpeg_destroy_decompress.argtypes = [vp]
        log.debug("region decoding with %s", name)
        return lib
    log.info("libjpeg-turbo not found: JPEG regions are decoded from the whole picture")
    return None


def available() -> bool:
    """Whether regions can be decoded on their own on this machine."""
    return _library() is not None


_PLAIN_SOF = frozenset({0xC0, 0xC1, 0xC2})  # baseline, extended and progressive Huffman


def _plain_frame(data: bytes) -> bool:
    """Whether the JPEG's frame is one every libjpeg-turbo decodes with the 8-bit API: Huffman
    coded (baseline, extended or progressive), 8-bit samples, 1 or 3 components. A fatal libjpeg
    error cannot be caught from Python (its handler must not return), so anything else (12-bit,
    lossless, arithmetic, CMYK, a damaged header) is left to the whole-picture decoder."""
    pos, n = 2, len(data)
    if data[:3] != b"\xff\xd8\xff":
        return False
    for _ in range(500):  # the segments before the frame header: APPn, DQT, DHT, COM...
        if pos + 4 > n or data[pos] != 0xFF:
            return False
        marker, length = data[pos + 1], int.from_bytes(data[pos + 2:pos + 4], "big")
        if marker in _PLAIN_SOF:
            body = data[pos + 4:pos + 2 + length]
            count = body[5] if len(body) >= 6 else 0
            return (length >= 8 and len(body) >= 6 + 3 * count and body[0] == 8 and count in (1, 3)
                    and all(1 <= body[7 + 3 * i] >> 4 <= 4 and 1 <= body[7 + 3 * i] & 15 <= 4
                            for i in range(count)))
        if marker == 0xDA or 0xC3 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC) or length < 2:
            return False  # image data before a plain frame header, or another kind of frame
        pos += 2 + length
    return False


def _field(cinfo: ctypes.Array, name: str) -> int:
    return int(ctypes.c_int.from_buffer(cinfo, _OFF[name]).value)


def decode_region(
    data: bytes, x0: int, y0: int, x1: int, y1: int, out: np.ndarray | None = None
) -> np.ndarray | None:
    """Pixels ``[y0:y1, x0:x1]`` of the JPEG ``data`` as stored (EXIF orientation not applied),
    8-bit BGR at full size, or ``None`` when this cannot be done here (see the module).

    ``out``: a C-contiguous uint8 array of the whole stored picture (h, w, 3) to decode into, in
    place (rows ``y0:y1``, the columns widened to the iMCU edges; nothing else is written); the
    result is then its view ``out[y0:y1, x0:x1]``.

    Only for data that OpenCV has decoded without error (:class:`~studio.vision.image.StillSource`
    holds nothing else): a header that libjpeg finds fatal cannot be survived through ctypes
    (measured: 300 damaged copies of a 24 MP still through ``read_still`` and ``region``, half
    with their headers hit, none crashed; called directly on a damaged header, it does)."""
    lib = _library()
    if lib is None or not (0 <= x0 < x1 and 0 <= y0 < y1) or not _plain_frame(data):
        return None
    cinfo = ctypes.create_string_buffer(_DECOMPRESS_SIZE)
    err = ctypes.create_string_buffer(_ERROR_MGR_SIZE)
    lib.jpeg_std_error(err)
    for offset, callback in ((_ERR_EMIT_MESSAGE, _emit_message), (0, _error_exit)):
        ctypes.c_void_p.from_buffer(err, offset).value = ctypes.cast(callback, ctypes.c_void_p).value
    ctypes.c_void_p.from_buffer(cinfo, 0).value = ctypes.addressof(err)
    _troubles().clear()
    lib.jpeg_CreateDecompress(cinfo, _JPEG_LIB_VERSION, _DECOMPRESS_SIZE)
    if _troubles():
        return None  # another library version: nothing was allocated
    try:
        return _decode(lib, cinfo, data, (x0, y0, x1, y1), out)
    finally:
        lib.jpeg_destroy_decompress(cinfo)


def _decode(
    lib: ctypes.CDLL, cinfo: ctypes.Array, data: bytes, box: tuple[int, int, int, int],
    into: np.ndarray | None,
) -> np.ndarray | None:
    x0, y0, x1, y1 = box
    lib.jpeg_mem_src(cinfo, data, len(data))
    lib.jpeg_read_header(cinfo, 1)
    w, h = _field(cinfo, "image_width"), _field(cinfo, "image_height")
    colours = _field(cinfo, "jpeg_color_space")
    if _troubles() or x1 > w or y1 > h or colours not in (_JCS_GRAYSCALE, _JCS_YCBCR):
        return None
    ctypes.c_int.from_buffer(cinfo, _OFF["out_color_space"]).value = _JCS_EXT_BGR
    lib.jpeg_start_decompress(cinfo)
    if _troubles() or _field(cinfo, "output_components") != 3 or _field(cinfo, "output_width") != w:
        return None
    # One column more each side: the crop's own edge columns are upsampled from replicated chroma
    # (4:2:0 / 4:2:2 fancy upsampling: up to ~20 levels off the whole decode's); widened to iMCU edges.
    xoff, width = ctypes.c_uint(max(0, x0 - 1)), ctypes.c_uint(min(w, x1 + 1) - max(0, x0 - 1))
    lib.jpeg_crop_scanline(cinfo, ctypes.byref(xoff), ctypes.byref(width))
    if y0 and lib.jpeg_skip_scanlines(cinfo, y0) != y0:
        return None
    if into is not None:
        if into.shape != (h, w, 3) or into.dtype != np.uint8 or not into.flags.c_contiguous:
            return None
        out = into[y0:y1, xoff.value:xoff.value + width.value]
    else:
        out = np.empty((y1 - y0, width.value, 3), np.uint8)
    stride, base = out.strides[0], out.ctypes.data
    rows = (ctypes.c_void_p * 16)()
    done = 0
    while done < out.shape[0]:
        n = min(16, out.shape[0] - done)
        for i in range(n):
            rows[i] = base + (done + i) * stride
        got = lib.jpeg_read_scanlines(cinfo, rows, n)
        if got == 0 or _troubles():
            return None
        done += got
    if into is not None:
        return into[y0:y1, x0:x1]
    left = x0 - xoff.value
    return np.ascontiguousarray(out[:, left:left + (x1 - x0)])


def stored_box(
    orientation: int, box: tuple[int, int, int, int], size: tuple[int, int]
) -> tuple[int, int, int, int]:
    """The rectangle of the stored (not yet turned) pixels that :func:`upright` turns into
    ``box`` of the upright picture of ``size`` (w, h)."""
    x0, y0, x1, y1 = box
    w, h = size  # upright
    sw, sh = (h, w) if orientation >= 5 else (w, h)  # stored
    maps: dict[int, Callable[[int, int], tuple[int, int]]] = {  # upright corner -> stored corner
        2: lambda x, y: (sw - x, y),
        3: lambda x, y: (sw - x, sh - y),
        4: lambda x, y: (x, sh - y),
        5: lambda x, y: (y, x),
        6: lambda x, y: (y, sh - x),
        7: lambda x, y: (sw - y, sh - x),
        8: lambda x, y: (sw - y, x),
    }
    turn = maps.get(orientation)
    if turn is None:
        return box
    (ax, ay), (bx, by) = turn(x0, y0), turn(x1, y1)
    return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)
