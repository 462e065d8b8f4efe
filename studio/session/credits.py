"""Who made the photos and who owns them: ``dc:creator`` and ``dc:rights`` in every shot's XMP.

Read from the user's configuration, ``$XDG_CONFIG_HOME/studio/config.toml`` (``~/.config`` when
unset)::

    [metadata]
    creator = "Ann Example"
    copyright = "© 2026 Ann Example Photography"

A session's own options (``--creator``, ``--copyright``) win over the file. A file that cannot
be used is a :class:`ValueError` with one line naming the file and the key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from drivers.safe_read import FileRefused, read_capped
from studio.session.state import SessionOptions

MAX_CONFIG_BYTES = 1024 * 1024
MAX_TEXT = 500


@dataclass(frozen=True, slots=True)
class Credits:
    creator: str = ""
    copyright: str = ""


def config_path() -> Path:
    home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(home) / "studio" / "config.toml"


def load_config_credits(path: Path | None = None) -> Credits:
    """The ``[metadata]`` table of the user's config (empty credits when there is none)."""
    path = path or config_path()
    if not path.exists():
        return Credits()
    try:
        data = tomllib.loads(read_capped(path, MAX_CONFIG_BYTES).decode("utf-8-sig"))
    except FileRefused as exc:  # a FIFO, a device, far too large: one line, no hang
        raise ValueError(str(exc)) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        raise ValueError(f"{path}: {exc}".splitlines()[0]) from None
    table = data.get("metadata", {})
    if not isinstance(table, dict):
        raise ValueError(f"{path}: [metadata] must be a table")
    values = {}
    for key in ("creator", "copyright"):
        value = table.get(key, "")
        if not isinstance(value, str):
            raise ValueError(f"{path}: metadata.{key} must be text, not {type(value).__name__}")
        if len(value) > MAX_TEXT:
            raise ValueError(f"{path}: metadata.{key} is longer than {MAX_TEXT} characters")
        values[key] = " ".join(value.split())
    return Credits(**values)


def credits_for(options: SessionOptions) -> Credits:
    """The session's creator and copyright: its options, else the user's config."""
    config = load_config_credits() if not (options.creator and options.copyright) else Credits()
    return Credits(options.creator or config.creator, options.copyright or config.copyright)
