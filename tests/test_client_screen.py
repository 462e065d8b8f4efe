"""The client's screen (Qt offscreen): which shot it shows, the keys, no badges, live view only
when asked, choosing the screen. The two-screen X server test is test_client_screen_xvfb.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PyQt5.QtCore import QRect, Qt  # noqa: E402
from test_ui_support import known_analysis, known_jpeg  # noqa: E402

from drivers.base import LatestFrameSlot  # noqa: E402
from studio.events import PersonChanged  # noqa: E402
from studio.ui.client import (  # noqa: E402
    FAVOURITE_RATING,
    ClientScreen,
    decode_for,
    favourites,
    is_favourite,
    latest_keeper,
    reduction_for,
)
from studio.ui.client_screens import (  # noqa: E402
    ClientScreenError,
    choose_screen,
    open_client_screen,
    screen_removed,
)
from studio.ui.review import Shot  # noqa: E402
from studio.ui.window import MainWindow  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BADGES = ((0, 158, 115), (230, 159, 0), (213, 94, 0))


def photo(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (1200, 800)) -> Path:
    """A still of one flat colour (BGR) with a white diagonal: its pixels are easy to find."""
    img = np.full((size[1], size[0], 3), colour, np.uint8)
    cv2.line(img, (0, 0), (size[0] - 1, size[1] - 1), (255, 255, 255), 9)
    assert cv2.imwrite(str(path), img, [cv2.IMWRITE_JPEG_QUALITY, 98])
    return path


def pixels(widget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(4)  # Format_RGB32
    ptr = image.constBits()
    ptr.setsize(image.byteCount())
    return np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)[
        :, :image.width(), 2::-1].copy()  # RGB


def inside(img: np.ndarray, rect: QRect) -> np.ndarray:
    return img[rect.y() + 6:rect.y() + rect.height() - 6, rect.x() + 6:rect.x() + rect.width() - 6]


def no_badge_colours(img: np.ndarray) -> bool:
    flat = img.reshape(-1, 3).astype(int)
    return not any(np.all(np.abs(flat - np.array(c)) <= 40, axis=1).any() for c in BADGES)


@pytest.fixture
def window(qtbot):
    slot = LatestFrameSlot()
    w = MainWindow(slot, presets=("commercial-headshot",), preset="commercial-headshot", review_s=0)
    w.slot = slot  # the tests put live frames in it
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    w.show_person(PersonChanged("Ada Lovelace", 0, 2, "next"))
    yield w
    w.close()


@pytest.fixture
def client(qtbot, window):
    c = open_client_screen(window, "0")
    qtbot.addWidget(c)
    qtbot.waitExposed(c)
    return c


def shows(qtbot, client: ClientScreen, path: Path) -> np.ndarray:
    qtbot.waitUntil(lambda: (client.repaint() or True) and client.painted == path, timeout=10000)
    return pixels(client)


def test_favourites_and_the_latest_keeper(tmp_path):
    a, b, c = (Shot(tmp_path / f"{n}.jpg", None) for n in "abc")
    b.rating, c.rating, c.rejected = 5, FAVOURITE_RATING, True
    a.rating = FAVOURITE_RATING - 1
    assert [is_favourite(s) for s in (a, b, c)] == [False, True, False]
    assert favourites([a, b, c]) == [b]
    assert latest_keeper([a, b, c], None) is b  # the newest not rejected
    assert latest_keeper([a, b, c], a) is a  # the shot under review first
    assert latest_keeper([a, b, c], c) is b  # unless it is rejected
    assert latest_keeper([], None) is None


def test_a_large_still_is_decoded_reduced_to_its_place(shared_fixtures):
    assert reduction_for((7360, 4912), (1868, 974))[0] == 4  # 36 MP on a 1080p screen: 1/4
    assert reduction_for((2048, 1638), (1228, 890))[0] == 1  # less than twice its place: full
    assert reduction_for((0, 0), (1228, 890))[0] == 1  # no SOF found (a PNG): full
    path = shared_fixtures / "portraits" / "compreface__sample_001_A.jpg"  # 4912 x 7360
    area = (1868, 974)
    picture = decode_for(path, area)
    full = cv2.imread(str(path))
    h, w = full.shape[:2]
    scale = min(area[0] / w, area[1] / h)
    want = cv2.resize(full, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    assert (picture.image.width(), picture.image.height()) == (want.shape[1], want.shape[0]) == (650, 974)
    diff = np.abs(picture.pixels[:, :, :3].astype(int) - want.astype(int))
    assert diff.mean() < 1.5 and np.percentile(diff, 99.9) <= 16  # the same picture


def _screens(*names: str):
    return [SimpleNamespace(name=lambda n=n: n, geometry=lambda: QRect(0, 0, 1920, 1080)) for n in names]


def test_choosing_the_screen_by_index_or_name():
    screens = _screens("eDP-1", "HDMI-1", "DP-2")
    assert choose_screen("1", screens) is screens[1]
    assert choose_screen("hdmi-1", screens) is screens[1]
    assert choose_screen(" DP-2 ", screens) is screens[2]
    with pytest.raises(ClientScreenError, match=r"no screen 3: the screens here are 0 'eDP-1' 1920x1080, "
                                                r"1 'HDMI-1' 1920x1080, 2 'DP-2' 1920x1080$"):
        choose_screen("3", screens)
    with pytest.raises(ClientScreenError, match="no screen -1"):
        choose_screen("-1", screens)
    with pytest.raises(ClientScreenError, match="no screen named 'VGA'"):
        choose_screen("VGA", screens)
    with pytest.raises(ClientScreenError, match="2 screens are named 'screen': give an index"):
        choose_screen("screen", _screens("screen", "screen"))


def test_the_client_sees_the_latest_shot_never_its_badges(qtbot, window, client, tmp_path):
    shot = photo(tmp_path / "ada-0001.jpg", (40, 90, 160))
    window.show_capture(shot, known_analysis())  # a still whose checks fail: the banner says so
    img = shows(qtbot, client, shot)
    rect = client.picture_rect
    area = client.picture_area()  # as large as the screen allows, aspect kept
    assert abs(rect.width() - area.width()) <= 1 or abs(rect.height() - area.height()) <= 1
    assert rect.width() >= 0.9 * client.width() or rect.height() >= 0.85 * client.height()
    middle = img[rect.y() + rect.height() // 4, rect.x() + rect.width() * 3 // 4].astype(int)
    assert np.all(np.abs(middle - np.array((160, 90, 40))) <= 6), middle  # the still's own pixels
    assert no_badge_colours(img)  # no verdict band, no stars, no badge
    outside = img.copy()
    outside[rect.y():rect.bottom() + 1, rect.x():rect.right() + 1] = 0
    assert (outside.max(axis=2) == 0).mean() > 0.97  # a black surround, the name under the picture
    assert (outside.min(axis=2) > 150).sum() > 100
    assert client.caption() == "Ada Lovelace"
    main = pixels(window)
    assert not no_badge_colours(main)  # the photographer's window shows the verdict


def test_keys_cycle_the_views_and_step_through_favourites(qtbot, window, client, tmp_path):
    paths = [photo(tmp_path / f"ada-000{i}.jpg", colour) for i, colour in
             enumerate(((200, 40, 40), (40, 200, 40), (40, 40, 200)), start=1)]
    for path in paths:
        window.show_capture(path, None)
        if path != paths[1]:
            qtbot.keyClick(window, Qt.Key.Key_5)  # the first and the third: favourites
    shows(qtbot, client, paths[2])
    qtbot.keyClick(window, Qt.Key.Key_V)
    assert client.view == "favourites"
    shows(qtbot, client, paths[2])  # the newest favourite first
    assert client.caption() == "Ada Lovelace \u00b7 favourite 2 of 2"
    assert "client screen: favourite 2 of 2" in window.info.message.text()
    qtbot.keyClick(window, Qt.Key.Key_BracketLeft)
    shows(qtbot, client, paths[0])
    qtbot.keyClick(window, Qt.Key.Key_BracketLeft)  # stays on the first
    shows(qtbot, client, paths[0])
    qtbot.keyClick(window, Qt.Key.Key_BracketRight)
    shows(qtbot, client, paths[2])
    qtbot.keyClick(window, Qt.Key.Key_V)
    assert client.view == "blank"
    client.repaint()
    assert pixels(client).max() == 0 and client.painted is None
    qtbot.keyClick(window, Qt.Key.Key_V)
    assert client.view == "latest"
    qtbot.keyClick(window, Qt.Key.Key_X)  # the newest is rejected: the one before is the latest
    shows(qtbot, client, paths[1])
    qtbot.keyClick(client, Qt.Key.Key_V)  # a key typed on the client's window is the photographer's
    assert client.view == "favourites"
    shows(qtbot, client, paths[0])  # the rejected shot is no favourite any more


def test_live_view_only_when_asked_and_not_over_a_review(qtbot, window, client, tmp_path):
    shot = photo(tmp_path / "ada-0001.jpg", (40, 90, 160))
    window.show_capture(shot, None)
    shows(qtbot, client, shot)
    window.slot.put_jpeg(known_jpeg(gray=200))
    qtbot.waitUntil(lambda: client.frame is not None, timeout=10000)
    shows(qtbot, client, shot)  # live view is not on: the shot stays
    qtbot.keyClick(window, Qt.Key.Key_V, Qt.KeyboardModifier.ShiftModifier)
    assert client.live
    shows(qtbot, client, shot)  # the shot under review keeps the screen
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: (client.repaint() or True) and client.painted is None
                    and not client.picture_rect.isEmpty(), timeout=10000)
    img = pixels(client)
    live = inside(img, client.picture_rect)
    assert np.abs(live.astype(int) - 200).max() <= 6  # the live frame, no overlay on it
    qtbot.keyClick(window, Qt.Key.Key_V, Qt.KeyboardModifier.ShiftModifier)
    shows(qtbot, client, shot)


def test_a_new_person_and_closing(qtbot, window, client, tmp_path):
    shot = photo(tmp_path / "ada-0001.jpg", (40, 90, 160))
    window.show_capture(shot, None)
    shows(qtbot, client, shot)
    window.show_person(PersonChanged("Grace Hopper", 1, 2, "next"))
    client.repaint()
    assert client.painted is None and client.caption() == "Grace Hopper"  # nobody else's shots
    window.close()
    assert not client.isVisible()


def test_an_unplugged_client_display_hides_its_window(qtbot, window, client):
    chosen = client.windowHandle().screen()
    screen_removed(window, chosen, object())  # another display went: nothing changes
    assert client.isVisible() and window.client is client
    screen_removed(window, chosen, chosen)  # Qt would move it onto the photographer's screen
    assert not client.isVisible() and window.client is None
    assert "client screen unplugged" in window.info.message.text()
    qtbot.keyClick(window, Qt.Key.Key_V)
    assert "no client screen" in window.info.message.text()


def test_without_a_client_screen_the_keys_say_so(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_V)
    assert "no client screen: start with --client-screen" in window.info.message.text()


def test_client_screen_headless_is_a_one_line_error(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "studio.cli", "run", "--headless", "--client-screen", "1"],
                         env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert out.stderr.strip() == ("studio: error: --client-screen needs the window: a display, and no "
                                  "--headless or --json")
    assert not (tmp_path / "sessions").exists()


def test_the_last_shot_of_the_person_before_never_reaches_the_next_client(qtbot, window, client, tmp_path):
    """Privacy: a shot of Ada downloaded after the photographer moved on to Grace is reviewed in
    the photographer's window (it is Ada's), but the client screen, now Grace's, never shows it."""
    window.show_person(PersonChanged("Grace Hopper", 1, 2, "next"))
    late = photo(tmp_path / "ada-0002.jpg", (40, 90, 160))
    window.desk.note_person(str(late), "Ada Lovelace")  # stored for Ada, arrives now
    window.show_capture(late, None)
    assert window.desk.reviewing is not None and window.desk.reviewing.path == late
    qtbot.wait(300)  # the still would have been decoded by now
    client.repaint()
    assert client.painted is None and client.shown_shot() is None
    assert client.caption() == "Grace Hopper"
    grace = photo(tmp_path / "grace-0001.jpg", (160, 90, 40))
    window.show_capture(grace, None)
    shows(qtbot, client, grace)


def test_a_reject_and_a_rating_show_at_once(qtbot, window, client, tmp_path):
    first = photo(tmp_path / "ada-0001.jpg", (40, 90, 160))
    second = photo(tmp_path / "ada-0002.jpg", (160, 90, 40))
    window.show_capture(first, None)
    window.show_capture(second, None)
    window.desk.review_shot(rating=5)  # the second (under review) is a favourite
    qtbot.keyClick(window, Qt.Key.Key_BracketRight)
    assert client.view == "favourites"
    shows(qtbot, client, second)
    window.desk.review_shot(rejected=True)  # rejected: gone from favourites at once
    client.repaint()
    assert client.painted is None and favourites(client.shots) == []
    window.desk.review_shot(rating=4)  # rated again (a rating takes the reject back)
    shows(qtbot, client, second)


def liar_jpeg(path: Path) -> Path:
    """A 16x16 JPEG whose header claims 65000x65000: decoding it would take gigabytes."""
    ok, buf = cv2.imencode(".jpg", np.zeros((16, 16, 3), np.uint8))
    data = bytearray(buf.tobytes())
    sof = data.find(b"\xff\xc0")
    data[sof + 5:sof + 9] = (65000).to_bytes(2, "big") + (65000).to_bytes(2, "big")
    path.write_bytes(bytes(data))
    return path


def test_a_huge_or_corrupt_still_is_refused_quickly_and_the_next_shows(qtbot, window, client, tmp_path,
                                                                       caplog):
    import time

    liar = liar_jpeg(tmp_path / "ada-0001.jpg")
    start = time.monotonic()
    with pytest.raises(ValueError, match="too large"):
        decode_for(liar, (1920, 1000))
    assert time.monotonic() - start < 1.0  # refused from its header, never decoded
    cut = tmp_path / "ada-0002.jpg"
    cut.write_bytes(photo(tmp_path / "whole.jpg", (10, 10, 10)).read_bytes()[:3000])
    garbage = tmp_path / "ada-0003.jpg"
    garbage.write_bytes(b"not a picture" * 100)
    for bad in (liar, cut, garbage):
        window.show_capture(bad, None)
        qtbot.waitUntil(lambda: (client.repaint() or True) and bool(client._pictures), timeout=5000)
        client._pictures.clear()
        assert client.painted is None and client.isVisible()
    assert "cannot show ada-0001.jpg: image too large" in caplog.text
    good = photo(tmp_path / "ada-0004.jpg", (40, 90, 160))
    window.show_capture(good, None)
    shows(qtbot, client, good)


def test_rejecting_the_last_favourite_shown_shows_its_neighbour(qtbot, window, client, tmp_path):
    paths = [photo(tmp_path / f"ada-000{i}.jpg", (40 + 50 * i, 90, 160)) for i in range(1, 4)]
    for path in paths:
        window.show_capture(path, None)
        window.desk.review_shot(rating=5)
    qtbot.keyClick(window, Qt.Key.Key_BracketRight)  # favourites: the newest, 3 of 3
    assert client.describe() == "client screen: favourite 3 of 3"
    window.desk.review_shot(rejected=True)  # the third (under review) rejected
    assert client.describe() == "client screen: favourite 2 of 2"  # not a jump to 1 of 2
    shows(qtbot, client, paths[1])
