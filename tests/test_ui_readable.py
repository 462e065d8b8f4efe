"""Readable from the camera position (Qt offscreen, window at 1920x1080): the state word and the
one instruction measured in rendered pixels, every badge reason wrapped in full, nothing said
twice, sizes that follow the window and the DPI, guides chosen by the preset.
"""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PyQt5.QtCore import QRectF  # noqa: E402
from PyQt5.QtGui import QColor, QImage  # noqa: E402
from test_ui_support import FACE_BOX, LEFT_EYE, RIGHT_EYE  # noqa: E402

from drivers.base import LatestFrameSlot  # noqa: E402
from studio.analysis import Analysis, CheckResult, Face, Status  # noqa: E402
from studio.guidance import FRAMING_INSTRUCTIONS, INSTRUCTION_MAX_CHARS, MESSAGE_INSTRUCTIONS, instruction  # noqa: E402
from studio.ready import ReadyState, ReadyTransition  # noqa: E402
from studio.ui import style  # noqa: E402
from studio.ui.guides import guides_for_preset  # noqa: E402
from studio.ui.window import MainWindow  # noqa: E402

MIN_GLYPH_PX = 48

# The longest messages the checks really write (their templates, filled at their widest).
LONG_MESSAGES = {
    "face": "Group of 4: checks follow the largest face (and 2 small ones in the background)",
    "framing": "Half-length: top of the head cut; eye line low (61% down); head turned (yaw -24°, "
               "pitch 14°); half-length (preset wants headshot)",
    "eyes_open": "Left eye closed",
    "eye_focus": "Eyes too small to judge focus (iris 11 px, need 18 px)",
    "glare": "Glare hides the left and right eyes: raise the key light or move it to the side, or tilt "
             "the frames down slightly",
    "exposure": "Clipped highlights on 12% of the face: lower the key light",
    "catchlights": "No catchlight in the left eye (brow or lid shadow, or the head turned away)",
    "glasses": "Dark lenses hide the eyes: take them off",
    "background": "Busy background: a plain backdrop keeps the face first",
    "clothing": "Regular pattern on the clothes: moiré risk, prefer plain",
}
REQUIRED = ("face", "framing", "eyes_open", "eye_focus", "glare", "exposure")


def long_analysis(frame: int = 1, framing_fields: dict | None = None) -> Analysis:
    checks = tuple(CheckResult(cid, "pass" if cid == "face" else "fail" if cid in REQUIRED else "warn", msg,
                               fields=framing_fields if cid == "framing" and framing_fields else {})
                   for cid, msg in LONG_MESSAGES.items())
    return Analysis("test", frame, 0.0, (1024, 680), "half-length", 1, checks, False,
                    "commercial-headshot", Face(FACE_BOX, LEFT_EYE, RIGHT_EYE), required=REQUIRED)


@pytest.fixture
def window(qtbot):
    w = MainWindow(LatestFrameSlot(), presets=("commercial-headshot",), preset="commercial-headshot")
    qtbot.addWidget(w)
    w.resize(1920, 1080)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.width() == 1920, timeout=3000)
    yield w
    w.feed.stop()
    style.set_scale(1.0)


def ink_rows(image: QImage, rect: QRectF, is_ink) -> list[int]:
    rows = []
    for y in range(max(0, int(rect.top())), min(image.height(), int(rect.bottom()))):
        if any(is_ink(QColor(image.pixel(x, y))) for x in range(max(0, int(rect.left())),
                                                                   min(image.width(), int(rect.right())), 2)):
            rows.append(y)
    return rows


def test_state_word_and_instruction_are_at_least_48_px_at_1080p(qtbot, window):
    framing = {"problems": ["turned"], "pitch": 24.0, "yaw": 3.0}
    window.bridge.post_analysis(long_analysis(framing_fields=framing))
    window.bridge.post_transition(ReadyTransition(ReadyState.READY, ReadyState.NOT_READY, 1.0, 1,
                                                  ("framing",), 1))
    qtbot.waitUntil(lambda: window.headline.instruction == "Chin down a little", timeout=3000)
    headline = window.headline
    headline.repaint()
    image = headline.grab().toImage()
    assert image.height() >= 120  # the headline grew with the window
    # "NOT READY": white glyphs on the vermillion block; no descenders, so ink = cap height.
    rows = ink_rows(image, headline.state_rect(), lambda c: c.lightness() > 215)
    assert rows and rows[-1] - rows[0] + 1 >= MIN_GLYPH_PX, (rows[:1], rows[-1:])
    # "Chin down a little" (no descenders): ascender height of the rendered ink.
    area = headline.instruction_rect()
    rows = ink_rows(image, area, lambda c: c.lightness() > 200)
    assert rows and rows[-1] - rows[0] + 1 >= MIN_GLYPH_PX, (rows[:1], rows[-1:])
    # The reason is the check's own message, not "Framing: Half-length: …" (said once).
    assert headline.reason == LONG_MESSAGES["framing"]
    assert not headline.reason.lower().startswith("framing:")


def test_every_badge_reason_fits_in_full(qtbot, window):
    window.bridge.post_analysis(long_analysis())
    qtbot.waitUntil(lambda: window.panel.badges["glare"].reason == LONG_MESSAGES["glare"], timeout=3000)
    qtbot.wait(50)
    panel = window.panel
    for cid, badge in panel.badges.items():
        name_box, reason_box = badge.layout_rects()
        metrics_h = reason_box.height()
        assert badge.height() >= reason_box.bottom(), cid
        assert badge.width() >= reason_box.right() - 1, cid
        # The badge sits wholly inside the panel: nothing hidden below the window.
        assert badge.mapTo(panel, badge.rect().bottomLeft()).y() <= panel.height(), cid
        if badge.compact:  # a full panel: a passing badge shows its name only (review11)
            assert badge.status is Status.PASS and reason_box.height() == 0, cid
            continue
        image = badge.grab().toImage()
        ink = style.STATUS_TEXT[badge.status]
        def is_ink(c: QColor, ink: QColor = ink) -> bool:
            return abs(c.lightness() - ink.lightness()) < 40 and abs(c.red() - ink.red()) < 50

        rows = ink_rows(image, QRectF(reason_box), is_ink)
        assert rows, cid
        # Long reasons really wrap (more than one line of ink) and end inside the badge.
        line = style.px(15 if badge.required else 14) * 1.3
        if len(LONG_MESSAGES[cid]) > 60:
            assert rows[-1] - rows[0] > line, (cid, rows[0], rows[-1])
        assert rows[-1] < badge.height() - 1, cid
        assert metrics_h > 0


def test_scale_follows_the_window_and_the_dpi(qtbot, window):
    dpi = window.screen().logicalDotsPerInch()  # the offscreen platform says 100
    assert style.scale() == pytest.approx(1.35 * dpi / 96)
    big = window.headline.height()
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.width() == 1280, timeout=3000)
    assert style.scale() == pytest.approx(dpi / 96)
    assert window.headline.height() < big
    assert style.scale_for(1920, 1080, 144) == pytest.approx(1.35 * 1.5)  # a 144-dpi screen
    assert style.scale_for(960, 540, 96) == pytest.approx(0.675)  # QT_SCALE_FACTOR=2 on 1080p


def test_instructions_are_short_and_imperative():
    texts = {t for _, _, t in MESSAGE_INSTRUCTIONS} | set(FRAMING_INSTRUCTIONS.values())
    assert all(len(t) <= INSTRUCTION_MAX_CHARS for t in texts), sorted(texts, key=len)[-3:]
    a = long_analysis(framing_fields={"problems": ["eye-line-low"]})
    assert instruction(a) == "Tilt the camera down"
    for message, said in (("No face in the frame", "Step into the frame"),
                          ("Face too small or blurred to analyse", "Check focus and distance")):
        nobody = Analysis("test", 1, 0.0, (1024, 680), "none", 0, (CheckResult("face", "fail", message),),
                          False, "commercial-headshot", None, required=REQUIRED)
        assert instruction(nobody) == said


def test_guides_are_the_presets_choice():
    headshot = guides_for_preset("commercial-headshot")
    assert headshot.crop == "4:5" and headshot.eye_band is not None
    assert not headshot.thirds and headshot.headroom is None  # not every guide at once
    portrait = guides_for_preset("portrait")
    assert portrait.thirds and portrait.crop is None and portrait.eye_band is None
    assert guides_for_preset("id-photo").headroom is not None


_SCALED = r"""
import os, sys, time
from PyQt5.QtCore import QRectF
from PyQt5.QtGui import QColor
from PyQt5.QtWidgets import QApplication
app = QApplication([])
from drivers.base import LatestFrameSlot
from studio.ui.window import MainWindow
w = MainWindow(LatestFrameSlot())
w.resize(960, 540)  # logical pixels: a 1920x1080 screen at QT_SCALE_FACTOR=2
w.show()
end = time.monotonic() + 3
while time.monotonic() < end:
    app.processEvents()
    time.sleep(0.01)
h = w.headline
image = h.grab().toImage()
ratio = image.devicePixelRatio()
rect = h.state_rect()
rows = [y for y in range(int(rect.top() * ratio), int(rect.bottom() * ratio))
        if any(QColor(image.pixel(x, y)).lightness() > 215
               for x in range(int(rect.left() * ratio), int(rect.right() * ratio), 2))]
print(ratio, rows[-1] - rows[0] + 1)
w.feed.stop()
"""


def test_qt_scale_factor_keeps_the_text_size_on_the_screen(tmp_path):
    """QT_SCALE_FACTOR=2 on a 1080p screen: a 960x540 logical window, the same ≥ 48 device px."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2", PYTHONPATH=str(root))
    proc = subprocess.run([sys.executable, "-c", _SCALED], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    ratio, glyph = proc.stdout.split()[-2:]
    assert float(ratio) == 2.0
    assert int(glyph) >= MIN_GLYPH_PX, proc.stdout



def test_a_full_panel_folds_its_badges_without_resizing_them_every_frame(qtbot, window, monkeypatch):
    """A full panel folds passing badges to their name. The same analysis again must not resize
    any badge: resizing each folded badge to full and back every frame made the layout lag the
    painting (a reason drawn under the next badge, seen in a 1080p screenshot)."""
    from studio.ui.panel import Badge

    panel = window.panel
    panel.setFixedHeight(style.px(560))  # too short for every reason: some badges must fold
    analysis = long_analysis(1)
    passing = replace(analysis, checks=tuple(replace(c, status="pass") for c in analysis.checks), ready=True)
    panel.show_analysis(passing)
    qtbot.wait(50)
    assert any(b.compact for b in panel.badges.values())
    resizes: list[str] = []
    original = Badge.setFixedHeight

    def counted(self, h):
        resizes.append(self.check_id)
        return original(self, h)

    monkeypatch.setattr(Badge, "setFixedHeight", counted)
    panel.show_analysis(replace(passing, frame=2))
    assert resizes == []
    for badge in panel.badges.values():
        assert badge.height() == badge.height_for(badge.compact), badge.check_id
