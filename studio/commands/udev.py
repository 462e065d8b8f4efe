"""``studio udev``: udev rules for every camera the installed libgphoto2 knows."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "udev", help="print udev rules giving the local user access to cameras",
        description="Generates per-model udev rules from the installed libgphoto2's camera list. "
                    "Install as /etc/udev/rules.d/70-studio-cameras.rules, then run "
                    "`udevadm control --reload-rules && udevadm trigger`.")
    p.add_argument("--group", help="also give this group access (MODE 0660), e.g. plugdev")
    p.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")
    p.set_defaults(func=cmd_udev)


def cmd_udev(args: argparse.Namespace) -> int:
    from drivers.gphoto.discovery import udev_rules
    from studio.cli import UserError

    try:
        rules = udev_rules(args.group)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if args.output is None:
        print(rules, end="")
        return 0
    try:
        args.output.write_text(rules)
    except OSError as exc:
        raise UserError(f"cannot write {args.output}: {exc.strerror} "
                        "(system folders need sudo: `sudo studio udev -o ...`)") from None
    print(f"wrote {args.output} ({rules.count('idVendor')} USB ids); now run: "
          "udevadm control --reload-rules && udevadm trigger")
    return 0
