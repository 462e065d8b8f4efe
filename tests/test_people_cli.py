"""The people options of ``studio run`` (studio.people.cli) on a real session folder."""

from __future__ import annotations

import argparse
import json

import pytest

from studio.people import RosterError
from studio.people import cli as people_cli
from studio.session import setup as session_setup
from studio.session.naming import DEFAULT_TEMPLATE, ROSTER_TEMPLATE


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    session_setup.add_arguments(parser)
    people_cli.add_arguments(parser)
    return parser.parse_args(argv)


def open_desk(tmp_path, *argv: str):
    args = parse("--session", "Team", "--session-root", str(tmp_path), *argv)
    session = session_setup.open_from_args(args)
    return session, people_cli.desk_from_args(args, session)


def test_a_roster_day_names_by_person_and_saves_its_rules(tmp_path):
    roster = tmp_path / "team.txt"
    roster.write_text("Jane Doe\nBo Li\n", encoding="utf-8")
    session, desk = open_desk(tmp_path, "--roster", str(roster), "--shots-per-person", "3",
                              "--counter", "person")
    assert desk.current.name == "Jane Doe" and desk.total == 2 and desk.shots_per_person == 3
    options = json.loads((session.folder / "session.json").read_text())["options"]
    assert options["template"] == ROSTER_TEMPLATE and options["counter"] == "person"
    assert options["shots_per_person"] == 3 and options["roster"] == str(roster.resolve())
    desk.next()
    # a restart with only --session: same roster, same rules, same person
    session, desk = open_desk(tmp_path)
    assert desk.current.name == "Bo Li" and desk.total == 2 and desk.shots_per_person == 3


def test_a_chosen_template_is_kept_on_a_roster_day(tmp_path):
    roster = tmp_path / "team.txt"
    roster.write_text("Jane Doe\n", encoding="utf-8")
    session, _ = open_desk(tmp_path, "--roster", str(roster), "--name-template", "%Y-{person}-%n.%C")
    assert session.options.template == "%Y-{person}-%n.%C"


def test_without_a_roster_the_subject_is_the_person(tmp_path):
    session, desk = open_desk(tmp_path, "--subject", "Zoë Müller")
    assert desk.current.name == "Zoë Müller" and session.person.name == "Zoë Müller"
    assert session.options.template == DEFAULT_TEMPLATE


def test_bad_people_options_are_one_line(tmp_path, capsys):
    (tmp_path / "bad.csv").write_text("Jane,E1\n,E2\n", encoding="utf-8")
    with pytest.raises(RosterError, match=r"bad.csv line 2: no name$"):
        open_desk(tmp_path, "--roster", str(tmp_path / "bad.csv"))
    for value in ("-1", "100000", "two"):
        with pytest.raises(SystemExit):
            parse("--shots-per-person", value)
    with pytest.raises(SystemExit):
        parse("--counter", "both")
    err = capsys.readouterr().err
    assert "--shots-per-person" in err and "--counter" in err
