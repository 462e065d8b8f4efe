"""Screenshots of the main window on a recording, for the docs (and for looking at the overlay).

    .venv/bin/python scripts/screenshots.py docs/screenshots [--source PATH] [--preset NAME]

Runs the real app (replay camera, vision loop, READY machine) in the window, cues muted, and
saves: ``main.png`` (after a few seconds of live view), ``problem-<check>.png`` the first time
each required check is the first problem named, ``ready.png`` / ``holding.png`` when those
states come,
``review.png`` / ``review-rated.png`` (the capture reviewed large, eyes at 100 %, then rated 4),
``capture.png`` (back to live view with the shot in the filmstrip; files go to a temporary
folder), ``countdown.png``, ``diagnostics.png`` (``D``),
``zoom-eyes.png`` (zoom to the eyes) and ``help.png`` (the keyboard help).
Uses Qt's offscreen platform unless ``--x11`` is given (then ``$DISPLAY``).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout, installed or not

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/screenshots.py",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder for the PNG files")
    parser.add_argument("--source", help="recording (default: the bundled sample)")
    parser.add_argument("--preset", default="commercial-headshot")
    parser.add_argument("--seconds", type=float, default=14.0, help="how long to watch")
    parser.add_argument("--x11", action="store_true", help="use the X server in DISPLAY")
    parser.add_argument("--size", default="1280x800", help="window size WxH (the docs use 1280x800)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if not args.x11:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PyQt5.QtWidgets import QApplication

    from studio.app import StudioApp, open_camera
    from studio.audio import AudioGuide, CuePlayer
    from studio.ready import ReadyState
    from studio.ui import undo_cv2_qt_paths
    from studio.ui.runner import build_window, wire

    undo_cv2_qt_paths()
    qt = QApplication.instance() or QApplication([])
    args.out.mkdir(parents=True, exist_ok=True)
    from studio.session import Session

    captures = Path(tempfile.mkdtemp(prefix="studio-shots-"))
    session = Session.open(captures, "screenshots", subject="astronaut", preset=args.preset)
    camera = open_camera(args.source, loop=True, sink=session)
    app = StudioApp(camera, preset=args.preset, source_name=args.source or "sample",
                    session=session)
    player = CuePlayer(enabled=False)
    window = build_window(app, player)
    wire(window, app, player, AudioGuide(player))
    width, height = (int(v) for v in args.size.lower().split("x"))
    window.resize(width, height)
    app.start()
    window.show()
    saved: set[str] = set()

    def pump(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            qt.processEvents()
            time.sleep(0.005)

    def settle(seconds: float = 3.0) -> bool:
        """Wait until the picture carries the newest analysis's boxes (a loaded CPU lags)."""
        deadline = time.monotonic() + seconds
        while not window.painted_current_analysis() and time.monotonic() < deadline:
            pump(0.01)
        return window.painted_current_analysis()

    def save(name: str) -> None:
        path = args.out / f"{name}.png"
        window.grab().save(str(path))
        saved.add(name)
        print(path)

    pump(4.0)
    window.set_stats(app.loop.stats.fps, app.loop.stats.latency_ms)
    settle(10)
    save("main")
    start = time.monotonic()
    while time.monotonic() - start < args.seconds:
        pump(0.1)
        window.set_stats(app.loop.stats.fps, app.loop.stats.latency_ms)
        a = window.analysis
        if a is None:
            continue
        if a.problems:  # the problem the banner names first; one picture per check
            check = a.problems[0]
            name = f"problem-{check.id}"
            if name not in saved and settle():
                current = window.analysis  # settling may have brought a newer one
                now = current.problems if current is not None else ()
                if now and now[0].id == check.id:
                    save(name)
        for state, name in ((ReadyState.READY, "ready"), (ReadyState.HOLDING, "holding")):
            if window.state is state and name not in saved and settle() and window.state is state:
                save(name)
    window.capture_requested.emit()  # a shot: its thumbnail and verdict under the picture
    deadline = time.monotonic() + 20
    while app.capture.shots_fired == 0 and time.monotonic() < deadline:
        pump(0.05)
    while not app.capture.wait_idle(0.01) and time.monotonic() < deadline:
        pump(0.05)  # the still is checked and labelled: its verdict comes with the thumbnail
    while (window.reviewing is None or window.reviewing.still is None) and time.monotonic() < deadline:
        pump(0.05)  # the still decoded for the review
    if window.reviewing is not None and window.reviewing.analysis is None:
        log.warning("the shot came without its still check: %s", window.reviewing.name)
    pump(0.5)
    if window.reviewing is not None:
        save("review")  # the still large, its verdict, both eyes at 100 %
        window.review_shot(rating=4)
        pump(0.5)
        save("review-rated")
        window.end_review()
        pump(0.5)
        save("capture")  # back to live view: the shot in this person's filmstrip
    window.bridge.countdown.emit(3)  # what a countdown shows (the real one comes with ticks)
    pump(0.3)
    save("countdown")
    window.bridge.countdown.emit(0)
    window.info.toggle_diagnostics()
    pump(0.3)
    save("diagnostics")
    window.info.toggle_diagnostics()
    window.zoom_button.setChecked(True)
    pump(1.0)
    settle(10)
    save("zoom-eyes")
    window.zoom_button.setChecked(False)
    window.toggle_help()
    pump(0.3)
    save("help")
    window.help.hide()
    window.close()
    app.stop()
    player.close()
    shutil.rmtree(captures, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
