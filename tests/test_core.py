"""The shared pieces: the latest-frame slot, JPEG sizes, atomic downloads, the vision loop, READY."""

from __future__ import annotations

import os
import threading
import time

import cv2
import numpy as np
import pytest

from drivers.base import (
    LatestFrameSlot,
    PermissionDenied,
    Setting,
    SettingError,
    SettingKind,
    StorageFull,
    jpeg_size,
    parse_setting_value,
)
from drivers.download import FolderSink, safe_name, write_atomic
from studio.analysis import Analysis, CheckResult, Status
from studio.loop import VisionLoop
from studio.ready import ReadyMachine, ReadyState


def _jpeg(w: int, h: int, value: int = 128) -> bytes:
    ok, buf = cv2.imencode(".jpg", np.full((h, w, 3), value, np.uint8))
    assert ok
    return buf.tobytes()


# -- latest-frame slot ---------------------------------------------------------------------


def test_jpeg_size_reads_the_header_of_real_jpegs():
    assert jpeg_size(_jpeg(1024, 680)) == (1024, 680)
    assert jpeg_size(_jpeg(7, 5)) == (7, 5)
    assert jpeg_size(b"not a jpeg") == (0, 0)
    assert jpeg_size(_jpeg(64, 48)[:20]) == (0, 0)  # cut before the SOF segment


def test_slot_numbers_frames_and_never_returns_one_twice():
    slot = LatestFrameSlot()
    a = slot.put_jpeg(b"\xff\xd8a", timestamp=1.0)
    b = slot.put_jpeg(b"\xff\xd8b", timestamp=2.0)
    assert (a.seq, b.seq) == (1, 2)
    assert slot.wait_newer(0, timeout=0).jpeg == b"\xff\xd8b"  # the newest, frame 1 is gone
    assert slot.wait_newer(2, timeout=0.05) is None


def test_slot_wakes_a_waiting_reader_without_polling():
    slot = LatestFrameSlot()
    got: list = []
    reader = threading.Thread(target=lambda: got.append(slot.wait_newer(0, timeout=5)))
    reader.start()
    time.sleep(0.05)
    put_at = time.monotonic()
    slot.put_jpeg(_jpeg(8, 8))
    reader.join(5)
    assert got and got[0].seq == 1 and got[0].size == (8, 8)
    assert time.monotonic() - put_at < 1.0


def test_closing_the_slot_releases_waiters():
    slot = LatestFrameSlot()
    t0 = time.monotonic()
    threading.Timer(0.05, slot.close).start()
    assert slot.wait_newer(0, timeout=5) is None
    assert time.monotonic() - t0 < 2


# -- settings validation -------------------------------------------------------------------


def test_setting_validation_lists_allowed_values():
    iso = Setting("iso", "ISO", SettingKind.CHOICE, "100", choices=("100", "200", "400"))
    assert parse_setting_value(iso, "200") == "200"
    with pytest.raises(SettingError, match="100, 200, 400"):
        parse_setting_value(iso, "25600")
    ev = Setting("ev", "EV", SettingKind.RANGE, 0.0, range=(-3.0, 3.0, 0.5))
    assert parse_setting_value(ev, "0.7") == pytest.approx(0.5)
    with pytest.raises(SettingError, match="-3 to 3"):
        parse_setting_value(ev, "5")
    ro = Setting("model", "Model", SettingKind.TEXT, "D750", readonly=True)
    with pytest.raises(SettingError, match="read-only"):
        parse_setting_value(ro, "x")


# -- downloads -----------------------------------------------------------------------------


@pytest.mark.parametrize("camera_name, expected", [
    ("capt0000.jpg", "capt0000.jpg"),
    ("../../etc/passwd", "passwd"),
    ("/DCIM/100CANON/IMG_0001.CR2", "IMG_0001.CR2"),
    ("..", "capture"),
    ("a\\..\\b.jpg", "b.jpg"),
    ("we ird$name.jpg", "we_ird_name.jpg"),
])
def test_safe_name_never_escapes_the_folder(camera_name, expected):
    assert safe_name(camera_name) == expected


def test_folder_sink_makes_repeated_camera_names_unique_and_keeps_pairs(tmp_path):
    sink = FolderSink(tmp_path)
    first = sink.store("capt0000.jpg", b"one")
    second = sink.store("capt0000.jpg", b"two")
    assert first.name == "capt0000.jpg" and second.name == "capt0000-1.jpg"
    raw = sink.store("capt0000.cr2", b"raw of two")  # the RAW of the second shot
    assert raw.name == "capt0000-1.cr2"
    assert first.read_bytes() == b"one" and second.read_bytes() == b"two"
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob(".*"))


def test_write_atomic_never_overwrites(tmp_path):
    target = tmp_path / "a.jpg"
    write_atomic(target, b"first")
    with pytest.raises(FileExistsError):
        write_atomic(target, b"second")
    assert target.read_bytes() == b"first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jpg"]


def test_write_atomic_in_a_read_only_folder_is_a_clear_error(tmp_path, mount_tmpfs):
    if os.geteuid() != 0:
        tmp_path.chmod(0o500)
        try:
            with pytest.raises(PermissionDenied):
                write_atomic(tmp_path / "a.jpg", b"x")
        finally:
            tmp_path.chmod(0o700)
        return
    # root ignores folder modes, not a read-only file system (EROFS)
    folder = mount_tmpfs(tmp_path / "ro", "ro,size=64k")
    with pytest.raises(PermissionDenied, match="cannot write"):
        write_atomic(folder / "a.jpg", b"x")
    assert list(folder.iterdir()) == []


def test_full_disk_raises_storage_full_and_leaves_no_partial_file(tiny_disk):
    write_atomic(tiny_disk / "small.jpg", os.urandom(100_000))
    with pytest.raises(StorageFull, match="disk full"):
        write_atomic(tiny_disk / "big.jpg", os.urandom(400_000))
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["small.jpg"]


# -- the vision loop -----------------------------------------------------------------------


def _analysis(seq: int, ts: float, ready: bool, faces: int = 1) -> Analysis:
    status = Status.PASS if ready else Status.FAIL
    return Analysis(source="t", frame=seq, timestamp=ts, size=(8, 8), shot="headshot", faces=faces,
                    checks=(CheckResult("eyes_open", status, "x"),), ready=ready,
                    required=("eyes_open",))


def test_loop_drops_frames_instead_of_queueing_when_analysis_is_slow():
    slot = LatestFrameSlot()
    seen: list[int] = []

    def slow(frame):
        time.sleep(0.05)
        return _analysis(frame.seq, frame.timestamp, True)

    loop = VisionLoop(slot, slow)
    loop.add_listener(lambda a: seen.append(a.frame))
    loop.start()
    for _ in range(60):  # 60 frames at ~200 fps against a 20 fps analyser
        slot.put_jpeg(b"\xff\xd8")
        time.sleep(0.005)
    slot.close()
    assert loop.wait(5)
    stats = loop.stats
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    assert seen[-1] == 60  # it always ends on the newest frame
    assert stats.analysed == len(seen) < 30
    assert stats.dropped == 60 - len(seen) - (seen[0] - 1)


def test_loop_survives_a_frame_the_analyser_cannot_read():
    slot = LatestFrameSlot()

    def picky(frame):
        if frame.seq == 1:
            raise ValueError("corrupt JPEG")
        return _analysis(frame.seq, frame.timestamp, True)

    loop = VisionLoop(slot, picky)
    loop.start()
    slot.put_jpeg(b"\xff\xd8")
    time.sleep(0.1)
    slot.put_jpeg(b"\xff\xd8")
    time.sleep(0.1)
    slot.close()
    assert loop.wait(5)
    assert loop.stats.errors == 1 and loop.stats.analysed == 1


def test_loop_publishes_the_newest_analysis_for_other_threads():
    slot = LatestFrameSlot()
    loop = VisionLoop(slot, lambda frame: _analysis(frame.seq, frame.timestamp, True))
    assert loop.latest is None and loop.analyses.wait(0, 0.01) is None
    loop.start()
    slot.put_jpeg(b"\xff\xd8")
    got = loop.analyses.wait(0, 5)  # another thread waits for the first analysis
    assert got is not None and got[1].frame == 1 and loop.latest is got[1]
    slot.put_jpeg(b"\xff\xd8")
    newer = loop.analyses.wait(got[0], 5)
    assert newer is not None and newer[1].frame == 2
    slot.close()
    assert loop.wait(5)


# -- READY ---------------------------------------------------------------------------------


def test_ready_needs_the_hold_time_and_leaves_on_any_failure():
    machine = ReadyMachine(hold_s=0.5)
    events = []
    machine.add_listener(events.append)
    machine.update(_analysis(1, 10.0, True))
    assert machine.state is ReadyState.HOLDING
    machine.update(_analysis(2, 10.3, True))
    assert machine.state is ReadyState.HOLDING  # 0.3 s < hold
    machine.update(_analysis(3, 10.5, True))
    assert machine.state is ReadyState.READY and machine.period == 1
    machine.update(_analysis(4, 10.6, False))
    assert machine.state is ReadyState.NOT_READY
    assert events[-1].problems == ("eyes_open",)
    for i, t in enumerate((11.0, 11.6)):
        machine.update(_analysis(5 + i, t, True))
    assert machine.state is ReadyState.READY and machine.period == 2
    assert [e.state for e in events] == [ReadyState.HOLDING, ReadyState.READY, ReadyState.NOT_READY,
                                         ReadyState.HOLDING, ReadyState.READY]


def test_ready_is_never_entered_without_a_face():
    machine = ReadyMachine(hold_s=0.0)
    for i in range(5):
        machine.update(_analysis(i, float(i), True, faces=0))
    assert machine.state is ReadyState.NOT_READY
    assert machine.problems == ("face",)


def test_analysis_json_form_is_plain_json():
    import json

    a = Analysis(source="s.jpg", frame=None, timestamp=0.0, size=(640, 480), shot="headshot", faces=1,
                 checks=(CheckResult("glare", Status.WARN, "minor glare", 0.02, ((0.1, 0.2, 0.3, 0.4),),
                                     {"lenses": [{"side": "left", "area": np.float32(0.02),
                                                  "covers_eye": False}]}),),
                 ready=False, required=("glare",))
    data = json.loads(json.dumps(a.to_json()))
    assert data["checks"]["glare"]["lenses"][0] == {"side": "left", "area": 0.02, "covers_eye": False}
    assert data["checks"]["glare"]["regions"] == [[0.1, 0.2, 0.3, 0.4]]
    assert data["frame"] is None and data["ready"] is False
    assert a.problems[0].id == "glare"
