"""Putting downloaded files on disk without ever losing or half-writing one.

Every driver hands the bytes it downloaded to a :class:`DownloadSink`. The sink chooses the
final name (the app's session may use a naming template; :class:`FolderSink` keeps the camera's
name) and writes atomically: temporary name in the same folder, flush, fsync, then a no-clobber
link into place and an fsync of the folder. A crash leaves either the whole file or a ``.part``
file that the next start can reconcile, never a truncated photo under its real name.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import threading
import time
import unicodedata
from pathlib import Path
from typing import Protocol

from drivers.base import PermissionDenied, StorageFull

log = logging.getLogger(__name__)

PART_SUFFIX = ".part"
_UNSAFE = re.compile(r"[^\w.-]+")  # \w: letters and digits of any script, and _
_UNSAFE_EXT = re.compile(r"[^A-Za-z0-9]+")
STEM_BYTES = 150  # file systems allow 255 bytes a name: room for a suffix, extension and sidecar
# How long a RAW+JPEG pair may take to arrive and still share one base name.
PAIR_WINDOW_S = 30.0


class DownloadSink(Protocol):
    def store(self, camera_name: str, data: bytes | memoryview) -> Path:
        """Write ``data`` under a unique name derived from ``camera_name``; return the path."""
        ...


def safe_name(camera_name: str, fallback: str = "capture") -> str:
    """A file name that cannot escape a folder, whatever the camera sent.

    Only the last path component is kept; letters of any script, digits, ``.``, ``-`` and ``_``
    stay (NFC-normalised: ``日本語.JPG`` stays ``日本語.JPG``), anything else becomes ``_``; the
    extension (ASCII letters and digits, at most 16) always survives; the stem is cut to
    ``STEM_BYTES`` of UTF-8, and an empty one (``..``, ``.jpg``) becomes ``fallback``.
    """
    name = unicodedata.normalize("NFC", camera_name).replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = _UNSAFE_EXT.sub("", ext)[:16]
    stem = _UNSAFE.sub("_", stem).strip("._")
    stem = stem.encode()[:STEM_BYTES].decode(errors="ignore").strip("._") or fallback
    return f"{stem}.{ext}" if ext else stem


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(final: Path, data: bytes | memoryview) -> Path:
    """Write ``data`` to ``final`` atomically and verify its size; never overwrite a file.

    Raises :class:`FileExistsError` if ``final`` exists, :class:`StorageFull` when the disk is
    full and :class:`PermissionDenied` when the folder is not writable; in every failure the
    temporary file is removed and nothing is left under ``final``.
    """
    tmp = final.with_name(f".{final.name}.{os.getpid()}.{threading.get_ident()}{PART_SUFFIX}")
    view = memoryview(data)
    try:
        with open(tmp, "wb") as fh:
            fh.write(view)
            fh.flush()
            os.fsync(fh.fileno())
        written = tmp.stat().st_size
        if written != view.nbytes:
            raise OSError(errno.EIO, f"wrote {written} of {view.nbytes} bytes")
        os.link(tmp, final)  # fails if final exists: never clobber a photo
    except OSError as exc:
        with contextlib.suppress(OSError):  # on a read-only file system even this fails (EROFS)
            tmp.unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise StorageFull(f"disk full while saving {final.name}",
                              "free space or choose another session folder; "
                              "the photo stays on the camera's card") from exc
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise PermissionDenied(f"cannot write {final.parent}",
                                   "choose a writable session folder") from exc
        raise
    tmp.unlink(missing_ok=True)
    fsync_dir(final.parent)
    return final


class FolderSink:
    """Saves files into one folder under the camera's (sanitised) name, made unique.

    Camera names repeat (``capt0000.jpg`` on every RAM capture), so a taken name gets ``-1``,
    ``-2``… A RAW+JPEG pair arriving within :data:`PAIR_WINDOW_S` keeps one base name.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._recent: dict[str, tuple[str, float]] = {}  # camera stem -> (base used, when)

    def store(self, camera_name: str, data: bytes | memoryview) -> Path:
        name = safe_name(camera_name)
        stem, _, ext = name.rpartition(".") if "." in name else (name, "", "")
        suffix = f".{ext}" if ext else ""
        with self._lock:
            now = time.monotonic()
            paired = self._recent.get(stem)
            if paired and now - paired[1] < PAIR_WINDOW_S:
                candidate = self.folder / f"{paired[0]}{suffix}"
                if not candidate.exists():
                    return self._commit(stem, paired[0], candidate, data, now)
            for n in range(0, 100000):
                base = stem if n == 0 else f"{stem}-{n}"
                candidate = self.folder / f"{base}{suffix}"
                if candidate.exists():
                    continue
                try:
                    return self._commit(stem, base, candidate, data, now)
                except FileExistsError:  # another process took it between exists() and link()
                    continue
        raise OSError(errno.EEXIST, f"no free name for {camera_name} in {self.folder}")

    def _commit(self, stem: str, base: str, final: Path, data: bytes | memoryview,
                now: float) -> Path:
        path = write_atomic(final, data)
        self._recent[stem] = (base, now)
        log.info("saved %s (%d bytes)", path, memoryview(data).nbytes)
        return path


class LazyFolderSink:
    """A :class:`FolderSink` that creates its folder at the first file, not before (a shot
    fired from the body while a command that does not expect one runs)."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self._sink: FolderSink | None = None
        self._lock = threading.Lock()

    def store(self, camera_name: str, data: bytes | memoryview) -> Path:
        with self._lock:
            if self._sink is None:
                self._sink = FolderSink(self.folder)
        return self._sink.store(camera_name, data)
