"""Live-view frame sets for the benchmarks, built from recordings at live-view sizes.

Frames are taken from a real recording (the bundled sample, or the fixtures video converted to
a recording), cropped to the target aspect, scaled, and JPEG-encoded as a camera would send
them. Nothing here is timed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from drivers.recording import RecordingReader, RecordingWriter, recording_metadata
from drivers.replay import open_frame_source
from studio import __version__

# Live-view sizes: Nikon D3200 (640x424), Canon 5D II / Sony a5100 (1024x680), and a large
# 1920x1280 stream (newer bodies' HDMI-class live view).
SIZES = ((640, 424), (1024, 680), (1920, 1280))
JPEG_QUALITY = 85  # typical live-view JPEG quality


@dataclass(frozen=True)
class FrameSet:
    name: str  # e.g. "sample@1024x680"
    size: tuple[int, int]
    jpegs: tuple[bytes, ...]


def _cover(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Crop to the target aspect around the centre, then scale to ``size``."""
    w, h = size
    ih, iw = image.shape[:2]
    k = max(w / iw, h / ih)
    cw, ch = round(w / k), round(h / k)
    x0, y0 = (iw - cw) // 2, (ih - ch) // 2
    crop = image[y0:y0 + ch, x0:x0 + cw]
    interp = cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR
    return cv2.resize(crop, (w, h), interpolation=interp)


def load_frames(source: Path, size: tuple[int, int], limit: int, name: str) -> FrameSet:
    """Up to ``limit`` frames of ``source`` (recording, video or JPEG folder) at ``size``."""
    src = open_frame_source(source)
    jpegs: list[bytes] = []
    try:
        for _, data in src.frames():
            image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
            if image is None:
                continue
            ok, buf = cv2.imencode(".jpg", _cover(image, size), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
            if ok:
                jpegs.append(buf.tobytes())
            if len(jpegs) >= limit:
                break
    finally:
        src.close()
    if not jpegs:
        raise ValueError(f"no readable frames in {source}")
    return FrameSet(f"{name}@{size[0]}x{size[1]}", size, tuple(jpegs))


def write_paced_recording(path: Path, frames: FrameSet, fps: float, count: int) -> Path:
    """A recording of ``count`` frames (cycling ``frames``) timestamped at exactly ``fps``."""
    meta = recording_metadata(camera="benchmark", frame_size=frames.size, fps=fps,
                              source=frames.name, app_version=__version__)
    with RecordingWriter(path, meta, fsync_interval=3600.0) as writer:
        for i in range(count):
            writer.write_frame(frames.jpegs[i % len(frames.jpegs)], i / fps)
    return path


def video_to_recording(video: Path, out: Path) -> Path:
    """Convert a video to a recording at its own frame rate (the fixtures video, for example)."""
    src = open_frame_source(video)
    try:
        meta = recording_metadata(camera="video", frame_size=(0, 0), fps=30.0, source=str(video),
                                  app_version=__version__)
        with RecordingWriter(out, meta, fsync_interval=3600.0) as writer:
            for ts, data in src.frames():
                writer.write_frame(data, ts)
    finally:
        src.close()
    with RecordingReader(out) as reader:
        if not reader.frame_entries:
            raise ValueError(f"{video} gave no frames")
    return out
