"""What a :class:`~drivers.gphoto.GphotoCamera` is told at construction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

HOTPLUG_MODES = ("auto", "udev", "poll", "off")


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
    presence_poll_s: float = 2.0  # idle presence scan (0.3 ms); 0 = rely on hotplug
    hotplug: str = "auto"  # USB change monitor while open: "auto" (udev, else poll), "udev", "poll", "off"
    hotplug_poll_s: float = 1.0  # the monitor's scan period in poll mode
    idle_poll_s: float = 0.05  # event poll period when nothing is pending
    busy_poll_s: float = 0.01  # event poll period while a capture is pending
    download_retry_s: float = 2.0
    download_attempts: int = 5
    # Opened with no camera attached: wait (state WAITING) and connect when one appears,
    # instead of failing open() (``studio run`` waits; one-shot commands fail at once).
    wait_for_camera: bool = False
    # The watchdog: a camera that stops answering without leaving USB is probed (a cheap
    # PTP request) when a capture has had no file for ``stall_s``, and every ``probe_s`` while
    # no live-view frame proves it alive; a probe that fails or takes ``probe_limit_s`` means
    # "not answering": reconnect. 2 s + 1 s + reconnect stays within 5 s of the silence.
    stall_s: float = 2.0
    probe_s: float = 2.0
    probe_limit_s: float = 1.0
    # What makes a ``gp.Camera`` (tests and benchmarks/fault_run.py wrap it to inject faults).
    camera_factory: Callable[[], Any] | None = None

    def __post_init__(self) -> None:
        if self.hotplug not in HOTPLUG_MODES:
            raise ValueError(f"hotplug must be one of {', '.join(HOTPLUG_MODES)}, not {self.hotplug!r}")
