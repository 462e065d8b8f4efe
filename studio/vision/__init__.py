"""Portrait checks on live-view frames and stills. Never imports Qt or gphoto2.

``Analyzer`` turns a frame or a still into one immutable :class:`studio.analysis.Analysis`.
"""

from studio.vision.analyzer import Analyzer
from studio.vision.image import ImageError, decode_jpeg, load_image
from studio.vision.presets import PRESETS, Preset, PresetError, load_preset
from studio.vision.thresholds import Thresholds

__all__ = [
    "Analyzer",
    "ImageError",
    "PRESETS",
    "Preset",
    "PresetError",
    "Thresholds",
    "decode_jpeg",
    "load_image",
    "load_preset",
]
