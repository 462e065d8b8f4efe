"""Writing a recording: append-only, every record flushed, fsynced at a bounded interval."""

from __future__ import annotations

import errno
import json
import math
import os
import time
from pathlib import Path
from typing import Any, BinaryIO

from drivers.base import PermissionDenied, StorageFull
from drivers.recording.format import END, FRAME, MAGIC, METADATA, STILL, pack_record


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
