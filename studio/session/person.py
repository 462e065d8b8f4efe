"""Who is in front of the camera: the value the session stores and names files after.

:mod:`studio.people` (rosters, the people desk, QR codes) builds on it; it lives here so that the
session needs nothing of that package (``studio.people`` imports ``studio.session``, not back).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


def fold(text: str) -> str:
    """Case-, width- and space-insensitive form for matching a code or a typed name."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True, slots=True)
class Person:
    """One person of the day. ``id`` and ``email`` are optional (a QR code may carry either)."""

    name: str
    id: str = ""
    email: str = ""

    @property
    def key(self) -> str:
        """What identifies this person in the session's state: the id if any, else the name."""
        return f"id:{self.id}" if self.id else f"name:{fold(self.name)}"
