"""The drivers' errors: a small typed set, each with what to do about it (``hint``)."""

from __future__ import annotations


class CameraError(Exception):
    """Base of every driver error. ``hint`` tells the user what to do."""

    hint: str = ""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text} ({self.hint})" if self.hint else text


class SourceError(CameraError):
    """A recording, video or folder that cannot be read."""


class SettingError(CameraError):
    """Unknown setting, read-only setting, or a value outside the allowed ones."""


class NotSupported(CameraError):
    """The body (or driver) cannot do this, e.g. live view on a camera without it."""


class CameraBusy(CameraError):
    """The camera is busy; retried with backoff before this is raised."""


class CameraGone(CameraError):
    """Unplugged, I/O failure or timeout: the driver reconnects if it can."""


class CameraClaimed(CameraError):
    """Another program holds the USB device."""


class PermissionDenied(CameraError):
    """No access to the USB device: install the udev rules."""


class StorageFull(CameraError):
    """The camera's card (or the local disk) is full."""
