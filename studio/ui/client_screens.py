"""Choosing the client's display and opening :class:`~studio.ui.client.ClientScreen` on it.

``--client-screen NAME|INDEX``: a QScreen name as Qt reports it (``HDMI-1``, ``DP-2`` on a
desktop with RandR) or an index into ``QGuiApplication.screens()``. What Qt 5.15 on xcb
reports for two X screens, ``Xvfb :N -screen 0 1920x1080x24 -screen 1 1280x1024x24``: two
screens, both named ``screen``, each at (0, 0) of its own root window; so a name that two
screens share is refused and the index is the way to choose there. For a Xinerama layout
(``Xvfb +xinerama …``) Qt reports ONE screen (Xvfb's RandR has one output: the heads are not
separate QScreens), so the client window cannot be placed on the second head.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QGuiApplication, QScreen
from PyQt5.QtWidgets import QApplication

from studio.ui import undo_cv2_qt_paths
from studio.ui.client import ClientScreen

if TYPE_CHECKING:
    from studio.ui.window import MainWindow

log = logging.getLogger(__name__)

Key = Qt.Key
# The photographer's keys for the client's screen (studio.ui.keys; Shift+V toggles live view).
CLIENT_KEYS: dict[int, str] = {Key.Key_V: "view", Key.Key_BracketLeft: "previous",
                               Key.Key_BracketRight: "next"}


_EARLY_APP: list[QApplication] = []


class ClientScreenError(ValueError):
    """A ``--client-screen`` that names no single screen here (one line, lists the screens)."""


def describe_screens(screens: list[QScreen]) -> str:
    if not screens:
        return "no screens"
    return ", ".join(f"{i} '{s.name()}' {s.geometry().width()}x{s.geometry().height()}"
                     for i, s in enumerate(screens))


def choose_screen(spec: str, screens: list[QScreen] | None = None) -> QScreen:
    """The screen ``spec`` names: an index, or a unique name (case-insensitive)."""
    screens = list(QGuiApplication.screens()) if screens is None else screens
    there = f"the screens here are {describe_screens(screens)}"
    text = spec.strip()
    if text.lstrip("-").isdigit():
        index = int(text)
        if 0 <= index < len(screens):
            return screens[index]
        raise ClientScreenError(f"--client-screen: no screen {index}: {there}")
    named = [s for s in screens if s.name().lower() == text.lower()]
    if len(named) == 1:
        return named[0]
    if named:
        raise ClientScreenError(f"--client-screen: {len(named)} screens are named '{text}': give "
                                f"an index: {there}")
    raise ClientScreenError(f"--client-screen: no screen named '{text}': {there}")


def check_client_screen(spec: str) -> None:
    """Before anything starts (no session folder, no camera): the Qt application the window will
    use, and whether ``spec`` names one of its screens. Raises :class:`ClientScreenError`."""
    undo_cv2_qt_paths()
    if not isinstance(QApplication.instance(), QApplication):
        _EARLY_APP.append(QApplication(sys.argv[:1]))  # kept alive here; run_window takes it up
    choose_screen(spec)


def open_client_screen(window: MainWindow, spec: str, *, live: bool = False) -> ClientScreen:
    """A client window full screen on the screen ``spec`` names, fed by ``window`` (its shots,
    its live frames) and answering to its keys. Raises :class:`ClientScreenError`."""
    screen = choose_screen(spec)
    if screen is window.screen():
        log.warning("client screen %s is the photographer's screen too", spec)
    client = ClientScreen(live=live)
    client.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)  # closing the main window quits
    client.keys_to = window.keyPressEvent
    client.create()  # a native window now, so that it can be put on its screen before it shows
    handle = client.windowHandle()
    if handle is not None:
        handle.setScreen(screen)
    client.setGeometry(screen.geometry())
    window.client = client
    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication):
        app.screenRemoved.connect(lambda gone: screen_removed(window, screen, gone))

    def live_frame() -> None:
        client.show_frame(window.feed.latest())

    window.feed.frame_ready.connect(live_frame)
    client.show_shots(window.shots, window.reviewing, window.person_name)
    client.showFullScreen()
    log.info("client screen on %s (%s)", spec, describe_screens([screen]))
    return client


def screen_removed(window: MainWindow, chosen: QScreen, gone: QScreen) -> None:
    """The client's display was unplugged: Qt would move its window onto the photographer's
    screen, so it is hidden, and the photographer told."""
    client = getattr(window, "client", None)
    if client is None or gone is not chosen:
        return
    client.hide()
    window.client = None
    window.info.show_message("client screen unplugged: its window is closed (restart with "
                             "--client-screen to bring it back)")
    log.warning("client screen %s removed: client window hidden", chosen.name())


def client_key(window: MainWindow, action: str) -> None:
    """``V`` (view), ``Shift+V`` (live), ``[`` / ``]`` (favourites) from the photographer's keys."""
    client = getattr(window, "client", None)
    if client is None:
        window.info.show_message("no client screen: start with --client-screen NAME|INDEX")
        return
    if action == "view":
        client.cycle_view()
    elif action == "live":
        client.toggle_live()
    else:
        client.step(-1 if action == "previous" else 1)
    window.info.show_message(client.describe())
