"""The words and priorities of guidance, shared by the window, the audio cues and headless output.

Nothing here imports Qt or sounddevice: ``studio run --headless`` prints the same words the
window shows (:func:`describe_transition`), and the audio guide picks its cue from the same
problem families (:func:`family_of`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from studio.analysis import Analysis, CheckResult, Status
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
    "expression": "Expression",
    "depth": "Depth of field",
    "consistency": "Consistency",
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
    "depth": "framing",
    "consistency": "framing",
    "eyes_open": "eyes",
    "expression": "eyes",
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


# -- the one instruction: what the photographer says or does next ---------------------------
# Short imperatives (at most INSTRUCTION_MAX_CHARS: the window shows them at >= 48 px from two
# metres). Framing problems by the framing check's problem ids; the others by the message.
INSTRUCTION_MAX_CHARS = 24
FRAMING_INSTRUCTIONS: dict[str, str] = {
    "top-of-head-cut": "Zoom out a little",
    "chin-cut": "Zoom out a little",
    "crop-at-joint:neck": "Show the shoulders",
    "eye-line-low": "Tilt the camera down",  # the eyes move up in the frame
    "eye-line-high": "Tilt the camera up",
    "headroom-large": "Tilt the camera down",
    "tilted": "Level the head",
}
# (check id, words in the message, instruction): the first match wins.
MESSAGE_INSTRUCTIONS: tuple[tuple[str, str, str], ...] = (
    ("eyes_open", "", "Eyes open, please"),
    ("eye_focus", "too small", "Move in closer"),
    ("eye_focus", "", "Refocus on the near eye"),
    ("catchlights", "too small", "Move in closer"),
    ("catchlights", "disagree", "Use one key light"),
    ("catchlights", "", "Raise the key light"),
    ("glasses", "dark lenses", "Take the glasses off"),
    ("glasses", "", "Raise the key light"),
    ("glare", "", "Raise the key light"),
    ("exposure", "too bright", "Lower the key light"),
    ("exposure", "clipped", "Lower the key light"),
    ("exposure", "too dark", "Add light"),
    ("exposure", "shadows", "Add fill light"),
    ("background", "", "Simplify the background"),
    ("clothing", "", "Plain clothes are better"),
    ("expression", "forced", "Smile with the eyes"),
    ("expression", "", "Ask for a warm smile"),
    ("face", "turned away", "Turn to the camera"),  # a large face without landmarks
    ("face", "blurred", "Check focus and distance"),  # a face is there, too soft to measure
    ("face", "", "Step into the frame"),
)
FAMILY_INSTRUCTIONS: dict[str, str] = {
    "framing": "Check the framing",
    "eyes": "Eyes open, please",
    "focus": "Refocus on the near eye",
    "light": "Check the light",
}


def primary_problem(analysis: Analysis | None) -> CheckResult | None:
    """The required check to fix first: the worst of the family that comes first."""
    if analysis is None:
        return None
    problems = [c for c in analysis.problems if c.id != "reset"]
    family = primary_family(c.id for c in problems)
    return next((c for c in problems if family_of(c.id) == family), None)


def instruction(analysis: Analysis | None) -> str:
    """The ONE most important thing to fix now, as a short imperative ("Chin down a little").

    Empty when nothing required fails. The problem is the first of the family fixed first
    (:data:`FAMILIES` order), so the window, the spoken hint and the badge agree.
    """
    if analysis is None:
        return ""
    if analysis.faces == 0:
        face = analysis.check("face")
        if face is not None and "blurred" in face.message.lower():
            return "Check focus and distance"  # a face is there, too soft or small to measure
        return "Step into the frame"
    first = primary_problem(analysis)
    if first is None:
        return ""
    family = family_of(first.id)
    if first.id == "framing":
        return _framing_instruction(analysis, first.fields, first.message)
    message = first.message.lower()
    for check_id, words, text in MESSAGE_INSTRUCTIONS:
        if check_id == first.id and words in message:
            return text
    return FAMILY_INSTRUCTIONS[family]


def _framing_instruction(analysis: Analysis, fields: Any, message: str) -> str:
    ids = [str(p) for p in (fields.get("problems") or ())]
    for pid in ids:
        if pid in FRAMING_INSTRUCTIONS:
            return FRAMING_INSTRUCTIONS[pid]
        if pid == "turned":
            pitch = float(fields.get("pitch") or 0.0)
            yaw = float(fields.get("yaw") or 0.0)
            if abs(pitch) >= abs(yaw):
                return "Chin down a little" if pitch > 0 else "Chin up a little"
            return "Turn to the camera"
        if pid.startswith("crop-at-joint:"):
            return "Move the crop off joints"
        if pid == "shot-type":
            return _zoom_for(str(fields.get("shot") or analysis.shot), message)
    low = message.lower()
    for words, text in _FRAMING_WORDS:  # a result without problem ids (older sidecars, tests)
        if words in low:
            return text
    if fields.get("shot") == "none" or analysis.subject is None:
        return "Step into the frame"
    return FAMILY_INSTRUCTIONS["framing"]


_FRAMING_WORDS = (("eye line low", "Tilt the camera down"), ("eye line high", "Tilt the camera up"),
                  ("top of the head cut", "Zoom out a little"), ("head tilted", "Level the head"),
                  ("room above the head", "Tilt the camera down"), ("no face", "Step into the frame"))


def _zoom_for(shot: str, message: str) -> str:
    """"Zoom in" when the shot is wider than every shot the preset wants ("preset wants …")."""
    order = ("headshot", "half-length", "three-quarter", "full-length", "group")
    wanted = re.search(r"wants ([^)]*)", message)  # "the preset wants headshot or half-length"
    names = [w.strip() for w in re.split(r",| or ", wanted.group(1))] if wanted else ["headshot"]
    ranks = [order.index(n) for n in names if n in order]
    if shot not in order or not ranks:
        return FAMILY_INSTRUCTIONS["framing"]
    return "Zoom in" if order.index(shot) > max(ranks) else "Zoom out"
