"""Where live view and captures come from: the bundled sample, a recording, a video, a folder of
JPEGs, the USB camera, or live view from one and captures on another (``open_camera``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from drivers.base import Camera, SourceError
from drivers.download import DownloadSink, FolderSink
from drivers.video.target import is_video_spec

# Source specs that mean "the USB camera" rather than a file.
CAMERA_SPECS = ("camera", "usb", "gphoto")


def bundled_sample() -> Path:
    """The sample recording shipped with the package (made by scripts/make_sample_recording.py)."""
    return Path(str(resources.files("studio") / "data" / "sample.slv"))


def open_camera(spec: str | None, *, sink: DownloadSink | None = None, pace: str = "recorded",
                loop: bool = False, fps: float | None = None,
                delete_after_download: bool = False, wait_for_camera: bool = False,
                video_size: tuple[int, int] | None = None, video_fps: float | None = None,
                video_format: str | None = None, video_keep_bars: bool = False) -> Camera:
    """A driver for ``spec``: None for the bundled sample, a path (recording, video, JPEG
    folder), ``camera`` / ``usb:BUS,DEV`` for a camera on USB, ``v4l2:/dev/videoN`` /
    ``capture:N`` / ``opencv:N`` for a video-capture device (asked for ``video_size`` at
    ``video_fps`` in ``video_format``, a FOURCC; its black bars cut off unless
    ``video_keep_bars``), or ``LIVE+camera`` for live view from a
    recording or a video-capture device with captures on the USB camera (composite).
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

        live = open_camera(live_spec, sink=sink, pace=pace, loop=loop, fps=fps,
                           video_size=video_size, video_fps=video_fps, video_format=video_format,
                           video_keep_bars=video_keep_bars)
        stills = open_camera(capture_spec, sink=sink, delete_after_download=delete_after_download,
                             wait_for_camera=wait_for_camera)
        return CompositeCamera(live=live, stills=stills)
    if is_video_spec(spec):
        from drivers.video.camera import open_video  # OpenCV only when a video source is used

        return open_video(spec, size=video_size, fps=video_fps, sink=sink, fourcc=video_format,
                          cut_bars=not video_keep_bars)
    if spec in CAMERA_SPECS or spec.startswith("usb:"):
        from drivers.gphoto import GphotoCamera, GphotoOptions

        port = spec if spec.startswith("usb:") else None
        options = GphotoOptions(port=port, delete_after_download=delete_after_download,
                                wait_for_camera=wait_for_camera)  # no camera yet: WAITING
        return GphotoCamera(sink, options)
    from drivers.replay import open_source

    kwargs: dict[str, Any] = {"pace": pace, "loop": loop, "sink": sink}
    if fps is not None:
        kwargs["fps"] = fps
    return open_source(spec, **kwargs)
