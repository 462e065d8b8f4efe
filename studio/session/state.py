"""The session's small state file (``session.json``): counter, sequence, subject, options.

It is rewritten whole on every change through :func:`replace_atomic` (temporary file, fsync,
rename over the old one), so a crash leaves the old state or the new one, never half of each.
The counter is saved *before* the file it names is written: a crash can skip a number but can
never hand one out twice.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from drivers.download import fsync_dir, write_atomic
from drivers.safe_read import read_capped
from studio import schema
from studio.session.naming import DEFAULT_TEMPLATE

log = logging.getLogger(__name__)

STATE_NAME = "session.json"
STATE_VERSION = 1


def replace_atomic(final: Path, data: bytes) -> Path:
    """Like :func:`drivers.download.write_atomic`, but replaces ``final`` if it exists.

    For files the app owns and rewrites (state, reports), never for photos.
    """
    staged = final.with_name(f".{final.name}.new")
    staged.unlink(missing_ok=True)  # left by a crash between the write and the rename
    write_atomic(staged, data)
    os.replace(staged, final)
    fsync_dir(final.parent)
    return final


@dataclass(slots=True)
class SessionOptions:
    """What the photographer chose for this session (all optional extras off by default)."""

    template: str = DEFAULT_TEMPLATE
    min_free_mb: int = 500  # stop capturing below this much free space
    black_and_white: bool = False  # write <base>.bw.jpg next to each colour JPEG
    crop: str = ""  # "", "4:5" or "1:1": headshot crop <base>.crop-4x5.jpg
    delete_on_camera: bool = False  # drivers delete only after a verified local copy
    hook: str = ""  # path of the hook script, "" for none
    hook_timeout_s: float = 30.0
    # people (studio.people): the counter rule, the roster, the creator and copyright in the XMP
    counter: str = "session"  # "session": one counter for the day; "person": each person from 1
    roster: str = ""  # the roster file of the day ("" for names typed or scanned only)
    shots_per_person: int = 0  # > 0: the next person after this many saved shots
    creator: str = ""  # "" = [metadata] creator of $XDG_CONFIG_HOME/studio/config.toml
    copyright: str = ""  # "" = [metadata] copyright of the same file


@dataclass(slots=True)
class SessionState:
    name: str
    slug: str
    created: str  # ISO date-time
    counter: int = 1  # the next shot number
    seq: int = 1  # the current sequence number
    subject: str = ""
    preset: str = ""
    # people (studio.people): who is in front of the camera, persisted so a restart resumes there
    person_name: str = ""
    person_id: str = ""
    person_email: str = ""
    person_index: int = -1  # place in the roster, -1 for none
    person_shots: int = 0  # saved shots of the current person (for --shots-per-person)
    person_counters: dict[str, int] = field(default_factory=dict)  # Person.key -> next number
    people_added: list[str] = field(default_factory=list)  # names typed that are not in the roster
    settings: dict[str, Any] = field(default_factory=dict)  # camera settings snapshot
    options: SessionOptions = field(default_factory=SessionOptions)
    version: int = STATE_VERSION

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SessionState:
        """The state in ``data``, every field checked against its type (studio.schema):
        :class:`~studio.schema.SchemaError` (a ValueError) names the first key that is wrong."""
        options = SessionOptions(**_checked_options(schema.mapping(data.get("options", {}), "options")))
        values = schema.fields_of(cls, {k: v for k, v in data.items() if k != "options"})
        for key in ("name", "slug", "created"):
            if key not in values:
                raise schema.SchemaError(f"{key} is missing")
        state = cls(**values, options=options)
        state.counter = max(1, state.counter)
        state.seq = max(1, state.seq)
        return state


def _checked_options(data: dict[str, Any]) -> dict[str, Any]:
    """``options`` of session.json, typed and within the ranges the command line allows."""
    values = schema.fields_of(SessionOptions, data, prefix="options.")
    if "template" in values:
        schema.text(values["template"], "options.template", empty=False, limit=1000)
    if "min_free_mb" in values:
        schema.whole(values["min_free_mb"], "options.min_free_mb", lo=0, hi=10_000_000)
    if "hook_timeout_s" in values:
        schema.number(values["hook_timeout_s"], "options.hook_timeout_s", lo=0, lo_open=True, hi=3600)
    if "crop" in values:
        schema.choice(values["crop"], "options.crop", ("", "4:5", "1:1"))
    if "counter" in values:  # people (studio.people)
        schema.choice(values["counter"], "options.counter", ("session", "person"))
    if "shots_per_person" in values:
        schema.whole(values["shots_per_person"], "options.shots_per_person", lo=0, hi=10_000)
    return values


def load_state(folder: Path) -> SessionState | None:
    """The saved state of the session in ``folder``; ``None`` if it has none.

    Raises :class:`ValueError` with a one-line reason if the file is unreadable.
    """
    path = folder / STATE_NAME
    if not path.exists():
        return None
    return load_state_file(path)


MAX_STATE_BYTES = 16 * 1024 * 1024  # a state file is a few kB; a larger one is not ours


def load_state_file(path: Path) -> SessionState:
    """Parse one state file; :class:`ValueError` with a one-line reason (naming the key) if it
    is damaged, hand-edited wrongly, nested absurdly deep, a FIFO or far too large."""
    try:
        # utf-8-sig: an editor that saves a byte-order mark (Notepad) keeps the file readable
        data = json.loads(read_capped(path, MAX_STATE_BYTES).decode("utf-8-sig"))
        if not isinstance(data, dict) or not isinstance(data.get("options", {}), dict):
            raise ValueError("not a JSON object with an options object")
        return SessionState.from_json(data)
    except (OSError, ValueError, TypeError, KeyError, RecursionError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if isinstance(exc, RecursionError):
            reason = "nested too deeply"
        raise ValueError(f"{path} is damaged ({reason}); move it away to start the session afresh") from None


def save_state(folder: Path, state: SessionState) -> None:
    data = json.dumps(state.to_json(), indent=2, sort_keys=True).encode()
    replace_atomic(folder / STATE_NAME, data + b"\n")
