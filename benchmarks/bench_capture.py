"""Trigger-to-file-on-disk: the driver vs a bare python-gphoto2 loop, on libgphoto2's virtual camera.

Both run in this one process against the same virtual camera and the same JPEG:

- bare: ``trigger_capture`` -> ``wait_for_event`` until ``FILE_ADDED`` (busy loop, no sleep) ->
  ``file_get`` -> ``open().write()``; the clock stops when ``write`` returns.
- bare+fsync: the same, plus flush, fsync, link into place, fsync of the folder: the durability
  the driver gives every photo, so the driver's own overhead can be told apart from fsync's.
- driver: ``GphotoCamera.capture()`` from another thread; the clock stops at the ``FileAdded``
  event (file written, fsynced, renamed).

The virtual camera holds 26 shots per connection, so shots run in batches of ``--batch`` with a
fresh connection per batch (outside the timed part); bare and driver batches alternate.
Then the live-view hand-off: ``LatestFrameSlot.put`` -> a waiting reader's ``wait_newer`` wakes.

Run: .venv/bin/python benchmarks/bench_capture.py [--shots 100] [--batch 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_camera_folder(folder: Path, width: int) -> int:
    import cv2
    from skimage import data

    image = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    image = cv2.resize(image, (width, width * 2 // 3))
    path = folder / "shot.jpg"
    cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 95])
    return path.stat().st_size


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bare_batch(gp, out: Path, shots: int, durable: bool, counter: list[int]) -> list[float]:
    from drivers.download import fsync_dir

    cam = gp.Camera()
    cam.init()
    times = []
    for _ in range(shots):
        t0 = time.monotonic()
        cam.trigger_capture()
        while True:
            kind, data = cam.wait_for_event(10)
            if kind == gp.GP_EVENT_FILE_ADDED:
                break
        camera_file = cam.file_get(data.folder, data.name, gp.GP_FILE_TYPE_NORMAL)
        payload = memoryview(camera_file.get_data_and_size())
        counter[0] += 1
        final = out / f"{counter[0]:05d}_{data.name}"
        if durable:
            tmp = final.with_name(final.name + ".part")
            with open(tmp, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.link(tmp, final)
            tmp.unlink()
            fsync_dir(out)
        else:
            with open(final, "wb") as fh:
                fh.write(payload)
        times.append(time.monotonic() - t0)
        while cam.wait_for_event(10)[0] != gp.GP_EVENT_CAPTURE_COMPLETE:  # untimed: next shot clean
            pass
    cam.exit()
    return times


def driver_batch(out: Path, shots: int) -> list[float]:
    from drivers.base import FileAdded
    from drivers.download import FolderSink
    from drivers.gphoto import GphotoCamera, GphotoOptions

    cam = GphotoCamera(FolderSink(out), GphotoOptions(pair_settle_s=0.0, presence_poll_s=0))
    arrived: list[float] = []
    cam.add_listener(lambda e: arrived.append(e.timestamp) if isinstance(e, FileAdded) else None)
    cam.open()
    times = []
    for _ in range(shots):
        t0 = time.monotonic()
        n = len(arrived)
        cam.capture().result(30)
        times.append(arrived[n] - t0)
    cam.close()
    return times


def handoff(frames: int, size: int) -> tuple[list[float], list[float]]:
    """Slot put -> reader wake latency, and the bytes() copy a driver makes of a frame."""
    from drivers.base import LatestFrameSlot

    slot = LatestFrameSlot()
    payload = b"\xff\xd8" + os.urandom(size)
    latencies: list[float] = []
    done = threading.Event()

    def reader() -> None:
        seq = 0
        while not done.is_set():
            frame = slot.wait_newer(seq, timeout=0.5)
            if frame is None:
                continue
            latencies.append(time.monotonic() - frame.timestamp)
            seq = frame.seq

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    time.sleep(0.05)
    for _ in range(frames):
        slot.put_jpeg(payload, timestamp=time.monotonic(), size=(1024, 680))
        time.sleep(0.002)  # ~500 fps: each put finds the reader waiting
    done.set()
    slot.close()
    thread.join()
    copies = []
    view = memoryview(payload)
    for _ in range(frames):
        t0 = time.perf_counter()
        bytes(view)
        copies.append(time.perf_counter() - t0)
    return latencies, copies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=100, help="shots per method (default 100)")
    parser.add_argument("--batch", type=int, default=20, help="shots per connection (max 25)")
    parser.add_argument("--width", type=int, default=3000, help="test JPEG width (default 3000)")
    parser.add_argument("--frames", type=int, default=2000, help="live-view hand-offs to time")
    args = parser.parse_args()
    batch = max(1, min(args.batch, 25))

    work = Path(tempfile.mkdtemp(prefix="bench-capture-"))
    camera_dir = work / "vcamera"
    camera_dir.mkdir()
    jpeg_bytes = make_camera_folder(camera_dir, args.width)
    os.environ["VCAMERADIR"] = str(camera_dir)  # before gphoto2 is imported
    os.environ["XDG_CONFIG_HOME"] = str(work / "xdg")
    import gphoto2 as gp

    results: dict[str, list[float]] = {"bare": [], "bare+fsync": [], "driver": []}
    counter = [0]
    while len(results["driver"]) < args.shots:
        n = min(batch, args.shots - len(results["driver"]))
        results["bare"] += bare_batch(gp, _mk(work / "bare"), n, False, counter)
        results["bare+fsync"] += bare_batch(gp, _mk(work / "bare-fsync"), n, True, counter)
        results["driver"] += driver_batch(_mk(work / "driver"), n)

    print(f"virtual camera (libgphoto2 {gp.gp_library_version(gp.GP_VERSION_SHORT)[0]}), "
          f"{jpeg_bytes / 1e6:.2f} MB JPEG, {args.shots} shots per method, batches of {batch}")
    print(f"{'trigger -> file on disk':<26}{'median ms':>10}{'p95 ms':>10}{'mean ms':>10}")
    for name, values in results.items():
        ms = [v * 1000 for v in values]
        print(f"{name:<26}{statistics.median(ms):>10.2f}{pct(ms, 0.95):>10.2f}{statistics.fmean(ms):>10.2f}")
    bare = statistics.median(results["bare"])
    durable = statistics.median(results["bare+fsync"])
    driver = statistics.median(results["driver"])
    print(f"overhead ratio driver / bare:        {driver / bare:.2f}x "
          f"(median; +{(driver - bare) * 1000:.2f} ms)")
    print(f"overhead ratio driver / bare+fsync:  {driver / durable:.2f}x "
          f"(median; +{(driver - durable) * 1000:.2f} ms = thread hand-off, naming, events)")

    latencies, copies = handoff(args.frames, 120_000)
    lat = [v * 1e6 for v in latencies]
    cp = [v * 1e6 for v in copies]
    print(f"live-view hand-off, {len(lat)} frames of 120 KB: put -> wait_newer wake "
          f"median {statistics.median(lat):.0f} us, p95 {pct(lat, 0.95):.0f} us; "
          f"bytes() copy median {statistics.median(cp):.0f} us, p95 {pct(cp, 0.95):.0f} us")
    return 0


def _mk(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


if __name__ == "__main__":
    sys.exit(main())
