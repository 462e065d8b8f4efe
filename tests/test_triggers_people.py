"""The app and the people desk: pedal keys move between people, every capture event reaches the
desk (N shots per person), and a person change re-arms auto's ``person`` rule.

Real parts: StudioApp on the replay driver, a real session and PeopleDesk from a roster file,
the app's own controller and triggers. The analyser only stands in so that READY can be
switched on and off from the test (the READY machine reads ``Analysis.ready``).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import pytest

from drivers.replay import ReplayCamera
from studio.analysis import Analysis, CheckResult, Status
from studio.app import StudioApp
from studio.events import CaptureDone, PersonChanged
from studio.session import Session, SessionOptions
from studio.triggers.auto import RearmRule
from studio.triggers.setup import TriggerOptions

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
PORTRAIT = FIXTURES / "portraits" / "frec__obama.jpg"
QT_RIGHT, QT_LEFT, QT_SPACE = 0x01000014, 0x01000012, 0x20


class Switchable:
    def __init__(self, ready: threading.Event) -> None:
        self.ready = ready

    def analyse_frame(self, frame, source):
        ok = self.ready.is_set()
        return Analysis(source=source, frame=frame.seq, timestamp=frame.timestamp, size=frame.size,
                        shot="headshot", faces=1,
                        checks=(CheckResult("eyes_open", Status.PASS if ok else Status.FAIL, ""),),
                        ready=ok, required=("eyes_open",))

    def set_preset(self, name: str) -> None:
        pass


def wait_for(what, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not what():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def day(tmp_path):
    if not PORTRAIT.exists():
        pytest.skip(f"fixture {PORTRAIT} absent")
    from studio.people.desk import PeopleDesk
    from studio.people.roster import load_roster

    live = tmp_path / "live"
    live.mkdir()
    cv2.imwrite(str(live / "0.jpg"), cv2.resize(cv2.imread(str(PORTRAIT)), (640, 480)))
    roster = tmp_path / "roster.csv"
    roster.write_text("name,id\nAnn Lee,E1\nBob Ray,E2\nCy Doe,E3\n")
    session = Session.open(tmp_path / "s", "team day", options=SessionOptions(min_free_mb=1))
    return live, session, PeopleDesk(load_roster(roster), session, shots_per_person=2)


def test_pedal_keys_and_shots_per_person_through_the_app(day):
    live, session, desk = day
    desk.next("start")
    ready = threading.Event()
    camera = ReplayCamera(live, fps=15, loop=True, sink=session)
    options = TriggerOptions(keys={"Space": "capture", "Right": "next-person", "Left": "previous-person"})
    app = StudioApp(camera, session=session, trigger_options=options, people=desk, read_codes=False,
                    analyser_factory=lambda preset: Switchable(ready))
    changes: list[PersonChanged] = []
    desk.add_listener(changes.append)
    done: list[CaptureDone] = []
    app.capture.add_listener(lambda e: done.append(e) if isinstance(e, CaptureDone) else None)
    app.start()
    try:
        assert app.press_key(QT_RIGHT) and desk.current.name == "Bob Ray"
        assert app.press_key(QT_LEFT) and desk.current.name == "Ann Lee"
        for n in range(1, 4):  # two shots of Ann (then the desk moves on by itself), one of Bob
            assert app.press_key(QT_SPACE)
            wait_for(lambda n=n: len(done) == n)
            assert app.capture.wait_idle(10)
            if n == 2:
                wait_for(lambda: desk.current.name == "Bob Ray")
    finally:
        app.stop()
    assert [c.source for c in changes][:2] == ["next", "previous"]
    assert changes[-1].person_name == "Bob Ray"
    names = [d.paths[0].name for d in done]
    assert names[0].startswith("ann-lee") and names[1].startswith("ann-lee"), names
    assert names[2].startswith("bob-ray"), names


def test_auto_fires_once_per_person_and_rearms_on_the_next(day):
    live, session, desk = day
    desk.shots_per_person = 0
    desk.next("start")
    ready = threading.Event()
    camera = ReplayCamera(live, fps=15, loop=True, sink=session)
    options = TriggerOptions(auto=True, rearm=RearmRule("person"), keys={"Right": "next-person"})
    app = StudioApp(camera, session=session, trigger_options=options, people=desk, read_codes=False,
                    analyser_factory=lambda preset: Switchable(ready), hold_s=0.1)
    app.capture.rules.cooldown_s = app.capture.rules.min_interval_s = 0.2
    done: list[CaptureDone] = []
    app.capture.add_listener(lambda e: done.append(e) if isinstance(e, CaptureDone) else None)
    app.start()
    try:
        ready.set()
        wait_for(lambda: len(done) == 1)
        ready.clear()
        time.sleep(0.5)
        ready.set()  # READY again for the same person: the rule says no
        time.sleep(1.0)
        assert len(done) == 1 and app.trigger_status.reason == "fired: waiting for the next person"
        assert app.press_key(QT_RIGHT)  # next person; READY still stands from before
        assert not app.trigger_status.armed
        ready.clear()
        time.sleep(0.4)
        ready.set()  # the next person is READY: one shot
        wait_for(lambda: len(done) == 2)
    finally:
        app.stop()
    assert [d.paths[0].name.split("-")[0] for d in done] == ["ann", "bob"]
