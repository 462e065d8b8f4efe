"""A whole shoot day, end to end: `studio run` in its real window on a 1920x1080 Xvfb, driven by
real X key events (xdotool's XTEST, into the focused window of the app's own process).

Ten people from a roster, three shots each: live view from a recording (the bundled sample,
with a QR card held up for a few seconds near its start), captures from libgphoto2's virtual
camera. The QR card sets the sixth person; Shift+N walks back to the first, N forward; one shot
is rated with the 4 key. Half-way the app is quit (Ctrl+Q) and started again with the same
session: it resumes at the same person (libgphoto2's virtual camera also refuses a 27th capture
on one connection, so one run could not take all 30). At the end: 30 JPEGs named by person,
and exiftool reads the person (Iptc4xmpExt:PersonInImage) and the rating from the JPEGs.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "studio" / "data" / "sample.slv"
PEOPLE = [("Ana Silva", "E001"), ("Bo Li", "E002"), ("Chidi Okafor", "E003"), ("Dana Cohen", "E004"),
          ("Emil Berg", "E005"), ("Farah Haddad", "E006"), ("Gus Moreau", "E007"),
          ("Hana Sato", "E008"), ("Ivan Petrov", "E009"), ("Jo Keller", "E010")]
QR_PERSON = 5  # Farah Haddad's badge id is on the card
SHOTS_EACH = 3
FPS = 5.0
QR_FROM, QR_TO, LENGTH_S = 5.0, 40.0, 200.0  # the card is held up long: start-up time varies


def _missing() -> str:
    for tool in ("Xvfb", "xdotool", "exiftool"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (scripts/dev.sh test installs it)"
    if not SAMPLE.exists():
        return "the sample recording is not built"
    try:
        import gphoto2  # noqa: F401
    except ImportError:
        return "python-gphoto2 (the virtual camera) is not installed"
    return ""


def make_recording(path: Path, with_card: bool = True) -> bytes:
    """The sample's frames, once through at FPS for LENGTH_S, a QR card held up from QR_FROM to
    QR_TO s (``with_card``); returns a still for the virtual camera."""
    import cv2
    import numpy as np
    from test_qr_codes import hold_up, qr_card

    from drivers.recording import RecordingReader, RecordingWriter, recording_metadata

    with RecordingReader(SAMPLE) as reader:
        frames = [bytes(reader.payload(e) or b"") for e in reader.frame_entries]
        stills = [bytes(reader.payload(e) or b"") for e in reader.still_entries]
    first = cv2.imdecode(np.frombuffer(frames[0], np.uint8), cv2.IMREAD_COLOR)
    card = qr_card(PEOPLE[QR_PERSON][1], 6)
    meta = recording_metadata(camera="sample", frame_size=(first.shape[1], first.shape[0]), fps=FPS,
                              source="test_shoot_day", app_version="test")
    with RecordingWriter(path, meta) as writer:
        for i in range(int(LENGTH_S * FPS)):
            t = i / FPS
            jpeg = frames[i % len(frames)]
            if with_card and QR_FROM <= t < QR_TO:
                image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
                ok, buf = cv2.imencode(".jpg", hold_up(image, card, (0.9, 0.45), tilt_deg=4),
                                       [cv2.IMWRITE_JPEG_QUALITY, 85])
                jpeg = buf.tobytes()
            writer.write_frame(jpeg, t)
    return stills[0] if stills else frames[0]


GRAB = r"""
import sys
from PyQt5.QtWidgets import QApplication
app = QApplication([])
app.primaryScreen().grabWindow(0).save(sys.argv[1])
"""


def grab_screen(env: dict[str, str], path: Path) -> tuple[int, int, int]:
    """The whole X screen as a PNG (a Qt client of the same Xvfb); the colour of the headline's
    state block (bottom left of a 1920x1080 window at 0,0)."""
    from PyQt5.QtGui import QColor, QImage

    env = {k: v for k, v in env.items() if not k.startswith("QT_QPA_")}  # cv2 points Qt at its own
    subprocess.run([sys.executable, "-c", GRAB, str(path)], env=dict(env, QT_QPA_PLATFORM="xcb"),
                   timeout=60, check=True, capture_output=True)
    image = QImage(str(path))
    assert image.width() == 1920 and image.height() == 1080
    c = QColor(image.pixel(12, 1080 - 110))
    return (c.red(), c.green(), c.blue())


def free_display() -> int:
    for n in range(150, 200):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    raise RuntimeError("no free X display number")


class Day:
    """The running app, its window and its session folder, seen from outside."""

    def __init__(self, tmp: Path, display: str, env: dict[str, str]) -> None:
        self.tmp, self.display, self.env = tmp, display, env
        self.root = tmp / "sessions"
        self.window = ""
        self.proc: subprocess.Popen | None = None

    def xdo(self, *args: str) -> str:
        out = subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=60)
        return out.stdout.strip()

    def key(self, name: str) -> None:
        self.xdo("windowfocus", "--sync", self.window)
        self.xdo("key", "--delay", "60", name)  # XTEST: a real key press and release

    @property
    def folder(self) -> Path:
        found = [p for p in self.root.glob("*team-day*") if p.is_dir()]
        assert found, f"no session folder in {self.root}"
        return found[0]

    def state(self) -> dict:
        try:
            return json.loads((self.folder / "session.json").read_text())
        except (OSError, ValueError, AssertionError):
            return {}

    def person(self) -> int:
        return int(self.state().get("person_index", -1))

    def photos(self) -> list[Path]:
        return sorted(p for p in self.folder.glob("*.jpg") if "-bw" not in p.name)

    def checked(self) -> int:
        return sum(1 for p in self.photos() if p.with_name(p.stem + ".studio.json").exists())

    def wait(self, what, timeout: float, why: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if what():
                return
            assert self.proc is None or self.proc.poll() is None, f"studio exited: {self.log()}"
            time.sleep(0.1)
        raise AssertionError(f"timed out: {why}\n{self.log()}")

    def log(self) -> str:
        path = self.tmp / "studio.err"
        return path.read_text(errors="replace")[-6000:] if path.exists() else ""

    def shoot(self) -> Path:
        before = len(self.photos())
        self.key("space")
        self.wait(lambda: len(self.photos()) == before + 1 and self.checked() == before + 1, 60,
                  f"shot {before + 1} saved and checked")
        return self.photos()[-1]

    def start(self, recording: Path, *extra: str) -> None:
        err = (self.tmp / "studio.err").open("a")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "studio.cli", "-v", "run", "--source", f"{recording}+camera",
             "--session", "team-day", "--session-root", str(self.root), "--mute", "--review-s", "1.5",
             *extra], env=self.env, cwd=self.tmp, stdout=err, stderr=subprocess.STDOUT)
        err.close()
        self.wait(lambda: bool(self.xdo("search", "--onlyvisible", "--name", "^studio$")), 90, "the window")
        self.window = self.xdo("search", "--onlyvisible", "--name", "^studio$").split()[0]
        self.xdo("windowmove", self.window, "0", "0")
        self.xdo("windowsize", "--sync", self.window, "1920", "1080")

    def quit(self) -> None:
        self.key("ctrl+q")
        assert self.proc is not None and self.proc.wait(timeout=90) == 0, self.log()

    def go(self, key: str, index: int) -> None:
        self.key(key)
        self.wait(lambda: self.person() == index, 20, f"{key} -> person {index}")


@pytest.mark.display
@pytest.mark.skipif(bool(_missing()), reason=_missing() or "ok")
def test_a_ten_person_day_driven_by_real_keys(tmp_path):
    sys.path.insert(0, str(ROOT / "tests"))
    recording = tmp_path / "live.slv"
    still = make_recording(recording)
    plain = tmp_path / "live-2.slv"
    make_recording(plain, with_card=False)
    camera_dir = tmp_path / "vcamera"
    camera_dir.mkdir()
    (camera_dir / "portrait.jpg").write_bytes(still)
    roster = tmp_path / "team.csv"
    with roster.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "id"])
        w.writerows(PEOPLE)
    n = free_display()
    xvfb = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1920x1080x24", "-nolisten", "tcp", "-noreset"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = dict(os.environ, DISPLAY=f":{n}", VCAMERADIR=str(camera_dir), PYTHONPATH=str(ROOT),
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.pop("QT_QPA_PLATFORM", None)
    day = Day(tmp_path, f":{n}", env)
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{n}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        day.start(recording, "--roster", str(roster))
        # The card held up in the live view sets the sixth person (nobody pressed a key).
        day.wait(lambda: day.person() == QR_PERSON, 90, "the QR card sets the person")
        assert day.state().get("person_name") == PEOPLE[QR_PERSON][0]
        for _ in range(SHOTS_EACH):
            rated = day.shoot()
        time.sleep(1.0)  # the key rates the shot on screen: let the window show the newest
        day.key("4")
        for index in range(QR_PERSON - 1, -1, -1):  # Shift+N back to the first
            day.go("shift+n", index)
        half = 4
        for index in range(half):
            if index:
                day.go("n", index)
            for _ in range(SHOTS_EACH):
                day.shoot()
        day.quit()
        # Started again with only the session: the same person, the day goes on.
        day.start(plain)
        day.wait(lambda: day.person() == half - 1, 30, "the restart resumes at the same person")
        for index in range(half, len(PEOPLE)):
            day.go("n", index)
            if index != QR_PERSON:
                for _ in range(SHOTS_EACH):
                    day.shoot()
        # The real window on the real screen: the headline's state block in a state colour.
        from studio.ready import ReadyState
        from studio.ui import style

        block = grab_screen(env, tmp_path / "day-1080p.png")  # looked at: see docs/overlay.md
        colours = [(c.red(), c.green(), c.blue()) for c in style.STATE_COLORS.values()]
        assert any(all(abs(a - b) < 12 for a, b in zip(block, c, strict=True)) for c in colours), block
        assert ReadyState.READY in style.STATE_COLORS
        day.quit()
        assert "Traceback" not in day.log(), day.log()
        photos = day.photos()
        assert len(photos) == len(PEOPLE) * SHOTS_EACH, [p.name for p in photos]
        tags = json.loads(subprocess.run(
            ["exiftool", "-j", "-XMP-iptcExt:PersonInImage", "-XMP-xmp:Rating", *map(str, photos)],
            capture_output=True, text=True, timeout=120).stdout)
        by_person: dict[str, list[str]] = {}
        for tag in tags:
            person = tag.get("PersonInImage")
            person = person[0] if isinstance(person, list) else person
            by_person.setdefault(str(person), []).append(Path(tag["SourceFile"]).name)
        assert sorted(by_person) == sorted(name for name, _ in PEOPLE), by_person
        for name, files in by_person.items():
            assert len(files) == SHOTS_EACH, (name, files)
            first = name.split()[0].lower()  # the {person} token: a file-safe slug of the name
            assert all(f.startswith(first) for f in files), (name, files)  # named per person
        ratings = {Path(t["SourceFile"]).name: t.get("Rating") for t in tags}
        assert ratings[rated.name] == 4, (rated.name, ratings, day.log())
        assert sum(1 for r in ratings.values() if r == 4) == 1
    finally:
        if day.proc is not None and day.proc.poll() is None:
            day.proc.terminate()
            day.proc.wait(timeout=30)
        xvfb.terminate()
        xvfb.wait(timeout=10)
