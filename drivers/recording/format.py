"""The ``.slv`` format's constants, record types and packing (layout: see the package docstring)."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import mmap

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
FAULT_AROUND = 64 * 1024

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


def parse_header(mm: mmap.mmap, pos: int) -> tuple[bytes, int, float, int] | None:
    raw = mm[pos:pos + HEADER_SIZE]
    marker, kind, length, timestamp, crc, header_crc = _HEADER.unpack(raw)
    if marker != MARKER or zlib.crc32(raw[:_CHECKED]) != header_crc or length > MAX_PAYLOAD:
        return None
    return kind, length, timestamp, crc
