"""Lazy access to the ``gphoto2`` module and the bundled ``libgphoto2`` shared library."""

from __future__ import annotations

import ctypes
import functools
from pathlib import Path
from types import ModuleType


def gp() -> ModuleType:
    """The ``gphoto2`` module, imported on first use (after the caller set its environment)."""
    import gphoto2

    return gphoto2


@functools.cache
def libgphoto2() -> ctypes.CDLL:
    """The libgphoto2 that python-gphoto2 itself loaded (the wheel's copy when it has one)."""
    package = Path(str(gp().__file__)).parent
    bundled = package / "libgphoto2" / "libgphoto2.so.6"
    lib = ctypes.CDLL(str(bundled) if bundled.exists() else "libgphoto2.so.6")
    lib.gp_widget_get_value.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    lib.gp_widget_get_value.restype = ctypes.c_int
    return lib


def library_version() -> str:
    """libgphoto2's version string, e.g. ``2.5.34``."""
    return str(gp().gp_library_version(gp().GP_VERSION_SHORT)[0])


def python_gphoto2_version() -> str:
    return str(gp().__version__)
