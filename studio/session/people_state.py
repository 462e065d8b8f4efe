"""The session's part of a shoot day: who is in front of the camera, saved in ``session.json``.

:class:`PeopleState` is mixed into :class:`~studio.session.Session` (it uses its lock, state and
save); :mod:`studio.people` drives it. The person's name sets ``{subject}`` and ``{person}``;
under the counter rule ``person`` each person's ``%n`` counts from 1 (counters kept by
:attr:`Person.key`, so they survive restarts).
"""

from __future__ import annotations

import threading

from studio.session.person import Person
from studio.session.state import SessionState


class PeopleState:
    _lock: threading.RLock
    state: SessionState

    def _save(self) -> None:
        raise NotImplementedError

    @property
    def person(self) -> Person | None:
        """The person being photographed (persisted in ``session.json``), or None."""
        with self._lock:
            state = self.state
            if not state.person_name:
                return None
            return Person(state.person_name, state.person_id, state.person_email)

    def set_person(self, person: Person | None, index: int | None = None) -> int:
        """Make ``person`` the one in front of the camera: saved, ``{subject}`` and ``{person}``
        follow, a new sequence starts and the person's shot count restarts. Returns the sequence.
        """
        with self._lock:
            state = self.state
            state.person_name = person.name if person else ""
            state.person_id = person.id if person else ""
            state.person_email = person.email if person else ""
            state.person_index = -1 if index is None else index
            state.person_shots = 0
            if person is not None:
                state.subject = person.name
            state.seq += 1
            self._save()
            return state.seq

    def count_person_shot(self) -> int:
        """One more saved shot of the current person (persisted); returns how many so far."""
        with self._lock:
            self.state.person_shots += 1
            self._save()
            return self.state.person_shots

    def add_person_name(self, name: str) -> None:
        """Remember a name typed that is not in the roster (next/previous reach it after a restart)."""
        with self._lock:
            if name not in self.state.people_added:
                self.state.people_added.append(name)
                self._save()

    def _next_person_counter(self) -> int | None:
        """Under the counter rule "person": the current person's next number (None otherwise).
        Called with the lock held, just before the counter is saved."""
        state = self.state
        if state.options.counter != "person" or not state.person_name:
            return None
        person = self.person
        key = person.key if person else state.person_name
        n = max(1, int(state.person_counters.get(key, 1)))
        state.person_counters[key] = n + 1
        return n
