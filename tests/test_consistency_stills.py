"""Stills are compared with the team's reference too: the shot processor reads the run's
reference before each still, so a downloaded shot's sidecar says "head 15 % smaller — step in"
as live view did. Real portraits framed by known transforms, the real still analyser."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from drivers.replay import open_source
from studio.app import StudioApp
from studio.consistency import ReferenceHolder
from studio.session import Session, SessionOptions, ShotProcessor
from studio.sources import bundled_sample
from tests.test_consistency_report import PEOPLE, PORTRAITS, framed


@pytest.fixture()
def session(tmp_path) -> Session:
    if not all((PORTRAITS / p[1]).exists() for p in PEOPLE):
        pytest.skip(f"portrait fixtures absent ({PORTRAITS})")
    return Session.open(tmp_path / "sessions", "Team", preset="commercial-headshot",
                        day=date(2026, 12, 1), options=SessionOptions(min_free_mb=1))


def _consistency(record) -> dict:
    path = next(p for p in record.sidecars if p.name.endswith(".studio.json"))
    sidecar = json.loads(path.read_text(encoding="utf-8"))
    return sidecar["analysis"]["checks"]["consistency"]


def test_each_still_is_compared_with_the_reference_of_its_moment(session):
    holder = ReferenceHolder(session.folder)
    processor = ShotProcessor(session, reference=lambda: holder.current)
    (_, ada_photo, ada_view), (_, ben_photo, ben_view) = PEOPLE[0], PEOPLE[1]
    [first] = processor.process([session.store("DSC_0001.JPG", framed(ada_photo, ada_view))])
    assert "No reference" in _consistency(first)["message"]
    assert holder.set_from(first.analysis) is not None  # R on the first shot
    [second] = processor.process([session.store("DSC_0002.JPG", framed(ben_photo, ben_view))])
    said = _consistency(second)
    assert said["reference"] == str(first.files[0]) and -17 <= said["deltas"]["head_size"] <= -13
    assert any(re.fullmatch(r"head 1[3-7] % smaller — step in", a) for a in said["advice"])
    holder.set(None)  # the photographer clears it: the next still is not compared
    [third] = processor.process([session.store("DSC_0003.JPG", framed(ben_photo, ben_view))])
    assert "No reference" in _consistency(third)["message"]


def test_the_app_hands_its_reference_to_the_still_check(session):
    camera = open_source(bundled_sample())
    app = StudioApp(camera, preset="commercial-headshot", session=session)
    try:
        processor = app.capture.processor
        assert processor is not None
        ada_photo, ada_view = PEOPLE[0][1], PEOPLE[0][2]
        [ref_shot] = processor.process([session.store("DSC_0001.JPG", framed(ada_photo, ada_view))])
        app.reference.set_from(ref_shot.analysis)
        ben_photo, ben_view = PEOPLE[1][1], PEOPLE[1][2]
        [shot] = processor.process([session.store("DSC_0002.JPG", framed(ben_photo, ben_view))])
        assert -17 <= _consistency(shot)["deltas"]["head_size"] <= -13
    finally:
        app.capture.close()
