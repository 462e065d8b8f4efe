"""The image half of the fuzz corpus (tests/fuzz/make_corpus.py) through `studio check`.

Every case runs in one child process, measured from outside (tests/fuzz/measured.py): a clean
exit status, one JSON line per case (a result, or an error naming what is wrong), each case's
time from the arrival of its line, and the child's peak RSS under 1 GB for all of them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fuzz"))
from make_corpus import image_cases  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MAX_RSS_MB = 1024
MAX_CASE_S = 20.0  # a whole analysis on a loaded 2-core machine, MediaPipe already loaded
MAX_START_S = 60.0  # the first line also carries Python, OpenCV and MediaPipe start-up


def measured(*args: str, timeout: float = 300.0) -> dict:
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "fuzz" / "measured.py"), str(timeout),
                           sys.executable, "-m", "studio.cli", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=timeout + 30)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return image_cases(tmp_path_factory.mktemp("fuzz-images"))


@pytest.mark.slow
def test_every_image_case_has_one_clean_answer_in_bounded_time_and_memory(corpus):
    run = measured("check", "--json", "--jobs", "1", *(str(c.path) for c in corpus))
    assert not run["killed"], "studio check hung"
    assert run["returncode"] == 1  # some files could not be analysed: 1, never a crash
    assert "Traceback" not in run["stderr"]
    assert run["max_rss_mb"] < MAX_RSS_MB, f"peak RSS {run['max_rss_mb']:.0f} MB"
    answers, previous = {}, 0.0
    for arrival, line in run["lines"]:
        item = json.loads(line)
        name = Path(item["source"]).name
        assert name not in answers, f"two answers for {name}"
        answers[name] = (item, arrival - previous)
        previous = arrival
    assert set(answers) == {c.name for c in corpus}
    first = run["lines"][0][0]
    for case in corpus:
        item, seconds = answers[case.name]
        assert seconds < (MAX_START_S if seconds == first else MAX_CASE_S), (case.name, seconds)
        error = item.get("error")
        if case.expect == "ok":
            assert error is None and "checks" in item, (case.name, error)
        elif case.expect == "error":
            assert error is not None and case.words in error.lower(), (case.name, error)
            assert "\n" not in error
        else:  # "any": a verdict or one line, never a traceback
            assert error is None or "\n" not in error


@pytest.mark.slow
def test_refused_images_give_one_stderr_line_each(corpus):
    refused = [c for c in corpus if c.expect == "error"]
    run = measured("check", "--jobs", "1", *(str(c.path) for c in refused), timeout=120)
    assert not run["killed"] and run["returncode"] == 1
    lines = run["stderr"].splitlines()
    assert len(lines) == len(refused), lines  # libjpeg's own warnings are filtered out too
    for case in refused:
        line = next(ln for ln in lines if f"{case.path}:" in ln)
        assert line.startswith("studio: ") and case.words in line.lower(), line
    assert run["max_rss_mb"] < MAX_RSS_MB
