"""Reading a recording through ``mmap``: damage is skipped and counted, never raised."""

from __future__ import annotations

import json
import logging
import mmap
import os
import stat
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from drivers.base import SourceError
from drivers.recording.format import (
    END,
    FAULT_AROUND,
    FRAME,
    HEADER_SIZE,
    KNOWN_TYPES,
    MAGIC,
    MARKER,
    METADATA,
    RELEASE_WINDOW,
    STILL,
    Entry,
    ReaderStats,
    Record,
    parse_header,
)
from drivers.safe_read import FileRefused, check_regular

log = logging.getLogger(__name__)


class RecordingReader:
    """Reads a recording through ``mmap``: memory use does not grow with the file (past
    :data:`RELEASE_WINDOW`, pages read are handed back to the kernel as the reader goes).

    Opening checks the magic and scans the record headers (not the payloads) once, so the
    number of frames, the stills and any cut tail are known at once. Payload CRCs are checked
    when a payload is read; a record that fails is skipped and counted.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._mm: mmap.mmap | None = _map(self.path)
        self._corrupt: set[int] = set()
        self._cut_said = False  # the file was cut short while open (said once)
        self._resyncs = 0
        self._skipped_bytes = 0
        self._unknown = 0
        self._bytes_lost = 0
        self.entries: list[Entry] = []
        self._scan()
        self.metadata: dict[str, Any] = self._load_json(METADATA)
        self.end: dict[str, Any] = self._load_json(END)
        if self.stats.damaged:
            log.warning("%s is damaged: %s", self.path.name, self.stats)

    def __enter__(self) -> RecordingReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._mm is not None:
            self._mm.close()
            self._mm = None

    # -- what is in the file ---------------------------------------------------------------

    @property
    def frame_entries(self) -> list[Entry]:
        return [e for e in self.entries if e.kind == FRAME]

    @property
    def still_entries(self) -> list[Entry]:
        return [e for e in self.entries if e.kind == STILL]

    @property
    def truncated(self) -> bool:
        return self._bytes_lost > 0

    @property
    def bytes_lost(self) -> int:
        return self._bytes_lost

    @property
    def corrupt(self) -> int:
        return len(self._corrupt)

    @property
    def stats(self) -> ReaderStats:
        kinds = [e.kind for e in self.entries]
        return ReaderStats(
            records=len(kinds), frames=kinds.count(FRAME), stills=kinds.count(STILL),
            corrupt=len(self._corrupt), resyncs=self._resyncs, skipped_bytes=self._skipped_bytes,
            unknown=self._unknown, truncated=self.truncated, bytes_lost=self._bytes_lost,
            complete=END in kinds)

    # -- reading ---------------------------------------------------------------------------

    def _cut_short(self, entry: Entry) -> None:
        """Count a record the file no longer holds (cut after it was opened); say so once."""
        self._corrupt.add(entry.offset)
        if not self._cut_said:
            self._cut_said = True
            log.warning("%s was cut short while being read (now %d bytes): records from byte %d on "
                        "are skipped", self.path.name, self._mm.size() if self._mm is not None else 0,
                        entry.offset - HEADER_SIZE)

    def payload(self, entry: Entry) -> bytes | None:
        """The payload of ``entry``, or ``None`` (counted as corrupt) when its CRC fails."""
        if self._mm is None:
            raise ValueError("recording is closed")
        if entry.offset + entry.length > self._mm.size():  # the file was cut after it was opened:
            self._cut_short(entry)  # touching its vanished pages would kill us (SIGBUS)
            return None
        data = self._mm[entry.offset:entry.offset + entry.length]
        # the kernel maps up to 64 kB around a faulting page ("fault-around"): release that too
        self._release(entry.offset - FAULT_AROUND, entry.offset + entry.length + FAULT_AROUND)
        if zlib.crc32(data) != entry.crc:
            if entry.offset not in self._corrupt:
                self._corrupt.add(entry.offset)
                log.warning("%s: record at byte %d (%s, t=%.3f s) fails its CRC; skipped",
                            self.path.name, entry.offset - HEADER_SIZE, entry.kind.decode(),
                            entry.timestamp)
            return None
        return data

    def __iter__(self) -> Iterator[Record]:
        """Every record whose payload is intact, in file order (metadata and end included)."""
        for entry in self.entries:
            data = self.payload(entry)
            if data is not None:
                yield Record(entry.kind, entry.timestamp, data)

    def frames(self) -> Iterator[Record]:
        """The intact live-view frames, in order."""
        return (r for r in self if r.kind == FRAME)

    # -- scanning --------------------------------------------------------------------------

    def _release(self, start: int, end: int) -> None:
        """Drop the mapped pages of bytes [start, end) from this process (large files only)."""
        mm = self._mm
        if mm is None or len(mm) <= RELEASE_WINDOW or end <= start:
            return
        start = max(0, start)
        first = start - start % mmap.PAGESIZE
        mm.madvise(mmap.MADV_DONTNEED, first, min(end, len(mm)) - first)

    def _find_marker(self, start: int) -> int:
        """The next record marker at or after ``start`` (-1: none), a window at a time."""
        mm = self._mm
        assert mm is not None
        pos, size = start, len(mm)
        while pos < size:
            end = min(size, pos + RELEASE_WINDOW)
            found = mm.find(MARKER, pos, min(size, end + len(MARKER) - 1))  # one may straddle the edge
            self._release(pos, end)
            if found >= 0:
                return found
            pos = end
        return -1

    def _scan(self) -> None:
        mm = self._mm
        assert mm is not None, "scanned only while open"
        size = len(mm)
        pos = released = len(MAGIC)
        while pos < size:
            if pos - released > RELEASE_WINDOW:  # the header pages read so far
                self._release(released, pos)
                released = pos
            if size - pos < HEADER_SIZE:
                self._bytes_lost = size - pos  # cut inside a header
                break
            header = parse_header(mm, pos)
            if header is None:  # damaged header: find the next marker that starts a valid one
                nxt = self._find_marker(pos + 1)
                end = size if nxt < 0 else nxt
                self._resyncs += 1
                self._skipped_bytes += end - pos
                log.debug("%s: bad record header at byte %d; resync at %d", self.path.name, pos, end)
                pos = end
                continue
            kind, length, timestamp, crc = header
            start = pos + HEADER_SIZE
            if start + length > size:
                self._bytes_lost = size - pos  # cut inside the payload
                break
            if kind in KNOWN_TYPES:
                self.entries.append(Entry(kind, start, length, timestamp, crc))
            else:
                self._unknown += 1
            pos = start + length
        if self._bytes_lost:
            log.warning("%s ends inside a record: %d bytes lost", self.path.name, self._bytes_lost)

    def _load_json(self, kind: bytes) -> dict[str, Any]:
        for entry in self.entries:
            if entry.kind != kind:
                continue
            data = self.payload(entry)
            if data is None:
                continue
            try:
                value = json.loads(data.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: absurd nesting
                log.warning("%s: %s record is not JSON; ignored", self.path.name, kind.decode())
                continue
            if isinstance(value, dict):
                return value
        return {}


def _map(path: Path) -> mmap.mmap:
    """Open and map ``path``; every failure becomes a one-line :class:`SourceError`.

    A FIFO, device or socket is refused from its type before it is opened (reading one would
    block or never end)."""
    try:
        check_regular(path)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # a swapped-in FIFO cannot block
        with open(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise FileRefused(f"{path} is not a regular file")
            head = fh.read(len(MAGIC))
            if head != MAGIC:
                raise SourceError(f"{path} is not a studio recording (no {MAGIC[:-1].decode()} header)",
                                  "record one with `studio record`")
            return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except FileNotFoundError:
        raise SourceError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise SourceError(f"{path} is a folder, not a recording") from None
    except PermissionError:
        raise SourceError(f"cannot read {path}: permission denied") from None
    except FileRefused as exc:
        raise SourceError(str(exc), "pass a .slv recording file") from None
    except (OSError, ValueError) as exc:
        raise SourceError(f"cannot read {path}: {exc}") from None


def is_recording(path: Path | str) -> bool:
    """True when ``path`` is a readable regular file starting with the recording magic (a FIFO
    or device is never opened: False)."""
    try:
        check_regular(path)
        with open(path, "rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except (OSError, FileRefused):
        return False
