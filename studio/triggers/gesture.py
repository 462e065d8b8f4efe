"""Gesture trigger: the subject raises an open palm (four or five fingers up) and holds it.

MediaPipe Hands (the lite model bundled in the wheel) finds up to two hands; a hand counts as
a raised open palm when the index, middle, ring and little fingers are stretched, the hand
points up (within :data:`MAX_TILT_DEG` of vertical) and its palm faces the camera (palm width /
palm length in :data:`PALM_RATIO`: a hand lying flat on a table is foreshortened and fails).
The thumb is ignored, so "four" and "five" both count; the "rock" and "call" signs do not.

It runs on its own thread off the live-view slot at :attr:`GestureTrigger.rate_hz` (8 frames a
second by default, on a copy reduced to about 640 px), so the vision loop is never slowed; the
gesture must be seen for :attr:`hold_s` before it fires, and fires once until the hand drops
(its re-arm rule). Chosen at run time (``armed=False``) it starts disarmed: a palm already
raised must drop first, so choosing the gesture trigger never fires the camera.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

import cv2
import numpy as np

from drivers.base import LatestFrameSlot, LiveFrame
from studio.events import Decision, Emit, StatusListener, TriggerEvent
from studio.triggers.arming import Arming
from studio.vision.image_format import decodable

log = logging.getLogger(__name__)

MAX_TILT_DEG = 40.0  # wrist -> middle knuckle direction, from straight up
PALM_RATIO = (0.45, 1.1)  # |index knuckle - little knuckle| / |wrist - middle knuckle|
FINGERS = ((8, 6, 5), (12, 10, 9), (16, 14, 13), (20, 18, 17))  # (tip, pip, mcp)
MAX_SIDE = 640


@dataclass(frozen=True, slots=True)
class HandReading:
    fingers_up: tuple[bool, bool, bool, bool]  # index, middle, ring, little
    tilt_deg: float
    palm_ratio: float

    @property
    def open_palm(self) -> bool:
        return (all(self.fingers_up) and abs(self.tilt_deg) <= MAX_TILT_DEG
                and PALM_RATIO[0] <= self.palm_ratio <= PALM_RATIO[1])


def read_hand(points: np.ndarray) -> HandReading:
    """Classify one hand from its 21 landmarks in pixels (x, y), shape (21, 2)."""
    wrist = points[0]

    def dist(i: int) -> float:
        return float(np.linalg.norm(points[i] - wrist))

    # A finger is stretched when its tip is farther from the wrist than both its middle joint
    # and (by a margin) its knuckle; a folded finger's tip comes back towards the palm.
    fingers = tuple(dist(tip) > dist(pip) and dist(tip) > 1.25 * dist(mcp) for tip, pip, mcp in FINGERS)
    up = points[9] - wrist
    tilt = math.degrees(math.atan2(float(up[0]), float(-up[1])))
    length = float(np.linalg.norm(up)) or 1e-6
    ratio = float(np.linalg.norm(points[5] - points[17])) / length
    return HandReading(fingers, tilt, ratio)  # type: ignore[arg-type]


class PalmDetector:
    """MediaPipe Hands wrapped for one thread. ``live=True`` tracks between frames."""

    def __init__(self, *, live: bool = True, max_hands: int = 2, min_confidence: float = 0.5) -> None:
        import mediapipe as mp  # heavy: only when a gesture trigger is actually used

        self._hands = mp.solutions.hands.Hands(static_image_mode=not live, max_num_hands=max_hands,
                                               model_complexity=0,
                                               min_detection_confidence=min_confidence,
                                               min_tracking_confidence=0.5)

    def hands(self, bgr: np.ndarray) -> list[HandReading]:
        height, width = bgr.shape[:2]
        result = self._hands.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        readings = []
        for hand in result.multi_hand_landmarks or []:
            points = np.array([(p.x * width, p.y * height) for p in hand.landmark], dtype=np.float64)
            readings.append(read_hand(points))
        return readings

    def open_palm(self, bgr: np.ndarray) -> bool:
        return any(h.open_palm for h in self.hands(bgr))

    def close(self) -> None:
        self._hands.close()


class GestureHold:
    """Fire once when a gesture has been seen for ``hold_s``; re-arm when it is gone.

    One missed detection inside ``max_gap_s`` does not restart the hold (motion blur).
    """

    def __init__(self, hold_s: float = 0.6, *, max_gap_s: float = 0.35, release_s: float = 0.5,
                 armed: bool = True) -> None:
        self.hold_s = hold_s
        self.max_gap_s = max_gap_s
        self.release_s = release_s
        self._since: float | None = None
        self._last_seen = float("-inf")
        self._seen = 0
        self._armed = armed

    @property
    def armed(self) -> bool:
        return self._armed

    def update(self, present: bool, at: float) -> bool:
        if not present:
            if at - self._last_seen > self.max_gap_s:
                self._since, self._seen = None, 0
            if at - self._last_seen > self.release_s:
                self._armed = True
            return False
        if self._since is None or at - self._last_seen > self.max_gap_s:
            self._since, self._seen = at, 0
        self._last_seen = at
        self._seen += 1
        if self._armed and self._seen >= 2 and at - self._since >= self.hold_s:
            self._armed = False
            return True
        return False


class GestureTrigger:
    def __init__(self, frames: LatestFrameSlot, emit: Emit, *, hold_s: float = 0.6,
                 rate_hz: float = 8.0, countdown: int = 0, detector: PalmDetector | None = None,
                 on_status: StatusListener | None = None, armed: bool = True) -> None:
        self.frames = frames
        self.emit = emit
        self.rate_hz = rate_hz
        self.countdown = countdown
        self.hold = GestureHold(hold_s, armed=armed)  # disarmed: a palm already up must drop first
        self.arming = Arming("gesture", "re-arms when the hand is lowered", on_status,
                             armed=armed, reason="" if armed else "lower the hand first")
        self._detector = detector
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.frames_checked = 0
        self.last_ms = 0.0

    def process(self, frame: LiveFrame) -> TriggerEvent | None:
        """Check one live frame; returns the trigger it fired, if any (thread-confined)."""
        if self._detector is None:
            self._detector = PalmDetector(live=True)
        if not decodable(frame.size):  # a damaged header claiming gigapixels: never decoded
            return None
        image = frame.pixels if frame.pixels is not None else cv2.imdecode(  # raw: a video source
            np.frombuffer(frame.jpeg, np.uint8), _decode_flag(frame.size))
        if image is None:
            return None
        longest = max(image.shape[:2])
        if longest > MAX_SIDE:
            scale = MAX_SIDE / longest
            image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        started = time.perf_counter()
        present = self._detector.open_palm(image)
        self.last_ms = (time.perf_counter() - started) * 1000
        self.frames_checked += 1
        if not self.hold.update(present, frame.timestamp):
            if self.hold.armed and not self.arming.armed:
                self.arming.set(True)
            return None
        event = TriggerEvent("gesture", frame.timestamp, countdown=self.countdown)
        log.info("gesture trigger: open palm held %.1f s", self.hold.hold_s)
        decision = self.emit(event)
        if isinstance(decision, Decision) and not decision.accepted:
            self.arming.set(False, f"not fired ({decision.reason}): lower the hand and raise it again")
        else:
            self.arming.set(False, "fired: lower the hand to re-arm")
        return event

    # -- thread ------------------------------------------------------------------------------

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="gesture", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        seq = 0
        period = 1.0 / self.rate_hz
        try:
            while not self._stop.is_set():
                frame = self.frames.wait_newer(seq, 0.25)
                if frame is None:
                    if self.frames.closed:
                        break
                    continue
                seq = frame.seq
                started = time.monotonic()
                try:
                    self.process(frame)
                except Exception:
                    log.exception("gesture check failed on frame %d", frame.seq)
                self._stop.wait(max(0.0, period - (time.monotonic() - started)))
        finally:
            if self._detector is not None:
                self._detector.close()
                self._detector = None


def _decode_flag(size: tuple[int, int]) -> int:
    # Decode big frames at half size straight from the DCT: cheaper than decode + resize.
    return cv2.IMREAD_REDUCED_COLOR_2 if max(size) >= 2 * MAX_SIDE else cv2.IMREAD_COLOR
