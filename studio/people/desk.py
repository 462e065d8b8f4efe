"""The people desk: who is in front of the camera, moved on by keys, a typed name, a QR card or
the shot count; saved in the session so a restart resumes at the same person.

The desk's list is the roster followed by any names typed that are not in it (a walk-in joins
the end of the list, and next/previous reach it). Every change goes to the session
(:meth:`Session.set_person`: saved, a new sequence, ``{person}`` in names) and then to the
listeners as a :class:`~studio.events.PersonChanged`. Any thread may call the desk: keys come on
the GUI thread, codes on the desk's own code thread, shot counts on the shot worker.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from drivers.base import EventHub, LatestFrameSlot
from studio.events import CaptureDone, CaptureEvent, PersonChanged
from studio.people.codes import clean_code
from studio.people.roster import MAX_NAME_CHARS, Person, Roster, fold
from studio.people.watch import CodeWatcher
from studio.session import Session

log = logging.getLogger(__name__)

PersonListener = Callable[[PersonChanged], None]


def describe(event: PersonChanged) -> str:
    """One line in words: ``[person] 2 of 10: Bo Li (next)``."""
    where = f"{event.index + 1} of {event.total}" if event.index is not None else "new"
    return f"[person] {where}: {event.person_name} ({event.source})"


class PeopleDesk:
    """``roster`` may be empty (names typed or scanned only); ``session`` may be None (no files)."""

    def __init__(self, roster: Roster | None = None, session: Session | None = None, *,
                 shots_per_person: int = 0) -> None:
        if shots_per_person < 0:
            raise ValueError(f"shots per person must be 0 (off) or more, not {shots_per_person}")
        self.roster = roster or Roster()
        self.session = session
        self.shots_per_person = shots_per_person
        self._lock = threading.RLock()
        self._people: list[Person] = list(self.roster)
        self._index: int | None = None
        self._shots = 0
        self._listeners: EventHub[PersonChanged] = EventHub()
        self._unsubscribe: Callable[[], None] | None = None
        self._watcher: CodeWatcher | None = None  # the code thread, while watching
        self._resume()
        if session is not None:  # a shot counts once it is on disk, before it is checked
            self._unsubscribe = session.add_shot_listener(lambda _stored: self._count_shot())

    # -- reading -----------------------------------------------------------------------------

    @property
    def current(self) -> Person | None:
        with self._lock:
            return self._people[self._index] if self._index is not None else None

    @property
    def index(self) -> int | None:
        """The current person's 0-based place in the list (roster, then names typed), or None."""
        with self._lock:
            return self._index

    @property
    def total(self) -> int:
        with self._lock:
            return len(self._people)

    @property
    def people(self) -> tuple[Person, ...]:
        with self._lock:
            return tuple(self._people)

    @property
    def shots(self) -> int:
        """Saved shots of the current person."""
        with self._lock:
            return self._shots

    def announce(self, source: str = "resume") -> PersonChanged | None:
        """The current person as a :class:`PersonChanged` (for a window that starts after the
        desk resumed), or None before anyone was chosen. Tells no listener."""
        with self._lock:
            if self._index is None:
                return None
            return PersonChanged(self._people[self._index].name, self._index, len(self._people), source)

    # -- moving ------------------------------------------------------------------------------

    def next(self, source: str = "next") -> Person | None:
        """The next person (the first before anyone was chosen); stays on the last one."""
        with self._lock:
            if not self._people:
                return None
            target = 0 if self._index is None else min(self._index + 1, len(self._people) - 1)
            if target == self._index:
                log.info("already at the last person of %d", len(self._people))
                return self.current
            return self._go(target, source)

    def previous(self, source: str = "previous") -> Person | None:
        """The previous person; stays on the first one."""
        with self._lock:
            if not self._people:
                return None
            target = 0 if self._index is None else max(self._index - 1, 0)
            if target == self._index:
                return self.current
            return self._go(target, source)

    def set_name(self, name: str, source: str = "typed") -> Person:
        """The person called (or with the id / email) ``name``: found in the list, or added at
        its end. Raises :class:`ValueError` for an empty or over-long name."""
        name = " ".join(name.split())
        if not name:
            raise ValueError("a person's name cannot be empty")
        if len(name) > MAX_NAME_CHARS:
            raise ValueError(f"a person's name is at most {MAX_NAME_CHARS} characters")
        with self._lock:
            found = self._find(name)
            if found is None:
                self._people.append(Person(name))
                found = len(self._people) - 1
                if self.session is not None:
                    self.session.add_person_name(name)
            if found == self._index:
                return self._people[found]
            return self._go(found, source)

    def set_code(self, code: str) -> Person | None:
        """A code read off a card: a roster id, an email or a name. A code that is not in the
        roster becomes a name unless it looks like a link or a number (then it is ignored)."""
        cleaned = clean_code(code)  # a vCard's name; a Wi-Fi code or a phone number is nobody
        if cleaned is None:
            log.info("a code that is not a person (Wi-Fi, phone, link) was ignored")
            return None
        code = cleaned
        with self._lock:
            found = self._find(code)
            if found is not None:
                return self._go(found, "code") if found != self._index else self.current
        if "://" in code or code.replace(" ", "").isdigit() or "@" in code:
            log.warning("code %r matches nobody in the roster: ignored", code)
            return None
        return self.set_name(code, "code")

    def _find(self, text: str) -> int | None:
        found = self.roster.find(text)
        if found is not None:
            return found
        wanted = fold(text)
        for i in range(len(self.roster), len(self._people)):
            if fold(self._people[i].name) == wanted:
                return i
        return None

    def _go(self, index: int, source: str) -> Person:
        """Move to ``index`` (lock held), save, then tell the listeners (lock released)."""
        self._index = index
        self._shots = 0
        person = self._people[index]
        if self.session is not None:
            self.session.set_person(person, index)
        event = PersonChanged(person.name, index, len(self._people), source)
        log.info("person %d of %d: %s (%s)", index + 1, len(self._people), person.name, source)
        self._tell(event)
        return person

    # -- listeners ---------------------------------------------------------------------------

    def add_listener(self, listener: PersonListener) -> Callable[[], None]:
        """Call ``listener`` with every :class:`PersonChanged`; returns the function removing it."""
        return self._listeners.add_listener(listener)

    def _tell(self, event: PersonChanged) -> None:
        # Called with the desk's lock held, so that events arrive in the order of the changes; a
        # listener must not block (the window re-posts to its own thread).
        self._listeners.emit(event)

    # -- shots -------------------------------------------------------------------------------

    def on_capture_event(self, event: CaptureEvent) -> None:
        """A :class:`CaptureListener`. Without a session it counts saved shots (CaptureDone);
        with one the session's store counts them — at download, before the still is checked,
        so that the next shot is already named for the next person."""
        if self.session is None and isinstance(event, CaptureDone) and event.paths:
            self._count_shot()

    def _count_shot(self) -> None:
        """One more saved shot; with ``shots_per_person`` the next person after that many (the
        last person keeps every later shot)."""
        with self._lock:
            if self._index is None:
                return
            self._shots = (self.session.count_person_shot() if self.session is not None
                           else self._shots + 1)
            if self.shots_per_person and self._shots >= self.shots_per_person:
                if self._index + 1 < len(self._people):
                    self.next("auto")
                else:
                    log.info("the last person has %d shots: the roster is done", self._shots)

    # -- codes -------------------------------------------------------------------------------

    def watch_codes(self, frames: LatestFrameSlot, *, interval_s: float = 0.25) -> None:
        """Read QR codes and barcodes off ``frames`` (a ``LatestFrameSlot``) on a thread of the
        desk's own, a few times a second; a card shown sets the person. :meth:`close` stops it."""
        with self._lock:
            if self._watcher is not None:
                return
            watcher = CodeWatcher(frames, self.set_code, interval_s=interval_s)
            self._watcher = watcher
        watcher.start()

    @property
    def code_reads(self) -> int:
        """Frames the code thread has read so far (0 when it is not running)."""
        with self._lock:
            return self._watcher.reads if self._watcher is not None else 0

    def close(self) -> None:
        """Stop the code thread (if any); waits for it at most a second."""
        with self._lock:
            watcher, self._watcher = self._watcher, None
            unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()
        if watcher is not None:
            watcher.stop()

    # -- resuming ----------------------------------------------------------------------------

    def _resume(self) -> None:
        """Pick up the session's saved person (and names typed earlier) after a restart."""
        if self.session is None:
            return
        state = self.session.state
        for name in state.people_added:
            if self._find(name) is None:
                self._people.append(Person(name))
        saved = self.session.person
        if saved is None:
            return
        found = self._find(saved.id) if saved.id else None
        found = found if found is not None else self._find(saved.name)
        if found is None:  # the roster changed: keep the saved person as a walk-in
            self._people.append(saved)
            found = len(self._people) - 1
        self._index = found
        self._shots = state.person_shots
        log.info("resumed at person %d of %d: %s (%d shots)", found + 1, len(self._people),
                 saved.name, self._shots)
