"""A camera on libgphoto2, owned by one thread.

Every ``gphoto2`` call for a camera happens on its owner thread (a ``gp.Camera`` is not thread
safe: a second caller gets ``-110 I/O in progress``). Other threads post requests and get
:class:`concurrent.futures.Future` results. Between requests the thread grabs live-view frames
(capped at ``max_fps``) and drains ``wait_for_event``, which returns at once when nothing is
queued, so the thread sleeps on its wake-up event instead of spinning.

Captures use ``trigger_capture`` and the event loop, so every ``GP_EVENT_FILE_ADDED`` is
downloaded: both files of a RAW+JPEG pair and shots fired from the camera body.
"""

from __future__ import annotations

import collections
import difflib
import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from drivers.base import (
    CameraError,
    CameraGone,
    CameraState,
    DriverWarning,
    EventHub,
    FileAdded,
    LatestFrameSlot,
    Listener,
    NotSupported,
    Setting,
    SettingError,
    StateChanged,
    StorageFull,
    failed,
)
from drivers.download import DownloadSink, FolderSink
from drivers.gphoto.discovery import DetectedCamera, PresenceScanner
from drivers.gphoto.errors import Action, action_for, typed_error
from drivers.gphoto.lib import gp
from drivers.gphoto.quirks import DEFAULT as DEFAULT_QUIRKS
from drivers.gphoto.quirks import Quirks, quirks_for
from drivers.gphoto.settings import apply_value, read_settings, to_setting

log = logging.getLogger(__name__)

_STORE_FULL = re.compile(r"\b400a\b|store ?full", re.IGNORECASE)  # PTP StoreFull event
_BUSY_BACKOFF_S = (0.1, 0.2, 0.4, 0.5, 0.5)
_STALL_S = 2.0  # a capture with no file this long makes the driver check the camera is there


@dataclass(frozen=True, slots=True)
class GphotoOptions:
    port: str | None = None  # "usb:001,005"; None: the first detected camera
    model: str | None = None  # pick this model when several are attached
    capture_target: str = "card"  # "card" or "ram"; set on every connect
    delete_after_download: bool = False  # only after the local copy is verified
    max_fps: float | None = None  # live-view cap; None: the brand's default
    pair_settle_s: float = 0.15  # after CAPTURE_COMPLETE, wait this long for a RAW+JPEG twin
    capture_timeout_s: float = 30.0
    reconnect_timeout_s: float = 60.0  # RECONNECTING for this long, then GONE (still watching)
    presence_poll_s: float = 2.0  # idle presence scan (0.3 ms); 0 = rely on notify_presence_changed
    idle_poll_s: float = 0.05  # event poll period when nothing is pending
    busy_poll_s: float = 0.01  # event poll period while a capture is pending
    download_retry_s: float = 2.0
    download_attempts: int = 5


@dataclass
class _Pending:
    future: Future
    deadline: float
    started: float = field(default_factory=time.monotonic)
    files: list[Path] = field(default_factory=list)
    stems: set[str] = field(default_factory=set)
    completed_at: float | None = None


@dataclass
class _Undownloaded:
    folder: str
    name: str
    attempts: int = 0
    next_try: float = 0.0


class GphotoCamera:
    """:class:`drivers.base.Camera` on a libgphoto2 camera (real, or libgphoto2's virtual one)."""

    def __init__(self, sink: DownloadSink | Path | str, options: GphotoOptions | None = None, *,
                 port: str | None = None) -> None:
        self._sink: DownloadSink = FolderSink(Path(sink)) if isinstance(sink, (str, Path)) else sink
        self._opts = options or GphotoOptions()
        if port is not None:
            self._opts = replace(self._opts, port=port)
        self._frames = LatestFrameSlot()
        self._hub = EventHub()
        self._scanner = PresenceScanner()
        self._state = CameraState.CLOSED
        self._model = ""
        self._lock = threading.Lock()
        self._requests: collections.deque[tuple[Callable[..., Any], tuple, Future]] = collections.deque()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._stopping = False
        # Owner-thread state (touched only on the owner thread after open()).
        self._cam: Any = None
        self._target: DetectedCamera | None = None
        self._quirks: Quirks = DEFAULT_QUIRKS
        self._widget_names: set[str] = set()
        self._lv_wanted = False
        self._lv_active = False  # the body is in live view because we asked for frames
        self._lv_supported = True
        self._lv_waiters: list[Future] = []
        self._drop_frames = 0
        self._next_frame_at = 0.0
        self._pending: list[_Pending] = []
        self._retry: list[_Undownloaded] = []
        self._store_full = False
        self._gone_since = 0.0
        self._next_attempt = 0.0
        self._attempt = 0
        self._next_presence = 0.0
        self._next_stall_check = 0.0
        self._last_wait_s = 0.0
        self.deleted_on_camera = 0  # files removed from the card after a verified download

    # ---------------------------------------------------------------- public, any thread

    @property
    def model(self) -> str:
        return self._model

    @property
    def state(self) -> CameraState:
        return self._state

    @property
    def frames(self) -> LatestFrameSlot:
        return self._frames

    @property
    def port(self) -> str:
        return self._target.port if self._target else ""

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        return self._hub.add_listener(listener)

    def open(self) -> None:
        """Connect on a new owner thread; raises the typed error (with a hint) on failure."""
        with self._lock:
            if self._thread and self._thread.is_alive():
                return
            self._stopping = False
            self._frames.reopen()
            connected: Future = Future()
            self._thread = threading.Thread(target=self._run, args=(connected,),
                                            name="gphoto-camera", daemon=True)
            self._thread.start()
        connected.result()

    def close(self, timeout: float = 10.0) -> None:
        """Leave live view (``viewfinder=0``), finish downloads, ``exit()``. Idempotent."""
        with self._lock:
            thread = self._thread
            if thread is None:
                return
            self._stopping = True
            self._wake.set()
        thread.join(timeout)
        if thread.is_alive():
            log.warning("camera thread did not stop within %.0f s", timeout)
        with self._lock:
            self._thread = None

    def start_live_view(self) -> Future[None]:
        return self._submit(self._req_live_view, True)

    def stop_live_view(self) -> Future[None]:
        return self._submit(self._req_live_view, False)

    def capture(self) -> Future[list[Path]]:
        return self._submit(self._req_capture)

    def settings(self) -> Future[dict[str, Setting]]:
        return self._submit(self._req_settings)

    def set_setting(self, name: str, value: str) -> Future[Setting]:
        return self._submit(self._req_set_setting, name, value)

    def summary(self) -> Future[str]:
        """The camera's own summary text (model, serial, storage, abilities)."""
        return self._submit(self._req_summary)

    def notify_presence_changed(self) -> None:
        """Hotplug saw a USB change: check at once whether our camera is still (or again) there."""
        self._next_presence = 0.0
        self._next_attempt = 0.0
        self._wake.set()

    def _submit(self, handler: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()
        with self._lock:
            if self._thread is None or self._stopping:
                return failed(CameraError("camera is not open"))
            self._requests.append((handler, args, future))
        self._wake.set()
        return future

    # ---------------------------------------------------------------- owner thread: main loop

    def _run(self, connected: Future) -> None:
        try:
            self._connect()
        except Exception as exc:  # CameraError, or a libgphoto2 surprise: open() must not hang
            self._set_state(CameraState.CLOSED, str(exc))
            connected.set_exception(exc if isinstance(exc, CameraError)
                                    else CameraError(f"cannot connect: {exc}"))
            with self._lock:
                self._thread = None
            return
        connected.set_result(None)
        try:
            while not self._stopping:
                self._wake.clear()
                self._handle_requests()
                if self._stopping:
                    break
                if self._state is CameraState.CONNECTED:
                    self._step_connected()
                else:
                    self._step_disconnected()
                self._wake.wait(self._sleep_time())
        except Exception:  # a bug must not leave the body in live view or the USB claimed
            log.exception("camera thread failed")
        finally:
            self._shutdown()

    def _sleep_time(self) -> float:
        now = time.monotonic()
        if self._state is not CameraState.CONNECTED:
            return max(0.0, min(self._next_attempt - now, 0.5))
        if self._pending:  # wait_for_event itself blocked (it returns when an event arrives)
            timeout = max(0.0, self._opts.busy_poll_s - self._last_wait_s)
        else:
            timeout = self._opts.idle_poll_s
        if self._lv_wanted and self._lv_supported and not self._preview_paused():
            timeout = min(timeout, self._next_frame_at - now)
        return max(0.0, timeout)

    def _handle_requests(self) -> None:
        while True:
            with self._lock:
                if not self._requests:
                    return
                handler, args, future = self._requests.popleft()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                handler(future, *args)
            except CameraError as exc:
                if not future.done():
                    future.set_exception(exc)
                self._after_error(exc)
            except Exception as exc:  # report programming errors to the caller too
                log.exception("request %s failed", handler.__name__)
                if not future.done():
                    future.set_exception(exc)

    def _step_connected(self) -> None:
        try:
            self._pump_events()
            self._live_frame()
            self._retry_downloads()
            self._check_presence_if_due()
        except CameraError as exc:
            self._after_error(exc)
        self._finish_captures()

    def _after_error(self, exc: CameraError) -> None:
        """Reconnect when the error says the link is gone; otherwise it was only reported."""
        action = getattr(exc, "action", None)
        if action is Action.RECONNECT and self._state is CameraState.CONNECTED:
            self._begin_reconnect(str(exc))

    # ---------------------------------------------------------------- gphoto2 calls

    def _call(self, what: str, fn: Callable[..., Any], *args: Any) -> Any:
        """Call ``fn`` with bounded retry on busy; raise the typed error (with ``.code``)."""
        g = gp()
        for attempt in range(len(_BUSY_BACKOFF_S) + 1):
            try:
                return fn(*args)
            except g.GPhoto2Error as exc:
                action = action_for(exc.code)
                if action is Action.RETRY and attempt < len(_BUSY_BACKOFF_S):
                    log.debug("%s: camera busy, retry %d", what, attempt + 1)
                    time.sleep(_BUSY_BACKOFF_S[attempt])
                    continue
                error = typed_error(exc.code, what, self.port)
                error.code = exc.code  # type: ignore[attr-defined]
                error.action = action  # type: ignore[attr-defined]
                raise error from exc
        raise AssertionError("unreachable")

    # ---------------------------------------------------------------- connect / disconnect

    def _choose_target(self) -> DetectedCamera | None:
        found = self._scanner.scan()
        wanted_port = self._target.port if self._target else self._opts.port
        wanted_model = self._target.model if self._target else self._opts.model
        for cam in found:  # same port first: after a replug the device number changes
            if cam.port == wanted_port and (not wanted_model or cam.model == wanted_model):
                return cam
        for cam in found:
            if wanted_model and cam.model == wanted_model:
                return cam
        if self._target is None and self._opts.port is None and found:
            return found[0]
        return None

    def _connect(self) -> None:
        g = gp()
        target = self._choose_target()
        if target is None:
            where = f" on {self._opts.port}" if self._opts.port else ""
            raise CameraGone(f"no camera detected{where}",
                             "connect the camera, switch it on and set it to PTP/tethering mode; "
                             "`studio doctor` checks USB access")
        camera = g.Camera()
        try:
            abilities = g.CameraAbilitiesList()
            abilities.load()
            camera.set_abilities(abilities.get_abilities(abilities.lookup_model(target.model)))
            ports = g.PortInfoList()
            ports.load()
            camera.set_port_info(ports.get_info(ports.lookup_path(target.port)))
        except g.GPhoto2Error as exc:
            raise typed_error(exc.code, f"opening {target.model} on {target.port}", target.port) from exc
        self._target = target
        self._call("connecting", camera.init)
        self._cam = camera  # only an initialised camera is ever exit()-ed
        try:
            settings = read_settings(self._call("reading settings", camera.get_config))
        except Exception:
            self._drop_camera()
            raise
        self._widget_names = set(settings)
        manufacturer = settings.get("manufacturer")
        self._model = target.model
        self._quirks = quirks_for(str(manufacturer.value or "") if manufacturer else "", target.model)
        self._store_full = False
        self._set_capture_target(settings)
        self._lv_active = False
        self._drop_frames = 0
        self._next_presence = time.monotonic() + self._opts.presence_poll_s
        log.info("connected to %s on %s (%s quirks)", target.model, target.port, self._quirks.brand)
        self._set_state(CameraState.CONNECTED)

    def _set_capture_target(self, settings: dict[str, Setting]) -> None:
        """Set card/RAM explicitly: libgphoto2 persists the last one in $XDG_CONFIG_HOME."""
        setting = settings.get(self._quirks.capturetarget_widget)
        if setting is None:
            log.info("%s has no capture target setting", self._model)
            return
        words = self._quirks.ram_words if self._opts.capture_target == "ram" else self._quirks.card_words
        choice = next((c for c in setting.choices if any(w in c.lower() for w in words)), None)
        if choice is None:
            self._hub.emit(DriverWarning(
                f"cannot set capture target {self._opts.capture_target!r}; "
                f"camera offers: {setting.allowed()}", code="capture-target"))
            return
        if setting.value != choice:
            try:
                self._write_setting(setting.name, choice)
            except CameraError as exc:  # not fatal: photos still arrive, from wherever they go
                self._hub.emit(DriverWarning(f"cannot set capture target: {exc}", code="capture-target"))
                return
        log.info("capture target: %s", choice)

    def _begin_reconnect(self, reason: str) -> None:
        log.warning("camera lost (%s); reconnecting", reason)
        self._drop_camera()
        for pending in self._pending:
            if not pending.future.done():
                pending.future.set_exception(CameraGone(
                    f"camera lost during capture ({reason})",
                    "the photo may still be on the camera's card"))
        self._pending.clear()
        self._gone_since = time.monotonic()
        self._attempt = 0
        self._next_attempt = self._gone_since + 0.2
        self._set_state(CameraState.RECONNECTING, reason)

    def _step_disconnected(self) -> None:
        now = time.monotonic()
        if now < self._next_attempt:
            return
        self._attempt += 1
        try:
            self._connect()
        except Exception as exc:  # keep trying: the body may still be waking up
            log.debug("reconnect attempt %d: %s", self._attempt, exc)
            self._drop_camera()
            delay = min(2.0, 0.2 * 2 ** min(self._attempt, 4))
            self._next_attempt = time.monotonic() + delay
            if (self._state is CameraState.RECONNECTING
                    and now - self._gone_since > self._opts.reconnect_timeout_s):
                self._set_state(CameraState.GONE, f"not back after {self._opts.reconnect_timeout_s:.0f} s")
            return
        if self._lv_wanted:  # resume live view where it was
            self._next_frame_at = 0.0

    def _drop_camera(self) -> None:
        camera, self._cam = self._cam, None
        self._lv_active = False
        if camera is None:
            return
        try:
            camera.exit()
        except Exception:  # the device may already be gone; a new gp.Camera is made anyway
            log.debug("exit() on a lost camera failed", exc_info=True)

    def _shutdown(self) -> None:
        if self._cam is not None and self._state is CameraState.CONNECTED:
            self._drain_before_close()
            self._leave_live_view()
        self._drop_camera()
        for pending in self._pending:
            if not pending.future.done():
                pending.future.set_exception(CameraError("camera closed before the file arrived"))
        self._pending.clear()
        for waiter in self._lv_waiters:
            if not waiter.done():
                waiter.set_exception(CameraError("camera closed"))
        self._lv_waiters.clear()
        with self._lock:
            leftover = list(self._requests)
            self._requests.clear()
        for _, _, future in leftover:
            if future.set_running_or_notify_cancel():
                future.set_exception(CameraError("camera closed"))
        self._frames.close()
        self._set_state(CameraState.CLOSED)

    def _drain_before_close(self) -> None:
        """Give pending captures their files before closing (bounded)."""
        deadline = time.monotonic() + min(5.0, self._opts.capture_timeout_s)
        while self._pending and time.monotonic() < deadline:
            try:
                self._pump_events()
            except CameraError:
                break
            self._finish_captures()
            time.sleep(self._opts.busy_poll_s)

    def _set_state(self, state: CameraState, reason: str = "") -> None:
        if state is self._state:
            return
        self._state = state
        self._hub.emit(StateChanged(state, reason))

    # ---------------------------------------------------------------- presence (hotplug)

    def _check_presence_if_due(self) -> None:
        """Idle: every ``presence_poll_s``. A capture without a file for 2 s: every second,
        because an unplugged body often just stops answering instead of failing."""
        now = time.monotonic()
        stalled = any(not p.files and now - p.started > _STALL_S for p in self._pending)
        if stalled:
            if now < self._next_stall_check:
                return
            self._next_stall_check = now + 1.0
        else:
            if self._opts.presence_poll_s <= 0 and self._next_presence != 0.0:
                return
            if now < self._next_presence or self._pending:
                return
            self._next_presence = now + (self._opts.presence_poll_s or 3600.0)
        if not self._present():
            self._begin_reconnect("camera no longer detected on USB")

    def _present(self) -> bool:
        return any(cam.port == self.port for cam in self._scanner.scan())

    # ---------------------------------------------------------------- events and downloads

    def _pump_events(self) -> None:
        g = gp()
        # While a capture is pending, let libgphoto2 block for the file (it returns as soon as
        # the event arrives); when idle only look, so requests and live view are not delayed.
        wait_ms = max(1, int(self._opts.busy_poll_s * 1000)) if self._pending else 1
        for _ in range(64):  # bounded so requests and live view keep their turn
            started = time.monotonic()
            kind, data = self._call("waiting for events", self._cam.wait_for_event, wait_ms)
            if kind == g.GP_EVENT_TIMEOUT:
                self._last_wait_s = time.monotonic() - started
                return
            if kind == g.GP_EVENT_FILE_ADDED:
                self._download(data.folder, data.name)
            elif kind == g.GP_EVENT_CAPTURE_COMPLETE:
                self._capture_completed()
            elif kind == g.GP_EVENT_UNKNOWN and data and _STORE_FULL.search(str(data)):
                self._on_store_full()

    def _on_store_full(self) -> None:
        """The body says its card is full: captures still waiting for a file will get none."""
        if not self._store_full:
            self._store_full = True
            self._hub.emit(DriverWarning("the camera's card is full", code="store-full"))
        for pending in [p for p in self._pending if not p.files]:
            pending.future.set_exception(StorageFull(
                "the camera's card is full", "free space on the card or set capture target to RAM"))
            self._pending.remove(pending)

    def _download(self, folder: str, name: str, retry: _Undownloaded | None = None) -> None:
        g = gp()
        camera_path = f"{folder.rstrip('/')}/{name}"
        try:
            camera_file = self._call(f"downloading {camera_path}", self._cam.file_get,
                                     folder, name, g.GP_FILE_TYPE_NORMAL)
            data = memoryview(camera_file.get_data_and_size())
            path = self._sink.store(name, data)
        except CameraError as exc:
            self._download_failed(folder, name, exc, retry)
            return
        except OSError as exc:  # folder gone, I/O error: the sink's problem must not end this thread
            error = CameraError(f"cannot save {name}: {exc.strerror or exc}",
                                "check the session folder; the photo stays on the camera's card")
            self._download_failed(folder, name, error, retry)
            return
        size = data.nbytes
        if self._opts.delete_after_download:
            self._delete_if_verified(folder, name, path, size)
        event = FileAdded(path, camera_path, size)
        self._attach_file(path, name)
        self._hub.emit(event)

    def _download_failed(self, folder: str, name: str, exc: CameraError,
                         retry: _Undownloaded | None) -> None:
        entry = retry or _Undownloaded(folder, name)
        entry.attempts += 1
        entry.next_try = time.monotonic() + self._opts.download_retry_s
        if entry.attempts < self._opts.download_attempts:
            self._retry.append(entry)  # the file stays on the camera meanwhile
        self._hub.emit(DriverWarning(f"could not save {folder}/{name}: {exc} "
                                     f"(attempt {entry.attempts} of {self._opts.download_attempts})",
                                     code="download-failed"))
        # The capture learns of the failure now; the file stays on the camera and is retried,
        # and a later success still arrives as a FileAdded event.
        pending = self._pending_for(Path(name).stem) or next((p for p in self._pending if not p.files), None)
        if pending and not pending.future.done():
            pending.future.set_exception(exc)
            self._pending.remove(pending)
        if getattr(exc, "action", None) is Action.RECONNECT:
            raise exc

    def _retry_downloads(self) -> None:
        now = time.monotonic()
        for entry in list(self._retry):
            if entry.next_try <= now:
                self._retry.remove(entry)
                self._download(entry.folder, entry.name, entry)

    def _delete_if_verified(self, folder: str, name: str, path: Path, size: int) -> None:
        """Delete on the camera only when the local copy has the camera's reported size."""
        try:
            info = self._call("reading file info", self._cam.file_get_info, folder, name)
            camera_size = int(info.file.size)
            local_size = path.stat().st_size
        except (CameraError, OSError) as exc:
            log.warning("kept %s/%s on the camera: cannot verify (%s)", folder, name, exc)
            return
        if camera_size != local_size or local_size != size:
            self._hub.emit(DriverWarning(
                f"kept {folder}/{name} on the camera: local size {local_size} != camera size "
                f"{camera_size}", code="verify-failed"))
            return
        try:
            self._call(f"deleting {folder}/{name}", self._cam.file_delete, folder, name)
            self.deleted_on_camera += 1
        except CameraError as exc:
            log.warning("could not delete %s/%s on the camera: %s", folder, name, exc)

    # ---------------------------------------------------------------- captures

    def _req_capture(self, future: Future) -> None:
        if self._state is not CameraState.CONNECTED:
            raise CameraGone(f"camera is {self._state.value}", "wait for it to reconnect")
        if self._quirks.leave_live_view_before_capture and self._lv_active:
            self._leave_live_view()
        try:
            self._call("capturing", self._cam.trigger_capture)
        except CameraError as exc:
            raise self._capture_error(exc) from exc
        self._pending.append(_Pending(future, time.monotonic() + self._opts.capture_timeout_s))

    def _capture_error(self, exc: CameraError) -> CameraError:
        """A bare ``-1`` means many things: card full (seen as an event), camera gone, refused."""
        code = getattr(exc, "code", 0)
        if code in (-1, -3) and self._store_full:
            error: CameraError = StorageFull("the camera's card is full",
                                             "free space on the card or set capture target to RAM")
            return error
        if code == -1 and not self._present():
            error = CameraGone("camera vanished while capturing", "reconnecting")
            error.action = Action.RECONNECT  # type: ignore[attr-defined]
            return error
        if code == -1:
            return CameraError(f"{exc}", "the camera refused: check focus, lens, mode dial and card")
        return exc

    def _pending_for(self, stem: str) -> _Pending | None:
        for pending in self._pending:
            if stem in pending.stems:
                return pending
        return None

    def _attach_file(self, path: Path, camera_name: str) -> None:
        """A downloaded file joins its capture: the twin of a file already there (same camera
        stem, RAW+JPEG), else the oldest capture without a file; if no capture waits, it was
        fired from the body."""
        stem = Path(camera_name).stem
        pending = self._pending_for(stem) or next((p for p in self._pending if not p.files), None)
        if pending is None:
            return
        pending.files.append(path)
        pending.stems.add(stem)

    def _capture_completed(self) -> None:
        for pending in self._pending:
            if pending.completed_at is None:
                pending.completed_at = time.monotonic()
                return

    def _finish_captures(self) -> None:
        now = time.monotonic()
        for pending in list(self._pending):
            settled = (pending.completed_at is not None and pending.files
                       and now - pending.completed_at >= self._opts.pair_settle_s)
            if settled:
                pending.future.set_result(list(pending.files))
            elif now > pending.deadline:
                if pending.files:
                    pending.future.set_result(list(pending.files))
                else:
                    pending.future.set_exception(CameraError(
                        f"no file arrived within {self._opts.capture_timeout_s:.0f} s of the shutter",
                        "check the camera's screen; the shot may have failed to focus"))
            else:
                continue
            self._pending.remove(pending)

    # ---------------------------------------------------------------- live view

    def _req_live_view(self, future: Future, on: bool) -> None:
        self._lv_wanted = on
        if not on:
            if self._state is CameraState.CONNECTED:
                self._leave_live_view()
            for waiter in self._lv_waiters:
                if not waiter.done():
                    waiter.set_result(None)
            self._lv_waiters.clear()
            future.set_result(None)
            return
        if not self._lv_supported:
            raise NotSupported(f"{self._model} has no live view over USB")
        if self._state is not CameraState.CONNECTED:
            future.set_result(None)  # resumes on reconnect
            return
        self._next_frame_at = 0.0
        self._lv_waiters.append(future)

    def _preview_paused(self) -> bool:
        return bool(self._pending) and (self._quirks.leave_live_view_before_capture
                                        or self._quirks.capture_ends_live_view)

    def _live_frame(self) -> None:
        if not (self._lv_wanted and self._lv_supported) or self._preview_paused():
            return
        now = time.monotonic()
        if now < self._next_frame_at:
            return
        fps = self._opts.max_fps or self._quirks.max_fps
        self._next_frame_at = now + 1.0 / max(fps, 0.1)
        if not self._lv_active:
            self._drop_frames = self._quirks.drop_first_frames
        try:
            preview = self._call("live view", self._cam.capture_preview)
        except CameraError as exc:
            if getattr(exc, "action", None) is Action.DISABLE:
                self._live_view_unsupported()
                return
            for waiter in self._lv_waiters:
                if not waiter.done():
                    waiter.set_exception(exc)
            self._lv_waiters.clear()
            raise
        self._lv_active = True
        jpeg = bytes(memoryview(preview.get_data_and_size()))
        if self._drop_frames > 0:
            self._drop_frames -= 1
            return
        self._frames.put_jpeg(jpeg)
        for waiter in self._lv_waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._lv_waiters.clear()

    def _live_view_unsupported(self) -> None:
        self._lv_supported = False
        self._lv_wanted = False
        message = f"{self._model} has no live view over USB; captures still work"
        self._hub.emit(DriverWarning(message, code="no-live-view"))
        for waiter in self._lv_waiters:
            if not waiter.done():
                waiter.set_exception(NotSupported(message))
        self._lv_waiters.clear()

    def _leave_live_view(self) -> None:
        """``viewfinder=0`` (or the brand's widget) so no body is left with its mirror up."""
        if not self._lv_active or self._cam is None:
            return
        self._lv_active = False
        for name in self._quirks.viewfinder_widgets:
            if name not in self._widget_names:
                continue
            try:
                widget = self._call("leaving live view", self._cam.get_single_config, name)
                widget.set_value(self._quirks.viewfinder_off)
                self._call("leaving live view", self._cam.set_single_config, name, widget)
                log.info("live view left (%s=%s)", name, self._quirks.viewfinder_off)
                return
            except CameraError as exc:
                log.warning("could not leave live view with %s: %s", name, exc)

    # ---------------------------------------------------------------- settings

    def _require_connected(self) -> None:
        if self._state is not CameraState.CONNECTED:
            raise CameraGone(f"camera is {self._state.value}", "wait for it to reconnect")

    def _req_settings(self, future: Future) -> None:
        self._require_connected()
        config = self._call("reading settings", self._cam.get_config)
        settings = read_settings(config)
        self._widget_names = set(settings)
        future.set_result(settings)

    def _req_summary(self, future: Future) -> None:
        self._require_connected()
        future.set_result(str(self._call("reading summary", self._cam.get_summary)))

    def _req_set_setting(self, future: Future, name: str, value: str) -> None:
        self._require_connected()
        future.set_result(self._write_setting(name, value))

    def _write_setting(self, name: str, value: str) -> Setting:
        try:
            widget = self._call(f"reading {name}", self._cam.get_single_config, name)
        except CameraError as exc:
            if getattr(exc, "code", 0) != -2:
                raise
            close = difflib.get_close_matches(name, sorted(self._widget_names), n=3)
            hint = f"did you mean {', '.join(close)}?" if close else "`studio camera settings` lists them"
            raise SettingError(f"{self._model} has no setting {name!r}", hint) from None
        setting = to_setting(widget)
        if setting is None:
            raise SettingError(f"{name} is not a setting (it is a section or a button)")
        apply_value(widget, setting, value)  # validates: clear error listing the allowed values
        try:
            self._call(f"setting {name}", self._cam.set_single_config, name, widget)
        except CameraError as exc:
            if getattr(exc, "action", None) is Action.RECONNECT:
                raise
            code = getattr(exc, "code", "?")
            raise SettingError(f"{self._model} refused {name}={value!r} [gphoto2 {code}]",
                               f"allowed: {setting.allowed()}") from None
        updated = to_setting(self._call(f"reading {name}", self._cam.get_single_config, name))
        return updated or setting

    # ---------------------------------------------------------------- misc

    def __repr__(self) -> str:
        return f"GphotoCamera({self._model or '?'} {self.port or ''} {self._state.value})"
