"""The team's consistency reference as the app and the CLI hold it.

:func:`reference_from_file` makes a reference from a still (measured by the still analyser,
the ``studio check`` path) or reads a saved ``reference.json``; :class:`ReferenceHolder` keeps
the run's reference: set from any thread (the window's ``R`` key, ``--reference FILE``), saved
in the session folder so a restart keeps it, applied to the live analyser on the vision thread
before its next frame. ``--reference`` and ``--require-consistency`` are added to a parser by
:func:`add_arguments` and read by :func:`from_args`.
"""

from __future__ import annotations

import argparse
import logging
import os
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from drivers.mailbox import Latest
from studio.vision import reference as stored
from studio.vision.reference import Reference, ReferenceError

if TYPE_CHECKING:
    from studio.analysis import Analysis, CheckResult
    from studio.vision.presets import Preset

log = logging.getLogger(__name__)
CHECK_ID = "consistency"


def measuring(preset: Preset) -> Preset:
    """``preset`` computing the consistency check (advisory when it did not)."""
    if CHECK_ID in preset.checks:
        return preset
    return replace(preset, advisory=(*preset.advisory, CHECK_ID))


def required(preset: Preset) -> Preset:
    """``preset`` with READY waiting on the consistency check (``--require-consistency``)."""
    advisory = tuple(c for c in preset.advisory if c != CHECK_ID)
    kept = tuple(c for c in preset.required if c != CHECK_ID)
    return replace(preset, required=(*kept, CHECK_ID), advisory=advisory)


def idle(result: CheckResult, required: tuple[str, ...]) -> bool:
    """Whether ``result`` is an advisory consistency check with no reference to compare with:
    nothing to say, so the badge column leaves it out (a required one stays: READY waits on it)."""
    return result.id == CHECK_ID and CHECK_ID not in required and result.fields.get("reference") is None


def reference_of(analysis: Analysis) -> Reference | None:
    """The reference an analysed shot makes (None: no face measured, more than one face, or no
    consistency check): a team's reference shows one person, not a group."""
    if analysis.faces > 1:
        return None
    result = analysis.check(CHECK_ID)
    return Reference.from_fields(result.fields, analysis.source) if result is not None else None


def reference_from_file(path: str | os.PathLike[str],
                        preset: str | Preset = "commercial-headshot") -> Reference:
    """The reference a still makes (JPEG/PNG, measured by the still analyser) or a saved
    ``reference.json``; :class:`ReferenceError` (one line) when it gives none."""
    from studio.vision import Analyzer
    from studio.vision.image import ImageError
    from studio.vision.presets import load_preset

    target = Path(path)
    if not target.is_file():
        raise ReferenceError(f"--reference: no such file: {target}")
    if target.suffix.lower() == ".json":
        try:
            return stored.read(target)
        except ReferenceError as exc:
            raise ReferenceError(f"--reference: {exc}") from None
    with Analyzer(measuring(load_preset(preset)), mode="still") as analyser:
        try:
            analysis = analyser.analyse_path(target)
        except ImageError as exc:
            raise ReferenceError(f"--reference: {exc}") from None
    ref = reference_of(analysis)
    if analysis.faces > 1:
        raise ReferenceError(f"--reference: {analysis.faces} faces in {target}: a reference shows one person")
    if ref is None:
        raise ReferenceError(f"--reference: no face measured in {target}")
    return replace(ref, source=str(target))


class ReferenceTarget(Protocol):
    def set_reference(self, reference: Reference | None) -> None: ...


class ReferenceHolder:
    """The run's reference: one value, set from any thread, saved in ``folder`` (the session's),
    handed to the analyser on its own thread by :meth:`apply`."""

    def __init__(self, folder: str | os.PathLike[str] | None = None,
                 initial: Reference | None = None) -> None:
        self._folder = Path(folder) if folder is not None else None
        self._latest: Latest[Reference | None] = Latest()
        self._applied = 0
        self._current: Reference | None = None
        self._lock = threading.RLock()  # the GUI's R and the shot worker's first keeper
        if initial is None and self._folder is not None:
            initial = _load_or_set_aside(self._folder)
        if initial is not None:
            self.set(initial)

    @property
    def current(self) -> Reference | None:
        return self._current

    def set(self, reference: Reference | None) -> None:
        """Make ``reference`` the run's (None: no reference), saved in the session folder."""
        with self._lock:
            self._current = reference
            self._latest.put(reference)
            if self._folder is not None:
                try:
                    stored.save(self._folder, reference)
                except OSError as exc:
                    log.warning("reference not saved in %s: %s", self._folder, exc)

    def set_from(self, analysis: Analysis) -> Reference | None:
        """Make the shot ``analysis`` measured the reference; None (nothing changed) without a face."""
        ref = reference_of(analysis)
        if ref is not None:
            self.set(ref)
        return ref

    def on_capture(self, analysis: Analysis | None, preset: Preset) -> Reference | None:
        """A downloaded shot's still analysis: made the reference when ``preset`` asks for the
        first keeper (``consistency_auto_reference`` = 1), none is set yet, and the still is a
        keeper (READY on the preset's required checks) with a face measured. Checked and set
        in one step: an ``R`` pressed meanwhile waits, then wins."""
        if analysis is None or not analysis.ready or preset.thresholds.consistency_auto_reference < 1:
            return None
        with self._lock:
            reference = None if self._current is not None else self.set_from(analysis)
        if reference is not None:
            log.info("first keeper %s is the consistency reference", analysis.source)
        return reference

    def apply(self, target: object) -> None:
        """Hand a newer reference to ``target`` (an analyser with ``set_reference``)."""
        seq, value = self._latest.get()
        setter = getattr(target, "set_reference", None)
        if seq > self._applied and setter is not None:
            self._applied = seq
            setter(value)


def _load_or_set_aside(folder: Path) -> Reference | None:
    """The session's saved reference; a damaged file is renamed ``reference.json.damaged`` (one
    warning), so that the next reference set does not write over it."""
    try:
        return stored.load(folder)
    except ReferenceError as exc:
        target = stored.path_in(folder)
        aside = target.with_name(target.name + ".damaged")
        try:
            os.replace(target, aside)
            kept = f"kept as {aside.name}"
        except OSError as move:
            kept = f"not moved aside: {move.strerror or move}"
        log.warning("session reference ignored (%s): %s", kept, exc)
        return None


def add_arguments(parser: argparse.ArgumentParser, *, require: bool = True) -> None:
    """``--reference FILE`` and (``require``) ``--require-consistency``; a run's preset makes the
    check required by listing ``consistency`` in its ``required`` (a user preset file)."""
    group = parser.add_argument_group("consistency (team days)")
    group.add_argument("--reference", metavar="FILE",
                       help="compare every frame with this shot (a JPEG/PNG, or a saved reference.json): "
                            "eye line, head size and position, tilt, turn, face and background light")
    if require:
        group.add_argument("--require-consistency", action="store_true",
                           help="READY also waits for the frame to match the reference "
                                "(check id consistency)")


def from_args(args: argparse.Namespace, preset: Preset) -> tuple[Preset, Reference | None]:
    """The preset as the flags make it and the ``--reference`` given (None without one);
    :class:`ReferenceError` for a file that gives no reference."""
    preset = measuring(preset)
    if getattr(args, "require_consistency", False):
        preset = required(preset)
    spec = getattr(args, "reference", None)
    return preset, (reference_from_file(spec, preset) if spec else None)
