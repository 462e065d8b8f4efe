"""The ``studio`` command line: one subcommand per module in :mod:`studio.commands`.

A user mistake (bad path, bad file, invalid setting, no camera) ends with one line on stderr
and exit status 2, never a traceback. Each command module raises :class:`UserError` (or a
``drivers.base.CameraError``) for those.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
import threading

from drivers.base import CameraError

# Subcommand modules, in help order. Each defines ``register(subparsers)``.
COMMANDS = (
    "run",
    "record",
    "check",
    "camera",
    "doctor",
    "udev",
    "report",
    "bench",
)


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """All subcommands, or only ``command`` when it is one (``studio check``'s process then
    imports neither numpy nor OpenCV through the live-view commands before its workers start)."""
    from studio import __version__
    from studio.argtypes import OneLineParser  # usage errors: one line, status 2

    parser = OneLineParser(
        prog="studio",
        description="Tethered-capture assistant: checks every live-view frame of a portrait.")
    parser.add_argument("--version", action="version", version=f"studio {__version__}",
                        help="print the version and exit")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in (command,) if command in COMMANDS else COMMANDS:
        try:
            module = importlib.import_module(f"studio.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"studio.commands.{name}":
                raise
            continue  # command not built in this checkout
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from studio.heap import limit_arenas

    limit_arenas()  # before any thread: a long session's C heap fragments less (studio.heap)
    words = [a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-")]
    parser = build_parser(words[0] if words else None)
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    if args.verbose < 2:
        from studio.native_logs import filter_native_logs

        filter_native_logs()
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    _sigterm_as_interrupt()
    try:
        return int(args.func(args) or 0)
    except (UserError, CameraError) as exc:
        print(f"studio: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("studio: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `studio run --json | head`
        return 0


def _sigterm_as_interrupt() -> None:
    """SIGTERM (systemd, a desktop logging out, ``kill``) ends a command as Ctrl-C does, so its
    clean-up runs (live view left, stop hook, files closed). The headless runner replaces this
    with its own handler while it runs, which also prints the summary."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


if __name__ == "__main__":
    # `python -m studio.cli` runs this file as __main__, a second copy of the module: call the
    # imported one so the UserError that commands raise is the class `main` catches.
    from studio.cli import main as _main

    sys.exit(_main())
