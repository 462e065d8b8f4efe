"""The replay camera's device: opens the source, paces its frames, serves typed requests.

:class:`ReplayPlayer` runs on the owner loop (:mod:`drivers.owner`). It knows its camera only
through what it was given: the frame slot to publish into, the event hub and the sink. The
camera's requests (live view, capture, settings) go through the loop; besides them, exactly
this crosses from the camera's thread: it sets :attr:`ReplayPlayer.config` only while no loop
thread runs (before ``start``), calls :meth:`ReplayPlayer.set_state` after ``start`` and in
``close`` (state changes and their event), and reads :attr:`~ReplayPlayer.source`,
:attr:`~ReplayPlayer.state` and :attr:`~ReplayPlayer.stats` (single attribute reads).
Between requests :meth:`ReplayPlayer.step` publishes the next frame when it is due and tells
the loop how long to sleep until the one after.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from drivers.base import (
    CameraError,
    CameraEvent,
    CameraGone,
    CameraState,
    EventHub,
    ExposureControl,
    FileAdded,
    LatestFrameSlot,
    Setting,
    SettingError,
    SettingKind,
    SourceError,
    StateChanged,
    parse_setting_value,
)
from drivers.download import DownloadSink
from drivers.replay.pacing import MAX_GAP_S, replay_gap
from drivers.replay.sources import FrameSource, RecordingSource, SourceKind, open_frame_source
from drivers.requests import Capture, Handler, LiveView, Pending, ReadSettings, SetSetting, finish_leftover

log = logging.getLogger(__name__)

Pace = Literal["recorded", "fast"]
# Later than this behind schedule (a stalled machine, a debugger), restart the clock instead of
# publishing a burst of stale frames to catch up.
LATE_RESET_S = 0.5
END_REASON = "end of recording"


def emulated_settings(model: str) -> dict[str, Setting]:
    """A small emulated set, so the settings UI and its validation run without a body."""
    settings = (
        Setting("imageformat", "Image Format", SettingKind.CHOICE, "Large Fine JPEG",
                choices=("Large Fine JPEG", "Large Normal JPEG", "Medium Fine JPEG", "Small Fine JPEG")),
        Setting("iso", "ISO Speed", SettingKind.CHOICE, "100",
                choices=("Auto", "100", "200", "400", "800", "1600", "3200", "6400"),
                control=ExposureControl.ISO),
        Setting("exposurecompensation", "Exposure Compensation", SettingKind.RANGE, 0.0,
                range=(-3.0, 3.0, 0.5), control=ExposureControl.EXPOSURE_COMP),
        Setting("cameramodel", "Camera Model", SettingKind.TEXT, model, readonly=True),
    )
    return {s.name: s for s in settings}


@dataclass(frozen=True, slots=True)
class ReplayStats:
    published: int  # frames put into the slot
    passes: int  # completed passes over the source (loop mode wraps)
    corrupt: int  # recording records skipped because their CRC failed
    skipped: int  # folder files skipped (unreadable or not JPEG)
    resyncs: int  # damaged record headers skipped in the recording
    truncated: bool  # the recording ends inside a record
    bytes_lost: int
    late_resets: int  # times the pacing clock was restarted after falling > 0.5 s behind
    captures: int
    clamped: int = 0  # frame gaps replayed as one nominal interval (absurd timestamps)


# (raw source time, scheduled time, JPEG) of the next frame to publish
_Scheduled = tuple[float, float, bytes]


@dataclass(frozen=True, slots=True)
class PlayerSetup:
    path: Path
    kind: SourceKind
    fps: float | None
    pace: Pace
    loop: bool
    sink: DownloadSink


class ReplayPlayer:
    """Owner-loop device of a :class:`~drivers.replay.ReplayCamera`. Each ``open()`` runs
    :meth:`setup` again (the source from its start); the counters go on across opens."""

    def __init__(self, setup: PlayerSetup, frames: LatestFrameSlot, events: EventHub[CameraEvent]) -> None:
        self.config = setup  # the camera may replace it before an open()
        self._slot = frames
        self._events = events
        self.state = CameraState.CLOSED
        self.source: FrameSource | None = None
        self.settings: dict[str, Setting] = {}
        self.live = False
        self.ended = False
        self._frames: Iterator[tuple[float, bytes]] = iter(())
        self._pending: _Scheduled | None = None
        self._current: tuple[float, bytes] | None = None  # (raw t, JPEG) last published
        self._clock0 = 0.0  # monotonic time at schedule t = 0
        self._published = 0
        self._passes = 0
        self._late_resets = 0
        self._captures = 0
        self._clamped = 0
        self._handlers: dict[type, Handler] = {
            LiveView: self._live_view, Capture: self._capture,
            ReadSettings: self._read_settings, SetSetting: self._set_setting,
        }

    @property
    def handlers(self) -> Mapping[type, Handler]:
        return self._handlers

    @property
    def stats(self) -> ReplayStats:
        source = self.source
        reader = source.reader if isinstance(source, RecordingSource) else None
        return ReplayStats(
            published=self._published, passes=self._passes,
            corrupt=source.corrupt if source else 0, skipped=source.skipped if source else 0,
            resyncs=reader.stats.resyncs if reader else 0,
            truncated=reader.truncated if reader else False,
            bytes_lost=reader.bytes_lost if reader else 0,
            late_resets=self._late_resets, captures=self._captures, clamped=self._clamped)

    def set_state(self, state: CameraState, reason: str) -> None:
        self.state = state
        self._events.emit(StateChanged(state, reason))

    # ------------------------------------------------------------------ the loop's calls

    def setup(self) -> None:
        """Open the source; raises :class:`SourceError` when it cannot be read or is empty."""
        path = self.config.path
        try:
            source = open_frame_source(path, self.config.kind, self.config.fps)
        except Exception as exc:
            if isinstance(exc, CameraError):
                raise
            raise SourceError(f"cannot read {path}: {exc}") from exc
        self.source = source
        self.settings = emulated_settings(source.model)
        self.live = self.ended = False
        self._rewind()
        if self._pending is None:
            source.close()
            raise SourceError(f"{path} holds no readable frames", "every frame is damaged or unreadable")
        self._current = (self._pending[0], self._pending[2])
        log.info("replay camera opened: %s", source.description)

    def step(self) -> float | None:
        wait = self._wait_time()
        if wait is not None and wait <= 0:
            self._publish_pending()
            wait = self._wait_time()
        return None if wait is None else max(0.0, wait)

    def handler_failed(self, request: object, exc: Exception) -> None:
        """Nothing to undo: the error is the caller's to see."""

    def teardown(self, leftover: list[Pending]) -> None:
        """Finish what was asked before close(): captures are saved, live view is not restarted."""
        self.live = False
        try:
            finish_leftover(self._handlers, leftover, lambda: CameraGone("the replay camera was closed"))
        finally:
            if self.source is not None:
                self.source.close()

    # ------------------------------------------------------------------ pacing

    def _rewind(self) -> None:
        assert self.source is not None
        self._frames = self.source.frames()
        self._pending = self._next(first_of_pass=True)

    def _next(self, first_of_pass: bool = False,
              previous: tuple[float, float] | None = None) -> _Scheduled | None:
        item = next(self._frames, None)
        if item is None:
            return None
        raw, jpeg = item
        assert self.source is not None
        interval = 1.0 / self.source.nominal_fps
        if previous is None:
            scheduled = 0.0
        elif first_of_pass:  # a new pass after a wrap: one nominal interval after the last frame
            scheduled = previous[1] + interval
        else:  # never backwards, never a stall, whatever the file says
            scheduled = previous[1] + self._gap(raw, previous[0], interval)
        return raw, scheduled, jpeg

    def _gap(self, raw: float, before: float, interval: float) -> float:
        gap, clamped = replay_gap(raw, before, interval)
        if clamped:
            self._clamped += 1
            if self._clamped == 1:
                log.warning("%s: a frame's timestamp jumps from %.6g s to %.6g s; replaying every "
                            "gap over %g s, negative or not a number as one frame interval (%.3g s)",
                            self.config.path.name, before, raw, MAX_GAP_S, interval)
        return gap

    def _wait_time(self) -> float | None:
        if not self.live or self._pending is None:
            return None
        if self.config.pace == "fast":
            return 0.0
        return self._clock0 + self._pending[1] - time.monotonic()

    def _publish_pending(self) -> None:
        assert self._pending is not None and self.source is not None
        raw, scheduled, jpeg = self._pending
        now = time.monotonic()
        if now - (self._clock0 + scheduled) > LATE_RESET_S:
            self._clock0 = now - scheduled
            self._late_resets += 1
        self._slot.put_jpeg(jpeg)
        self._published += 1
        self._current = (raw, jpeg)
        self._pending = self._next(previous=(raw, scheduled))
        if self._pending is None:
            self._passes += 1
            if self.config.loop:
                self._frames = self.source.frames()
                self._pending = self._next(first_of_pass=True, previous=(raw, scheduled))
            if self._pending is None:
                self._end()
        if self.config.pace == "fast":
            time.sleep(0)  # let readers in between frames

    def _end(self) -> None:
        self.live = False
        self.ended = True
        self._slot.close()
        log.info("replay of %s ended after %d frames", self.config.path.name, self._published)
        self.set_state(CameraState.GONE, END_REASON)

    # ------------------------------------------------------------------ handlers

    def _live_view(self, request: LiveView, future: Future) -> None:
        if request.on:
            self._start()
        else:
            self.live = False
        future.set_result(None)

    def _start(self) -> None:
        if self.ended:  # play again from the start
            self.ended = False
            self._rewind()
            self._slot.reopen()
            self.set_state(CameraState.CONNECTED, "replaying again from the start")
        if self._pending is None:
            raise CameraGone(f"{self.config.path} has no frames left")
        if not self.live:
            self.live = True
            self._clock0 = time.monotonic() - self._pending[1]

    def _capture(self, request: Capture, future: Future) -> None:
        """Save the current frame (or the recording's still nearest to it) through the sink."""
        name = self.config.path.name
        if self.ended:
            raise CameraGone(f"the replay of {name} has ended", "start live view again to replay it")
        if self._current is None or self.source is None:
            raise CameraGone(f"{self.config.path} has no frames")
        timestamp, jpeg = self._current
        data = self.source.still_near(timestamp) or jpeg
        self._captures += 1
        file_name = f"RPL_{self._captures:04d}.JPG"
        path = self.config.sink.store(file_name, data)
        self._events.emit(FileAdded(path, f"replay/{file_name}", len(data)))
        future.set_result([path])

    def _read_settings(self, request: ReadSettings, future: Future) -> None:
        future.set_result(dict(self.settings))

    def _set_setting(self, request: SetSetting, future: Future) -> None:
        setting = self.settings.get(request.name)
        if setting is None:
            raise SettingError(f"no setting {request.name!r} on {self.source.model if self.source else '?'}; "
                               f"settings: {', '.join(sorted(self.settings))}")
        updated = replace(setting, value=parse_setting_value(setting, request.value))
        self.settings[request.name] = updated
        future.set_result(updated)
