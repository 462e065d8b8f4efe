"""glasses (none / clear / sunglasses) and glare on real lenses and synthetic reflections."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from studio.analysis import Status
from studio.vision import Analyzer, load_image, synthetic

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "portraits"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("deepface__img24.jpg", "clear"),
        ("compreface__sample_009_C.jpg", "clear"),
        ("openface__clapton-1.jpg", "clear"),
        ("facenetpt__paul_rudd_1.jpg", "none"),
        ("frec__obama.jpg", "none"),
        ("deepface__img59.jpg", "none"),
        ("glassesdet__demo_3.jpg", "sunglasses"),
        # Thin metal frames on a 250 px face (frame ridges around the eyes). A known miss of
        # the same kind, lfw__Hassan_Nasrallah_0002.jpg (P(glasses) 0.04), is left out: the
        # held-out misses are counted in docs/accuracy.md.
        ("lfw__Mahendra_Chaudhry_0001.jpg", "clear"),
        # Bare faces that have one of the two traces but not both: a strong line between the
        # brows with dark pupils; grey pupils (small face, heavy blur) without a bridge line.
        ("skimage__astronaut.png", "none"),
        ("deepface__img33.jpg", "none"),
        ("lfw__Laura_Flessel_0001.jpg", "none"),
        ("inspireface__bulk_blur.jpg", "none"),
    ],
)
def test_glasses_kind(analyzer, name, kind):
    assert analyzer.analyse_path(FIXTURES / name).check("glasses").fields["kind"] == kind


def test_no_glasses_no_glare(analyzer):
    check = analyzer.analyse_path(FIXTURES / "facenetpt__paul_rudd_1.jpg").check("glare")
    assert check.status is Status.PASS and check.fields["lenses"] == ()


@pytest.mark.parametrize(
    "name", ["lfw__Mahendra_Chaudhry_0001.jpg", "openface__lennon-1.jpg"]
)
def test_dim_reflections_are_measured_per_lens(analyzer, name):
    # Dim reflections that hide neither pupil are measured on both lenses, never a failure
    # (issue 14: a grey pupil alone was the commonest false glare warning).
    check = analyzer.analyse_path(FIXTURES / name).check("glare")
    assert check.status is not Status.FAIL
    assert {lens["side"] for lens in check.fields["lenses"]} == {"left", "right"}
    assert all(0.0 <= lens["probability"] <= 1.0 for lens in check.fields["lenses"])


@pytest.mark.parametrize(
    "name", ["lfw__Herb_Ritts_0001.jpg", "compreface__sample_009_C.jpg", "openface__clapton-1.jpg"]
)
def test_clean_real_lenses_pass(analyzer, name):
    check = analyzer.analyse_path(FIXTURES / name).check("glare")
    assert check.status is Status.PASS, check.message
    assert len(check.fields["lenses"]) == 2


def test_group_glare_judged_on_the_glasses_wearer_only(analyzer):
    # Three people, only the man on the right wears glasses (small flash specks on a lens); the
    # frowning man in the middle has a line between his brows and narrowed eyes: no one else's
    # glasses are reported.
    a = analyzer.analyse_path(FIXTURES / "dlib__faces_2008_002506.jpg")
    check = a.check("glare")
    assert check.status is not Status.FAIL
    assert "others" not in check.fields


def test_group_without_glasses_passes(analyzer):
    check = analyzer.analyse_path(FIXTURES / "frec__two_people.jpg").check("glare")
    assert check.status is Status.PASS
    assert check.fields["lenses"] == () and "others" not in check.fields


def test_glare_on_someone_else_in_a_group_is_not_the_subjects_verdict(analyzer, img24):
    # A bare-faced subject on the left, a smaller person with strong glare over a pupil on the
    # right: glare is judged on the subject the face decision chose, as every check is.
    subject = load_image(FIXTURES / "deepface__img61.jpg")
    image, lm, _ = img24
    other = synthetic.add_glare(image, lm, over_eye=True)
    assert img24_glare_fails(analyzer, other)  # the same glare on its own is found
    h = subject.shape[0]
    other = cv2.resize(other, (round(other.shape[1] * h / other.shape[0] * 0.8), round(h * 0.8)),
                       interpolation=cv2.INTER_AREA)
    other = cv2.copyMakeBorder(other, 0, h - other.shape[0], 0, 0, cv2.BORDER_REPLICATE)
    a = analyzer.analyse_image(np.hstack([subject, other]), source="group")
    assert a.faces >= 2 and a.subject is not None and a.subject.box[0] < 0.5
    check = a.check("glare")
    assert check.status is Status.PASS, check.message
    assert check.fields["lenses"] == () and "others" not in check.fields
    assert check.regions == () and check.marks == ()


def img24_glare_fails(analyzer, image: np.ndarray) -> bool:
    return analyzer.analyse_image(image, source="img24-glare").check("glare").status is Status.FAIL


POOL = FIXTURES.parent / "glasses-pool"


@pytest.mark.skipif(not POOL.is_dir(), reason=f"glasses-pool not found at {POOL}")
@pytest.mark.parametrize("name", ["glasses_012.jpg", "glasses_064.jpg"])
def test_group_photos_judge_glare_on_the_subject_only(name):
    # Held-out group photos whose subject wears clean glasses: the second round warned about
    # glare on another face (glasses_012: a bare face behind a phone, the phone case read as
    # lenses; glasses_064: a profile). Nothing about another face is in the verdict.
    with Analyzer("portrait", mode="still") as an:
        a = an.analyse_path(POOL / name)
    assert a.faces >= 2 and a.subject is not None
    check = a.check("glare")
    assert check.status is Status.PASS, check.message
    assert "others" not in check.fields and "person" not in check.message
    x, y, w, h = a.subject.box
    for rx, ry, rw, rh in check.regions:  # only ever the subject's own lenses
        assert x <= rx + rw / 2 <= x + w and y <= ry + rh / 2 <= y + h


def test_clean_lenses_pass(img24):
    check = img24[2].check("glare")
    assert check.status is Status.PASS
    assert {lens["side"] for lens in check.fields["lenses"]} == {"left", "right"}
    assert all(not lens["covers_eye"] for lens in check.fields["lenses"])


def test_glare_over_the_eyes_fails(analyzer, img24):
    image, lm, _ = img24
    check = analyzer.analyse_image(synthetic.add_glare(image, lm, over_eye=True), source="glare").check(
        "glare"
    )
    assert check.status is Status.FAIL
    assert all(lens["covers_eye"] for lens in check.fields["lenses"])
    assert check.regions and check.marks


def test_glare_beside_the_eyes_warns(analyzer, img24):
    image, lm, _ = img24
    check = analyzer.analyse_image(synthetic.add_glare(image, lm, over_eye=False), source="glare").check(
        "glare"
    )
    assert check.status is Status.WARN
    assert not any(lens["covers_eye"] for lens in check.fields["lenses"])


def test_no_glasses_on_the_bare_faced_sample_live_view():
    """Live view (1024x680, low-quality JPEG) greys pupils and draws brow lines: the faint-frame
    rule for small faces must not turn that into glasses and a glare warning."""
    from drivers.base import LiveFrame
    from drivers.recording import RecordingReader
    from studio.app import bundled_sample

    kinds = []
    with RecordingReader(bundled_sample()) as reader, Analyzer("commercial-headshot") as analyser:
        for seq, entry in enumerate(reader.frame_entries, 1):
            a = analyser.analyse_frame(LiveFrame(reader.payload(entry), seq, float(seq), (1024, 680)))
            kinds.append(a.check("glasses").fields.get("kind"))
            assert a.check("glare").status.value == "pass", f"frame {seq}: {a.check('glare').message}"
    assert set(kinds) == {"none"}
