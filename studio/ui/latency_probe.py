"""The Qt half of the latency benchmark: a real window on a replayed recording, every paint
recorded. :mod:`studio.bench.latency` turns the recordings into figures; it never imports Qt.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PyQt5.QtCore import QTimer, QtMsgType, qInstallMessageHandler
from PyQt5.QtWidgets import QApplication

from studio.ui import undo_cv2_qt_paths
from studio.ui.liveview import PaintRecord

if TYPE_CHECKING:
    from drivers.base import Camera
    from studio.app import StudioApp
    from studio.loop import LoopStats


@dataclass(slots=True)
class PhaseRecording:
    """What one phase saw: every paint, the phase's span and the loop's figures."""

    records: list[PaintRecord] = field(default_factory=list)
    started: float = 0.0  # monotonic, when the window was shown
    ended: float = 0.0
    published: int = 0  # frames the camera published
    loop_stats: LoopStats | None = None  # with analysis only


_application: QApplication | None = None


def _drop_offscreen_noise(_mode: QtMsgType, _context: object, message: str | None) -> None:
    # The offscreen platform warns on every window resize; nothing a reader can act on.
    if message and "propagateSizeHints" not in message:
        sys.stderr.write(message + "\n")


def qt_application(x11: bool = False) -> QApplication:
    """The process's QApplication, on Qt's offscreen platform unless ``x11``."""
    if not x11:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    undo_cv2_qt_paths()
    qInstallMessageHandler(_drop_offscreen_noise)
    global _application
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    _application = QApplication([])  # held here: PyQt deletes an unreferenced QApplication
    return _application


def platform_name() -> str:
    qt = QApplication.instance()
    return qt.platformName() if isinstance(qt, QApplication) else ""


def record_phase(camera: Camera, app: StudioApp | None, seconds: float, *, preset: str,
                 hold: bool = True) -> PhaseRecording:
    """Show ``camera``'s live view for ``seconds`` in a 1280×800 window, with ``app``'s analyses
    drawn over it if given (``app`` runs on ``camera``); ``hold`` lets the picture wait for its
    analysis. Needs :func:`qt_application` first."""
    from studio.ui.window import MainWindow

    qt = QApplication.instance()
    if not isinstance(qt, QApplication):
        raise RuntimeError("record_phase needs qt_application() first")
    window = MainWindow(camera.frames, preset=preset)
    window.resize(1280, 800)
    window.view.hold_picture = hold
    seen = PhaseRecording()
    window.view.paint_listeners.append(seen.records.append)
    if app is not None:
        app.add_analysis_listener(window.bridge.post_analysis)
        app.ready.add_listener(window.bridge.post_transition)
        app.start()
    else:
        camera.open()
        camera.start_live_view().result(timeout=15)
    window.show()
    seen.started = time.monotonic()
    QTimer.singleShot(int(seconds * 1000), qt.quit)
    qt.exec_()
    seen.ended = time.monotonic()
    window.feed.stop()
    seen.loop_stats = app.loop.stats if app else None
    seen.published = camera.frames.seq
    if app is not None:
        app.stop()
    else:
        camera.close()
    window.close()
    return seen
