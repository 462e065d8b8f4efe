"""Armed or not, and why: the one status each hands-free trigger keeps and reports.

Every trigger holds an :class:`Arming`; it changes it as it fires, waits and re-arms, and the
:class:`~studio.events.TriggerStatus` goes to the listener (``Triggers`` forwards the active
trigger's status to the window and the headless printer) only when something in it changed.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from studio.events import StatusListener, TriggerStatus


class Arming:
    """A trigger's :class:`TriggerStatus`, thread-safe; ``on_status`` hears every change."""

    def __init__(self, mode: str, rule: str, on_status: StatusListener | None = None, *,
                 armed: bool = True, reason: str = "", progress: str = "") -> None:
        self._lock = threading.Lock()
        self._status = TriggerStatus(mode, armed, reason, progress, rule)
        self._on_status = on_status

    @property
    def status(self) -> TriggerStatus:
        return self._status

    @property
    def armed(self) -> bool:
        return self._status.armed

    def set(self, armed: bool, reason: str = "", progress: str | None = None) -> TriggerStatus:
        """Change the state; the listener hears it if anything changed. Returns the new status."""
        with self._lock:
            old = self._status
            new = replace(old, armed=armed, reason=reason,
                          progress=old.progress if progress is None else progress)
            self._status = new
        if new != old and self._on_status is not None:
            self._on_status(new)
        return new
