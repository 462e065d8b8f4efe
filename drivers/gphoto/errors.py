"""libgphoto2 error codes -> a small set of typed driver errors, each with an action.

The owner thread decides what to do from :func:`action_for`; the app only ever sees the typed
errors of :mod:`drivers.base` with a hint saying what the photographer can do.
"""

from __future__ import annotations

import enum
import os
import re
from dataclasses import dataclass
from pathlib import Path

from drivers.base import (
    CameraBusy,
    CameraClaimed,
    CameraError,
    CameraGone,
    NotSupported,
    PermissionDenied,
    SettingError,
    StorageFull,
)

UDEV_HINT = ("install the udev rules: `studio udev -o /etc/udev/rules.d/70-studio-cameras.rules` "
             "then `udevadm control --reload-rules && udevadm trigger`, and replug the camera")
CLAIM_HINT = ("another program holds the camera; on GNOME run `gio mount -s gphoto2` "
              "or `pkill -f gvfs-gphoto2-volume-monitor` (it restarts on login), then retry")


class Action(enum.Enum):
    REPORT = "report"  # tell the user, keep the connection
    RETRY = "retry"  # busy: bounded retry with backoff
    RECONNECT = "reconnect"  # close, wait, autodetect, new gp.Camera
    DISABLE = "disable"  # the body cannot do it: switch the feature off
    FATAL = "fatal"  # cannot connect at all until the user acts


@dataclass(frozen=True, slots=True)
class CodeInfo:
    action: Action
    error: type[CameraError]
    meaning: str


# libgphoto2 result codes (gphoto2-result.h, gphoto2-port-result.h).
CODES: dict[int, CodeInfo] = {
    -1: CodeInfo(Action.REPORT, CameraError, "the camera refused (focus failed, card full, bad value)"),
    -2: CodeInfo(Action.REPORT, SettingError, "bad parameters"),
    -3: CodeInfo(Action.REPORT, StorageFull, "out of memory / store full"),
    -6: CodeInfo(Action.DISABLE, NotSupported, "not supported by this camera"),
    -7: CodeInfo(Action.RECONNECT, CameraGone, "USB I/O problem"),
    -10: CodeInfo(Action.RECONNECT, CameraGone, "timeout talking to the camera"),
    -52: CodeInfo(Action.RECONNECT, CameraGone, "USB device not found (unplugged?)"),
    -53: CodeInfo(Action.FATAL, CameraClaimed, "could not claim the USB device"),
    -60: CodeInfo(Action.FATAL, CameraError, "camera not found"),
    -105: CodeInfo(Action.RECONNECT, CameraGone, "unknown model (camera not present)"),
    -108: CodeInfo(Action.REPORT, CameraError, "file not found on the camera"),
    -110: CodeInfo(Action.RETRY, CameraBusy, "camera busy (I/O in progress)"),
}
_DEFAULT = CodeInfo(Action.REPORT, CameraError, "camera error")


def info_for(code: int) -> CodeInfo:
    return CODES.get(code, _DEFAULT)


def action_for(code: int) -> Action:
    return info_for(code).action


def typed_error(code: int, what: str, port: str = "") -> CameraError:
    """The typed error for gphoto2 result ``code`` while doing ``what``."""
    info = info_for(code)
    message = f"{what}: {info.meaning} [gphoto2 {code}]"
    if info.error is CameraClaimed:
        holders = usb_holders(port)
        if holders:
            message += f"; held by {', '.join(holders)}"
        return CameraClaimed(message, CLAIM_HINT)
    if code == -7 and port and not usb_node_accessible(port):
        return PermissionDenied(f"{what}: no permission for {usb_node(port)}", UDEV_HINT)
    if info.error is CameraGone:
        return CameraGone(message, "check the cable and that the camera is on; reconnecting")
    if info.error is CameraBusy:
        return CameraBusy(message, "wait for the camera to finish (writing, focusing) and retry")
    if info.error is StorageFull:
        return StorageFull(message, "free space on the camera's card or capture to RAM")
    if info.error is NotSupported:
        return NotSupported(message)
    return info.error(message)


_PORT = re.compile(r"^usb:(\d{3}),(\d{3})$")


def usb_node(port: str) -> Path | None:
    """``usb:001,005`` -> ``/dev/bus/usb/001/005``; ``None`` for other ports."""
    match = _PORT.match(port)
    if not match:
        return None
    return Path("/dev/bus/usb") / match.group(1) / match.group(2)


def usb_node_accessible(port: str) -> bool:
    """True when the device node is read/writable by us (or when there is no node to check)."""
    node = usb_node(port)
    if node is None or not node.exists():
        return True
    return os.access(node, os.R_OK | os.W_OK)


def usb_holders(port: str = "") -> list[str]:
    """Programs that hold the camera's USB node open, or that are known to grab cameras.

    Reads ``/proc/*/fd`` (only our own user's processes are readable unless root) and adds a
    running ``gvfs-gphoto2-volume-monitor``, the usual culprit on GNOME desktops.
    """
    node = usb_node(port)
    found: list[str] = []
    proc = Path("/proc")
    for pid_dir in proc.iterdir():
        if not pid_dir.name.isdigit() or int(pid_dir.name) == os.getpid():
            continue
        try:
            comm = (pid_dir / "comm").read_text().strip()
        except OSError:
            continue
        if "gvfs" in comm and "gphoto" in comm:  # comm is cut at 15 chars
            found.append(f"{comm} (pid {pid_dir.name})")
            continue
        if node is None:
            continue
        try:
            fds = list((pid_dir / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) == str(node):
                    found.append(f"{comm} (pid {pid_dir.name})")
                    break
            except OSError:
                continue
    return found
