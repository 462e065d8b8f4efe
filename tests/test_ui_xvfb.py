"""The window on a real X server (Xvfb), checked on a whole-screen screenshot.

One process can hold one Qt platform, so the window runs in a child process: this file, run as
a program, opens the window with ``QT_QPA_PLATFORM=xcb`` on ``$DISPLAY``, shows a known frame
and a known analysis, grabs the screen with ``QScreen.grabWindow(0)`` and writes the PNG plus
the screen positions to check. Run under the rig: ``scripts/test-rig.sh .venv/bin/pytest ...``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.display
@pytest.mark.skipif(not os.environ.get("STUDIO_TEST_DISPLAY"),
                    reason="needs Xvfb: run under scripts/test-rig.sh (STUDIO_TEST_DISPLAY unset)")
def test_window_on_xvfb_screenshot(tmp_path):
    from PyQt5.QtGui import QColor, QImage

    from studio.analysis import Status
    from studio.ready import ReadyState
    from studio.ui import style

    shot, spots = tmp_path / "screen.png", tmp_path / "spots.json"
    env = dict(os.environ, DISPLAY=os.environ["STUDIO_TEST_DISPLAY"], QT_QPA_PLATFORM="xcb",
               PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'tests'}")
    proc = subprocess.run([sys.executable, __file__, str(shot), str(spots)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    image = QImage(str(shot))
    assert not image.isNull() and image.width() >= 1280
    where = json.loads(spots.read_text())

    def color_at(point) -> tuple[int, int, int]:
        c = QColor(image.pixel(*point))
        return (c.red(), c.green(), c.blue())

    def near(point, color: QColor, tol: int = 30) -> bool:
        want = (color.red(), color.green(), color.blue())
        return any(all(abs(a - b) <= tol for a, b in zip(color_at((point[0] + dx, point[1] + dy)), want,
                                                           strict=True))
                   for dx in (-1, 0, 1) for dy in (-1, 0, 1))

    for cid, status in (("face", "pass"), ("framing", "warn"), ("eye_focus", "fail"), ("glare", "fail")):
        spot = where["badges"][cid]
        assert near(spot, style.STATUS_COLORS[Status(status)], 3), (cid, color_at(spot))
    assert near(where["face_left_edge"], style.STATUS_COLORS[Status.WARN])
    assert not near(where["face_inside"], style.STATUS_COLORS[Status.WARN], 60)
    assert near(where["ready_border"], style.STATE_COLORS[ReadyState.READY], 3)
    assert near(where["banner"], style.STATE_COLORS[ReadyState.READY], 3)


def _main(shot: str, spots: str) -> int:
    from PyQt5.QtCore import QPoint, QRectF
    from PyQt5.QtWidgets import QApplication
    from test_ui_support import FACE_BOX, FRAME_SIZE, known_analysis, known_jpeg

    from drivers.base import LatestFrameSlot
    from studio.ready import ReadyState, ReadyTransition
    from studio.ui import undo_cv2_qt_paths
    from studio.ui.overlay import fit_rect
    from studio.ui.window import MainWindow

    undo_cv2_qt_paths()  # test_ui_support imported cv2
    app = QApplication([])
    assert app.platformName() == "xcb", app.platformName()
    slot = LatestFrameSlot()
    window = MainWindow(slot, presets=("commercial-headshot",), preset="commercial-headshot")
    painted = []
    window.view.paint_listeners.append(painted.append)
    window.move(0, 0)
    window.resize(1280, 800)
    window.show()
    slot.put_jpeg(known_jpeg())
    window.bridge.post_analysis(known_analysis(frame=1))
    window.bridge.post_transition(ReadyTransition(ReadyState.HOLDING, ReadyState.READY, 0.0, 1, (), 1))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        app.processEvents()
        if painted and painted[-1].analysis_frame == 1 and window.state is ReadyState.READY:
            break
        time.sleep(0.01)
    for _ in range(30):  # let the X server receive the last paint
        app.processEvents()
        time.sleep(0.01)
    screen = app.primaryScreen().grabWindow(0)
    assert not screen.isNull(), "grabWindow(0) returned nothing"
    screen.save(shot)

    def at(widget, x: float, y: float) -> list[int]:
        p = widget.mapToGlobal(QPoint(round(x), round(y)))
        return [p.x(), p.y()]

    target = fit_rect(QRectF(window.view.rect()), *FRAME_SIZE)

    def frame_point(x: float, y: float) -> list[int]:
        return at(window.view, target.x() + x * target.width(), target.y() + y * target.height())

    fx, fy, fw, fh = FACE_BOX
    left = frame_point(fx, fy + 0.7 * fh)
    Path(spots).write_text(json.dumps({
        "badges": {cid: at(b, 6, b.height() / 2) for cid, b in window.panel.badges.items()},
        "face_left_edge": left,
        "face_inside": [left[0] + 14, left[1]],
        "ready_border": at(window.view, target.left() + 5, window.view.height() / 2),
        "banner": at(window.headline, 8, window.headline.height() / 2),
    }))
    window.feed.stop()
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1], sys.argv[2]))


@pytest.mark.display
@pytest.mark.skipif(not os.environ.get("STUDIO_TEST_DISPLAY"),
                    reason="needs Xvfb: run under scripts/test-rig.sh (STUDIO_TEST_DISPLAY unset)")
def test_studio_run_opens_the_window_on_the_sample(tmp_path):
    """End to end: ``studio run`` on the bundled sample, in a window on Xvfb, for a few seconds."""
    if not (ROOT / "studio" / "data" / "sample.slv").exists():
        pytest.skip("the sample recording is not built")
    env = dict(os.environ, DISPLAY=os.environ["STUDIO_TEST_DISPLAY"], PYTHONPATH=str(ROOT))
    env.pop("QT_QPA_PLATFORM", None)
    proc = subprocess.run([sys.executable, "-m", "studio.cli", "-v", "run", "--seconds", "6",
                           "--session-root", str(tmp_path / "sessions")],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    assert "could not load the qt platform plugin" not in proc.stderr.lower()
    shown = re.search(r"window closed: (\d+) frames shown, (\d+) analysed", proc.stderr)
    assert shown, proc.stderr[-2000:]
    assert int(shown.group(1)) > 30 and int(shown.group(2)) > 10, shown.group(0)


@pytest.mark.skipif(not os.environ.get("STUDIO_TEST_DISPLAY"),
                    reason="needs Xvfb: run under scripts/test-rig.sh (STUDIO_TEST_DISPLAY unset)")
def test_sigterm_closes_the_window_cleanly(tmp_path):
    """SIGTERM (a desktop logging out) closes the window like its close button: the stop hook
    runs and the process exits 0, no abort from an exception inside Qt's event loop."""
    import signal
    import time

    if not (ROOT / "studio" / "data" / "sample.slv").exists():
        pytest.skip("the sample recording is not built")
    log = tmp_path / "hook.log"
    hook = tmp_path / "hook.sh"
    hook.write_text(f'#!/bin/sh\necho "$ACTION" >> {log}\n')
    hook.chmod(0o755)
    env = dict(os.environ, DISPLAY=os.environ["STUDIO_TEST_DISPLAY"], PYTHONPATH=str(ROOT))
    env.pop("QT_QPA_PLATFORM", None)
    proc = subprocess.Popen([sys.executable, "-m", "studio.cli", "-v", "run", "--loop", "--session", "term",
                             "--session-root", str(tmp_path / "sessions"), "--hook", str(hook)],
                            env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (log.exists() and "start" in log.read_text().split()):
            time.sleep(0.2)
        assert log.exists() and log.read_text().split() == ["init", "start"]
        time.sleep(2)  # the window is up and painting
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == 0, err[-3000:]
    assert "Traceback" not in err
    assert "SIGTERM: closing the window" in err
    assert log.read_text().split() == ["init", "start", "stop"]
