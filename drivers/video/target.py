"""What a video-capture source is: a V4L2 device, an OpenCV capture index, or a video file,
and the mode asked of it (size, frame rate). Checks that answer at once, before OpenCV opens
anything: a missing path, a path that is not a character device, a device without permission.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from dataclasses import dataclass
from typing import Literal

from drivers.base import SourceError

Kind = Literal["v4l2", "index", "file"]
SPEC_PREFIXES = ("v4l2:", "capture:", "opencv:")
_SIZE = re.compile(r"^\s*(\d{1,5})\s*[xX×]\s*(\d{1,5})\s*$")
LIST_HINT = "list the capture devices with `v4l2-ctl --list-devices` or `ls /dev/video*`"


@dataclass(frozen=True, slots=True)
class VideoTarget:
    kind: Kind
    device: str  # "/dev/video0", an index "0", or a file path

    def __str__(self) -> str:
        if self.kind == "index":
            return f"capture device {self.device}"
        return self.device


@dataclass(frozen=True, slots=True)
class VideoMode:
    """A size and frame rate, as asked or as the device gives it (0: the device's default)."""

    width: int = 0
    height: int = 0
    fps: float = 0.0

    def __str__(self) -> str:
        size = f"{self.width}x{self.height}" if self.width and self.height else "default size"
        rate = f"{self.fps:g} fps" if self.fps else "default fps"
        return f"{size} at {rate}"


def is_video_spec(spec: str) -> bool:
    return spec.startswith(SPEC_PREFIXES)


def parse_video_spec(spec: str) -> VideoTarget:
    """``v4l2:/dev/videoN`` (or ``v4l2:N``), ``capture:N`` / ``opencv:N`` (any OpenCV backend);
    raises :class:`SourceError` with the forms allowed."""
    prefix, _, rest = spec.partition(":")
    rest = rest.strip()
    if prefix == "v4l2":
        if rest.isdigit():
            rest = f"/dev/video{int(rest)}"
        if not rest:
            raise SourceError("v4l2: needs a device, e.g. --source v4l2:/dev/video0", LIST_HINT)
        return VideoTarget("v4l2", rest)
    if prefix in ("capture", "opencv"):
        if not rest.isdigit():
            raise SourceError(f"{prefix}: needs a capture index (0, 1, …), not {rest!r}",
                              "for a device path use v4l2:/dev/videoN")
        return VideoTarget("index", str(int(rest)))
    raise SourceError(f"not a video-capture source: {spec!r}",
                      "use v4l2:/dev/videoN, capture:N or opencv:N")


def parse_size(text: str) -> tuple[int, int]:
    """``1920x1080`` -> (1920, 1080); raises ValueError naming the form."""
    m = _SIZE.match(text)
    if m is None or not (16 <= int(m.group(1)) <= 8192 and 16 <= int(m.group(2)) <= 8192):
        raise ValueError(f"takes WIDTHxHEIGHT, 16 to 8192 px each (e.g. 1920x1080), not {text!r}")
    return int(m.group(1)), int(m.group(2))


def check_target(target: VideoTarget) -> None:
    """Refuse at once what cannot be a capture device; raises :class:`SourceError`."""
    if target.kind == "index":
        node = f"/dev/video{target.device}"
        if sys.platform.startswith("linux") and not os.path.exists(node):  # OpenCV maps N to it
            raise SourceError(f"no capture device at index {target.device} ({node} does not exist)",
                              LIST_HINT)
        return
    path = target.device
    try:
        st = os.stat(path)
    except FileNotFoundError:
        what = "no such device" if target.kind == "v4l2" else "no such file"
        raise SourceError(f"{what}: {path}", LIST_HINT if target.kind == "v4l2" else None) from None
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror}") from None
    if target.kind == "v4l2" and not stat.S_ISCHR(st.st_mode):
        kind = ("a folder" if stat.S_ISDIR(st.st_mode)
                else "a file" if stat.S_ISREG(st.st_mode) else "not a device")
        raise SourceError(f"{path} is not a video capture device ({kind})",
                          f"a video file is played with --source PATH; {LIST_HINT}")
    if target.kind == "file" and not stat.S_ISREG(st.st_mode):
        raise SourceError(f"{path} is not a video file")
    if not os.access(path, os.R_OK | (os.W_OK if target.kind == "v4l2" else 0)):
        raise SourceError(f"no permission to open {path}",
                          "add yourself to the 'video' group (then log in again)")
