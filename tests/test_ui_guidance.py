"""The shared words of guidance (studio.guidance): what headless prints and the window shows."""

from __future__ import annotations

from test_ui_support import known_analysis

from studio.analysis import CHECK_IDS
from studio.guidance import (
    FAMILIES,
    STATE_WORDS,
    describe_transition,
    family_of,
    primary_family,
    transition_json,
    verdict_text,
)
from studio.headless import format_transition
from studio.ready import ReadyMachine, ReadyState, ReadyTransition


def t(state: ReadyState, problems: tuple[str, ...] = ()) -> ReadyTransition:
    return ReadyTransition(ReadyState.NOT_READY, state, 1.0, 7, problems, 0)


def test_transition_lines():
    assert describe_transition(t(ReadyState.READY)) == "READY"
    assert describe_transition(t(ReadyState.HOLDING)) == "HOLD STILL"
    assert describe_transition(t(ReadyState.NOT_READY, ("glare", "eye_focus"))) == \
        "NOT READY: glare, eye focus"
    with_reason = describe_transition(t(ReadyState.NOT_READY, ("eye_focus",)), known_analysis())
    assert with_reason == "NOT READY: eye focus \u2014 eyes soft: focus on the near eye"


def test_headless_prints_the_same_words():
    for transition in (t(ReadyState.READY), t(ReadyState.NOT_READY, ("framing",))):
        assert format_transition(transition) == describe_transition(transition)
        assert format_transition(transition).startswith(STATE_WORDS[transition.state])


def test_transition_json():
    data = transition_json(t(ReadyState.NOT_READY, ("glare", "framing")))
    assert data["state"] == "not-ready" and data["frame"] == 7
    assert data["family"] == "framing"  # framing outranks light
    assert data["text"] == "NOT READY: glare, framing"


def test_every_check_has_a_family_and_priority_holds():
    assert {family_of(c) for c in CHECK_IDS} <= set(FAMILIES)
    assert primary_family(["glare", "eye_focus"]) == "focus"
    assert primary_family(["glare", "eyes_open", "eye_focus"]) == "eyes"
    assert primary_family(["exposure"]) == "light"
    assert primary_family([]) is None and primary_family(["reset"]) is None


def test_machine_transitions_describe_their_problems():
    machine = ReadyMachine(hold_s=0.2)
    lines = []
    machine.add_listener(lambda tr: lines.append(describe_transition(tr)))
    machine.update(known_analysis(1, ready=True, timestamp=0.0))
    machine.update(known_analysis(2, ready=True, timestamp=0.3))
    machine.update(known_analysis(3, ready=False, timestamp=0.4))
    assert lines == ["HOLD STILL", "READY", "NOT READY: eye focus, glare, framing"]


def test_verdict_text():
    assert verdict_text(None) == "not checked"
    assert verdict_text(known_analysis(ready=True)) == "all checks pass"
    assert verdict_text(known_analysis()).startswith("Eye focus: eyes soft")


def test_zoom_follows_the_framing_result_not_the_smoothed_shot():
    """The framing check says the crop is half-length; the tracker's shot may still say headshot
    (it lags a frame or two): the instruction must follow the message it explains. Measured in a
    headless day: "Half-length: the preset wants headshot → Zoom out" (wrong way)."""
    from dataclasses import replace

    from studio.analysis import CheckResult
    from studio.guidance import instruction

    base = known_analysis()
    framing = CheckResult("framing", "warn", "Half-length: the preset wants headshot", None, (),
                          {"shot": "half-length", "crop": "half-length", "problems": ["shot-type"]})
    checks = tuple(framing if c.id == "framing" else CheckResult(c.id, "pass", "fine")
                   for c in base.checks)
    lagging = replace(base, checks=checks, shot="headshot")
    assert instruction(lagging) == "Zoom in"
    either = CheckResult("framing", "warn", "Full-length: the preset wants headshot or half-length",
                         None, (), {"shot": "full-length", "problems": ["shot-type"]})
    assert instruction(replace(lagging, checks=tuple(either if c.id == "framing" else c
                                                     for c in checks))) == "Zoom in"


def test_a_face_found_but_too_soft_is_not_told_to_step_into_the_frame():
    """docs/screenshots/main.png: one face found, unjudged ("Face too small or blurred to
    analyse", WARN): the headline said "Step into the frame" to someone standing in it."""
    from dataclasses import replace

    from studio.analysis import CheckResult
    from studio.guidance import instruction

    base = known_analysis()
    face = CheckResult("face", "warn", "Face too small or blurred to analyse")
    checks = tuple(face if c.id == "face" else CheckResult(c.id, "unknown", face.message)
                   for c in base.checks)
    assert instruction(replace(base, checks=checks, faces=1)) == "Check focus and distance"
    gone = CheckResult("face", "fail", "No face")
    assert instruction(replace(base, checks=(gone,), faces=0)) == "Step into the frame"
