"""The words and priorities of guidance, shared by the window, the audio cues and headless output.

Nothing here imports Qt or sounddevice: ``studio run --headless`` prints the same words the
window shows (:func:`describe_transition`), and the audio guide picks its cue from the same
problem families (:func:`family_of`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from studio.analysis import Analysis, Status
from studio.ready import ReadyState, ReadyTransition

# Short labels for the badges and the headless lines, by check id.
CHECK_LABELS: dict[str, str] = {
    "face": "Face",
    "framing": "Framing",
    "eyes_open": "Eyes open",
    "eye_focus": "Eye focus",
    "catchlights": "Catchlights",
    "glasses": "Glasses",
    "glare": "Glare",
    "exposure": "Exposure",
    "background": "Background",
    "clothing": "Clothing",
    "reset": "Reset",
}

# Problem families: what the photographer has to fix, one cue each. Order = priority: a framing
# problem hides the others (nothing else matters if the face is out of the guides), then blinks,
# then focus, then light.
FAMILIES = ("framing", "eyes", "focus", "light")
FAMILY_OF: dict[str, str] = {
    "face": "framing",
    "framing": "framing",
    "background": "framing",
    "clothing": "framing",
    "eyes_open": "eyes",
    "eye_focus": "focus",
    "catchlights": "light",
    "glasses": "light",
    "glare": "light",
    "exposure": "light",
}
FAMILY_HINTS: dict[str, str] = {
    "framing": "check the framing",
    "eyes": "eyes closed",
    "focus": "eyes not sharp",
    "light": "check the light",
}

# Text and icon per status: the badge never relies on colour alone.
STATUS_ICONS: dict[Status, str] = {
    Status.PASS: "\u2714",  # heavy check mark
    Status.WARN: "!",
    Status.FAIL: "\u2716",  # heavy multiplication x
    Status.UNKNOWN: "?",
}
STATUS_WORDS: dict[Status, str] = {
    Status.PASS: "OK",
    Status.WARN: "WARN",
    Status.FAIL: "FIX",
    Status.UNKNOWN: "N/A",
}
STATE_WORDS: dict[ReadyState, str] = {
    ReadyState.READY: "READY",
    ReadyState.HOLDING: "HOLD STILL",
    ReadyState.NOT_READY: "NOT READY",
}


def label(check_id: str) -> str:
    return CHECK_LABELS.get(check_id, check_id.replace("_", " ").capitalize())


def family_of(check_id: str) -> str:
    return FAMILY_OF.get(check_id, "framing")


def primary_family(problem_ids: Iterable[str]) -> str | None:
    """The family to fix first among ``problem_ids`` (check ids), by :data:`FAMILIES` order."""
    families = {family_of(p) for p in problem_ids if p != "reset"}
    for family in FAMILIES:
        if family in families:
            return family
    return None


def describe_transition(t: ReadyTransition, analysis: Analysis | None = None) -> str:
    """One line for a READY state change: ``READY``, ``HOLD STILL``, ``NOT READY: glare, eye focus``.

    With the analysis that caused it, the first problem's own one-line reason is added.
    """
    head = STATE_WORDS[t.state]
    if t.state is not ReadyState.NOT_READY or not t.problems:
        return head
    text = f"{head}: " + ", ".join(label(p).lower() for p in t.problems)
    if analysis is not None:
        first = analysis.check(t.problems[0])
        if first is not None and first.message:
            text += f" \u2014 {first.message}"
    return text


format_transition = describe_transition


def transition_json(t: ReadyTransition) -> dict[str, Any]:
    """The JSON form of a transition (``studio run --json`` prints it on stderr)."""
    return {
        "event": "ready",
        "state": t.state.value,
        "previous": t.previous.value,
        "frame": t.frame,
        "problems": list(t.problems),
        "family": primary_family(t.problems),
        "period": t.period,
        "text": describe_transition(t),
    }


def verdict_text(analysis: Analysis | None) -> str:
    """One line for a capture's verdict: ``all checks pass`` or the problems, worst first."""
    if analysis is None:
        return "not checked"
    problems = analysis.problems
    if not problems:
        return "all checks pass"
    return "; ".join(f"{label(c.id)}: {c.message}" if c.message else label(c.id) for c in problems[:3])
