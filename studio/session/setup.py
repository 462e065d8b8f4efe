"""Session options on a command line: ``studio run`` adds them with :func:`add_arguments` and
opens the session with :func:`open_from_args`."""

from __future__ import annotations

import argparse
from pathlib import Path

from studio import argtypes
from studio.session.session import Session
from studio.session.state import SessionOptions

DEFAULT_ROOT = Path("sessions")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("session")
    g.add_argument("--session", metavar="NAME",
                   help="shoot into the session NAME (folder ROOT/YYYY-MM-DD_name); resumed if it exists")
    g.add_argument("--session-root", type=Path, default=DEFAULT_ROOT, metavar="DIR",
                   help=f"where session folders go (default ./{DEFAULT_ROOT})")
    g.add_argument("--subject", help="the person photographed (used by {subject} in names)")
    g.add_argument("--name-template", metavar="TEMPLATE",
                   help="file names, gphoto2 style: %%Y %%m %%d %%H %%M %%S %%n %%03n %%C %%f plus "
                        "{session} {subject} {seq} {person} (default {subject}-%%04n.%%C; with "
                        "--roster {person}-%%04n.%%C)")
    g.add_argument("--min-free-mb", type=argtypes.bounded(0, 10_000_000, int), metavar="MB",
                   help="stop capturing below this much free disk space (default 500)")
    g.add_argument("--bw", action="store_true", help="also write a black-and-white version of each JPEG")
    g.add_argument("--crop", choices=("4:5", "1:1"), help="also write a headshot crop at this aspect")
    g.add_argument("--delete-on-camera", action="store_true",
                   help="delete each file on the card once its local copy is verified")
    g.add_argument("--hook", type=Path, metavar="SCRIPT",
                   help="run SCRIPT with ACTION=init|start|download|stop and ARGUMENT=<file>")
    g.add_argument("--hook-timeout", type=argtypes.seconds(3600), metavar="S",
                   help="time limit per hook run (default 30)")
    g.add_argument("--creator", metavar="NAME",
                   help="the photographer in every shot's XMP (default: [metadata] creator of "
                        "$XDG_CONFIG_HOME/studio/config.toml)")
    g.add_argument("--copyright", metavar="TEXT",
                   help="the copyright notice in every shot's XMP (default: [metadata] copyright of "
                        "the same file)")


def open_from_args(args: argparse.Namespace, *, preset: str | None = None) -> Session | None:
    """The session the arguments ask for, or ``None`` without ``--session``.

    Options not given keep the resumed session's values. Raises :class:`ValueError` (bad
    template, damaged state, bad hook) or :class:`drivers.base.CameraError` (unwritable folder),
    both one-line user errors.
    """
    if not args.session:
        return None
    from studio.session.hooks import Hook
    from studio.session.naming import slug
    from studio.session.state import load_state

    existing = None
    for folder in sorted(Path(args.session_root).expanduser().glob(f"*_{slug(args.session)}")):
        existing = load_state(folder) if (folder / "session.json").exists() else existing
    options = existing.options if existing else SessionOptions()
    if args.name_template is not None:  # an empty one is refused, not silently ignored
        options.template = args.name_template
    if args.min_free_mb is not None:
        if args.min_free_mb < 0:
            raise ValueError(f"--min-free-mb must be 0 or more, not {args.min_free_mb}")
        options.min_free_mb = args.min_free_mb
    options.black_and_white = options.black_and_white or args.bw
    options.crop = args.crop or options.crop
    options.delete_on_camera = options.delete_on_camera or args.delete_on_camera
    if args.hook:
        options.hook = str(Path(args.hook).expanduser().resolve())
        Hook(options.hook)  # refuse a missing or non-executable script now, not mid-shoot
    if args.hook_timeout is not None:
        if not args.hook_timeout > 0:  # NaN too
            raise ValueError(f"--hook-timeout must be positive, not {args.hook_timeout:g}")
        options.hook_timeout_s = args.hook_timeout
    for key in ("creator", "copyright"):
        value = getattr(args, key, None)
        if value is not None:
            setattr(options, key, " ".join(value.split())[:500])
    from studio.session.credits import credits_for

    credits_for(options)  # a damaged user config is refused now, not at the first shot
    return Session.open(args.session_root, args.session, subject=args.subject, preset=preset,
                        options=options)
