"""One libgphoto2 connection: the ``gp.Camera``, the calls made on it, connect and drop.

Used on the owner thread only. :meth:`Link.call` is the one way the driver calls libgphoto2:
it retries a busy camera with bounded backoff and turns a ``GPhoto2Error`` into the typed
:class:`~drivers.base.CameraError` (with ``.code`` and ``.action``).
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from typing import Any

from drivers.base import (
    CameraError,
    CameraEvent,
    CameraGone,
    CameraState,
    EventHub,
    Setting,
    StateChanged,
)
from drivers.gphoto.discovery import DetectedCamera, PresenceScanner
from drivers.gphoto.errors import Action, action_for, typed_error
from drivers.gphoto.lib import gp
from drivers.gphoto.options import GphotoOptions
from drivers.gphoto.quirks import DEFAULT as DEFAULT_QUIRKS
from drivers.gphoto.quirks import Quirks, quirks_for
from drivers.gphoto.settings import read_settings

log = logging.getLogger(__name__)

BUSY_BACKOFF_S = (0.1, 0.2, 0.4, 0.5, 0.5)


def error_action(exc: BaseException) -> Action | None:
    """What the error says to do (set by :meth:`Link.call`); ``None`` for other errors."""
    return getattr(exc, "action", None)


def error_code(exc: BaseException, default: int = 0) -> int:
    return getattr(exc, "code", default)


def mark(error: CameraError, code: int | None = None, action: Action | None = None) -> CameraError:
    """Attach the libgphoto2 code and the action to ``error``; returns it."""
    if code is not None:
        error.code = code  # type: ignore[attr-defined]
    if action is not None:
        error.action = action  # type: ignore[attr-defined]
    return error


class Link:
    """The camera of the current connection (``cam`` is ``None`` between connections)."""

    def __init__(self, options: GphotoOptions, hub: EventHub[CameraEvent]) -> None:
        self.options = options
        self.hub = hub
        self.scanner = PresenceScanner()
        self.cam: Any = None
        self.target: DetectedCamera | None = None
        self.model = ""
        self.quirks: Quirks = DEFAULT_QUIRKS
        self.widget_names: set[str] = set()
        self.state = CameraState.CLOSED
        self.reason = ""  # why the state is what it is ("no camera found — plug one in")
        # The libgphoto2 call in progress on the owner thread and when it began (read by
        # other threads for diagnostics; plain attribute writes are atomic).
        self.calling = ""
        self.call_started = 0.0

    @property
    def port(self) -> str:
        return self.target.port if self.target else ""

    @property
    def connected(self) -> bool:
        return self.state is CameraState.CONNECTED

    def set_state(self, state: CameraState, reason: str = "") -> None:
        if state is self.state:
            return
        self.state, self.reason = state, reason
        self.hub.emit(StateChanged(state, reason))

    def require_connected(self) -> None:
        if not self.connected:
            why = f" ({self.reason})" if self.reason else ""
            hint = ("plug a camera in and switch it on" if self.state is CameraState.WAITING
                    else "wait for it to reconnect")
            raise CameraGone(f"camera is {self.state.value}{why}", hint)

    def call(self, what: str, fn: Callable[..., Any], *args: Any) -> Any:
        """Call ``fn`` with bounded retry on busy; raise the typed error (with ``.code``)."""
        g = gp()
        for attempt in range(len(BUSY_BACKOFF_S) + 1):
            self.calling, self.call_started = what, time.monotonic()
            try:
                return fn(*args)
            except g.GPhoto2Error as exc:
                action = action_for(exc.code)
                if action is Action.RETRY and attempt < len(BUSY_BACKOFF_S):
                    log.debug("%s: camera busy, retry %d", what, attempt + 1)
                    time.sleep(BUSY_BACKOFF_S[attempt])
                    continue
                raise mark(typed_error(exc.code, what, self.port), exc.code, action) from exc
            finally:
                self.calling = ""
        raise AssertionError("unreachable")

    def probe(self) -> str | None:
        """Ask the camera something cheap (its storage info, one PTP round trip); ``None`` when
        it answered within ``probe_limit_s``, else why it is taken for silent."""
        started = time.monotonic()
        try:
            self.call("probing the camera", self.cam.get_storageinfo)
        except CameraError as exc:
            if error_action(exc) is Action.RETRY:  # "busy" is an answer: writing a burst
                return None
            return f"camera stopped answering ({exc})"
        took = time.monotonic() - started
        if took > self.options.probe_limit_s:
            return f"camera stopped answering (a status request took {took:.1f} s)"
        return None

    def present(self) -> bool:
        return any(cam.port == self.port for cam in self.scanner.scan())

    def _choose_target(self) -> DetectedCamera | None:
        found = self.scanner.scan()
        wanted_port = self.target.port if self.target else self.options.port
        wanted_model = self.target.model if self.target else self.options.model
        for cam in found:  # same port first: after a replug the device number changes
            if cam.port == wanted_port and (not wanted_model or cam.model == wanted_model):
                return cam
        for cam in found:
            if wanted_model and cam.model == wanted_model:
                return cam
        if self.target is None and self.options.port is None and found:
            return found[0]
        return None

    def connect(self) -> dict[str, Setting]:
        """Find the camera, ``init()`` a new ``gp.Camera``, read its settings and quirks.

        The state is left to the caller, which finishes setting the body up first.
        """
        g = gp()
        target = self._choose_target()
        if target is None:
            where = f" on {self.options.port}" if self.options.port else ""
            raise CameraGone(f"no camera detected{where}",
                             "connect the camera, switch it on and set it to PTP/tethering mode; "
                             "`studio doctor` checks USB access")
        camera = (self.options.camera_factory or g.Camera)()
        try:
            abilities = g.CameraAbilitiesList()
            abilities.load()
            camera.set_abilities(abilities.get_abilities(abilities.lookup_model(target.model)))
            ports = g.PortInfoList()
            ports.load()
            camera.set_port_info(ports.get_info(ports.lookup_path(target.port)))
        except g.GPhoto2Error as exc:
            raise typed_error(exc.code, f"opening {target.model} on {target.port}", target.port) from exc
        self.target = target
        self.call("connecting", camera.init)
        self.cam = camera  # only an initialised camera is ever exit()-ed
        try:
            settings = read_settings(self.call("reading settings", camera.get_config))
        except Exception:
            self.drop()
            raise
        self.widget_names = set(settings)
        manufacturer = settings.get("manufacturer")
        self.model = target.model
        self.quirks = quirks_for(str(manufacturer.value or "") if manufacturer else "", target.model)
        log.info("connected to %s on %s (%s quirks)", target.model, target.port, self.quirks.brand)
        return settings

    def drop(self) -> None:
        """``exit()`` the camera if there is one; a new ``gp.Camera`` is made to reconnect."""
        camera, self.cam = self.cam, None
        if camera is None:
            return
        try:
            camera.exit()
        except Exception:  # the device may already be gone
            log.debug("exit() on a lost camera failed", exc_info=True)
        # libgphoto2 frees the port when the Camera object goes, not at exit(): an exception's
        # traceback in a reference cycle can keep a dead Camera (and its port) alive for long.
        del camera
        gc.collect()
