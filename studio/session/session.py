"""A shoot's folder: unique file names from a template, a counter that survives restarts.

Layout: ``<root>/<YYYY-MM-DD>_<session-slug>/`` holding ``session.json`` (state), the photos,
their sidecars (``<file>.xmp``, ``<base>.xmp`` for RAWs, ``<base>.studio.json``) and the optional
deliverables (``<base>.bw.jpg``, ``<base>.crop-4x5.jpg``). A :class:`Session` is the drivers'
:class:`~drivers.download.DownloadSink`: every downloaded file goes through :meth:`Session.store`.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from drivers.base import PermissionDenied, StorageFull
from drivers.download import PAIR_WINDOW_S, safe_name
from studio.session import naming
from studio.session.files import is_photo
from studio.session.hooks import Hook
from studio.session.people_state import PeopleState
from studio.session.reconcile import ReconcileReport, reconcile
from studio.session.review import Review, finish_pending
from studio.session.review import review as review_shot
from studio.session.state import SessionOptions, SessionState, load_state, load_state_file, save_state
from studio.session.unique import MAX_SUFFIX, free_base, write_unique

__all__ = ["MAX_SUFFIX", "Session", "StoredFile"]

log = logging.getLogger(__name__)

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class StoredFile:
    path: Path
    base: str
    counter: int
    seq: int
    camera_name: str
    size: int
    person: str = ""  # the person's name when the shot was stored
    person_counter: int | None = None  # the number in the name under the counter rule "person"
    person_id: str = ""  # the person's id and email when the shot was stored (the desk may move
    person_email: str = ""  # on before the still is checked)


class Session(PeopleState):
    """Open one with :meth:`open`; then hand it to the driver as its download sink."""

    def __init__(self, folder: Path, state: SessionState, reconciled: ReconcileReport) -> None:
        self.folder = folder
        self.state = state
        self.reconciled = reconciled
        self._lock = threading.RLock()
        # One shot's JSON and XMP are written by one thread at a time (the photographer's review,
        # the still check); apart from _lock so that a review never holds up a download.
        self.metadata_lock = threading.RLock()
        # camera stem -> (base, when, counter, person counter)
        self._recent: dict[str, tuple[str, float, int, int | None]] = {}
        self._stored: list[StoredFile] = []
        self._largest = 0
        # The space rule (ensure_space): the largest shot so far with all its files, its JPEG.
        self._largest_shot = 0
        self._largest_jpeg = 0
        self._last_shot: tuple[str, int] = ("", 0)
        self._shot_listeners: list[Callable[[StoredFile], None]] = []

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, root: Path | str, name: str, *, subject: str | None = None,
             preset: str | None = None, options: SessionOptions | None = None,
             day: date | None = None) -> Session:
        """Open today's session ``name`` under ``root``, creating it or resuming it.

        Resuming keeps the counter, sequence and (unless given again) subject and options, and
        reconciles what a crash left behind. Raises :class:`ValueError` for a bad template or a
        damaged state file and :class:`~drivers.base.PermissionDenied` for an unwritable root.
        """
        day = day or date.today()
        if options is not None:
            naming.validate(options.template)  # before anything is created on disk
        folder = Path(root).expanduser() / f"{day.isoformat()}_{naming.slug(name)}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except PermissionError as exc:
            raise PermissionDenied(f"cannot create {folder}", "choose a writable session folder") from exc
        except OSError as exc:  # the root, or a folder on the way, is a file
            raise ValueError(f"cannot create session folder {folder}: {exc.strerror or exc}") from None
        report = reconcile(folder)
        state = _staged_state(folder) or load_state(folder)
        if state is None:
            state = SessionState(name=name, slug=naming.slug(name),
                                 created=datetime.now().isoformat(timespec="seconds"))
        if subject is not None:
            state.subject = subject
        if preset is not None:
            state.preset = preset
        if options is not None:
            state.options = options
        naming.validate(state.options.template)
        state.counter = max(state.counter, _highest_counter_hint(state, folder) + 1)
        session = cls(folder, state, report)
        session._save()
        finished = finish_pending(folder)  # reviews a crash left between the JSON and the XMP
        if finished:
            log.warning("session %s: finished the review of %s", folder.name, ", ".join(finished))
        if not report.clean:
            log.warning("session %s reconciled: %s", folder.name, report.summary())
        return session

    # -- naming and storing ----------------------------------------------------------------

    @property
    def options(self) -> SessionOptions:
        return self.state.options

    @property
    def stored(self) -> list[StoredFile]:
        with self._lock:
            return list(self._stored)

    def set_subject(self, subject: str) -> None:
        with self._lock:
            self.state.subject = subject
            self._save()

    def set_preset(self, preset: str) -> None:
        """The preset the stills are checked with and the sidecars name, from now on (saved)."""
        with self._lock:
            self.state.preset = preset
            self._save()

    def new_sequence(self) -> int:
        """Start the next sequence (``{seq}`` in names); returns its number."""
        with self._lock:
            self.state.seq += 1
            self._save()
            return self.state.seq

    def store(self, camera_name: str, data: bytes | memoryview) -> Path:
        """Write one downloaded file under its template name; the :class:`DownloadSink` method.

        A RAW and a JPEG with the same camera name arriving within ``PAIR_WINDOW_S`` share one
        base name and one counter value. The counter is saved before the file is written.
        """
        camera_name = safe_name(camera_name)
        camera_stem = camera_name.rpartition(".")[0] or camera_name
        suffix = ("." + camera_name.rpartition(".")[2].lower()) if "." in camera_name else ""
        with self._lock:
            now = time.monotonic()
            paired = self._recent.get(camera_stem)
            pair_free = paired and not (self.folder / (paired[0] + suffix)).exists()
            new_shot = not (paired and pair_free and now - paired[1] < PAIR_WINDOW_S)
            if paired and not new_shot:
                base, counter, person_counter = paired[0], paired[2], paired[3]
            else:
                counter = self.state.counter
                self.state.counter += 1
                person_counter = self._next_person_counter()
                self._save()  # before the file: a crash skips a number, never reuses one
                base = self._free_base(camera_name, person_counter or counter)
            size = memoryview(data).nbytes
            self._largest = max(self._largest, size)  # even if it does not fit: the next may not
            self._count_shot_size(base, suffix, size)
            path = self._write(self.folder / f"{base}{suffix}", data)
            base = path.name[: -len(suffix)] if suffix else path.name
            self._recent[camera_stem] = (base, now, counter, person_counter)
            stored = StoredFile(path, base, counter, self.state.seq, camera_name, size,
                                self.state.person_name, person_counter, self.state.person_id,
                                self.state.person_email)
            self._stored.append(stored)
            listeners = list(self._shot_listeners) if new_shot else []
        log.info("stored %s (%d bytes) as %s", camera_name, size, path.name)
        for listener in listeners:  # outside the lock: a listener may set the next person
            try:
                listener(stored)
            except Exception:
                log.exception("shot listener %r failed", listener)
        return path

    def add_shot_listener(self, listener: Callable[[StoredFile], None]) -> Callable[[], None]:
        """Call ``listener`` (on the storing thread) once per new shot on disk — the first file
        of a RAW+JPEG pair, not its twin — before the shot is checked. Returns the remover."""
        with self._lock:
            self._shot_listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._shot_listeners:
                    self._shot_listeners.remove(listener)

        return remove

    def _free_base(self, camera_name: str, counter: int) -> str:
        state = self.state
        person = naming.slug(state.person_name, fallback="") if state.person_name else ""
        fields = naming.NameFields(datetime.now(), counter, camera_name, state.slug,
                                   naming.slug(state.subject, fallback=state.slug), state.seq, person)
        name = naming.expand(state.options.template, fields)
        return free_base(self.folder, name.rpartition(".")[0] or name)

    def _write(self, final: Path, data: bytes | memoryview) -> Path:
        return write_unique(self.folder, final, data)

    # -- space -----------------------------------------------------------------------------

    def free_bytes(self) -> int:
        return shutil.disk_usage(self.folder).free

    def ensure_space(self) -> None:
        """Raise :class:`StorageFull` if the next shot might not fit (checked before each shot).

        Room is kept for the configured minimum plus everything a shot writes
        (:meth:`shot_bytes`), so the photographer hears it before a shot is lost, not after.
        """
        from studio.session.deliverables import human_size

        shot = self.shot_bytes()
        needed = self.options.min_free_mb * MB + shot
        free = self.free_bytes()
        if free < needed:
            kept = f" plus the {self.options.min_free_mb} MB kept free" if self.options.min_free_mb else ""
            raise StorageFull(
                f"only {human_size(free)} free for {self.folder}, a shot needs {human_size(shot)}"
                f"{kept}: capturing stopped",
                "free space or choose another session folder; shots not downloaded stay on the card")

    def shot_bytes(self) -> int:
        """What the next shot may write: the largest shot so far with all its files (RAW and
        JPEG), a B&W and a crop copy of its JPEG when they are on, and its sidecars (64 kB)."""
        copies = int(self.options.black_and_white) + int(bool(self.options.crop))
        shot = max(self._largest_shot, self._largest)
        return shot + copies * (self._largest_jpeg or self._largest) + 64 * 1024

    def _count_shot_size(self, base: str, suffix: str, size: int) -> None:
        last_base, last_size = self._last_shot
        total = size + (last_size if last_base == base else 0)  # the twin of a RAW+JPEG pair
        self._last_shot = (base, total)
        self._largest_shot = max(self._largest_shot, total)
        if suffix in (".jpg", ".jpeg"):
            self._largest_jpeg = max(self._largest_jpeg, size)

    def hook(self) -> Hook | None:
        """The session's hook script (run from the session folder), or None; may raise HookError."""
        if not self.options.hook:
            return None
        return Hook(self.options.hook, cwd=self.folder, timeout_s=self.options.hook_timeout_s)

    # -- state -----------------------------------------------------------------------------

    def review(self, path_or_base: Path | str, rating: int | None = None, label: str | None = None,
               rejected: bool | None = None) -> Review:
        """The photographer's review of one shot (rating 0–5, colour label, rejected) into its
        ``.studio.json``, its embedded XMP and its sidecars; see :mod:`studio.session.review`.
        Raises :class:`ValueError` (one line) for an unknown shot or a bad value."""
        with self.metadata_lock:
            return review_shot(self.folder, path_or_base, rating=rating, label=label, rejected=rejected)

    def update_options(self, options: SessionOptions) -> None:
        """Replace the session's options (saved); the template is checked first."""
        naming.validate(options.template)
        with self._lock:
            self.state.options = options
            self._save()

    def update_settings(self, settings: dict[str, object]) -> None:
        with self._lock:
            self.state.settings = dict(settings)
            self._save()

    def _save(self) -> None:
        save_state(self.folder, self.state)


def _staged_state(folder: Path) -> SessionState | None:
    """A complete ``.session.json.new`` left by a crash just before its rename is the newest."""
    staged = folder / ".session.json.new"
    if not staged.exists():
        return None
    try:
        state = load_state_file(staged)
    except ValueError:
        staged.unlink()
        return None
    staged.unlink()
    return state


def _highest_counter_hint(state: SessionState, folder: Path) -> int:
    """Belt and braces if ``session.json`` was lost: never below the number of photos present."""
    return sum(1 for p in folder.iterdir() if p.is_file() and is_photo(p)) if state.counter <= 1 else 0
