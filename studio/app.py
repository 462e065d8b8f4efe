"""Wiring: a camera, the vision loop, the READY state machine, and whoever listens to them.

:class:`StudioApp` is what both front ends drive: the Qt window (``studio.ui``) and the headless
runner (``studio.headless``). It owns no policy of its own; it connects the pieces:

    camera.frames ──> VisionLoop ──> Analysis ──> ReadyMachine ──> ReadyTransition
                                          └──────> overlay / audio / triggers / JSON printer
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from drivers.base import Camera, CameraError, LiveFrame, NotSupported, SourceError
from drivers.download import DownloadSink, FolderSink
from drivers.mailbox import Latest
from studio.analysis import Analysis
from studio.events import Decision, TriggerEvent
from studio.loop import AnalysisListener, VisionLoop
from studio.ready import ReadyMachine

if TYPE_CHECKING:
    from studio.audio import CuePlayer
    from studio.session import Session
    from studio.triggers.setup import TriggerOptions, Triggers
    from studio.vision import Analyzer

log = logging.getLogger(__name__)


class FrameAnalyser(Protocol):
    """What the app needs of :class:`studio.vision.Analyzer` (tests pass a stand-in); a
    ``close()`` method, if it has one, is called on the vision thread at the end."""

    def analyse_frame(self, frame: LiveFrame, source: str) -> Analysis: ...

    def set_preset(self, name: str) -> None: ...

DEFAULT_PRESET = "commercial-headshot"
# Source specs that mean "the USB camera" rather than a file.
CAMERA_SPECS = ("camera", "usb", "gphoto")


def bundled_sample() -> Path:
    """The sample recording shipped with the package (made by scripts/make_sample_recording.py)."""
    return Path(str(resources.files("studio") / "data" / "sample.slv"))


def open_camera(spec: str | None, *, sink: DownloadSink | None = None, pace: str = "recorded",
                loop: bool = False, fps: float | None = None,
                delete_after_download: bool = False) -> Camera:
    """A driver for ``spec``: None for the bundled sample, a path (recording, video, JPEG
    folder), ``camera`` / ``usb:BUS,DEV`` for a camera on USB, or ``LIVE+camera`` for live view
    from a recording with captures on the USB camera (composite).
    """
    sink = sink or FolderSink(Path("captures"))
    if spec is None:
        spec = str(bundled_sample())
        if not Path(spec).exists():
            raise SourceError("the bundled sample recording is missing",
                              "reinstall studio or pass --source PATH")
    if "+" in spec and not Path(spec).exists():
        live_spec, _, capture_spec = spec.partition("+")
        from drivers.composite import CompositeCamera

        live = open_camera(live_spec, sink=sink, pace=pace, loop=loop, fps=fps)
        stills = open_camera(capture_spec, sink=sink, delete_after_download=delete_after_download)
        return CompositeCamera(live=live, stills=stills)
    if spec in CAMERA_SPECS or spec.startswith("usb:"):
        from drivers.gphoto import GphotoCamera, GphotoOptions

        port = spec if spec.startswith("usb:") else None
        options = GphotoOptions(port=port, delete_after_download=delete_after_download)
        return GphotoCamera(sink, options)
    from drivers.replay import open_source

    kwargs: dict[str, Any] = {"pace": pace, "loop": loop, "sink": sink}
    if fps is not None:
        kwargs["fps"] = fps
    return open_source(spec, **kwargs)


# Modes offered by the window's trigger chooser; each maps to TriggerOptions (keys always work).
TRIGGER_MODES = ("manual", "auto", "gesture", "sound", "countdown")


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
                 trigger_options: TriggerOptions | None = None) -> None:
        from studio.capture import CaptureController
        from studio.triggers.setup import TriggerOptions

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
        self.loop = VisionLoop(camera.frames, self._analyse, on_exit=self._close_analyser)
        self.loop.add_listener(self._update_ready)
        processor = None
        if session is not None:
            from studio.session import ShotProcessor

            processor = ShotProcessor(session)
        self.capture = CaptureController(camera, session=session, processor=processor, cues=cues)
        self.trigger_options = trigger_options or TriggerOptions()
        self.trigger_modes = TRIGGER_MODES
        self.trigger_mode = _mode_of(self.trigger_options)
        self.triggers: Triggers | None = None
        self.warnings: list[str] = []
        self.has_live_view = True  # False once the body says it cannot stream
        self._started = False

    # -- analysis ------------------------------------------------------------------------

    def _analyse(self, frame: LiveFrame) -> Analysis:
        if self._analyser is None:
            self._analyser = self._factory(self.preset)
        seq, pending = self._presets.get()
        if pending and seq > self._preset_applied:
            self._preset_applied = seq
            self._analyser.set_preset(pending)
        return self._analyser.analyse_frame(frame, self.source_name)

    def _update_ready(self, analysis: Analysis) -> None:
        self.ready.update(analysis)  # its transition goes to the machine's own listeners

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
        self.ready.reset()

    def add_analysis_listener(self, listener: AnalysisListener) -> Callable[[], None]:
        return self.loop.add_listener(listener)

    # -- captures and triggers -----------------------------------------------------------

    def request_capture(self, source: str = "button") -> Decision:
        """A capture asked for by the photographer (button, Space); counts down in countdown mode."""
        countdown = self.trigger_options.countdown_s if self.trigger_mode == "countdown" else 0
        return self.capture.submit(TriggerEvent(source, time.monotonic(), countdown=countdown))

    def set_trigger_mode(self, mode: str) -> None:
        """Switch the hands-free trigger (window chooser); keys and the button always work."""
        if mode not in TRIGGER_MODES:
            raise ValueError(f"unknown trigger mode {mode!r}; modes: {', '.join(TRIGGER_MODES)}")
        self.trigger_options = replace(self.trigger_options, auto=mode == "auto",
                                       gesture=mode == "gesture", sound=mode == "sound")
        self.trigger_mode = mode
        if self._started:
            self._restart_triggers()

    def _restart_triggers(self) -> None:
        from studio.triggers.setup import Triggers

        if self.triggers is not None:
            self.triggers.stop()
        self.triggers = Triggers(self.capture, self.trigger_options, frames=self.camera.frames,
                                 ready=self.ready, cues=self.cues)
        for warning in self.triggers.start():
            self.warnings.append(warning)
            log.warning("%s", warning)

    def press_key(self, qt_key: int) -> bool:
        """A key the window does not use itself (pedal, remote); True if it was mapped."""
        return self.triggers is not None and self.triggers.keys.press_qt(qt_key)

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Connect, start live view, the vision loop and the triggers. Raises CameraError."""
        if self.session is not None:
            self._session_hook("init")  # as gphoto2's hook: before the camera is opened
        self.camera.open()
        try:
            self.camera.start_live_view().result(timeout=15)
        except NotSupported as exc:  # a body without live view over USB still captures
            self.has_live_view = False
            self.warnings.append(f"no live view: {exc}")
            log.warning("no live view: %s", exc)  # said once; the run goes on
        except CameraError:
            self.camera.close()
            raise
        self.loop.start()
        self._started = True
        self._restart_triggers()
        if self.session is not None:
            self._session_hook("start")
            # Photos a crash left unchecked: checked on the shot worker, which owns the still
            # analyser, before any new shot.
            self.capture.process_leftovers()

    def stop(self) -> None:
        if self.triggers is not None:
            self.triggers.stop()
            self.triggers = None
        self.capture.close()
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


def _mode_of(options: TriggerOptions) -> str:
    for mode in ("auto", "gesture", "sound"):
        if getattr(options, mode):
            return mode
    return "manual"


def _default_analyser(preset: str) -> Analyzer:
    from studio.vision import Analyzer

    return Analyzer(preset, mode="live")
