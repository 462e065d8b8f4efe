"""The capture session: a folder per shoot, safe downloads, checked and labelled shots.

- :class:`Session` — folder, naming template, persistent counter, the drivers' download sink;
- :class:`ShotProcessor` — checks each still, writes XMP/JSON sidecars, deliverables, hook;
- :func:`reconcile` — what a crash left behind, put back in order (run by :meth:`Session.open`).
"""

from studio.session.hooks import Hook, HookError
from studio.session.naming import DEFAULT_TEMPLATE, TemplateError
from studio.session.reconcile import ReconcileReport, reconcile
from studio.session.session import Session, StoredFile
from studio.session.shots import ShotProcessor, ShotRecord
from studio.session.state import SessionOptions
from studio.session.xmp import Verdict, verdict_of

__all__ = ["DEFAULT_TEMPLATE", "Hook", "HookError", "ReconcileReport", "Session", "SessionOptions",
           "ShotProcessor", "ShotRecord", "StoredFile", "TemplateError", "Verdict", "reconcile",
           "verdict_of"]
