"""The recording half of the fuzz corpus: the reader, the replay camera, `studio record` and
`studio run` on damaged recordings, absurd timestamps and special files; property-based tests
(hypothesis) of the reader on arbitrary damage and of the replay's pacing on arbitrary clocks."""

from __future__ import annotations

import json
import logging
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent / "fuzz"))
from make_corpus import TIMESTAMP_CASES, recording_cases, sample_frames, write_recording  # noqa: E402

from drivers.base import CameraState, SourceError, StateChanged  # noqa: E402
from drivers.recording import MAGIC, RecordingReader  # noqa: E402
from drivers.replay import ReplayCamera  # noqa: E402
from drivers.replay.pacing import MAX_GAP_S, replay_gap  # noqa: E402
from studio.vision.image import ImageError, decode_jpeg  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FPS = 30.0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return recording_cases(tmp_path_factory.mktemp("fuzz-recordings"))


@pytest.fixture(scope="module")
def frames():
    return sample_frames(12)


def replay(path: Path, pace: str = "fast", timeout: float = 10.0) -> tuple[ReplayCamera, int, list, float]:
    """Play ``path`` to its end; (camera, frames seen, events, seconds)."""
    camera = ReplayCamera(path, pace=pace)  # type: ignore[arg-type]
    events: list = []
    camera.add_listener(events.append)
    start = time.monotonic()
    camera.open()
    camera.start_live_view().result(5)
    seen, seq = 0, 0
    while time.monotonic() - start < timeout:
        frame = camera.frames.wait_newer(seq, 0.5)
        if frame is None:
            if camera.frames.closed:
                break
            continue
        seq, seen = frame.seq, seen + 1
    elapsed = time.monotonic() - start
    camera.close()
    return camera, seen, events, elapsed


def ended(events: list) -> bool:
    return any(isinstance(e, StateChanged) and e.state is CameraState.GONE and e.reason == "end of recording"
               for e in events)


def test_every_recording_case_opens_cleanly_or_is_refused_in_one_line(corpus):
    for case in corpus:
        start = time.monotonic()
        try:
            with RecordingReader(case.path) as reader:
                frames = list(reader.frames())
                stats = reader.stats
        except SourceError as exc:
            assert case.expect in ("error", "any"), (case.name, exc)
            assert "\n" not in str(exc) and case.words in str(exc).lower(), (case.name, exc)
        else:
            assert case.expect in ("ok", "any") or case.words == "no live-view frames", case.name
            if "frames" in case.extra:
                assert len(frames) == case.extra["frames"], (case.name, stats)
        assert time.monotonic() - start < 5.0, case.name


def test_the_replay_camera_plays_every_readable_case_to_its_end(corpus):
    for case in corpus:
        if case.expect == "error":
            with pytest.raises(SourceError):
                ReplayCamera(case.path).open()
            continue
        try:
            camera, seen, events, elapsed = replay(case.path)
        except SourceError as exc:  # damage left no frame: refused at open, in one line
            assert case.expect == "any" and "\n" not in str(exc), (case.name, exc)
            continue
        assert camera.frames.closed and elapsed < 10.0, case.name
        assert ended(events), case.name
        assert camera.stats.published >= 1 and seen >= 1, case.name


@pytest.mark.parametrize("name", sorted(TIMESTAMP_CASES))
def test_absurd_timestamps_are_clamped_with_one_warning_and_no_stall(tmp_path, frames, name, caplog):
    path = write_recording(tmp_path / f"{name}.slv", frames, TIMESTAMP_CASES[name](len(frames)))
    caplog.set_level(logging.WARNING, logger="drivers.replay.player")
    camera, seen, events, elapsed = replay(path, pace="recorded", timeout=15.0)
    # 12 frames at 30 fps: 0.37 s when paced right; a stall or an overflow would not end
    assert camera.frames.closed and elapsed < 3.0, (name, elapsed)
    assert ended(events)
    assert camera.stats.published == len(frames)
    warnings = [r for r in caplog.records if "timestamp jumps" in r.getMessage()]
    if name == "all-zero":
        assert camera.stats.clamped == 0 and not warnings  # same-time frames in a sane clock
    else:
        assert camera.stats.clamped >= 1 and len(warnings) == 1, (name, camera.stats)


def test_frames_claiming_huge_sizes_replay_but_are_refused_by_the_analyser(corpus):
    case = next(c for c in corpus if c.name == "frame-bombs.slv")
    with RecordingReader(case.path) as reader:
        for record in reader.frames():
            with pytest.raises(ImageError, match="too large"):
                decode_jpeg(record.payload)


def studio(*args: str, cwd: Path, timeout: float = 120.0) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "studio.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.mark.slow
def test_record_and_run_refuse_special_files_in_one_line(corpus, tmp_path):
    fifo = next(c.path for c in corpus if c.name == "fifo.slv")
    zero = next(c.path for c in corpus if c.name == "zero.slv")
    for args in (("record", "--source", str(fifo), "out.slv"), ("record", "--source", str(zero), "o.slv"),
                 ("run", "--headless", "--source", str(fifo), "--session-root", str(tmp_path))):
        done = studio(*args, cwd=tmp_path, timeout=60)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.count("\n") == 1 and "not a regular file" in done.stderr, done.stderr
    assert not (tmp_path / "out.slv").exists()


def measured(*args: str, cwd: Path, timeout: float = 120.0) -> dict:
    """`studio ARGS` in a child, measured from a fresh process (peak RSS of that child only)."""
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "fuzz" / "measured.py"), str(timeout),
                           sys.executable, "-m", "studio.cli", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=timeout + 30)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.slow
def test_record_converts_and_run_replays_a_recording_stamped_1e300(corpus, tmp_path):
    case = next(c for c in corpus if c.name == "time-1e300.slv")
    done = studio("record", "--source", str(case.path), "copy.slv", cwd=tmp_path)
    assert done.returncode == 0 and "recorded 12 frames" in done.stdout, done.stderr
    run = measured("run", "--headless", "--json", "--source", str(case.path), "--seconds", "30",
                   "--session-root", str(tmp_path), cwd=tmp_path, timeout=90)
    assert run["returncode"] == 0 and not run["killed"], run["stderr"]
    assert "Traceback" not in run["stderr"] and "OverflowError" not in run["stderr"]
    assert run["stderr"].count("timestamp jumps") == 1
    assert run["seconds"] < 60  # it ended with the recording, not at --seconds
    assert run["max_rss_mb"] < 1024


@pytest.mark.slow
def test_live_frames_claiming_65500x65500_are_skipped_in_bounded_memory(corpus, tmp_path):
    case = next(c for c in corpus if c.name == "frame-bombs.slv")
    run = measured("run", "--headless", "--source", str(case.path), "--session-root", str(tmp_path),
                   cwd=tmp_path, timeout=90)
    assert not run["killed"] and run["returncode"] == 2, run["stderr"]
    assert "Traceback" not in run["stderr"]
    assert run["stderr"].splitlines()[-1].startswith("studio: error: no frame could be analysed")
    assert run["max_rss_mb"] < 1024


@pytest.mark.slow
def test_live_frames_claiming_slivers_are_skipped_not_fatal(corpus, tmp_path):
    """A frame of 1×65500 reached MediaPipe whole: SIGABRT in its OpenCV remap (status -6)."""
    case = next(c for c in corpus if c.name == "frame-slivers.slv")
    with RecordingReader(case.path) as reader:
        for record in reader.frames():
            with pytest.raises(ImageError, match="cannot be analysed"):
                decode_jpeg(record.payload)
    run = measured("run", "--headless", "--no-codes", "--source", str(case.path), "--session-root",
                   str(tmp_path), cwd=tmp_path, timeout=90)
    assert not run["killed"] and run["returncode"] == 2, run["stderr"][-800:]
    assert "Traceback" not in run["stderr"] and "terminate called" not in run["stderr"]
    assert run["stderr"].splitlines()[-1].startswith("studio: error: no frame could be analysed")


# -- properties ----------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_reader_survives_any_damage_and_yields_only_intact_frames(tmp_path, frames, data):
    original = write_recording(tmp_path / "orig.slv", frames[:5], [i / FPS for i in range(5)]) \
        if not (tmp_path / "orig.slv").exists() else tmp_path / "orig.slv"
    blob = bytearray(original.read_bytes())
    for _ in range(data.draw(st.integers(0, 8), label="flips")):
        pos = data.draw(st.integers(len(MAGIC), len(blob) - 1))
        blob[pos] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(MAGIC), len(blob)), label="cut")
    tail = data.draw(st.binary(max_size=64), label="tail")
    damaged = tmp_path / "damaged.slv"
    damaged.write_bytes(bytes(blob[:cut]) + tail)
    with RecordingReader(damaged) as reader:  # never raises past the magic
        got = [r.payload for r in reader.frames()]
        stats = reader.stats
    assert set(got) <= set(frames[:5])  # a frame that comes out is a whole, intact frame
    assert stats.frames >= len(got) and stats.skipped_bytes <= len(blob) + len(tail)


finite_or_not = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -20.0, 1e9, 1e300, -1e300, math.nan, math.inf])


@given(raw=finite_or_not, before=finite_or_not, fps=st.floats(1.0, 1000.0))
def test_a_replay_gap_is_always_a_sane_wait(raw, before, fps):
    gap, clamped = replay_gap(raw, before, 1.0 / fps)
    assert math.isfinite(gap) and 0.0 <= gap <= max(MAX_GAP_S, 1.0 / fps)
    sane = math.isfinite(raw - before) and 0.0 < raw - before <= MAX_GAP_S
    assert clamped == (not sane and not (raw - before == 0.0 and abs(raw) < 1e9))


@given(times=st.lists(finite_or_not, min_size=1, max_size=200), fps=st.floats(1.0, 1000.0))
def test_a_replay_schedule_never_goes_backwards_or_stalls(times, fps):
    scheduled = [0.0]
    for before, raw in zip(times, times[1:], strict=False):
        scheduled.append(scheduled[-1] + replay_gap(raw, before, 1.0 / fps)[0])
    assert all(b >= a for a, b in zip(scheduled, scheduled[1:], strict=False))
    assert scheduled[-1] <= (len(times) - 1) * max(MAX_GAP_S, 1.0 / fps)


def test_record_never_replaces_a_device_even_with_force(tmp_path, corpus):
    base = next(c.path for c in corpus if c.name == "base.slv")
    os.mkfifo(tmp_path / "out.slv")
    for out in ("/dev/null", str(tmp_path / "out.slv")):
        done = studio("record", "--source", str(base), "--force", out, cwd=tmp_path, timeout=60)
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
        assert "not a file a recording can replace" in done.stderr
    assert Path("/dev/null").is_char_device()


@pytest.mark.slow
def test_a_gigabyte_of_garbage_after_the_magic_is_scanned_in_bounded_memory(tmp_path):
    with open(tmp_path / "huge.slv", "wb") as fh:  # sparse: no disk space taken
        fh.write(MAGIC)
        fh.truncate(1024**3)
    run = measured("record", "--source", "huge.slv", "out.slv", cwd=tmp_path, timeout=120)
    assert run["returncode"] == 2 and not run["killed"], run["stderr"]
    last = run["stderr"].splitlines()[-1]
    assert last.startswith("studio: error: ") and "no live-view frames" in last
    # mapped pages are handed back a 64 MB window at a time (before: RSS grew with the file)
    assert run["max_rss_mb"] < 400, run["max_rss_mb"]


def test_a_recording_cut_short_while_it_is_read_skips_the_lost_frames(tmp_path):
    """Truncated under an open reader (a copy overwritten, a replay of a file being cut): the
    mapped pages past the new end raised SIGBUS and killed the process without a word."""
    path = tmp_path / "cut.slv"
    path.write_bytes((ROOT / "studio" / "data" / "sample.slv").read_bytes())
    script = ("import os, sys; from drivers.recording import RecordingReader\n"
              "p = sys.argv[1]; r = RecordingReader(p); os.truncate(p, os.path.getsize(p) // 2)\n"
              "got = [r.payload(e) is not None for e in r.frame_entries]\n"
              "print(sum(got), len(got), r.stats.corrupt)\n")
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, (done.returncode, done.stderr[-500:])  # -7 = SIGBUS before the fix
    good, total, corrupt = map(int, done.stdout.split())
    assert 0 < good < total and good + corrupt == total
    assert done.stderr.count("cut short while being read") == 1


def test_record_to_a_place_it_cannot_write_is_one_line(tmp_path):
    """`studio record ... /proc/o.slv` ended in a FileNotFoundError traceback."""
    done = studio("record", "--source", str(ROOT / "studio" / "data" / "sample.slv"), "/proc/o.slv",
                  cwd=tmp_path, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-800:]
    lines = [ln for ln in done.stderr.splitlines() if ln.startswith("studio: ")]
    assert lines == ["studio: error: cannot write /proc/o.slv: No such file or directory"], done.stderr[-800:]
