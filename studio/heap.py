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
