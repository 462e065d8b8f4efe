"""``run_window``: the main window wired to a running :class:`studio.app.StudioApp`.

Listeners registered here run on the loop and camera threads; they only post to the window's
bridge (queued signals) or to the cue player (non-blocking). What the user asks for in the
window goes to the app, the camera or the player; any failure becomes a message in the window.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PyQt5.QtCore import QTimer
from PyQt5.QtWidgets import QApplication

from studio.audio import AudioGuide, CuePlayer
from studio.events import (
    CaptureDone,
    CaptureEvent,
    CaptureFailed,
    CaptureStarted,
    CountdownTick,
    TriggerIgnored,
)
from studio.ui import undo_cv2_qt_paths
from studio.ui.client_screens import open_client_screen
from studio.ui.feed import EventBridge
from studio.ui.guides import guides_for_preset
from studio.ui.review import pick_still
from studio.ui.window import REVIEW_S, MainWindow

if TYPE_CHECKING:
    from drivers.base import Camera
    from studio.analysis import Analysis
    from studio.app import StudioApp

log = logging.getLogger(__name__)

STATS_INTERVAL_MS = 500


def run_window(app: StudioApp, args: argparse.Namespace) -> int:
    undo_cv2_qt_paths()  # the vision code has imported cv2 by now
    existing = QApplication.instance()
    qt = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    own_player = app.cues is None
    player = app.cues or CuePlayer(volume=getattr(args, "volume", None) or 0.7,
                                   enabled=not getattr(args, "mute", False))
    guide = AudioGuide(player, speech=bool(getattr(args, "speak", False)))
    window = build_window(app, player, review_s=getattr(args, "review_s", None))
    wire(window, app, player, guide)
    try:
        if getattr(args, "client_screen", None) is not None:  # a bad one: nothing started yet
            open_client_screen(window, args.client_screen, live=bool(getattr(args, "client_live", False)))
        app.start()
    except Exception:
        window.close()
        if own_player:
            player.close()
        raise
    wire_started(window, app)
    window.show()
    _request_settings(window, app.camera)
    stats = QTimer(window)  # reads loop statistics, not frames: frames arrive by signal
    stats.timeout.connect(lambda: _show_stats(window, app))
    stats.start(STATS_INTERVAL_MS)
    seconds = getattr(args, "seconds", None)
    if seconds:  # `studio run --seconds S`: the window closes itself (demos, tests)
        QTimer.singleShot(int(seconds * 1000), lambda: _close(window))
    qt.setQuitOnLastWindowClosed(True)
    restore = _close_on_signals(window)
    try:
        return int(qt.exec_())
    finally:
        restore()
        stats.stop()
        window.feed.stop()
        app.stop()
        log.info("window closed: %d frames shown, %d analysed", window.view.frames_shown,
                 app.loop.stats.analysed)
        if own_player:
            player.close()


def _close(window: MainWindow) -> None:
    window.close()


def _close_on_signals(window: MainWindow) -> Callable[[], None]:
    """SIGTERM (a desktop logging out, systemd, ``kill``) and Ctrl-C close the window as its
    close button does, so the app's clean-up runs (live view left, stop hook). Python runs a
    signal handler only between Python calls; the stats timer gives it one every 500 ms. The
    handler only queues the close: raising inside a Qt slot would abort the process."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def close_soon(signum: int, frame: object) -> None:
        log.info("%s: closing the window", signal.Signals(signum).name)
        QTimer.singleShot(0, lambda: _close(window))

    previous = {sig: signal.signal(sig, close_soon) for sig in (signal.SIGTERM, signal.SIGINT)}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore


def build_window(app: StudioApp, player: CuePlayer, *, review_s: float | None = None) -> MainWindow:
    try:
        from studio.vision.presets import PRESETS
    except ImportError:
        PRESETS = ()  # noqa: N806
    presets = tuple(PRESETS) if app.preset in PRESETS else tuple(PRESETS) + (app.preset,)
    window = MainWindow(app.camera.frames, presets=presets, preset=app.preset,
                        trigger_modes=app.trigger_modes, trigger_mode=app.trigger_mode, muted=player.muted,
                        volume=player.volume, guides=guides_for_preset(app.preset),
                        review_s=REVIEW_S if review_s is None else review_s)
    window.info.set_source(app.source_name)
    if app.session is not None:
        window.files_from_camera = False  # every shot comes as a CaptureDone, checked
        # Shots of the day so far, this run or earlier ones (a restart resumes the day).
        window.set_session(app.session.state.name, len(list(app.session.folder.glob("*.studio.json"))))
    return window


def wire(window: MainWindow, app: StudioApp, player: CuePlayer, guide: AudioGuide) -> None:
    """Connect the app's events to the window and the guide, and the window's intents to the app."""
    bridge = window.bridge

    def guide_hears(analysis: Analysis) -> None:
        guide.on_analysis(analysis)  # returns the cue it asked for: only its tests look

    app.add_analysis_listener(bridge.post_analysis)
    app.add_analysis_listener(guide_hears)
    app.ready.add_listener(bridge.post_transition)
    app.ready.add_listener(guide.on_transition)
    app.camera.add_listener(bridge.post_camera_event)
    app.capture.add_listener(wire_capture_messages(bridge))
    _wire_intents(window, app, player)
    _wire_people(window, app)
    _wire_review(window, app)
    _wire_state(window, app)
    _wire_reference(window, app)


def _wire_reference(window: MainWindow, app: StudioApp) -> None:
    """The consistency reference: R sets the app's, the ghost shows the one the run starts with."""
    from studio.ui.ghost import show_reference

    window.reference_holder = app.reference
    show_reference(window, app.reference.current)

    def after_shot(*_: object) -> None:  # the first keeper may have become the reference
        if app.reference.current is not None and window.view.ghost is None:
            show_reference(window, app.reference.current)

    window.bridge.capture_done.connect(after_shot)


def _wire_state(window: MainWindow, app: StudioApp) -> None:
    """The active trigger's status and whether live frames flow (listeners on worker threads)."""
    bridge = window.bridge
    app.add_status_listener(bridge.trigger_status.emit)
    app.add_live_listener(bridge.live_state.emit)
    bridge.trigger_status.emit(app.trigger_status)
    bridge.live_state.emit(app.live_state)


def wire_started(window: MainWindow, app: StudioApp) -> None:
    """After app.start(): the state as it stands now (a listener may have missed nothing, but
    a window shown late must not start from defaults)."""
    window.bridge.trigger_status.emit(app.trigger_status)
    window.bridge.live_state.emit(app.live_state)


def _wire_people(window: MainWindow, app: StudioApp) -> None:
    """N / Shift+N, a typed name and the desk's changes (any thread -> queued signal)."""
    desk = getattr(app, "people", None)
    bridge = window.bridge
    if desk is None:
        def no_desk(*_: object) -> None:
            bridge.message.emit("no people desk: start with --session (and --roster) to name people")
        window.next_person_wanted.connect(no_desk)
        window.previous_person_wanted.connect(no_desk)
        window.person_name_entered.connect(no_desk)
        return
    desk.add_listener(bridge.person_changed.emit)
    announced = desk.announce("resume")
    if announced is not None:
        bridge.person_changed.emit(announced)

    def typed(name: str) -> None:
        try:
            desk.set_name(name, source="typed")
        except ValueError as exc:
            bridge.message.emit(f"name not set: {exc}")

    window.next_person_wanted.connect(lambda: desk.next())
    window.previous_person_wanted.connect(lambda: desk.previous())
    window.person_name_entered.connect(typed)


def _wire_review(window: MainWindow, app: StudioApp) -> None:
    """Review keys write rating, label and reject through the session, off the GUI thread."""
    bridge = window.bridge
    session = app.session
    review = getattr(session, "review", None)
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="review-write")  # in key order

    def write(path: str, rating: int | None, label: str | None, rejected: bool | None) -> None:
        if review is None:
            bridge.review_saved.emit(path, "ratings need a session (--session)", False)
            return
        try:
            review(Path(path), rating=rating, label=label, rejected=rejected)
        except Exception as exc:  # a file we cannot write: say so, keep shooting
            log.warning("review of %s not saved: %s", Path(path).name, exc)
            bridge.review_saved.emit(path, f"{Path(path).name}: {exc}", False)
            return
        log.info("review of %s saved: rating %s, label %s, rejected %s", Path(path).name, rating, label,
                 rejected)
        bridge.review_saved.emit(path, _review_words(Path(path).name, rating, label, rejected), True)

    def queued(path: str, rating: Any, label: Any, rejected: Any) -> None:
        worker.submit(write, path, rating, label, rejected)

    window.review_changed.connect(queued)
    window.destroyed.connect(lambda: worker.shutdown(wait=False))


def _review_words(name: str, rating: int | None, label: str | None, rejected: bool | None) -> str:
    parts = []
    if rating is not None:
        parts.append(f"rated {rating}" if rating else "stars cleared")
    if label is not None:
        parts.append(f"label {label}" if label else "label cleared")
    if rejected is not None:
        parts.append("rejected" if rejected else "reject taken back")
    return f"{name}: {', '.join(parts)} (saved)"


def _wire_intents(window: MainWindow, app: StudioApp, player: CuePlayer) -> None:
    """What the user asks for in the window goes to the app, the camera or the player."""
    bridge = window.bridge
    camera = app.camera

    def report(future: Future, what: str, on_ok: Callable[[Any], None] | None = None) -> None:
        def done(f: Future) -> None:
            exc = f.exception()
            if exc is not None:
                bridge.message.emit(f"{what} failed: {exc}")
            elif on_ok is not None:
                on_ok(f.result())
        future.add_done_callback(done)

    def capture() -> None:
        decision = app.request_capture("button")
        if not decision.accepted:
            bridge.message.emit(f"not captured: {decision.reason}")

    window.key_trigger = app.press_key
    window.capture_requested.connect(capture)
    window.live_view_toggled.connect(
        lambda on: report(camera.start_live_view() if on else camera.stop_live_view(), "live view"))

    def choose_preset(name: str) -> None:
        try:
            app.set_preset(name)
        except Exception as exc:  # a bad user preset file: say so, keep the old one
            bridge.message.emit(f"preset {name}: {exc}")
            return
        window.set_guides(guides_for_preset(name))

    window.preset_chosen.connect(choose_preset)
    window.trigger_mode_chosen.connect(app.set_trigger_mode)
    window.mute_toggled.connect(lambda muted: setattr(player, "muted", muted))
    window.volume_changed.connect(lambda volume: setattr(player, "volume", volume))

    def set_setting(name: str, value: str) -> None:
        report(camera.set_setting(name, value), f"setting {name}",
               lambda _setting: _request_settings(window, camera))

    window.setting_changed.connect(set_setting)
    window.settings_wanted.connect(lambda: _request_settings(window, camera))


def wire_capture_messages(bridge: EventBridge) -> Callable[[CaptureEvent], None]:
    """The capture listener that shows results and refusals in the window (any thread)."""

    def on_capture_event(event: CaptureEvent) -> None:
        match event:
            case CaptureStarted():
                bridge.capture_started.emit()
            case CaptureDone(paths=paths) if paths:
                still = pick_still(paths)
                person = next((r.person for r in event.records if getattr(r, "person", "")), "")
                if person:  # the desk may have moved on since the file was stored
                    bridge.capture_person.emit(str(still), person)
                bridge.capture_done.emit(still, event.analysis)
            case CaptureFailed():
                bridge.message.emit(f"capture failed: {event.reason}")
            case TriggerIgnored() if event.trigger.source in ("button", "key"):
                bridge.message.emit(f"not captured: {event.reason}")
            case CountdownTick():
                bridge.countdown.emit(event.n)

    return on_capture_event


def _request_settings(window: MainWindow, camera: Camera) -> None:
    """Read the camera's settings on its own thread; the panel fills when they arrive."""
    def done(f: Future) -> None:
        if f.exception() is None:
            window.bridge.settings_loaded.emit(f.result())
        else:
            window.bridge.message.emit(f"camera settings: {f.exception()}")
    camera.settings().add_done_callback(done)


def _show_stats(window: MainWindow, app: StudioApp) -> None:
    stats = app.loop.stats
    window.set_stats(stats.fps, stats.latency_ms)
