"""Wiring: a camera, the vision loop, the READY state machine, and whoever listens to them.

:class:`StudioApp` is what both front ends drive: the Qt window (``studio.ui``) and the headless
runner (``studio.headless``). It owns no policy of its own; it connects the pieces:

    camera.frames ──> VisionLoop ──> Analysis ──> ReadyMachine ──> ReadyTransition
                 │                        └──────> overlay / audio / triggers / JSON printer
                 └──> LiveWatch ──> LiveState (no frames: READY is dropped with the reason)

It also carries run-time changes everywhere they matter: :meth:`StudioApp.set_preset` reaches
the live checks, the still re-check and the sidecars; :meth:`StudioApp.set_trigger_mode`
switches the one active trigger; a people desk (``people=``) hears every capture event and
its person changes re-arm the triggers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from drivers.base import Camera, CameraError, LiveFrame, NotSupported, Setting
from drivers.camera_settings import aperture_of  # light: no checks package imported on the camera's thread
from drivers.mailbox import Latest
from studio.analysis import Analysis
from studio.consistency import ReferenceHolder
from studio.events import (
    Decision,
    LiveListener,
    LiveState,
    PersonChanged,
    StatusListener,
    TriggerEvent,
    TriggerStatus,
)
from studio.live import WAITING, LiveWatch
from studio.loop import AnalysisListener, VisionLoop
from studio.ready import ReadyMachine
from studio.sources import CAMERA_SPECS, bundled_sample, open_camera

__all__ = ["CAMERA_SPECS", "DEFAULT_PRESET", "StudioApp", "bundled_sample", "open_camera"]

if TYPE_CHECKING:
    from studio.audio import CuePlayer
    from studio.people import PeopleDesk
    from studio.session import Session
    from studio.triggers.setup import TriggerOptions
    from studio.vision import Analyzer
    from studio.vision.ahead import MeshAhead
    from studio.vision.reference import Reference

log = logging.getLogger(__name__)


class FrameAnalyser(Protocol):
    """What the app needs of :class:`studio.vision.Analyzer` (tests pass a stand-in); a
    ``close()`` method, if it has one, is called on the vision thread at the end."""

    def analyse_frame(self, frame: LiveFrame, source: str) -> Analysis: ...

    def set_preset(self, name: str) -> None: ...

DEFAULT_PRESET = "commercial-headshot"


# Modes offered by the window's trigger chooser (keys always work); "interval" joins them when
# the run has an interval (see studio.triggers.setup.Triggers.modes).
TRIGGER_MODES = ("manual", "auto", "gesture", "sound", "countdown")
LIVE_VIEW_WAIT_S = 15.0  # for a connected camera to start live view


class StudioApp:
    """A running assistant: live view analysed frame by frame, readiness tracked, captures
    through one :class:`~studio.capture.CaptureController`.

    The analyser is created on the vision thread the first time it is needed, because MediaPipe
    graphs are confined to the thread that runs them. ``session`` (a
    :class:`~studio.session.Session`, also the camera's download sink) makes every capture
    checked, labelled and named by the session; ``cues`` is the audio cue player shared by the
    window, the countdown and the sound trigger's own-cue guard.
    """

    def __init__(self, camera: Camera, *, preset: str = DEFAULT_PRESET, hold_s: float = 0.4,
                 analyser_factory: Callable[[str], FrameAnalyser] | None = None,
                 source_name: str = "live", session: Session | None = None,
                 cues: CuePlayer | None = None,
                 trigger_options: TriggerOptions | None = None,
                 people: PeopleDesk | None = None, read_codes: bool = True,
                 reference: Reference | None = None) -> None:
        from studio.capture import CaptureController
        from studio.triggers.setup import TriggerOptions, Triggers

        self.camera = camera
        self.preset = preset
        self.source_name = source_name
        self.session = session
        self.cues = cues
        self.ready = ReadyMachine(hold_s=hold_s)
        self._factory: Callable[[str], FrameAnalyser] = analyser_factory or _default_analyser
        self._analyser: FrameAnalyser | None = None
        # The newest preset asked for from any thread, applied on the vision thread.
        self._presets: Latest[str] = Latest()
        self._preset_applied = 0  # sequence number in _presets of the one the analyser has
        # Live view's first stage (reduce, RGB, face mesh) one frame ahead on its own thread,
        # for the real analyser (studio.vision.ahead); a stand-in analyser takes frames as sent.
        self._ahead: MeshAhead | None = None
        self._opencv_threads: int | None = None  # OpenCV's thread count before start()
        if analyser_factory is None:
            from studio.vision.ahead import MeshAhead
            from studio.vision.presets import PresetError, load_preset

            try:  # the analysis size its frames are reduced to (the analyser's hints follow)
                side: float | None = load_preset(preset).thresholds.max_analysis_side
            except PresetError:
                side = None  # the analyser reports it, on its thread
            self._ahead = MeshAhead(side)
        self.loop = VisionLoop(camera.frames, self._analyse, on_exit=self._close_analyser,
                               prepare=self._ahead.prepare if self._ahead else None,
                               on_prepare_exit=self._ahead.close if self._ahead else None)
        self.loop.add_listener(self._update_ready)
        self.live = LiveWatch(camera.frames)
        self.live.add_listener(self._live_changed)
        self._unsubscribe_live = camera.add_listener(self.live.camera_event)
        # The consistency reference: set from any thread, kept in the session, applied to the
        # live analyser on the vision thread and read by the still check before each still.
        self.reference = ReferenceHolder(session.folder if session is not None else None, reference)
        processor = None
        if session is not None:
            from studio.session import ShotProcessor

            holder = self.reference
            processor = ShotProcessor(session, reference=lambda: holder.current)
        self.capture = CaptureController(camera, session=session, processor=processor, cues=cues)
        self.trigger_options = trigger_options or TriggerOptions()
        self.people = people
        self.read_codes = read_codes
        actions: dict[str, Callable[[], object]] = {}
        if people is not None:
            actions = {"next-person": people.next, "previous-person": people.previous}
            self.capture.add_listener(people.on_capture_event)
            people.add_listener(self._person_changed)
        # Built now, started by start(): the window subscribes to its status before that.
        self.triggers = Triggers(self.capture, self.trigger_options, frames=camera.frames,
                                 ready=self.ready, cues=cues, actions=actions)
        self.warnings: list[str] = []
        self.has_live_view = True  # False once the body says it cannot stream
        self._started = False
        self._aperture: float | None = None  # from the camera's settings, for the depth advice
        self._aperture_applied: float | None = None
        self.capture.add_listener(self._first_keeper)

    # -- analysis ------------------------------------------------------------------------

    def _analyse(self, frame: LiveFrame) -> Analysis:
        if self._analyser is None:
            self._analyser = self._factory(self.preset)
        seq, pending = self._presets.get()
        if pending and seq > self._preset_applied:
            self._preset_applied = seq
            self._analyser.set_preset(pending)
        aperture = self._aperture
        hint = getattr(self._analyser, "set_camera_hints", None)
        if hint is not None and aperture != self._aperture_applied:  # on the vision thread
            self._aperture_applied = aperture
            hint(aperture=aperture)
        self.reference.apply(self._analyser)
        analysis = self._analyser.analyse_frame(frame, self.source_name)
        hints = getattr(self._analyser, "ahead_hints", None)
        if self._ahead is not None and hints is not None:
            self._ahead.follow(*hints())  # what the first stage does for the next frames
        return analysis

    def _first_keeper(self, event: object) -> None:
        """A shot checked (the shot worker's thread): the first keeper may become the reference."""
        from studio.events import CaptureDone
        from studio.vision.presets import PresetError, load_preset

        if isinstance(event, CaptureDone) and self.reference.current is None:
            try:
                self.reference.on_capture(event.analysis, load_preset(self.preset))
            except PresetError as exc:
                log.debug("first keeper not considered: %s", exc)

    @property
    def camera_aperture(self) -> float | None:
        """The lens's f-number from the camera's settings (None until read, or unknown)."""
        return self._aperture

    def camera_settings_read(self, settings: Mapping[str, Setting]) -> None:
        """The camera's settings as read (any thread): the lens's f-number reaches the analyser
        before its next frame, so the depth-of-field advice can name it."""
        self._aperture = aperture_of(settings)

    def _read_camera_settings(self) -> None:
        def done(future: Future) -> None:
            if future.exception() is None:
                self.camera_settings_read(future.result())
            else:
                log.debug("camera settings not read: %s", future.exception())

        try:
            self.camera.settings().add_done_callback(done)
        except (CameraError, NotSupported) as exc:
            log.debug("camera settings not read: %s", exc)

    def _update_ready(self, analysis: Analysis) -> None:
        self.live.frame_seen(analysis.timestamp)
        if self.live.live:  # never READY on a picture that is not live
            self.ready.update(analysis)  # its transition goes to the machine's own listeners

    def _live_changed(self, state: LiveState) -> None:
        if not state.live:
            self.ready.reset(time.monotonic(), state.reason)

    @property
    def live_state(self) -> LiveState:
        return self.live.state

    def add_live_listener(self, listener: LiveListener) -> Callable[[], None]:
        """Hear :class:`~studio.events.LiveState` changes (from the watch or camera thread)."""
        return self.live.add_listener(listener)

    def _close_analyser(self) -> None:
        """On the vision thread, which created the MediaPipe graphs: they are thread-confined."""
        analyser, self._analyser = self._analyser, None
        closer = getattr(analyser, "close", None)
        if closer:
            closer()

    def set_preset(self, name: str) -> None:
        """Switch preset from any thread; applied on the vision thread before the next frame."""
        from studio.vision.presets import load_preset

        load_preset(name)  # validate now, in the caller's thread: a bad name is the caller's error
        self._presets.put(name)
        self.preset = name
        self.capture.set_preset(name)  # the still re-check and the sidecars, from the next shot
        self.ready.reset(time.monotonic(), "preset changed")

    def add_analysis_listener(self, listener: AnalysisListener) -> Callable[[], None]:
        return self.loop.add_listener(listener)

    # -- captures and triggers -----------------------------------------------------------

    def request_capture(self, source: str = "button") -> Decision:
        """A capture asked for by the photographer (button, Space); counts down in countdown mode."""
        countdown = self.trigger_options.countdown_s if self.trigger_mode == "countdown" else 0
        return self.capture.submit(TriggerEvent(source, time.monotonic(), countdown=countdown))

    @property
    def trigger_mode(self) -> str:
        return self.triggers.mode

    @property
    def trigger_modes(self) -> tuple[str, ...]:
        return self.triggers.modes

    @property
    def trigger_status(self) -> TriggerStatus:
        return self.triggers.status

    def add_status_listener(self, listener: StatusListener) -> Callable[[], None]:
        """Hear the active trigger's :class:`~studio.events.TriggerStatus` changes (any thread)."""
        return self.triggers.add_status_listener(listener)

    def set_trigger_mode(self, mode: str) -> None:
        """Switch the active trigger (window chooser); keys and the button always work. Never
        fires the camera. ValueError for an unknown mode."""
        self.triggers.set_mode(mode)
        self.trigger_options = replace(self.trigger_options, auto=mode == "auto",
                                       gesture=mode == "gesture", sound=mode == "sound")

    def press_key(self, qt_key: int) -> bool:
        """A key the window does not use itself (pedal, remote); True if it was mapped."""
        return self.triggers.keys.press_qt(qt_key)

    def _person_changed(self, event: PersonChanged) -> None:
        # The session has started the person's sequence; hands-free limits and rules start over.
        self.capture.new_sequence(session=False)
        self.triggers.on_person_changed(event)

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Connect, start live view, the vision loop and the triggers. Raises CameraError.

        A camera the driver is still waiting for (none plugged in) does not fail the start:
        :attr:`live_state` says "waiting for a camera" and live view starts when one comes."""
        if self.session is not None:
            self._session_hook("init")  # as gphoto2's hook: before the camera is opened
        self.camera.open()
        self._start_live_view()
        self._read_camera_settings()
        self.live.start()
        if self._ahead is not None and self._opencv_threads is None:
            from studio.vision.ahead import LIVE_OPENCV_THREADS, set_opencv_threads

            self._opencv_threads = set_opencv_threads(LIVE_OPENCV_THREADS)
        self.loop.start()
        self._started = True
        for warning in self.triggers.start():
            self.warnings.append(warning)
            log.warning("%s", warning)
        if self.people is not None and self.read_codes:
            self.people.watch_codes(self.camera.frames)
        if self.session is not None:
            self._session_hook("start")
            # Photos a crash left unchecked: checked on the shot worker, which owns the still
            # analyser, before any new shot.
            self.capture.process_leftovers()

    @property
    def waiting_for_camera(self) -> bool:
        """The driver has no camera yet and waits for one to be plugged in."""
        return str(self.camera.state) == "waiting" or self.live.state.reason.startswith(WAITING)

    def _start_live_view(self) -> None:
        future = self.camera.start_live_view()
        if self.waiting_for_camera:  # it starts when the camera comes: do not block on it
            log.warning("%s", self.live.state.reason)
            future.add_done_callback(self._live_view_result)
            return
        try:
            future.result(timeout=LIVE_VIEW_WAIT_S)
        except NotSupported as exc:  # a body without live view over USB still captures
            self._no_live_view(exc)
        except CameraError:
            self.camera.close()
            raise

    def _live_view_result(self, future: Future) -> None:
        exc = future.exception()
        if isinstance(exc, NotSupported):
            self._no_live_view(exc)
        elif exc is not None:
            log.warning("live view did not start: %s", exc)

    def _no_live_view(self, exc: Exception) -> None:
        self.has_live_view = False
        self.warnings.append(f"no live view: {exc}")
        log.warning("no live view: %s", exc)  # said once; the run goes on
        self.live.no_live_view()

    def stop(self) -> None:
        self.triggers.stop()
        if self.people is not None:
            self.people.close()
        self.capture.close()
        self.live.stop()
        # Long enough for a first frame whose models are still loading on a busy machine: a
        # process that exits while MediaPipe runs on another thread aborts.
        self.loop.stop(timeout=30.0)
        try:
            self.camera.close()
        finally:
            if self.loop.finished.is_set() or not self._started:
                self._close_analyser()  # normally done already, on the vision thread
            else:  # still inside a frame: closing its graphs under it could crash
                log.warning("vision thread did not stop; its models are left to process exit")
            if self.session is not None and self._started:
                self._session_hook("stop")
            self._started = False
            if self._opencv_threads is not None:
                from studio.vision.ahead import set_opencv_threads

                set_opencv_threads(self._opencv_threads)
                self._opencv_threads = None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the source ends (a non-looping recording); True if it did."""
        return self.loop.wait(timeout)

    def _session_hook(self, action: str) -> None:
        if self.session is None:
            return
        try:
            hook = self.session.hook()
            if hook is not None:
                hook.run(action, self.session.folder)
        except Exception as exc:  # a hook must never stop a shoot
            log.warning("hook %s: %s", action, exc)


def _default_analyser(preset: str) -> Analyzer:
    from studio.vision import Analyzer

    return Analyzer(preset, mode="live")
