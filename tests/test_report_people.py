"""``studio report`` on a 3-person roster day checked by the real still analyser: the contact
sheet groups by person with the problems; the client page shows keepers only, with no verdict
or problem words. Both rendered by headless Chromium and looked at as pixels.

Set STUDIO_SAVE_SCREENSHOTS=1 to also write the screenshots to docs/screenshots/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest

from studio.people import PeopleDesk, Person, Roster
from studio.session import Session, SessionOptions, ShotProcessor
from studio.session.naming import ROSTER_TEMPLATE
from studio.session.xmp import PROBLEM_KEYWORDS

ROOT = Path(__file__).resolve().parents[1]
PORTRAITS = ROOT.parent / "shared" / "fixtures" / "portraits"
PEOPLE = {  # person -> three real photos (one with closed eyes)
    "Jane Doe": ("frec__obama.jpg", "frec__tests_obama3.jpg", "inspireface__reaction_close_eyes.jpeg"),
    "Bo Li": ("deepface__img13.jpg", "deepface__img24.jpg", "deepface__img32.jpg"),
    "Zoë Müller": ("lfw__Anna_Jones_0001.jpg", "openface__lennon-1.jpg", "glassesdet__demo_3.jpg"),
}


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture(scope="module")
def day(tmp_path_factory) -> Path:
    names = [n for photos in PEOPLE.values() for n in photos]
    if not all((PORTRAITS / n).exists() for n in names):
        pytest.skip(f"portrait fixtures absent ({PORTRAITS})")
    session = Session.open(tmp_path_factory.mktemp("sessions"), "ACME team day", preset="commercial-headshot",
                           day=date(2026, 12, 1),
                           options=SessionOptions(template=ROSTER_TEMPLATE, counter="person", min_free_mb=1))
    desk = PeopleDesk(Roster(tuple(Person(n) for n in PEOPLE)), session)
    processor = ShotProcessor(session)  # the real still analyser (studio.vision, mode="still")
    for photos in PEOPLE.values():
        desk.next()
        for i, name in enumerate(photos):
            path = session.store(f"DSC_{i:04d}.JPG", (PORTRAITS / name).read_bytes())
            processor.process([path], trigger="key")
    session.review("bo-li-0002.jpg", rating=5, label="Green")
    session.review("bo-li-0003.jpg", rejected=True)
    session.review("jane-doe-0001.jpg", rating=4)
    return session.folder


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "studio.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=180, env=dict(os.environ, PYTHONPATH=str(ROOT)))


@pytest.fixture(scope="module")
def pages(day) -> tuple[Path, Path]:
    done = run_cli("report", str(day))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [str(day / "report.html"), str(day / "client.html")]
    return day / "report.html", day / "client.html"


def test_the_contact_sheet_groups_by_person_with_the_problems(pages):
    page = pages[0].read_text()
    assert re.findall(r'<section data-person="([^"]+)">', page) == list(PEOPLE)
    assert [h for h in re.findall(r"<h2>([^<]+)<", page)] == list(PEOPLE)
    sections = page.split("<section")[1:]
    assert [s.count("<figure") for s in sections] == [3, 3, 3]
    assert 'data-status="fail"' in sections[0] and "FAIL" in sections[0]  # the closed eyes
    assert "eyes" in sections[0].lower()
    assert "REJECTED" in sections[1] and "★★★★★" in sections[1]
    assert "jane-doe-0001.jpg" in sections[0] and "zoe-muller-0003.jpg" in sections[2]


def test_the_client_page_shows_keepers_without_verdicts(pages):
    sheet, client = pages[0].read_text(), pages[1].read_text()
    assert re.findall(r"<h2>([^<]+)</h2>", client) == list(PEOPLE)
    shown = re.findall(r"<figcaption>([^<]+)</figcaption>", client)
    assert "bo-li-0003" not in shown  # rejected
    assert "bo-li-0002" in shown and "jane-doe-0001" in shown  # rated ≥ 4
    assert {s.split("-0")[0] for s in shown} == {"jane-doe", "bo-li", "zoe-muller"}  # everyone's best
    assert len(shown) == 3  # Jane's 4 stars (her best too), Bo's 5 stars, Zoë's best (none rated ≥ 4)
    text = re.sub(r"<[^>]+>|data:image/jpeg;base64,[A-Za-z0-9+/=]+", " ", client).lower()
    for word in ("fail", "warn", "pass", "rejected", "problem", "unsure", "not checked",
                 *PROBLEM_KEYWORDS.values(), "closed", "glare", "soft"):
        assert word not in text, word
    assert "FAIL" in sheet  # the photographer's page does say it
    assert "<script" not in client and "<script" not in sheet


def screenshot(page: Path, png: Path, size: str, profile: Path) -> np.ndarray:
    done = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                           "--no-first-run", "--disable-background-networking",
                           "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                           f"--screenshot={png}", f"--window-size={size}", page.as_uri()],
                          capture_output=True, timeout=120)
    assert png.exists(), done.stderr.decode()[-2000:]
    return cv2.imread(str(png))


@pytest.mark.skipif(chromium() is None, reason="chromium absent (Debian: apt-get install chromium)")
def test_both_pages_render_in_headless_chromium(pages, tmp_path):
    sheet = screenshot(pages[0], tmp_path / "sheet.png", "1400,1000", tmp_path / "p1")
    client = screenshot(pages[1], tmp_path / "client.png", "1400,1000", tmp_path / "p2")
    assert sheet.shape[:2] == client.shape[:2] == (1000, 1400)
    # The sheet: the dark page, photo detail and a red FAIL badge.
    assert np.median(sheet) < 80 and sheet.std() > 25
    red = (sheet[..., 2] > 170) & (sheet[..., 1] < 70) & (sheet[..., 0] < 70)
    assert red.sum() > 200
    # The client page: a light page with large photographs and no red badge at all.
    assert np.median(client) > 180 and client.std() > 25
    rows = np.where((np.abs(client.astype(int) - client.mean(axis=2, keepdims=True)).max(axis=2) > 25)
                    .any(axis=1))[0]
    assert rows.size > 400  # a photograph several hundred pixels tall (large, not a thumbnail)
    assert np.median(client[:60]) > 200  # the light header, no badge bar
    if os.environ.get("STUDIO_SAVE_SCREENSHOTS"):
        out = ROOT / "docs" / "screenshots"
        shutil.copy(tmp_path / "sheet.png", out / "report-by-person.png")
        shutil.copy(tmp_path / "client.png", out / "report-client.png")
