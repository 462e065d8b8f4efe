"""Getting frames, analyses and events from other threads onto the GUI thread.

:class:`FrameFeed` runs one worker thread that waits on the camera's
:class:`~drivers.base.LatestFrameSlot`, decodes the newest JPEG (OpenCV, into a ``QImage``,
which unlike a ``QPixmap`` may be built on any thread), computes the histograms, then wakes
the GUI with a queued signal. Like the slot, it keeps only the newest result: if the GUI is
still busy when another frame is decoded, the older one is dropped, so the picture can never
lag behind by a queue.

:class:`EventBridge` does the same for analyses (newest only) and forwards READY transitions,
camera events and capture results one by one (those are events, none may be lost). Both hand
their newest value over in a :class:`GuiMailbox`, a :class:`~drivers.mailbox.Latest` that
wakes the GUI once per batch.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import cv2
import numpy as np
from PyQt5.QtCore import QObject, QSize, pyqtSignal
from PyQt5.QtGui import QImage

from drivers.base import CameraEvent, LatestFrameSlot, LiveFrame
from drivers.mailbox import Latest
from drivers.video.pixels import frame_bgr
from studio.analysis import Analysis, Box
from studio.ready import ReadyTransition
from studio.ui import undo_cv2_qt_paths
from studio.vision.image_format import decodable

undo_cv2_qt_paths()  # importing cv2 may have pointed Qt at OpenCV's own plugins

log = logging.getLogger(__name__)

FULL: Box = (0.0, 0.0, 1.0, 1.0)
T = TypeVar("T")


class GuiMailbox(Generic[T]):
    """The newest value for the GUI thread: :meth:`post` from any thread keeps only the newest
    and calls ``wake`` (a queued signal's emit) once, and not again until the GUI has
    :meth:`take` n it, so a busy GUI never finds a backlog of signals."""

    def __init__(self, wake: Callable[[], None]) -> None:
        self._box: Latest[T] = Latest()
        self._wake = wake
        self._lock = threading.Lock()  # the value and the wake-up state change together
        self._notified = False

    def post(self, value: T) -> None:
        with self._lock:
            self._box.put(value)
            wake = not self._notified
            self._notified = True
        if wake:
            self._wake()

    def take(self) -> T | None:
        """The newest value (GUI thread, in the woken slot); the next post wakes again."""
        with self._lock:
            self._notified = False
            return self._box.latest()

    def latest(self) -> T | None:
        """The newest value, leaving the wake-up state alone."""
        return self._box.latest()



@dataclass(frozen=True, slots=True)
class DisplayFrame:
    image: QImage  # decoded for display, cropped to ``crop``; a view of ``pixels``
    pixels: np.ndarray  # the BGRA buffer ``image`` points into (kept alive with it)
    seq: int
    arrived: float  # LiveFrame.timestamp (monotonic)
    decoded: float  # monotonic, when the image was ready
    size: tuple[int, int]  # full frame size (width, height)
    crop: Box  # normalised part of the frame the image shows
    frame_hist: np.ndarray | None  # 64 bins of luma, normalised to sum 1
    face_hist: np.ndarray | None


class FrameFeed(QObject):
    """Decodes live-view frames for display on its own thread; ``frame_ready`` wakes the GUI."""

    frame_ready = pyqtSignal()

    HIST_EVERY = 3  # histograms on every third frame: they change slowly
    RECENT = 6  # decoded frames kept so the view may hold the picture back to its analysis

    def __init__(self, frames: LatestFrameSlot, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._frames = frames
        self._lock = threading.Lock()  # target, crop, face and the recent frames
        self._shown: GuiMailbox[DisplayFrame] = GuiMailbox(self.frame_ready.emit)
        self._recent: deque[DisplayFrame] = deque(maxlen=self.RECENT)
        self._target = QSize(960, 640)
        self._crop: Box = FULL
        self._face: Box | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_seq = 0
        self.decode_errors = 0

    # -- called from the GUI thread ----------------------------------------------------------

    def set_target(self, width: int, height: int, crop: Box = FULL) -> None:
        """Display size and the normalised part of the frame to show (zoom to the eyes)."""
        with self._lock:
            self._target = QSize(max(width, 16), max(height, 16))
            self._crop = crop

    def set_face(self, face_box: Box | None) -> None:
        with self._lock:
            self._face = face_box

    def take(self) -> DisplayFrame | None:
        """The newest decoded frame (GUI thread, in the ``frame_ready`` slot)."""
        return self._shown.take()

    def latest(self) -> DisplayFrame | None:
        """The newest decoded frame, leaving the wake-up state alone."""
        return self._shown.latest()

    def recent(self) -> list[DisplayFrame]:
        """The last few decoded frames, oldest first."""
        with self._lock:
            return list(self._recent)

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="display-decode", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)

    # -- the worker --------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            frame = self._frames.wait_newer(self._last_seq, timeout=0.2)
            if frame is None:
                continue
            self._last_seq = frame.seq
            with self._lock:
                target, crop, face = self._target, self._crop, self._face
            previous = self._shown.latest()  # only this thread posts: stays the newest
            try:
                shown = self.decode(frame, target, crop, face,
                                    with_hist=frame.seq % self.HIST_EVERY == 0 or previous is None)
            except ValueError as exc:
                self.decode_errors += 1
                log.debug("frame %d not shown: %s", frame.seq, exc)
                continue
            if shown.frame_hist is None and previous is not None:
                shown = _with_hists(shown, previous)
            with self._lock:
                self._recent.append(shown)  # before it is the newest: recent() holds it then
            self._shown.post(shown)

    @staticmethod
    def decode(frame: LiveFrame, target: QSize, crop: Box = FULL, face: Box | None = None,
               with_hist: bool = True) -> DisplayFrame:
        """Decode ``frame`` for a ``target``-sized view; raises ValueError if unreadable.

        OpenCV's libjpeg-turbo decodes a 1024 px frame in ~2 ms (Qt's own reader takes ~8);
        when the view is at most half the frame size, libjpeg's DCT scaling decodes smaller
        still. The painter does the final scaling (~1 ms).
        """
        fw, fh = frame.size
        zoomed = crop != FULL
        reduce = 1
        if not zoomed and fw and fh:
            while reduce < 8 and fw / (reduce * 2) >= target.width() and fh / (reduce * 2) >= target.height():
                reduce *= 2
        flag = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
                8: cv2.IMREAD_REDUCED_COLOR_8}[reduce]
        if not decodable(frame.size):  # a damaged header claiming gigapixels: never decoded
            raise ValueError(f"a frame header claims {fw}×{fh} pixels")
        bgr = frame_bgr(frame, reduce) if frame.pixels is not None else cv2.imdecode(
            np.frombuffer(frame.jpeg, np.uint8), flag)  # raw pixels from a video-capture source
        if bgr is None:
            raise ValueError("not a readable JPEG")
        h, w = bgr.shape[:2]
        if not fw or not fh:
            fw, fh = w * reduce, h * reduce
        if zoomed:
            x0, y0 = int(crop[0] * w), int(crop[1] * h)
            x1, y1 = max(x0 + 1, int((crop[0] + crop[2]) * w)), max(y0 + 1, int((crop[1] + crop[3]) * h))
            bgr = bgr[y0:y1, x0:x1]
        pixels = cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA)  # = QImage.Format_RGB32 in memory
        # The stubs know only bytes or sip.voidptr; QImage takes any buffer (a view, no copy).
        image = QImage(pixels.data, pixels.shape[1], pixels.shape[0],  # type: ignore[call-overload]
                       pixels.strides[0], QImage.Format_RGB32)
        frame_hist = face_hist = None
        if with_hist and not zoomed:
            luma = cv2.cvtColor(bgr[::2, ::2], cv2.COLOR_BGR2GRAY)
            frame_hist = _hist(luma)
            if face is not None:
                lh, lw = luma.shape
                x0, y0 = max(0, int(face[0] * lw)), max(0, int(face[1] * lh))
                x1, y1 = int((face[0] + face[2]) * lw), int((face[1] + face[3]) * lh)
                region = luma[y0:max(y0, y1), x0:max(x0, x1)]
                face_hist = _hist(region) if region.size > 64 else None
        return DisplayFrame(image, pixels, frame.seq, frame.timestamp, time.monotonic(), (fw, fh),
                            crop, frame_hist, face_hist)


def _hist(luma: np.ndarray) -> np.ndarray | None:
    if luma.size == 0:
        return None
    counts = np.bincount((luma >> 2).ravel(), minlength=64).astype(np.float32)
    return counts / counts.sum()


def _with_hists(frame: DisplayFrame, previous: DisplayFrame) -> DisplayFrame:
    return DisplayFrame(frame.image, frame.pixels, frame.seq, frame.arrived, frame.decoded,
                        frame.size, frame.crop, previous.frame_hist, previous.face_hist)


class EventBridge(QObject):
    """Thread-safe entry points (``post_*``) that deliver to the GUI thread by queued signals."""

    analysis_ready = pyqtSignal()
    transition = pyqtSignal(object)  # ReadyTransition
    camera_event = pyqtSignal(object)  # StateChanged | FileAdded | DriverWarning
    capture_done = pyqtSignal(object, object)  # (path or None, Analysis or None / error text)
    capture_person = pyqtSignal(str, str)  # (path, person it was stored for): before capture_done
    settings_loaded = pyqtSignal(object)  # dict[str, Setting]
    message = pyqtSignal(str)
    countdown = pyqtSignal(int)  # CountdownTick.n: seconds to go, 0 = firing now
    capture_started = pyqtSignal()
    trigger_status = pyqtSignal(object)  # studio.events.TriggerStatus
    live_state = pyqtSignal(object)  # studio.events.LiveState
    person_changed = pyqtSignal(object)  # studio.events.PersonChanged
    review_saved = pyqtSignal(str, str, bool)  # path, what was written (or the error), ok

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._analysis: GuiMailbox[Analysis] = GuiMailbox(self.analysis_ready.emit)

    def post_analysis(self, analysis: Analysis) -> None:
        self._analysis.post(analysis)

    def take_analysis(self) -> Analysis | None:
        return self._analysis.take()

    def post_transition(self, transition: ReadyTransition) -> None:
        self.transition.emit(transition)

    def post_camera_event(self, event: CameraEvent) -> None:
        self.camera_event.emit(event)
