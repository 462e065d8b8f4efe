"""The live-view recording format (``.slv``): a stream of JPEG frames exactly as a camera sent them.

Layout (all integers little-endian; see docs/recording.md)::

    file    = MAGIC record*
    MAGIC   = b"SLVREC1\\n"                                   8 bytes
    record  = header payload
    header  = b"LVR" type:1s length:u32 time:f64 payload_crc:u32 header_crc:u32   24 bytes
    payload = length bytes

``type`` is ``M`` (metadata, UTF-8 JSON, first record), ``F`` (live-view frame, JPEG), ``S``
(full still taken at that moment, JPEG) or ``E`` (end, JSON summary, written by a clean close).
``time`` is seconds since the recording started. ``payload_crc`` is the CRC-32 of the payload;
``header_crc`` is the CRC-32 of the 20 header bytes before it, so a damaged length can never send
the reader off course.

The format is append-only and needs no index: the writer flushes every record, so a recording
cut off at any byte still replays up to its last whole record. The reader never raises for a
damaged file: it stops at a cut tail and reports it, skips records whose payload CRC fails, and
resynchronises on the next ``LVR`` marker after a damaged header, counting all of it in
:class:`ReaderStats`. Only a file that cannot be opened or is not a recording raises
:class:`~drivers.base.SourceError`.
"""

from __future__ import annotations

import errno
import json
import logging
import math
import mmap
import os
import stat
import struct
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from drivers.base import PermissionDenied, SourceError, StorageFull
from drivers.safe_read import FileRefused, check_regular

log = logging.getLogger(__name__)

MAGIC = b"SLVREC1\n"
MARKER = b"LVR"
SUFFIX = ".slv"
_HEADER = struct.Struct("<3scIdII")  # marker, type, length, time, payload crc, header crc
HEADER_SIZE = _HEADER.size  # 24
_CHECKED = HEADER_SIZE - 4  # bytes covered by the header CRC
# A live-view frame is well under 1 MB and a full still under 100 MB: anything larger is damage.
MAX_PAYLOAD = 256 * 1024 * 1024
# Mapped pages count in a process's RSS: past this file size the reader hands back the pages it
# has read (madvise DONTNEED; they stay in the page cache), so a multi-GB recording, or GBs of
# garbage to scan through, never takes more than a window of this size of RSS.
RELEASE_WINDOW = 64 * 1024 * 1024
_FAULT_AROUND = 64 * 1024

METADATA = b"M"
FRAME = b"F"
STILL = b"S"
END = b"E"
KNOWN_TYPES = frozenset({METADATA, FRAME, STILL, END})


@dataclass(frozen=True, slots=True)
class Entry:
    """Where one record sits in the file (its header was valid; the payload is checked on read)."""

    kind: bytes
    offset: int  # of the payload
    length: int
    timestamp: float
    crc: int


@dataclass(frozen=True, slots=True)
class Record:
    kind: bytes
    timestamp: float
    payload: bytes


@dataclass(frozen=True, slots=True)
class ReaderStats:
    """What the reader found wrong with a file; all zero/False for an intact recording."""

    records: int  # records with a valid header
    frames: int
    stills: int
    corrupt: int  # records skipped because their payload CRC failed (counted once each)
    resyncs: int  # damaged headers skipped by scanning for the next marker
    skipped_bytes: int  # bytes jumped over while resynchronising
    unknown: int  # records of a type this version does not know (skipped)
    truncated: bool  # the file ends inside a record
    bytes_lost: int  # bytes of that last, partial record
    complete: bool  # the writer closed it cleanly (an ``E`` record is present)

    @property
    def damaged(self) -> bool:
        return bool(self.corrupt or self.resyncs or self.truncated)


def pack_record(kind: bytes, timestamp: float, payload: bytes | memoryview) -> bytes:
    """One record, header and payload, as bytes ready to append."""
    view = memoryview(payload)
    head = _HEADER.pack(MARKER, kind, view.nbytes, float(timestamp), zlib.crc32(view), 0)[:_CHECKED]
    return head + struct.pack("<I", zlib.crc32(head)) + view.tobytes()


def recording_metadata(*, camera: str, frame_size: tuple[int, int], fps: float, source: str,
                       app_version: str, date: str | None = None, **extra: Any) -> dict[str, Any]:
    """The ``M`` record's fields; ``date`` defaults to now (ISO 8601, UTC)."""
    meta: dict[str, Any] = {
        "format": "studio live-view recording",
        "version": 1,
        "camera": camera,
        "frame_size": [int(frame_size[0]), int(frame_size[1])],
        "fps": round(float(fps), 3),
        "date": date or datetime.now(UTC).isoformat(timespec="seconds"),
        "app": f"studio {app_version}",
        "source": source,
    }
    meta.update(extra)
    return meta


def _storage_error(path: Path, exc: OSError) -> Exception:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageFull(f"disk full while writing {path.name}",
                           "free space; the recording is readable up to the last whole frame")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return PermissionDenied(f"cannot write {path}", "choose a writable folder")
    return exc


class RecordingWriter:
    """Appends records to a new recording; every record is flushed as it is written.

    The file is created exclusively (an existing file is never overwritten). A crash leaves a
    file that replays up to the last whole record; :meth:`close` adds the ``E`` record and
    fsyncs. Timestamps are seconds since the start of the recording; when omitted, the time
    since the writer was created is used.
    """

    def __init__(self, path: Path | str, metadata: dict[str, Any], *,
                 fsync_interval: float = 1.0) -> None:
        self.path = Path(path)
        try:
            self._fh: BinaryIO | None = open(self.path, "xb")  # noqa: SIM115 (closed in close())
        except OSError as exc:
            raise _storage_error(self.path, exc) from exc
        self._started = time.monotonic()
        self._fsync_interval = fsync_interval
        self._last_sync = self._started
        self.frames = 0
        self.stills = 0
        self.bytes_written = 0
        self.last_timestamp = 0.0
        self._write(MAGIC)
        self._append(METADATA, 0.0, json.dumps(metadata, ensure_ascii=False).encode())

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write_frame(self, jpeg: bytes | memoryview, timestamp: float | None = None) -> None:
        self._append(FRAME, self._time(timestamp), jpeg)
        self.frames += 1

    def write_still(self, jpeg: bytes | memoryview, timestamp: float | None = None) -> None:
        self._append(STILL, self._time(timestamp), jpeg)
        self.stills += 1

    def close(self, **summary: Any) -> None:
        """Write the ``E`` record (counts, duration and ``summary``), fsync and close. Idempotent."""
        if self._fh is None:
            return
        try:
            summary = {"frames": self.frames, "stills": self.stills,
                       "duration": round(self.last_timestamp, 6), **summary}
            self._append(END, self.last_timestamp, json.dumps(summary).encode())
            os.fsync(self._fh.fileno())
        except OSError as exc:
            raise _storage_error(self.path, exc) from exc
        finally:
            self._fh.close()
            self._fh = None

    def _time(self, timestamp: float | None) -> float:
        return time.monotonic() - self._started if timestamp is None else float(timestamp)

    def _append(self, kind: bytes, timestamp: float, payload: bytes | memoryview) -> None:
        self._write(pack_record(kind, timestamp, payload))
        if math.isfinite(timestamp):
            self.last_timestamp = max(self.last_timestamp, timestamp)

    def _write(self, data: bytes) -> None:
        if self._fh is None:
            raise ValueError("recording is closed")
        try:
            self._fh.write(data)  # one write per record: never an interleaved half record
            self._fh.flush()  # a killed process keeps everything up to here
            self.bytes_written += len(data)
            now = time.monotonic()
            if now - self._last_sync >= self._fsync_interval:  # bound what a power cut loses
                os.fsync(self._fh.fileno())
                self._last_sync = now
        except OSError as exc:
            raise _storage_error(self.path, exc) from exc


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
        self._release(entry.offset - _FAULT_AROUND, entry.offset + entry.length + _FAULT_AROUND)
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
            header = _parse_header(mm, pos)
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


def _parse_header(mm: mmap.mmap, pos: int) -> tuple[bytes, int, float, int] | None:
    raw = mm[pos:pos + HEADER_SIZE]
    marker, kind, length, timestamp, crc, header_crc = _HEADER.unpack(raw)
    if marker != MARKER or zlib.crc32(raw[:_CHECKED]) != header_crc or length > MAX_PAYLOAD:
        return None
    return kind, length, timestamp, crc


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
