"""The main window: live view with its overlay, the status panel, the info strip and controls.

It takes its inputs through small seams, so it runs on anything that fills a
:class:`~drivers.base.LatestFrameSlot` and posts analyses: ``show_analysis``, ``show_ready``,
``show_camera_state``, ``show_capture``, ``set_stats``, ``show_settings`` (GUI thread), or the
thread-safe ``bridge.post_*`` methods from any thread. What the user asks for leaves as signals.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PyQt5.QtCore import QSize, Qt, pyqtBoundSignal, pyqtSignal
from PyQt5.QtGui import QCloseEvent, QImageReader, QKeyEvent, QResizeEvent
from PyQt5.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from drivers.base import CameraEvent, FileAdded, LatestFrameSlot, Setting, StateChanged
from studio.analysis import CHECK_IDS, Analysis
from studio.guidance import describe_transition, label
from studio.ready import ReadyState, ReadyTransition
from studio.ui import style
from studio.ui.feed import EventBridge, FrameFeed
from studio.ui.guides import Guides
from studio.ui.help import HelpOverlay
from studio.ui.liveview import LiveView
from studio.ui.panel import InfoStrip, StatusPanel
from studio.ui.settings import SettingsPanel

log = logging.getLogger(__name__)

THUMB_SIZE = QSize(300, 224)


class MainWindow(QMainWindow):
    capture_requested = pyqtSignal()
    live_view_toggled = pyqtSignal(bool)
    preset_chosen = pyqtSignal(str)
    trigger_mode_chosen = pyqtSignal(str)
    setting_changed = pyqtSignal(str, str)
    mute_toggled = pyqtSignal(bool)
    volume_changed = pyqtSignal(float)
    zoom_toggled = pyqtSignal(bool)
    settings_wanted = pyqtSignal()  # the settings panel opened: (re)read the camera's settings

    _thumbnail_ready = pyqtSignal(str, object, object, str)  # name, QImage, verdict, error

    def __init__(self, frames: LatestFrameSlot, *, presets: tuple[str, ...] = (), preset: str = "",
                 trigger_modes: tuple[str, ...] = ("manual",), trigger_mode: str = "manual",
                 muted: bool = False, volume: float = 0.7, guides: Guides | None = None,
                 check_ids: tuple[str, ...] = CHECK_IDS) -> None:
        super().__init__()
        self.setWindowTitle("studio")
        self.resize(1280, 800)
        self.feed = FrameFeed(frames, self)
        self.bridge = EventBridge(self)
        # Keys the window does not use itself go here (Qt key code -> handled?): pedals, remotes.
        self.key_trigger: Callable[[int], bool] | None = None
        self.state = ReadyState.NOT_READY
        self.analysis: Analysis | None = None
        self._last_transition: ReadyTransition | None = None

        self.view = LiveView(self.feed)
        self.view.set_guides(guides or Guides())
        self.info = InfoStrip()
        self.panel = StatusPanel(check_ids)
        self._build_controls(presets, preset, trigger_modes, trigger_mode, muted, volume)
        self._build_layout()
        self.settings_panel = SettingsPanel()
        self.settings_panel.setting_changed.connect(self.setting_changed)
        self.settings_dock = QDockWidget("Camera settings", self)
        self.settings_dock.setWidget(self.settings_panel)
        self.settings_dock.setFeatures(QDockWidget.DockWidgetClosable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.settings_dock)
        self.settings_dock.hide()
        self.help = HelpOverlay(self)

        self.feed.frame_ready.connect(self._on_frame)
        self.bridge.analysis_ready.connect(self._on_analysis)
        self.bridge.transition.connect(self.show_ready)
        self.bridge.camera_event.connect(self._on_camera_event)
        self.bridge.settings_loaded.connect(self.show_settings)
        self.bridge.message.connect(self.info.show_message)
        self.bridge.capture_done.connect(self.show_capture)
        self._thumbnail_ready.connect(self.info.show_capture)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.feed.start()

    # -- building ------------------------------------------------------------------------

    def _button(self, text: str, checkable: bool = False, checked: bool = False) -> QPushButton:
        button = QPushButton(text)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # every key goes to the window's shortcuts
        button.setFont(style.font(16, bold=True))
        button.setMinimumHeight(40)
        button.setCheckable(checkable)
        button.setChecked(checked)
        return button

    def _build_controls(self, presets: tuple[str, ...], preset: str, trigger_modes: tuple[str, ...],
                        trigger_mode: str, muted: bool, volume: float) -> None:
        self.capture_button = self._button("\u25cf Capture")
        self.capture_button.clicked.connect(self.capture_requested)
        self.live_button = self._button("Live view", checkable=True, checked=True)
        self.live_button.toggled.connect(self._set_live)
        self.preset_box = self._combo(presets or ((preset,) if preset else ()), preset)
        self.preset_box.activated[str].connect(self._choose_preset)
        self.trigger_box = self._combo(trigger_modes, trigger_mode)
        self.trigger_box.activated[str].connect(self.trigger_mode_chosen)
        self.mute_button = self._button("Mute", checkable=True, checked=muted)
        self.mute_button.toggled.connect(self.mute_toggled)
        self.volume_slider = QSlider(Qt.Orientation.Horizontal)
        self.volume_slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setValue(round(volume * 100))
        self.volume_slider.setFixedWidth(110)
        self.volume_slider.valueChanged.connect(lambda v: self.volume_changed.emit(v / 100))
        self.zoom_button = self._button("Zoom eyes", checkable=True)
        self.zoom_button.toggled.connect(self._set_zoom)
        self.guides_button = self._button("Guides", checkable=True, checked=True)
        self.guides_button.toggled.connect(self._set_guides_visible)
        self.settings_button = self._button("Settings")
        self.settings_button.clicked.connect(self.toggle_settings)
        self.help_button = self._button("?")
        self.help_button.clicked.connect(self.toggle_help)

    def _combo(self, items: tuple[str, ...], current: str) -> QComboBox:
        box = QComboBox()
        box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        box.setFont(style.font(16))
        box.addItems(list(items))
        if current in items:
            box.setCurrentIndex(list(items).index(current))
        return box

    def _build_layout(self) -> None:
        controls = QHBoxLayout()
        controls.setContentsMargins(8, 4, 8, 4)
        for widget in (self.capture_button, self.live_button, _caption("preset"), self.preset_box,
                       _caption("trigger"), self.trigger_box, self.mute_button, self.volume_slider,
                       self.zoom_button, self.guides_button, self.settings_button):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.help_button)
        left = QVBoxLayout()
        left.setSpacing(0)
        left.addWidget(self.view, 1)
        left.addWidget(self.info)
        top = QHBoxLayout()
        top.setSpacing(0)
        top.setContentsMargins(0, 0, 0, 0)
        top.addLayout(left, 1)
        top.addWidget(self.panel)
        outer = QVBoxLayout()
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addLayout(top, 1)
        outer.addLayout(controls)
        central = QWidget()
        central.setLayout(outer)
        central.setAutoFillBackground(True)
        pal = central.palette()
        pal.setColor(central.backgroundRole(), style.PANEL)
        pal.setColor(central.foregroundRole(), style.TEXT)
        central.setPalette(pal)
        self.setCentralWidget(central)

    # -- inputs (GUI thread; other threads use self.bridge.post_*) -------------------------

    def show_analysis(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.view.show_analysis(analysis)
        self.panel.show_analysis(analysis)
        if self.state is ReadyState.NOT_READY:
            self.panel.banner.set_detail(self._problem_line(analysis))

    def show_ready(self, transition: ReadyTransition) -> None:
        self.state = transition.state
        self._last_transition = transition
        self.view.set_state(transition.state)
        detail = {ReadyState.READY: "take the picture", ReadyState.HOLDING: "all checks pass"}.get(
            transition.state, "")
        if transition.state is ReadyState.NOT_READY:
            detail = self._problem_line(self.analysis, transition)
        self.panel.banner.show_transition(transition, detail)

    def show_camera_state(self, event: StateChanged) -> None:
        # READY itself changes only through show_ready: the state machine is the one source.
        self.info.show_camera_state(event.state.value, event.reason)

    def show_capture(self, path: Path | str | None, verdict: Analysis | None = None,
                     error: str = "") -> None:
        """The last capture's thumbnail (decoded off the GUI thread) and its verdict."""
        if path is None:
            self.info.show_capture("failed", None, None, error or "capture failed")
            return
        path = Path(path)

        def load() -> None:
            reader = QImageReader(str(path))
            size = reader.size()
            if size.isValid():
                reader.setScaledSize(size.scaled(THUMB_SIZE, Qt.AspectRatioMode.KeepAspectRatio))
            image = reader.read()
            self._thumbnail_ready.emit(path.name, image if not image.isNull() else None, verdict, error)

        threading.Thread(target=load, name="thumbnail", daemon=True).start()

    def set_stats(self, analysis_fps: float, latency_ms: float) -> None:
        self.info.set_stats(self.view.display_fps, analysis_fps, latency_ms)

    def show_settings(self, settings: dict[str, Setting]) -> None:
        self.settings_panel.show_settings(settings)

    def set_guides(self, guides: Guides) -> None:
        self.view.set_guides(guides)
        self.guides_button.setChecked(guides.visible)

    def painted_current_analysis(self) -> bool:
        """The picture on screen carries the newest analysis's boxes."""
        record = self.view.last_paint
        return (record is not None and self.analysis is not None and record.geometry
                and record.analysis_frame == self.analysis.frame)

    @staticmethod
    def _problem_line(analysis: Analysis | None, t: ReadyTransition | None = None) -> str:
        if analysis is not None and analysis.faces == 0:
            return "no face in the frame"
        if analysis is not None and analysis.problems:
            first = analysis.problems[0]
            return f"{label(first.id)}: {first.message}" if first.message else label(first.id)
        if t is not None:
            return describe_transition(t).partition(": ")[2]
        return ""

    # -- slots ---------------------------------------------------------------------------

    def _on_frame(self) -> None:
        frame = self.feed.take()
        if frame is not None:
            self.view.show_frame(frame)
            if frame.frame_hist is not None:
                self.info.histogram.set_hists(frame.frame_hist, frame.face_hist)

    def _on_analysis(self) -> None:
        analysis = self.bridge.take_analysis()
        if analysis is not None:
            self.show_analysis(analysis)

    def _on_camera_event(self, event: CameraEvent) -> None:
        if isinstance(event, StateChanged):
            self.show_camera_state(event)
        elif isinstance(event, FileAdded):
            self.show_capture(event.path, None)
        elif hasattr(event, "message"):
            self.info.show_message(event.message)

    def _set_live(self, on: bool) -> None:
        self.view.live = on
        self.view.update()
        self.live_view_toggled.emit(on)

    def _set_zoom(self, on: bool) -> None:
        self.view.set_zoom(on)
        self.zoom_toggled.emit(on)

    def _set_guides_visible(self, on: bool) -> None:
        g = self.view.guides
        self.view.set_guides(Guides(g.thirds, g.crop, g.eye_band, g.headroom, on))

    def _choose_preset(self, name: str) -> None:
        self.preset_chosen.emit(name)

    def toggle_settings(self) -> None:
        show = not self.settings_dock.isVisible()
        self.settings_dock.setVisible(show)
        if show:
            self.settings_wanted.emit()

    def toggle_help(self) -> None:
        self.help.setGeometry(self.rect())
        self.help.setVisible(not self.help.isVisible())
        self.help.raise_()

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def _cycle(self, box: QComboBox, signal: pyqtBoundSignal) -> None:
        if box.count() > 1:
            box.setCurrentIndex((box.currentIndex() + 1) % box.count())
            signal.emit(box.currentText())

    # -- Qt ------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent | None) -> None:  # noqa: N802
        if event is None:  # the stubs allow it; Qt never sends one
            return
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key.Key_Q and mods & Qt.KeyboardModifier.ControlModifier:
            self.close()
        elif key == Qt.Key.Key_Question or event.text() == "?":
            self.toggle_help()
        elif key == Qt.Key.Key_Escape:
            if self.help.isVisible():
                self.help.hide()
            elif self.isFullScreen():
                self.showNormal()
        elif key == Qt.Key.Key_Space:
            if not event.isAutoRepeat():  # holding Space must not fire a burst
                self.capture_requested.emit()
        elif key == Qt.Key.Key_F:
            self.toggle_full_screen()
        elif key == Qt.Key.Key_L:
            self.live_button.toggle()
        elif key == Qt.Key.Key_Z:
            self.zoom_button.toggle()
        elif key == Qt.Key.Key_G:
            self.guides_button.toggle()
        elif key == Qt.Key.Key_C:
            self.view.set_guides(self.view.guides.next_crop())
        elif key == Qt.Key.Key_M:
            self.mute_button.toggle()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.volume_slider.setValue(self.volume_slider.value() + 10)
        elif key == Qt.Key.Key_Minus:
            self.volume_slider.setValue(self.volume_slider.value() - 10)
        elif key == Qt.Key.Key_S:
            self.toggle_settings()
        elif key == Qt.Key.Key_P:
            self._cycle(self.preset_box, self.preset_chosen)
        elif key == Qt.Key.Key_T:
            self._cycle(self.trigger_box, self.trigger_mode_chosen)
        elif self.key_trigger is not None and not event.isAutoRepeat() and self.key_trigger(key):
            pass  # a foot pedal or presenter remote key, mapped to a capture or a countdown
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent | None) -> None:  # noqa: N802
        self.help.setGeometry(self.rect())
        super().resizeEvent(event)

    def closeEvent(self, event: QCloseEvent | None) -> None:  # noqa: N802
        self.feed.stop()
        super().closeEvent(event)


def _caption(text: str) -> QLabel:
    lab = QLabel(text)
    lab.setFont(style.font(14))
    return lab
