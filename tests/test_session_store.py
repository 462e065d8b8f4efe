"""Session folders, names and the counter, on the real file system (tmpfs for disk-full)."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from drivers.base import StorageFull
from drivers.download import write_atomic
from studio.session import Session, SessionOptions, TemplateError
from studio.session.naming import NameFields, expand, slug, validate
from studio.session.reconcile import reconcile

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
DAY = date(2026, 11, 23)


def photo_bytes() -> bytes:
    path = FIXTURES / "portraits" / "frec__obama.jpg"
    if not path.exists():
        pytest.skip(f"fixture {path} absent")
    return path.read_bytes()


# -- naming -----------------------------------------------------------------------------------


def test_template_tokens_expand_like_gphoto2():
    fields = NameFields(datetime(2026, 11, 23, 9, 5, 7), 42, "GPH_0099.JPG", "acme-team", "jane-doe", 3)
    assert expand("%Y%m%d-%H%M%S_%03n.%C", fields) == "20261123-090507_042.jpg"
    assert expand("{session}_{subject}_{seq}_%n_%f.%C", fields) == "acme-team_jane-doe_3_42_GPH_0099.jpg"
    assert expand("%y-%d 100%%-%4n.%C", fields) == "26-23_100_-0042.jpg"  # '%' and ' ' made safe


def test_template_validation_refuses_unusable_templates():
    validate("{subject}-%04n.%C")
    with pytest.raises(TemplateError, match="needs %C"):
        validate("%Y%m%d-%n.jpg")
    with pytest.raises(TemplateError, match="separator"):
        validate("../%n.%C")
    with pytest.raises(TemplateError, match="unknown token"):
        validate("%Q-%n.%C")


def test_slug():
    assert slug("  Jane Doe / ACME  ") == "jane-doe-acme"
    assert slug("////") == "session"


# -- storing ----------------------------------------------------------------------------------


def test_folder_layout_and_state(tmp_path):
    session = Session.open(tmp_path, "ACME Team Day", subject="Jane Doe", day=DAY)
    assert session.folder == tmp_path / "2026-11-23_acme-team-day"
    path = session.store("GPH_0099.JPG", b"\xff\xd8data\xff\xd9")
    assert path.name == "jane-doe-0001.jpg"
    state = json.loads((session.folder / "session.json").read_text())
    assert state["counter"] == 2 and state["subject"] == "Jane Doe" and state["name"] == "ACME Team Day"


def test_hundred_shots_unique_names_and_counter_survives_restart(tmp_path):
    data = photo_bytes()
    session = Session.open(tmp_path, "volume", subject="staff", day=DAY,
                           options=SessionOptions(template="%Y%m%d-{subject}-%03n.%C", min_free_mb=1))
    # Virtual-camera-like names repeat (RAM captures reuse capt0000.jpg).
    paths = [session.store("capt0000.jpg", data) for _ in range(100)]
    assert len({p.name for p in paths}) == 100
    assert all(p.read_bytes() == data for p in paths)
    assert paths[0].name.endswith("-001.jpg") and paths[-1].name.endswith("-100.jpg")
    # A new process (restart) or a new Session object (reconnect) continues the counter.
    again = Session.open(tmp_path, "volume", day=DAY)
    assert again.state.subject == "staff"
    assert again.store("capt0000.jpg", data).name.endswith("-101.jpg")
    assert not list(again.folder.glob(".*.part"))


def test_raw_jpeg_pair_shares_one_base_and_one_number(tmp_path):
    session = Session.open(tmp_path, "pairs", subject="ann", day=DAY)
    jpg = session.store("DSC_0001.JPG", b"\xff\xd8jpeg\xff\xd9")
    nef = session.store("DSC_0001.NEF", b"MM\0*raw")
    other = session.store("DSC_0002.JPG", b"\xff\xd8next\xff\xd9")
    assert (jpg.name, nef.name, other.name) == ("ann-0001.jpg", "ann-0001.nef", "ann-0002.jpg")
    # A second JPEG with the first one's camera name is a new shot, not the pair's partner.
    again = session.store("DSC_0001.JPG", b"\xff\xd8again\xff\xd9")
    assert again.name == "ann-0003.jpg"


def test_names_never_collide_without_a_counter_in_the_template(tmp_path):
    session = Session.open(tmp_path, "ts", day=DAY, options=SessionOptions(template="%Y%m%d-%H.%C"))
    names = [session.store("IMG.JPG", b"x" * 10).name for _ in range(5)]
    assert len(set(names)) == 5
    assert names[1] == names[0].replace(".jpg", "-1.jpg")


def test_existing_foreign_file_is_never_overwritten(tmp_path):
    folder = tmp_path / "2026-11-23_s"
    folder.mkdir()
    (folder / "s-0001.jpg").write_bytes(b"someone else's")
    session = Session.open(tmp_path, "s", day=DAY)
    path = session.store("a.jpg", b"mine")
    assert (folder / "s-0001.jpg").read_bytes() == b"someone else's"
    assert path.read_bytes() == b"mine" and path.name != "s-0001.jpg"


# -- disk space -------------------------------------------------------------------------------


def test_precheck_stops_before_the_shot_when_space_is_below_the_minimum(tmp_path):
    session = Session.open(tmp_path, "space", day=DAY)
    free_mb = session.free_bytes() // (1024 * 1024)
    session.options.min_free_mb = free_mb + 1024
    with pytest.raises(StorageFull, match="capturing stopped") as err:
        session.ensure_space()
    assert "stay on the card" in str(err.value)
    session.options.min_free_mb = 1
    session.ensure_space()


def test_disk_full_while_writing_leaves_no_partial_file(tiny_disk):
    session = Session.open(tiny_disk, "full", day=DAY, options=SessionOptions(min_free_mb=0))
    kept = session.store("a.jpg", b"\xff\xd8" + b"a" * 50_000 + b"\xff\xd9")
    with pytest.raises(StorageFull, match="disk full"):
        session.store("b.jpg", b"\xff\xd8" + b"b" * 400_000 + b"\xff\xd9")
    files = sorted(p.name for p in session.folder.iterdir())
    assert files == [kept.name, "session.json"]  # no half photo, no .part left
    # And the precheck now refuses the next shot (largest file so far is 400 kB > free space).
    with pytest.raises(StorageFull):
        session.ensure_space()


# -- crash reconciliation ---------------------------------------------------------------------


def _part(folder: Path, name: str, data: bytes) -> Path:
    path = folder / f".{name}.{os.getpid()}.1234{'.part'}"
    path.write_bytes(data)
    return path


def test_reconcile_keeps_everything_a_crash_left(tmp_path):
    data = photo_bytes()
    folder = tmp_path / "2026-11-23_crash"
    folder.mkdir()
    write_atomic(folder / "crash-0001.jpg", data)
    _part(folder, "crash-0001.jpg", data)  # crash after the link, before the unlink
    _part(folder, "crash-0002.jpg", data)  # complete JPEG, never linked
    _part(folder, "crash-0003.jpg", data[: len(data) // 2])  # truncated JPEG
    _part(folder, "crash-0003.nef", b"MM\0*" + b"r" * 1000)  # a RAW cannot be verified
    _part(folder, "crash-0004.jpg", b"")  # nothing was written
    _part(folder, ".session.json.new", b'{"counter": 9')  # the state being saved
    _part(folder, "crash-0001.jpg.xmp", b"<x:xmpmeta")  # a sidecar being written

    session = Session.open(tmp_path, "crash", day=DAY)
    report = session.reconciled
    assert [p.name for p in report.recovered] == ["recovered-crash-0002.jpg"]
    assert (folder / "recovered-crash-0002.jpg").read_bytes() == data
    assert sorted(p.name for p in report.incomplete) == ["crash-0003.jpg", "crash-0003.nef"]
    assert (folder / "incomplete" / "crash-0003.jpg").read_bytes() == data[: len(data) // 2]
    assert len(report.duplicates_removed) == 1 and len(report.empty_removed) == 1
    assert len(report.app_files_removed) == 2 and not (folder / ".session.json.new").exists()
    assert not list(folder.glob(".*.part"))
    # Photos without a sidecar (the crash came before the check) are listed for processing.
    assert sorted(p.name for p in report.unprocessed) == ["crash-0001.jpg", "recovered-crash-0002.jpg"]
    # The counter never hands out a number a photo already has.
    assert session.store("x.jpg", data).name not in {"crash-0001.jpg"}
    assert reconcile(folder).recovered == []  # idempotent


def test_reconcile_leaves_a_download_another_running_studio_is_writing(tmp_path):
    folder = Session.open(tmp_path, "two", day=DAY).folder
    writer = subprocess.Popen(["sleep", "30"])  # a second studio on the same session, mid-write
    try:
        part = folder / f".two-0001.jpg.{writer.pid}.99.part"
        part.write_bytes(b"\xff\xd8 half a photo")
        assert Session.open(tmp_path, "two", day=DAY).reconciled.incomplete == []
        assert part.exists()
    finally:
        writer.kill()
        writer.wait()
    # Once that process is gone, its .part is a crash leftover like any other.
    assert [p.name for p in Session.open(tmp_path, "two", day=DAY).reconciled.incomplete] == ["two-0001.jpg"]
    assert not part.exists()


def test_staged_state_from_a_crash_is_taken_and_damaged_state_is_reported(tmp_path):
    session = Session.open(tmp_path, "st", day=DAY)
    session.store("a.jpg", b"1")
    state = json.loads((session.folder / "session.json").read_text())
    state["counter"] = 50
    (session.folder / ".session.json.new").write_text(json.dumps(state))  # crash before rename
    assert Session.open(tmp_path, "st", day=DAY).state.counter == 50
    (session.folder / "session.json").write_text("{not json")
    with pytest.raises(ValueError, match="damaged"):
        Session.open(tmp_path, "st", day=DAY)


CRASHING_WRITER = """
import os, sys
sys.path.insert(0, {root!r})
from datetime import date
from pathlib import Path
from studio.session import Session
session = Session.open({tmp!r}, "killed", day=date(2026, 11, 23))
session.store("DSC_0001.JPG", Path({photo!r}).read_bytes())
real_link = os.link
def die_before_link(src, dst):  # the power goes out between the photo's fsync and its rename
    if str(dst).endswith(".jpg"):
        os._exit(9)
    return real_link(src, dst)
os.link = die_before_link
session.store("DSC_0002.JPG", Path({photo!r}).read_bytes())
"""


def test_a_process_killed_mid_download_loses_nothing(tmp_path):
    import sys

    data = photo_bytes()
    photo = tmp_path / "camera.jpg"
    photo.write_bytes(data)
    code = CRASHING_WRITER.format(root=str(Path(__file__).resolve().parents[1]), tmp=str(tmp_path),
                                  photo=str(photo))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert done.returncode == 9, done.stderr.decode()
    folder = tmp_path / "2026-11-23_killed"
    assert len(list(folder.glob(".*.part"))) == 1  # what the crash left
    session = Session.open(tmp_path, "killed", day=date(2026, 11, 23))
    assert [p.name for p in session.reconciled.recovered] == ["recovered-killed-0002.jpg"]
    assert (folder / "recovered-killed-0002.jpg").read_bytes() == data
    assert session.state.counter == 3  # 0002 was reserved before the crash: never reused
    assert session.store("DSC_0003.JPG", data).name == "killed-0003.jpg"
    # Both photos the crash left unchecked get checked and labelled now.
    from studio.analysis import Analysis
    from studio.session import ShotProcessor

    checked: list[str] = []

    def analyse(path: Path) -> Analysis:
        checked.append(path.name)
        return Analysis(path.name, None, 0, (1, 1), "none", 0, (), False)

    records = ShotProcessor(session, analyse=analyse).process_leftovers()
    assert sorted(checked) == ["killed-0001.jpg", "recovered-killed-0002.jpg"]
    recovered = next(r for r in records if r.base.startswith("recovered-"))
    assert "studio:recovered" in (folder / "recovered-killed-0002.jpg.xmp").read_text()
    assert recovered.sidecars


def test_session_from_command_line_arguments(tmp_path):
    import argparse

    from studio.session import HookError
    from studio.session.setup import add_arguments, open_from_args

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    root = str(tmp_path)
    assert open_from_args(parser.parse_args([])) is None
    session = open_from_args(parser.parse_args(
        ["--session", "ACME", "--session-root", root, "--subject", "Jo", "--bw", "--crop", "1:1",
         "--name-template", "%Y-{subject}-%03n.%C", "--min-free-mb", "5"]), preset="portrait")
    assert session.options.black_and_white and session.options.crop == "1:1"
    assert session.store("a.jpg", b"x").name.endswith("-jo-001.jpg")
    # Resumed without the options: they are kept, and the counter goes on.
    again = open_from_args(parser.parse_args(["--session", "ACME", "--session-root", root]))
    assert again.folder == session.folder and again.options.crop == "1:1"
    assert again.store("b.jpg", b"y").name.endswith("-jo-002.jpg")
    with pytest.raises(TemplateError):
        open_from_args(parser.parse_args(["--session", "B", "--session-root", root, "--name-template", "x"]))
    assert not list(tmp_path.glob("*_b"))  # nothing created for a refused template
    with pytest.raises(HookError, match="does not exist"):
        open_from_args(parser.parse_args(["--session", "C", "--session-root", root, "--hook", "/nope.sh"]))


@pytest.mark.parametrize("args, message", [
    (["--name-template", ""], "naming template is empty"),
    (["--min-free-mb", "-1"], "--min-free-mb must be 0 or more"),
    (["--hook-timeout", "0"], "--hook-timeout must be positive"),
])
def test_bad_session_options_are_refused_before_anything_is_created(tmp_path, capsys, args, message):
    from studio.argtypes import OneLineParser
    from studio.session.setup import add_arguments, open_from_args

    parser = OneLineParser()
    add_arguments(parser)
    try:  # numbers are refused by their argparse type, other values by open_from_args
        with pytest.raises(ValueError, match=message):
            open_from_args(parser.parse_args(["--session", "S", "--session-root", str(tmp_path), *args]))
    except SystemExit as exc:
        assert exc.code == 2 and message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_a_session_root_that_is_a_file_and_a_state_that_is_not_an_object_are_value_errors(tmp_path):
    blocker = tmp_path / "root"
    blocker.write_text("a file, not a folder")
    with pytest.raises(ValueError, match="cannot create session folder"):
        Session.open(blocker, "s", day=DAY)
    session = Session.open(tmp_path, "t", day=DAY)
    for damaged in ("[1, 2]", '{"options": [1]}'):
        (session.folder / "session.json").write_text(damaged)
        with pytest.raises(ValueError, match="damaged"):
            Session.open(tmp_path, "t", day=DAY)
