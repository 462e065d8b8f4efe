"""People of a shoot day: the roster, who is in front of the camera, their QR/barcode cards.

- :func:`load_roster` / :class:`Roster` / :class:`Person` — the day's list (CSV or plain text);
- :class:`PeopleDesk` — the current person: next/previous/typed/scanned/auto after N shots,
  saved in the session, :class:`~studio.events.PersonChanged` to listeners;
- :func:`read_person_code` — a QR code or barcode off a BGR image (OpenCV's detectors).
"""

from __future__ import annotations

from typing import Any

from studio.people.desk import PeopleDesk
from studio.people.roster import Person, Roster, RosterError, load_roster

__all__ = ["PeopleDesk", "Person", "Roster", "RosterError", "load_roster", "read_person_code"]


def __getattr__(name: str) -> Any:
    # OpenCV's detectors load only when a code is read: every command imports this package.
    if name == "read_person_code":
        from studio.people.qr import read_person_code

        return read_person_code
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
