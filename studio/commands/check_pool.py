"""The analysis side of ``studio check``: one :class:`~studio.vision.Analyzer` per process, and
the worker pool of ``--jobs N``.

Start-up is most of what ``--jobs 2`` does not share between its cores, so the workers are
forked from the command's process when that is safe (:func:`pool_context`): a forked worker
has Python and whatever the parent imported already, and imports MediaPipe and builds its
graphs itself, after the fork (MediaPipe graphs own threads, which a fork does not copy). A
worker ignores Ctrl-C (the terminal sends it to every process of the group): the parent stops
the pool, which ends the workers with SIGTERM, and says "interrupted" once.

``$STUDIO_CHECK_TIMELINE`` (a file name) makes every process append when it starts, is ready,
takes and finishes each file (``benchmarks/bench_check_jobs.py --timeline`` prints it).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from multiprocessing.context import BaseContext
from multiprocessing.pool import IMapIterator
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studio.vision import Analyzer
    from studio.vision.presets import Preset
    from studio.vision.reference import Reference

Result = tuple[str, dict | None, str | None]  # (source, JSON form, error) of one file
TIMELINE_ENV = "STUDIO_CHECK_TIMELINE"
# Threads a fork may leave behind: studio.native_logs's pump only reads and writes raw file
# descriptors (no Python lock a forked child could inherit held); the child keeps writing its
# native chatter to the pipe the parent's pump filters.
FORK_SAFE_THREADS = frozenset({"native-stderr"})

_analyzer: Analyzer | None = None  # one per process, made by init_analyzer


def mark(event: str, detail: str = "") -> None:
    """One line ``epoch-seconds cpu-seconds pid event detail`` appended to $STUDIO_CHECK_TIMELINE,
    if set (the CPU is the process's own so far: phases can be told apart on a loaded machine)."""
    target = os.environ.get(TIMELINE_ENV)
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(f"{time.time():.4f} {time.process_time():.4f} {os.getpid()} {event} {detail}\n")


def init_analyzer(preset: Preset, single_thread: bool = False, reference: Reference | None = None) -> None:
    """This process's analyser (``single_thread``: OpenCV on one thread, one core per process)."""
    global _analyzer
    mark("init")
    from studio.heap import keep_decode_buffers

    keep_decode_buffers()  # one still after another: reuse the decode buffers (studio.heap)
    if single_thread:
        import cv2

        cv2.setNumThreads(1)
    from studio.vision import Analyzer

    _analyzer = Analyzer(preset, mode="still")
    _analyzer.set_reference(reference)
    mark("ready")


def _init_worker(preset: Preset, reference: Reference | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent stops the pool
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the CLI's (inherited by a fork): end now
    init_analyzer(preset, True, reference)


def analyse(path: Path) -> Result:
    """One file's JSON form, or its one-line error (never an exception: one bad file must not
    stop a folder)."""
    from studio.vision.image import ImageError

    assert _analyzer is not None, "init_analyzer runs first (pool initializer)"
    mark("take", path.name)
    try:
        analysis = _analyzer.analyse_path(path)
    except ImageError as exc:
        return str(path), None, str(exc)
    except Exception as exc:  # one bad file must not stop a folder
        return str(path), None, f"cannot analyse: {exc}"
    finally:
        mark("done", path.name)
    return str(path), analysis.to_json(), None


def _analyse_at(job: tuple[int, Path]) -> tuple[int, Result]:
    return job[0], analyse(job[1])


def pool_context() -> BaseContext:
    """``fork`` when this process has no MediaPipe and no thread but the main one and
    :data:`FORK_SAFE_THREADS` (the command's own process, before any analysis), else ``spawn``
    (a fresh interpreter: e.g. ``main()`` called from a program that has analysed photos
    already, whose graphs' threads a fork would not copy)."""
    others = {t.name for t in threading.enumerate() if t is not threading.main_thread()}
    safe = others <= FORK_SAFE_THREADS and "mediapipe" not in sys.modules
    if safe and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def pooled(
    files: list[Path], jobs: int, preset: Preset, reference: Reference | None
) -> Generator[tuple[int, Result], None, None]:
    """(position, result) of each file as the ``jobs`` workers finish them, largest first."""
    ctx = pool_context()
    mark("pool", ctx.get_start_method())
    sys.stdout.flush()  # a fork copies unwritten output too
    sys.stderr.flush()
    before = set(multiprocessing.active_children())
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(preset, reference)) as pool:
        workers = set(multiprocessing.active_children()) - before  # all started by Pool()
        left = dict(largest_first(files))  # position -> file, until its result is in
        results = pool.imap_unordered(_analyse_at, list(left.items()), chunksize=1)
        yield from _watched(results, left, (before, workers, jobs))
    mark("pool-closed")


# A worker that dies (the OOM killer, a crash in native code) takes its file with it and the
# pool never hears of it (it starts another worker): imap would wait for that result forever.
# The workers are looked at after each result and every POLL_S: with ``deaths`` workers gone
# (seen dead, or replaced: every worker past the first ``jobs``) and no more files left than
# that (a worker holds one file at a time), or nothing arriving for STALL_S after a death,
# the files left are reported as not checked.
POLL_S = 0.5
STALL_S = 60.0


def _watched(
    results: IMapIterator, left: dict[int, Path], pool: tuple[set[BaseProcess], set[BaseProcess], int]
) -> Iterator[tuple[int, Result]]:
    before, seen, jobs = pool
    last, codes = time.monotonic(), [0]  # the exit codes of the workers seen dead
    while left:
        try:
            position, result = results.next(timeout=POLL_S)
        except multiprocessing.TimeoutError:
            position = -1
        except StopIteration:
            return
        if position >= 0:
            left.pop(position, None)
            last = time.monotonic()
            yield position, result
        seen |= set(multiprocessing.active_children()) - before
        codes = [p.exitcode for p in seen if p.exitcode is not None] or [0]
        deaths = max(len(seen) - jobs, sum(p.exitcode is not None for p in seen))
        if deaths and (len(left) <= deaths or time.monotonic() - last > STALL_S):
            break
    if not left:
        return
    how = f"killed by signal {-codes[0]}" if codes[0] < 0 else f"exit status {codes[0]}" if codes[0] else ""
    error = f"not checked: a worker process died ({how + '; ' if how else ''}out of memory? try --jobs 1)"
    mark("worker-died", how)
    for position, path in sorted(left.items()):
        yield position, (str(path), None, error)


def largest_first(files: list[Path]) -> list[tuple[int, Path]]:
    """(position, file) by decreasing file size: the workers take the slow photos first, so no
    core is left with a 36 MP photo while the other has finished (their tail is one small photo)."""

    def size(path: Path) -> int:
        try:
            return path.stat().st_size
        except OSError:
            return 0  # reported by the worker

    return sorted(enumerate(files), key=lambda job: -size(job[1]))


def in_order(
    done: Iterable[tuple[int, Result]], arrived: Callable[[], None] = lambda: None
) -> Iterator[Result]:
    """Results given back in their files' order, each as soon as every one before it is in
    (``arrived`` is called as each comes in: the progress bar counts work done, not printed)."""
    waiting: dict[int, Result] = {}
    following = 0
    for position, result in done:
        arrived()
        waiting[position] = result
        while following in waiting:
            yield waiting.pop(following)
            following += 1
