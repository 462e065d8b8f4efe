"""Live view from a video-capture device: HDMI capture cards, webcams, any OpenCV capture.

- :mod:`drivers.video.target`: the specs (``v4l2:/dev/videoN``, ``capture:N``, ``opencv:N``),
  the mode asked for, the checks that answer before anything is opened;
- :mod:`drivers.video.capture`: opening a ``cv2.VideoCapture`` within a bounded time;
- :mod:`drivers.video.device`: the owner-loop device (reads, publishes, notices a stall, reopens);
- :mod:`drivers.video.camera`: :class:`VideoCamera`, the :class:`drivers.base.Camera`;
- :mod:`drivers.video.pixels`: a frame's pixels or JPEG bytes, whichever the source sent.
"""

from __future__ import annotations

import importlib
from typing import Any

# Loaded on first use (PEP 562): every ``studio`` command imports the run command's spec parser
# (drivers.video.target), and only a video source needs OpenCV and numpy behind the others.
_WHERE = {
    "VideoCamera": "camera", "open_video": "camera", "VideoOptions": "device", "VideoStats": "device",
    "VideoMode": "target", "VideoTarget": "target", "is_video_spec": "target", "parse_size": "target",
    "parse_video_spec": "target",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"drivers.video.{_WHERE[name]}"), name)
