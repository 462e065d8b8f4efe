"""True state: READY is never shown without live frames.

A real :class:`StudioApp` on the replay driver (its own camera thread, frames paced in real
time). The analyser stands in only so that every frame is READY (as in test_app_lifecycle): what
is tested is that the app drops READY, with the reason, when frames stop, the recording ends or
the body cannot stream, and that a camera the driver is still waiting for does not end the run.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.base import CameraState, NotSupported, StateChanged
from drivers.replay import ReplayCamera
from studio.analysis import Analysis, CheckResult, Status
from studio.app import StudioApp
from studio.events import CaptureDone, LiveState
from studio.live import NO_LIVE_VIEW, RECORDING_ENDED, WAITING
from studio.ready import ReadyState
from studio.session import Session, SessionOptions

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
PORTRAIT = FIXTURES / "portraits" / "frec__obama.jpg"


class AlwaysReady:
    def analyse_frame(self, frame, source):
        return Analysis(source=source, frame=frame.seq, timestamp=frame.timestamp, size=frame.size,
                        shot="headshot", faces=1, checks=(CheckResult("face", Status.PASS, "one face"),),
                        ready=True, required=("face",))

    def set_preset(self, name: str) -> None:
        pass


def live_folder(tmp_path: Path, frames: int = 3) -> Path:
    if not PORTRAIT.exists():
        pytest.skip(f"fixture {PORTRAIT} absent")
    folder = tmp_path / "live"
    folder.mkdir()
    image = cv2.resize(cv2.imread(str(PORTRAIT)), (640, 480))
    for i in range(frames):
        cv2.imwrite(str(folder / f"{i:03d}.jpg"), image)
    return folder


def make_app(camera, session) -> tuple[StudioApp, list[LiveState]]:
    app = StudioApp(camera, analyser_factory=lambda preset: AlwaysReady(), session=session, hold_s=0.1)
    heard: list[LiveState] = []
    app.add_live_listener(heard.append)
    return app, heard


def wait_for(what, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not what():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_ready_drops_when_frames_stop_and_returns_with_them(tmp_path):
    session = Session.open(tmp_path / "s", "live", options=SessionOptions(min_free_mb=1))
    camera = ReplayCamera(live_folder(tmp_path), fps=15, loop=True, sink=session)
    app, heard = make_app(camera, session)
    app.start()
    try:
        wait_for(lambda: app.ready.state is ReadyState.READY)
        assert app.live_state.live
        camera.stop_live_view().result(5)
        stopped = time.monotonic()
        wait_for(lambda: app.ready.state is not ReadyState.READY, 3)
        dropped = time.monotonic() - stopped
        assert app.live_state == LiveState(False, "no live view for 1 s", app.live_state.at)
        assert app.ready.problems == ("no live view for 1 s",)
        time.sleep(1.0)
        assert app.ready.state is ReadyState.NOT_READY  # no READY while no frames come
        camera.start_live_view().result(5)
        wait_for(lambda: app.ready.state is ReadyState.READY)
        assert app.live_state.live
    finally:
        app.stop()
    print(f"\nREADY dropped {dropped:.2f} s after the frames stopped")
    assert 0.9 < dropped < 1.6
    assert [s.live for s in heard][:3] == [True, False, True]


def test_recording_end_drops_ready(tmp_path):
    session = Session.open(tmp_path / "s", "ended", options=SessionOptions(min_free_mb=1))
    camera = ReplayCamera(live_folder(tmp_path, 20), fps=10, loop=False, sink=session)
    app, heard = make_app(camera, session)
    transitions = []
    app.ready.add_listener(transitions.append)
    app.start()
    try:
        wait_for(lambda: app.ready.state is ReadyState.READY)
        wait_for(lambda: not app.live_state.live and app.live_state.reason == RECORDING_ENDED, 6)
        assert app.ready.state is ReadyState.NOT_READY
    finally:
        app.stop()
    assert transitions[-1].state is ReadyState.NOT_READY and transitions[-1].problems == (RECORDING_ENDED,)
    assert heard[-1].reason == RECORDING_ENDED


class StillsOnlyCamera(ReplayCamera):
    """A body that cannot stream over USB (as libgphoto2 says for some): live view fails with
    NotSupported, captures work."""

    def start_live_view(self) -> Future[None]:
        future: Future[None] = Future()
        future.set_exception(NotSupported("this body has no live view over USB"))
        return future


def test_a_body_without_live_view_says_so_and_still_captures(tmp_path):
    session = Session.open(tmp_path / "s", "stills", options=SessionOptions(min_free_mb=1))
    camera = StillsOnlyCamera(live_folder(tmp_path), fps=10, loop=True, sink=session)
    app, heard = make_app(camera, session)
    done: list = []
    app.capture.add_listener(lambda e: done.append(e) if isinstance(e, CaptureDone) else None)
    app.start()
    try:
        assert not app.has_live_view
        assert app.live_state == LiveState(False, NO_LIVE_VIEW, app.live_state.at)
        time.sleep(1.2)
        assert app.live_state.reason == NO_LIVE_VIEW  # not overwritten by "no live view for 1 s"
        assert app.request_capture("key").accepted
        wait_for(lambda: done, 10)
    finally:
        app.stop()
    assert done[0].paths and done[0].paths[0].exists()
    assert app.ready.state is ReadyState.NOT_READY


class AwaitedCamera(ReplayCamera):
    """What the gphoto driver does with no camera plugged in (api.md, helper "runtime"): open()
    returns, StateChanged("waiting", …) is emitted, live view starts once a camera comes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._plugged = threading.Event()
        self._pending: Future[None] = Future()

    @property
    def state(self):
        return super().state if self._plugged.is_set() else "waiting"

    def open(self) -> None:
        super().open()
        self._events.emit(StateChanged("waiting", "no camera found — plug one in"))  # type: ignore[arg-type]

    def start_live_view(self) -> Future[None]:
        if self._plugged.is_set():
            return super().start_live_view()
        return self._pending

    def plug_in(self) -> None:
        self._plugged.set()
        self._events.emit(StateChanged(CameraState.CONNECTED, "plugged in"))
        super().start_live_view().add_done_callback(lambda f: self._pending.set_result(None))


def test_waiting_for_a_camera_does_not_end_the_run_and_starts_when_one_comes(tmp_path):
    session = Session.open(tmp_path / "s", "waiting", options=SessionOptions(min_free_mb=1))
    camera = AwaitedCamera(live_folder(tmp_path), fps=10, loop=True, sink=session)
    app, heard = make_app(camera, session)
    started = time.monotonic()
    app.start()  # returns: does not wait 15 s for live view, does not raise
    try:
        assert time.monotonic() - started < 3
        assert app.waiting_for_camera
        assert app.live_state.reason == f"{WAITING}: no camera found — plug one in"
        time.sleep(1.2)
        assert app.ready.state is ReadyState.NOT_READY and not app.live_state.live
        camera.plug_in()
        wait_for(lambda: app.ready.state is ReadyState.READY, 8)
        assert app.live_state.live
    finally:
        app.stop()
    assert heard[0].reason.startswith(WAITING) and heard[-1].live


def test_the_camera_going_and_coming_back():
    from drivers.base import LatestFrameSlot
    from studio.live import DISCONNECTED, LiveWatch

    frames = LatestFrameSlot()
    watch = LiveWatch(frames)
    heard: list[LiveState] = []
    watch.add_listener(heard.append)
    jpeg = cv2.imencode(".jpg", np.zeros((48, 64, 3), np.uint8))[1].tobytes()
    frames.put_jpeg(jpeg)
    assert watch.check().live
    watch.camera_event(StateChanged(CameraState.GONE, "usb: device unplugged"))
    assert watch.state.reason == DISCONNECTED and not watch.live
    frames.put_jpeg(jpeg, timestamp=time.monotonic() - 0.5)  # a frame from before it went
    assert not watch.check().live
    watch.camera_event(StateChanged(CameraState.RECONNECTING, ""))
    assert watch.state.reason == f"{DISCONNECTED} — reconnecting"
    watch.camera_event(StateChanged(CameraState.CONNECTED, ""))
    time.sleep(0.01)
    frames.put_jpeg(jpeg)  # live view is back
    assert watch.check().live
    assert [(s.live, s.reason) for s in heard] == [
        (True, ""), (False, DISCONNECTED), (False, f"{DISCONNECTED} — reconnecting"), (True, "")]
