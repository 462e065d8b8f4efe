"""Review findings of issue 11's window (helper review11): while a still is under review, the
badge column shows that still's checks (the banner's verdict), not the live frame's; back in
live view, the live checks again. Seen in docs/screenshots/shoot-day-1080p.png: banner
"Soft picture: nothing on the face is sharp" beside a badge "Eye focus OK — Eyes sharp"."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PyQt5.QtCore import Qt  # noqa: E402
from test_ui_support import known_analysis  # noqa: E402

from drivers.base import LatestFrameSlot  # noqa: E402
from studio.analysis import CheckResult, Status  # noqa: E402
from studio.ui.window import MainWindow  # noqa: E402


@pytest.fixture
def window(qtbot):
    w = MainWindow(LatestFrameSlot(), presets=("commercial-headshot",), preset="commercial-headshot",
                   trigger_modes=("manual", "auto"), review_s=0)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.feed.stop()


def test_badges_follow_the_still_under_review(qtbot, window, tmp_path):
    live = known_analysis(ready=True)  # every check passes in the live frame
    still = replace(live, checks=tuple(
        CheckResult(c.id, "fail", "Soft picture: nothing on the face is sharp") if c.id == "eye_focus"
        else c for c in live.checks))
    path = tmp_path / "shot-0001.jpg"
    assert cv2.imwrite(str(path), np.full((400, 600, 3), 120, np.uint8))
    window.show_analysis(live)
    assert window.panel.badges["eye_focus"].status is Status.PASS
    window.show_capture(path, still)
    assert window.reviewing is not None
    assert window.panel.badges["eye_focus"].status is Status.FAIL  # what the banner says
    window.show_analysis(replace(live, frame=2))  # live frames keep coming during the review
    assert window.panel.badges["eye_focus"].status is Status.FAIL
    qtbot.keyClick(window, Qt.Key_Escape)  # back to live view
    assert window.reviewing is None
    assert window.panel.badges["eye_focus"].status is Status.PASS


def test_the_last_shot_of_a_person_is_not_filed_under_the_next(qtbot, window, tmp_path):
    """--shots-per-person moves to the next person when the file is on disk; the shot's
    CaptureDone comes after the still check, so after PersonChanged (headless run:
    "[person] 2 of 4: Bo Li (auto)" before "[capture] saved jane-doe-0002.jpg"). The window
    filed jane-doe-0002 in Bo Li's filmstrip, titled "Bo Li", as "1 of this person"."""
    from studio.events import PersonChanged

    window.show_person(PersonChanged("Jane Doe", 0, 2, "start"))
    first = tmp_path / "jane-doe-0001.jpg"
    assert cv2.imwrite(str(first), np.full((400, 600, 3), 120, np.uint8))
    window.bridge.capture_person.emit(str(first), "Jane Doe")
    window.bridge.capture_done.emit(first, known_analysis())
    qtbot.waitUntil(lambda: window.reviewing is not None, timeout=2000)
    window.show_person(PersonChanged("Bo Li", 1, 2, "auto"))  # the desk moved on
    last = tmp_path / "jane-doe-0002.jpg"
    assert cv2.imwrite(str(last), np.full((400, 600, 3), 90, np.uint8))
    window.bridge.capture_person.emit(str(last), "Jane Doe")
    window.bridge.capture_done.emit(last, known_analysis())
    qtbot.waitUntil(lambda: window.reviewing is not None and window.reviewing.path == last, timeout=2000)
    shot = window.reviewing
    assert shot.person == "Jane Doe"  # under review, with its own person's name
    assert window.desk.shots == []  # not in Bo Li's filmstrip
    assert window.desk.shot_count == 2  # the day's count still has it
    qtbot.waitUntil(lambda: shot.still is not None or bool(shot.error), timeout=10000)
    assert shot.still is not None  # its pictures load although it is in no filmstrip


def test_the_runner_says_whose_shot_it_is(qtbot, window, tmp_path):
    from studio.events import CaptureDone, TriggerEvent
    from studio.session.shots import ShotRecord
    from studio.session.xmp import verdict_of
    from studio.ui.runner import wire_capture_messages

    path = tmp_path / "jane-doe-0002.jpg"
    record = ShotRecord("jane-doe-0002", (path,), None, verdict_of(None), (), (), person="Jane Doe")
    said = []
    window.bridge.capture_person.connect(lambda p, who: said.append((p, who)))
    wire_capture_messages(window.bridge)(CaptureDone((path,), None, TriggerEvent("key", 0.0), (record,)))
    qtbot.waitUntil(lambda: bool(said), timeout=2000)
    assert said == [(str(path), "Jane Doe")]


def test_a_second_person_of_the_same_name_gets_a_fresh_filmstrip(qtbot, window, tmp_path):
    from studio.events import PersonChanged

    window.show_person(PersonChanged("Jane Doe", 0, 3, "start"))
    path = tmp_path / "jane-doe-0001.jpg"
    assert cv2.imwrite(str(path), np.full((400, 600, 3), 120, np.uint8))
    window.show_capture(path, known_analysis())
    assert len(window.desk.shots) == 1
    window.show_person(PersonChanged("Jane Doe", 0, 3, "resume"))  # the same person again
    assert len(window.desk.shots) == 1
    window.show_person(PersonChanged("Jane Doe", 2, 3, "next"))  # another Jane Doe (roster id E4)
    assert window.desk.shots == []


def test_thirteen_checks_fit_the_panel_at_1080p(qtbot):
    """With expression and depth of field the panel holds 13 badges: at 1920x1080 the last
    ones ran past the bottom ("Depth of field" cut mid-reason). Passing advisory badges give up
    their reason line first; every badge that is not OK keeps its reason in full."""
    from studio.ui.panel import StatusPanel

    ids = ("face", "framing", "eyes_open", "eye_focus", "glare", "exposure", "catchlights",
           "glasses", "background", "clothing", "expression", "depth_of_field", "reset")
    from studio.ui import style

    before = style.scale()
    style.set_scale(style.scale_for(1920, 1080, style.BASE_DPI))
    panel = StatusPanel(ids[:12])
    qtbot.addWidget(panel)
    panel.setFixedHeight(870)  # the panel's height beside the picture at 1920x1080
    panel.show()
    qtbot.waitExposed(panel)
    long = "Background in focus: open up (f/2.8 or wider) or move the subject away from it"
    base = known_analysis(ready=True)
    checks = tuple(CheckResult(c, "pass", "fine, with a reason of some length here") for c in ids[:10]) + (
        CheckResult("expression", "pass", "Warm smile, eyes smiling too"),
        CheckResult("depth_of_field", "warn", long))
    panel.show_analysis(replace(base, checks=checks, required=ids[:6]))
    qtbot.wait(50)
    bottoms = [b.geometry().bottom() for b in panel.badges.values()]
    assert max(bottoms) <= panel.height(), bottoms
    dof = panel.badges["depth_of_field"]
    assert not getattr(dof, "compact", False) and dof.layout_rects()[1].height() > 0  # in full
    style.set_scale(before)
