"""The bar of buttons and choosers under everything. Nothing in it takes the keyboard focus, so
every key reaches the window's shortcuts; the window connects what they do."""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from studio.ui import style


class ControlBar(QWidget):
    def __init__(self, presets: tuple[str, ...], preset: str, trigger_modes: tuple[str, ...],
                 trigger_mode: str, muted: bool, volume: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.capture = _button("\u25cf Capture")
        self.live = _button("Live view", checkable=True, checked=True)
        self.preset_box = _combo(presets or ((preset,) if preset else ()), preset)
        self.trigger_box = _combo(trigger_modes, trigger_mode)
        self.trigger_state = QLabel("")  # the active trigger: armed, why not, progress
        self.mute = _button("Mute", checkable=True, checked=muted)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.volume.setRange(0, 100)
        self.volume.setValue(round(volume * 100))
        self.zoom = _button("Zoom eyes", checkable=True)
        self.guides = _button("Guides", checkable=True, checked=True)
        self.settings = _button("Settings")
        self.help = _button("?")
        self.captions = (QLabel("preset"), QLabel("trigger"))
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        for widget in (self.capture, self.live, self.captions[0], self.preset_box, self.captions[1],
                       self.trigger_box, self.trigger_state, self.mute, self.volume, self.zoom,
                       self.guides, self.settings):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.help)
        self.apply_scale()

    def show_trigger(self, mode: str, armed: bool, reason: str, progress: str = "") -> None:
        """The ACTIVE trigger in the chooser (added if it is not offered, e.g. interval) and its state."""
        if self.trigger_box.findText(mode) < 0:
            self.trigger_box.addItem(mode)
        self.trigger_box.setCurrentIndex(self.trigger_box.findText(mode))
        text = "armed" if armed else (reason or "not armed")
        self.trigger_state.setText(f"{progress} \u00b7 {text}" if progress else text)

    def apply_scale(self) -> None:
        for button in (self.capture, self.live, self.mute, self.zoom, self.guides, self.settings, self.help):
            button.setFont(style.font(16, bold=True))
            button.setMinimumHeight(style.px(40))
        for box in (self.preset_box, self.trigger_box):
            box.setFont(style.font(16))
        for lab in (self.trigger_state, *self.captions):
            lab.setFont(style.font(14))
        self.volume.setFixedWidth(style.px(110))


def _button(text: str, checkable: bool = False, checked: bool = False) -> QPushButton:
    button = QPushButton(text)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # every key goes to the window's shortcuts
    button.setCheckable(checkable)
    button.setChecked(checked)
    return button


def _combo(items: tuple[str, ...], current: str) -> QComboBox:
    box = QComboBox()
    box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    box.addItems(list(items))
    if current in items:
        box.setCurrentIndex(list(items).index(current))
    return box
