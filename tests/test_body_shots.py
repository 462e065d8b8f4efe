"""Shots fired on the camera body: files gathered into one shot, with their twins, and never
seen as idle between the last file and the shot being handed on."""

from __future__ import annotations

import threading
import time

from studio.body_shots import BodyShots, with_twins


def test_a_raw_jpeg_pair_arriving_apart_is_one_shot(tmp_path):
    jpg, raw = tmp_path / "IMG_0001.JPG", tmp_path / "IMG_0001.CR2"
    jpg.write_bytes(b"j")
    raw.write_bytes(b"r")
    shots: list[tuple] = []
    done = threading.Event()
    body = BodyShots(lambda paths: (shots.append(paths), done.set()), settle_s=0.15)
    body.add(jpg)
    time.sleep(0.05)
    body.add(raw)  # within settle_s of the first: the same shot
    assert body.gathering
    assert done.wait(2.0)
    assert shots == [(jpg, raw)]
    assert not body.gathering


def test_files_apart_by_more_than_the_settle_time_are_two_shots(tmp_path):
    a, b = tmp_path / "IMG_0001.JPG", tmp_path / "IMG_0002.JPG"
    a.write_bytes(b"a")
    b.write_bytes(b"b")
    shots: list[tuple] = []
    body = BodyShots(shots.append, settle_s=0.05)
    body.add(a)
    time.sleep(0.4)
    body.add(b)
    time.sleep(0.4)
    assert shots == [(a,), (b,)]


def test_still_gathering_while_the_shot_is_handed_on(tmp_path):
    path = tmp_path / "IMG_0001.JPG"
    path.write_bytes(b"x")
    inside, release = threading.Event(), threading.Event()
    seen: list[bool] = []

    def on_shot(paths: tuple) -> None:
        inside.set()
        release.wait(2.0)

    body = BodyShots(on_shot, settle_s=0.02)
    body.add(path)
    assert inside.wait(2.0)
    seen.append(body.gathering)  # the shot is not yet on the controller's queue
    release.set()
    deadline = time.monotonic() + 2.0
    while body.gathering and time.monotonic() < deadline:
        time.sleep(0.01)
    assert seen == [True] and not body.gathering


def test_twins_are_photos_sharing_the_base_name_only(tmp_path):
    jpg = tmp_path / "IMG_0007.JPG"
    for name in ("IMG_0007.JPG", "IMG_0007.NEF", "IMG_0007.xmp", "IMG_00070.JPG"):
        (tmp_path / name).write_bytes(b"x")
    assert set(with_twins([jpg])) == {jpg, tmp_path / "IMG_0007.NEF"}
