"""Rosters: CSV with or without a header, plain text, and one-line errors naming the line."""

from __future__ import annotations

import os

import pytest

from studio.people.roster import Person, RosterError, load_roster, parse_roster


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_with_a_header_in_any_order(tmp_path):
    path = write(tmp_path, "team.csv", "\ufeffEmail,Name,ID\njane@acme.com,Jane Doe,E1\n\n"
                                       "# a comment\nbo@acme.com, Bo  Li ,E2\n")
    roster = load_roster(path)
    assert list(roster) == [Person("Jane Doe", "E1", "jane@acme.com"), Person("Bo Li", "E2", "bo@acme.com")]
    assert roster.find("e2") == 1 and roster.find("JANE@ACME.COM") == 0 and roster.find("bo li") == 1
    assert roster.find("nobody") is None


def test_csv_without_a_header_is_name_id_email(tmp_path):
    roster = load_roster(write(tmp_path, "day.csv", "Jane Doe,E1,jane@acme.com\nBo Li\n\"Doe, John\",E3\n"))
    assert [p.name for p in roster] == ["Jane Doe", "Bo Li", "Doe, John"]
    assert roster[1] == Person("Bo Li") and roster[2].id == "E3"


def test_semicolon_and_tab_delimiters(tmp_path):
    assert load_roster(write(tmp_path, "a.csv", "name;email\nZoë Müller;z@x.de\n"))[0].email == "z@x.de"
    assert load_roster(write(tmp_path, "b.tsv", "Ann\tA7\n"))[0] == Person("Ann", "A7")


def test_plain_text_one_name_a_line(tmp_path):
    roster = load_roster(write(tmp_path, "people.txt", "# floor 3\n\nJane Doe\n  O'Brien, Pat \n日本 太郎\n"))
    assert [p.name for p in roster] == ["Jane Doe", "O'Brien, Pat", "日本 太郎"]
    assert all(not p.id and not p.email for p in roster)


def test_a_text_file_with_a_header_line_is_read_as_csv():
    roster = parse_roster("name,id\nJane,7\n", source="x")
    assert roster[0] == Person("Jane", "7")


@pytest.mark.parametrize("name, text, message", [
    ("a.csv", "Jane,E1\n,E2\n", "line 2: no name"),
    ("b.csv", "name,email\nJane,not-an-email\n", "line 2: 'not-an-email' is not an email"),
    ("c.csv", "Jane,E1\nBo,e1\n", "line 2: id 'e1' already used on line 1"),
    ("d.csv", "Jane,E1,j@x.com,extra\n", "line 1: 4 columns, expected at most 3"),
    ("e.txt", "# only comments\n\n", "no people in it"),
    ("f.csv", "name,id\n", "a header but no people"),
    ("g.txt", "Jane\n" + "x" * 300 + "\n", "line 2: name longer than 200"),
])
def test_a_bad_row_is_one_line_naming_the_line(tmp_path, name, text, message):
    with pytest.raises(RosterError) as info:
        load_roster(write(tmp_path, name, text))
    assert message in str(info.value) and "\n" not in str(info.value)
    assert name in str(info.value)


def test_unreadable_files_are_one_line(tmp_path):
    with pytest.raises(RosterError, match="no such file"):
        load_roster(tmp_path / "missing.csv")
    with pytest.raises(RosterError, match="is a folder, not a regular file"):
        load_roster(tmp_path)
    (tmp_path / "latin1.txt").write_bytes("Zo\xeb\n".encode("latin-1"))
    with pytest.raises(RosterError, match="not UTF-8"):
        load_roster(tmp_path / "latin1.txt")
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)  # refused before any open: no hang
    with pytest.raises(RosterError, match=r"is a FIFO \(named pipe\), not a regular file"):
        load_roster(fifo)
