"""The main window under Qt's offscreen platform: known frame + known analysis -> known pixels.

Keys are driven with pytest-qt. Pixels are read from ``QWidget.grab()`` (exact on offscreen).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PyQt5.QtCore import QPoint, QRectF, Qt  # noqa: E402
from PyQt5.QtGui import QColor  # noqa: E402
from test_ui_support import FACE_BOX, FRAME_GRAY, FRAME_SIZE, known_analysis, known_jpeg  # noqa: E402

from drivers.base import (  # noqa: E402
    CameraState,
    ExposureControl,
    LatestFrameSlot,
    Setting,
    SettingKind,
    StateChanged,
)
from studio.analysis import Status  # noqa: E402
from studio.ready import ReadyState, ReadyTransition  # noqa: E402
from studio.ui import style  # noqa: E402
from studio.ui.feed import FULL  # noqa: E402
from studio.ui.overlay import fit_rect  # noqa: E402
from studio.ui.window import MainWindow  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def window(qtbot):
    slot = LatestFrameSlot()
    w = MainWindow(slot, presets=("commercial-headshot", "portrait"), preset="commercial-headshot",
                   trigger_modes=("manual", "auto", "countdown"))
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    w.slot = slot
    w.painted = []
    w.view.paint_listeners.append(w.painted.append)
    yield w
    w.feed.stop()


def show(qtbot, w, seq_frames: int = 1, analysis=None):
    for _ in range(seq_frames):  # one at a time: each is decoded (a burst would be coalesced)
        w.slot.put_jpeg(known_jpeg())
        qtbot.waitUntil(lambda: w.view.newest_seq == w.slot.seq, timeout=5000)
    if analysis is not None:
        w.bridge.post_analysis(analysis)
    target_seq = w.slot.seq
    # The newest frame is decoded and painted (it may be held back for its analysis: see
    # test_picture_is_held_back_for_a_late_analysis).
    qtbot.waitUntil(lambda: w.view.newest_seq == target_seq and bool(w.painted)
                    and w.painted[-1].seq == w.view.frame.seq
                    and (analysis is None or w.painted[-1].analysis_frame == analysis.frame), timeout=5000)


def pixel(image, point) -> tuple[int, int, int]:
    c = QColor(image.pixel(round(point.x()), round(point.y())))
    return (c.red(), c.green(), c.blue())


def close_to(actual, expected, tol: int = 12) -> bool:
    return all(abs(a - e) <= tol for a, e in zip(actual, expected, strict=True))


def near(image, point, expected, tol: int = 30, radius: int = 1) -> bool:
    """Some pixel within ``radius`` of ``point`` has the colour (thin lines are antialiased)."""
    return any(close_to(pixel(image, point + QPoint(dx, dy)), expected, tol)
               for dx in range(-radius, radius + 1) for dy in range(-radius, radius + 1))


def rgb(color: QColor) -> tuple[int, int, int]:
    return (color.red(), color.green(), color.blue())


def image_target(w) -> QRectF:
    return fit_rect(QRectF(w.view.rect()), *FRAME_SIZE)


def view_point(w, x: float, y: float) -> QPoint:
    """Normalised frame point -> window pixel."""
    t = image_target(w)
    inside = QPoint(round(t.x() + x * t.width()), round(t.y() + y * t.height()))
    return w.view.mapTo(w, inside)


def test_badges_have_their_status_colours_and_words(qtbot, window):
    show(qtbot, window, analysis=known_analysis())
    image = window.grab().toImage()
    expected = {"face": Status.PASS, "framing": Status.WARN, "eye_focus": Status.FAIL,
                "glare": Status.FAIL, "exposure": Status.PASS}
    for cid, status in expected.items():
        badge = window.panel.badges[cid]
        assert badge.status is status
        at = badge.mapTo(window, QPoint(6, badge.height() // 2))
        assert close_to(pixel(image, at), rgb(style.STATUS_COLORS[status]), 2), cid
    # Advisory checks: same hue, darker, one line; unknown is grey.
    unknown = window.panel.badges["catchlights"]
    assert not unknown.required and unknown.height() < window.panel.badges["face"].height()
    at = unknown.mapTo(window, QPoint(6, unknown.height() // 2))
    assert close_to(pixel(image, at), rgb(style.STATUS_COLORS[Status.UNKNOWN].darker(140)), 2)
    # Required badges come first, in check order.
    assert list(window.panel.badges)[:6] == ["face", "framing", "eyes_open", "eye_focus", "glare",
                                             "exposure"]
    # Badges sit beside the picture, never over it.
    view_right = window.view.mapTo(window, QPoint(window.view.width(), 0)).x()
    assert all(b.mapTo(window, QPoint(0, 0)).x() >= view_right for b in window.panel.badges.values())


def test_face_box_and_eye_boxes_are_where_the_analysis_says(qtbot, window):
    show(qtbot, window, analysis=known_analysis())
    image = window.grab().toImage()
    x, y, w, h = FACE_BOX
    warn = rgb(style.STATUS_COLORS[Status.WARN])  # framing warns: the face box is orange
    left_edge = view_point(window, x, y + h * 0.7)
    assert near(image, left_edge, warn), pixel(image, left_edge)
    bottom_edge = view_point(window, x + w / 2, y + h)
    assert near(image, bottom_edge, warn)
    # 12 px inside and outside the box: the picture, not the box.
    for dx in (-12, 12):
        p = left_edge + QPoint(dx, 0)
        assert not close_to(pixel(image, p), warn, 60), (dx, pixel(image, p))
    # Eye focus fails: the eye boxes are vermillion.
    fail = rgb(style.STATUS_COLORS[Status.FAIL])
    eye_left_edge = view_point(window, 0.42, 0.38)
    assert near(image, eye_left_edge, fail), pixel(image, eye_left_edge)


def test_ready_border_and_banner_follow_transitions(qtbot, window):
    show(qtbot, window, analysis=known_analysis(ready=True))
    border = window.view.mapTo(window, QPoint(round(image_target(window).left()) + 5,
                                              window.view.height() // 2))
    before = pixel(window.grab().toImage(), border)
    green = rgb(style.STATE_COLORS[ReadyState.READY])
    assert not close_to(before, green, 20)
    window.bridge.post_transition(ReadyTransition(ReadyState.HOLDING, ReadyState.READY, 1.0, 1, (), 1))
    qtbot.waitUntil(lambda: window.state is ReadyState.READY, timeout=3000)
    image = window.grab().toImage()
    assert close_to(pixel(image, border), green, 2)
    banner = window.headline  # the state word's block sits at its left end
    assert close_to(pixel(image, banner.mapTo(window, QPoint(8, banner.height() // 2))), green, 2)
    window.bridge.post_transition(
        ReadyTransition(ReadyState.READY, ReadyState.NOT_READY, 2.0, 2, ("glare",), 1))
    qtbot.waitUntil(lambda: window.state is ReadyState.NOT_READY, timeout=3000)
    image = window.grab().toImage()
    assert not close_to(pixel(image, border), green, 20)
    assert banner.state is ReadyState.NOT_READY


def test_crop_guide_darkens_outside_the_4_5_box(qtbot, window):
    show(qtbot, window)
    image = window.grab().toImage()
    # 4:5 in a 1024x680 frame: width 0.664 of the frame, centred; 0.1 is outside, 0.5 inside.
    outside = pixel(image, view_point(window, 0.1, 0.7))
    inside = pixel(image, view_point(window, 0.45, 0.7))
    assert inside[0] == pytest.approx(FRAME_GRAY, abs=6)
    assert outside[0] < FRAME_GRAY - 25
    window.view.set_guides(window.view.guides.next_crop())  # 2:3
    window.view.set_guides(window.view.guides.next_crop())  # 1:1
    window.view.set_guides(window.view.guides.next_crop())  # none
    qtbot.waitUntil(lambda: window.view.guides.crop is None)
    show(qtbot, window)
    assert pixel(window.grab().toImage(), view_point(window, 0.1, 0.7))[0] == pytest.approx(FRAME_GRAY, abs=6)


def test_picture_is_held_back_for_a_late_analysis(qtbot, window):
    show(qtbot, window, analysis=known_analysis(frame=1))
    show(qtbot, window, seq_frames=3)  # frames 2..4 decoded, the analysis still for frame 1
    record = window.painted[-1]
    assert record.seq == 3 and window.view.newest_seq == 4  # frame 1 + 2: the boxes still fit
    assert record.age_frames == 2 and record.geometry
    window.view.hold_picture = False
    window.view.show_frame(window.feed.latest())
    qtbot.waitUntil(lambda: window.painted[-1].seq == 4, timeout=3000)
    assert not window.painted[-1].geometry and window.painted[-1].held_frames == 0


def test_stale_analysis_geometry_is_not_drawn(qtbot, window):
    show(qtbot, window, analysis=known_analysis(frame=1))
    show(qtbot, window, seq_frames=6)  # the picture is now frame 7, the analysis still frame 1
    record = window.painted[-1]
    # Holding back to frame 3 would be 4 frames behind the newest: too much. Live, no boxes.
    assert record.seq == 7 and record.age_frames == 6 and not record.geometry
    assert record.held_frames == 0
    image = window.grab().toImage()
    left_edge = view_point(window, FACE_BOX[0], FACE_BOX[1] + FACE_BOX[3] * 0.7)
    assert not close_to(pixel(image, left_edge), rgb(style.STATUS_COLORS[Status.WARN]), 40)


def test_frames_are_coalesced_not_queued(qtbot, window):
    for _ in range(40):
        window.slot.put_jpeg(known_jpeg())
    qtbot.waitUntil(lambda: bool(window.painted) and window.painted[-1].seq == 40, timeout=5000)
    assert len(window.painted) < 40  # frames overtaken while decoding or painting were dropped
    assert window.view.frame.frame_hist is not None
    assert abs(window.view.frame.frame_hist.sum() - 1) < 1e-3


def test_face_histogram_after_an_analysis(qtbot, window):
    show(qtbot, window, analysis=known_analysis())
    for _ in range(3):
        show(qtbot, window)
    hist = window.info.histogram
    qtbot.waitUntil(lambda: hist.face_hist is not None, timeout=3000)
    assert int(hist.face_hist.argmax()) == FRAME_GRAY >> 2  # the flat grey, in 64 bins


def test_keys(qtbot, window):
    with qtbot.waitSignal(window.capture_requested, timeout=1000):
        qtbot.keyClick(window, Qt.Key_Space)
    qtbot.keyClick(window, Qt.Key_F)
    qtbot.waitUntil(window.isFullScreen, timeout=2000)
    qtbot.keyClick(window, Qt.Key_Escape)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=2000)
    qtbot.keyClick(window, Qt.Key_Question, Qt.ShiftModifier)
    assert window.help.isVisible()
    qtbot.keyClick(window, Qt.Key_Escape)
    assert not window.help.isVisible()
    with qtbot.waitSignal(window.mute_toggled, timeout=1000) as muted:
        qtbot.keyClick(window, Qt.Key_M)
    assert muted.args == [True]
    with qtbot.waitSignal(window.live_view_toggled, timeout=1000) as live:
        qtbot.keyClick(window, Qt.Key_L)
    assert live.args == [False]
    with qtbot.waitSignal(window.preset_chosen, timeout=1000) as preset:
        qtbot.keyClick(window, Qt.Key_P)
    assert preset.args == ["portrait"]
    with qtbot.waitSignal(window.trigger_mode_chosen, timeout=1000) as mode:
        qtbot.keyClick(window, Qt.Key_T)
    assert mode.args == ["auto"]
    with qtbot.waitSignal(window.volume_changed, timeout=1000) as volume:
        qtbot.keyClick(window, Qt.Key_Minus)
    assert volume.args[0] == pytest.approx(0.6)
    qtbot.keyClick(window, Qt.Key_C)
    assert window.view.guides.crop == "2:3"
    with qtbot.waitSignal(window.settings_wanted, timeout=1000):
        qtbot.keyClick(window, Qt.Key_S)
    assert window.settings_dock.isVisible()


def test_zoom_to_the_eyes_crops_the_live_frame(qtbot, window):
    show(qtbot, window, analysis=known_analysis())
    with qtbot.waitSignal(window.zoom_toggled, timeout=1000):
        qtbot.keyClick(window, Qt.Key_Z)
    show(qtbot, window)
    frame = window.view.frame
    assert frame.crop != FULL
    x, y, w, h = frame.crop
    assert x < 0.42 and x + w > 0.59 and y < 0.36 and y + h > 0.40  # both eye boxes inside
    assert w < 0.5  # really zoomed
    assert window.painted[-1].geometry


def test_settings_panel_offers_the_allowed_values(qtbot, window):
    settings = {
        # The driver tags the settings that serve an exposure control; the panel lists those.
        "aperture": Setting("aperture", "Aperture", SettingKind.CHOICE, "5.6", ("2.8", "4", "5.6", "8"),
                            control=ExposureControl.APERTURE),
        "iso": Setting("iso", "ISO", SettingKind.CHOICE, "100", ("100", "200", "400"),
                       control=ExposureControl.ISO),
        "exposurecompensation": Setting("exposurecompensation", "EC", SettingKind.RANGE, 0.0,
                                        range=(-1.0, 1.0, 0.5), control=ExposureControl.EXPOSURE_COMP),
        "owner": Setting("owner", "Owner", SettingKind.TEXT, "x"),
    }
    window.bridge.settings_loaded.emit(settings)
    qtbot.waitUntil(lambda: len(window.settings_panel.boxes) == 3, timeout=2000)
    box = window.settings_panel.boxes["aperture"]
    assert [box.itemText(i) for i in range(box.count())] == ["2.8", "4", "5.6", "8"]
    assert box.currentText() == "5.6"
    ec = window.settings_panel.boxes["exposurecompensation"]
    assert [ec.itemText(i) for i in range(ec.count())] == ["-1", "-0.5", "0", "0.5", "1"]
    with qtbot.waitSignal(window.setting_changed, timeout=1000) as changed:
        box.activated[str].emit("8")
    assert changed.args == ["aperture", "8"]


def test_capture_thumbnail_and_verdict(qtbot, window, tmp_path):
    still = tmp_path / "shot-0001.jpg"
    still.write_bytes(known_jpeg(gray=200, size=(3000, 2000)))
    window.show_capture(still, known_analysis())
    qtbot.waitUntil(lambda: window.reviewing is not None and window.reviewing.thumb is not None,
                    timeout=5000)
    shot = window.reviewing
    assert shot.name == "shot-0001.jpg" and shot.thumb is not None and not shot.thumb.isNull()
    assert window.stack.currentWidget() is window.review
    assert [s.name for s in window.info.filmstrip.shots] == ["shot-0001.jpg"]
    # The verdict is the still's worst problem in its own words, in the status colour.
    from studio.ui.review import verdict_line
    color, text = verdict_line(shot.analysis)
    assert color == style.STATUS_COLORS[Status.FAIL] and "eyes soft" in text


def test_camera_state_is_shown(qtbot, window):
    window.bridge.post_camera_event(StateChanged(CameraState.RECONNECTING, "USB I/O error"))
    qtbot.waitUntil(lambda: "reconnecting" in window.info.camera.text(), timeout=2000)
    assert style.CAMERA_COLORS["reconnecting"].name() in window.info.camera.text()
    assert "USB I/O error" in window.info.message.text()


def test_vision_and_state_code_never_import_qt():
    code = ("import sys; import studio.app, studio.headless, studio.guidance, studio.audio, "
            "studio.ready, studio.loop, studio.vision, studio.capture, studio.events, "
            "studio.triggers.setup, studio.bench.latency, studio.bench.suite; "
            "bad = [m for m in sys.modules if m.startswith('PyQt5')]; print(bad); sys.exit(bool(bad))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
