"""What happens to a shot once its files are on disk: check, sidecars, deliverables, hook.

Runs on one worker thread (the capture controller's), never on the camera's or the GUI's: the
still's analysis takes a few hundred milliseconds. Every step after the download may fail
without losing anything: the photo is already safe, and the JSON sidecar records what failed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from studio.analysis import Analysis
from studio.session import deliverables, xmp
from studio.session.credits import credits_for
from studio.session.files import JPEG_SUFFIXES, RECOVERED_PREFIX, base_of, json_sidecar
from studio.session.hooks import Hook
from studio.session.review import prior_review
from studio.session.session import Session, StoredFile
from studio.session.state import replace_atomic
from studio.session.stills import AnalysePath, analyse_shot, default_analyser

if TYPE_CHECKING:
    from studio.vision.reference import Reference

log = logging.getLogger(__name__)

SIDECAR_VERSION = 1


@dataclass(frozen=True, slots=True)
class ShotRecord:
    """One processed shot (a JPEG, a RAW, or a RAW+JPEG pair sharing ``base``)."""

    base: str
    files: tuple[Path, ...]
    analysis: Analysis | None
    verdict: xmp.Verdict
    sidecars: tuple[Path, ...]
    extras: tuple[Path, ...]  # B&W and crop deliverables
    errors: tuple[str, ...] = ()
    person: str = ""  # who was in front of the camera
    rejected: bool = False  # the photographer rejected it (Session.review): no deliverables

    @property
    def failed(self) -> bool:
        """The still failed a required check (the photographer hears a cue)."""
        return self.verdict.status.rank >= 3


class ShotProcessor:
    """Turns stored files into checked, labelled shots. Use from one thread only."""

    def __init__(self, session: Session, *, analyse: AnalysePath | None = None,
                 hook: Hook | None = None, reference: Callable[[], Reference | None] | None = None) -> None:
        self.session = session
        self._analyse = analyse
        self._reference = reference  # the run's consistency reference, for the default analyser
        self._own_analyser = analyse is None  # made from the session's preset: remade on a change
        self.hook = hook if hook is not None else session.hook()
        self.credits = credits_for(session.options)  # a bad config fails here, not mid-shoot

    def process(self, paths: Iterable[Path], *, trigger: str = "") -> list[ShotRecord]:
        """Process ``paths`` grouped by base name; one record per shot."""
        groups: dict[str, list[Path]] = {}
        for path in paths:
            groups.setdefault(base_of(Path(path)), []).append(Path(path))
        return [self._process_one(base, files, trigger) for base, files in groups.items()]

    def process_leftovers(self) -> list[ShotRecord]:
        """Check the photos a crash left without sidecars (found when the session was opened)."""
        leftovers = [p for p in self.session.reconciled.unprocessed if p.exists()]
        records = self.process(leftovers, trigger="recovered") if leftovers else []
        self.session.reconciled.unprocessed.clear()
        return records

    def set_preset(self, name: str) -> None:
        """Check the next stills with preset ``name`` and name it in their sidecars (called on
        the shot worker, between shots: see CaptureController.set_preset)."""
        self.session.set_preset(name)
        if self._own_analyser:
            self._analyse = None

    def _analyser(self) -> AnalysePath:
        if self._analyse is None:
            self._analyse = default_analyser(self.session.state.preset, self._reference)
        return self._analyse

    def _process_one(self, base: str, files: list[Path], trigger: str) -> ShotRecord:
        errors: list[str] = []
        analysis: Analysis | None = None
        try:
            analysis = analyse_shot(files, self._analyser())
        except Exception as exc:  # a still that cannot be checked is still a kept photo
            errors.append(f"check: {exc}")
            log.warning("could not check %s: %s", base, exc)
        verdict = xmp.verdict_of(analysis)
        extra_keywords = ["studio:recovered"] if base.startswith(RECOVERED_PREFIX) else []
        person = self._person_of(files)
        with self.session.metadata_lock:  # a review of this shot waits, or has written first
            prior = prior_review(self.session.folder, base)  # a shot checked again keeps its review
            fields = xmp.fields_of(verdict, persons=(person,), creator=self.credits.creator,
                                   copyright=self.credits.copyright, extra_keywords=extra_keywords,
                                   rating=prior["rating"], label=prior["label"], rejected=prior["rejected"])
            sidecars, embed_errors = xmp.write_metadata(files, fields)
            errors.extend(embed_errors)
            if self.session.options.black_and_white or self.session.options.crop:
                # Sidecars before the big extra files: a disk that fills up during a B&W copy
                # still leaves the shot's JSON (rewritten below with what was skipped).
                self._write_json(ShotRecord(base, tuple(files), analysis, verdict, tuple(sidecars), (),
                                            tuple(errors), person, fields.rejected), trigger, fields)
        extras = [] if fields.rejected else self._deliverables(files, analysis, errors)
        record = ShotRecord(base, tuple(files), analysis, verdict, tuple(sidecars), tuple(extras),
                            tuple(errors), person, fields.rejected)
        with self.session.metadata_lock:  # the JSON re-reads the review (one may have landed)
            sidecars.append(self._write_json(record, trigger, fields))
        record = ShotRecord(base, tuple(files), analysis, verdict, tuple(sidecars), tuple(extras),
                            tuple(errors), person, fields.rejected)
        if self.hook is not None:
            for path in (*files, *extras):
                self.hook.run("download", path)
        return record

    def _deliverables(self, files: list[Path], analysis: Analysis | None, errors: list[str]) -> list[Path]:
        options = self.session.options
        jpeg = next((f for f in files if f.suffix.lower() in JPEG_SUFFIXES), None)
        if jpeg is None or not (options.black_and_white or options.crop):
            return []
        extras: list[Path] = []
        if options.black_and_white:
            try:
                extras.append(deliverables.black_and_white(jpeg))
            except (OSError, ValueError) as exc:
                errors.append(f"black-and-white: {exc}")
                log.warning("no B&W version of %s: %s", jpeg.name, exc)
        if options.crop and analysis is not None:
            try:
                extras.append(deliverables.headshot_crop(jpeg, analysis, options.crop))
            except (OSError, ValueError) as exc:
                errors.append(f"crop: {exc}")
                log.warning("no %s crop of %s: %s", options.crop, jpeg.name, exc)
        return extras

    def _person_of(self, files: list[Path]) -> str:
        """The person the shot was stored for (the current one for a recovered photo)."""
        stored = {s.path: s for s in self.session.stored}
        first = stored.get(files[0])
        return first.person if first is not None else self.session.state.person_name

    def _person_json(self, stored: StoredFile | None, name: str) -> dict[str, str]:
        """Who the shot was stored for: name, id, email as they were then (a recovered photo,
        stored by an earlier run: the current person when the name matches)."""
        if stored is not None:
            return {"name": stored.person, "id": stored.person_id, "email": stored.person_email}
        state = self.session.state
        same = name == state.person_name
        return {"name": name, "id": state.person_id if same else "",
                "email": state.person_email if same else ""}

    def _write_json(self, record: ShotRecord, trigger: str, fields: xmp.XmpFields) -> Path:
        state = self.session.state
        stored = {s.path: s for s in self.session.stored}
        first = stored.get(record.files[0])
        data = {
            "version": SIDECAR_VERSION,
            "base": record.base,
            "files": [f.name for f in record.files],
            "extras": [f.name for f in record.extras],
            "counter": first.counter if first else None,
            "seq": first.seq if first else None,
            "session": state.name,
            "subject": state.subject,
            "person": self._person_json(first, record.person),
            "person_counter": first.person_counter if first else None,
            "credits": {"creator": fields.creator, "copyright": fields.copyright},
            "review": prior_review(self.session.folder, record.base),
            "preset": state.preset,
            "trigger": trigger,
            "processed": datetime.now().isoformat(timespec="seconds"),
            "verdict": record.verdict.to_json(),
            "settings": state.settings,
            "errors": list(record.errors),
            "analysis": record.analysis.to_json() if record.analysis else None,
        }
        payload = json.dumps(data, indent=2, sort_keys=False).encode() + b"\n"
        return replace_atomic(json_sidecar(self.session.folder, record.base), payload)
