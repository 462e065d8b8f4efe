"""Hands-free triggers re-arm by a stated rule, say whether they are armed, and switching never
fires; manual shots are not held back by the hands-free intervals.

The camera is the replay driver (a real :class:`drivers.base.Camera` whose capture saves the
live-view frame through a real session); the controller, the READY machine, the triggers and
the people desk are the app's own. READY is driven by analyses in real time (the READY machine
reads ``Analysis.ready``; the analyser itself is tested elsewhere, and test_session_e2e drives
auto with real analysis of real photos).
"""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

import cv2
import pytest

from drivers.base import LatestFrameSlot
from drivers.replay import ReplayCamera
from studio.analysis import Analysis, CheckResult, Status
from studio.capture import CaptureController, CaptureRules
from studio.events import CaptureDone, CaptureStarted, TriggerEvent, TriggerStatus
from studio.ready import ReadyMachine, ReadyState
from studio.session import Session, SessionOptions
from studio.triggers.auto import RearmRule
from studio.triggers.setup import TriggerOptions, Triggers

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
PORTRAIT = FIXTURES / "portraits" / "frec__obama.jpg"


class Events:
    def __init__(self) -> None:
        self.items: list = []
        self.cond = threading.Condition()

    def __call__(self, event) -> None:
        with self.cond:
            self.items.append(event)
            self.cond.notify_all()

    def of(self, kind) -> list:
        with self.cond:
            return [e for e in self.items if isinstance(e, kind)]

    def wait(self, kind, count: int, timeout: float = 10.0) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: len([e for e in self.items if isinstance(e, kind)]) >= count,
                                      timeout)


def analysis(ready: bool, frame: int) -> Analysis:
    status = Status.PASS if ready else Status.FAIL
    checks = (CheckResult("face", Status.PASS, "one face"),
              CheckResult("eyes_open", status, "" if ready else "eyes closed"))
    return Analysis(source="test", frame=frame, timestamp=time.monotonic(), size=(640, 480),
                    shot="headshot", faces=1, checks=checks, ready=ready, preset="test",
                    required=("face", "eyes_open"))


class Subject:
    """Feeds the READY machine 30 analyses a second: READY while ``ready`` is set."""

    def __init__(self, machine: ReadyMachine) -> None:
        self.machine = machine
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        frame = 0
        while not self._stop.wait(1 / 30):
            frame += 1
            self.machine.update(analysis(self.ready.is_set(), frame))

    def hold_ready(self, timeout: float = 5.0) -> None:
        self.ready.set()
        deadline = time.monotonic() + timeout
        while self.machine.state is not ReadyState.READY:
            assert time.monotonic() < deadline, "READY never came"
            time.sleep(0.01)

    def drop(self, timeout: float = 5.0) -> None:
        self.ready.clear()
        deadline = time.monotonic() + timeout
        while self.machine.state is ReadyState.READY:
            assert time.monotonic() < deadline
            time.sleep(0.01)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)


@pytest.fixture
def rig(tmp_path):
    if not PORTRAIT.exists():
        pytest.skip(f"fixture {PORTRAIT} absent")
    live = tmp_path / "live"
    live.mkdir()
    cv2.imwrite(str(live / "0.jpg"), cv2.resize(cv2.imread(str(PORTRAIT)), (640, 480)))
    session = Session.open(tmp_path / "sessions", "rearm", subject="ann", day=date(2026, 11, 23),
                           options=SessionOptions(min_free_mb=1))
    camera = ReplayCamera(live, fps=20, loop=True, sink=session)
    camera.open()
    camera.start_live_view().result(5)
    events = Events()
    # The shipped rules (cooldown 1 s, minimum interval 2 s, no per-sequence cap), shortened
    # where a test would otherwise wait seconds.
    controller = CaptureController(camera, session=session,
                                   rules=CaptureRules(cooldown_s=0.2, min_interval_s=0.4))
    controller.add_listener(events)
    machine = ReadyMachine(hold_s=0.15)
    subject = Subject(machine)
    yield controller, machine, subject, events, session
    subject.stop()
    controller.close()
    camera.close()


def statuses(triggers: Triggers) -> list[TriggerStatus]:
    heard: list[TriggerStatus] = []
    triggers.add_status_listener(heard.append)
    return heard


def test_auto_rearms_when_ready_is_lost_and_regained_with_no_cap_of_three(rig):
    controller, machine, subject, events, _ = rig
    triggers = Triggers(controller, TriggerOptions(auto=True), ready=machine)
    heard = statuses(triggers)
    triggers.start()
    try:
        for n in range(1, 6):  # five READY periods: five shots (the old rules stopped at 3)
            subject.hold_ready()
            assert events.wait(CaptureDone, n), f"shot {n} not taken"
            assert controller.wait_idle(5)
            time.sleep(0.5)  # READY goes on: no second shot in the same period
            assert len(events.of(CaptureStarted)) == n
            status = triggers.status
            assert not status.armed and status.reason == "fired: waiting for READY to drop and return"
            subject.drop()
            deadline = time.monotonic() + 2
            while not triggers.status.armed:
                assert time.monotonic() < deadline, triggers.status
                time.sleep(0.01)
            time.sleep(0.45)  # past the hands-free minimum interval
    finally:
        triggers.stop()
    assert [e.trigger.source for e in events.of(CaptureStarted)] == ["auto"] * 5
    assert all(s.mode == "auto" and s.rule == "re-arms when READY is lost and regained" for s in heard)
    assert [s.armed for s in heard].count(False) >= 5  # each shot said "not armed" and why


def test_a_key_right_after_an_auto_shot_fires(rig):
    controller, machine, subject, events, _ = rig
    controller.rules.cooldown_s, controller.rules.min_interval_s = 1.0, 2.0  # the shipped rules
    triggers = Triggers(controller, TriggerOptions(auto=True), ready=machine)
    triggers.start()
    try:
        subject.hold_ready()
        assert events.wait(CaptureDone, 1)
        assert controller.wait_idle(5)
        auto_done = time.monotonic()
        assert triggers.keys.press("Space")  # a pedal, 0.x s after the auto shot
        assert events.wait(CaptureDone, 2)
        assert time.monotonic() - auto_done < 2.0
    finally:
        triggers.stop()
    assert [e.trigger.source for e in events.of(CaptureStarted)] == ["auto", "key"]


def test_switching_to_auto_while_ready_stands_never_fires(rig):
    controller, machine, subject, events, _ = rig
    triggers = Triggers(controller, TriggerOptions(), ready=machine)
    heard = statuses(triggers)
    triggers.start()
    try:
        assert triggers.mode == "manual" and triggers.status.armed
        subject.hold_ready()
        time.sleep(0.3)
        for mode in ("auto", "gesture", "countdown", "auto"):  # T cycling through the modes
            triggers.set_mode(mode)
        time.sleep(1.0)  # READY keeps coming: still no shot
        assert events.of(CaptureStarted) == []
        assert triggers.mode == "auto"
        assert triggers.status == TriggerStatus("auto", False,
                                                "READY already up: waiting for READY to drop and return",
                                                "", "re-arms when READY is lost and regained")
        subject.drop()
        subject.hold_ready()  # fresh READY: now it fires
        assert events.wait(CaptureDone, 1)
    finally:
        triggers.stop()
    assert heard[-1].mode == "auto"
    assert {s.mode for s in heard} >= {"auto", "countdown"}


def test_auto_every_n_seconds_while_ready_holds(rig):
    controller, machine, subject, events, _ = rig
    triggers = Triggers(controller, TriggerOptions(auto=True, rearm=RearmRule.parse("0.6")), ready=machine)
    triggers.start()
    try:
        subject.hold_ready()
        assert events.wait(CaptureDone, 3, timeout=10)  # READY held all along: again every 0.6 s
        assert triggers.status.rule == "re-arms 0.6 s after a shot"
    finally:
        triggers.stop()
    starts = [e.at for e in events.of(CaptureStarted)]
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert all(0.55 < g < 1.5 for g in gaps), gaps


def test_auto_once_per_person_and_the_pedal_moves_to_the_next(rig, tmp_path):
    from studio.people.desk import PeopleDesk
    from studio.people.roster import load_roster

    controller, machine, subject, events, session = rig
    roster = tmp_path / "roster.txt"
    roster.write_text("Ann Lee\nBob Ray\nCy Doe\n")
    desk = PeopleDesk(load_roster(roster), session)
    desk.next("start")
    triggers = Triggers(controller, TriggerOptions(auto=True, rearm=RearmRule("person"),
                                                   keys={"Right": "next-person", "Left": "previous-person",
                                                         "Space": "capture"}),
                        ready=machine, actions={"next-person": desk.next, "previous-person": desk.previous})
    desk.add_listener(triggers.on_person_changed)
    controller.add_listener(desk.on_capture_event)
    triggers.start()
    try:
        subject.hold_ready()
        assert events.wait(CaptureDone, 1)
        subject.drop()
        time.sleep(0.5)
        subject.hold_ready()  # READY again, same person: no second shot
        time.sleep(0.8)
        assert len(events.of(CaptureStarted)) == 1
        assert triggers.status.reason == "fired: waiting for the next person"
        assert triggers.keys.press("Right")  # the pedal's second switch
        assert desk.current is not None and desk.current.name == "Bob Ray"
        # READY still stands from the previous person: a fresh READY is needed.
        assert not triggers.status.armed and "next person" in triggers.status.reason
        subject.drop()
        subject.hold_ready()
        assert events.wait(CaptureDone, 2)
        assert triggers.keys.press("Left") and desk.current.name == "Ann Lee"
    finally:
        triggers.stop()
        desk.close()
    names = [e.paths[0].name for e in events.of(CaptureDone)]
    assert len(names) == 2 and names[0] != names[1]


def test_interval_progress_and_the_chooser_says_interval(rig):
    controller, machine, _, events, _ = rig
    controller.rules.cooldown_s = controller.rules.min_interval_s = 0.0
    triggers = Triggers(controller, TriggerOptions(interval_s=0.4, interval_shots=3), ready=machine,
                        frames=LatestFrameSlot())
    heard = statuses(triggers)
    assert triggers.mode == "interval" and "interval" in triggers.modes
    triggers.start()
    try:
        assert events.wait(CaptureDone, 3, timeout=10)
        deadline = time.monotonic() + 3
        while triggers.status.progress != "3 of 3" or triggers.status.armed:
            assert time.monotonic() < deadline, triggers.status
            time.sleep(0.02)
    finally:
        triggers.stop()
    progress = [s.progress for s in heard if s.mode == "interval"]
    assert progress[0] == "0 of 3" and {"1 of 3", "2 of 3", "3 of 3"} <= set(progress)
    assert triggers.status.text == "interval 3 of 3 · not armed: sequence done"
    # Starting the interval did not fire at once: the first shot came one interval later.
    first = events.of(CaptureStarted)[0]
    assert first.trigger.source == "interval"


def test_capturing_stopped_is_the_status(rig):
    controller, machine, _, events, session = rig
    triggers = Triggers(controller, TriggerOptions(auto=True), ready=machine)
    triggers.start()
    try:
        session.options.min_free_mb = session.free_bytes() // 2**20 + 100
        decision = controller.submit(TriggerEvent("key", time.monotonic()))
        assert not decision.accepted and decision.reason.startswith("capturing stopped")
        assert not triggers.status.armed and triggers.status.reason.startswith("capturing stopped: only")
        session.options.min_free_mb = 1
        assert controller.submit(TriggerEvent("key", time.monotonic())).accepted  # the key resumes
        assert events.wait(CaptureStarted, 1)
        assert triggers.status.armed
    finally:
        triggers.stop()
