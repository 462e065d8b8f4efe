"""Shots fired on the camera body: their files gathered into one shot each.

A shot studio fired comes back through its capture Future; one fired with the body's own
shutter button arrives only as :class:`~drivers.base.FileAdded` events, one per file. A RAW+JPEG
pair is two events a moment apart, so the files are gathered until no new one has come for
``settle_s``, then handed on as one shot, with any photo on disk sharing their base name (a RAW
whose event came later).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

SETTLE_S = 0.6  # a RAW+JPEG pair's two events arrive well within this


class BodyShots:
    """:meth:`add` each file as its event arrives (any thread); ``on_shot(paths)`` runs on a
    timer thread once they settle."""

    def __init__(self, on_shot: Callable[[tuple[Path, ...]], None], settle_s: float = SETTLE_S) -> None:
        self._on_shot = on_shot
        self.settle_s = settle_s
        self._lock = threading.Lock()
        self._files: list[Path] = []
        self._timer: threading.Timer | None = None

    @property
    def gathering(self) -> bool:
        """Files are waiting to settle."""
        with self._lock:
            return self._timer is not None

    def add(self, path: Path) -> None:
        with self._lock:
            self._files.append(path)
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.settle_s, self._settled)
            self._timer.daemon = True
            self._timer.start()

    def _settled(self) -> None:
        with self._lock:
            files, self._files, mine = self._files, [], self._timer
        try:
            if files:
                self._on_shot(with_twins(files))
        finally:  # gathering until handed on: a wait for idle never sees a shot in between
            with self._lock:
                if self._timer is mine:
                    self._timer = None


def with_twins(files: list[Path]) -> tuple[Path, ...]:
    """``files`` plus the other photos sharing their base name (a RAW that came later)."""
    from studio.session.files import base_of, is_photo

    out = dict.fromkeys(files)
    for path in files:
        for twin in path.parent.glob(f"{base_of(path)}.*"):
            if twin.is_file() and is_photo(twin) and base_of(twin) == base_of(path):
                out.setdefault(twin)
    return tuple(out)
