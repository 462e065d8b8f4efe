"""``studio cameras`` and ``studio camera settings | set NAME VALUE | summary``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from drivers.base import Setting, SettingKind
from drivers.download import LazyFolderSink

if TYPE_CHECKING:
    from drivers.gphoto import GphotoCamera


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("cameras", help="list the cameras libgphoto2 detects (model, port)",
                              description="List every camera libgphoto2 detects on USB, with its port.")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_cameras)

    p = subparsers.add_parser("camera", help="camera summary and settings (first camera or --port)",
                              description="Read or change the settings of the first camera (or the one "
                                          "at --port), or print its own summary.")
    p.add_argument("--port", help="camera port as listed by `studio cameras`, e.g. usb:001,005")
    p.add_argument("--target", choices=("card", "ram"), default="card",
                   help="capture target set on connect (default: card)")
    p.add_argument("--folder", type=Path, default=Path("captures"),
                   help="where a shot fired from the body meanwhile is saved (default: captures)")
    sub = p.add_subparsers(dest="camera_command", metavar="ACTION", required=True)
    s = sub.add_parser("settings", help="every setting with its value and allowed values",
                       description="Print every setting of the camera with its value and allowed values.")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.add_argument("names", nargs="*", help="only these settings")
    s.set_defaults(func=cmd_settings)
    s = sub.add_parser("set", help="set one setting, validated against the camera's allowed values",
                       description="Set one setting; the value is checked against the camera's list first.")
    s.add_argument("name", help="the setting's name, as `studio camera settings` lists it (e.g. iso)")
    s.add_argument("value", help="the new value, one of the allowed values (e.g. 400)")
    s.set_defaults(func=cmd_set)
    s = sub.add_parser("summary", help="the camera's own summary",
                       description="Print the camera's own summary text (model, firmware, storage).")
    s.set_defaults(func=cmd_summary)


def cmd_cameras(args: argparse.Namespace) -> int:
    from drivers.gphoto import list_cameras

    cameras = list_cameras()
    if args.json:
        print(json.dumps([{"model": c.model, "port": c.port} for c in cameras]))
        return 0 if cameras else 1
    if not cameras:
        print("no camera detected (is it on, in PTP mode, and free? `studio doctor` checks)")
        return 1
    width = max(len(c.model) for c in cameras)
    for camera in cameras:
        print(f"{camera.model:<{width}}  {camera.port}")
    return 0


def _open(args: argparse.Namespace) -> GphotoCamera:
    from drivers.gphoto import GphotoCamera, GphotoOptions

    # One request and out: no presence polling or hotplug monitor for a command this short.
    options = GphotoOptions(port=args.port, capture_target=args.target, presence_poll_s=0, hotplug="off")
    camera = GphotoCamera(LazyFolderSink(args.folder), options)
    camera.open()
    return camera


def format_setting(setting: Setting) -> str:
    value = "(none)" if setting.value is None else setting.value
    if value == "":
        value = '""'
    if setting.kind is SettingKind.TOGGLE and setting.value is not None:
        value = "on" if setting.value else "off"
    flags = " read-only" if setting.readonly else ""
    allowed = "" if setting.kind in (SettingKind.TEXT, SettingKind.DATE) else f"  [{setting.allowed()}]"
    control = f"  <- {setting.control.title}" if setting.control else ""  # the panel's name for it
    return f"{setting.name} = {value}  ({setting.kind.value}{flags}){allowed}{control}"


def cmd_settings(args: argparse.Namespace) -> int:
    camera = _open(args)
    try:
        settings = camera.settings().result(30)
    finally:
        camera.close()
    if args.names:
        unknown = [n for n in args.names if n not in settings]
        if unknown:
            from studio.cli import UserError

            raise UserError(f"{camera.model} has no setting {', '.join(unknown)}")
        settings = {n: settings[n] for n in args.names}
    if args.json:
        print(json.dumps({name: {"label": s.label, "kind": s.kind.value, "value": s.value,
                                 "choices": list(s.choices), "range": s.range, "readonly": s.readonly,
                                 "control": s.control.title if s.control else None}
                          for name, s in settings.items()}, indent=1))
        return 0
    for setting in settings.values():
        print(format_setting(setting))
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    camera = _open(args)
    try:
        setting = camera.set_setting(args.name, args.value).result(30)
    finally:
        camera.close()
    print(format_setting(setting))
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    camera = _open(args)
    try:
        text = camera.summary().result(30)
    finally:
        camera.close()
    print(f"model: {camera.model}\nport: {camera.port}")
    print(text.rstrip())
    return 0
