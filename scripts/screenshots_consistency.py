"""Screenshots of the consistency ghost for docs/screenshots/, on an X server at 1920×1080.

    Xvfb :77 -screen 0 1920x1080x24 & DISPLAY=:77 .venv/bin/python scripts/screenshots_consistency.py \
        docs/screenshots [--reference FILE]

Runs the real app on the bundled sample recording with a reference measured from a portrait
fixture (another person, another crop), cues muted, and saves ``consistency-ghost.png`` (the
reference's eye line and head outline over live view, the ``consistency`` badge's words) and
``consistency-ghost-off.png`` (``Shift+R``: ghost hidden). Same pattern as scripts/screenshots.py.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_REFERENCE = ROOT.parent / "shared" / "fixtures" / "portraits" / "openface__clapton-1.jpg"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from PyQt5.QtCore import Qt
    from PyQt5.QtTest import QTest
    from PyQt5.QtWidgets import QApplication

    from studio.app import StudioApp, open_camera
    from studio.audio import AudioGuide, CuePlayer
    from studio.consistency import reference_from_file
    from studio.session import Session
    from studio.ui import undo_cv2_qt_paths
    from studio.ui.runner import build_window, wire

    reference = reference_from_file(args.reference)
    undo_cv2_qt_paths()
    qt = QApplication.instance() or QApplication([])
    args.out.mkdir(parents=True, exist_ok=True)
    session = Session.open(Path(tempfile.mkdtemp(prefix="studio-ghost-")), "team-day", subject="astronaut")
    camera = open_camera(None, loop=True, sink=session)
    app = StudioApp(camera, source_name="sample", session=session, reference=reference)
    player = CuePlayer(enabled=False)
    window = build_window(app, player)
    wire(window, app, player, AudioGuide(player))
    window.resize(1920, 1080)
    app.start()
    window.show()

    def pump(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            qt.processEvents()
            time.sleep(0.005)

    try:
        pump(args.seconds)
        window.grab().save(str(args.out / "consistency-ghost.png"))
        QTest.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ShiftModifier)
        pump(1.0)
        window.grab().save(str(args.out / "consistency-ghost-off.png"))
    finally:
        window.close()
        app.stop()
        player.close()
    print(f"saved to {args.out}: consistency-ghost.png, consistency-ghost-off.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
