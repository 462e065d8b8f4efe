"""The owner loop (`drivers.owner`) with a small real device: dispatch by type, Futures,
sleeping on the device's step, and teardown that always runs."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass

import pytest

from drivers.base import CameraError, CameraGone
from drivers.owner import Capture, Handler, LiveView, OwnerLoop, Pending, ReadSettings, fail_all


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
