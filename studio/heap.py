"""The C heap of a long session: fewer glibc arenas, free pages handed back after each shot.

A session runs many native threads (the model worker, ONNX/XNNPACK pools, the camera owner,
the shot worker, audio); glibc gives each thread that contends for the heap its own arena, up
to 8 per core, and a freed block inside an arena is kept by the process. A shot decodes a
full-size still (tens of MB of short-lived buffers) on whichever arena its thread holds, so
the resident set creeps up shot after shot even though Python's own objects stay flat (the
1-hour soak, docs/reliability.md). Two glibc calls, through ctypes and skipped quietly on any
other C library (musl, macOS):

* :func:`limit_arenas` at start-up, before the threads exist: ``mallopt(M_ARENA_MAX, n)``;
* :func:`trim` after a shot's work: ``malloc_trim(0)`` returns the free pages of every arena.

A batch of stills (``studio check``) wants the opposite: :func:`keep_decode_buffers` keeps a
still's 18 MB decode buffers in the heap for the next still instead of handing each back to
the system and faulting fresh zeroed pages in for the next (35-84 ms of CPU per 24 MP still,
measured interleaved in one process: 398.7 ms a still with glibc's defaults, 343.2 ms with a
64 MB mmap threshold). Not for ``studio run``: its heap is trimmed after each shot.

``STUDIO_MALLOC=default`` turns both off (to measure the difference, or if a platform
misbehaves).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # glibc malloc.h
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# Blocks under this come from the heap and are reused; above it mmap (a 24 MP still's 72 MB
# full-size face canvas relies on mmap's untouched zero pages: keep the threshold below it).
BATCH_MMAP_THRESHOLD = 64 << 20
BATCH_TRIM_THRESHOLD = 256 << 20  # free heap kept for the next still before it is handed back
ARENA_MAX = 2  # the traced soak: 16 arenas -> 2 (docs/reliability.md); other caps not measured

_libc: ctypes.CDLL | None = None
_looked = False


def _glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (it has ``malloc_trim``), else None; looked up once."""
    global _libc, _looked
    if not _looked:
        _looked = True
        if os.environ.get("STUDIO_MALLOC", "") == "default":
            return None
        try:
            lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            lib.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
            lib.malloc_trim.argtypes = [ctypes.c_size_t]
            _libc = lib
        except (OSError, AttributeError):  # not glibc: nothing to tune
            _libc = None
    return _libc


def limit_arenas(n: int = ARENA_MAX) -> bool:
    """Cap glibc's malloc arenas at ``n`` (call before starting threads). True if applied."""
    lib = _glibc()
    if lib is None or "MALLOC_ARENA_MAX" in os.environ:  # the user's own setting wins
        return False
    ok = bool(lib.mallopt(M_ARENA_MAX, n))
    log.debug("malloc arenas capped at %d: %s", n, ok)
    return ok


def trim() -> bool:
    """Hand the heap's free pages back to the system. True if memory was released."""
    lib = _glibc()
    return bool(lib.malloc_trim(0)) if lib is not None else False


def keep_decode_buffers() -> bool:
    """For a process that checks one still after another: large buffers from the heap, kept
    for the next still (call before the first still). True if applied; the user's own
    ``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_`` win."""
    lib = _glibc()
    if lib is None or {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"} & set(os.environ):
        return False
    ok = bool(lib.mallopt(M_MMAP_THRESHOLD, BATCH_MMAP_THRESHOLD)) and bool(
        lib.mallopt(M_TRIM_THRESHOLD, BATCH_TRIM_THRESHOLD))
    log.debug("decode buffers kept between stills: %s", ok)
    return ok

