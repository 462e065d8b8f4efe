"""Reading a file a user named, without hanging or filling memory.

A path on a command line may be a FIFO (``open`` blocks until a writer comes, i.e. for ever),
a device (``/dev/zero`` never ends, ``/dev/tty`` waits for a key), a socket, or a symlink to
any of them. :func:`check_regular` refuses those from the file's type *before* anything opens
it; :func:`read_capped` opens without blocking, checks the type again on the open descriptor
(the path may have been swapped meanwhile) and the size, and never reads past a limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

# No photo, recording or settings file a user hands us is bigger; a larger one is refused from
# its size, not read (a 200 MP 16-bit PNG is ~1.2 GB uncompressed, well under 1 GB as a file).
MAX_FILE_BYTES = 1_000_000_000  # 1 GB


class FileRefused(ValueError):
    """A path that is not a regular file, or a file over its size limit; one-line message."""


def kind_of(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words ("a FIFO (named pipe)", "a folder"...)."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


def _refuse_kind(path: Path, mode: int) -> None:
    if not stat.S_ISREG(mode):
        link = " (through a symlink)" if path.is_symlink() else ""
        raise FileRefused(f"{path} is {kind_of(mode)}{link}, not a regular file")


def check_regular(path: str | os.PathLike[str]) -> os.stat_result:
    """``path``'s stat (symlinks followed); :class:`FileRefused` unless a regular file.

    Raises :class:`FileNotFoundError` / :class:`PermissionError` as ``os.stat`` does."""
    path = Path(path)
    info = os.stat(path)
    _refuse_kind(path, info.st_mode)
    return info


def read_capped(path: str | os.PathLike[str], max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them.

    Special files and files larger than ``max_bytes`` raise :class:`FileRefused` (checked on
    the open descriptor, opened with ``O_NONBLOCK`` so a FIFO swapped in cannot block); a file
    that grows while it is read is refused too (never read past its size). Other failures are
    the :class:`OSError` of ``open``/``read``."""
    path = Path(path)
    check_regular(path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        _refuse_kind(path, info.st_mode)
        if info.st_size > max_bytes:
            raise FileRefused(f"{path} is too large ({info.st_size / 1e6:.0f} MB; "
                              f"the limit is {max_bytes / 1e6:.0f} MB)")
        data = os.read(fd, info.st_size)  # one allocation: Linux reads a regular file whole
        while len(data) < info.st_size:  # (other systems may return less)
            more = os.read(fd, info.st_size - len(data))
            if not more:
                break  # it shrank meanwhile: what is there is what we have
            data += more
        if os.read(fd, 1):
            raise FileRefused(f"{path} grew while it was read; try again once it is written")
        return data
    finally:
        os.close(fd)
