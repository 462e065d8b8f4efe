"""Opening an OpenCV ``VideoCapture`` within a bounded time, in the mode asked of it.

A capture card or webcam can hang in its driver (an HDMI input without signal, a busy device);
the open and the first frame run on a short-lived helper thread and are given
``timeout`` seconds, after which the open is refused with one line. What the device really
gives (size, frame rate) is read back after the mode was asked for: devices round to what they
support.
"""

from __future__ import annotations

import logging
import re
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from drivers.base import SourceError
from drivers.video.target import VideoMode, VideoTarget, check_target

log = logging.getLogger(__name__)

_VIDEO_NODE = re.compile(r"^/dev/video(\d+)$")
_API = {"v4l2": cv2.CAP_V4L2, "index": cv2.CAP_ANY, "file": cv2.CAP_FFMPEG}


@dataclass(frozen=True, slots=True)
class Opened:
    capture: Any  # cv2.VideoCapture, used by the owner-loop thread only from here on
    mode: VideoMode  # what the device gives
    first: np.ndarray  # its first frame (BGR)


def open_capture(target: VideoTarget, asked: VideoMode, timeout: float, fourcc: str | None = None,
                 read_timeout: float | None = None) -> Opened:
    """Open ``target``, ask for ``asked``, read one frame; raises :class:`SourceError` (no such
    device, not a capture device, busy, no frames, no answer within ``timeout`` s).
    ``read_timeout``: asked of the backend for every later read (best effort: OpenCV's V4L2
    backend otherwise waits up to 10 s for a frame that does not come)."""
    check_target(target)
    result: Future[Opened] = Future()

    def work() -> None:
        try:
            result.set_result(_open(target, asked, fourcc, read_timeout))
        except BaseException as exc:  # reported to the caller's thread
            result.set_exception(exc)

    threading.Thread(target=work, name=f"video-open-{target.device}", daemon=True).start()
    try:
        return result.result(timeout)
    except FutureTimeout:
        result.add_done_callback(_release_late)
        raise SourceError(f"{target} did not answer within {timeout:g} s",
                          "is another program using it, or has a capture card no input signal?") from None


def _release_late(done: Future[Opened]) -> None:
    """An open that finished after its caller gave up: let the device go."""
    if done.exception() is None:
        done.result().capture.release()


def _open(target: VideoTarget, asked: VideoMode, fourcc: str | None, read_timeout: float | None) -> Opened:
    device: int | str = int(target.device) if target.kind == "index" else target.device
    cv_log: Any = getattr(getattr(cv2, "utils", None), "logging", None)  # not in every build
    quiet = cv_log.getLogLevel() if cv_log is not None else None
    if cv_log is not None:
        cv_log.setLogLevel(cv_log.LOG_LEVEL_SILENT)  # our one line says it
    try:
        capture = cv2.VideoCapture(device, _API[target.kind])
        node = _VIDEO_NODE.match(target.device) if target.kind == "v4l2" else None
        if not capture.isOpened() and node is not None:  # builds that open V4L2 by index only
            capture = cv2.VideoCapture(int(node.group(1)), cv2.CAP_V4L2)
        if not capture.isOpened():
            capture.release()
            raise SourceError(_cannot_open(target), "is another program using it?")
        _ask(capture, target, asked, fourcc)
        if read_timeout and target.kind != "file":
            capture.set(cv2.CAP_PROP_READ_TIMEOUT_MSEC, 1000.0 * read_timeout)
        ok, first = capture.read()
    finally:
        if cv_log is not None:
            cv_log.setLogLevel(quiet)
    if not ok or first is None:
        capture.release()
        raise SourceError(f"{target} opened but gives no frames",
                          "is another program using it, or has a capture card no input signal?")
    h, w = first.shape[:2]
    fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
    return Opened(capture, VideoMode(w, h, fps if fps > 0 else 0.0), first)


def _cannot_open(target: VideoTarget) -> str:
    if target.kind == "v4l2":
        return f"cannot open {target}: busy, or not a video capture device"
    if target.kind == "index":
        return f"no capture device at index {target.device} (or it is busy)"
    return f"cannot read {target} as a video"


def _ask(capture: Any, target: VideoTarget, asked: VideoMode, fourcc: str | None) -> None:
    """Ask for the mode (best effort: the device answers with what it supports)."""
    if target.kind == "file":
        return  # a file is what it is
    if fourcc:
        capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*fourcc[:4].ljust(4)))
    if asked.width and asked.height:
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, asked.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, asked.height)
    if asked.fps:
        capture.set(cv2.CAP_PROP_FPS, asked.fps)
    capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not a queue in the driver


def differs(asked: VideoMode, got: VideoMode) -> bool:
    """The device gives another size or rate than was asked for."""
    size = bool(asked.width and asked.height) and (asked.width, asked.height) != (got.width, got.height)
    rate = bool(asked.fps) and abs(asked.fps - got.fps) > 0.5
    return size or rate
