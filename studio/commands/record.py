"""``studio record``: save a live-view stream to a recording (``.slv``), byte for byte.

Two ways in:

- ``--source PATH`` converts a video, a folder of JPEGs or another recording: every frame with
  its source timestamp, as fast as it can be read (a recording's stills are copied too);
  with ``--realtime`` it plays PATH through the replay camera and records what the camera
  delivers, exactly as it does for a USB camera;
- ``--camera`` records the USB camera's live view through the Camera interface, with arrival
  times; photos taken meanwhile (JPEG) are added as still records.

Stops at the end of the source, after ``--seconds`` / ``--frames``, or on Ctrl-C; the file is
complete and replayable in every case. See docs/recording.md.
"""

from __future__ import annotations

import argparse
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from drivers.base import Camera, CameraState, FileAdded, LiveFrame, jpeg_size
from drivers.download import LazyFolderSink
from drivers.recording import FRAME, SUFFIX, RecordingWriter, recording_metadata
from drivers.replay import open_frame_source, open_source
from drivers.video.pixels import frame_jpeg
from studio.argtypes import bounded, positive_float, positive_int

log = logging.getLogger(__name__)

FIRST_FRAME_TIMEOUT_S = 15.0
STILL_SUFFIXES = (".jpg", ".jpeg")
MAX_FPS = 1000.0  # no live view or video is faster; a higher --fps is a typo


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "record", help="record live view (or convert a video / JPEG folder) to a .slv recording",
        description="Write a live-view stream to a recording, JPEGs byte for byte. "
                    "With --source, convert a video, a folder of JPEGs or a recording; with "
                    "--camera, record the USB camera's live view. Ctrl-C ends a recording cleanly.")
    origin = p.add_mutually_exclusive_group(required=True)
    origin.add_argument("--source", metavar="PATH",
                        help="a video file, a folder of JPEGs or a .slv recording to convert")
    origin.add_argument("--camera", action="store_true", help="record the USB camera's live view")
    p.add_argument("out", type=Path, metavar="OUT.slv", help="the recording to write")
    p.add_argument("--seconds", type=positive_float, metavar="S", help="stop after S seconds of live view")
    p.add_argument("--frames", type=positive_int, metavar="N", help="stop after N frames")
    p.add_argument("--fps", type=bounded(0, MAX_FPS, lo_open=True), metavar="FPS",
                   help="frame rate of a JPEG folder (default 30) or override a video's own")
    p.add_argument("--realtime", action="store_true",
                   help="with --source: record through the replay camera at the recorded pace, "
                        "as a live camera would deliver it (frames may drop)")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    p.set_defaults(func=record)


def record(args: argparse.Namespace) -> int:
    from studio.cli import UserError

    _check_limits(args, UserError)
    out: Path = args.out
    if out.is_dir():
        raise UserError(f"{out} is a folder; give the recording's file name (e.g. {out / 'live.slv'})")
    if out.exists() and not out.is_file():  # --force must never replace /dev/null or a FIFO
        from drivers.safe_read import kind_of

        raise UserError(f"{out} is {kind_of(out.stat().st_mode)}, not a file a recording can replace")
    if out.exists() and not args.force:
        raise UserError(f"{out} already exists; pass --force to replace it")
    if not out.parent.is_dir():
        raise UserError(f"folder {out.parent} does not exist")
    if out.suffix.lower() != SUFFIX:
        log.warning("%s does not end in %s; writing a recording anyway", out, SUFFIX)
    # Replacing: write beside it and swap at the end, so the old file survives a failed run.
    target = out.with_name(f".{out.name}.part") if out.exists() else out
    if target != out:
        target.unlink(missing_ok=True)
    try:
        convert = args.source and not args.realtime
        result = _convert(args, target) if convert else _record_camera(args, target)
    except FileExistsError:
        raise UserError(f"{out} appeared while recording; nothing replaced") from None
    except OSError as exc:  # /proc/x.slv, a read-only folder, the disk filling up mid-recording
        if target != out:
            target.unlink(missing_ok=True)  # the file being replaced stays as it was
        kept = f"; {out} holds what was recorded until then" if target == out and out.is_file() else ""
        raise UserError(f"cannot write {out}: {exc.strerror or exc}{kept}") from None
    if target != out:
        os.replace(target, out)
    size = out.stat().st_size
    fps = (result["frames"] - 1) / result["duration"] if result["duration"] > 0 else 0.0
    width, height = result["size"]
    extra = f"; {result['dropped']} dropped" if "dropped" in result else ""
    stills = f" + {result['stills']} stills" if result["stills"] else ""
    stopped = " (interrupted)" if result.get("interrupted") else ""
    print(f"recorded {result['frames']} frames{stills}, {result['duration']:.2f} s at {fps:.1f} fps, "
          f"{width}x{height} -> {out} ({size / 1e6:.2f} MB){extra}{stopped}")
    return 0


def _check_limits(args: argparse.Namespace, error: type[Exception]) -> None:
    if args.seconds is not None and not args.seconds > 0:
        raise error(f"--seconds must be positive, not {args.seconds:g}")
    if args.frames is not None and args.frames <= 0:
        raise error(f"--frames must be positive, not {args.frames}")
    if args.fps is not None and not args.fps > 0:
        raise error(f"--fps must be positive, not {args.fps:g}")
    if args.realtime and not args.source:
        raise error("--realtime applies to --source only")


def _app_version() -> str:
    from studio import __version__

    return __version__


def _convert(args: argparse.Namespace, target: Path) -> dict[str, Any]:
    """Every frame of a file source with its own timestamp, as fast as it can be read."""
    source = open_frame_source(args.source, fps=args.fps)
    writer: RecordingWriter | None = None
    frames = stills = 0
    size = (0, 0)
    duration = 0.0
    interrupted = False
    try:
        for kind, timestamp, jpeg in source.records():
            if kind == FRAME:
                if args.frames is not None and frames >= args.frames:
                    break
                if args.seconds is not None and timestamp > args.seconds:
                    break
            if writer is None:
                size = jpeg_size(jpeg)
                meta = dict(source.metadata)
                meta.update(recording_metadata(
                    camera=source.model, frame_size=size, fps=source.nominal_fps,
                    source=f"converted from {source.description}", app_version=_app_version(),
                    **({"original_date": meta["date"]} if "date" in meta else {})))
                writer = RecordingWriter(target, meta)
            if kind == FRAME:
                writer.write_frame(jpeg, timestamp)
                frames += 1
                duration = timestamp
            else:
                writer.write_still(jpeg, timestamp)
                stills += 1
    except KeyboardInterrupt:
        interrupted = True
    finally:
        source.close()
        if writer is not None:
            writer.close(skipped=source.skipped, corrupt=source.corrupt)
    if writer is None:
        from studio.cli import UserError

        raise UserError(f"{args.source} gave no frames to record")
    return {"frames": frames, "stills": stills, "duration": duration, "size": size,
            "interrupted": interrupted}


def _open_live_camera(args: argparse.Namespace) -> Camera:
    sink = LazyFolderSink(Path("captures"))
    if args.camera:
        from studio.cli import UserError

        try:
            from studio.app import open_camera

            return open_camera("camera", sink=sink)
        except ImportError:
            raise UserError("no camera driver in this build; record from a file with --source PATH") \
                from None
    options: dict[str, Any] = {"sink": sink}
    if args.fps is not None:
        options["fps"] = args.fps
    return open_source(args.source, **options)


def _record_camera(args: argparse.Namespace, target: Path) -> dict[str, Any]:
    """What a camera delivers, with arrival times; stills taken meanwhile become S records."""
    from studio.cli import UserError

    camera = _open_live_camera(args)
    if camera.state is CameraState.CLOSED:
        camera.open()
    writer: RecordingWriter | None = None
    lock = threading.Lock()
    frames = stills = dropped = 0
    first: LiveFrame | None = None
    last: LiveFrame | None = None
    interrupted = False

    def on_event(event: object) -> None:  # on the camera's thread
        nonlocal stills
        if not isinstance(event, FileAdded) or event.path.suffix.lower() not in STILL_SUFFIXES:
            return
        try:
            data = event.path.read_bytes()
        except OSError as exc:
            log.warning("could not add %s to the recording: %s", event.path, exc)
            return
        with lock:
            if writer is not None and first is not None:
                writer.write_still(data, event.timestamp - first.timestamp)
                stills += 1

    remove = camera.add_listener(on_event)
    try:
        camera.start_live_view().result(timeout=FIRST_FRAME_TIMEOUT_S)
        first = camera.frames.wait_newer(0, FIRST_FRAME_TIMEOUT_S)
        if first is None:
            raise UserError(f"no live view from {camera.model} within {FIRST_FRAME_TIMEOUT_S:g} s")
        meta = recording_metadata(
            camera=camera.model, frame_size=first.size, fps=getattr(camera, "nominal_fps", 0.0),
            source=f"live view of {camera.model}" + (f" ({args.source})" if args.source else ""),
            app_version=_app_version())
        with lock:
            writer = RecordingWriter(target, meta)
        frame: LiveFrame | None = first
        try:
            while frame is not None:
                if last is not None and frame.seq > last.seq + 1:
                    dropped += frame.seq - last.seq - 1
                with lock:
                    writer.write_frame(frame_jpeg(frame), frame.timestamp - first.timestamp)
                frames += 1
                last = frame
                if args.frames is not None and frames >= args.frames:
                    break
                if args.seconds is not None and time.monotonic() - first.timestamp >= args.seconds:
                    break
                frame = _next_frame(camera, last.seq, args.seconds, first.timestamp)
        except KeyboardInterrupt:
            interrupted = True
    finally:
        remove()
        camera.close()
        with lock:
            if writer is not None:
                writer.close(dropped=dropped)
    return {"frames": frames, "stills": stills, "dropped": dropped, "size": first.size,
            "duration": last.timestamp - first.timestamp if last else 0.0, "interrupted": interrupted}


def _next_frame(camera: Camera, after_seq: int, seconds: float | None,
                started: float) -> LiveFrame | None:
    """The next frame, or None when the source has ended or the time is up."""
    while True:
        wait = 0.5 if seconds is None else max(0.0, min(0.5, started + seconds - time.monotonic()))
        frame = camera.frames.wait_newer(after_seq, wait)
        if frame is not None:
            return frame
        if camera.frames.closed and camera.frames.seq <= after_seq:
            return None
        if seconds is not None and time.monotonic() - started >= seconds:
            return None
