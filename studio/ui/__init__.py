"""The PyQt5 window. Only this package imports Qt; it is imported only when a window is wanted.

``run_window(app, args)`` is what ``studio run`` calls with a display: see :mod:`studio.ui.runner`.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studio.app import StudioApp

_CV2_QT_VARIABLES = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")


def undo_cv2_qt_paths() -> None:
    """Forget the Qt plugin and font folders ``import cv2`` points the environment at.

    opencv-contrib-python (needed by MediaPipe) bundles its own Qt build and, on import, sets
    ``QT_QPA_PLATFORM_PLUGIN_PATH`` to it; PyQt5 then loads an incompatible ``xcb`` plugin and
    aborts ("Could not load the Qt platform plugin xcb ... even though it was found"). Call
    before creating the QApplication; values that do not point into cv2 are left alone.
    """
    for name in _CV2_QT_VARIABLES:
        value = os.environ.get(name, "")
        if f"{os.sep}cv2{os.sep}" in value:
            del os.environ[name]


undo_cv2_qt_paths()


def run_window(app: StudioApp, args: argparse.Namespace) -> int:
    """Open the main window on a :class:`studio.app.StudioApp`; returns the exit status."""
    from studio.ui.runner import run_window as _run

    return _run(app, args)
