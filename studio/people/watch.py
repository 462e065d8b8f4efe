"""The desk's code thread: reads a QR code or barcode off live view a few times a second.

It takes the newest frame only (never a queue), decodes it (at half size when large), reads a
code with :class:`~studio.people.qr.CodeReader`, and hands a debounced code to the desk. It never
touches the camera and never waits on anything but the frame slot and its own stop flag.

A read costs tens to a few hundred milliseconds (OpenCV's QR detector on a 1024×680 frame:
benchmarks/bench_codes.py), so the thread rests at least ``(1 - MAX_DUTY) / MAX_DUTY`` times as
long as its last read took: it never takes more than ``MAX_DUTY`` of one core from the vision
loop, whatever the machine.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import cv2
import numpy as np

from drivers.base import LatestFrameSlot, jpeg_size
from studio.people.qr import CodeReader, Debouncer
from studio.vision.image_format import image_limits

log = logging.getLogger(__name__)

MAX_DUTY = 0.25  # at most a quarter of one core


def decode_frame(jpeg: bytes) -> np.ndarray | None:
    """A live-view JPEG as BGR (half size when it is large: a card fills a good part of it)."""
    data = np.frombuffer(jpeg, np.uint8)
    flags = cv2.IMREAD_REDUCED_COLOR_2 if len(jpeg) > 400_000 else cv2.IMREAD_COLOR
    width, height = jpeg_size(jpeg)
    if width * height > image_limits().max_pixels:  # a damaged frame claiming 4 GP: not decoded
        return None
    try:
        return cv2.imdecode(data, flags)
    except cv2.error:  # damage OpenCV refuses: no code on this frame, the thread goes on
        return None


class CodeWatcher:
    def __init__(self, frames: LatestFrameSlot, on_code: Callable[[str], object], *,
                 interval_s: float = 0.25) -> None:
        self.frames = frames
        self.on_code = on_code
        self.interval_s = interval_s
        self.reads = 0  # frames read (for tests and diagnostics)
        self.busy_s = 0.0  # time spent reading
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="people-codes", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 1.0) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        reader, debouncer = CodeReader(), Debouncer()
        seq = 0
        while not self._stop.is_set():
            found = self.frames.wait(seq, timeout=self.interval_s)
            if found is None:
                continue
            started = time.monotonic()
            seq, frame = found
            image = frame.pixels if frame.pixels is not None else decode_frame(frame.jpeg)
            code = reader.read(image) if image is not None else None
            self.reads += 1
            fired = debouncer.feed(code)
            if fired is not None:
                try:
                    self.on_code(fired)
                except Exception:  # a listener's fault must not end the watching
                    log.exception("code %r could not be applied", fired)
            took = time.monotonic() - started
            self.busy_s += took
            rest = max(self.interval_s - took, took * (1 - MAX_DUTY) / MAX_DUTY)
            self._stop.wait(rest)
