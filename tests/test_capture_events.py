"""Capture events are told apart by their type: the headless lines and the window's messages."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from test_ui_support import known_analysis  # noqa: E402

from studio import capture  # noqa: E402
from studio.events import (  # noqa: E402
    CaptureDone,
    CaptureFailed,
    CaptureStarted,
    CountdownTick,
    TriggerEvent,
    TriggerIgnored,
)
from studio.headless import describe_capture_event  # noqa: E402

KEY = TriggerEvent("key", 1.0)


def test_every_capture_event_has_its_headless_line():
    still = known_analysis()
    assert describe_capture_event(CaptureStarted(KEY, 1.0)) == "[capture] fired by key"
    assert describe_capture_event(CountdownTick(2, 1.0)) == "[capture] 2…"
    assert describe_capture_event(CountdownTick(0, 1.0)) is None
    assert describe_capture_event(CaptureFailed("card full", KEY)) == "[capture] failed: card full"
    assert describe_capture_event(TriggerIgnored(KEY, "cooldown")) == "[capture] key ignored: cooldown"
    assert describe_capture_event(CaptureDone((Path("a.jpg"),), None, KEY)) == "[capture] saved a.jpg"
    failing = ", ".join(c.id for c in still.problems)
    assert describe_capture_event(CaptureDone((Path("a.jpg"), Path("a.cr3")), still, KEY)) == \
        f"[capture] saved a.jpg, a.cr3; still fails: {failing}"


def test_an_event_of_another_type_with_the_same_name_is_not_a_capture_event():
    class CaptureStarted:  # noqa: N801 - the name is the point: dispatch must not go by it
        trigger = KEY

    assert describe_capture_event(CaptureStarted()) is None  # type: ignore[arg-type]


def test_the_controller_module_still_names_the_events_it_emits():
    # studio.capture re-exports the event types from studio.events: one class each, not copies.
    assert capture.CaptureDone is CaptureDone and capture.TriggerEvent is TriggerEvent
    assert capture.CountdownTick is CountdownTick


def test_the_window_turns_capture_events_into_messages(qtbot):
    from drivers.base import LatestFrameSlot
    from studio.ui.runner import wire_capture_messages
    from studio.ui.window import MainWindow

    window = MainWindow(LatestFrameSlot())
    qtbot.addWidget(window)
    messages: list[str] = []
    done: list[tuple[object, object]] = []
    window.bridge.message.connect(messages.append)
    window.bridge.capture_done.connect(lambda path, analysis: done.append((path, analysis)))
    counted: list[int] = []  # the countdown is shown large in the live view, not as a message
    window.bridge.countdown.connect(counted.append)
    on_event = wire_capture_messages(window.bridge)
    on_event(CaptureFailed("card full", KEY))
    on_event(TriggerIgnored(KEY, "cooldown"))
    on_event(TriggerIgnored(TriggerEvent("auto", 1.0), "cooldown"))  # hands-free: not said
    on_event(CountdownTick(3, 1.0))
    on_event(CountdownTick(0, 1.0))
    on_event(CaptureDone((Path("a.jpg"),), None, KEY))
    on_event(CaptureDone((), None, KEY))  # no file: nothing to show
    qtbot.waitUntil(lambda: len(messages) == 2 and len(done) == 1 and len(counted) == 2, timeout=2000)
    assert messages == ["capture failed: card full", "not captured: cooldown"]
    assert counted == [3, 0]
    # the last tick (0) clears the countdown and its safety timer: nothing left to fire later
    assert window.view.countdown == 0 and not window.view._countdown_clear.isActive()
    assert done == [(Path("a.jpg"), None)]
