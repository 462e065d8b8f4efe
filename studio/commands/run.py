"""``studio run``: the assistant on a camera or a recorded live view, in a window or headless."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from studio.app import DEFAULT_PRESET, StudioApp, open_camera


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run", help="check every live-view frame (window, or headless without a display)",
        description="Run the assistant. Without --source it plays the bundled sample recording. "
                    "With no display it runs headless and prints one JSON line per analysed "
                    "frame (as --headless --json), then a summary on stderr.")
    p.add_argument("--source", metavar="PATH|camera|usb:B,D|LIVE+camera",
                   help="a recording (.slv), a video file, a folder of JPEGs, 'camera' for the "
                        "USB camera, or LIVE+camera (live view from LIVE, captures on the camera); "
                        "default: the bundled sample recording")
    p.add_argument("--headless", action="store_true", help="no window: print state changes")
    p.add_argument("--json", action="store_true", help="headless: one JSON line per analysed frame")
    p.add_argument("--preset", default=DEFAULT_PRESET,
                   help=f"check preset or a TOML file (default {DEFAULT_PRESET})")
    p.add_argument("--fast", action="store_true", help="replay as fast as possible, not at the recorded pace")
    p.add_argument("--loop", action="store_true", help="replay the recording over and over")
    p.add_argument("--hold", type=float, default=0.4, metavar="S",
                   help="seconds every required check must pass before READY (default 0.4)")
    p.add_argument("--frames", type=int, metavar="N", help="stop after N analysed frames")
    p.add_argument("--seconds", type=float, metavar="S", help="stop after S seconds")
    p.add_argument("--captures", type=Path, default=Path("captures"), metavar="DIR",
                   help="where captures are saved (default ./captures)")
    p.set_defaults(func=run)


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM", "").startswith("offscreen"):
        return False
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run(args: argparse.Namespace) -> int:
    from drivers.download import FolderSink
    from studio.cli import UserError
    from studio.vision.presets import load_preset

    try:
        load_preset(args.preset)
    except (KeyError, ValueError, OSError) as exc:
        raise UserError(f"preset {args.preset!r}: {exc}") from None
    if args.source and not _is_camera_spec(args.source) and not Path(args.source).exists():
        raise UserError(f"no such file or folder: {args.source}")

    headless = args.headless or args.json or not has_display()
    json_lines = args.json or (not args.headless and not has_display())
    camera = open_camera(args.source, sink=FolderSink(args.captures),
                         pace="fast" if args.fast else "recorded", loop=args.loop)
    app = StudioApp(camera, preset=args.preset, hold_s=args.hold,
                    source_name=args.source or "sample")
    if not headless:
        from studio.ui import run_window

        return run_window(app, args)

    from studio.headless import HeadlessRunner

    runner = HeadlessRunner(app, json_lines=json_lines, max_frames=args.frames)
    summary = runner.run(timeout=args.seconds)
    print(summary.text(), file=sys.stderr)
    if json_lines:
        print(json.dumps({"summary": summary.to_json()}), file=sys.stderr)
    return 0


def _is_camera_spec(spec: str) -> bool:
    return spec in ("camera", "usb", "gphoto") or spec.startswith("usb:") or "+" in spec
