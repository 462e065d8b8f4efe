"""The .slv recording format: real files written, cut, damaged and read back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.base import SourceError, jpeg_size
from drivers.recording import (
    END,
    FRAME,
    HEADER_SIZE,
    MAGIC,
    STILL,
    RecordingReader,
    RecordingWriter,
    pack_record,
    recording_metadata,
)

ROOT = Path(__file__).resolve().parents[1]


def make_jpeg(index: int, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small, unique JPEG: noise seeded by ``index``."""
    rng = np.random.default_rng(index)
    image = rng.integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8)
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    return data.tobytes()


def meta(**extra) -> dict:
    return recording_metadata(camera="Test body", frame_size=(64, 48), fps=20.0, source="test",
                              app_version="0.0", **extra)


def write_recording(path: Path, count: int = 10, *, stills: dict[int, bytes] | None = None,
                    close: bool = True) -> list[tuple[float, bytes]]:
    frames = [(i * 0.05 + 0.001 * (i % 3), make_jpeg(i)) for i in range(count)]
    writer = RecordingWriter(path, meta())
    for i, (t, jpeg) in enumerate(frames):
        writer.write_frame(jpeg, t)
        if stills and i in stills:
            writer.write_still(stills[i], t)
    if close:
        writer.close()
    return frames


def frame_offsets(path: Path) -> list[int]:
    """Byte offset of each frame record's header."""
    with RecordingReader(path) as reader:
        return [e.offset - HEADER_SIZE for e in reader.frame_entries]


def read_frames(path: Path) -> list[tuple[float, bytes]]:
    with RecordingReader(path) as reader:
        return [(r.timestamp, r.payload) for r in reader.frames()]


def test_round_trip_is_byte_exact(tmp_path):
    path = tmp_path / "a.slv"
    stills = {3: make_jpeg(100, (256, 170)), 7: make_jpeg(101, (256, 170))}
    frames = write_recording(path, 12, stills=stills)
    with RecordingReader(path) as reader:
        assert reader.metadata == meta() | {"date": reader.metadata["date"]}
        assert reader.metadata["frame_size"] == [64, 48]
        got = [(r.timestamp, r.payload) for r in reader.frames()]
        assert got == frames  # float64 timestamps and JPEG bytes exactly as written
        records = list(reader)
        kinds = [r.kind for r in records]
        assert kinds[0] == b"M" and kinds[-1] == END
        assert [r.payload for r in records if r.kind == STILL] == [stills[3], stills[7]]
        # Stills sit right after the frame they were taken at, with its timestamp.
        still_times = [r.timestamp for r in records if r.kind == STILL]
        assert still_times == [frames[3][0], frames[7][0]]
        assert reader.end == {"frames": 12, "stills": 2, "duration": round(frames[-1][0], 6)}
        stats = reader.stats
        assert (stats.frames, stats.stills, stats.corrupt, stats.resyncs) == (12, 2, 0, 0)
        assert stats.complete and not stats.truncated and not stats.damaged
    assert path.read_bytes().startswith(MAGIC)


def test_record_layout_is_as_documented(tmp_path):
    jpeg = make_jpeg(1)
    record = pack_record(FRAME, 1.25, jpeg)
    assert record[:3] == b"LVR" and record[3:4] == b"F"
    assert int.from_bytes(record[4:8], "little") == len(jpeg)
    assert np.frombuffer(record[8:16], "<f8")[0] == 1.25
    import zlib

    assert int.from_bytes(record[16:20], "little") == zlib.crc32(jpeg)
    assert int.from_bytes(record[20:24], "little") == zlib.crc32(record[:20])
    assert record[24:] == jpeg


@pytest.mark.parametrize("cut", [1, 3, 10, HEADER_SIZE - 1, HEADER_SIZE, HEADER_SIZE + 100, -1])
def test_truncated_recording_replays_to_the_last_whole_frame(tmp_path, cut):
    path = tmp_path / "cut.slv"
    frames = write_recording(path, 8, close=False)  # no E record: the last record is a frame
    last = frame_offsets(path)[-1]
    size = path.stat().st_size
    cut_at = size + cut if cut < 0 else last + cut
    with open(path, "r+b") as fh:
        fh.truncate(cut_at)
    with RecordingReader(path) as reader:
        assert [(r.timestamp, r.payload) for r in reader.frames()] == frames[:-1]
        assert reader.truncated
        assert reader.bytes_lost == cut_at - last
        assert reader.stats.truncated and not reader.stats.complete
        assert reader.stats.corrupt == 0


def test_cut_on_a_record_boundary_is_whole_but_not_complete(tmp_path):
    path = tmp_path / "boundary.slv"
    frames = write_recording(path, 5, close=False)
    with RecordingReader(path) as reader:
        assert read_frames(path) == frames
        assert not reader.truncated and not reader.stats.complete


def test_corrupt_payload_is_skipped_and_counted(tmp_path):
    path = tmp_path / "bad.slv"
    frames = write_recording(path, 10)
    offset = frame_offsets(path)[4] + HEADER_SIZE + 200
    data = bytearray(path.read_bytes())
    data[offset:offset + 4] = bytes(b ^ 0xFF for b in data[offset:offset + 4])
    path.write_bytes(bytes(data))
    with RecordingReader(path) as reader:
        got = [(r.timestamp, r.payload) for r in reader.frames()]
        assert got == frames[:4] + frames[5:]
        assert reader.corrupt == 1
        list(reader.frames())  # reading again does not count it twice
        assert reader.stats.corrupt == 1 and reader.stats.complete and not reader.truncated


def test_broken_marker_resyncs_on_the_next_record(tmp_path):
    path = tmp_path / "marker.slv"
    frames = write_recording(path, 10)
    offsets = frame_offsets(path)
    data = bytearray(path.read_bytes())
    data[offsets[6]:offsets[6] + 3] = b"XYZ"
    path.write_bytes(bytes(data))
    with RecordingReader(path) as reader:
        assert [(r.timestamp, r.payload) for r in reader.frames()] == frames[:6] + frames[7:]
        assert reader.stats.resyncs == 1
        assert reader.stats.skipped_bytes == offsets[7] - offsets[6]
        assert reader.stats.complete


def test_damaged_length_is_caught_by_the_header_crc(tmp_path):
    path = tmp_path / "length.slv"
    frames = write_recording(path, 6)
    offset = frame_offsets(path)[2]
    data = bytearray(path.read_bytes())
    data[offset + 6] ^= 0x40  # payload length now ~4 MB larger: must not be trusted
    path.write_bytes(bytes(data))
    with RecordingReader(path) as reader:
        assert [(r.timestamp, r.payload) for r in reader.frames()] == frames[:2] + frames[3:]
        assert reader.stats.resyncs == 1 and not reader.truncated


def test_resync_ignores_a_marker_inside_a_payload(tmp_path):
    """A JPEG may contain the bytes LVR: the header CRC keeps resync from trusting them."""
    path = tmp_path / "fake.slv"
    tricky = make_jpeg(50) + b"LVR" + bytes(40)  # bytes after EOI: still a valid JPEG to decoders
    with RecordingWriter(path, meta()) as writer:
        writer.write_frame(make_jpeg(0), 0.0)
        writer.write_frame(tricky, 0.05)
        writer.write_frame(make_jpeg(2), 0.10)
    offsets = frame_offsets(path)
    data = bytearray(path.read_bytes())
    data[offsets[1]] = ord("x")  # break the record that holds the fake marker
    path.write_bytes(bytes(data))
    with RecordingReader(path) as reader:
        assert [r.payload for r in reader.frames()] == [make_jpeg(0), make_jpeg(2)]
        assert reader.stats.resyncs == 2  # the real damage, then the fake marker


def test_records_are_flushed_as_they_are_written(tmp_path):
    path = tmp_path / "live.slv"
    frames = write_recording(path, 5, close=False)
    # Without close(), another reader already sees every frame.
    assert read_frames(path) == frames


def test_a_killed_writer_leaves_a_replayable_file(tmp_path):
    path = tmp_path / "killed.slv"
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_recording import make_jpeg, meta
        from drivers.recording import RecordingWriter
        w = RecordingWriter({str(path)!r}, meta())
        jpegs = [make_jpeg(i, (320, 240)) for i in range(8)]
        i = 0
        while True:
            w.write_frame(jpegs[i % 8], i / 30)
            i += 1
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if path.exists() and path.stat().st_size > 3_000_000:
                break
            time.sleep(0.02)
        else:
            pytest.fail("the writer did not get going")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    expected = [make_jpeg(i, (320, 240)) for i in range(8)]
    with RecordingReader(path) as reader:
        got = list(reader.frames())
        assert len(got) > 20
        assert all(r.payload == expected[i % 8] and r.timestamp == i / 30 for i, r in enumerate(got))
        assert reader.stats.corrupt == 0 and reader.stats.resyncs == 0
        assert not reader.stats.complete


def test_writer_never_overwrites(tmp_path):
    path = tmp_path / "keep.slv"
    path.write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        RecordingWriter(path, meta())
    assert path.read_bytes() == b"precious"


@pytest.mark.parametrize("setup, message", [
    (lambda p: None, "does not exist"),
    (lambda p: p.mkdir(), "is a folder"),
    (lambda p: p.write_bytes(b""), "not a studio recording"),
    (lambda p: p.write_bytes(b"\xff\xd8\xff\xe0 a jpeg"), "not a studio recording"),
    (lambda p: p.write_bytes(MAGIC[:5]), "not a studio recording"),
])
def test_unreadable_files_raise_a_clear_source_error(tmp_path, setup, message):
    path = tmp_path / "x.slv"
    setup(path)
    with pytest.raises(SourceError) as info:
        RecordingReader(path)
    assert message in str(info.value) and str(path) in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied_is_a_source_error(tmp_path):
    path = tmp_path / "locked.slv"
    write_recording(path, 2)
    path.chmod(0)
    with pytest.raises(SourceError, match="permission denied"):
        RecordingReader(path)


def test_bundled_sample_is_a_clean_recording(sample_recording):
    with RecordingReader(sample_recording) as reader:
        stats = reader.stats
        assert stats.complete and not stats.damaged
        assert reader.metadata["frame_size"] == [1024, 680]
        assert reader.metadata["fps"] == 30.0
        assert stats.frames >= 150 and stats.stills >= 1
        frames = reader.frame_entries
        assert 5.0 <= frames[-1].timestamp <= 9.0
        first = next(reader.frames())
        assert jpeg_size(first.payload) == (1024, 680)
        still = reader.payload(reader.still_entries[0])
        assert jpeg_size(still)[0] > 1024  # stills are larger than live view
    assert sample_recording.stat().st_size < 6_000_000
