"""Unique names in a session folder: the first free ``name``, ``name-1`` … ``name-999``.

A base is taken when any file starts with it and a dot (a RAW beside a JPEG, a sidecar). The
suffix is bounded: past ``MAX_SUFFIX`` something is wrong, and the shot fails with one line
instead of growing names until the file system refuses them.
"""

from __future__ import annotations

import errno
from pathlib import Path

from drivers.download import write_atomic

MAX_SUFFIX = 999


def glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in text)


def taken(folder: Path, base: str) -> bool:
    return any(folder.glob(f"{glob_escape(base)}.*"))


def free_base(folder: Path, stem: str) -> str:
    """``stem`` or the first free ``stem-N``; :class:`OSError` (EEXIST) when all are taken."""
    for n in range(MAX_SUFFIX + 1):
        base = stem if n == 0 else f"{stem}-{n}"
        if not taken(folder, base):
            return base
    raise OSError(errno.EEXIST, f"no free name for {stem} in {folder}: {MAX_SUFFIX} taken")


def write_unique(folder: Path, final: Path, data: bytes | memoryview) -> Path:
    """Write ``data`` under ``final`` atomically; if another process took the name meanwhile,
    under the next free numbered one. Never an overwrite, never an unbounded name."""
    suffix = final.suffix
    base = final.name[: -len(suffix)] if suffix else final.name
    for n in range(MAX_SUFFIX + 1):
        path = final if n == 0 else final.with_name(f"{base}-{n}{suffix}")
        if n and taken(folder, f"{base}-{n}"):
            continue
        try:
            return write_atomic(path, data)
        except FileExistsError:
            continue
    raise OSError(errno.EEXIST, f"no free name for {final.name} in {folder}: {MAX_SUFFIX} taken")
