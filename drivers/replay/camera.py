""":class:`ReplayCamera`: live view from a recording, a video or a folder of JPEGs.

A real driver, not a test double: it implements :class:`drivers.base.Camera` with an owner loop
(:mod:`drivers.owner`) that runs a :class:`~drivers.replay.player.ReplayPlayer`, which owns the
source and publishes frames into a :class:`~drivers.base.LatestFrameSlot` at the recorded
pace. Frames are handed on exactly as stored; nothing waits for the consumer (a slow reader
skips frames, as with a camera).

When a non-looping source ends, live view stops, :attr:`ReplayCamera.frames` is closed (a
:class:`studio.loop.VisionLoop` ends on that) and ``StateChanged(GONE, "end of recording")`` is
emitted. :meth:`ReplayCamera.start_live_view` afterwards plays the source again from the start.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from drivers.base import (
    CameraEvent,
    CameraGone,
    CameraState,
    EventHub,
    LatestFrameSlot,
    Listener,
    SourceError,
    failed,
)
from drivers.download import DownloadSink, LazyFolderSink
from drivers.owner import OwnerLoop
from drivers.replay.player import Pace, PlayerSetup, ReplayPlayer, ReplayStats
from drivers.replay.sources import DEFAULT_FPS, SourceKind, source_kind
from drivers.requests import PostsRequests

log = logging.getLogger(__name__)

CLOSE_TIMEOUT_S = 10.0  # as the gphoto driver: a stuck request must not hang close() for ever


def _not_open() -> CameraGone:
    return CameraGone("the replay camera is not open", "call open() first")


class ReplayCamera(PostsRequests):
    """Live view from a recording, a video or a folder of JPEGs, behind the Camera protocol.

    ``pace="recorded"`` publishes each frame at its recorded time; ``pace="fast"`` publishes as
    fast as the source can be read (frames are overwritten, never queued: a consumer that wants
    them all reads with ``wait_newer`` and counts seq gaps). ``loop=True`` wraps at the end.
    ``fps`` paces a folder of JPEGs (default 30) or overrides a video's own rate; recordings
    carry their own timestamps. Captures go through ``sink`` (default: a ``captures/`` folder,
    created at the first capture).
    """

    def __init__(self, source: Path | str, *, pace: Pace = "recorded", loop: bool = False,
                 fps: float | None = None, sink: DownloadSink | None = None,
                 kind: SourceKind | None = None) -> None:
        if pace not in ("recorded", "fast"):
            raise ValueError(f"pace must be 'recorded' or 'fast', not {pace!r}")
        if fps is not None and not (math.isfinite(fps) and fps > 0):
            raise SourceError(f"fps must be a positive number, not {fps!r}")
        self.path = Path(source)
        self.pace: Pace = pace
        self.loop = loop
        self._fps = fps
        self._kind = kind
        self._sink: DownloadSink = sink if sink is not None else LazyFolderSink("captures")
        self._frames = LatestFrameSlot()
        self._events: EventHub[CameraEvent] = EventHub()
        self._player: ReplayPlayer | None = None
        self._loop: OwnerLoop | None = None  # one per player, so a new open waits for an old thread
        self._owner: OwnerLoop | None = None  # the loop while open
        self.metadata: dict[str, Any] = {}
        self.description = str(self.path)

    # -- Camera protocol: cheap properties -------------------------------------------------

    @property
    def model(self) -> str:
        source = self._player.source if self._player else None
        return source.model if source else f"replay of {self.path.name}"

    @property
    def state(self) -> CameraState:
        return self._player.state if self._player else CameraState.CLOSED

    @property
    def frames(self) -> LatestFrameSlot:
        return self._frames

    @property
    def nominal_fps(self) -> float:
        source = self._player.source if self._player else None
        return source.nominal_fps if source else DEFAULT_FPS

    @property
    def stats(self) -> ReplayStats:
        if self._player is None:
            return ReplayStats(0, 0, 0, 0, 0, False, 0, 0, 0)
        return self._player.stats

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        return self._events.add_listener(listener)

    # -- lifecycle -------------------------------------------------------------------------

    def open(self) -> None:
        """Open the source on the camera thread; raises :class:`SourceError` if it cannot be read."""
        if self._owner is not None and self._owner.running:
            return
        setup = PlayerSetup(self.path, self._kind or source_kind(self.path), self._fps,
                            self.pace, self.loop, self._sink)
        if self._player is None or self._loop is None:
            self._player = ReplayPlayer(setup, self._frames, self._events)
            self._loop = OwnerLoop(self._player, f"replay-{self.path.name}", _not_open)
        owner = self._loop
        if not owner.wait_ended(CLOSE_TIMEOUT_S):  # config is the player's only while no loop runs
            raise CameraGone("the replay camera's previous thread has not ended",
                             "try again once its current request has finished")
        self._player.config = setup
        owner.start()  # raises what the player's setup raised, after its thread ended
        source = self._player.source
        assert source is not None
        self.description = source.description
        self.metadata = source.metadata
        self._frames.reopen()
        self._owner = owner
        self._player.set_state(CameraState.CONNECTED, f"replaying {self.description}")

    def close(self, timeout: float = CLOSE_TIMEOUT_S) -> None:
        """Stop live view, finish queued requests, release the source. Idempotent. Waits up to
        ``timeout`` seconds for the camera thread (the loop logs a warning if it is still busy)."""
        owner, self._owner = self._owner, None
        if owner is None or self._player is None:
            return
        owner.stop(timeout)  # from a listener on the camera's own thread this only asks
        self._frames.close()
        self._player.set_state(CameraState.CLOSED, "closed")

    # -- Camera protocol: requests served by the camera thread -----------------------------

    def _submit(self, request: object) -> Future:
        owner = self._owner
        return owner.submit(request) if owner is not None else failed(_not_open())


def open_source(spec: str | Path, **options: Any) -> ReplayCamera:
    """A (not yet opened) :class:`ReplayCamera` for a recording, video, JPEG folder or JPEG file.

    ``options`` are :class:`ReplayCamera`'s keyword arguments (``pace``, ``loop``, ``fps``,
    ``sink``). Raises :class:`SourceError` at once when the path does not exist.
    """
    path = Path(spec).expanduser()
    return ReplayCamera(path, kind=source_kind(path), **options)
