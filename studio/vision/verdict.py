"""What a check returns: its result plus what it observed for later live-view frames.

Every check is ``check(ctx) -> Verdict``: a pure function of one immutable
:class:`~studio.vision.context.FrameContext`. A check that learns something later frames need
(the eye aspect ratio of open eyes, the eye sharpness) says so in a small frozen observation;
the live tracker (:mod:`studio.vision.tracker`) applies observations after all checks of the
frame ran. Stills ignore them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from studio.analysis import CheckResult

if TYPE_CHECKING:
    from studio.vision.context import FrameContext


@dataclass(frozen=True, slots=True)
class EyesSeen:
    """Eye aspect ratio of each eye judged open on this frame (the subject's calibration)."""

    open_ear: tuple[tuple[str, float], ...]  # (side, EAR)


@dataclass(frozen=True, slots=True)
class FocusSeen:
    """A fresh eye-sharpness measurement (not one carried over from an earlier frame)."""

    relative: float  # eye sharpness relative to the sharpest other part of the face
    blur: float  # edge width per inter-eye distance
    eye_sigma_px: float


Observation = EyesSeen | FocusSeen


@dataclass(frozen=True, slots=True)
class Verdict:
    result: CheckResult
    observation: Observation | None = None


Check = Callable[["FrameContext"], Verdict]


def observes_nothing(judge: Callable[[FrameContext], CheckResult]) -> Check:
    """A check whose result is all it has to say (nothing for later frames)."""

    @functools.wraps(judge)
    def check(ctx: FrameContext) -> Verdict:
        return Verdict(judge(ctx))

    return check
