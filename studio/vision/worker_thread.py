"""One background thread that works on the newest job handed to it: live view's slow parts.

The model worker (pose, person mask, detector) and the scene worker (the mask checks) share this
shape. Jobs go in through a :class:`drivers.mailbox.Latest` mailbox (a newer job replaces one
not yet taken: dropped, never queued) and the newest finished results come out as one
immutable map, merged over the previous one, so the vision thread reads the newest of each kind
without waiting. The thread runs at a lower CPU priority than the vision thread (Linux thread
nice value, inherited by the threads it starts): where the two compete for a core, the frame in
hand wins.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from drivers.mailbox import Latest

log = logging.getLogger(__name__)

NICE = 5  # the worker's priority below the vision thread (Linux nice increment: ~1/3 of its CPU share)

Results = Mapping[str, Any]  # kind -> newest finished result of that kind
NO_RESULTS: Results = MappingProxyType({})
J = TypeVar("J")


class LatestWorker(Generic[J]):
    """The thread, its two mailboxes and its bookkeeping; a subclass's :meth:`_run` serves
    :meth:`_serve` with what one job finds (``kind -> result``)."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._jobs: Latest[J] = Latest()
        self._results: Latest[Results] = Latest()
        self._results.put(NO_RESULTS)
        self._lock = threading.Lock()  # the counters and flags below
        self._taken = 0  # sequence number of the last job taken (or dropped by forget)
        self._running = False
        self._closed = False
        self._thread: threading.Thread | None = None
        self.runs = 0  # jobs finished
        self.replaced = 0  # jobs overwritten in the mailbox before the worker took them
        self.busy_ms = 0.0  # time spent on jobs, in total

    def submit(self, job: J) -> None:
        """Hand over a job; never blocks. A job still waiting in the mailbox is replaced."""
        with self._lock:
            if self._closed:
                return
            if self._jobs.seq > self._taken:
                self.replaced += 1
            self._jobs.put(job)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    @property
    def busy(self) -> bool:
        """A job is waiting or running."""
        with self._lock:
            return self._running or self._jobs.seq > self._taken

    def _latest(self, kind: str) -> Any:
        return (self._results.latest() or NO_RESULTS).get(kind)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no job is waiting or running (tests, benchmarks); True if idle."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            seen = self._results.seq  # read before the check: a job ending after it wakes us
            if not self.busy:
                return True
            left = None if deadline is None else deadline - time.monotonic()
            if (left is not None and left <= 0) or self._results.closed:
                return False
            self._results.wait(seen, left)

    def forget(self) -> None:
        """Drop finished results and a waiting job (the subject or the set-up changed)."""
        with self._lock:
            self._taken = self._jobs.seq
            self._results.put(NO_RESULTS)

    def close(self, timeout: float = 5.0) -> None:
        with self._lock:
            self._closed = True
            self._taken = self._jobs.seq
            thread = self._thread
        self._jobs.close()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("%s thread did not stop within %.1f s", self._name, timeout)
        self._results.put(NO_RESULTS)
        self._results.close()

    def _run(self) -> None:
        raise NotImplementedError

    def _serve(self, work: Callable[[J], Results]) -> None:
        """Run ``work`` on each job taken until closed; publish what it found over the newest
        results (published even when it found nothing: that wakes :meth:`wait_idle`)."""
        while (job := self._take()) is not None:
            t = time.perf_counter()
            found = work(job)
            with self._lock:
                self._running = False
                self.runs += 1
                self.busy_ms += (time.perf_counter() - t) * 1000.0
                newest = self._results.latest() or NO_RESULTS
                self._results.put(NO_RESULTS if self._closed else MappingProxyType({**newest, **found}))

    def _take(self) -> J | None:
        """The next job to run, waiting for one; None once closed."""
        while True:
            with self._lock:
                after = self._taken
            got = self._jobs.wait(after)
            with self._lock:
                if self._closed:
                    return None
                if got is None or got[0] <= self._taken:
                    continue  # dropped by forget() while we waited
                self._taken, self._running = got[0], True
                return got[1]


def lower_priority() -> None:
    """Nice this thread only (on Linux a thread's nice value is its own; threads it starts
    inherit it). Elsewhere, or if refused, the worker runs at normal priority."""
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + NICE)
    except (AttributeError, OSError) as exc:
        log.debug("worker thread keeps normal priority: %s", exc)
