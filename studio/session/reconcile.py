"""Putting a session folder back in order after a crash, without dropping anything silently.

:func:`drivers.download.write_atomic` writes ``.<name>.<pid>.<thread>.part`` and links it to
``<name>`` only after an fsync, so after a crash a ``.part`` file is one of:

* a leftover of a finished write (``<name>`` exists with the same bytes): removed;
* a complete-looking JPEG (SOI ... EOI) whose final name was never made: kept as
  ``recovered-<name>`` and treated as a shot (it cannot be verified against the camera any more,
  so the name says so);
* anything else (a RAW, which has no end marker, or a truncated JPEG): moved to ``incomplete/``
  for the photographer to judge; empty ones are removed and logged;
* a temporary copy of a file the app makes itself (state, sidecars, B&W and crop
  deliverables, the report): removed, since the app writes it again.

Photos without a JSON sidecar (the crash came between download and check) are returned so the
caller checks them and writes their sidecars.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from drivers.download import PART_SUFFIX, fsync_dir
from studio.session.files import (
    INCOMPLETE_DIR,
    JPEG_SUFFIXES,
    PHOTO_SUFFIXES,
    RECOVERED_PREFIX,
    base_of,
    is_derived,
    is_photo,
    jpeg_looks_complete,
    json_sidecar,
)

log = logging.getLogger(__name__)

_PART = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.\d+" + re.escape(PART_SUFFIX) + "$")


@dataclass(slots=True)
class ReconcileReport:
    duplicates_removed: list[Path] = field(default_factory=list)
    recovered: list[Path] = field(default_factory=list)  # new names of complete-looking files
    incomplete: list[Path] = field(default_factory=list)  # moved into incomplete/
    empty_removed: list[Path] = field(default_factory=list)
    app_files_removed: list[Path] = field(default_factory=list)  # state/sidecar copies, remade
    unprocessed: list[Path] = field(default_factory=list)  # photos without a JSON sidecar

    @property
    def clean(self) -> bool:
        return not (self.duplicates_removed or self.recovered or self.incomplete
                    or self.empty_removed or self.app_files_removed or self.unprocessed)

    def summary(self) -> str:
        return (f"{len(self.recovered)} recovered, {len(self.incomplete)} moved to {INCOMPLETE_DIR}/, "
                f"{len(self.duplicates_removed)} leftover temporary copies removed, "
                f"{len(self.empty_removed)} empty temporary files removed, "
                f"{len(self.app_files_removed)} unfinished state/sidecar copies removed, "
                f"{len(self.unprocessed)} photos to check")


def _link_unique(src: Path, folder: Path, name: str) -> Path:
    """Move ``src`` to ``folder/name`` (or ``name`` with -1, -2… before the suffix), no clobber."""
    folder.mkdir(exist_ok=True)
    stem, suffix = base_of(Path(name)), Path(name).suffix
    for n in range(10000):
        target = folder / (name if n == 0 else f"{stem}-{n}{suffix}")
        try:
            os.link(src, target)
        except FileExistsError:
            continue
        src.unlink()
        fsync_dir(folder)
        return target
    raise OSError(f"no free name for {name} in {folder}")


def _writer_alive(pid: int) -> bool:
    """A process other than this one with that id runs (a second studio on the same session)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def reconcile(folder: Path) -> ReconcileReport:
    """Resolve every ``.part`` file in ``folder`` and list photos that have no sidecar yet."""
    report = ReconcileReport()
    for part in sorted(folder.glob(f".*{PART_SUFFIX}")):
        match = _PART.match(part.name)
        if not match or not part.is_file():
            continue
        if _writer_alive(int(match.group("pid"))):  # another studio is writing it right now
            log.warning("left %s alone: process %s is still writing it", part.name, match.group("pid"))
            continue
        name = match.group("name")
        data = part.read_bytes()
        final = folder / name
        if name.startswith(".") or Path(name).suffix.lower() not in PHOTO_SUFFIXES or is_derived(Path(name)):
            part.unlink()
            report.app_files_removed.append(part)
            log.info("removed %s: an unfinished copy of a file studio writes again", part.name)
        elif not data:
            part.unlink()
            report.empty_removed.append(part)
            log.warning("removed empty temporary file %s", part.name)
        elif final.is_file() and final.stat().st_size == len(data) and final.read_bytes() == data:
            part.unlink()
            report.duplicates_removed.append(part)
            log.info("removed %s: %s already holds the same bytes", part.name, name)
        elif Path(name).suffix.lower() in JPEG_SUFFIXES and jpeg_looks_complete(data):
            target = _link_unique(part, folder, RECOVERED_PREFIX + name)
            report.recovered.append(target)
            log.warning("recovered %s from an interrupted download as %s", name, target.name)
        else:
            target = _link_unique(part, folder / INCOMPLETE_DIR, name)
            report.incomplete.append(target)
            log.warning("moved the interrupted download of %s to %s (cannot be verified)",
                        name, target.relative_to(folder))
    fsync_dir(folder)
    for path in sorted(folder.iterdir()):
        if path.is_file() and is_photo(path) and not json_sidecar(folder, base_of(path)).exists():
            report.unprocessed.append(path)
    return report
