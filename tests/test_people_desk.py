"""The people desk on a real session folder: moving, typing, listeners, the counter rule,
shots per person, and a restart that resumes at the same person."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from studio.events import CaptureDone, CaptureFailed, PersonChanged, TriggerEvent
from studio.people import PeopleDesk, Person, Roster
from studio.session import Session, SessionOptions
from studio.session.naming import ROSTER_TEMPLATE

DAY = date(2026, 12, 1)
ROSTER = Roster((Person("Jane Doe", "E1", "jane@acme.com"), Person("Bo Li", "E2"), Person("Zoë Müller")))


def done(path: Path) -> CaptureDone:
    return CaptureDone((path,), None, TriggerEvent("key", 0.0))


def test_next_previous_and_listeners_without_a_session():
    desk = PeopleDesk(ROSTER)
    seen: list[PersonChanged] = []
    remove = desk.add_listener(seen.append)
    assert desk.current is None and desk.index is None and desk.total == 3
    assert desk.next() == ROSTER[0] and desk.next() == ROSTER[1] and desk.next() == ROSTER[2]
    assert desk.next() == ROSTER[2]  # stays on the last, no event
    assert desk.previous() == ROSTER[1]
    assert [(e.person_name, e.index, e.total, e.source) for e in seen] == [
        ("Jane Doe", 0, 3, "next"), ("Bo Li", 1, 3, "next"), ("Zoë Müller", 2, 3, "next"),
        ("Bo Li", 1, 3, "previous")]
    remove()
    desk.previous()
    assert len(seen) == 4 and desk.current == ROSTER[0]


def test_typed_names_find_the_roster_or_join_its_end():
    desk = PeopleDesk(ROSTER)
    assert desk.set_name("  bo   LI ") == ROSTER[1]  # folded match
    assert desk.set_name("jane@acme.com") == ROSTER[0]
    walk_in = desk.set_name("Walk In")
    assert walk_in == Person("Walk In") and desk.index == 3 and desk.total == 4
    assert desk.previous() == ROSTER[2] and desk.next() == walk_in
    with pytest.raises(ValueError, match="empty"):
        desk.set_name("   ")


def test_codes_set_the_person_by_id_email_or_name():
    desk = PeopleDesk(ROSTER)
    assert desk.set_code("E2") == ROSTER[1]
    assert desk.set_code("JANE@ACME.COM") == ROSTER[0]
    assert desk.set_code("Ann Other") == Person("Ann Other")  # a name on a card joins the list
    assert desk.set_code("https://example.com/x") is None  # a link is nobody
    assert desk.set_code("000123") is None  # an unknown badge number is nobody
    assert desk.current == Person("Ann Other")


def test_a_listener_that_raises_does_not_stop_the_others():
    desk = PeopleDesk(ROSTER)
    seen = []
    desk.add_listener(lambda e: 1 / 0)
    desk.add_listener(seen.append)
    desk.next()
    assert len(seen) == 1


def test_the_person_is_saved_and_a_restart_resumes_there(tmp_path):
    session = Session.open(tmp_path, "Team", day=DAY)
    desk = PeopleDesk(ROSTER, session)
    desk.next()
    desk.next()
    desk.set_name("Walk In")
    desk.previous()  # back to Zoë
    seq = session.state.seq
    state = json.loads((session.folder / "session.json").read_text())
    assert state["person_name"] == "Zoë Müller" and state["person_index"] == 2
    assert state["people_added"] == ["Walk In"] and state["subject"] == "Zoë Müller"

    reopened = Session.open(tmp_path, "Team", day=DAY)
    again = PeopleDesk(ROSTER, reopened)
    assert again.current == ROSTER[2] and again.index == 2 and again.total == 4
    assert again.announce() == PersonChanged("Zoë Müller", 2, 4, "resume")
    assert reopened.state.seq == seq  # resuming is not a new sequence
    assert again.next() == Person("Walk In")


def test_a_restart_with_a_changed_roster_finds_the_person_by_id(tmp_path):
    session = Session.open(tmp_path, "Team", day=DAY)
    PeopleDesk(ROSTER, session).set_name("E2")
    changed = Roster((Person("Ann", "E0"), Person("Bo Li-Smith", "E2")))
    desk = PeopleDesk(changed, Session.open(tmp_path, "Team", day=DAY))
    assert desk.index == 1 and desk.current == Person("Bo Li-Smith", "E2")


def test_shots_per_person_counts_shots_on_disk_and_survives_a_restart(tmp_path):
    session = Session.open(tmp_path, "Team", day=DAY,
                           options=SessionOptions(template=ROSTER_TEMPLATE))
    desk = PeopleDesk(ROSTER, session, shots_per_person=2)
    desk.next()
    session.store("IMG_1.NEF", b"raw")
    session.store("IMG_1.JPG", photo(tmp_path))  # the RAW's twin: the same shot
    desk.on_capture_event(done(tmp_path / "a.jpg"))  # with a session the store counts, not this
    desk.on_capture_event(CaptureFailed("camera busy", None))
    assert desk.current == ROSTER[0] and desk.shots == 1
    desk.close()
    desk = PeopleDesk(ROSTER, Session.open(tmp_path, "Team", day=DAY), shots_per_person=2)
    assert desk.shots == 1
    session = desk.session
    names = [session.store(f"IMG_{n}.JPG", photo(tmp_path)).name for n in range(2, 8)]
    # the shot that makes two moves on at once: the next one is named for the next person
    assert names == ["jane-doe-0002.jpg", "bo-li-0003.jpg", "bo-li-0004.jpg", "zoe-muller-0005.jpg",
                     "zoe-muller-0006.jpg", "zoe-muller-0007.jpg"]  # the last person keeps the rest
    assert desk.current == ROSTER[2] and desk.shots == 3


def test_without_a_session_saved_capture_events_count():
    desk = PeopleDesk(ROSTER, shots_per_person=1)
    desk.next()
    desk.on_capture_event(CaptureFailed("camera busy", None))
    assert desk.current == ROSTER[0]
    desk.on_capture_event(done(Path("a.jpg")))
    assert desk.current == ROSTER[1]


def photo(tmp_path) -> bytes:
    return b"\xff\xd8\xff\xe0" + bytes(200) + b"\xff\xd9"


@pytest.mark.parametrize("rule, expected", [
    ("session", ["jane-doe-0001.jpg", "jane-doe-0002.jpg", "bo-li-0003.jpg", "jane-doe-0004.jpg"]),
    ("person", ["jane-doe-0001.jpg", "jane-doe-0002.jpg", "bo-li-0001.jpg", "jane-doe-0003.jpg"]),
])
def test_person_token_and_the_counter_rule(tmp_path, rule, expected):
    session = Session.open(tmp_path, "Team", day=DAY,
                           options=SessionOptions(template=ROSTER_TEMPLATE, counter=rule))
    desk = PeopleDesk(ROSTER, session)
    names = []
    for step in ("next", None, "next", "previous"):
        if step:
            getattr(desk, step)()
        names.append(session.store(f"IMG_{len(names)}.JPG", photo(tmp_path)).name)
    assert names == expected
    stored = session.stored
    assert [s.person for s in stored] == ["Jane Doe", "Jane Doe", "Bo Li", "Jane Doe"]
    # the per-person counters survive a restart
    reopened = Session.open(tmp_path, "Team", day=DAY)
    PeopleDesk(ROSTER, reopened).next()  # back to Bo (index 1 -> 2? no: resumes at Jane, then Bo)
    assert reopened.store("IMG_9.JPG", photo(tmp_path)).name == (
        "bo-li-0002.jpg" if rule == "person" else "bo-li-0005.jpg")
