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
