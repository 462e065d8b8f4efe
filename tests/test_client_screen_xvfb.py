"""The client's screen on a real X server with TWO screens, checked pixel by pixel.

What Qt 5.15 on xcb reports (found here, and written in docs/overlay.md):

- ``Xvfb :N -screen 0 1920x1080x24 -screen 1 1280x1024x24`` (two X screens):
  ``QGuiApplication.screens()`` gives TWO screens, 1920x1080 and 1280x1024, both named
  ``screen`` and both at (0, 0) (each X screen is its own root window); ``DISPLAY=:N`` makes
  screen 0 the primary one. ``QScreen.grabWindow(0)`` grabs each screen's own root.
- ``Xvfb :N +xinerama -screen 0 … -screen 1 …``: ONE screen (Xvfb's RandR has one output;
  its Xinerama heads both sit at 0,0), so a window cannot be put on the second head.

So these tests use two X screens, started here (a private Xvfb, stopped by its PID). The
window runs in a child process (one Qt platform per process): this file, run as a program,
opens the photographer's window on screen 0 and ``open_client_screen(window, "1")``, feeds
them two real portraits as shots (one rated 5 by the window's own key) and a live frame, presses
the keys (``V``, ``Shift+V``, ``X``, ``Esc``) through Qt, and grabs both screens after each.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCREENS = ((1920, 1080), (1280, 1024))
PHOTO_A = "frec__knntest_alex_lacamoire1.jpg"  # the newest shot (landscape)
PHOTO_B = "facenetpt__paul_rudd_1.jpg"  # the older shot, rated 5: a favourite (portrait)
PERSON = "Jordan Lee"
BADGES = ((0, 158, 115), (230, 159, 0), (213, 94, 0))  # pass, warn, fail (grey: see _no_badges)
GREY = (110, 110, 110)


def _start_xvfb(*layout: str) -> tuple[subprocess.Popen, str]:
    if shutil.which("Xvfb") is None:
        pytest.skip("needs Xvfb (apt-get install xvfb)")
    for n in range(150, 200):
        if Path(f"/tmp/.X11-unix/X{n}").exists() or Path(f"/tmp/.X{n}-lock").exists():
            continue
        proc = subprocess.Popen(["Xvfb", f":{n}", *layout, "-nolisten", "tcp", "-noreset"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(60):
            if Path(f"/tmp/.X11-unix/X{n}").exists() or proc.poll() is not None:
                break
            time.sleep(0.1)
        if proc.poll() is None and Path(f"/tmp/.X11-unix/X{n}").exists():
            return proc, f":{n}"
        proc.kill()
        proc.wait()
    pytest.skip("no free X display for a private Xvfb")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


TWO_SCREENS = ("-screen", "0", "1920x1080x24", "-screen", "1", "1280x1024x24")


@pytest.fixture
def two_screens():
    proc, display = _start_xvfb(*TWO_SCREENS)
    yield display
    _stop(proc)


def _env(display: str) -> dict[str, str]:
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb",
               PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'tests'}")
    env.pop("QT_SCALE_FACTOR", None)
    for name in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR"):  # set by `import cv2` here
        env.pop(name, None)
    return env


def _child(display: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, __file__, *args], env=_env(display), cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.display
@pytest.mark.parametrize(("layout", "count"), [(TWO_SCREENS, 2), (("+xinerama", *TWO_SCREENS), 1)])
def test_what_qt_reports_for_two_xvfb_layouts(tmp_path, layout, count):
    proc, display = _start_xvfb(*layout)
    try:
        out = _child(display, "screens", cwd=tmp_path)
    finally:
        _stop(proc)
    assert out.returncode == 0, out.stderr[-2000:]
    screens = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(screens) == count, screens
    assert screens[0]["size"] == list(SCREENS[0])
    if count == 2:
        assert screens[1]["size"] == list(SCREENS[1])
        assert screens[0]["name"] == screens[1]["name"] == "screen"  # names are not unique here


def _load(path: Path) -> np.ndarray:
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert image is not None, path
    return image


def _photo_at(photo: np.ndarray, rect: list[int]) -> np.ndarray:
    import cv2

    x, y, w, h = rect
    scale = w / photo.shape[1]
    return cv2.resize(photo, (w, h), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)


def _assert_shows(screen: np.ndarray, rect: list[int], photo: np.ndarray) -> None:
    """The screen's pixels in ``rect`` are the photo's, scaled to it."""
    x, y, w, h = rect
    assert w > 200 and h > 200, rect
    shown = screen[y:y + h, x:x + w].astype(int)
    diff = np.abs(shown - _photo_at(photo, rect).astype(int))
    assert diff.mean() < 2.0 and np.percentile(diff, 99.9) <= 12, (diff.mean(), np.percentile(diff, 99.9))


def _outside(screen: np.ndarray, rect: list[int]) -> np.ndarray:
    x, y, w, h = rect
    mask = np.ones(screen.shape[:2], bool)
    mask[y:y + h, x:x + w] = False
    return screen[mask]


def _no_badges(pixels: np.ndarray) -> None:
    """No pixel of a badge colour, and no run of badge grey (anti-aliased caption text has
    warm greys, a badge a flat block)."""
    rgb = pixels[:, ::-1].astype(int)  # BGR -> RGB
    for colour in BADGES:
        near = np.all(np.abs(rgb - np.array(colour)) <= 40, axis=1)
        assert not near.any(), (colour, int(near.sum()))
    grey = np.all(np.abs(rgb - np.array(GREY)) <= 4, axis=1)
    assert grey.sum() < 50, int(grey.sum())


@pytest.mark.display
def test_client_screen_on_the_second_screen(two_screens, tmp_path, shared_fixtures):
    portraits = shared_fixtures / "portraits"
    out = _child(two_screens, "client", str(portraits / PHOTO_A), str(portraits / PHOTO_B),
                 str(tmp_path), cwd=tmp_path)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    spots = json.loads((tmp_path / "spots.json").read_text())
    a, b = _load(portraits / PHOTO_A), _load(portraits / PHOTO_B)
    shot = {name: _load(tmp_path / f"{name}.png") for name in spots["shots"]}
    assert spots["client_geometry"] == [0, 0, *SCREENS[1]]  # full screen on screen 1
    assert shot["client-latest"].shape[:2] == (SCREENS[1][1], SCREENS[1][0])
    assert shot["main-before"].shape[:2] == (SCREENS[0][1], SCREENS[0][0])

    # latest: the newest shot large, the name under it, a black surround, no badge colour
    rect = spots["rects"]["client-latest"]
    _assert_shows(shot["client-latest"], rect, a)
    outside = _outside(shot["client-latest"], rect)
    _no_badges(outside)
    assert (outside.max(axis=1) == 0).mean() > 0.97  # black surround (the rest: the caption)
    assert (outside.min(axis=1) > 150).sum() > 200  # the person's name is drawn
    # V: the favourite (the older shot, rated 5 by the window's key), then blank
    _assert_shows(shot["client-favourites"], spots["rects"]["client-favourites"], b)
    _no_badges(_outside(shot["client-favourites"], spots["rects"]["client-favourites"]))
    assert shot["client-blank"].max() == 0
    # Shift+V: live view (the known frame), no overlay; X rejects the newest: the favourite again
    live_rect = spots["rects"]["client-live"]
    _assert_live(shot["client-live"], live_rect, _load(tmp_path / "live.jpg"))
    _no_badges(_outside(shot["client-live"], live_rect))
    _assert_shows(shot["client-after-reject"], spots["rects"]["client-after-reject"], b)
    # the photographer's window on screen 0: the same pixels before and after the client opened
    assert np.array_equal(shot["main-before"], shot["main-after"])
    assert spots["main_on_screen"] == 0
    main = shot["main-after"][:, :, ::-1].reshape(-1, 3).astype(int)
    assert np.all(np.abs(main - np.array(BADGES[2])) <= 3, axis=1).sum() > 1000  # its NOT READY
    if os.environ.get("STUDIO_SAVE_SCREENSHOTS"):  # docs/screenshots, made by this test
        for name in ("client-latest", "client-favourites", "client-live", "main-after"):
            shutil.copy(tmp_path / f"{name}.png", ROOT / "docs" / "screenshots" /
                        f"{'client-photographer' if name == 'main-after' else name}.png")


def _assert_live(screen: np.ndarray, rect: list[int], frame: np.ndarray) -> None:
    x, y, w, h = rect
    shown = screen[y + 2:y + h - 2, x + 2:x + w - 2].astype(int)
    import cv2

    want = cv2.resize(frame, (w, h), interpolation=cv2.INTER_AREA)[2:-2, 2:-2].astype(int)
    diff = np.abs(shown - want)
    assert diff.mean() < 6, diff.mean()  # the frame went through the display decode and a scale


@pytest.mark.display
@pytest.mark.parametrize(("spec", "words"), [
    ("5", "no screen 5: the screens here are 0 'screen' 1920x1080, 1 'screen' 1280x1024"),
    ("screen", "2 screens are named 'screen': give an index"),
    ("HDMI-1", "no screen named 'HDMI-1'"),
])
def test_a_bad_client_screen_is_one_line(two_screens, tmp_path, spec, words):
    env = _env(two_screens)
    env.pop("QT_QPA_PLATFORM")
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, "-m", "studio.cli", "run", "--mute", "--client-screen", spec,
                          "--session-root", str(tmp_path / "sessions")], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr[-2000:]
    # Qt's and the audio player's own notes aside (no sound card here), one line says it all
    lines = [line for line in out.stderr.splitlines()
             if "QStandardPaths" not in line and not line.startswith("WARNING studio.audio")]
    assert len(lines) == 1 and lines[0].startswith("studio: error: --client-screen: "), out.stderr
    assert words in lines[0]
    assert not (tmp_path / "sessions").exists()  # refused before the session folder is made
    assert "Traceback" not in out.stderr


@pytest.mark.display
def test_studio_run_with_a_client_screen_end_to_end(two_screens, tmp_path):
    """``studio run --client-screen 1 --client-live`` on the sample recording, real X keys
    (xdotool's XTEST into the photographer's window): live view on screen 1, Space takes a shot
    (the replay driver saves the frame) and screen 1 shows that JPEG; 5 rates it, V shows it as
    the favourite, V again blanks the screen; SIGTERM ends the run with status 0."""
    if shutil.which("xdotool") is None:
        pytest.skip("needs xdotool (apt-get install xdotool)")
    if not (ROOT / "studio" / "data" / "sample.slv").exists():
        pytest.skip("the sample recording is not built")
    env = _env(two_screens)
    env.pop("QT_QPA_PLATFORM")
    env["PYTHONPATH"] = str(ROOT)
    log = (tmp_path / "studio.err").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "studio.cli", "-v", "run", "--mute", "--loop",
                             "--client-screen", "1", "--client-live", "--review-s", "0",
                             "--session", "e2e", "--session-root", str(tmp_path / "sessions")],
                            env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    log.close()

    def xdo(*args: str) -> str:
        return subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True,
                              timeout=60).stdout.strip()

    def wait(what, why: str, timeout: float = 90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = what()
            if got is not None and got is not False and (not isinstance(got, list) or got):
                return got
            assert proc.poll() is None, (tmp_path / "studio.err").read_text()[-4000:]
            time.sleep(0.2)
        raise AssertionError(f"timed out: {why}\n{(tmp_path / 'studio.err').read_text()[-4000:]}")

    def grab(screen: int, name: str) -> np.ndarray:
        out = _child(two_screens, "grab", str(screen), str(tmp_path / f"{name}.png"), cwd=tmp_path)
        assert out.returncode == 0, out.stderr[-2000:]
        return _load(tmp_path / f"{name}.png")

    def key(name: str) -> None:
        xdo("windowfocus", "--sync", window)
        xdo("key", "--delay", "60", name)

    try:
        window = wait(lambda: xdo("search", "--onlyvisible", "--name", "^studio$").split()[:1],
                      "the photographer's window")[0]
        w, h = SCREENS[1]
        middle = (slice(h // 3, 2 * h // 3), slice(w // 3, 2 * w // 3))
        live = wait(lambda: (lambda img: img if img[middle].mean() > 20 else None)(grab(1, "e2e-live")),
                    "live view on the client's screen")
        lit = np.argwhere(live[: int(h * 0.88)].max(axis=2) > 24)  # the picture, above the caption
        (y0, x0), (y1, x1) = lit.min(axis=0), lit.max(axis=0)
        assert x1 - x0 > w * 0.8 or y1 - y0 > h * 0.75, (x0, y0, x1, y1)  # large
        _no_badges(_outside(live, [int(x0) - 2, int(y0) - 2, int(x1 - x0) + 5, int(y1 - y0) + 5]))
        main = grab(0, "e2e-main")[:, :, ::-1].reshape(-1, 3).astype(int)
        assert sum(int(np.all(np.abs(main - np.array(c)) <= 3, axis=1).sum()) for c in BADGES) > 500  # badges
        key("space")
        folder = tmp_path / "sessions"

        def checked() -> list[Path]:
            return [p for p in folder.rglob("*.jpg") if p.with_name(p.stem + ".studio.json").exists()]

        jpg = wait(checked, "the shot saved and checked")[0]
        rect = _client_rect(_load(jpg), SCREENS[1])
        wait(lambda: _shows(grab(1, "e2e-shot"), rect, _load(jpg)), "the shot on the client's screen")
        key("5")
        key("v")
        wait(lambda: _shows(grab(1, "e2e-favourite"), rect, _load(jpg)), "the favourite")
        key("v")
        wait(lambda: grab(1, "e2e-blank").max() == 0, "the blank screen")
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, (tmp_path / "studio.err").read_text()[-4000:]
    assert "Traceback" not in (tmp_path / "studio.err").read_text()


def _client_rect(photo: np.ndarray, screen: tuple[int, int]) -> list[int]:
    """Where ClientScreen puts a still (its layout: margins and the caption band)."""
    from studio.ui.client import CAPTION_BAND, MARGIN

    w, h = screen
    m, band = round(h * MARGIN), round(h * CAPTION_BAND)
    aw, ah = w - 2 * m, h - 2 * m - band
    scale = min(aw / photo.shape[1], ah / photo.shape[0])
    pw, ph = max(1, round(photo.shape[1] * scale)), max(1, round(photo.shape[0] * scale))
    return [m + int((aw - pw) / 2), m + int((ah - ph) / 2), pw, ph]


def _shows(screen: np.ndarray, rect: list[int], photo: np.ndarray) -> bool:
    try:
        _assert_shows(screen, rect, photo)
    except AssertionError:
        return False
    return True


# -- the child process ------------------------------------------------------------------------


def _grab_main(screen: str, out: str) -> int:
    from PyQt5.QtWidgets import QApplication

    app = QApplication([])
    pixmap = app.screens()[int(screen)].grabWindow(0)
    return 0 if not pixmap.isNull() and pixmap.save(out) else 1


def _screens_main() -> int:
    from PyQt5.QtWidgets import QApplication

    app = QApplication([])
    print(json.dumps([{"name": s.name(), "size": [s.geometry().width(), s.geometry().height()],
                       "at": [s.geometry().x(), s.geometry().y()]} for s in app.screens()]))
    return 0


def _client_main(photo_a: str, photo_b: str, out: str) -> int:  # noqa: PLR0915
    import cv2
    from PyQt5.QtCore import Qt
    from PyQt5.QtTest import QTest
    from PyQt5.QtWidgets import QApplication

    from drivers.base import LatestFrameSlot
    from studio.events import PersonChanged
    from studio.ui import undo_cv2_qt_paths
    from studio.ui.client_screens import open_client_screen
    from studio.ui.window import MainWindow

    undo_cv2_qt_paths()
    app = QApplication([])
    assert app.platformName() == "xcb" and len(app.screens()) == 2, app.screens()
    folder = Path(out)
    shots: dict[str, str] = {}
    rects: dict[str, list[int]] = {}

    def settle(until=lambda: True, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not until():
            app.processEvents()
            time.sleep(0.01)
        assert until(), "timed out"
        for _ in range(30):  # the X server gets the last paint
            app.processEvents()
            time.sleep(0.01)

    def grab(name: str, screen: int) -> None:
        pixmap = app.screens()[screen].grabWindow(0)
        assert not pixmap.isNull()
        pixmap.save(str(folder / f"{name}.png"))
        shots[name] = str(folder / f"{name}.png")

    slot = LatestFrameSlot()
    window = MainWindow(slot, presets=("commercial-headshot",), preset="commercial-headshot", review_s=0)
    window.setGeometry(app.screens()[0].geometry())
    window.show()
    window.show_person(PersonChanged(PERSON, 0, 3, "next"))
    window.show_capture(photo_b, None)
    settle(lambda: window.reviewing is not None and window.reviewing.still is not None)
    QTest.keyClick(window, Qt.Key.Key_5)  # rates B: a favourite
    window.show_capture(photo_a, None)
    settle(lambda: window.reviewing is not None and window.reviewing.still is not None
           and window.reviewing.path == Path(photo_a))
    window.info.show_message("")
    settle()
    grab("main-before", 0)

    client = open_client_screen(window, "1")

    def client_shows(path: str) -> bool:
        return client.painted == Path(path)

    def record(name: str) -> None:
        r = client.picture_rect
        rects[name] = [r.x(), r.y(), r.width(), r.height()]
        grab(name, 1)

    settle(lambda: client_shows(photo_a))
    grab("main-after", 0)
    record("client-latest")
    QTest.keyClick(window, Qt.Key.Key_V)
    settle(lambda: client_shows(photo_b))
    record("client-favourites")
    QTest.keyClick(window, Qt.Key.Key_V)
    settle(lambda: client.view == "blank")
    grab("client-blank", 1)
    QTest.keyClick(window, Qt.Key.Key_V)  # latest again
    QTest.keyClick(window, Qt.Key.Key_Escape)  # the photographer ends the review
    QTest.keyClick(window, Qt.Key.Key_V, Qt.KeyboardModifier.ShiftModifier)  # live view on it
    live = cv2.resize(cv2.imread(photo_a)[:, ::-1], (1024, 680), interpolation=cv2.INTER_AREA)  # mirrored
    ok, jpeg = cv2.imencode(".jpg", live, [cv2.IMWRITE_JPEG_QUALITY, 97])
    assert ok
    (folder / "live.jpg").write_bytes(jpeg.tobytes())
    slot.put_jpeg(jpeg.tobytes())
    settle(lambda: client.live and client.frame is not None and client.painted is None
           and not client.picture_rect.isEmpty())
    record("client-live")
    QTest.keyClick(window, Qt.Key.Key_V, Qt.KeyboardModifier.ShiftModifier)  # live view off
    QTest.keyClick(window, Qt.Key.Key_X)  # rejects the newest: the latest keeper is B again
    settle(lambda: client_shows(photo_b))
    record("client-after-reject")
    g = client.geometry()
    on = app.screens().index(window.screen())
    (folder / "spots.json").write_text(json.dumps({
        "shots": shots, "rects": rects, "client_geometry": [g.x(), g.y(), g.width(), g.height()],
        "main_on_screen": on}))
    window.close()
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "screens":
        sys.exit(_screens_main())
    if sys.argv[1] == "grab":
        sys.exit(_grab_main(sys.argv[2], sys.argv[3]))
    sys.exit(_client_main(*sys.argv[2:5]))
