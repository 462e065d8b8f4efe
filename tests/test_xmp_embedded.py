"""XMP inside the JPEG (Lightroom), beside it (darktable) and beside RAWs, read back by exiftool;
the camera's image bytes untouched; creator/copyright from the config; the photographer's review."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest

from studio.analysis import Analysis, CheckResult
from studio.people import PeopleDesk, Person, Roster
from studio.session import Session, SessionOptions, ShotProcessor
from studio.session.credits import load_config_credits
from studio.session.jpeg_xmp import embed_xmp, header_segments, is_xmp, read_xmp, with_xmp
from studio.session.review import is_rejected

DAY = date(2026, 12, 1)
needs_exiftool = pytest.mark.skipif(shutil.which("exiftool") is None,
                                    reason="exiftool absent (Debian: libimage-exiftool-perl)")


@pytest.fixture
def camera_jpeg(portraits) -> bytes:
    """A real camera JPEG (Canon EOS 5D Mark III, with EXIF)."""
    path = portraits / "frec__obama.jpg"
    if not path.exists():
        pytest.skip(f"fixture {path} absent")
    return path.read_bytes()


def exiftool(*args: str) -> dict:
    out = subprocess.run(["exiftool", "-j", "-struct", "-G1", *args], capture_output=True, check=True)
    return json.loads(out.stdout)[0]


def non_xmp_parts(data: bytes) -> tuple[list[bytes], bytes]:
    """Every header segment except XMP, in order, and everything from start-of-scan to the end."""
    segments, sos = header_segments(data)
    return [data[s.start:s.end] for s in segments if not is_xmp(data, s)], data[sos:]


def test_embedding_changes_nothing_but_the_xmp_segment(camera_jpeg):
    first = with_xmp(camera_jpeg, b"<x:xmpmeta>one</x:xmpmeta>")
    second = with_xmp(first, b"<x:xmpmeta>two, longer</x:xmpmeta>")
    assert non_xmp_parts(first) == non_xmp_parts(camera_jpeg) == non_xmp_parts(second)
    assert read_xmp(second) == b"<x:xmpmeta>two, longer</x:xmpmeta>"
    segments, _ = header_segments(second)
    assert sum(is_xmp(second, s) for s in segments) == 1  # replaced, not added
    # right after SOI and the leading JFIF/Exif segments
    markers = [s.marker for s in segments]
    assert markers.index(0xE1) <= markers.index(next(m for m in markers if m not in (0xE0, 0xE1)))
    old = [s for s in header_segments(camera_jpeg)[0] if is_xmp(camera_jpeg, s)]  # the editor's XMP
    assert len(second) == (len(camera_jpeg) - sum(s.end - s.start for s in old)
                           + 4 + 29 + len(b"<x:xmpmeta>two, longer</x:xmpmeta>"))
    pixels = lambda d: cv2.imdecode(np.frombuffer(d, np.uint8), cv2.IMREAD_UNCHANGED)
    assert np.array_equal(pixels(second), pixels(camera_jpeg))


def test_embedding_is_atomic_and_a_failed_rename_leaves_the_photo(tmp_path, camera_jpeg, monkeypatch):
    photo = tmp_path / "a.jpg"
    photo.write_bytes(camera_jpeg)
    inode = photo.stat().st_ino
    embed_xmp(photo, b"<x/>")
    assert photo.stat().st_ino != inode  # a new file renamed into place, not rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jpg"]  # no temporary left

    def fail(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    before = photo.read_bytes()
    with pytest.raises(OSError):
        embed_xmp(photo, b"<y/>")
    assert photo.read_bytes() == before


def test_a_damaged_header_is_refused_not_rewritten():
    with pytest.raises(ValueError, match="not a JPEG"):
        with_xmp(b"GIF89a", b"<x/>")
    with pytest.raises(ValueError, match="runs past the end"):
        with_xmp(b"\xff\xd8\xff\xe1\x40\x00Exif", b"<x/>")


def shoot(tmp_path, data: bytes, names=("GPH_0001.JPG",), *, options=None) -> tuple[Session, list]:
    session = Session.open(tmp_path, "Team", day=DAY, options=options or SessionOptions())
    desk = PeopleDesk(Roster((Person("Zoë Müller", "E7", "zoe@acme.com"),)), session)
    desk.next()
    stored = [session.store(n, data) for n in names]
    checks = (CheckResult("face", "pass", "face found"), CheckResult("eyes_open", "fail", "eyes closed"))
    analysis = Analysis("x", None, 0, (10, 10), "headshot", 1, checks, False, required=("face", "eyes_open"))
    records = ShotProcessor(session, analyse=lambda _p: analysis).process(stored, trigger="key")
    return session, records


@needs_exiftool
def test_jpeg_carries_its_xmp_inside_and_beside_it(tmp_path, camera_jpeg, isolated_config):
    (isolated_config / "studio").mkdir()
    (isolated_config / "studio" / "config.toml").write_text(
        '[metadata]\ncreator = "Ann Example"\ncopyright = "© 2026 Ann Example Photography"\n')
    session, [record] = shoot(tmp_path, camera_jpeg)
    jpeg = session.folder / "zoe-muller-0001.jpg"
    assert record.files == (jpeg,) and record.person == "Zoë Müller"
    assert non_xmp_parts(jpeg.read_bytes()) == non_xmp_parts(camera_jpeg)
    for source in (jpeg, session.folder / "zoe-muller-0001.jpg.xmp"):
        tags = exiftool(str(source))
        assert tags["XMP-xmp:Rating"] == 1 and tags["XMP-xmp:Label"] == "Red"
        assert tags["XMP-iptcExt:PersonInImage"] == ["Zoë Müller"]
        assert tags["XMP-dc:Creator"] == ["Ann Example"]
        assert tags["XMP-dc:Rights"] == "© 2026 Ann Example Photography"
        assert tags["XMP-dc:Subject"] == ["studio:eyes-closed"]
        assert tags["XMP-studio:Problems"] == ["eyes-closed"]
        assert not any(k.endswith(":Description") for k in tags)  # never the caption
    assert exiftool(str(jpeg))["IFD0:Make"] == "Canon"  # the camera's EXIF is still there
    assert not (session.folder / "zoe-muller-0001.xmp").exists()  # Lightroom reads a JPEG's own
    data = json.loads((session.folder / "zoe-muller-0001.studio.json").read_text())
    assert data["person"] == {"name": "Zoë Müller", "id": "E7", "email": "zoe@acme.com"}


@needs_exiftool
def test_raw_gets_lightroom_and_darktable_sidecars(tmp_path, camera_jpeg):
    raw = b"II*\x00" + bytes(64) + camera_jpeg  # a RAW with its JPEG preview, like a camera's
    session, [record] = shoot(tmp_path, raw, names=("GPH_0001.NEF",),
                              options=SessionOptions(creator="Bo", copyright="Bo Ltd"))
    nef = session.folder / "zoe-muller-0001.nef"
    assert nef.read_bytes() == raw  # a RAW is never rewritten
    assert sorted(p.name for p in record.sidecars if p.suffix == ".xmp") == [
        "zoe-muller-0001.nef.xmp", "zoe-muller-0001.xmp"]
    tags = exiftool(str(session.folder / "zoe-muller-0001.xmp"))
    assert tags["XMP-iptcExt:PersonInImage"] == ["Zoë Müller"] and tags["XMP-dc:Creator"] == ["Bo"]


def test_a_bad_config_is_one_line_naming_the_key(isolated_config):
    config = isolated_config / "studio" / "config.toml"
    config.parent.mkdir()
    config.write_text("[metadata]\ncreator = 5\n")
    with pytest.raises(ValueError, match=r"metadata.creator must be text, not int$"):
        load_config_credits()
    config.write_text("[metadata\n")
    with pytest.raises(ValueError) as info:
        load_config_credits()
    assert str(config) in str(info.value) and "\n" not in str(info.value)


@needs_exiftool
def test_review_rates_labels_and_rejects_into_every_file(tmp_path, camera_jpeg):
    session, [record] = shoot(tmp_path, camera_jpeg,
                              options=SessionOptions(black_and_white=True))
    jpeg = record.files[0]
    bw = session.folder / "zoe-muller-0001.bw.jpg"
    assert bw.exists()
    session.review(jpeg, rating=5, label="blue")
    for source in (jpeg, Path(f"{jpeg}.xmp")):
        tags = exiftool(str(source))
        assert (tags["XMP-xmp:Rating"], tags["XMP-xmp:Label"]) == (5, "Blue")
        assert tags["XMP-studio:Rejected"] is False
    assert non_xmp_parts(jpeg.read_bytes()) == non_xmp_parts(camera_jpeg)

    review = session.review("zoe-muller-0001", rejected=True)
    assert review.rejected and review.rating == 5
    tags = exiftool(str(jpeg))
    assert tags["XMP-xmp:Rating"] == -1 and tags["XMP-studio:Rejected"] is True
    assert tags["XMP-xmp:Label"] == "Blue"
    assert not bw.exists() and (session.folder / ".rejected" / bw.name).exists()
    assert is_rejected(session.folder, "zoe-muller-0001")
    data = json.loads((session.folder / "zoe-muller-0001.studio.json").read_text())
    assert data["review"]["rejected"] is True and data["review"]["rating"] == 5

    session.review(jpeg, rejected=False)
    assert bw.exists() and exiftool(str(jpeg))["XMP-xmp:Rating"] == 5
    assert not is_rejected(session.folder, "zoe-muller-0001")


@pytest.mark.parametrize("kwargs, message", [
    ({"rating": 6}, "0 to 5 stars"), ({"rating": True}, "0 to 5 stars"),
    ({"label": "Pink"}, "a label is one of Red"), ({"rejected": "yes"}, "true or false"),
])
def test_review_refuses_bad_values_and_writes_nothing(tmp_path, camera_jpeg, kwargs, message):
    session, [record] = shoot(tmp_path, camera_jpeg)
    before = record.files[0].read_bytes()
    with pytest.raises(ValueError, match=message):
        session.review(record.files[0], **kwargs)
    with pytest.raises(ValueError, match="no checked shot 'nope.jpg'"):
        session.review("nope.jpg", rating=1)
    assert record.files[0].read_bytes() == before


@needs_exiftool
def test_a_shot_checked_again_keeps_its_review_and_a_rejected_one_gets_no_deliverables(tmp_path, camera_jpeg):
    session, [record] = shoot(tmp_path, camera_jpeg, options=SessionOptions(black_and_white=True))
    jpeg = record.files[0]
    session.review(jpeg, rating=4, rejected=True)
    checks = (CheckResult("face", "pass", "face found"),)
    analysis = Analysis("x", None, 0, (10, 10), "headshot", 1, checks, True, required=("face",))
    [again] = ShotProcessor(session, analyse=lambda _p: analysis).process([jpeg], trigger="recheck")
    assert again.rejected and again.extras == ()
    assert not (session.folder / "zoe-muller-0001.bw.jpg").exists()
    tags = exiftool(str(jpeg))
    assert tags["XMP-xmp:Rating"] == -1 and tags["XMP-studio:Rejected"] is True
    assert tags["XMP-studio:Verdict"] == "pass"  # the new check, the old review
    data = json.loads((session.folder / "zoe-muller-0001.studio.json").read_text())
    assert data["review"]["rating"] == 4 and data["review"]["rejected"] is True
