"""Portrait checks on live-view frames and stills. Never imports Qt or gphoto2.

``Analyzer`` turns a frame or a still into one immutable :class:`studio.analysis.Analysis`.

The names below are imported on first use (PEP 562): importing a light submodule such as
``studio.vision.presets`` does not load MediaPipe, so ``studio check --jobs N`` starts its
worker processes before the parent pays for the models it never uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from studio.vision.analyzer import Analyzer
    from studio.vision.image import ImageError, decode_jpeg, load_image
    from studio.vision.presets import PRESETS, Preset, PresetError, load_preset
    from studio.vision.thresholds import Thresholds

_WHERE = {
    "Analyzer": "studio.vision.analyzer",
    "ImageError": "studio.vision.image",
    "decode_jpeg": "studio.vision.image",
    "load_image": "studio.vision.image",
    "PRESETS": "studio.vision.presets",
    "Preset": "studio.vision.presets",
    "PresetError": "studio.vision.presets",
    "load_preset": "studio.vision.presets",
    "Thresholds": "studio.vision.thresholds",
}

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


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'studio.vision' has no attribute {name!r}")
    value = getattr(importlib.import_module(where), name)
    globals()[name] = value
    return value
