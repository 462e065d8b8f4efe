"""`studio check --jobs N`: N cores, the same verdicts as one, and a start-up that overlaps.

Speed itself is measured by the benchmark (`studio bench`, docs/performance.md), not here: these
tests pin what makes the scaling possible (the parent does not load MediaPipe before its
workers start; MediaPipe does not load matplotlib) and that parallel runs change nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from studio.cli import main

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "portraits"
NAMES = ["deepface__img5.jpg", "frec__obama.jpg", "deepface__img13.jpg", "frec__biden.jpg"]


def _run(script: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", script]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)


def _imports_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    done = _run(script)
    return set(done.stdout.split())


def test_presets_and_the_check_command_load_no_models():
    loaded = _imports_after("import studio.vision.presets, studio.commands.check, studio.cli")
    assert "mediapipe" not in loaded and "studio.vision.analyzer" not in loaded


def test_the_check_command_lists_files_and_reads_its_limits_without_numpy_or_opencv():
    # `studio check`'s parent finds the files and sets the pixel limit; decoding is the workers'.
    loaded = _imports_after(
        "import studio.commands.check as c, studio.vision.image_format as f\n"
        "list(c._files(['README.md'])); f.ENV_MAX_MEGAPIXELS"
    )
    assert "numpy" not in loaded and "cv2" not in loaded


def test_mediapipe_starts_without_matplotlib_and_matplotlib_still_works():
    script = (
        "import sys, studio.vision.models\n"
        "print(type(sys.modules['matplotlib.pyplot']).__name__)\n"
        "import matplotlib.colors as c\n"
        "print(c.to_hex('red'), type(sys.modules['matplotlib']).__name__)"
    )
    done = _run(script)
    lines = done.stdout.split()
    assert lines[0] == "_Deferred"  # not imported at start-up
    assert lines[1:] == ["#ff0000", "module"]  # the real one once something uses it


@pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")
def test_two_jobs_give_the_same_verdicts_as_one(tmp_path, capsys):
    for name in NAMES:
        shutil.copy(FIXTURES / name, tmp_path / name)

    def verdicts(jobs: str) -> dict[str, dict[str, str]]:
        assert main(["check", "--json", "--jobs", jobs, str(tmp_path)]) == 0
        out = capsys.readouterr().out
        objects = [json.loads(line) for line in out.strip().splitlines()]
        return {Path(o["source"]).name: {k: c["status"] for k, c in o["checks"].items()} for o in objects}

    one, two = verdicts("1"), verdicts("2")
    assert set(one) == set(NAMES) and one == two


def test_workers_take_the_largest_files_first_and_results_keep_the_files_order(tmp_path):
    from studio.commands.check import in_order, largest_first

    sizes = [5, 900, 40, 900, 7000]
    files = []
    for i, n in enumerate(sizes):
        path = tmp_path / f"{i}.jpg"
        path.write_bytes(b"x" * n)
        files.append(path)
    missing = tmp_path / "gone.jpg"
    jobs = largest_first([*files, missing])
    assert [position for position, _ in jobs] == [4, 1, 3, 2, 0, 5]  # ties keep their order
    # Completed in any order, given back in the files' order as soon as possible.
    given = []
    for item in in_order(iter([(2, "c"), (0, "a"), (1, "b"), (4, "e"), (3, "d")])):
        given.append(item)
    assert given == ["a", "b", "c", "d", "e"]
    arrivals = []
    stream = in_order(iter([(1, "b"), (0, "a")]), lambda: arrivals.append(len(arrivals)))
    assert next(stream) == "a" and arrivals == [0, 1]  # "b" counted on arrival, "a" waited for
    assert next(stream) == "b"
