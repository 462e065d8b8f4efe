"""Camera settings: the exposure controls, each offering only the camera's allowed values.

Which of a body's settings serves which control is the driver's knowledge: the panel lists the
settings the driver tagged with an :class:`~drivers.base.ExposureControl`, in its order.
"""

from __future__ import annotations

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from drivers.base import Setting, SettingKind, exposure_controls
from studio.ui import style

MAX_RANGE_STEPS = 200  # a range with more steps than this is not offered as a list


class SettingsPanel(QWidget):
    setting_changed = pyqtSignal(str, str)  # (camera setting name, value text)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(260)
        outer = QVBoxLayout(self)
        self.note = QLabel("reading the camera's settings\u2026")
        self.note.setFont(style.font(15))
        self.note.setWordWrap(True)
        outer.addWidget(self.note)
        self.form = QFormLayout()
        outer.addLayout(self.form)
        outer.addStretch(1)
        self.boxes: dict[str, QComboBox] = {}

    def show_settings(self, settings: dict[str, Setting]) -> None:
        """Build one chooser per exposure control the camera has."""
        while self.form.rowCount():
            self.form.removeRow(0)
        self.boxes = {}
        for setting in exposure_controls(settings):
            assert setting.control is not None  # exposure_controls returns tagged settings only
            values = _allowed(setting)
            if not values:
                continue
            box = QComboBox()
            box.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the window's shortcuts
            box.setFont(style.font(16))
            box.addItems(values)
            current = _text(setting.value)
            if current in values:
                box.setCurrentIndex(values.index(current))
            box.setEnabled(not setting.readonly)
            box.activated[str].connect(lambda text, name=setting.name: self.setting_changed.emit(name, text))
            control = setting.control
            # A range's values are bare numbers: say what they are in. Choices carry their units.
            with_unit = control.unit and setting.kind is SettingKind.RANGE
            label = QLabel(f"{control.title} ({control.unit})" if with_unit else control.title)
            label.setFont(style.font(16, bold=True))
            self.form.addRow(label, box)
            self.boxes[setting.name] = box
        self.note.setText("" if self.boxes else "this camera offers no exposure settings")


def _allowed(setting: Setting) -> list[str]:
    if setting.kind is SettingKind.CHOICE:
        return list(setting.choices)
    if setting.kind is SettingKind.RANGE and setting.range:
        lo, hi, step = setting.range
        if step <= 0 or (hi - lo) / step > MAX_RANGE_STEPS:
            return [_text(setting.value)] if setting.value is not None else []
        count = int(round((hi - lo) / step)) + 1
        return [f"{lo + i * step:g}" for i in range(count)]
    return []


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)
