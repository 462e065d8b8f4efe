"""`studio check`: files and folders, human and JSON output, per-file errors, exit status."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from studio.cli import main

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "portraits"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("shoot")
    shutil.copy(FIXTURES / "deepface__img5.jpg", root / "good.jpg")
    data = (FIXTURES / "deepface__img51.jpg").read_bytes()
    (root / "truncated.jpg").write_bytes(data[: len(data) // 2])
    (root / "notes.jpg").write_text("this is not a photo")
    image = cv2.imread(str(FIXTURES / "frec__obama.jpg"))
    cv2.imwrite(str(root / "sixteen.png"), image.astype(np.uint16) * 257)
    (root / "sub").mkdir()
    shutil.copy(FIXTURES / "skimage__chelsea_cat_noperson.png", root / "sub" / "cat.png")
    return root


def test_folder_with_bad_files_reports_each_and_checks_the_rest(folder, capsys):
    code = main(["check", "--json", "--jobs", "2", str(folder)])
    out, err = capsys.readouterr()
    assert code == 1
    objects = {Path(o["source"]).name: o for o in map(json.loads, out.strip().splitlines())}
    assert set(objects) == {"good.jpg", "truncated.jpg", "notes.jpg", "sixteen.png", "cat.png"}
    assert "truncated" in objects["truncated.jpg"]["error"]
    assert "not a JPEG or PNG" in objects["notes.jpg"]["error"]
    assert objects["good.jpg"]["faces"] == 1 and "checks" in objects["good.jpg"]
    assert objects["sixteen.png"]["faces"] == 1  # 16-bit PNGs are read, scaled to 8 bits
    assert objects["cat.png"]["faces"] == 0
    assert "Traceback" not in err


def test_human_summary_and_errors_on_stderr(folder, capsys):
    code = main(["check", "--jobs", "1", str(folder / "good.jpg"), str(folder / "truncated.jpg")])
    out, err = capsys.readouterr()
    assert code == 1
    assert "good.jpg" in out and ("READY" in out or "not ready" in out)
    assert "truncated.jpg: truncated JPEG" in err and err.count("\n") == 1


def test_all_good_exits_zero(folder, capsys):
    assert main(["check", str(folder / "good.jpg")]) == 0
    assert "good.jpg" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["check", "/no/such/photo.jpg"], ["check", "--preset", "nope", "x.jpg"]])
def test_user_mistakes_exit_two_with_one_line(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("studio: error:") and err.count("\n") == 1


def test_help_states_the_exit_status(capsys):
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    assert "exit status" in capsys.readouterr().out
