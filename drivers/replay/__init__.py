"""A camera that replays live view from a recording, a video file or a folder of JPEGs.

- :mod:`drivers.replay.sources`: the readers (recording, video, JPEG folder) and
  :func:`open_frame_source` for tools that want every frame with its timestamp;
- :mod:`drivers.replay.player`: the owner-loop device that paces frames and serves requests;
- :mod:`drivers.replay.camera`: :class:`ReplayCamera`, the :class:`drivers.base.Camera`.
"""

from drivers.download import LazyFolderSink
from drivers.replay.camera import ReplayCamera, open_source
from drivers.replay.player import END_REASON, LATE_RESET_S, Pace, ReplayStats
from drivers.replay.sources import (
    DEFAULT_FPS,
    JPEG_SUFFIXES,
    FrameSource,
    SourceKind,
    open_frame_source,
    source_kind,
)

__all__ = ["DEFAULT_FPS", "END_REASON", "JPEG_SUFFIXES", "LATE_RESET_S", "FrameSource",
           "LazyFolderSink", "Pace", "ReplayCamera", "ReplayStats", "SourceKind",
           "open_frame_source", "open_source", "source_kind"]
