"""Live view from a video-capture device: HDMI capture cards, webcams, any OpenCV capture.

- :mod:`drivers.video.target`: the specs (``v4l2:/dev/videoN``, ``capture:N``, ``opencv:N``),
  the mode asked for, the checks that answer before anything is opened;
- :mod:`drivers.video.capture`: opening a ``cv2.VideoCapture`` within a bounded time;
- :mod:`drivers.video.device`: the owner-loop device (reads, publishes, notices a stall, reopens);
- :mod:`drivers.video.camera`: :class:`VideoCamera`, the :class:`drivers.base.Camera`;
- :mod:`drivers.video.pixels`: a frame's pixels or JPEG bytes, whichever the source sent.
"""

from drivers.video.camera import VideoCamera, open_video
from drivers.video.device import VideoOptions, VideoStats
from drivers.video.target import VideoMode, VideoTarget, is_video_spec, parse_size, parse_video_spec

__all__ = ["VideoCamera", "VideoMode", "VideoOptions", "VideoStats", "VideoTarget", "is_video_spec",
           "open_video", "parse_size", "parse_video_spec"]
