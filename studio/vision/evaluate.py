"""Evaluate: run the preset's checks on one frame's context, grade them by the preset, and say
which required checks READY waits on for the shot type in view.

One story per frame: every check reads the frame's one
:class:`~studio.vision.context.FaceDecision`. Without a subject (no face, or one too small to
analyse) every check about the subject says the decision's reason as ``unknown``, whatever it
would have guessed, and live view's held mask verdicts (made with a subject) are not shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial

from studio.analysis import CheckResult, Status
from studio.vision.checks import CHECKS
from studio.vision.context import FaceDecision, FrameContext
from studio.vision.presets import Preset
from studio.vision.timing import Stopwatch
from studio.vision.verdict import Verdict

# Checks that judge the frame itself and so speak without a subject: the face count, and the
# framing (which names "no face to frame" or a face too small to frame).
FRAME_CHECKS = ("face", "framing")


def evaluate(
    ctx: FrameContext, check_ids: Sequence[str], held: Mapping[str, Verdict], watch: Stopwatch
) -> list[Verdict]:
    """Each check's verdict, in order: ``held`` ones as given (live view's mask checks between
    masks), the others computed (timed as ``check:<id>``); without a subject, the face
    decision's reason for every check about the subject."""
    decision = ctx.face_decision
    verdicts = []
    for check_id in check_ids:
        if check_id in held and decision.has_subject:
            verdict = held[check_id]
        else:
            verdict = watch.timed(f"check:{check_id}", partial(CHECKS[check_id], ctx))
        if not decision.has_subject and check_id not in FRAME_CHECKS:
            verdict = without_subject(verdict.result, decision)
        verdicts.append(verdict)
    return verdicts


def without_subject(result: CheckResult, decision: FaceDecision) -> Verdict:
    """``result`` as a check about the subject says it when there is none: ``unknown`` with the
    face decision's reason (its JSON fields kept, nothing drawn, nothing observed)."""
    return Verdict(CheckResult(result.id, Status.UNKNOWN, decision.reason, None, (), result.fields))


def graded(preset: Preset, result: CheckResult) -> CheckResult:
    """An advisory check's failure is only a warning (its verdict is shown, READY ignores it)."""
    if preset.severity(result.id) == "advisory" and result.status is Status.FAIL:
        return CheckResult(
            result.id, Status.WARN, result.message, result.value, result.regions, result.fields, result.marks
        )
    return result


def excused(preset: Preset, shot: str, results: Sequence[CheckResult]) -> tuple[str, ...]:
    """Required checks READY does not wait on in this frame: those that cannot judge
    (``unknown``) a detail the shot type in view does not need (the irises of a full-length
    figure are a few pixels). A verdict they do give (closed eyes, glare) still counts."""
    optional = preset.optional_for(shot)
    return tuple(r.id for r in results if r.id in optional and r.status is Status.UNKNOWN)


def readiness(
    preset: Preset, has_subject: bool, shot: str, results: Sequence[CheckResult]
) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """(required, excused, ready): the preset's required checks, the ones excused for the shot
    type in view, and whether every other required check passes (with a subject)."""
    required = tuple(c for c in preset.required if c in preset.checks)
    spared = excused(preset, shot, results)
    waited = [r for r in results if r.id in required and r.id not in spared]
    return required, spared, has_subject and all(r.status is Status.PASS for r in waited)
