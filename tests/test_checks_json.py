"""The JSON form (docs/json.md): the same object for `studio check --json` and `run --json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.analysis import CHECK_IDS, SHOT_TYPES

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "portraits"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")

STATUSES = {"pass", "warn", "fail", "unknown"}


def validate(obj: dict) -> None:
    """Schema of one analysed image, as documented."""
    assert set(obj) >= {"source", "frame", "size", "shot", "faces", "checks", "ready"}
    assert isinstance(obj["source"], str)
    assert obj["frame"] is None or isinstance(obj["frame"], int)
    assert (
        isinstance(obj["size"], list)
        and len(obj["size"]) == 2
        and all(isinstance(v, int) for v in obj["size"])
    )
    assert obj["shot"] in SHOT_TYPES
    assert isinstance(obj["faces"], int) and obj["faces"] >= 0
    assert isinstance(obj["ready"], bool)
    for check_id, check in obj["checks"].items():
        assert check_id in CHECK_IDS
        assert check["status"] in STATUSES
        assert isinstance(check["message"], str) and check["message"]
        assert check["value"] is None or isinstance(check["value"], (int, float))
        for region in check["regions"]:
            assert len(region) == 4
            x, y, w, h = region
            assert 0 <= x <= 1 and 0 <= y <= 1 and 0 <= w <= 1 and 0 <= h <= 1
    checks = obj["checks"]
    if "glasses" in checks:
        assert checks["glasses"]["kind"] in ("none", "clear", "sunglasses", "unknown")
    if "glare" in checks:
        for lens in checks["glare"]["lenses"]:
            assert lens["side"] in ("left", "right")
            assert 0 <= lens["area"] <= 1 and isinstance(lens["covers_eye"], bool)
    if "eyes_open" in checks:
        for side in ("left", "right"):
            assert checks["eyes_open"][side] in ("open", "closed", "unknown")
    if "catchlights" in checks:
        for side in ("left", "right"):
            c = checks["catchlights"][side]
            assert c["present"] in (True, False, None)
            assert isinstance(c["count"], int)
            assert c["clock"] is None or 1 <= c["clock"] <= 12
    if "framing" in checks:
        assert isinstance(checks["framing"]["problems"], list)


@pytest.mark.parametrize(
    "name",
    [
        "deepface__img24.jpg",
        "skimage__chelsea_cat_noperson.png",
        "frec__two_people.jpg",
        "glassesdet__demo_3.jpg",
    ],
)
def test_json_form_is_valid_and_round_trips(analyzer, name):
    obj = analyzer.analyse_path(FIXTURES / name).to_json()
    text = json.dumps(obj, allow_nan=False)  # strict JSON: no NaN or infinity anywhere
    again = json.loads(text)
    validate(again)
    assert again["source"].endswith(name)
    assert set(again["checks"]) == set(CHECK_IDS)  # the headshot preset computes every check


def test_json_example_values(analyzer):
    obj = analyzer.analyse_path(FIXTURES / "deepface__img24.jpg").to_json()
    assert obj["frame"] is None and obj["size"] == [1200, 1120]
    assert obj["checks"]["glasses"]["kind"] == "clear"
    assert obj["checks"]["eyes_open"]["left"] == "open"
    assert obj["checks"]["catchlights"]["left"]["present"] is True
