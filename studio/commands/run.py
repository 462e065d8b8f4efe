"""``studio run``: the assistant on a camera or a recorded live view, in a window or headless."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from drivers.base import SourceError
from drivers.video.target import SPEC_PREFIXES as VIDEO_PREFIXES
from drivers.video.target import check_target, is_video_spec, parse_video_spec
from studio import argtypes
from studio.app import CAMERA_SPECS, DEFAULT_PRESET, StudioApp, open_camera


def register(sub: argparse._SubParsersAction) -> None:
    from studio.people import cli as people_cli
    from studio.session import setup as session_setup
    from studio.triggers import setup as trigger_setup

    p = sub.add_parser(
        "run", help="check every live-view frame (window, or headless without a display)",
        description="Run the assistant. Without --source it plays the bundled sample recording. "
                    "With no display it runs headless and prints one JSON line per analysed "
                    "frame (as --headless --json), then a summary on stderr. Captures go to a "
                    "session folder (default: today's 'untitled' session under ./sessions).")
    p.add_argument("--source", metavar="PATH|camera|usb:B,D|v4l2:DEV|capture:N|LIVE+camera",
                   help="a recording (.slv), a video file, a folder of JPEGs, 'camera' for the "
                        "USB camera, v4l2:/dev/videoN or capture:N for a capture card or webcam, "
                        "or LIVE+camera (live view from LIVE, captures on the camera); "
                        "default: the bundled sample recording")
    p.add_argument("--video-size", type=argtypes.video_size, metavar="WxH",
                   help="with a v4l2:/capture: source: the size to ask for (e.g. 1920x1080)")
    p.add_argument("--video-fps", type=argtypes.bounded(1, 240), metavar="FPS",
                   help="with a v4l2:/capture: source: the frame rate to ask for (e.g. 60)")
    p.add_argument("--video-format", type=argtypes.fourcc, metavar="FOURCC",
                   help="with a v4l2:/capture: source: the pixel format to ask for (e.g. MJPG, "
                        "which many USB capture cards need for 1080p60)")
    p.add_argument("--video-keep-bars", action="store_true",
                   help="with a v4l2:/capture: source: analyse the whole frame, black side or top "
                        "bars included (by default a camera's pillarboxed picture is cut out)")
    p.add_argument("--headless", action="store_true", help="no window: print state changes")
    p.add_argument("--json", action="store_true", help="headless: one JSON line per analysed frame")
    p.add_argument("--preset", default=DEFAULT_PRESET,
                   help=f"check preset or a TOML file (default {DEFAULT_PRESET})")
    p.add_argument("--fast", action="store_true", help="replay as fast as possible, not at the recorded pace")
    p.add_argument("--loop", action="store_true", help="replay the recording over and over")
    p.add_argument("--hold", type=argtypes.seconds(60, zero=True), default=0.4, metavar="S",
                   help="seconds every required check must pass before READY (default 0.4)")
    p.add_argument("--frames", type=argtypes.positive_int, metavar="N", help="stop after N analysed frames")
    p.add_argument("--seconds", type=argtypes.positive_float, metavar="S", help="stop after S seconds")
    p.add_argument("--client-screen", metavar="NAME|INDEX",
                   help="window: a second, client-facing window full screen on this screen (a Qt "
                        "screen name or an index; V cycles latest / favourites / blank)")
    p.add_argument("--client-live", action="store_true",
                   help="the client screen shows live view between shots (Shift+V toggles it)")
    p.add_argument("--review-s", type=argtypes.seconds(600, zero=True), default=None, metavar="S",
                   help="window: show each new shot large for S seconds (0 = until a key; default 4)")
    audio = p.add_argument_group("sound")
    audio.add_argument("--mute", action="store_true", help="no cues (window)")
    audio.add_argument("--audio", action="store_true", help="play the cues in headless mode too")
    audio.add_argument("--volume", type=argtypes.bounded(0, 1), default=0.7, metavar="V",
                       help="cue volume 0..1 (default 0.7)")
    audio.add_argument("--speak", action="store_true",
                       help="spoken hints (needs espeak-ng or espeak on the system; tones otherwise)")
    session_setup.add_arguments(p)
    people_cli.add_arguments(p)
    trigger_setup.add_arguments(p)
    from studio.consistency import add_arguments as add_consistency

    add_consistency(p, require=False)
    p.set_defaults(func=run)


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM", "").startswith("offscreen"):
        return False
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run(args: argparse.Namespace) -> int:
    from studio.cli import UserError

    headless = args.headless or args.json or not has_display()
    json_lines = args.json or (not args.headless and not has_display())
    if headless and getattr(args, "client_screen", None) is not None:
        raise UserError("--client-screen needs the window: a display, and no --headless or --json")
    if not headless and getattr(args, "client_screen", None) is not None:
        from studio.ui.client_screens import ClientScreenError, check_client_screen

        try:  # before the session folder and the camera: a wrong screen leaves nothing behind
            check_client_screen(args.client_screen)
        except ClientScreenError as exc:
            raise UserError(str(exc)) from None
    app = build_app(args, with_cues=not args.mute and (args.audio or not headless))
    if not headless:
        from studio.ui import run_window
        from studio.ui.client_screens import ClientScreenError

        try:
            return run_window(app, args)
        except ClientScreenError as exc:
            raise UserError(str(exc)) from None
        finally:
            if app.cues is not None:
                app.cues.close()

    from studio.headless import HeadlessRunner

    runner = HeadlessRunner(app, json_lines=json_lines, max_frames=args.frames)
    try:
        summary = runner.run(timeout=args.seconds)
    finally:
        if app.cues is not None:
            app.cues.close()
    if runner.closed_output:
        return 0
    if app.session is not None and app.capture.shots_fired:
        print(f"captures: {app.capture.shots_fired} in {app.session.folder}", file=sys.stderr)
    print(summary.text(), file=sys.stderr)
    if json_lines:
        print(json.dumps({"summary": summary.to_json()}), file=sys.stderr)
    if summary.analysed == 0 and app.waiting_for_camera:
        print("no camera was plugged in", file=sys.stderr)
        return 0
    if summary.analysed == 0 and app.has_live_view:
        raise UserError("no frame could be analysed: is the source a live-view recording, a "
                        "video or a folder of JPEGs?")
    return 0


def build_app(args: argparse.Namespace, *, with_cues: bool) -> StudioApp:
    """Everything ``studio run`` asks for, checked before anything starts (one-line errors)."""
    from studio.cli import UserError
    from studio.people import cli as people_cli
    from studio.session import setup as session_setup
    from studio.triggers import setup as trigger_setup
    from studio.vision.presets import load_preset

    try:
        preset = load_preset(args.preset)
    except (KeyError, ValueError, OSError) as exc:
        raise UserError(exc.args[0] if exc.args else str(exc)) from None
    from studio.consistency import from_args as consistency_from_args
    from studio.vision.reference import ReferenceError

    try:  # measured before the session opens: a still without a face leaves no folder behind
        _, reference = consistency_from_args(args, preset)
    except ReferenceError as exc:
        raise UserError(str(exc)) from None
    if args.source and not _is_camera_spec(args.source) and not Path(args.source).exists():
        raise UserError(f"no such file or folder: {args.source}")
    live_spec = (args.source or "").partition("+")[0]
    if is_video_spec(live_spec):  # before the session is opened: no folder for a missing device
        try:
            check_target(parse_video_spec(live_spec))
        except SourceError as exc:
            raise UserError(str(exc)) from None
    elif any(getattr(args, k, None) for k in ("video_size", "video_fps", "video_format", "video_keep_bars")):
        raise UserError("--video-size, --video-fps, --video-format and --video-keep-bars apply to a "
                        "v4l2:/dev/videoN or capture:N source")
    if not 0.0 <= args.volume <= 1.0:
        raise UserError("--volume takes a number from 0 to 1")
    for flag, value in (("--frames", args.frames), ("--seconds", args.seconds)):
        if value is not None and not value > 0:  # written so that NaN is refused too
            raise UserError(f"{flag} must be positive, not {value:g}")
    if not 0 <= args.hold < float("inf"):
        raise UserError(f"--hold must be 0 or more seconds, not {args.hold:g}")
    try:
        triggers = trigger_setup.options_from_args(args)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if getattr(args, "roster", None) is not None:
        from studio.people.roster import load_roster

        try:  # before the session is opened: a bad roster leaves no session folder behind
            load_roster(args.roster)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    if not args.session:
        args.session = "untitled"
    try:
        session = session_setup.open_from_args(args, preset=args.preset)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    assert session is not None  # --session was set just above
    try:
        people = people_cli.desk_from_args(args, session)
    except (ValueError, OSError) as exc:
        raise UserError(str(exc)) from None
    camera = open_camera(args.source, sink=session, pace="fast" if args.fast else "recorded",
                         loop=args.loop, delete_after_download=session.options.delete_on_camera,
                         wait_for_camera=True, video_size=getattr(args, "video_size", None),
                         video_fps=getattr(args, "video_fps", None),
                         video_format=getattr(args, "video_format", None),
                         video_keep_bars=getattr(args, "video_keep_bars", False))
    cues = None
    if with_cues:
        from studio.audio import CuePlayer

        cues = CuePlayer(volume=args.volume, enabled=True)
    return StudioApp(camera, preset=args.preset, hold_s=args.hold,
                     source_name=args.source or "sample", session=session, cues=cues,
                     trigger_options=triggers, people=people,
                     read_codes=not getattr(args, "no_codes", False), reference=reference)


def _is_camera_spec(spec: str) -> bool:
    return spec in CAMERA_SPECS or spec.startswith(("usb:", *VIDEO_PREFIXES)) or "+" in spec
