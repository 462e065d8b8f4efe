"""The camera interface every driver implements, and the pieces drivers share.

The app (``studio``) talks to cameras only through :class:`Camera`. A driver owns its device on
one thread of its own; other threads get :class:`concurrent.futures.Future` results back and read
live view from a :class:`LatestFrameSlot`, never from a queue: analysis always wants the newest
frame, and an old frame is worth nothing.

The settings types (:mod:`drivers.camera_settings`) and the errors (:mod:`drivers.errors`) live
in their own modules and are imported here too: ``from drivers.base import …`` is the interface.
"""

from __future__ import annotations

import enum
import logging
import struct
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from drivers.camera_settings import (  # noqa: F401 (re-exported: the interface's one import)
    ExposureControl,
    Setting,
    SettingKind,
    exposure_controls,
    parse_setting_value,
)
from drivers.errors import (  # noqa: F401 (re-exported)
    CameraBusy,
    CameraClaimed,
    CameraError,
    CameraGone,
    NotSupported,
    PermissionDenied,
    SettingError,
    SourceError,
    StorageFull,
)
from drivers.mailbox import Latest

log = logging.getLogger(__name__)

E = TypeVar("E")


# --------------------------------------------------------------------------------------------
# Live view
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LiveFrame:
    """One live-view frame exactly as the camera sent it.

    ``seq`` increases by one for every frame the driver received, so a reader that sees a gap
    knows how many frames it dropped. ``timestamp`` is ``time.monotonic()`` at arrival.
    ``size`` is (width, height) read from the JPEG header, (0, 0) when the header has none.
    A video-capture source (:mod:`drivers.video`) sends raw frames instead: ``pixels`` is the
    read-only BGR uint8 array and ``jpeg`` is empty (no encode and decode per frame at 60 fps);
    readers take either through :mod:`drivers.video.pixels` (``frame_bgr``, ``frame_jpeg``).
    """

    jpeg: bytes
    seq: int
    timestamp: float
    size: tuple[int, int]
    # numpy BGR array (read-only) from a raw-frame source, else None; not compared or hashed
    # (an array has no truth value): frames are told apart by ``seq``
    pixels: Any = field(default=None, compare=False)


class LatestFrameSlot(Latest[LiveFrame]):
    """Live view: a :class:`~drivers.mailbox.Latest` of frames whose ``seq`` is the slot's own.

    Readers never see a frame twice and never queue: a slow reader simply skips frames.
    """

    def put_jpeg(self, jpeg: bytes, timestamp: float | None = None,
                 size: tuple[int, int] | None = None) -> LiveFrame:
        """Publish a new frame; returns it with its sequence number."""
        ts = time.monotonic() if timestamp is None else timestamp
        wh = jpeg_size(jpeg) if size is None else size
        return self.put_made(lambda seq: LiveFrame(jpeg, seq, ts, wh))


_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD,
                          0xCE, 0xCF})


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's SOF segment without decoding; (0, 0) if not found."""
    if len(data) < 4 or data[0] != 0xFF or data[1] != 0xD8:
        return (0, 0)
    i = 2
    n = len(data)
    while i + 9 < n:
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xFF,):
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2:i + 4])
        if marker in _SOF_MARKERS:
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return (width, height)
        if marker == 0xDA:  # start of scan: no SOF before it
            break
        i += 2 + length
    return (0, 0)


# --------------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------------


class CameraState(enum.StrEnum):
    WAITING = "waiting"  # opened with no camera attached: connects when one appears
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    GONE = "gone"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class FileAdded:
    """A file from the camera is safely on disk (written, fsynced, renamed)."""

    path: Path
    camera_path: str  # folder/name on the camera
    size: int
    timestamp: float = field(default_factory=time.monotonic)


@dataclass(frozen=True, slots=True)
class StateChanged:
    state: CameraState
    reason: str = ""
    timestamp: float = field(default_factory=time.monotonic)


@dataclass(frozen=True, slots=True)
class DriverWarning:
    """Something the photographer should know that is not fatal (card full, no live view)."""

    message: str
    code: str = ""
    timestamp: float = field(default_factory=time.monotonic)


CameraEvent = FileAdded | StateChanged | DriverWarning
Listener = Callable[[CameraEvent], None]


class EventHub(Generic[E]):
    """A thread-safe listener registry: camera events here, and the same pattern for analyses,
    READY transitions, capture and hotplug events in the app.

    Listeners run on the emitting thread (the camera's, the vision loop's…): keep them short. A
    listener that raises is logged and the others still run: a broken listener must never stop
    the thread that emits.
    """

    def __init__(self) -> None:
        self._listeners: list[Callable[[E], object]] = []
        self._lock = threading.Lock()

    def add_listener(self, listener: Callable[[E], object]) -> Callable[[], None]:
        """Register ``listener``; returns a function that removes it."""
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    def emit(self, event: E) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:
                log.exception("listener %r failed on %r", listener, event)


# --------------------------------------------------------------------------------------------
# The protocol
# --------------------------------------------------------------------------------------------


@runtime_checkable
class Camera(Protocol):
    """What every driver (replay, libgphoto2, composite) offers the app.

    Every method may be called from any thread. Methods returning a Future do their work on the
    driver's own thread; the others are cheap.
    """

    @property
    def model(self) -> str: ...

    @property
    def state(self) -> CameraState: ...

    @property
    def frames(self) -> LatestFrameSlot:
        """Live-view frames; read with ``frames.wait_newer(seq, timeout)``."""
        ...

    def open(self) -> None:
        """Connect; raises a :class:`CameraError` with a hint when that is impossible."""
        ...

    def close(self) -> None:
        """Leave live view cleanly, finish pending downloads and disconnect. Idempotent."""
        ...

    def start_live_view(self) -> Future[None]: ...

    def stop_live_view(self) -> Future[None]: ...

    def capture(self) -> Future[list[Path]]:
        """Fire the shutter; resolves to the downloaded file(s) (RAW+JPEG gives two)."""
        ...

    def settings(self) -> Future[dict[str, Setting]]: ...

    def set_setting(self, name: str, value: str) -> Future[Setting]:
        """Validate ``value`` against the allowed values and set it; resolves to the new setting."""
        ...

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Receive :data:`CameraEvent` s on the driver's thread; returns an unsubscribe function."""
        ...


def resolved(value: object) -> Future:
    """A Future already holding ``value``."""
    fut: Future = Future()
    fut.set_result(value)
    return fut


def failed(exc: BaseException) -> Future:
    """A Future already holding ``exc``."""
    fut: Future = Future()
    fut.set_exception(exc)
    return fut
