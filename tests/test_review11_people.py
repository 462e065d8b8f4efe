"""Review findings of issue 11's people day (helper review11): a shot keeps the id and email of
the person it was stored for, even when the desk moved on before the still was checked; two
people of the same name are two groups in the report, not one."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import cv2
import numpy as np

from studio.people import Person
from studio.report.gather import by_person, keepers, shots
from studio.session import Session, ShotProcessor

DAY = date(2026, 12, 1)


def jpeg() -> bytes:
    image = np.full((64, 48, 3), 128, np.uint8)
    return cv2.imencode(".jpg", image)[1].tobytes()


def unchecked(path: Path) -> None:
    raise ValueError("not analysed in this test")


def test_a_shot_keeps_the_id_of_the_person_it_was_stored_for(tmp_path):
    """--shots-per-person moves the desk when the file is on disk, before the check: the JSON
    written later must still name the first person's id and email (measured: it was '')."""
    session = Session.open(tmp_path, "Team", day=DAY)
    session.set_person(Person("Jane Doe", "E1", "jane@acme.com"), 0)
    first = session.store("IMG_0001.JPG", jpeg())
    session.set_person(Person("Jane Doe", "E4"), 1)  # same name, another person
    second = session.store("IMG_0002.JPG", jpeg())
    processor = ShotProcessor(session, analyse=unchecked)
    processor.process([first])
    processor.process([second])
    a = json.loads((session.folder / f"{first.stem}.studio.json").read_text())
    b = json.loads((session.folder / f"{second.stem}.studio.json").read_text())
    assert a["person"] == {"name": "Jane Doe", "id": "E1", "email": "jane@acme.com"}
    assert b["person"] == {"name": "Jane Doe", "id": "E4", "email": ""}

    groups = by_person(shots(session.folder))
    assert len(groups) == 2, [g[0] for g in groups]  # two people, not one "Jane Doe"
    assert [len(g[1]) for g in groups] == [1, 1]
    assert groups[0][0] != groups[1][0]  # told apart on the page
    assert all("Jane Doe" in name for name, _ in groups)
    assert len(keepers(shots(session.folder), 4)) == 2


def test_shots_without_an_id_join_their_name(tmp_path):
    """A recovered photo (or an older sidecar) has no id: it is the same person as the shots of
    that name with one, not a second "Bo Li"."""
    session = Session.open(tmp_path, "Team", day=DAY)
    session.set_person(Person("Bo Li"), 0)
    a = session.store("IMG_0001.JPG", jpeg())
    session.set_person(Person("Bo Li", "E2"), 0)
    b = session.store("IMG_0002.JPG", jpeg())
    session.set_person(Person("Zoë"), 1)
    c = session.store("IMG_0003.JPG", jpeg())
    ShotProcessor(session, analyse=unchecked).process([a, b, c])
    groups = by_person(shots(session.folder))
    assert [(name, len(group)) for name, group in groups] == [("Bo Li", 2), ("Zoë", 1)]


def test_people_stay_in_shooting_order(tmp_path):
    session = Session.open(tmp_path, "Team", day=DAY)
    for name, pid in (("Jane", ""), ("Bo", "E2"), ("Jane", "E1"), ("Jane", "E9")):
        session.set_person(Person(name, pid), 0)
        ShotProcessor(session, analyse=unchecked).process([session.store("IMG.JPG", jpeg())])
    names = [name for name, _ in by_person(shots(session.folder))]
    assert names == ["Jane (E1)", "Bo", "Jane (E9)"]


def qr_card(text: str) -> np.ndarray:
    code = cv2.resize(cv2.QRCodeEncoder.create().encode(text), None, fx=6, fy=6,
                      interpolation=cv2.INTER_NEAREST)
    card = np.full((code.shape[0] + 80, code.shape[1] + 80), 255, np.uint8)
    card[40:-40, 40:-40] = code
    return cv2.cvtColor(card, cv2.COLOR_GRAY2BGR)


def test_contact_cards_give_their_name_and_other_payloads_nobody():
    """A badge QR is often a vCard or MECARD; a Wi-Fi QR on the studio wall is not a person.
    Before: the vCard became a walk-in named "BEGIN:VCARDVERSION:3.0FN:Jane Doe…" and the
    Wi-Fi code a walk-in named "WIFI:S:studio;T:WPA;P:secret;;" (its password on the files)."""
    from studio.people import PeopleDesk, Roster, read_person_code

    vcard = "BEGIN:VCARD\nVERSION:3.0\nN:Doe;Jane;;;\nFN:Jane Doe\nEMAIL:jane@acme.com\nEND:VCARD"
    assert read_person_code(qr_card(vcard)) == "Jane Doe"
    assert read_person_code(qr_card("MECARD:N:Li,Bo;EMAIL:bo@acme.com;;")) == "Bo Li"
    assert read_person_code(qr_card("WIFI:S:studio;T:WPA;P:secret;;")) is None
    desk = PeopleDesk(Roster((Person("Jane Doe", "E1"),)))
    assert desk.set_code("WIFI:S:studio;T:WPA;P:secret;;") is None and desk.current is None
    assert desk.set_code("Jane Doe") == Person("Jane Doe", "E1")


def test_a_review_never_holds_up_the_next_download_nor_races_the_check(tmp_path, monkeypatch):
    """Session.review rewrote the JPEG (read, write, fsync, rename) under the session's store
    lock: the camera thread's next download waited for it. And the still check wrote the same
    shot's XMP without any lock, so a review landing meanwhile could be overwritten in the file."""
    import threading

    from studio.session import xmp

    session = Session.open(tmp_path, "Team", day=DAY)
    first = session.store("IMG_0001.JPG", jpeg())
    processor = ShotProcessor(session, analyse=unchecked)
    processor.process([first])
    inside, release = threading.Event(), threading.Event()
    real = xmp.write_metadata

    def slow_write(photos, fields):
        if fields.rating == 5:  # the review's write: hold it here
            inside.set()
            assert release.wait(10)
        return real(photos, fields)

    monkeypatch.setattr(xmp, "write_metadata", slow_write)
    reviewer = threading.Thread(target=session.review, args=(first,), kwargs={"rating": 5})
    reviewer.start()
    assert inside.wait(10)
    stored = []
    downloader = threading.Thread(target=lambda: stored.append(session.store("IMG_0002.JPG", jpeg())))
    downloader.start()
    downloader.join(5)
    assert stored, "the download waited for the review"
    checker = threading.Thread(target=processor.process, args=([first],))  # checked again
    checker.start()
    checker.join(0.5)
    assert checker.is_alive(), "the check wrote the shot's metadata in the middle of a review"
    release.set()
    reviewer.join(10)
    checker.join(10)
    data = json.loads((session.folder / f"{first.stem}.studio.json").read_text())
    from studio.session.jpeg_xmp import read_xmp
    assert data["review"]["rating"] == 5 and b'xmp:Rating="5"' in read_xmp(first.read_bytes())


def test_a_crash_between_the_json_and_the_xmp_of_a_review_is_finished_on_reopen(tmp_path, monkeypatch):
    """review() writes the .studio.json, then the XMP in the JPEG and the sidecar: a crash in
    between left the JSON (and the report) saying 5 stars and the files saying none, for good."""
    import pytest

    from studio.session import xmp
    from studio.session.jpeg_xmp import read_xmp

    session = Session.open(tmp_path, "Team", day=DAY)
    photo = session.store("IMG_0001.JPG", jpeg())
    ShotProcessor(session, analyse=unchecked).process([photo])

    class Crash(BaseException):
        pass

    def crash(photos, fields):
        raise Crash()

    monkeypatch.setattr(xmp, "write_metadata", crash)
    with pytest.raises(Crash):
        session.review(photo, rating=5)
    monkeypatch.undo()
    assert b'xmp:Rating="5"' not in read_xmp(photo.read_bytes())  # the crash's state
    Session.open(tmp_path, "Team", day=DAY)  # the next start
    assert b'xmp:Rating="5"' in read_xmp(photo.read_bytes())
    sidecar = photo.with_name(photo.name + ".xmp").read_bytes()
    assert b'xmp:Rating="5"' in sidecar
    data = json.loads((session.folder / f"{photo.stem}.studio.json").read_text())
    assert data["review"]["rating"] == 5 and "pending" not in data["review"]
