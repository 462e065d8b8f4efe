"""The reference's ghost over live view (offscreen Qt, pixels read back): ``R`` makes the newest
shot the reference (saved in the session folder), its eye line and head outline are drawn in
the ghost colour where the reference says, ``Shift+R`` hides them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PyQt5.QtCore import QPoint, QRectF, Qt  # noqa: E402
from PyQt5.QtGui import QColor  # noqa: E402
from test_ui_support import FRAME_SIZE, known_analysis, known_jpeg  # noqa: E402

from drivers.base import LatestFrameSlot  # noqa: E402
from studio.analysis import CheckResult, Status  # noqa: E402
from studio.consistency import ReferenceHolder  # noqa: E402
from studio.ui.ghost import GHOST_COLOR  # noqa: E402
from studio.ui.overlay import fit_rect  # noqa: E402
from studio.ui.review import Shot  # noqa: E402
from studio.ui.window import MainWindow  # noqa: E402
from studio.vision.reference import Reference, load  # noqa: E402

EYE_Y = 0.30  # above the known analysis's face box (0.35-0.75): nothing else is drawn there
OUTLINE = tuple((0.5 + 0.12 * dx, 0.30 + 0.2 * dy) for dx, dy in
                ((-1, -1), (0, -1.3), (1, -1), (1.1, 0), (0.8, 1), (0, 1.3), (-0.8, 1), (-1.1, 0)))
REFERENCE = Reference(eye_y=EYE_Y, head=0.5, head_x=0.5, roll=0.0, yaw=0.0, face=-2.0, background=-1.0,
                      outline=OUTLINE, eyes=((0.45, EYE_Y), (0.55, EYE_Y)))


@pytest.fixture
def window(qtbot, tmp_path):
    slot = LatestFrameSlot()
    w = MainWindow(slot, presets=("commercial-headshot",), preset="commercial-headshot")
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    w.slot = slot
    w.reference_holder = ReferenceHolder(tmp_path)
    yield w
    w.feed.stop()


def show_frame(qtbot, w) -> None:
    w.slot.put_jpeg(known_jpeg())
    qtbot.waitUntil(lambda: w.view.frame is not None and w.view.frame.seq == w.slot.seq, timeout=5000)
    w.bridge.post_analysis(known_analysis(frame=w.slot.seq))
    qtbot.wait(100)


def ghost_pixels(w, y: float, xs: tuple[float, ...]) -> int:
    """How many of the points along the frame row ``y`` are drawn in the ghost colour."""
    w.view.repaint()
    image = w.grab().toImage()
    t = fit_rect(QRectF(w.view.rect()), *FRAME_SIZE)
    hits = 0
    for x in xs:
        for dx in range(-6, 7):  # the line is dashed: some pixel of a 13 px run is on a dash
            at = w.view.mapTo(w, QPoint(round(t.x() + x * t.width()) + dx, round(t.y() + y * t.height())))
            c = QColor(image.pixel(at))
            if abs(c.red() - GHOST_COLOR.red()) < 45 and abs(c.green() - GHOST_COLOR.green()) < 45 \
                    and abs(c.blue() - GHOST_COLOR.blue()) < 45:
                hits += 1
                break
    return hits


def shot_with_reference(tmp_path: Path) -> Shot:
    measured = CheckResult("consistency", Status.UNKNOWN, "No reference", None, (),
                           {"measured": REFERENCE.to_dict(), "reference": None})
    base = known_analysis()
    analysis = type(base)(**{**{f: getattr(base, f) for f in base.__dataclass_fields__},
                             "checks": (*base.checks, measured), "source": str(tmp_path / "shot-0001.jpg")})
    return Shot(tmp_path / "shot-0001.jpg", analysis)


def test_r_makes_the_reference_and_the_ghost_is_drawn_where_it_says(qtbot, window, tmp_path):
    show_frame(qtbot, window)
    row = (0.05, 0.15, 0.25, 0.75, 0.85, 0.95)  # along the eye line, away from the face
    assert ghost_pixels(window, EYE_Y, row) == 0  # no reference yet: nothing in that colour
    qtbot.keyClick(window, Qt.Key_R)  # no shot yet: a message, no reference
    assert window.view.ghost is None and window.reference_holder.current is None
    window.desk.shots.append(Shot(tmp_path / "shot-0000.jpg", known_analysis()))  # no consistency
    qtbot.keyClick(window, Qt.Key_R)
    assert window.view.ghost is None and window.reference_holder.current is None
    assert "without 'consistency'" in window.info.message.text()
    window.desk.shots.append(shot_with_reference(tmp_path))
    qtbot.keyClick(window, Qt.Key_R)
    saved = load(tmp_path)
    assert saved is not None and saved.eye_y == pytest.approx(EYE_Y)
    assert saved.source.endswith("shot-0001.jpg")
    assert window.view.ghost is not None and window.view.ghost.visible
    assert ghost_pixels(window, EYE_Y, row) == len(row)
    assert ghost_pixels(window, EYE_Y + 0.1, row) == 0  # only on the eye line
    # the outline's top and bottom points, and a side
    assert ghost_pixels(window, 0.30 - 0.26, (0.5,)) == 1 and ghost_pixels(window, 0.30 + 0.26, (0.5,)) == 1
    qtbot.keyClick(window, Qt.Key_R, Qt.ShiftModifier)
    assert not window.view.ghost.visible and ghost_pixels(window, EYE_Y, row) == 0
    qtbot.keyClick(window, Qt.Key_R, Qt.ShiftModifier)
    assert ghost_pixels(window, EYE_Y, row) == len(row)


def with_consistency(result: CheckResult, required: bool = False):
    base = known_analysis()
    fields = {f: getattr(base, f) for f in base.__dataclass_fields__}
    fields["checks"] = (*base.checks, result)
    if required:
        fields["required"] = (*base.required, "consistency")
    return type(base)(**fields)


def test_no_consistency_badge_until_a_reference_exists(qtbot, window):
    """Without a reference the advisory consistency check has nothing to say: its badge ("?
    Consistency N/A No reference…") is not in the column; it shows once a reference is set, and
    whenever READY waits on it (a preset requiring it: the photographer must see why)."""
    unset = CheckResult("consistency", Status.UNKNOWN, "No reference: R on a shot, or --reference FILE",
                        None, (), {"measured": REFERENCE.to_dict(), "reference": None})
    no_face = CheckResult("consistency", Status.UNKNOWN, "No face", None, (),
                          {"measured": None, "reference": None})
    for result in (unset, no_face):
        window.panel.show_analysis(with_consistency(result))
        assert "consistency" not in window.panel.badges and "catchlights" in window.panel.badges
    window.panel.show_analysis(with_consistency(unset, required=True))
    assert "consistency" in window.panel.badges
    matched = CheckResult("consistency", Status.WARN, "head 8 % smaller — step in", 2.0, (),
                          {"measured": REFERENCE.to_dict(), "reference": "ref.jpg"})
    window.panel.show_analysis(with_consistency(matched))
    assert window.panel.badges["consistency"].reason == "head 8 % smaller — step in"


def ghost_coloured(w) -> int:
    """Pixels of the live view in the ghost colour (the whole picture)."""
    import numpy as np

    w.view.repaint()
    image = w.view.grab().toImage().convertToFormat(4)
    ptr = image.constBits()
    ptr.setsize(image.byteCount())
    px = np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)[:, :image.width()]
    rgb = px[..., 2::-1].astype(int)
    target = np.array([GHOST_COLOR.red(), GHOST_COLOR.green(), GHOST_COLOR.blue()])
    return int((np.abs(rgb - target) < 30).all(axis=2).sum())


def test_a_portrait_reference_draws_no_ghost_over_a_landscape_frame(qtbot, window):
    from dataclasses import replace

    from studio.ui.ghost import show_reference

    show_frame(qtbot, window)  # the known frame is landscape
    show_reference(window, replace(REFERENCE, aspect=1.5))
    assert ghost_coloured(window) > 50  # the same shape: drawn
    show_reference(window, replace(REFERENCE, aspect=2 / 3))  # upright still, landscape live view
    assert ghost_coloured(window) == 0  # its eye line would land nowhere meaningful


def test_r_on_a_shot_of_two_people_says_so(qtbot, window, tmp_path):
    from dataclasses import replace

    shot = shot_with_reference(tmp_path)
    shot.analysis = replace(shot.analysis, faces=2)
    window.desk.shots.append(shot)
    qtbot.keyClick(window, Qt.Key_R)
    assert window.reference_holder.current is None and window.view.ghost is None
    assert window.info.message.text() == "shot-0001.jpg shows 2 faces: a reference shows one person"
