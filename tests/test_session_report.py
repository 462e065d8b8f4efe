"""``studio report``: a contact sheet of a real session, rendered by headless Chromium.

Chromium is a Debian package (``apt-get install chromium``); without it the rendering test
skips with that reason. The screenshots in docs/ come from tests/test_report_people.py
(``STUDIO_SAVE_SCREENSHOTS=1``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest

from studio.session import Session, SessionOptions, ShotProcessor

ROOT = Path(__file__).resolve().parents[1]
PORTRAITS = ROOT.parent / "shared" / "fixtures" / "portraits"
SHOTS = ("deepface__img13.jpg", "frec__obama.jpg", "inspireface__reaction_close_eyes.jpeg",
         "glassesdet__demo_3.jpg", "openface__lennon-1.jpg", "frec__biden.jpg")


@pytest.fixture(scope="module")
def session_folder(tmp_path_factory) -> Path:
    if not all((PORTRAITS / name).exists() for name in SHOTS):
        pytest.skip(f"portrait fixtures absent ({PORTRAITS})")
    root = tmp_path_factory.mktemp("sessions")
    session = Session.open(root, "Headshots ACME", subject="Team", preset="portrait", day=date(2026, 11, 23),
                           options=SessionOptions(min_free_mb=1))
    session.update_settings({"f-number": "f/5.6", "shutterspeed": "1/160", "iso": "200"})
    processor = ShotProcessor(session)  # the real still analyser (studio.vision, mode="still")
    for i, name in enumerate(SHOTS):
        path = session.store(f"DSC_{i:04d}.JPG", (PORTRAITS / name).read_bytes())
        processor.process([path], trigger="auto" if i % 2 else "key")
    session.store("DSC_9999.JPG", (PORTRAITS / SHOTS[0]).read_bytes())  # not checked (yet)
    return session.folder


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "studio.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)))


def test_report_lists_every_shot_with_its_verdict(session_folder, tmp_path):
    out = tmp_path / "sheet.html"
    done = run_cli("report", str(session_folder), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [str(out), str(session_folder / "client.html")]
    page = out.read_text()
    assert page.count("<figure") == len(SHOTS) + 1
    assert page.count('data-status="fail"') >= 1  # the closed eyes
    assert page.count('data-status="unchecked"') == 1 and "not checked yet" in page
    assert page.count("data:image/jpeg;base64,") == len(SHOTS) + 1
    assert "f-number f/5.6" in page and "Headshots ACME" in page
    assert "eyes" in page.lower()
    assert "<script" not in page  # a static page: nothing runs when the client opens it


def test_report_user_mistakes_are_one_line_errors(tmp_path):
    done = run_cli("report", str(tmp_path / "missing"))
    assert done.returncode == 2 and done.stderr.startswith("studio: error:")
    assert "Traceback" not in done.stderr
    done = run_cli("report", str(tmp_path))
    assert done.returncode == 2 and "not a studio session" in done.stderr
    (tmp_path / "session.json").write_text("[1, 2]")  # valid JSON, not a state
    done = run_cli("report", str(tmp_path))
    assert done.returncode == 2 and "session.json is damaged" in done.stderr
    assert "Traceback" not in done.stderr


def test_damaged_sidecars_list_their_photos_as_not_checked(tmp_path):
    session = Session.open(tmp_path, "damaged", day=date(2026, 11, 23))
    jpeg = cv2.imencode(".jpg", np.full((60, 80, 3), 128, np.uint8))[1].tobytes()
    names = [session.store(f"DSC_{i}.JPG", jpeg).name for i in range(3)]
    bases = [n.rsplit(".", 1)[0] for n in names]
    (session.folder / f"{bases[0]}.studio.json").write_text("{not json")
    (session.folder / f"{bases[1]}.studio.json").write_text("[1, 2]")
    (session.folder / f"{bases[2]}.studio.json").write_text('{"files": 5, "verdict": "x"}')
    done = run_cli("report", str(session.folder))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    page = (session.folder / "report.html").read_text()
    assert page.count('data-status="unchecked"') == 3
    assert all(name in page for name in names)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(chromium() is None, reason="chromium absent (Debian: apt-get install chromium)")
def test_report_renders_in_headless_chromium(session_folder, tmp_path):
    page = tmp_path / "report.html"
    assert run_cli("report", str(session_folder), "-o", str(page)).returncode == 0
    png = tmp_path / "report.png"
    done = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                           "--no-first-run", "--disable-background-networking", "--disable-component-update",
                           "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
                           f"--screenshot={png}", "--window-size=1280,900", page.as_uri()],
                          capture_output=True, timeout=120)
    assert png.exists(), done.stderr.decode()[-2000:]
    image = cv2.imread(str(png))
    assert image.shape[:2] == (900, 1280)
    # Rendered, not blank: the dark page, the thumbnails' detail and a red FAIL badge are there.
    assert np.median(image) < 80 and image.std() > 25
    red = (image[..., 2] > 170) & (image[..., 1] < 70) & (image[..., 0] < 70)
    assert red.sum() > 200
