"""Hysteresis over live-view frames, so the overlay and the sounds do not flicker.

A check's shown status changes only when the new status has been seen on several consecutive
frames: quickly towards worse (a blink must stop READY at once), more slowly towards better.
While a change is pending, the last stable verdict is shown with the current frame's regions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from studio.analysis import CheckResult, Status

# Frames a new status must persist before it is shown. eyes_open turns bad at once: a blink
# lasts 3-9 frames and READY must not fire during one.
_WORSE_FRAMES = {"eyes_open": 1}


@dataclass
class _Track:
    stable: CheckResult
    candidate: Status
    seen: int


class Smoother:
    def __init__(self, frames: int = 3) -> None:
        self.frames = max(1, int(frames))
        self._tracks: dict[str, _Track] = {}
        self._shot: tuple[str, str, int] | None = None  # stable, candidate, seen

    def reset(self) -> None:
        self._tracks.clear()
        self._shot = None

    def forget(self, check_id: str) -> None:
        """Drop one check's history (what it compares with changed: its next result stands)."""
        self._tracks.pop(check_id, None)

    def _needed(self, check_id: str, old: Status, new: Status) -> int:
        if new.rank > old.rank:
            return _WORSE_FRAMES.get(check_id, max(1, self.frames - 1))
        return self.frames

    def smooth(self, result: CheckResult) -> CheckResult:
        track = self._tracks.get(result.id)
        if track is None:
            self._tracks[result.id] = _Track(result, result.status, 1)
            return result
        if result.status is track.stable.status:
            track.stable, track.candidate, track.seen = result, result.status, 1
            return result
        if result.status is track.candidate:
            track.seen += 1
        else:
            track.candidate, track.seen = result.status, 1
        if track.seen >= self._needed(result.id, track.stable.status, result.status):
            track.stable, track.seen = result, 1
            return result
        return replace(track.stable, regions=result.regions, marks=result.marks)

    def smooth_shot(self, shot: str) -> str:
        if self._shot is None:
            self._shot = (shot, shot, 1)
            return shot
        stable, candidate, seen = self._shot
        if shot == stable:
            self._shot = (stable, shot, 1)
            return stable
        seen = seen + 1 if shot == candidate else 1
        if seen >= self.frames:
            self._shot = (shot, shot, 1)
            return shot
        self._shot = (stable, shot, seen)
        return stable
