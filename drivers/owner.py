"""The owner loop: one thread per device, typed requests in, Futures out.

A device (a camera on libgphoto2, a replayed recording) is used by one thread only. Other
threads :meth:`OwnerLoop.submit` a request, a small frozen dataclass such as :class:`Capture`
or :class:`SetSetting` (:mod:`drivers.requests`), and get a :class:`concurrent.futures.Future`
back. The loop thread runs

    device.setup()  ->  [serve requests; sleep(device.step())]*  ->  device.teardown(leftover)

Requests are dispatched by their type through the device's ``handlers`` table, never by name.
A handler may resolve its Future at once or later (a gphoto capture resolves when its files are
downloaded). An exception from a handler goes to its Future and to ``device.handler_failed``.
Between requests the loop calls ``device.step()``, which returns how long the loop may sleep
(``None``: until the next request); a new request or :meth:`OwnerLoop.wake` cuts the sleep.
Once ``setup`` has returned, ``teardown`` always runs, even after a bug in the loop, so no body
is left in live view. When ``setup`` raises, ``teardown`` does not run (``setup`` leaves the
device clean itself); requests queued meanwhile fail with ``not_open()`` before ``start`` re-raises.

One thread at a time: a stopped loop keeps its thread until that thread has ended, and
:meth:`OwnerLoop.start` waits (bounded) for it, or raises :class:`CameraError`, instead of
running a second loop on the same device. Each run has its own stop flag.
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import Protocol

from drivers.base import CameraError, failed
from drivers.requests import Handler, Pending, dispatch, fail_all

log = logging.getLogger(__name__)


class Device(Protocol):
    """What a driver gives the loop; every method runs on the loop's thread."""

    @property
    def handlers(self) -> Mapping[type, Handler]:
        """Request type -> handler(request, future)."""
        ...

    def setup(self) -> None:
        """Connect or open; an exception here fails :meth:`OwnerLoop.start` with it, and
        ``teardown`` is not called: undo a half-done setup before raising."""
        ...

    def step(self) -> float | None:
        """Work between requests; returns the seconds the loop may sleep (``None``: until woken)."""
        ...

    def handler_failed(self, request: object, exc: Exception) -> None:
        """A handler raised ``exc`` (already set on its Future): react, e.g. reconnect."""
        ...

    def teardown(self, leftover: list[Pending]) -> None:
        """Leave the device clean; ``leftover`` holds requests that arrived but were not served."""
        ...


class OwnerLoop:
    """The thread that owns one device. ``start``, ``submit``, ``wake``, ``stop`` and
    ``wait_ended`` are thread-safe; ``not_open`` makes the error a request gets when the loop
    is not running."""

    def __init__(self, device: Device, name: str,
                 not_open: Callable[[], CameraError] = lambda: CameraError("camera is not open")) -> None:
        self._device = device
        self._name = name
        self._not_open = not_open
        self._lock = threading.Lock()
        self._requests: collections.deque[Pending] = collections.deque()
        self._wake = threading.Event()
        # The latest run's thread, kept until it has ended, and that run's own stop flag (set:
        # not running). A new run gets a new flag, so an old thread never sees it cleared.
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._stop.set()

    @property
    def running(self) -> bool:
        with self._lock:
            return self._thread is not None and not self._stop.is_set()

    def start(self, join_timeout: float = 10.0) -> None:
        """Start the thread and wait for ``device.setup()``; re-raises what setup raised.
        A previous run's thread still ending is waited for up to ``join_timeout`` seconds;
        raises :class:`CameraError` if it is still alive then (or if called from it)."""
        while True:
            with self._lock:
                previous = self._thread
                alive = previous is not None and previous.is_alive()
                if alive and not self._stop.is_set():
                    return  # running, or being started by another caller
                if not alive:
                    ready: Future[None] = Future()
                    stop = threading.Event()
                    thread = threading.Thread(target=self._run, args=(ready, stop),
                                              name=self._name, daemon=True)
                    self._stop = stop
                    self._thread = thread
                    thread.start()
                    break
            assert previous is not None
            self._await_end(previous, join_timeout)
        try:
            ready.result()
        except BaseException:
            thread.join()  # _run returns right after reporting the setup error
            raise

    def wait_ended(self, timeout: float) -> bool:
        """True once no thread of this loop is alive, waiting up to ``timeout`` seconds for a
        stopped one to end; False while running, or at once when called from that thread."""
        with self._lock:
            thread = self._thread
            if thread is None or not thread.is_alive():
                return True
            if not self._stop.is_set() or thread is threading.current_thread():
                return False
        thread.join(timeout)
        return not thread.is_alive()

    def _await_end(self, thread: threading.Thread, timeout: float) -> None:
        if thread is threading.current_thread():
            raise CameraError(f"{self._name} cannot be restarted from its own thread")
        thread.join(timeout)
        if thread.is_alive():
            raise CameraError(f"{self._name}: the previous loop thread has not ended after {timeout} s",
                              "try again once the device has finished its current request")

    def submit(self, request: object) -> Future:
        """Queue ``request`` for its handler; a Future failed with ``not_open()`` when stopped."""
        if type(request) not in self._device.handlers:
            raise TypeError(f"{type(self._device).__name__} has no handler for {request!r}")
        future: Future = Future()
        with self._lock:
            if self._stop.is_set():
                return failed(self._not_open())
            self._requests.append((request, future))
        self._wake.set()
        return future

    def wake(self) -> None:
        """Cut the current sleep short (the device's step has something to do)."""
        self._wake.set()

    def stop(self, timeout: float | None = None) -> bool:
        """End the loop after the request being served; ``teardown`` runs on the loop thread.
        Returns False when the thread did not end within ``timeout``. From the loop's own
        thread (a listener closing the camera) it only asks, and returns at once."""
        with self._lock:
            thread = self._thread
            if thread is None:
                return True
            self._stop.set()
            self._wake.set()
        if thread is threading.current_thread():
            return True
        thread.join(timeout)
        if thread.is_alive():
            log.warning("%s did not stop within %s s", self._name, timeout)
            return False
        return True

    # ------------------------------------------------------------------ the loop thread

    def _run(self, ready: Future[None], stop: threading.Event) -> None:
        try:
            self._device.setup()
        except BaseException as exc:  # reported to start() in the caller's thread
            # Stop and take the queue in one step, so no later submit() is left unanswered;
            # the Futures are failed outside the lock (their callbacks may submit again).
            queued = self._take_queue(stop)
            fail_all(queued, self._not_open)
            ready.set_exception(exc)
            return
        ready.set_result(None)
        try:
            while not stop.is_set():
                self._wake.clear()
                self._serve_requests(stop)
                if stop.is_set():
                    break
                sleep = self._device.step()
                if not stop.is_set():
                    self._wake.wait(sleep)
        except Exception:  # a bug must not leave the device in live view or claimed
            log.exception("%s failed", self._name)
        finally:
            self._device.teardown(self._take_queue(stop))

    def _take_queue(self, stop: threading.Event) -> list[Pending]:
        """Mark this run stopped and take every request it had not served yet."""
        with self._lock:
            stop.set()
            queued = list(self._requests)
            self._requests.clear()
        return queued

    def _serve_requests(self, stop: threading.Event) -> None:
        while not stop.is_set():
            with self._lock:
                if not self._requests:
                    return
                request, future = self._requests.popleft()
            self._serve(request, future)

    def _serve(self, request: object, future: Future) -> None:
        """Run the handler for ``request`` on the loop thread; tell the device if it failed."""
        error = dispatch(self._device.handlers, request, future)
        if error is not None:
            self._device.handler_failed(request, error)
