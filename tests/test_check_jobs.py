"""`studio check --jobs N`: N cores, the same results as one, and a start-up that overlaps.

Speed itself is measured by the benchmark (`studio bench`, docs/performance.md), not here: these
tests pin what makes the scaling possible (the parent does not load MediaPipe before its
workers start; MediaPipe does not load matplotlib) and that parallel runs change nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


def test_the_check_command_starts_its_workers_before_loading_numpy_opencv_or_mediapipe(tmp_path):
    # What the command's process has loaded when it starts the pool: the live-view commands'
    # modules (session, deliverables -> OpenCV) are not registered for `studio check`.
    for name in ("a.jpg", "b.jpg"):
        (tmp_path / name).write_bytes(b"not decoded by the parent")
    script = (
        "import sys\n"
        "import studio.commands.check as check\n"
        "def spy(files, jobs, preset, reference):\n"
        "    print(jobs, len(files), *[m for m in ('numpy', 'cv2', 'mediapipe') if m in sys.modules])\n"
        "    yield from ()\n"
        "check.pooled = spy\n"
        "from studio.cli import main\n"
        f"main(['check', '--jobs', '2', {str(tmp_path)!r}])\n"
    )
    assert _run(script).stdout.split() == ["2", "2"]


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


def _check(jobs: str, folder: Path, timeline: Path, **kw) -> subprocess.Popen:
    """The real command in its own process (as a user runs it: `python -m studio.cli`)."""
    env = dict(os.environ, STUDIO_CHECK_TIMELINE=str(timeline))
    cmd = [sys.executable, "-m", "studio.cli", "check", "--json", "--jobs", jobs, str(folder)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, **kw)


def _events(timeline: Path) -> list[tuple[int, str, str]]:
    """(pid, event, detail) of each line check_pool.mark wrote."""
    out = []
    for line in timeline.read_text().splitlines():
        _, _, pid, event, *detail = line.split(" ", 4)
        out.append((int(pid), event, " ".join(detail).strip()))
    return out


def _measures(out: str) -> dict[str, dict[str, tuple]]:
    objects = [json.loads(line) for line in out.strip().splitlines()]
    return {Path(o["source"]).name: {k: (c["status"], c.get("value"), c["message"])
                                     for k, c in o["checks"].items()} for o in objects}


def test_mediapipe_starts_without_its_tasks_api_and_the_tasks_api_still_works():
    script = (
        "import sys, studio.vision.models as m\n"
        "tasks = sorted(k for k in sys.modules if k.startswith('mediapipe.tasks'))\n"
        "print(tasks, 'sounddevice' in sys.modules)\n"
        "from mediapipe.tasks.python import vision\n"
        "print(m.mp.tasks.vision.FaceLandmarker is vision.FaceLandmarker, m.mp.tasks.BaseOptions.__name__)"
    )
    lines = _run(script).stdout.splitlines()
    assert lines[0] == "['mediapipe.tasks'] False"  # only the empty package: no audio, vision, PortAudio
    assert lines[1] == "True BaseOptions"  # loaded on first use, the same objects


@pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")
def test_two_forked_jobs_give_the_same_results_as_one_in_the_files_order(tmp_path):
    for name in NAMES:
        shutil.copy(FIXTURES / name, tmp_path / name)
    results, lines = {}, {}
    for jobs in ("1", "2"):
        done = _check(jobs, tmp_path, tmp_path / f"timeline-{jobs}.txt")
        out, err = done.communicate(timeout=300)
        assert done.returncode == 0, (jobs, out[-2000:], err)
        results[jobs] = _measures(out)
        lines[jobs] = [Path(json.loads(line)["source"]).name for line in out.strip().splitlines()]
    assert set(results["1"]) == set(NAMES) and results["1"] == results["2"]
    assert lines["1"] == lines["2"] == sorted(NAMES)  # the files' order, whoever finished first
    events = _events(tmp_path / "timeline-2.txt")
    parent = events[0][0]
    assert (parent, "pool", "fork") in events  # the command's own process forks its workers
    workers = {pid for pid, event, _ in events if event == "take"}
    assert len(workers) == 2 and parent not in workers
    # A worker's first event is its initializer: a fork has MediaPipe still to load.
    assert all(next(e for p, e, _ in events if p == w) == "init" for w in workers)


def test_a_process_with_threads_or_mediapipe_spawns_its_workers():
    from studio.commands.check_pool import pool_context

    script = (
        "import sys, threading\n"
        "from studio.commands.check_pool import pool_context\n"
        "a = pool_context().get_start_method()\n"
        "stop = threading.Event(); t = threading.Thread(target=stop.wait); t.start()\n"
        "b = pool_context().get_start_method(); stop.set(); t.join()\n"
        "import mediapipe\n"
        "print(a, b, pool_context().get_start_method())"
    )
    assert _run(script).stdout.split() == ["fork", "spawn", "spawn"]
    assert pool_context().get_start_method() in ("fork", "spawn")


@pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")
def test_ctrl_c_stops_the_workers_and_says_interrupted_once(tmp_path):
    for i in range(6):
        shutil.copy(FIXTURES / NAMES[i % len(NAMES)], tmp_path / f"{i}.jpg")
    timeline = tmp_path / "timeline.txt"
    # Its own group, as a terminal's, with Ctrl-C's default action: a suite started in the
    # background of a script (`make test &`) ignores SIGINT, its children inherit that, and
    # Python then leaves SIGINT ignored (the run went on to exit status 0).
    proc = _check("2", tmp_path, timeline, start_new_session=True,
                  preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while not (timeline.exists() and "take" in timeline.read_text()):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()[1]
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: every process of the group
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, (proc.returncode, out.count("\n"), timeline.read_text(), err)
    assert err.strip().splitlines()[-1] == "studio: interrupted" and err.count("interrupted") == 1
    assert "Traceback" not in err
    workers = {pid for pid, event, _ in _events(timeline) if event == "init"}
    assert len(workers) == 2
    time.sleep(0.5)
    for pid in workers:  # ended by the pool (not left running, nor zombies of ours)
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


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


@pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")
def test_a_worker_that_dies_costs_its_file_not_the_run(tmp_path):
    """The OOM killer ends a worker mid-file: the pool never hears of it (it starts another),
    so the command waited forever for that file; now that file gets an error line, the others
    their results, and the command ends with status 1."""
    for i in range(6):
        shutil.copy(FIXTURES / NAMES[i % len(NAMES)], tmp_path / f"{i}.jpg")
    timeline = tmp_path / "timeline.txt"
    proc = _check("2", tmp_path, timeline)
    deadline = time.monotonic() + 120
    while not (timeline.exists() and " take " in timeline.read_text()):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()[1]
        time.sleep(0.05)
    pid, _, name = next(e for e in _events(timeline) if e[1] == "take")
    os.kill(pid, signal.SIGKILL)
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("studio check hung after a worker died")
    assert proc.returncode == 1 and "Traceback" not in err
    objects = [json.loads(line) for line in out.strip().splitlines()]
    assert [Path(o["source"]).name for o in objects] == [f"{i}.jpg" for i in range(6)]  # all, in order
    errors = {Path(o["source"]).name: o["error"] for o in objects if "error" in o}
    assert list(errors) == [name] and "worker process died (killed by signal 9" in errors[name]


def test_workers_that_cannot_start_end_the_run_with_an_error_per_file():
    """A worker whose start-up fails (a damaged model file) exits; the pool starts another,
    which fails too, forever: the command waited for ever. Now every file gets an error."""
    script = (
        "from pathlib import Path\n"
        "import studio.commands.check_pool as pool\n"
        "def broken(*args, **kwargs):\n"
        "    raise RuntimeError('model file damaged')\n"
        "pool.init_analyzer = broken  # forked workers inherit it\n"
        "from studio.vision.presets import load_preset\n"
        "files = [Path(f'{i}.jpg') for i in range(3)]\n"
        "done = list(pool.pooled(files, 2, load_preset('commercial-headshot'), None))\n"
        "print(sorted(p for p, _ in done))\n"
        "print(all(r[2].startswith('not checked: a worker process died (exit status 1') for _, r in done))\n"
    )
    assert _run(script).stdout.split("\n")[:2] == ["[0, 1, 2]", "True"]
