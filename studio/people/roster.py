"""The day's list of people: a CSV (name, id, email; header optional) or a plain text file.

Formats (the file's suffix decides; a first line that is a header also means CSV):

- **CSV** (``.csv``, ``.tsv``): columns ``name, id, email`` in that order, or in any order under
  a header row naming them (``name``/``full name``, ``id``/``code``/``badge``, ``email``/``e-mail``).
  The delimiter (``,`` ``;`` or a tab) is taken from the first line.
- **Plain text** (anything else): one name a line.

In both, blank lines and lines starting with ``#`` are skipped. A bad row (no name, an email
without ``@``, an id used twice, too many columns) is a :class:`RosterError` naming the file and
line: the whole roster is refused, nothing is half-loaded.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from drivers.safe_read import FileRefused, read_capped
from studio.session.person import Person, fold

__all__ = ["Person", "Roster", "RosterError", "fold", "load_roster", "parse_roster"]

MAX_ROSTER_BYTES = 4 * 1024 * 1024  # ~50,000 people; a bigger file is not a roster
MAX_NAME_CHARS = 200
CSV_SUFFIXES = frozenset({".csv", ".tsv"})
_HEADER_WORDS = {
    "name": "name", "full name": "name", "fullname": "name", "person": "name",
    "id": "id", "code": "id", "badge": "id", "employee id": "id", "number": "id",
    "email": "email", "e-mail": "email", "mail": "email",
}


class RosterError(ValueError):
    """A roster file that cannot be used; the message is one line naming the file and line."""


@dataclass(frozen=True, slots=True)
class Roster:
    people: tuple[Person, ...] = ()
    source: str = ""  # the file it came from ("" when built in code)

    def __len__(self) -> int:
        return len(self.people)

    def __iter__(self) -> Iterator[Person]:
        return iter(self.people)

    def __getitem__(self, index: int) -> Person:
        return self.people[index]

    def find(self, text: str) -> int | None:
        """The index of the person whose id, email or name is ``text`` (folded), or None.

        Ids win over emails, emails over names, so a badge number that is also someone's name
        still finds the badge's owner.
        """
        wanted = fold(text)
        if not wanted:
            return None
        for attr in ("id", "email", "name"):
            for i, person in enumerate(self.people):
                value = getattr(person, attr)
                if value and fold(value) == wanted:
                    return i
        return None


def load_roster(path: Path | str) -> Roster:
    """Read a roster file; :class:`RosterError` (one line) when it cannot be used."""
    path = Path(path).expanduser()
    try:
        data = read_capped(path, MAX_ROSTER_BYTES)  # FIFOs and devices refused before opening
    except FileNotFoundError:
        raise RosterError(f"roster {path}: no such file") from None
    except FileRefused as exc:
        raise RosterError(f"roster {path}: {_reason(exc, path)}") from None
    except OSError as exc:
        raise RosterError(f"roster {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError as exc:
        raise RosterError(f"roster {path}: not UTF-8 text (byte {exc.start})") from None
    return parse_roster(text, source=str(path), csv_format=path.suffix.lower() in CSV_SUFFIXES)


def _reason(exc: FileRefused, path: Path) -> str:
    """The refusal without the path repeated ("is a FIFO, not a regular file")."""
    text = str(exc)
    return text[len(str(path)) + 1:] if text.startswith(str(path)) else text


def parse_roster(text: str, *, source: str = "roster", csv_format: bool | None = None) -> Roster:
    """Parse roster text; ``csv_format=None`` decides from a header line."""
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise RosterError(f"roster {source}: no people in it")
    if csv_format is None:
        csv_format = _header_columns(_split(lines[0][1])) is not None
    people = _csv_people(lines, source) if csv_format else [_person(source, n, line) for n, line in lines]
    seen: dict[str, int] = {}
    for (n, _), person in zip(lines[-len(people):], people, strict=True):
        if person.id and person.id.casefold() in seen:
            raise RosterError(f"roster {source} line {n}: id {person.id!r} already used on line "
                              f"{seen[person.id.casefold()]}")
        if person.id:
            seen[person.id.casefold()] = n
    return Roster(tuple(people), source)


def _split(line: str) -> list[str]:
    delimiter = "\t" if "\t" in line else (";" if line.count(";") > line.count(",") else ",")
    return next(csv.reader(io.StringIO(line), delimiter=delimiter, skipinitialspace=True), [])


def _header_columns(cells: list[str]) -> list[str] | None:
    """The column names if ``cells`` is a header row (it names the name column), else None."""
    names = [_HEADER_WORDS.get(fold(c)) for c in cells]
    if "name" not in names or any(n is None for n in names):
        return None
    return [n for n in names if n is not None]


def _csv_people(lines: list[tuple[int, str]], source: str) -> list[Person]:
    columns = _header_columns(_split(lines[0][1]))
    rows = lines[1:] if columns else lines
    columns = columns or ["name", "id", "email"]
    if not rows:
        raise RosterError(f"roster {source}: a header but no people")
    people = []
    for n, line in rows:
        cells = [c.strip() for c in _split(line)]
        while cells and not cells[-1]:
            cells.pop()  # trailing empty columns ("Jane Doe,,")
        if len(cells) > len(columns):
            raise RosterError(f"roster {source} line {n}: {len(cells)} columns, expected at most "
                              f"{len(columns)} ({', '.join(columns)})")
        values = dict(zip(columns, cells, strict=False))
        people.append(_person(source, n, values.get("name", ""), values.get("id", ""),
                              values.get("email", "")))
    return people


def _person(source: str, n: int, name: str, id_: str = "", email: str = "") -> Person:
    name, id_, email = (" ".join(unicodedata.normalize("NFC", v).split()) for v in (name, id_, email))
    if not name:
        raise RosterError(f"roster {source} line {n}: no name")
    if len(name) > MAX_NAME_CHARS:
        raise RosterError(f"roster {source} line {n}: name longer than {MAX_NAME_CHARS} characters")
    if any(unicodedata.category(c).startswith("C") for c in name + id_ + email):
        raise RosterError(f"roster {source} line {n}: control characters in the row")
    if email and ("@" not in email or " " in email):
        raise RosterError(f"roster {source} line {n}: {email!r} is not an email address")
    return Person(name, id_, email)
