"""The contact sheet's team-consistency block on a real session: three people (three real
portraits framed by known transforms) checked by the real shot processor; the table says each
person's delta from the first keeper in the check's words, and the aligned row puts every
keeper's eyes on the same two points (measured again on the tiles by the face mesh)."""

from __future__ import annotations

import base64
import re
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest

from scripts.measure_consistency import PORTRAITS, View, frame, matrix
from studio.consistency import reference_from_file
from studio.report.consistency import EYE_LINE, IED_SHARE, TILE_H, TILE_W
from studio.report.sheet import render_sheet
from studio.session import Session, SessionOptions, ShotProcessor
from studio.session.person import Person
from studio.vision import Analyzer
from studio.vision.reference import save

PEOPLE = (("Ada Reference", "deepface__img24.jpg", View()),
          ("Ben Smaller", "frec__obama.jpg", View(scale=0.85)),
          ("Cy Right", "openface__lennon-1.jpg", View(dx=0.06)))


def framed(name: str, view: View) -> bytes:
    """The portrait framed 4:5 with the head at the view's size and place (known transform)."""
    photo = cv2.imread(str(PORTRAITS / name))
    m = reference_from_file(PORTRAITS / name)
    h, w = photo.shape[:2]
    eye = np.array([m.head_x * w, m.eye_y * h])
    shown = frame(photo, matrix(eye, m.head * h, view), 0.0)
    ok, buf = cv2.imencode(".jpg", shown, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok
    return buf.tobytes()


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> Session:
    if not all((PORTRAITS / p[1]).exists() for p in PEOPLE):
        pytest.skip(f"portrait fixtures absent ({PORTRAITS})")
    s = Session.open(tmp_path_factory.mktemp("sessions"), "Team ACME", preset="commercial-headshot",
                     day=date(2026, 12, 1), options=SessionOptions(min_free_mb=1))
    processor = ShotProcessor(s)  # the real still analyser
    for i, (person, photo, view) in enumerate(PEOPLE):
        s.set_person(Person(person))
        path = s.store(f"DSC_{i:04d}.JPG", framed(photo, view))
        processor.process([path], trigger="key")
    return s


def rows(page: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r'<tr data-person="([^"]+)">(.*?)</tr>', page)}


def test_table_says_each_persons_delta_from_the_first_keeper(session):
    page = render_sheet(session.folder, session.state)
    assert 'data-consistency="3"' in page and "against ada-reference-0001" in page
    table = rows(page)
    assert list(table) == [p[0] for p in PEOPLE]
    assert "matches" in table["Ada Reference"]
    assert re.search(r"head 1[3-7] % smaller — step in", table["Ben Smaller"]), table["Ben Smaller"]
    assert re.search(r"head [5-7] % right of the reference — pan right", table["Cy Right"]), table["Cy Right"]
    assert "smaller" not in table["Cy Right"] and "larger" not in table["Cy Right"]


def test_a_saved_session_reference_is_the_one_compared_with(session, tmp_path):
    smaller = PORTRAITS / "frec__obama.jpg"
    (tmp_path / "ref.jpg").write_bytes(framed(smaller.name, View(scale=0.85)))
    save(session.folder, reference_from_file(tmp_path / "ref.jpg"))
    try:
        page = render_sheet(session.folder, session.state)
    finally:
        save(session.folder, None)
    table = rows(page)
    assert "against ref.jpg" in page
    assert re.search(r"head 1[5-9] % larger — step back", table["Ada Reference"]), table["Ada Reference"]


def test_keepers_are_aligned_on_the_eyes(session):
    page = render_sheet(session.folder, session.state)
    tiles = re.findall(r'<div class="keeper" data-aligned="[^"]+"><div class="tile"><img alt="[^"]+" '
                       r'src="data:image/jpeg;base64,([^"]+)"', page)
    assert len(tiles) == 3
    want_mid = (TILE_W / 2, EYE_LINE * TILE_H)
    with Analyzer("commercial-headshot", mode="still") as a:
        for data in tiles:
            tile = cv2.imdecode(np.frombuffer(base64.b64decode(data), np.uint8), cv2.IMREAD_COLOR)
            assert tile.shape[:2] == (TILE_H, TILE_W)
            face = a.analyse_image(cv2.resize(tile, (TILE_W * 3, TILE_H * 3)), source="tile").subject
            assert face is not None
            eyes = [((b[0] + b[2] / 2) * TILE_W, (b[1] + b[3] / 2) * TILE_H)
                    for b in (face.left_eye, face.right_eye)]
            mid = np.mean(eyes, axis=0)
            ied = float(np.hypot(eyes[0][0] - eyes[1][0], eyes[0][1] - eyes[1][1]))
            assert abs(mid[0] - want_mid[0]) < 4 and abs(mid[1] - want_mid[1]) < 4, mid
            assert ied == pytest.approx(IED_SHARE * TILE_W, rel=0.12)


def test_no_block_without_two_measured_keepers(tmp_path, session):
    s = Session.open(tmp_path, "empty", day=date(2026, 12, 1), options=SessionOptions(min_free_mb=1))
    assert "Team consistency" not in render_sheet(s.folder, s.state)
    assert Path(s.folder).is_dir()
    page = render_sheet(session.folder, session.state)  # the block keeps the page's own counts
    assert page.count("<section") == page.count("<h2>") == len(PEOPLE)
    assert page.count("<figure") == len(PEOPLE)


def test_table_compares_keepers_of_another_shape_as_the_check_does():
    """The report's words are the live check's: a 16:9 keeper against a 3:2 reference is its
    centre (no false 'head 19 % larger'), a landscape keeper against a portrait one is not compared."""
    from types import SimpleNamespace

    from studio.report.consistency import table_html
    from studio.vision.presets import load_preset
    from studio.vision.reference import Reference

    ref = Reference(eye_y=0.40, head=0.50, head_x=0.5, roll=0.0, yaw=0.0, face=None, background=None,
                    aspect=1.5)
    f = 1.5 / (16 / 9)  # the share of the 3:2 height a centre 16:9 crop keeps
    wide = Reference(eye_y=(0.40 - (1 - f) / 2) / f, head=0.50 / f, head_x=0.5, roll=0.0, yaw=0.0,
                     face=None, background=None, aspect=16 / 9)
    upright = Reference(eye_y=0.40, head=0.50, head_x=0.5, roll=0.0, yaw=0.0, face=None, background=None,
                        aspect=2 / 3)
    rows = [("Ada", SimpleNamespace(base="ada-0001"), wide), ("Bo", SimpleNamespace(base="bo-0002"), upright)]
    page = table_html(ref, rows, load_preset("commercial-headshot").thresholds)
    cells = re.findall(r'<td class="words (\w+)">([^<]*)</td>', page)
    assert cells[0] == ("ok", "matches")
    assert cells[1] == ("off", "Reference is landscape, this frame portrait: not compared")


def test_table_never_shows_minus_zero():
    """A tilt of -0.3° is "+0°" and a face 0.04 stop under is "+0.0 st", not "-0°" / "-0.0 st"."""
    from types import SimpleNamespace

    from studio.report.consistency import table_html
    from studio.vision.presets import load_preset
    from studio.vision.reference import Reference

    ref = Reference(eye_y=0.40, head=0.50, head_x=0.5, roll=0.0, yaw=0.0, face=-1.0, background=-2.0,
                    aspect=1.5)
    near = Reference(eye_y=0.40, head=0.50, head_x=0.5, roll=-0.3, yaw=-0.4, face=-0.04, background=-2.0,
                     aspect=1.5)
    page = table_html(ref, [("Ada", SimpleNamespace(base="ada-0001"), near)],
                      load_preset("commercial-headshot").thresholds)
    assert "-0°" not in page and "-0.0 st" not in page
    assert "<td>+0°</td><td>+0°</td><td>+0.0 st</td>" in page
