"""The owner loop (`drivers.owner`) with a small real device: dispatch by type, Futures,
sleeping on the device's step, and teardown that always runs."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import pytest

from drivers.base import CameraError, CameraGone
from drivers.owner import OwnerLoop
from drivers.requests import Capture, Handler, LiveView, Pending, ReadSettings, fail_all


@dataclass(frozen=True, slots=True)
class Later:
    """Resolved by a later step, like a gphoto capture waiting for its file."""


class Counter:
    """A device that counts, answers requests on its own thread, and can be made to fail."""

    def __init__(self, *, fail_setup: bool = False, break_step_after: int | None = None,
                 sleep: float | None = 0.01) -> None:
        self.fail_setup = fail_setup
        self.break_step_after = break_step_after
        self.sleep = sleep
        self.steps = 0
        self.threads: set[str] = set()
        self.failed: list[tuple[object, Exception]] = []
        self.torn_down: list[Pending] | None = None
        self.teardowns = 0
        self.setup_entered = threading.Event()
        self.setup_gate: threading.Event | None = None  # when set up, setup waits for it
        self.live = False
        self._later: list[Future] = []
        self._handlers: dict[type, Handler] = {
            Capture: self._capture, LiveView: self._live_view, ReadSettings: self._read, Later: self._defer,
        }

    @property
    def handlers(self) -> Mapping[type, Handler]:
        return self._handlers

    def setup(self) -> None:
        self.threads.add(threading.current_thread().name)
        self.setup_entered.set()
        if self.setup_gate is not None:
            self.setup_gate.wait(5)
        if self.fail_setup:
            raise CameraGone("no such device")

    def step(self) -> float | None:
        self.threads.add(threading.current_thread().name)
        self.steps += 1
        if self.break_step_after is not None and self.steps > self.break_step_after:
            raise RuntimeError("a bug in the step")
        for future in self._later:
            future.set_result(self.steps)
        self._later.clear()
        return self.sleep

    def handler_failed(self, request: object, exc: Exception) -> None:
        self.failed.append((request, exc))

    def teardown(self, leftover: list[Pending]) -> None:
        self.live = False
        self.torn_down = leftover
        self.teardowns += 1
        fail_all(leftover, lambda: CameraError("closed"))

    def _capture(self, request: Capture, future: Future) -> None:
        future.set_result(threading.current_thread().name)

    def _live_view(self, request: LiveView, future: Future) -> None:
        self.live = request.on
        future.set_result(None)

    def _read(self, request: ReadSettings, future: Future) -> None:
        raise CameraError("cannot read settings")

    def _defer(self, request: Later, future: Future) -> None:
        self._later.append(future)


def test_requests_run_on_the_owner_thread_by_type():
    device = Counter()
    loop = OwnerLoop(device, "owner-test")
    loop.start()
    try:
        assert loop.running
        assert loop.submit(Capture()).result(5) == "owner-test"
        assert loop.submit(LiveView(True)).result(5) is None and device.live is True
        with pytest.raises(CameraError, match="cannot read settings"):
            loop.submit(ReadSettings()).result(5)
        assert [type(r) for r, _ in device.failed] == [ReadSettings]
        assert loop.submit(Later()).result(5) >= 1  # resolved by a step, not by its handler
        with pytest.raises(TypeError, match="no handler"):
            loop.submit("capture")  # a name is not a request
    finally:
        assert loop.stop(5)
    assert device.threads == {"owner-test"}
    assert device.live is False and device.torn_down == []
    assert not loop.running


def test_a_request_cuts_the_sleep_the_step_asked_for():
    device = Counter(sleep=None)  # sleep until a request comes
    loop = OwnerLoop(device, "owner-sleep")
    loop.start()
    try:
        time.sleep(0.2)
        idle_steps = device.steps
        assert idle_steps <= 2  # slept instead of spinning
        started = time.monotonic()
        loop.submit(Capture()).result(5)
        assert time.monotonic() - started < 1.0
        loop.wake()
        deadline = time.monotonic() + 5
        while device.steps <= idle_steps + 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert device.steps > idle_steps + 1  # both the request and wake() ran a step
    finally:
        loop.stop(5)


def test_setup_failure_reaches_start_and_leaves_no_thread():
    loop = OwnerLoop(Counter(fail_setup=True), "owner-fails")
    with pytest.raises(CameraGone, match="no such device"):
        loop.start()
    assert not [t for t in threading.enumerate() if t.name == "owner-fails"]
    future = loop.submit(Capture())
    assert isinstance(future.exception(1), CameraError) and "not open" in str(future.exception())


def test_a_bug_in_the_step_still_runs_teardown_and_fails_later_requests():
    device = Counter(break_step_after=3)
    loop = OwnerLoop(device, "owner-bug", not_open=lambda: CameraGone("gone for good"))
    loop.start()
    deadline = time.monotonic() + 5
    while device.torn_down is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert device.torn_down is not None  # teardown ran after the loop crashed
    late = loop.submit(Capture())
    assert isinstance(late.exception(1), CameraGone)
    loop.stop(5)


def test_stop_from_the_owner_thread_does_not_deadlock():
    device = Counter()
    loop = OwnerLoop(device, "owner-self")

    def stop_from_inside(request: Capture, future: Future) -> None:
        future.set_result(loop.stop(5))

    device._handlers[Capture] = stop_from_inside
    loop.start()
    assert loop.submit(Capture()).result(5) is True
    deadline = time.monotonic() + 5
    while device.torn_down is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert device.torn_down == []


def test_requests_left_at_stop_are_handed_to_teardown():
    release = threading.Event()
    device = Counter()

    def slow(request: Capture, future: Future) -> None:
        release.wait(5)
        future.set_result("slow")

    device._handlers[Capture] = slow
    loop = OwnerLoop(device, "owner-leftover")
    loop.start()
    first = loop.submit(Capture())
    time.sleep(0.1)  # the loop is inside the slow handler
    second = loop.submit(LiveView(True))
    stopper = threading.Thread(target=loop.stop, args=(5,))
    stopper.start()
    time.sleep(0.1)
    release.set()
    stopper.join(5)
    assert first.result(5) == "slow"
    assert isinstance(second.exception(5), CameraError)  # failed by teardown, never served
    assert device.torn_down is not None and [type(r) for r, _ in device.torn_down] == [LiveView]


def _alive(name: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == name and t.is_alive()]


def _blocking_capture(device: Counter) -> tuple[threading.Event, threading.Event]:
    """Make Capture block until released; returns (entered, release)."""
    entered, release = threading.Event(), threading.Event()

    def blocked(request: Capture, future: Future) -> None:
        entered.set()
        release.wait(5)
        future.set_result("released")

    device._handlers[Capture] = blocked
    return entered, release


def test_start_after_a_timed_out_stop_refuses_instead_of_running_a_second_loop():
    device = Counter()
    entered, release = _blocking_capture(device)
    loop = OwnerLoop(device, "owner-stuck")
    loop.start()
    first = loop.submit(Capture())
    assert entered.wait(5)
    assert loop.stop(0.1) is False  # the handler is still busy
    with pytest.raises(CameraError, match="has not ended"):
        loop.start(join_timeout=0.1)
    assert len(_alive("owner-stuck")) == 1
    release.set()
    assert first.result(5) == "released"
    assert loop.wait_ended(5)
    assert device.teardowns == 1 and not loop.running  # the old run ended, it was not revived
    loop.start()  # now a fresh run
    try:
        assert loop.running and len(_alive("owner-stuck")) == 1
        assert loop.submit(LiveView(True)).result(5) is None
    finally:
        assert loop.stop(5)
    assert device.teardowns == 2 and not _alive("owner-stuck")


def test_start_waits_for_a_stopping_thread_so_only_one_loop_runs():
    device = Counter()
    asked, release = threading.Event(), threading.Event()
    loop = OwnerLoop(device, "owner-restart")

    def stop_then_linger(request: Capture, future: Future) -> None:
        loop.stop(5)  # from the loop's own thread: only asks
        asked.set()
        release.wait(5)
        future.set_result("old run")

    device._handlers[Capture] = stop_then_linger
    loop.start()
    first = loop.submit(Capture())
    assert asked.wait(5)
    starter = threading.Thread(target=loop.start)
    starter.start()
    time.sleep(0.1)
    assert starter.is_alive()  # waiting for the old thread, not running a second loop
    release.set()
    starter.join(5)
    try:
        assert first.result(5) == "old run"
        assert device.teardowns == 1 and loop.running
        time.sleep(0.1)  # an old thread revived by the new run would still be stepping here
        assert len(_alive("owner-restart")) == 1
    finally:
        assert loop.stop(5)
    assert device.teardowns == 2


def test_start_from_the_loop_thread_after_stop_raises():
    device = Counter()
    loop = OwnerLoop(device, "owner-self-restart")
    outcome: list[BaseException | None] = []

    def stop_and_restart(request: Capture, future: Future) -> None:
        loop.stop(5)
        try:
            loop.start()  # refused at once: a thread cannot wait for itself to end
            outcome.append(None)
        except CameraError as exc:
            outcome.append(exc)
        future.set_result(None)

    device._handlers[Capture] = stop_and_restart
    loop.start()
    loop.submit(Capture()).result(5)
    assert isinstance(outcome[0], CameraError) and "own thread" in str(outcome[0])
    assert loop.wait_ended(5)
    assert not _alive("owner-self-restart") and device.teardowns == 1 and not loop.running


def test_requests_queued_while_setup_fails_are_failed_not_kept_for_the_next_open():
    device = Counter(fail_setup=True)
    device.setup_gate = threading.Event()
    loop = OwnerLoop(device, "owner-setup-race")
    errors: list[BaseException] = []

    def start() -> None:
        try:
            loop.start()
        except CameraGone as exc:
            errors.append(exc)

    starter = threading.Thread(target=start)
    starter.start()
    assert device.setup_entered.wait(5)
    queued = loop.submit(LiveView(True))  # the loop is starting: the request is queued
    device.setup_gate.set()
    starter.join(5)
    assert [str(e) for e in errors] == ["no such device"]
    error = queued.exception(2)
    assert isinstance(error, CameraError) and "not open" in str(error)
    assert device.teardowns == 0  # teardown does not run when setup raised
    device.fail_setup, device.setup_gate = False, None
    loop.start()
    try:
        assert loop.submit(Capture()).result(5) == "owner-setup-race"
        assert device.live is False  # the stale LiveView(True) was not served by the new run
    finally:
        assert loop.stop(5)


def test_replay_close_is_bounded_and_a_reopen_waits_for_the_old_thread(tmp_path, caplog):
    from test_recording import make_jpeg

    from drivers.download import FolderSink
    from drivers.replay import ReplayCamera

    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(3):
        (folder / f"f{i}.jpg").write_bytes(make_jpeg(i))
    entered, release = threading.Event(), threading.Event()
    saved = FolderSink(tmp_path / "captures")

    class SlowSink:
        def store(self, camera_name: str, data: bytes | memoryview) -> Path:
            entered.set()
            release.wait(5)
            return saved.store(camera_name, data)

    camera = ReplayCamera(folder, sink=SlowSink())
    name = f"replay-{folder.name}"
    camera.open()
    capture = camera.capture()
    assert entered.wait(5)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="drivers.owner"):
        camera.close(timeout=0.2)
    assert time.monotonic() - started < 2
    assert "did not stop" in caplog.text
    threading.Timer(0.3, release.set).start()
    camera.open()  # waits for the stuck thread instead of running a second one on the player
    try:
        assert len(_alive(name)) == 1
        assert capture.result(5)[0].exists()
        assert camera.capture().result(5)[0].exists()
    finally:
        camera.close()
    assert not _alive(name)
