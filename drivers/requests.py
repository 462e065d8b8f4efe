"""The requests every camera driver serves, and the helpers that post and finish them.

A request is a small frozen dataclass (:class:`Capture`, :class:`SetSetting`, …) posted to a
camera's :class:`~drivers.owner.OwnerLoop` and answered through a
:class:`concurrent.futures.Future`; the loop dispatches it by its type through the device's
``handlers`` table, never by name. :class:`PostsRequests` gives a camera the five
:class:`~drivers.base.Camera` calls that are only "post this request", so each driver writes
just how to post (its ``_submit``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drivers.base import CameraError, Setting

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Capture:
    """Fire the shutter; resolves to the saved file(s)."""


@dataclass(frozen=True, slots=True)
class LiveView:
    """Start (``on=True``) or stop live view."""

    on: bool


@dataclass(frozen=True, slots=True)
class ReadSettings:
    """Every setting by name."""


@dataclass(frozen=True, slots=True)
class SetSetting:
    """Validate ``value`` for setting ``name`` and write it; resolves to the new setting."""

    name: str
    value: str


Handler = Callable[[Any, Future], None]
Pending = tuple[object, Future]


class PostsRequests:
    """The Camera protocol's request calls, each posted by ``_submit`` (the camera's loop, or a
    failed Future while it is closed)."""

    def _submit(self, request: object) -> Future:
        raise NotImplementedError

    def start_live_view(self) -> Future[None]:
        return self._submit(LiveView(True))

    def stop_live_view(self) -> Future[None]:
        return self._submit(LiveView(False))

    def capture(self) -> Future[list[Path]]:
        """Fire (or, for a replay or video source, save the current frame); resolves to the
        saved file(s)."""
        return self._submit(Capture())

    def settings(self) -> Future[dict[str, Setting]]:
        return self._submit(ReadSettings())

    def set_setting(self, name: str, value: str) -> Future[Setting]:
        return self._submit(SetSetting(name, value))


def dispatch(handlers: Mapping[type, Handler], request: object, future: Future) -> Exception | None:
    """Run ``request``'s handler unless its Future was cancelled; an exception goes to the
    Future and is returned (``teardown`` uses this to finish leftover requests)."""
    if not future.set_running_or_notify_cancel():
        return None
    try:
        handlers[type(request)](request, future)
    except Exception as exc:
        if not isinstance(exc, CameraError):  # report programming errors to the caller too
            log.exception("%r failed", request)
        if not future.done():
            future.set_exception(exc)
        return exc
    return None


def fail_all(pending: list[Pending], error: Callable[[], BaseException]) -> None:
    """Fail every not yet started request with a fresh ``error()``."""
    for _, future in pending:
        if future.set_running_or_notify_cancel():
            future.set_exception(error())


def finish_leftover(handlers: Mapping[type, Handler], leftover: list[Pending],
                    closed: Callable[[], BaseException]) -> None:
    """What a closing source still owes: captures and settings asked before ``close()`` are
    served; live view is not restarted (those fail with ``closed()``)."""
    for request, future in leftover:
        if isinstance(request, LiveView):
            fail_all([(request, future)], closed)
        else:
            dispatch(handlers, request, future)
