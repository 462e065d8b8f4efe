"""Wiring: a camera, the vision loop, the READY state machine, and whoever listens to them.

:class:`StudioApp` is what both front ends drive: the Qt window (``studio.ui``) and the headless
runner (``studio.headless``). It owns no policy of its own; it connects the pieces:

    camera.frames ──> VisionLoop ──> Analysis ──> ReadyMachine ──> ReadyTransition
                                          └──────> overlay / audio / triggers / JSON printer
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from drivers.base import Camera, CameraError, LiveFrame, SourceError
from drivers.download import DownloadSink, FolderSink
from studio.analysis import Analysis
from studio.loop import AnalysisListener, VisionLoop
from studio.ready import ReadyMachine

log = logging.getLogger(__name__)

DEFAULT_PRESET = "commercial-headshot"
# Source specs that mean "the USB camera" rather than a file.
CAMERA_SPECS = ("camera", "usb", "gphoto")


def bundled_sample() -> Path:
    """The sample recording shipped with the package (made by scripts/make_sample_recording.py)."""
    return Path(str(resources.files("studio") / "data" / "sample.slv"))


def open_camera(spec: str | None, *, sink: DownloadSink | None = None, pace: str = "recorded",
                loop: bool = False, fps: float | None = None) -> Camera:
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
        stills = open_camera(capture_spec, sink=sink)
        return CompositeCamera(live=live, stills=stills)
    if spec in CAMERA_SPECS or spec.startswith("usb:"):
        from drivers.gphoto import GphotoCamera

        port = spec if spec.startswith("usb:") else None
        return GphotoCamera(port=port, sink=sink)
    from drivers.replay import open_source

    kwargs = {"pace": pace, "loop": loop, "sink": sink}
    if fps is not None:
        kwargs["fps"] = fps
    return open_source(spec, **kwargs)


class StudioApp:
    """A running assistant: live view analysed frame by frame, readiness tracked.

    The analyser is created on the vision thread the first time it is needed, because MediaPipe
    graphs are confined to the thread that runs them.
    """

    def __init__(self, camera: Camera, *, preset: str = DEFAULT_PRESET, hold_s: float = 0.4,
                 analyser_factory: Callable[[str], object] | None = None,
                 source_name: str = "live") -> None:
        self.camera = camera
        self.preset = preset
        self.source_name = source_name
        self.ready = ReadyMachine(hold_s=hold_s)
        self._factory = analyser_factory or _default_analyser
        self._analyser = None
        self._pending_preset: str | None = None
        self._lock = threading.Lock()
        self.loop = VisionLoop(camera.frames, self._analyse)
        self.loop.add_listener(self.ready.update)

    # -- analysis ------------------------------------------------------------------------

    def _analyse(self, frame: LiveFrame) -> Analysis:
        if self._analyser is None:
            self._analyser = self._factory(self.preset)
        with self._lock:
            pending, self._pending_preset = self._pending_preset, None
        if pending:
            self._analyser.set_preset(pending)
        return self._analyser.analyse_frame(frame, self.source_name)

    def set_preset(self, name: str) -> None:
        """Switch preset from any thread; applied on the vision thread before the next frame."""
        from studio.vision.presets import load_preset

        load_preset(name)  # validate now, in the caller's thread: a bad name is the caller's error
        with self._lock:
            self._pending_preset = name
        self.preset = name
        self.ready.reset()

    def add_analysis_listener(self, listener: AnalysisListener) -> Callable[[], None]:
        return self.loop.add_listener(listener)

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Connect, start live view and the vision loop. Raises CameraError with a hint."""
        self.camera.open()
        try:
            self.camera.start_live_view().result(timeout=15)
        except CameraError:
            self.camera.close()
            raise
        self.loop.start()

    def stop(self) -> None:
        self.loop.stop()
        try:
            self.camera.close()
        finally:
            closer = getattr(self._analyser, "close", None)
            if closer:
                closer()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the source ends (a non-looping recording); True if it did."""
        return self.loop.wait(timeout)


def _default_analyser(preset: str):
    from studio.vision import Analyzer

    return Analyzer(preset, mode="live")
