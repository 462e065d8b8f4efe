"""``studio report SESSION``: the photographer's contact sheet and the client's page, two HTML
files that open in any browser (:mod:`studio.report`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from studio import argtypes
from studio.report import render_client, render_sheet
from studio.report.client import DEFAULT_MIN_RATING
from studio.session.state import STATE_NAME, load_state, replace_atomic


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "report", help="write the contact sheet and the client page of a session",
        description="Write two HTML files of a session folder: the photographer's contact sheet "
                    "(every shot grouped by person, verdicts, problems, review) and the client's "
                    "page (large images of the keepers, no verdicts).")
    p.add_argument("session", type=Path, help="the session folder (…/YYYY-MM-DD_name)")
    p.add_argument("-o", "--output", type=Path, help="contact sheet to write (default: SESSION/report.html)")
    p.add_argument("--client-output", type=Path, metavar="FILE",
                   help="client page to write (default: SESSION/client.html)")
    p.add_argument("--min-rating", type=argtypes.bounded(0, 5, int), default=DEFAULT_MIN_RATING,
                   metavar="STARS",
                   help="the client page shows shots rated this many stars or more, and each "
                        f"person's best one; rejected shots never (default {DEFAULT_MIN_RATING})")
    p.add_argument("--no-client", action="store_true", help="write only the contact sheet")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from studio.cli import UserError

    folder: Path = args.session
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder")
    if not (folder / STATE_NAME).is_file():
        raise UserError(f"{folder} is not a studio session (no {STATE_NAME})")
    try:
        state = load_state(folder)
        if state is None:
            raise ValueError(f"{folder} is not a studio session (no {STATE_NAME})")
        pages = [(args.output or folder / "report.html", render_sheet(folder, state))]
        if not args.no_client:
            pages.append((args.client_output or folder / "client.html",
                          render_client(folder, state, args.min_rating)))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    for output, page in pages:
        try:
            replace_atomic(output, page.encode())
        except OSError as exc:
            raise UserError(f"cannot write {output}: {exc.strerror or exc}") from None
        print(output)
    return 0
