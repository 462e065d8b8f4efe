"""Evaluate: run the preset's checks on one frame's context, and grade them by the preset."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial

from studio.analysis import CheckResult, Status
from studio.vision.checks import CHECKS
from studio.vision.context import FrameContext
from studio.vision.presets import Preset
from studio.vision.timing import Stopwatch
from studio.vision.verdict import Verdict


def evaluate(
    ctx: FrameContext, check_ids: Sequence[str], held: Mapping[str, Verdict], watch: Stopwatch
) -> list[Verdict]:
    """Each check's verdict, in order: ``held`` ones as given (live view's mask checks between
    masks), the others computed (timed as ``check:<id>``)."""
    verdicts = []
    for check_id in check_ids:
        if check_id in held:
            verdicts.append(held[check_id])
        else:
            verdicts.append(watch.timed(f"check:{check_id}", partial(CHECKS[check_id], ctx)))
    return verdicts


def graded(preset: Preset, result: CheckResult) -> CheckResult:
    """An advisory check's failure is only a warning (its verdict is shown, READY ignores it)."""
    if preset.severity(result.id) == "advisory" and result.status is Status.FAIL:
        return CheckResult(
            result.id, Status.WARN, result.message, result.value, result.regions, result.fields, result.marks
        )
    return result
