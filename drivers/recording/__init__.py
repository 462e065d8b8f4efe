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

from drivers.recording.format import (
    END,
    FRAME,
    HEADER_SIZE,
    KNOWN_TYPES,
    MAGIC,
    MARKER,
    MAX_PAYLOAD,
    METADATA,
    RELEASE_WINDOW,
    STILL,
    SUFFIX,
    Entry,
    ReaderStats,
    Record,
    pack_record,
    recording_metadata,
)
from drivers.recording.reader import RecordingReader, is_recording
from drivers.recording.writer import RecordingWriter

__all__ = [
    "END", "FRAME", "HEADER_SIZE", "KNOWN_TYPES", "MAGIC", "MARKER", "MAX_PAYLOAD", "METADATA",
    "RELEASE_WINDOW", "STILL", "SUFFIX", "Entry", "ReaderStats", "Record", "RecordingReader",
    "RecordingWriter", "is_recording", "pack_record", "recording_metadata",
]
