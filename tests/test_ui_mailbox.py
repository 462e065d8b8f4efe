"""The window's newest-value hand-over (``GuiMailbox`` over ``Latest``): newest only, one wake-up.

A writer thread posts much faster than the GUI takes; the GUI must be woken once per batch and
always find the newest value, never a backlog of queued signals.
"""

from __future__ import annotations

import os
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from test_ui_support import known_analysis  # noqa: E402

from studio.ui.feed import EventBridge, GuiMailbox  # noqa: E402


def test_posts_from_another_thread_wake_once_and_leave_only_the_newest():
    wakes: list[int] = []
    box: GuiMailbox[int] = GuiMailbox(lambda: wakes.append(1))
    writer = threading.Thread(target=lambda: [box.post(i) for i in range(1, 501)])
    writer.start()
    writer.join()
    assert len(wakes) == 1  # nobody took: no second wake-up, whatever was posted
    assert box.latest() == 500
    assert box.take() == 500
    box.post(501)
    assert len(wakes) == 2  # taken: the next post wakes again
    assert box.take() == 501


def test_latest_does_not_rearm_the_wake_up():
    wakes: list[int] = []
    box: GuiMailbox[str] = GuiMailbox(lambda: wakes.append(1))
    assert box.take() is None and box.latest() is None
    box.post("a")
    assert box.latest() == "a"
    box.post("b")
    assert wakes == [1]


def test_event_bridge_delivers_one_signal_for_a_burst_of_analyses(qtbot):
    bridge = EventBridge()
    taken = []
    bridge.analysis_ready.connect(lambda: taken.append(bridge.take_analysis()))
    analyses = [known_analysis(frame=n) for n in range(1, 31)]
    writer = threading.Thread(target=lambda: [bridge.post_analysis(a) for a in analyses])
    writer.start()
    writer.join()
    qtbot.waitUntil(lambda: bool(taken), timeout=2000)
    qtbot.wait(50)  # a second queued signal, if there were one, would arrive now
    assert [a.frame for a in taken] == [30]
    bridge.post_analysis(known_analysis(frame=31))
    qtbot.waitUntil(lambda: len(taken) == 2, timeout=2000)
    assert taken[-1].frame == 31
