"""Keep MediaPipe's C++ start-up chatter off the photographer's terminal.

MediaPipe (TensorFlow Lite, absl) writes lines like ``W0000 … inference_feedback_manager.cc``
straight to file descriptor 2 before any log level can be set from Python. :func:`filter_native_logs`
puts a pipe behind fd 2 and a thread that drops those known lines and passes everything else on;
Python's own ``sys.stderr`` keeps writing to the real terminal directly, so no message of ours
can be lost or reordered by the filter.
"""

from __future__ import annotations

import atexit
import os
import re
import sys
import threading

# absl/glog prefix (I/W/E + date or 0000 + time), TFLite's delegate banner, absl's preamble.
_NOISE = re.compile(rb"^(?:[IW]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+\.cc:\d+\]|INFO: Created TensorFlow Lite"
                    rb"|WARNING: All log messages before absl::InitializeLog"
                    # libjpeg/libpng inside OpenCV on a damaged file: studio's ImageError says it
                    rb"|Corrupt JPEG data: |Premature end of JPEG file|Invalid SOS parameters"
                    rb"|libpng (?:warning|error): )")


_installed = threading.Event()  # once per process


def filter_native_logs() -> None:
    """Install the filter once per process (no-op if fd 2 is not usable)."""
    if _installed.is_set():
        return
    try:
        real = os.dup(2)
        read_end, write_end = os.pipe()
        os.dup2(write_end, 2)
        os.close(write_end)
    except OSError:
        return
    sys.stderr.flush()
    sys.stderr = open(os.dup(real), "w", buffering=1, encoding="utf-8", errors="replace")  # noqa: SIM115

    def pump() -> None:
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            buf = b""
            while chunk := pipe.read(65536):
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    if not _NOISE.match(line):
                        os.write(real, line + b"\n")
            if buf and not _NOISE.match(buf):
                os.write(real, buf)

    thread = threading.Thread(target=pump, name="native-stderr", daemon=True)
    thread.start()

    def close() -> None:  # let the pump pass on what native code wrote last
        try:
            os.dup2(real, 2)
        except OSError:
            return
        thread.join(0.5)

    atexit.register(close)
    _installed.set()
