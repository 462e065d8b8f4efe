"""Faults at scale on libgphoto2's virtual camera: nothing the camera took is lost or doubled.

    .venv/bin/python benchmarks/fault_run.py [--captures 1000] [--unplugs 5] [--stalls 2]
        [--download-errors 40] [--busy 60] [--seed 13] [--out FILE.json]

A real driver (``GphotoCamera``, the real ``ptp2`` stack of the virtual camera) downloads into a
real :class:`~studio.session.Session`. Faults come from :mod:`drivers.gphoto.faults`, spread
over the run by a seeded random schedule: busy replies (``-110``, 1–3 in a row) on the
capture and download path, failed downloads (``-1``; the file stays on the camera and is
retried), unplugs (the virtual camera leaves the bus for 1–3 s; its connection dies) and
silent stalls (the body stays on USB but answers nothing until a new connection).

The virtual camera's store holds 26 pictures per connection, so every 25 pictures taken on one
connection the script closes and reopens the camera, like a card swap.

Checked at the end: every picture the camera really took (``Faults.taken``) is in the session
folder exactly once and byte-identical to what the camera sent; the session counter runs
1..N with no gap or duplicate; no ``.part`` left. Measured: the time from the camera's return
(replug) to CONNECTED, and from a stall to CONNECTED. Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PER_CONNECTION = 25  # the virtual camera's store holds 26 pictures per connection


def _camera_folder(folder: Path) -> Path:
    """A folder with one JPEG for the virtual camera to 'shoot' (a made-up test card)."""
    import cv2
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    y, x = np.mgrid[0:480, 0:640]
    image = np.dstack([(x * 255 // 640), (y * 255 // 480), ((x + y) * 255 // 1120)]).astype(np.uint8)
    cv2.putText(image, "studio fault run", (60, 250), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (255, 255, 255), 3)
    cv2.imwrite(str(folder / "card.jpg"), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return folder


def _schedule(captures: int, counts: dict[str, int], rng: random.Random) -> dict[int, str]:
    """Which capture index each fault comes before (distinct indexes, none in the first 5)."""
    total = sum(counts.values())
    if total > captures - 5:
        raise SystemExit(f"{total} faults do not fit in {captures} captures")
    slots = rng.sample(range(5, captures), total)
    plan, i = {}, 0
    for kind, n in counts.items():
        for slot in slots[i:i + n]:
            plan[slot] = kind
        i += n
    return plan


class _Watch:
    """Camera events with their times (the driver's listener)."""

    def __init__(self) -> None:
        import threading

        self.cond = threading.Condition()
        self.states: list[tuple[str, float, str]] = []
        self.warnings = 0

    def __call__(self, event: object) -> None:
        from drivers.base import DriverWarning, StateChanged

        with self.cond:
            if isinstance(event, StateChanged):
                self.states.append((event.state.value, event.timestamp, event.reason))
            elif isinstance(event, DriverWarning):
                self.warnings += 1
            self.cond.notify_all()

    def connected_after(self, t: float, timeout: float = 30.0) -> float | None:
        """Seconds from ``t`` to the first CONNECTED after it (None if none within timeout)."""
        with self.cond:
            self.cond.wait_for(lambda: any(s == "connected" and at > t for s, at, _ in self.states),
                               timeout)
            at = next((at for s, at, _ in self.states if s == "connected" and at > t), None)
        return None if at is None else at - t


def fault_run(captures: int, unplugs: int, stalls: int, download_errors: int, busy: int,
              seed: int, scratch: Path) -> dict:
    from drivers.base import CameraError
    from drivers.gphoto import GphotoCamera, GphotoOptions
    from drivers.gphoto.faults import Faults
    from studio.session import Session

    rng = random.Random(seed)
    plan = _schedule(captures, {"unplug": unplugs, "stall": stalls, "download": download_errors,
                                "busy": busy}, rng)
    source = next(Path(os.environ["VCAMERADIR"]).glob("*.jpg")).read_bytes()
    session = Session.open(scratch / "sessions", "faults", subject="fault")
    faults = Faults(hang_s=1.0)
    watch = _Watch()
    options = GphotoOptions(pair_settle_s=0.0, camera_factory=faults.camera)
    camera = GphotoCamera(session, options)
    camera.add_listener(watch)
    started = time.monotonic()
    camera.open()
    outcomes: dict[str, int] = {}
    replug_to_connected: list[float] = []
    stall_to_connected: list[float] = []
    taken_since_swap = 0
    swaps = 0
    for i in range(captures):
        kind = plan.get(i)
        if kind == "busy":
            faults.busy(rng.randint(1, 3))
        elif kind == "download":
            faults.fail_downloads(1)
        elif kind == "stall":
            faults.stall()
            t_stall = time.monotonic()
        elif kind == "unplug":
            faults.unplug()
        before = faults.taken
        try:
            camera.capture().result(60)
            outcome = "saved"
        except CameraError as exc:
            outcome = type(exc).__name__
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if os.environ.get("FAULT_RUN_TRACE"):
            print(i, kind, outcome, faults.cameras, taken_since_swap, faults.taken, file=sys.stderr)
        if kind == "unplug":
            time.sleep(rng.uniform(1.0, 3.0))
            t_back = time.monotonic()
            faults.replug()
            took = watch.connected_after(t_back)
            replug_to_connected.append(took if took is not None else float("inf"))
        elif kind == "stall":
            took = watch.connected_after(t_stall)
            stall_to_connected.append(took if took is not None else float("inf"))
        # The virtual camera's store is not emptied by a reconnect after an unplug, only by a
        # new session of the driver: count since the last swap.
        taken_since_swap += faults.taken - before
        if taken_since_swap >= PER_CONNECTION:  # a card swap before the store fills
            camera.close()
            camera.open()
            swaps += 1
            taken_since_swap = 0
    # Downloads still being retried arrive within the retry schedule.
    deadline = time.monotonic() + 15.0
    photos = _photos(session.folder)
    while len(photos) < faults.taken and time.monotonic() < deadline:
        time.sleep(0.2)
        photos = _photos(session.folder)
    camera.close()
    elapsed = time.monotonic() - started
    return _verdict(session.folder, photos, source, faults, outcomes, replug_to_connected,
                    stall_to_connected, swaps, elapsed, captures, watch)


_NAME = re.compile(r"^fault-(\d{4,})\.jpg$")


def _photos(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() == ".jpg")


def _verdict(folder: Path, photos: list[Path], source: bytes, faults, outcomes: dict[str, int],
             replug: list[float], stall: list[float], swaps: int, elapsed: float, captures: int,
             watch: _Watch) -> dict:
    digest = hashlib.sha256(source).hexdigest()
    numbers = sorted(int(m.group(1)) for p in photos if (m := _NAME.match(p.name)))
    identical = sum(hashlib.sha256(p.read_bytes()).hexdigest() == digest for p in photos)
    parts = [p.name for p in folder.iterdir() if p.name.endswith(".part")]
    checks = {
        "every_picture_on_disk_once": len(photos) == faults.taken,
        "byte_identical": identical == len(photos),
        "counter_no_gap_no_duplicate": numbers == list(range(1, len(photos) + 1)),
        "names_all_from_the_template": len(numbers) == len(photos),
        "no_part_files": not parts,
        "reconnect_after_replug_le_2s": all(t <= 2.0 for t in replug),
        "reconnect_after_stall_le_5s": all(t <= 5.0 for t in stall),
    }
    return {
        "captures_requested": captures, "pictures_taken": faults.taken, "files_on_disk": len(photos),
        "byte_identical": identical, "outcomes": outcomes,
        "injected": {"busy_replies": faults.busy_replies, "download_failures": faults.download_failures,
                     "unplugs": faults.unplugs, "stalls": faults.stalls},
        "connections": faults.cameras, "card_swaps": swaps, "driver_warnings": watch.warnings,
        "replug_to_connected_s": [round(t, 2) for t in replug],
        "stall_to_connected_s": [round(t, 2) for t in stall],
        "seconds": round(elapsed, 1), "checks": checks, "ok": all(checks.values()),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--captures", type=int, default=1000)
    ap.add_argument("--unplugs", type=int, default=5)
    ap.add_argument("--stalls", type=int, default=2)
    ap.add_argument("--download-errors", type=int, default=40)
    ap.add_argument("--busy", type=int, default=60)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="studio-faults-") as tmp:
        scratch = Path(tmp)
        if "VCAMERADIR" not in os.environ:  # libgphoto2 reads it at import: start again with it
            env = dict(os.environ, VCAMERADIR=str(_camera_folder(scratch / "vcamera")),
                       XDG_CONFIG_HOME=str(scratch / "xdg"), PYTHONPATH=str(ROOT))
            argv_out = [sys.executable, str(Path(__file__).resolve()), *(argv or sys.argv[1:])]
            import subprocess

            return subprocess.run(argv_out, env=env).returncode
        sys.path.insert(0, str(ROOT))
        figures = fault_run(args.captures, args.unplugs, args.stalls, args.download_errors,
                            args.busy, args.seed, scratch)
    print(json.dumps(figures, indent=1))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=1) + "\n")
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
