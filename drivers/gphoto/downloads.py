"""Captures, camera events and downloads: nothing the camera writes is lost.

Owner thread only. A capture is ``trigger_capture`` plus the event loop: every
``GP_EVENT_FILE_ADDED`` is downloaded, so both files of a RAW+JPEG pair and shots fired from the
body arrive. A capture's Future resolves once ``CAPTURE_COMPLETE`` came and ``pair_settle_s``
passed without a twin. A failed download leaves the file on the camera and is retried; a file
is deleted on the camera only after the local copy has the camera's size.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from drivers.base import CameraError, CameraGone, DriverWarning, FileAdded, StorageFull
from drivers.download import DownloadSink
from drivers.gphoto.connection import Link, error_action, error_code, mark
from drivers.gphoto.errors import Action
from drivers.gphoto.lib import gp

log = logging.getLogger(__name__)

_STORE_FULL = re.compile(r"\b400a\b|store ?full", re.IGNORECASE)  # PTP StoreFull event
_EVENTS_PER_PUMP = 64  # bounded so requests and live view keep their turn


def _card_full() -> StorageFull:
    return StorageFull("the camera's card is full", "free space on the card or set capture target to RAM")


@dataclass
class _Pending:
    future: Future
    deadline: float
    started: float = field(default_factory=time.monotonic)
    files: list[Path] = field(default_factory=list)
    stems: set[str] = field(default_factory=set)
    completed_at: float | None = None


@dataclass
class _Undownloaded:
    folder: str
    name: str
    attempts: int = 0
    next_try: float = 0.0


class Downloads:
    """Captures waiting for their files, downloads to retry, and the card-full flag."""

    def __init__(self, link: Link, sink: DownloadSink) -> None:
        self._link = link
        self._options = link.options
        self._sink = sink
        self._pending: list[_Pending] = []
        self._retry: list[_Undownloaded] = []
        self._store_full = False
        self.last_wait_s = 0.0  # how long the last wait_for_event blocked
        self.deleted_on_camera = 0  # files removed from the card after a verified download

    @property
    def waiting(self) -> bool:
        """A capture is waiting for its file(s)."""
        return bool(self._pending)

    def stalled(self, after_s: float) -> bool:
        """A capture has had no file for ``after_s``: the driver checks the camera answers."""
        now = time.monotonic()
        return any(not p.files and now - p.started > after_s for p in self._pending)

    def connected(self) -> None:
        self._store_full = False

    # ------------------------------------------------------------------ captures

    def trigger(self, future: Future) -> None:
        """Fire the shutter; ``future`` resolves when the file(s) are on disk."""
        try:
            self._link.call("capturing", self._link.cam.trigger_capture)
        except CameraError as exc:
            raise self._capture_error(exc) from exc
        self._pending.append(_Pending(future, time.monotonic() + self._options.capture_timeout_s))

    def _capture_error(self, exc: CameraError) -> CameraError:
        """A bare ``-1`` means many things: card full (seen as an event), camera gone, refused."""
        code = error_code(exc)
        if code in (-1, -3) and self._store_full:
            return _card_full()
        if code == -1 and not self._link.present():
            return mark(CameraGone("camera vanished while capturing", "reconnecting"),
                        action=Action.RECONNECT)
        if code == -1:
            return CameraError(f"{exc}", "the camera refused: check focus, lens, mode dial and card")
        return exc

    def fail_all(self, error: Callable[[], CameraError]) -> None:
        """Every waiting capture fails with a fresh ``error()`` (camera lost or closed)."""
        for pending in self._pending:
            if not pending.future.done():
                pending.future.set_exception(error())
        self._pending.clear()

    def finish_captures(self) -> None:
        """Resolve captures whose files are settled, fail those past their deadline."""
        now = time.monotonic()
        for pending in list(self._pending):
            settled = (pending.completed_at is not None and pending.files
                       and now - pending.completed_at >= self._options.pair_settle_s)
            if settled:
                pending.future.set_result(list(pending.files))
            elif now > pending.deadline:
                if pending.files:
                    pending.future.set_result(list(pending.files))
                else:
                    pending.future.set_exception(CameraError(
                        f"no file arrived within {self._options.capture_timeout_s:.0f} s of the shutter",
                        "check the camera's screen; the shot may have failed to focus"))
            else:
                continue
            self._pending.remove(pending)

    def drain_before_close(self) -> None:
        """Give waiting captures their files, and files whose download failed one more try,
        before closing (bounded: 5 s)."""
        deadline = time.monotonic() + min(5.0, self._options.capture_timeout_s)
        while (self._pending or self._retry) and time.monotonic() < deadline:
            try:
                self.pump_events()
                for entry in self._retry:  # a file that failed once: one more try before closing
                    entry.next_try = min(entry.next_try, time.monotonic() + 0.2)
                self.retry_downloads()
            except CameraError:
                break
            self.finish_captures()
            time.sleep(self._options.busy_poll_s)

    def _pending_for(self, stem: str) -> _Pending | None:
        return next((p for p in self._pending if stem in p.stems), None)

    def _capture_for(self, camera_name: str) -> _Pending | None:
        """The twin of a file already there (same camera stem, RAW+JPEG), else the oldest
        capture without a file; ``None``: the shot was fired from the body."""
        stem = Path(camera_name).stem
        return self._pending_for(stem) or next((p for p in self._pending if not p.files), None)

    def _attach_file(self, path: Path, camera_name: str) -> None:
        pending = self._capture_for(camera_name)
        if pending is not None:
            pending.files.append(path)
            pending.stems.add(Path(camera_name).stem)

    def _capture_completed(self) -> None:
        for pending in self._pending:
            if pending.completed_at is None:
                pending.completed_at = time.monotonic()
                return

    # ------------------------------------------------------------------ events

    def pump_events(self) -> None:
        g = gp()
        # While a capture is pending, let libgphoto2 block for the file (it returns as soon as
        # the event arrives); when idle only look, so requests and live view are not delayed.
        wait_ms = max(1, int(self._options.busy_poll_s * 1000)) if self._pending else 1
        for _ in range(_EVENTS_PER_PUMP):
            started = time.monotonic()
            kind, data = self._link.call("waiting for events", self._link.cam.wait_for_event, wait_ms)
            if kind == g.GP_EVENT_TIMEOUT:
                self.last_wait_s = time.monotonic() - started
                return
            if kind == g.GP_EVENT_FILE_ADDED:
                self._download(data.folder, data.name)
            elif kind == g.GP_EVENT_CAPTURE_COMPLETE:
                self._capture_completed()
            elif kind == g.GP_EVENT_UNKNOWN and data and _STORE_FULL.search(str(data)):
                self._on_store_full()

    def _on_store_full(self) -> None:
        """The body says its card is full: captures still waiting for a file will get none."""
        if not self._store_full:
            self._store_full = True
            self._link.hub.emit(DriverWarning("the camera's card is full", code="store-full"))
        for pending in [p for p in self._pending if not p.files]:
            pending.future.set_exception(_card_full())
            self._pending.remove(pending)

    # ------------------------------------------------------------------ downloads

    def _download(self, folder: str, name: str, retry: _Undownloaded | None = None) -> None:
        g = gp()
        link = self._link
        camera_path = f"{folder.rstrip('/')}/{name}"
        try:
            camera_file = link.call(f"downloading {camera_path}", link.cam.file_get,
                                    folder, name, g.GP_FILE_TYPE_NORMAL)
            data = memoryview(camera_file.get_data_and_size())
        except CameraError as exc:  # the camera's side: its capture waits for the retry
            self._download_failed(folder, name, exc, retry, sink_failed=False)
            return
        try:
            path = self._sink.store(name, data)
        except CameraError as exc:  # disk full, folder not writable: the capture learns now
            self._download_failed(folder, name, exc, retry, sink_failed=True)
            return
        except OSError as exc:  # folder gone, I/O error: the sink's problem must not end this thread
            error = CameraError(f"cannot save {name}: {exc.strerror or exc}",
                                "check the session folder; the photo stays on the camera's card")
            self._download_failed(folder, name, error, retry, sink_failed=True)
            return
        size = data.nbytes
        if self._options.delete_after_download:
            self._delete_if_verified(folder, name, path, size)
        event = FileAdded(path, camera_path, size)
        self._attach_file(path, name)
        link.hub.emit(event)

    def _download_failed(self, folder: str, name: str, exc: CameraError,
                         retry: _Undownloaded | None, *, sink_failed: bool) -> None:
        entry = retry or _Undownloaded(folder, name)
        entry.attempts += 1
        entry.next_try = time.monotonic() + self._options.download_retry_s
        attempts = self._options.download_attempts
        retrying = entry.attempts < attempts
        if retrying:
            self._retry.append(entry)  # the file stays on the camera meanwhile
        self._link.hub.emit(DriverWarning(f"could not save {folder}/{name}: {exc} "
                                          f"(attempt {entry.attempts} of {attempts})",
                                          code="download-failed"))
        # A failure on our side (disk full) is the capture's failure now: the photographer must
        # know; the file stays on the camera, and a later success still arrives as FileAdded.
        # A failure on the camera's side keeps the capture waiting for the retry (by its stem).
        pending = self._capture_for(name)
        if pending and not pending.future.done():
            if sink_failed or not retrying or error_action(exc) is Action.RECONNECT:
                pending.future.set_exception(exc)
                self._pending.remove(pending)
            else:
                pending.stems.add(Path(name).stem)
        if error_action(exc) is Action.RECONNECT:
            raise exc

    def retry_downloads(self) -> None:
        now = time.monotonic()
        for entry in list(self._retry):
            if entry.next_try <= now:
                self._retry.remove(entry)
                self._download(entry.folder, entry.name, entry)

    def _delete_if_verified(self, folder: str, name: str, path: Path, size: int) -> None:
        """Delete on the camera only when the local copy has the camera's reported size."""
        link = self._link
        try:
            info = link.call("reading file info", link.cam.file_get_info, folder, name)
            camera_size = int(info.file.size)
            local_size = path.stat().st_size
        except (CameraError, OSError) as exc:
            log.warning("kept %s/%s on the camera: cannot verify (%s)", folder, name, exc)
            return
        if camera_size != local_size or local_size != size:
            link.hub.emit(DriverWarning(
                f"kept {folder}/{name} on the camera: local size {local_size} != camera size "
                f"{camera_size}", code="verify-failed"))
            return
        try:
            link.call(f"deleting {folder}/{name}", link.cam.file_delete, folder, name)
            self.deleted_on_camera += 1
        except CameraError as exc:
            log.warning("could not delete %s/%s on the camera: %s", folder, name, exc)
