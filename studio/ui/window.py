"""The main window: live view (or the review of the last shot) with its overlay, the badges, the
headline (state word and the one instruction), the info strip with this person's filmstrip,
and the controls.

It takes its inputs through small seams, so it runs on anything that fills a
:class:`~drivers.base.LatestFrameSlot` and posts analyses: ``show_analysis``, ``show_ready``,
``show_camera_state``, ``show_capture``, ``show_person``, ``show_trigger_status``,
``show_live_state``, ``set_stats``, ``show_settings`` (GUI thread), or the thread-safe
``bridge`` signals from any thread. What the user asks for leaves as signals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PyQt5.QtCore import Qt, pyqtBoundSignal, pyqtSignal
from PyQt5.QtGui import QCloseEvent, QKeyEvent, QResizeEvent
from PyQt5.QtWidgets import (
    QComboBox,
    QDockWidget,
    QMainWindow,
    QStackedWidget,
)

from drivers.base import CameraEvent, FileAdded, LatestFrameSlot, Setting, StateChanged
from studio.analysis import CHECK_IDS, Analysis
from studio.live import NO_LIVE_VIEW
from studio.ready import ReadyState, ReadyTransition
from studio.ui import style
from studio.ui.controls import ControlBar
from studio.ui.feed import EventBridge, FrameFeed
from studio.ui.guides import Guides
from studio.ui.headline import Headline, headline_words
from studio.ui.help import HelpOverlay
from studio.ui.info import InfoStrip
from studio.ui.keys import handle_key
from studio.ui.layout import central_widget
from studio.ui.liveview import LiveView
from studio.ui.panel import StatusPanel
from studio.ui.people import NameInput
from studio.ui.review import ReviewView, Shot
from studio.ui.settings import SettingsPanel
from studio.ui.shots import ShotDesk

log = logging.getLogger(__name__)

REVIEW_S = 4.0  # default time a new shot stays up; 0 = until a key


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
    # A review key on a shot: path, rating (0-5), colour label, rejected; None = leave as it is.
    review_changed = pyqtSignal(str, object, object, object)
    next_person_wanted = pyqtSignal()
    previous_person_wanted = pyqtSignal()
    person_name_entered = pyqtSignal(str)

    def __init__(self, frames: LatestFrameSlot, *, presets: tuple[str, ...] = (), preset: str = "",
                 trigger_modes: tuple[str, ...] = ("manual",), trigger_mode: str = "manual",
                 muted: bool = False, volume: float = 0.7, guides: Guides | None = None,
                 check_ids: tuple[str, ...] = CHECK_IDS, review_s: float = REVIEW_S) -> None:
        super().__init__()
        self.setWindowTitle("studio")
        self.feed = FrameFeed(frames, self)
        self.bridge = EventBridge(self)
        # Keys the window does not use itself go here (Qt key code -> handled?): pedals, remotes.
        self.key_trigger: Callable[[int], bool] | None = None
        self.state = ReadyState.NOT_READY  # the READY machine's state
        self.analysis: Analysis | None = None
        self._last_transition: ReadyTransition | None = None
        self.live, self.live_reason = True, ""
        self.person_name = ""
        self.person_index: int | None = None  # the desk's index: two people may share a name
        # Without a session no CaptureDone comes: the camera's FileAdded events are the shots.
        self.files_from_camera = True
        self.client: Any = None  # the client's screen (studio.ui.client_screens), when one is open
        self.reference_holder: Any = None  # the run's consistency reference (studio.consistency), R sets it

        self.view = LiveView(self.feed)
        self.view.set_guides(guides or Guides())
        self.review = ReviewView()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.review)
        self.headline = Headline()
        self.info = InfoStrip()
        self.panel = StatusPanel(check_ids)
        self._build_controls(presets, preset, trigger_modes, trigger_mode, muted, volume)
        self._build_layout()
        self._build_extras(review_s)
        self._connect()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.resize(1280, 800)
        self.feed.start()

    # -- building ------------------------------------------------------------------------

    def _build_extras(self, review_s: float) -> None:
        """The settings dock, the help overlay, the name input and the shots under review."""
        self.settings_panel = SettingsPanel()
        self.settings_panel.setting_changed.connect(self.setting_changed)
        self.settings_dock = QDockWidget("Camera settings", self)
        self.settings_dock.setWidget(self.settings_panel)
        self.settings_dock.setFeatures(QDockWidget.DockWidgetClosable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.settings_dock)
        self.settings_dock.hide()
        self.help = HelpOverlay(self)
        self.name_input = NameInput(self.stack)
        self.name_input.entered.connect(self.person_name_entered)
        self.desk = ShotDesk(self, review_s)

    def _connect(self) -> None:
        """Frames, analyses and events from other threads arrive here as queued signals."""
        self.feed.frame_ready.connect(self._on_frame)
        self.bridge.analysis_ready.connect(self._on_analysis)
        self.bridge.transition.connect(self.show_ready)
        self.bridge.camera_event.connect(self._on_camera_event)
        self.bridge.settings_loaded.connect(self.show_settings)
        self.bridge.message.connect(self.info.show_message)
        self.bridge.capture_done.connect(self.show_capture)
        self.bridge.capture_person.connect(self.desk.note_person)
        self.bridge.countdown.connect(self.view.set_countdown)
        self.bridge.capture_started.connect(self.end_review)
        self.bridge.trigger_status.connect(self.show_trigger_status)
        self.bridge.live_state.connect(self.show_live_state)
        self.bridge.person_changed.connect(self.show_person)
        self.bridge.review_saved.connect(self.desk.on_review_saved)

    def _build_controls(self, presets: tuple[str, ...], preset: str, trigger_modes: tuple[str, ...],
                        trigger_mode: str, muted: bool, volume: float) -> None:
        bar = self.controls = ControlBar(presets, preset, trigger_modes, trigger_mode, muted, volume)
        self.capture_button, self.live_button, self.mute_button = bar.capture, bar.live, bar.mute
        self.zoom_button, self.guides_button, self.help_button = bar.zoom, bar.guides, bar.help
        self.settings_button, self.volume_slider = bar.settings, bar.volume
        self.preset_box, self.trigger_box = bar.preset_box, bar.trigger_box
        self.trigger_state = bar.trigger_state
        self.capture_button.clicked.connect(self.capture_requested)
        self.live_button.toggled.connect(self._set_live)
        self.preset_box.activated[str].connect(self._choose_preset)
        self.trigger_box.activated[str].connect(self.trigger_mode_chosen)
        self.mute_button.toggled.connect(self.mute_toggled)
        self.volume_slider.valueChanged.connect(lambda v: self.volume_changed.emit(v / 100))
        self.zoom_button.toggled.connect(self._set_zoom)
        self.guides_button.toggled.connect(self._set_guides_visible)
        self.settings_button.clicked.connect(self.toggle_settings)
        self.help_button.clicked.connect(self.toggle_help)

    def _build_layout(self) -> None:
        self.setCentralWidget(central_widget(self.stack, self.info, self.panel, self.headline,
                                             self.controls))

    def update_scale(self) -> None:
        """Every size follows the window and the screen's logical DPI (style.scale_for)."""
        screen = self.screen()
        dpi = screen.logicalDotsPerInch() if screen is not None else style.BASE_DPI
        value = style.scale_for(self.width(), self.height(), dpi)
        if abs(value - style.scale()) < 0.01 and getattr(self, "_scaled", False):
            return
        self._scaled = True
        style.set_scale(value)
        for part in (self.headline, self.info, self.panel, self.controls):
            part.apply_scale()
        self.view.update()
        self.review.update()

    # -- inputs (GUI thread; other threads use self.bridge) --------------------------------

    def show_analysis(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.view.show_analysis(analysis)
        under_review = self.desk.reviewing
        if under_review is None or under_review.analysis is None:  # else the badges are the still's
            self.panel.show_analysis(analysis)
        self._refresh_headline()

    def show_ready(self, transition: ReadyTransition) -> None:
        self.state = transition.state
        self._last_transition = transition
        self._refresh_headline()

    @property
    def no_live_view(self) -> bool:
        """The body cannot stream live view: its latest still is what the window shows."""
        return not self.live and self.live_reason.startswith(NO_LIVE_VIEW)

    @property
    def shown_state(self) -> ReadyState:
        """What the window shows: never READY while no live frames arrive."""
        return self.state if self.live else ReadyState.NOT_READY

    def _refresh_headline(self) -> None:
        state = self.shown_state
        self.view.set_state(state)
        self.headline.show_state(*headline_words(state, self.live, self.live_reason, self.analysis,
                                                 self._last_transition))

    def show_camera_state(self, event: StateChanged) -> None:
        # READY itself changes only through show_ready: the state machine is the one source.
        self.info.show_camera_state(event.state.value, event.reason)

    def show_live_state(self, event: Any) -> None:
        """A ``studio.events.LiveState``: frames flowing or not, and why."""
        self.live, self.live_reason = bool(event.live), str(event.reason)
        self.view.set_live_reason("" if self.live else self.live_reason)
        self._refresh_headline()
        if self.no_live_view and self.shots:
            self.desk.show_review(self.shots[-1], hold=True)  # a body without live view: its stills

    def show_person(self, event: Any) -> None:
        """A ``studio.events.PersonChanged``: the name, "3 of 10", and a fresh filmstrip."""
        index = getattr(event, "index", None)
        if event.person_name != self.person_name or index != self.person_index:  # two Jane Does
            self.desk.clear()
        self.person_name, self.person_index = event.person_name, index
        self.info.show_person(event.person_name, event.index, event.total)
        self.desk.refresh_strip()

    def show_trigger_status(self, status: Any) -> None:
        """A ``studio.events.TriggerStatus``: the chooser shows the ACTIVE trigger and its state."""
        progress = str(getattr(status, "progress", ""))
        self.controls.show_trigger(str(status.mode), bool(status.armed), str(status.reason), progress)
        self.info.show_trigger(str(status.mode), bool(status.armed), str(status.reason), progress)

    def set_session(self, name: str, shots: int = 0) -> None:
        self.desk.session_name, self.desk.shot_count = name, shots
        self.desk.refresh_strip()

    def show_capture(self, path: Path | str | None, verdict: Analysis | None = None,
                     error: str = "") -> None:
        """A downloaded shot: decoded off the GUI thread, then reviewed large and filmstripped."""
        self.desk.show_capture(path, verdict, error)

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

    # -- review ----------------------------------------------------------------------------

    @property
    def reviewing(self) -> Shot | None:
        return self.desk.reviewing

    @property
    def shots(self) -> list[Shot]:
        return self.desk.shots

    @property
    def review_s(self) -> float:
        return self.desk.review_s

    @review_s.setter
    def review_s(self, seconds: float) -> None:
        self.desk.review_s = seconds

    def end_review(self) -> None:
        self.desk.end_review()

    def review_shot(self, *, rating: int | None = None, label: str | None = None,
                    rejected: bool | None = None) -> None:
        self.desk.review_shot(rating=rating, label=label, rejected=rejected)

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
            if self.files_from_camera:
                self.show_capture(event.path, None)
        elif hasattr(event, "message"):
            if getattr(event, "code", "") == "live-view" and "source connected" in event.message:
                self.info.set_source(event.message)  # where live view comes from: a diagnostic (D)
            else:
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

    def cycle(self, box: QComboBox, signal: pyqtBoundSignal) -> None:
        if box.count() > 1:
            box.setCurrentIndex((box.currentIndex() + 1) % box.count())
            signal.emit(box.currentText())

    # -- Qt ------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent | None) -> None:  # noqa: N802
        if event is None:  # the stubs allow it; Qt never sends one
            return
        if handle_key(self, event):
            return
        if self.key_trigger is not None and not event.isAutoRepeat() and self.key_trigger(event.key()):
            self.end_review()  # a foot pedal or presenter remote key, mapped to an action
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent | None) -> None:  # noqa: N802
        self.update_scale()
        self.help.setGeometry(self.rect())
        super().resizeEvent(event)

    def closeEvent(self, event: QCloseEvent | None) -> None:  # noqa: N802
        self.feed.stop()
        if self.client is not None:
            self.client.close()
        super().closeEvent(event)
