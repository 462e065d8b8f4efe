"""Whether live view is really flowing: the app never shows READY on a picture that stopped.

:class:`LiveWatch` looks at the camera's :class:`~drivers.base.LatestFrameSlot` a few times a
second on a thread of its own and listens to the camera's events. It says
:class:`~studio.events.LiveState` ``live=False`` with the reason when

- no frame came for :data:`STALE_S` ("no live view for 1 s"),
- the recording ended (the slot closed, or the replay said "end of recording"),
- the camera went ("camera disconnected") or the driver waits for one ("waiting for a camera"),
- the body cannot stream at all ("no live view from this camera");

and ``live=True`` again as soon as a fresh frame arrives. Listeners hear changes only.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from drivers.base import CameraEvent, CameraState, EventHub, LatestFrameSlot, StateChanged
from studio.events import LiveListener, LiveState

log = logging.getLogger(__name__)

STALE_S = 1.0  # no frame for this long: live view has stopped (live view runs at >= 5 fps)
POLL_S = 0.1
NO_LIVE_VIEW = "no live view from this camera"
RECORDING_ENDED = "recording ended"
DISCONNECTED = "camera disconnected"
WAITING = "waiting for a camera"
STARTING = "waiting for live view"


class LiveWatch:
    """``frame_seen(timestamp)`` from the vision thread makes the state live at once."""

    def __init__(self, frames: LatestFrameSlot, *, stale_s: float = STALE_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.frames = frames
        self.stale_s = stale_s
        self._clock = clock
        self._lock = threading.Lock()
        self._state = LiveState(False, STARTING, clock())
        self._blocked: str | None = None  # a reason that holds until a newer frame arrives
        self._blocked_at = 0.0
        self._seen_seq = 0
        self._last_frame_at: float | None = None
        self._hub: EventHub[LiveState] = EventHub()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def state(self) -> LiveState:
        return self._state

    @property
    def live(self) -> bool:
        return self._state.live

    def add_listener(self, listener: LiveListener) -> Callable[[], None]:
        return self._hub.add_listener(listener)

    # -- what others tell it -----------------------------------------------------------------

    def frame_seen(self, timestamp: float) -> None:
        """A frame that arrived at ``timestamp`` (monotonic) was analysed."""
        now = self._clock()
        with self._lock:
            if self._last_frame_at is None or timestamp > self._last_frame_at:
                self._last_frame_at = timestamp
            if self._blocked is not None:
                if timestamp <= self._blocked_at:
                    return  # a frame from before the camera went: not news
                self._blocked = None
        if now - timestamp <= self.stale_s:
            self._set(True, "")

    def no_live_view(self, reason: str = NO_LIVE_VIEW) -> None:
        """The body cannot stream: stills only."""
        self._block(reason)

    def camera_event(self, event: CameraEvent) -> None:
        """A camera listener: the body went, came back or is awaited."""
        if not isinstance(event, StateChanged):
            return
        state = str(event.state)
        if state == "waiting":
            self._block(WAITING + (f": {event.reason}" if event.reason else ""))
        elif event.state is CameraState.GONE:
            ended = "recording" in event.reason or "end of" in event.reason
            self._block(RECORDING_ENDED if ended else DISCONNECTED)
        elif event.state is CameraState.RECONNECTING:
            self._block(DISCONNECTED + " — reconnecting")
        elif event.state is CameraState.CONNECTED:
            with self._lock:
                self._blocked = None  # frames will say whether live view is back

    def _block(self, reason: str) -> None:
        with self._lock:
            self._blocked, self._blocked_at = reason, self._clock()
        self._set(False, reason)

    # -- the watch ---------------------------------------------------------------------------

    def check(self) -> LiveState:
        """One look at the slot (the thread calls it every :data:`POLL_S`)."""
        now = self._clock()
        frame = self.frames.latest()
        with self._lock:
            if frame is not None and frame.seq > self._seen_seq:
                self._seen_seq = frame.seq
                if self._last_frame_at is None or frame.timestamp > self._last_frame_at:
                    self._last_frame_at = frame.timestamp
                if now - frame.timestamp <= self.stale_s and frame.timestamp > self._blocked_at:
                    self._blocked = None  # a frame after the block beats its reason
            blocked, last = self._blocked, self._last_frame_at
        if blocked:
            return self._set(False, blocked)
        if self.frames.closed and (last is None or now - last > self.stale_s):
            return self._set(False, RECORDING_ENDED)
        if last is None:
            return self._set(False, STARTING)
        if now - last > self.stale_s:
            return self._set(False, f"no live view for {self.stale_s:g} s")
        return self._set(True, "")

    def _set(self, live: bool, reason: str) -> LiveState:
        with self._lock:
            old = self._state
            if old.live == live and old.reason == reason:
                return old
            new = LiveState(live, reason, self._clock())
            self._state = new
        log.info("live view: %s", "on" if live else f"off ({reason})")
        self._hub.emit(new)
        return new

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="live-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(POLL_S):
            try:
                self.check()
            except Exception:
                log.exception("live-view watch failed")
