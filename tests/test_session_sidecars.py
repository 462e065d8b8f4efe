"""XMP/JSON sidecars read back by exiftool, deliverables on real photos, RAW previews, hooks."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest

from studio.analysis import Analysis, CheckResult, Face, Status
from studio.session import Hook, HookError, Session, SessionOptions, ShotProcessor, deliverables, verdict_of
from studio.session.stills import image_for_checks, largest_embedded_jpeg
from studio.session.xmp import write_sidecars

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
PORTRAIT = FIXTURES / "portraits" / "frec__obama.jpg"
DAY = date(2026, 11, 23)
needs_exiftool = pytest.mark.skipif(shutil.which("exiftool") is None,
                                    reason="exiftool absent (Debian: libimage-exiftool-perl)")


def portrait() -> Path:
    if not PORTRAIT.exists():
        pytest.skip(f"fixture {PORTRAIT} absent")
    return PORTRAIT


def face_analysis(path: Path, *, checks=(), required=()) -> Analysis:
    """An Analysis whose face geometry comes from MediaPipe face detection on the real photo."""
    import mediapipe as mp

    image = cv2.imread(str(path))
    with mp.solutions.face_detection.FaceDetection(model_selection=1) as detector:
        result = detector.process(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    assert result.detections, "no face in the fixture portrait"
    box = result.detections[0].location_data.relative_bounding_box
    keypoints = result.detections[0].location_data.relative_keypoints
    eye = lambda k: (k.x - 0.02, k.y - 0.01, 0.04, 0.02)
    face = Face((box.xmin, box.ymin, box.width, box.height), eye(keypoints[1]), eye(keypoints[0]))
    h, w = image.shape[:2]
    return Analysis(str(path), None, 0.0, (w, h), "headshot", 1, tuple(checks), not required,
                    subject=face, required=tuple(required))


def exiftool(*args: str) -> dict:
    out = subprocess.run(["exiftool", "-j", "-struct", *args], capture_output=True, check=True)
    return json.loads(out.stdout)[0]


# -- verdicts and XMP -----------------------------------------------------------------------


def glare_and_closed_eyes() -> tuple[CheckResult, ...]:
    return (CheckResult("face", Status.PASS, "face found"),
            CheckResult("glare", Status.FAIL, "glare on the left lens"),
            CheckResult("eyes_open", Status.WARN, "eyes half closed"),
            CheckResult("catchlights", Status.PASS, "catchlights at 10 o'clock"))


def test_verdict_maps_status_to_rating_label_and_keywords():
    analysis = Analysis("x", None, 0, (10, 10), "headshot", 1, glare_and_closed_eyes(), False,
                        required=("face", "glare", "eyes_open", "catchlights"))
    verdict = verdict_of(analysis)
    assert (verdict.status, verdict.rating, verdict.label) == (Status.FAIL, 1, "Red")
    assert verdict.keywords == ("studio:glare", "studio:eyes-closed")
    passing = Analysis("x", None, 0, (10, 10), "headshot", 1, (CheckResult("face", "pass", "ok"),), True,
                       required=("face",))
    assert (verdict_of(passing).rating, verdict_of(passing).label, verdict_of(passing).keywords) == \
        (3, "Green", ("studio:pass",))
    hidden = (CheckResult("face", "pass", "ok"), CheckResult("eyes_open", "unknown", "eyes hidden"))
    dark_lenses = Analysis("x", None, 0, (10, 10), "headshot", 1, hidden, False,
                           required=("face", "eyes_open"))
    assert (verdict_of(dark_lenses).status, verdict_of(dark_lenses).keywords) == \
        (Status.UNKNOWN, ("studio:unsure-eyes-open",))  # hidden is not closed
    no_face = Analysis("x", None, 0, (10, 10), "none", 0, (), False)
    assert verdict_of(no_face).keywords == ("studio:no-face",)
    assert verdict_of(None).keywords == ("studio:unchecked",)


@needs_exiftool
def test_exiftool_reads_rating_label_and_keywords_back(tmp_path):
    jpg, nef = tmp_path / "ann-0001.jpg", tmp_path / "ann-0001.nef"
    jpg.write_bytes(b"\xff\xd8\xff\xd9")
    nef.write_bytes(b"raw")
    analysis = Analysis("x", None, 0, (10, 10), "headshot", 1, glare_and_closed_eyes(), False,
                        required=("glare", "eyes_open"))
    sidecars = write_sidecars([jpg, nef], verdict_of(analysis))
    assert sorted(p.name for p in sidecars) == ["ann-0001.jpg.xmp", "ann-0001.nef.xmp", "ann-0001.xmp"]
    for sidecar in sidecars:
        tags = exiftool(str(sidecar))
        assert tags["Rating"] == 1
        assert tags["Label"] == "Red"
        assert tags["Subject"] == ["studio:glare", "studio:eyes-closed"]
        assert tags["HierarchicalSubject"] == ["studio|glare", "studio|eyes-closed"]
        assert "Description" not in tags  # the client-facing caption stays the photographer's
        assert tags["Problems"] == ["glare", "eyes-closed"]  # studio:problems


# -- the processor: check, sidecars, deliverables ---------------------------------------------


@needs_exiftool
def test_processor_writes_json_and_xmp_and_deliverables(tmp_path):
    photo = portrait()
    analysis = face_analysis(photo, checks=(CheckResult("face", "pass", "face found"),), required=("face",))
    session = Session.open(tmp_path, "deliver", subject="Barack", day=DAY,
                           options=SessionOptions(black_and_white=True, crop="4:5"))
    stored = session.store("GPH_0099.JPG", photo.read_bytes())
    seen: list[Path] = []

    def analyse(path: Path) -> Analysis:
        seen.append(path)
        return analysis

    [record] = ShotProcessor(session, analyse=analyse).process([stored], trigger="key")
    assert seen == [stored]
    assert record.verdict.status is Status.PASS and not record.failed
    sidecar = json.loads((session.folder / "barack-0001.studio.json").read_text())
    assert sidecar["files"] == ["barack-0001.jpg"] and sidecar["trigger"] == "key"
    assert sidecar["counter"] == 1 and sidecar["verdict"]["rating"] == 3
    assert sidecar["analysis"]["faces"] == 1
    assert exiftool(str(session.folder / "barack-0001.jpg.xmp"))["Rating"] == 3

    bw = session.folder / "barack-0001.bw.jpg"
    crop = session.folder / "barack-0001.crop-4x5.jpg"
    assert sorted(p.name for p in record.extras) == [bw.name, crop.name]
    grey = cv2.imread(str(bw))
    assert grey.shape == cv2.imread(str(stored)).shape
    assert np.abs(grey[..., 0].astype(int) - grey[..., 2].astype(int)).max() <= 1  # no colour left
    assert exiftool(str(bw)).get("Make") == exiftool(str(stored)).get("Make")  # EXIF kept
    cropped = cv2.imread(str(crop))
    h, w = cropped.shape[:2]
    assert abs(w / h - 4 / 5) < 0.01
    # The face is inside the crop and fills a headshot's share of it.
    fx, fy, fw, fh = analysis.subject.box
    x, y, cw, ch = deliverables.crop_box(analysis, analysis.size, "4:5")
    W, H = analysis.size
    assert x <= fx * W and (fx + fw) * W <= x + cw and y <= fy * H and (fy + fh) * H <= y + ch
    assert 0.3 < fh * H / ch < 0.5


def test_crop_without_a_face_is_an_error_not_a_crash(tmp_path):
    photo = portrait()
    empty = Analysis("x", None, 0, (100, 100), "none", 0, (), False)
    with pytest.raises(ValueError, match="no face"):
        deliverables.headshot_crop(photo, empty, "1:1")
    session = Session.open(tmp_path, "nf", day=DAY, options=SessionOptions(crop="1:1"))
    stored = session.store("a.jpg", photo.read_bytes())
    [record] = ShotProcessor(session, analyse=lambda p: empty).process([stored])
    assert record.verdict.keywords == ("studio:no-face",) and record.extras == ()


def test_unreadable_still_is_kept_and_marked_unchecked(tmp_path):
    session = Session.open(tmp_path, "bad", day=DAY)
    stored = session.store("a.jpg", b"\xff\xd8 not really a jpeg")

    def analyse(path: Path) -> Analysis:
        raise ValueError("corrupt JPEG (cannot decode)")

    [record] = ShotProcessor(session, analyse=analyse).process([stored])
    assert stored.exists() and record.verdict.keywords == ("studio:unchecked",)
    sidecar = json.loads((session.folder / "bad-0001.studio.json").read_text())
    assert sidecar["errors"] == ["check: corrupt JPEG (cannot decode)",
                                 "embedded XMP in bad-0001.jpg: damaged JPEG header at byte 2"]


# -- RAW previews -----------------------------------------------------------------------------


def test_largest_embedded_jpeg_is_found_in_a_raw_container(tmp_path):
    # A TIFF-like container (as NEF/CR2/ARW are) with a small thumbnail and a large preview.
    # A constructed file: no real RAW is available offline; the JPEGs inside are real photos.
    photo = cv2.imread(str(portrait()))
    big = cv2.imencode(".jpg", photo)[1].tobytes()
    small = cv2.imencode(".jpg", cv2.resize(photo, (80, 60)))[1].tobytes()
    raw = b"II*\x00" + bytes(range(256)) * 8 + small + b"\x00" * 100 + big + b"\x12\x34" * 5000
    assert largest_embedded_jpeg(raw) == big
    nef = tmp_path / "x-0001.nef"
    nef.write_bytes(raw)
    path, temporary = image_for_checks([nef])
    assert temporary == path and path.read_bytes() == big
    temporary.unlink()
    assert largest_embedded_jpeg(b"II*\x00" + small) is None  # a thumbnail is too small to check
    bare = tmp_path / "bare.cr2"
    bare.write_bytes(b"II*\x00" + small)
    with pytest.raises(ValueError, match="nothing to check"):
        image_for_checks([bare])


# -- hooks ------------------------------------------------------------------------------------


def write_script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


def test_hook_gets_action_and_argument_without_a_shell(tmp_path):
    log = tmp_path / "hook.log"
    script = write_script(tmp_path / "hook.sh", f'echo "$ACTION|$ARGUMENT|$#" >> {log}\n')
    odd = tmp_path / "a file; rm -rf $HOME.jpg"  # a name a shell would mangle
    hook = Hook(script, cwd=tmp_path)
    assert hook.run("init") and hook.run("download", odd)
    assert log.read_text().splitlines() == ["init||0", f"download|{odd}|0"]


def test_hook_failure_and_timeout_are_logged_not_fatal(tmp_path, caplog):
    failing = Hook(write_script(tmp_path / "fail.sh", "echo boom >&2; exit 3\n"))
    assert failing.run("start") is False
    assert "failed with status 3 boom" in caplog.text
    slow = Hook(write_script(tmp_path / "slow.sh", "sleep 30 & sleep 30\n"), timeout_s=0.5)
    started = time.monotonic()
    assert slow.run("stop") is False
    assert time.monotonic() - started < 5  # its child was killed too, nothing kept us waiting
    assert "killed after 0.5 s" in caplog.text
    with pytest.raises(HookError, match="not executable"):
        (tmp_path / "plain.sh").write_text("x")
        Hook(tmp_path / "plain.sh")
    with pytest.raises(HookError, match="does not exist"):
        Hook(tmp_path / "missing.sh")


def test_processor_runs_the_download_hook_for_every_file(tmp_path):
    log = tmp_path / "hook.log"
    script = write_script(tmp_path / "hook.sh", f'echo "$ACTION $ARGUMENT" >> {log}\n')
    session = Session.open(tmp_path / "s", "hooked", day=DAY,
                           options=SessionOptions(black_and_white=True, hook=str(script)))
    jpg = session.store("D_1.JPG", portrait().read_bytes())
    nef = session.store("D_1.NEF", b"raw")
    ShotProcessor(session, analyse=lambda p: Analysis("x", None, 0, (1, 1), "none", 0, (), False),
                  hook=session.hook()).process([jpg, nef])
    lines = log.read_text().splitlines()
    assert lines == [f"download {jpg}", f"download {nef}", f"download {jpg.with_name('hooked-0001.bw.jpg')}"]
