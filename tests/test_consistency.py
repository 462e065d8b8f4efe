"""Consistency across a team day (check ``consistency``): the reference value, its words, its
file, and its deltas on real photos of different people framed by known synthetic transforms
(scaled, shifted, rotated, re-exposed): the error against the known offsets must be small."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from scripts.devset import HELD_OUT, split_of
from scripts.measure_consistency import (
    PORTRAITS,
    VIEWS,
    consistency_preset,
    measure_photo,
    one_person_photos,
)
from studio.analysis import CHECK_IDS, Status
from studio.cli import main
from studio.consistency import ReferenceHolder, from_args, reference_from_file, required
from studio.vision import Analyzer
from studio.vision.checks import CHECKS
from studio.vision.checks.consistency import deltas
from studio.vision.presets import PRESETS, load_preset
from studio.vision.reference import Reference, ReferenceError, load, read, save, stops

needs_fixtures = pytest.mark.skipif(not PORTRAITS.is_dir(), reason=f"fixtures not found at {PORTRAITS}")
REF = Reference(eye_y=0.38, head=0.40, head_x=0.50, roll=1.0, yaw=-5.0, face=-2.0, background=-1.0,
                outline=((0.4, 0.2), (0.6, 0.2), (0.5, 0.6)), eyes=((0.45, 0.38), (0.55, 0.38)),
                source="ref.jpg")
TH = load_preset("commercial-headshot").thresholds


def test_registered_and_advisory_in_every_builtin_preset():
    assert "consistency" in CHECK_IDS and "consistency" in CHECKS
    for name in PRESETS:
        preset = load_preset(name)
        assert "consistency" in preset.advisory and "consistency" not in preset.required
    assert "consistency" in required(load_preset("portrait")).required


def test_words_say_what_to_do():
    now = replace(REF, head=0.40 * 0.92, eye_y=0.41, head_x=0.45, roll=5.0, face=-2.5, background=-1.0)
    found = {d.name: d for d in deltas(now, REF, TH)}
    assert found["head_size"].words == "head 8 % smaller — step in" and found["head_size"].beyond
    assert found["eye_line"].words == "eye line 3 % lower — tilt the camera down" and found["eye_line"].beyond
    assert found["head_x"].words == "head 5 % left of the reference — pan left"
    # roll +4°: the subject's left eye higher than in the reference (head towards their right
    # shoulder): undone towards their left shoulder (the subject's own sides, as the labels)
    assert found["tilt"].words == "tilt 4° off — head towards their left shoulder"
    assert not found["tilt"].beyond  # 4° is the tolerance
    assert found["face"].words == "face 0.5 stop darker" and found["face"].beyond
    assert not found["background"].beyond and not found["turn"].beyond
    bigger = {d.name: d for d in deltas(replace(REF, head=0.46, eye_y=0.35, yaw=7.0), REF, TH)}
    assert bigger["head_size"].words == "head 15 % larger — step back"
    assert bigger["eye_line"].words == "eye line 3 % higher — tilt the camera up"
    # yaw +12°: turned further to their left than the reference: turn back to their right
    assert bigger["turn"].words == "turned 12° off — turn to their right" and bigger["turn"].beyond
    back = {d.name: d for d in deltas(replace(REF, roll=-6.0, yaw=-15.0), REF, TH)}
    assert back["tilt"].words == "tilt 7° off — head towards their right shoulder"
    assert back["turn"].words == "turned 10° off — turn to their left"


@needs_fixtures
def test_tilt_words_on_a_rotated_real_photo(analyser):
    """A held-out portrait rotated 6° counter-clockwise in the frame (the image's right side up:
    the subject's left eye, on the image's right, rises) measures +6° and is told to tilt the
    head towards their left shoulder, the way that undoes it; the other way round for -6°."""
    path = held_out_photos(1)[0]
    photo = cv2.imread(str(path))
    analyser.set_reference(None)
    ref = Reference.from_fields(analyser.analyse_image(photo, source=str(path)).check("consistency").fields)
    assert ref is not None
    analyser.set_reference(ref)
    h, w = photo.shape[:2]
    centre = (ref.head_x * w, ref.eye_y * h)
    for angle, side in ((6.0, "left"), (-6.0, "right")):
        turned = cv2.warpAffine(photo, cv2.getRotationMatrix2D(centre, angle, 1.0), (w, h),
                                borderMode=cv2.BORDER_REPLICATE)
        result = analyser.analyse_image(turned, source="rotated").check("consistency")
        assert result.fields["deltas"]["tilt"] == pytest.approx(angle, abs=1.5)
        assert f"tilt 6° off — head towards their {side} shoulder" in result.fields["advice"]


def test_tolerances_differ_per_preset():
    now = replace(REF, head=0.40 * 0.93)  # 7 % smaller
    by = {name: {d.name: d for d in deltas(now, REF, load_preset(name).thresholds)} for name in PRESETS}
    assert by["commercial-headshot"]["head_size"].beyond and by["id-photo"]["head_size"].beyond
    assert not by["portrait"]["head_size"].beyond


def test_stops_are_log2_of_linear_light():
    assert stops(255) == pytest.approx(0.0)
    assert stops(188) - stops(255) == pytest.approx(-1.0, abs=0.02)  # sRGB 188 is half the light
    assert stops(0) == stops(5)  # black floor: no stop counts in the noise


def test_reference_file_round_trip_and_refusals(tmp_path):
    save(tmp_path, REF)
    again = load(tmp_path)
    assert again == REF
    save(tmp_path, None)
    assert load(tmp_path) is None
    bad = tmp_path / "reference.json"
    for text, key in ((json.dumps({"version": 1, "reference": {**REF.to_dict(), "head": "big"}}), "head"),
                      (json.dumps({"version": 9, "reference": REF.to_dict()}), "version"),
                      ("{not json", "reference.json"),
                      (json.dumps({"version": 1, "reference": {**REF.to_dict(), "eyes": [[1, 2, 3]]}}),
                       "eyes")):
        bad.write_text(text)
        with pytest.raises(ReferenceError) as exc:
            read(bad)
        assert key in str(exc.value) and "\n" not in str(exc.value)


def test_holder_keeps_the_reference_across_a_restart_and_reaches_the_analyser(tmp_path):
    class Target:
        got: list[Reference | None] = []

        def set_reference(self, reference: Reference | None) -> None:
            self.got.append(reference)

    holder = ReferenceHolder(tmp_path)
    assert holder.current is None
    holder.set(REF)
    target = Target()
    holder.apply(target)
    holder.apply(target)  # applied once per change
    assert target.got == [REF]
    restarted = ReferenceHolder(tmp_path)
    assert restarted.current == REF
    (tmp_path / "reference.json").write_text("[]")
    assert ReferenceHolder(tmp_path).current is None  # a damaged file is ignored (logged), not fatal


@pytest.fixture(scope="module")
def analyser():
    with Analyzer(consistency_preset(), mode="still") as a:
        yield a


def held_out_photos(n: int = 4) -> list[Path]:
    """Held-out one-person photos, the tight face crop (no room to frame it) left out."""
    return [p for p in one_person_photos()
            if split_of(p.name) == HELD_OUT and "cropped_faces" not in p.name][:n]


@needs_fixtures
def test_deltas_match_known_offsets_on_real_photos_of_different_people(analyser):
    rows, people, skipped = [], 0, []
    for path in held_out_photos(8):
        got = measure_photo(analyser, path, VIEWS[:7] + VIEWS[9:])
        if got is None:  # a face crop filling the frame gives no 4:5 reference framing
            skipped.append(path.name)
            continue
        assert all(r["found"] for r in got)
        rows.extend(got)
        people += 1
        if people == 4:
            break
    assert people == 4 and len(skipped) <= 1, skipped

    def errors(key: str) -> list[float]:
        return [abs(r[key]) for r in rows if key in r]

    eye, x, size, tilt, face = (errors(k) for k in ("eye_line", "head_x", "head_size", "tilt", "face"))
    assert len(eye) == len(rows) == 4 * 8
    assert statistics.median(eye) < 0.3 and max(eye) < 1.0  # % of the frame height
    assert statistics.median(x) < 0.3 and max(x) < 1.0  # % of the frame width
    assert statistics.median(size) < 1.5 and max(size) < 8.0  # % of the head size
    assert statistics.median(tilt) < 1.0 and max(tilt) < 5.0  # degrees
    assert statistics.median(face) < 0.1 and max(face) < 0.2  # stops


@needs_fixtures
def test_unknown_without_reference_or_face_and_pass_on_the_reference_itself(analyser, tmp_path):
    photo = held_out_photos(1)[0]
    analyser.set_reference(None)
    result = analyser.analyse_path(photo).check("consistency")
    assert result.status is Status.UNKNOWN and "No reference" in result.message
    ref = reference_from_file(photo, consistency_preset())
    assert ref.source == str(photo) and 0 < ref.head < 1 and len(ref.outline) > 20 and len(ref.eyes) == 2
    analyser.set_reference(ref)
    same = analyser.analyse_path(photo).check("consistency")
    assert same.status is Status.PASS and same.message == "Matches the reference"
    assert all(abs(v) < 0.01 for v in same.fields["deltas"].values())
    nobody = analyser.analyse_path(PORTRAITS / "skimage__coffee_noperson.png").check("consistency")
    assert nobody.status is Status.UNKNOWN and nobody.message == "No face"
    analyser.set_reference(None)
    with pytest.raises(ReferenceError, match="no face measured"):
        reference_from_file(PORTRAITS / "skimage__coffee_noperson.png")


@needs_fixtures
def test_require_consistency_holds_ready_back(analyser):
    import argparse

    photo = held_out_photos(1)[0]
    preset, ref = from_args(argparse.Namespace(reference=str(photo), require_consistency=True),
                            replace(consistency_preset(), advisory=()))
    assert "consistency" in preset.required and ref is not None
    image = cv2.imread(str(photo))
    h, w = image.shape[:2]
    smaller = cv2.copyMakeBorder(cv2.resize(image, (w * 3 // 4, h * 3 // 4)), h // 8, h - h * 3 // 4 - h // 8,
                                 w // 8, w - w * 3 // 4 - w // 8, cv2.BORDER_REPLICATE)
    with Analyzer(preset, mode="still") as strict:
        strict.set_reference(ref)
        same = strict.analyse_image(image, source="same")
        off = strict.analyse_image(smaller, source="smaller")
    assert same.ready and "consistency" in same.required
    result = off.check("consistency")
    assert not off.ready and result.status is Status.FAIL
    assert "head 25 % smaller — step in" in result.fields["advice"]


@needs_fixtures
def test_check_json_with_reference(tmp_path, capsys):
    photo = held_out_photos(1)[0]
    image = cv2.imread(str(photo))
    h, w = image.shape[:2]
    cut = cv2.resize(image[h // 10:, w // 10:], (w, h), interpolation=cv2.INTER_AREA)  # 1/0.9 larger
    crop = tmp_path / "crop.png"
    cv2.imwrite(str(crop), cut)
    assert main(["check", "--json", "--jobs", "1", "--reference", str(photo), str(crop)]) == 0
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    result = line["checks"]["consistency"]
    assert result["status"] == "warn"  # advisory: a failure is a warning
    assert result["reference"] == str(photo)
    assert result["deltas"]["head_size"] == pytest.approx(100 / 0.9 - 100, abs=2.0)
    assert any(a.startswith("head 1") and a.endswith("% larger — step back") for a in result["advice"])
    saved = tmp_path / "reference.json"
    save(tmp_path, reference_from_file(photo))
    assert main(["check", "--json", "--jobs", "1", "--reference", str(saved), str(photo)]) == 0
    assert json.loads(capsys.readouterr().out.strip())["checks"]["consistency"]["status"] == "pass"
    for bad in (tmp_path / "missing.jpg", PORTRAITS / "skimage__coffee_noperson.png"):
        # A fresh process: the native-log filter of the runs above owns this one's stderr.
        argv = [sys.executable, "-m", "studio.cli", "check", "--reference", str(bad), str(photo)]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("studio: error: --reference") and done.stderr.count("\n") == 1


@needs_fixtures
def test_run_reference_is_kept_in_the_session_across_a_restart(tmp_path):
    photo = PORTRAITS / "deepface__img13.jpg"  # held out, landscape like the sample's live view

    def run(*extra: str) -> subprocess.CompletedProcess:
        argv = [sys.executable, "-m", "studio.cli", "run", "--headless", "--json", "--frames", "4",
                "--session-root", str(tmp_path), *extra]
        return subprocess.run(argv, capture_output=True, text=True, timeout=180)

    nobody = run("--reference", str(PORTRAITS / "skimage__coffee_noperson.png"))
    assert nobody.returncode == 2 and nobody.stderr.startswith("studio: error: --reference")
    assert not any(tmp_path.iterdir())  # refused before the session folder was made
    first = run("--reference", str(photo))
    assert first.returncode == 0, first.stderr
    saved = list(tmp_path.glob("*/reference.json"))
    assert len(saved) == 1 and read(saved[0]).source == str(photo)
    again = run()  # the same session resumed, no --reference
    assert again.returncode == 0, again.stderr
    lines = [json.loads(line)["checks"]["consistency"] for line in again.stdout.splitlines() if line.strip()]
    assert lines and all(c["reference"] == str(photo) for c in lines)
    assert all(c["status"] in ("pass", "warn") and "deltas" in c for c in lines)


@needs_fixtures
def test_first_keeper_becomes_the_reference_when_the_preset_asks(analyser, tmp_path):
    photos = held_out_photos(2)
    analyser.set_reference(None)
    shots = [analyser.analyse_path(p) for p in photos]
    assert all(s.ready for s in shots)  # face is the only required check of this preset
    nobody = analyser.analyse_path(PORTRAITS / "skimage__coffee_noperson.png")
    asks = replace(consistency_preset(), thresholds=TH.updated(consistency_auto_reference=1))
    holder = ReferenceHolder(tmp_path)
    assert holder.on_capture(shots[0], consistency_preset()) is None  # the built-in default: 0
    assert holder.on_capture(nobody, asks) is None and holder.current is None  # not a keeper
    first = holder.on_capture(shots[0], asks)
    assert first is not None and holder.current == first and first.source == str(photos[0])
    assert holder.on_capture(shots[1], asks) is None and holder.current == first  # the first stays
    assert load(tmp_path) == first


def test_a_reference_seen_in_a_frame_of_another_shape():
    ref = replace(REF, aspect=1.5)
    wide = ref.seen_at(16 / 9)  # the middle 84 % of the height shows
    f = 1.5 / (16 / 9)
    assert wide.eye_y == pytest.approx((REF.eye_y - (1 - f) / 2) / f)
    assert wide.head == pytest.approx(REF.head / f)
    assert wide.head_x == pytest.approx(REF.head_x) and wide.aspect == pytest.approx(16 / 9)
    narrow = ref.seen_at(4 / 3)  # the middle 89 % of the width
    g = (4 / 3) / 1.5
    assert narrow.head_x == pytest.approx((REF.head_x - (1 - g) / 2) / g) and narrow.head == REF.head
    assert ref.seen_at(1.505) is ref and REF.seen_at(16 / 9) is REF  # same shape, or unknown


@needs_fixtures
def test_centre_crops_of_another_shape_match_their_reference(analyser):
    photo = cv2.imread(str(PORTRAITS / "openface__clapton-1.jpg"))  # 624×420, about 3:2
    h, w = photo.shape[:2]
    analyser.set_reference(None)
    first = analyser.analyse_image(photo, source="3:2").check("consistency")
    ref = Reference.from_fields(first.fields, "3:2")
    assert ref is not None and ref.aspect == pytest.approx(w / h)
    analyser.set_reference(ref)
    rows = round(w * 9 / 16)
    cols = round(h * 4 / 3)
    top, left = (h - rows) // 2, (w - cols) // 2
    crops = {"16:9": photo[top:top + rows], "4:3": photo[:, left:left + cols]}
    for name, crop in crops.items():
        result = analyser.analyse_image(np.ascontiguousarray(crop), source=name).check("consistency")
        d = result.fields["deltas"]
        assert abs(d["head_size"]) < 2.0 and abs(d["eye_line"]) < 1.0 and abs(d["head_x"]) < 1.0, (name, d)
        assert result.status is Status.PASS, (name, result.message)
    analyser.set_reference(None)


def test_a_damaged_session_reference_is_kept_aside_not_overwritten(tmp_path, caplog):
    """Nothing lost: a reference.json the holder cannot read is moved aside (the warning is one
    line naming where), so the next R does not write over what the photographer had."""
    damaged = '{"version": 1, "reference": {"eye_y": "high"'
    (tmp_path / "reference.json").write_text(damaged)
    with caplog.at_level("WARNING", logger="studio.consistency"):
        holder = ReferenceHolder(tmp_path)
    assert holder.current is None
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "\n" not in warnings[0] and "reference.json.damaged" in warnings[0]
    holder.set(REF)
    assert load(tmp_path) == REF
    assert (tmp_path / "reference.json.damaged").read_text() == damaged


def test_the_photographers_reference_wins_over_a_first_keeper_checked_at_the_same_time(tmp_path, monkeypatch):
    """The shot worker's thread makes the first keeper the reference while the GUI thread's R
    sets one: the check-then-set is one step, so R (arriving during it) is the one kept."""
    import threading

    from studio import consistency
    from studio.analysis import Analysis

    auto = replace(REF, source="first-keeper.jpg")
    chosen = replace(REF, source="photographer.jpg")
    holder = ReferenceHolder(tmp_path)
    pressed: list[threading.Thread] = []

    def measured_while_r_is_pressed(analysis):
        r_key = threading.Thread(target=holder.set, args=(chosen,))
        r_key.start()
        r_key.join(0.3)  # R arrives while the first keeper is being made the reference
        pressed.append(r_key)
        return auto

    monkeypatch.setattr(consistency, "reference_of", measured_while_r_is_pressed)
    keeper = Analysis(source="first-keeper.jpg", frame=0, timestamp=0.0, size=(100, 100), shot="headshot",
                      faces=1, checks=(), ready=True, preset="portrait")
    preset = load_preset("portrait")
    preset = replace(preset, thresholds=replace(preset.thresholds, consistency_auto_reference=1))
    holder.on_capture(keeper, preset)
    pressed[0].join(5)
    assert holder.current == chosen and load(tmp_path) == chosen


@needs_fixtures
def test_a_portrait_reference_and_a_landscape_frame_are_not_compared(analyser):
    """A reference shot upright (portrait, 2:3) against a landscape live view (a camera back on
    its side, or one whose live view is not rotated): no crop of one is the other, so the
    check says so in one line instead of giving deltas that mean nothing."""
    photo = cv2.imread(str(PORTRAITS / "frec__biden.jpg"))  # held out, 970×2204
    h, w = photo.shape[:2]
    assert h > w  # a portrait
    analyser.set_reference(None)
    ref = Reference.from_fields(analyser.analyse_image(photo, source="p").check("consistency").fields, "p")
    assert ref is not None and ref.aspect < 1
    analyser.set_reference(ref)
    try:
        pad = (round(1.5 * h) - w) // 2
        wide = cv2.copyMakeBorder(photo, 0, 0, pad, pad, cv2.BORDER_REPLICATE)  # the same head, 3:2
        result = analyser.analyse_image(wide, source="landscape").check("consistency")
        assert result.status is Status.UNKNOWN and "deltas" not in result.fields
        assert result.message == "Reference is portrait, this frame landscape: not compared"
        assert result.fields["measured"] is not None  # still measured (it could be a reference)
        same = analyser.analyse_image(photo, source="p").check("consistency")
        assert same.status is Status.PASS  # portrait against portrait still compares
    finally:
        analyser.set_reference(None)


@needs_fixtures
@pytest.mark.skipif(__import__("shutil").which("exiftool") is None, reason="exiftool not installed")
def test_a_reference_from_an_exif_rotated_still_equals_the_upright_one(tmp_path):
    """A camera held upright writes landscape pixels and EXIF Orientation 6: the reference is
    measured on the picture as shown (upright), the same as from an upright copy."""
    photo = cv2.imread(str(PORTRAITS / "frec__biden.jpg"))
    upright, stored = tmp_path / "upright.jpg", tmp_path / "stored.jpg"
    cv2.imwrite(str(upright), photo, [cv2.IMWRITE_JPEG_QUALITY, 95])
    sideways = cv2.rotate(photo, cv2.ROTATE_90_COUNTERCLOCKWISE)  # as the sensor stores it
    cv2.imwrite(str(stored), sideways, [cv2.IMWRITE_JPEG_QUALITY, 95])
    subprocess.run(["exiftool", "-q", "-overwrite_original", "-Orientation#=6", str(stored)], check=True)
    a, b = reference_from_file(upright), reference_from_file(stored)
    assert b.aspect == pytest.approx(a.aspect, abs=0.01) and a.aspect < 1
    for name in ("eye_y", "head", "head_x"):
        assert getattr(b, name) == pytest.approx(getattr(a, name), abs=0.005), name
    assert b.roll == pytest.approx(a.roll, abs=1.0)


@needs_fixtures
def test_a_still_of_two_people_is_not_a_reference(analyser, tmp_path):
    """A group shot would silently give one of its faces as the team's reference: refused in one
    line (--reference), and not taken by R or as the first keeper."""
    two = PORTRAITS / "frec__two_people.jpg"  # labelled 2 faces, both found
    with pytest.raises(ReferenceError) as exc:
        reference_from_file(two)
    assert str(exc.value) == f"--reference: 2 faces in {two}: a reference shows one person"
    analysis = analyser.analyse_path(two)
    assert analysis.faces == 2 and analysis.check("consistency").fields["measured"] is not None
    holder = ReferenceHolder(tmp_path)
    assert holder.set_from(analysis) is None and holder.current is None and load(tmp_path) is None


def test_the_samples_frames_match_a_reference_made_from_its_own_still(sample_recording, tmp_path):
    """No false alarm: the bundled sample's still at 3.2 s made the reference (as R on that
    shot does), the live frames around it (same framing: 2.9-3.45 s, before the re-frame at
    3.5 s) all pass, from the first frame after the reference is set (the smoothing does not
    hold the no-reference verdict for two more frames); without a reference every frame is
    unknown, never a warning."""
    from drivers.base import LiveFrame, jpeg_size
    from drivers.replay.sources import open_frame_source

    source = open_frame_source(sample_recording)
    records = list(source.records())
    still = next(j for kind, t, j in records if kind == b"S" and abs(t - 3.2) < 0.1)
    (tmp_path / "still.jpg").write_bytes(still)
    preset = consistency_preset()
    ref = reference_from_file(tmp_path / "still.jpg", preset)
    frames = [(t, j) for kind, t, j in records if kind == b"F" and 2.9 <= t <= 3.45]
    assert len(frames) >= 12
    with Analyzer(preset, mode="live") as live:
        for i, (t, jpeg) in enumerate(frames[:4]):
            result = live.analyse_frame(LiveFrame(jpeg, i + 1, t, jpeg_size(jpeg))).check("consistency")
            assert result.status is Status.UNKNOWN and result.message.startswith("No reference")
        live.set_reference(ref)
        statuses = [live.analyse_frame(LiveFrame(jpeg, i + 10, t, jpeg_size(jpeg))).check("consistency")
                    for i, (t, jpeg) in enumerate(frames)]
    assert all(r.status is Status.PASS for r in statuses), [r.message for r in statuses]
