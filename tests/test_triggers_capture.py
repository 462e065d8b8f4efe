"""The capture controller's rules, the key, interval and auto triggers, with a real driver.

The camera is the replay driver (a real :class:`drivers.base.Camera` with its own thread whose
capture saves the current live-view frame through the session). Rules that depend on time use
an injected clock so the assertions do not race a loaded machine; captures themselves are real.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

import cv2
import pytest

from drivers.replay import ReplayCamera
from studio.capture import CaptureController, CaptureRules
from studio.events import (
    CaptureDone,
    CaptureFailed,
    CaptureStarted,
    CountdownTick,
    TriggerEvent,
    TriggerIgnored,
)
from studio.ready import ReadyState, ReadyTransition
from studio.session import Session, SessionOptions
from studio.triggers.auto import AutoTrigger
from studio.triggers.interval import IntervalTrigger
from studio.triggers.keys import KeyMapError, KeyTrigger

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
PORTRAIT = FIXTURES / "portraits" / "frec__obama.jpg"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


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


@pytest.fixture
def rig(tmp_path):
    if not PORTRAIT.exists():
        pytest.skip(f"fixture {PORTRAIT} absent")
    live = tmp_path / "live"
    live.mkdir()
    image = cv2.resize(cv2.imread(str(PORTRAIT)), (640, 480))
    for i in range(10):
        cv2.imwrite(str(live / f"{i:03d}.jpg"), image)
    session = Session.open(tmp_path / "sessions", "rules", subject="ann", day=date(2026, 11, 23),
                           options=SessionOptions(min_free_mb=1))
    camera = ReplayCamera(live, fps=30, loop=True, sink=session)
    camera.open()
    camera.start_live_view().result(5)
    clock = Clock()
    events = Events()
    controller = CaptureController(camera, session=session, clock=clock,
                                   rules=CaptureRules(cooldown_s=1.0, min_interval_s=2.0, max_auto_shots=2))
    controller.add_listener(events)
    yield controller, clock, events, session
    controller.close()
    camera.close()


def shoot(controller, events, trigger: TriggerEvent) -> bool:
    before = len(events.of(CaptureDone))
    decision = controller.submit(trigger)
    if decision.accepted:
        assert events.wait(CaptureDone, before + 1)
        assert controller.wait_idle(5)
    return decision.accepted


def test_rules_cooldown_interval_period_and_sequence_limit(rig):
    controller, clock, events, session = rig
    key = lambda: TriggerEvent("key", clock.now)
    assert shoot(controller, events, key())
    clock.now += 0.5  # inside the cooldown: a hands-free trigger waits, a manual shot does not
    decision = controller.submit(TriggerEvent("auto", clock.now, period=1))
    assert not decision.accepted and decision.reason == "cooldown"
    assert decision.retry_at == pytest.approx(1001.0, abs=0.1)
    assert shoot(controller, events, key())  # Space right after a shot is never refused
    clock.now += 1.5  # past the cooldown, inside the minimum interval from the key's shot
    decision = controller.submit(TriggerEvent("auto", clock.now, period=1))
    assert not decision.accepted and decision.reason == "minimum interval"
    assert decision.retry_at == pytest.approx(1002.5, abs=0.1)
    clock.now += 1.0
    assert shoot(controller, events, TriggerEvent("auto", clock.now, period=1))
    clock.now += 5
    assert controller.submit(TriggerEvent("auto", clock.now, period=1)).reason == \
        "already fired in this READY period"
    assert shoot(controller, events, TriggerEvent("auto", clock.now, period=2))
    clock.now += 5
    # max_auto_shots=2: the third hands-free shot of the sequence is refused, a key still works.
    assert "2 hands-free shots" in controller.submit(TriggerEvent("auto", clock.now, period=3)).reason
    assert shoot(controller, events, key())
    controller.new_sequence()
    clock.now += 5
    assert shoot(controller, events, TriggerEvent("auto", clock.now, period=3))
    assert [p.name for e in events.of(CaptureDone) for p in e.paths] == \
        [f"ann-{n:04d}.jpg" for n in range(1, 7)]
    assert session.state.seq == 2
    assert len(events.of(TriggerIgnored)) == 4


def test_a_manual_shot_is_refused_only_for_a_stated_reason(rig):
    controller, clock, events, _ = rig
    controller.rules.max_auto_shots = 0  # the default: no cap, the re-arm rules decide
    for n in range(4):  # auto, then keys at once after it: never "minimum interval"
        source = "auto" if n == 0 else "key"
        assert shoot(controller, events, TriggerEvent(source, clock.now, period=1 if n == 0 else None))
        clock.now += 0.05
    for period in range(2, 7):  # hands-free, past the intervals: no cap of 3 per sequence
        clock.now += 3
        assert shoot(controller, events, TriggerEvent("auto", clock.now, period=period))
    # The refusals a manual shot can get all say why: busy, counting down, stopped.
    controller._clock = time.monotonic
    assert controller.submit(TriggerEvent("key", time.monotonic(), countdown=2)).accepted
    assert controller.submit(TriggerEvent("key", time.monotonic())).reason == "countdown running"
    controller.cancel_countdown()
    assert controller.wait_idle(5)
    assert len(events.of(CaptureDone)) == 9


def test_one_capture_at_a_time(rig):
    controller, clock, events, _ = rig
    controller.rules.min_interval_s = controller.rules.cooldown_s = 0
    results = []
    barrier = threading.Barrier(8)

    def press() -> None:
        barrier.wait()
        results.append(controller.submit(TriggerEvent("key", clock.now)).accepted)

    threads = [threading.Thread(target=press) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert controller.wait_idle(10)
    assert results.count(True) == 1 == len(events.of(CaptureStarted))


def test_disk_space_precheck_stops_before_the_shot(rig):
    controller, clock, events, session = rig
    session.options.min_free_mb = session.free_bytes() // 2**20 + 100
    decision = controller.submit(TriggerEvent("key", clock.now))
    assert not decision.accepted and decision.reason.startswith("capturing stopped: only")
    [failed] = events.of(CaptureFailed)
    assert failed.stopped and "stay on the card" in failed.reason
    assert events.of(CaptureStarted) == []
    clock.now += 10
    assert "capturing stopped" in controller.submit(TriggerEvent("key", clock.now)).reason
    assert len(events.of(CaptureFailed)) == 1  # said once, not on every trigger
    session.options.min_free_mb = 1  # the photographer freed space
    assert not controller.submit(TriggerEvent("auto", clock.now)).accepted  # hands-free: still off
    assert shoot(controller, events, TriggerEvent("key", clock.now))  # a key press goes on
    assert controller.stopped is None


def test_countdown_ticks_then_fires(rig):
    controller, clock, events, _ = rig
    controller._clock = time.monotonic  # the countdown paces itself in real seconds
    started = time.monotonic()
    assert controller.submit(TriggerEvent("key", time.monotonic(), countdown=2)).accepted
    assert controller.submit(TriggerEvent("key", time.monotonic())).reason == "countdown running"
    assert events.wait(CaptureDone, 1, timeout=10)
    ticks = events.of(CountdownTick)
    assert [t.n for t in ticks] == [2, 1, 0]
    assert ticks[-1].at - started == pytest.approx(2.0, abs=0.3)
    started_at = events.of(CaptureStarted)[0].at
    assert started_at >= ticks[-1].at


def test_countdown_can_be_cancelled(rig):
    controller, _, events, _ = rig
    controller._clock = time.monotonic
    assert controller.submit(TriggerEvent("key", time.monotonic(), countdown=3)).accepted
    assert events.wait(CountdownTick, 1)
    controller.cancel_countdown()
    assert controller.wait_idle(3)
    assert events.of(CaptureStarted) == [] and "countdown cancelled" in events.of(TriggerIgnored)[-1].reason


def test_auto_trigger_once_per_period_and_retry_when_too_soon(rig):
    controller, clock, events, _ = rig
    controller._clock = time.monotonic
    controller.rules.cooldown_s, controller.rules.min_interval_s = 0.0, 0.6
    auto = AutoTrigger(controller)
    now = time.monotonic()
    auto.on_transition(ReadyTransition(ReadyState.HOLDING, ReadyState.READY, now, 1, (), 1))
    assert events.wait(CaptureDone, 1)
    # READY lost and regained quickly: period 2 comes inside the minimum interval; the trigger
    # asks again when the interval is over, and the shot happens while READY lasts.
    lost = ReadyTransition(ReadyState.READY, ReadyState.NOT_READY, now + 0.1, 2, ("eyes_open",), 1)
    auto.on_transition(lost)
    auto.on_transition(ReadyTransition(ReadyState.HOLDING, ReadyState.READY, now + 0.2, 3, (), 2))
    assert events.wait(CaptureDone, 2, timeout=5)
    starts = events.of(CaptureStarted)
    assert [s.trigger.period for s in starts] == [1, 2]
    assert starts[1].at - starts[0].at >= 0.6 - 0.01
    time.sleep(1.0)
    assert len(events.of(CaptureStarted)) == 2  # nothing more in period 2
    auto.close()


def test_interval_sequence(rig):
    controller, _, events, _ = rig
    controller._clock = time.monotonic
    controller.rules.cooldown_s = controller.rules.min_interval_s = 0.0
    interval = IntervalTrigger(controller.submit, every_s=0.4, shots=4)
    interval.start()
    assert interval.wait(5)
    assert events.wait(CaptureDone, 4, timeout=5)
    starts = [e.at for e in events.of(CaptureStarted)]
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert len(starts) == 4 and all(0.25 < g < 0.7 for g in gaps)


# -- keys -------------------------------------------------------------------------------------


def test_key_mapping_parsing_and_names():
    sent: list[TriggerEvent] = []
    keys = KeyTrigger(sent.append, KeyTrigger.parse_mapping("PageDown=capture, b=countdown, F5=capture"),
                      countdown_s=3)
    assert keys.press("Key_PageDown") and keys.press("B") and keys.press("f5")
    assert not keys.press("Escape")
    assert [(e.source, e.countdown) for e in sent] == [("key", 0), ("key", 3), ("key", 0)]
    with pytest.raises(KeyMapError, match="unknown key action"):
        KeyTrigger(sent.append, {"Space": "explode"})
    with pytest.raises(KeyMapError, match="KEY=ACTION"):
        KeyTrigger.parse_mapping("Space")


def test_keys_from_a_real_qt_window_fire_the_camera(rig, qtbot):
    from PyQt5.QtCore import Qt
    from PyQt5.QtWidgets import QWidget

    controller, clock, events, _ = rig
    controller.rules.cooldown_s = controller.rules.min_interval_s = 0.0
    keys = KeyTrigger(controller.submit)  # defaults: PageDown/Space/Return capture, PageUp/B countdown

    class Window(QWidget):  # what the app's window does: forward key codes, eat mapped ones
        def keyPressEvent(self, event):  # noqa: N802 (Qt's name)
            if not keys.press_qt(event.key()):
                super().keyPressEvent(event)

    window = Window()
    qtbot.addWidget(window)
    window.show()
    qtbot.keyClick(window, Qt.Key_PageDown)  # a presenter remote's "next"
    assert events.wait(CaptureDone, 1)
    assert controller.wait_idle(5)
    qtbot.keyClick(window, Qt.Key_Space)  # a foot pedal
    assert events.wait(CaptureDone, 2)
    assert controller.wait_idle(5)
    qtbot.keyClick(window, Qt.Key_X)  # not mapped: nothing
    time.sleep(0.3)
    assert len(events.of(CaptureStarted)) == 2
    assert all(e.trigger.source == "key" for e in events.of(CaptureStarted))


def test_triggers_from_command_line_options(rig):
    import argparse

    from drivers.base import LatestFrameSlot
    from studio.ready import ReadyMachine
    from studio.triggers.setup import Triggers, add_arguments, options_from_args

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    options = options_from_args(parser.parse_args(
        ["--auto", "--gesture", "--keys", "F5=capture,Escape=countdown", "--interval", "0.3", "2"]))
    assert options.keys == {"F5": "capture", "Escape": "countdown"} and options.interval_shots == 2
    with pytest.raises(ValueError, match="whole number"):
        options_from_args(parser.parse_args(["--interval", "1", "2.5"]))
    controller, _, events, _ = rig
    controller._clock = time.monotonic
    controller.rules.cooldown_s = controller.rules.min_interval_s = 0.0
    ready = ReadyMachine()
    triggers = Triggers(controller, options, frames=LatestFrameSlot(), ready=ready)
    assert triggers.start() == []
    assert events.wait(CaptureDone, 2, timeout=5)  # the interval's two shots
    assert controller.wait_idle(5)
    assert triggers.keys.press("F5")
    assert events.wait(CaptureDone, 3, timeout=5)
    triggers.stop()
    assert triggers.gesture is not None and not triggers.gesture._thread.is_alive()
    assert [e.trigger.source for e in events.of(CaptureStarted)] == ["interval", "interval", "key"]
