"""People options on a command line: ``studio run`` adds them with :func:`add_arguments` and
builds the desk with :func:`desk_from_args` once the session is open."""

from __future__ import annotations

import argparse
from pathlib import Path

from studio import argtypes
from studio.people.desk import PeopleDesk
from studio.people.roster import Roster, load_roster
from studio.session import Session
from studio.session.naming import DEFAULT_TEMPLATE, ROSTER_TEMPLATE

COUNTER_RULES = ("session", "person")
MAX_SHOTS_PER_PERSON = 10_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("people")
    g.add_argument("--roster", type=Path, metavar="FILE",
                   help="the day's people: CSV (name,id,email; header optional) or text, one name a "
                        "line; next/previous keys and QR/barcode cards move through it")
    g.add_argument("--person", metavar="NAME",
                   help="start with this person (a roster name, id or email, or a new name)")
    g.add_argument("--shots-per-person", type=argtypes.bounded(0, MAX_SHOTS_PER_PERSON, int), metavar="N",
                   help="move to the next person by itself after N saved shots (0: never; default 0)")
    g.add_argument("--counter", choices=COUNTER_RULES,
                   help="%%n counts the whole session (default) or each person from 1")
    g.add_argument("--no-codes", action="store_true",
                   help="do not read QR codes or barcodes off live view to set the person")


def desk_from_args(args: argparse.Namespace, session: Session | None) -> PeopleDesk | None:
    """The desk the arguments ask for, or None (no roster, no person, no session).

    ``--person NAME`` (or, without a roster, ``--subject NAME``) starts with that person; a
    roster starts with its first person unless the session resumes at a saved one.

    The roster, counter rule and shots per person are saved in the session's options, so a
    restart with only ``--session`` resumes the day. A roster day whose template was not chosen
    names files ``{person}-%04n.%C``. Raises :class:`ValueError` (a bad roster, an empty name):
    one-line user errors.
    """
    options = session.options if session is not None else None
    saved = Path(options.roster) if options is not None and options.roster else None
    roster_path = getattr(args, "roster", None) or saved
    if roster_path is None and not getattr(args, "person", None) and session is None:
        return None
    roster = load_roster(roster_path) if roster_path is not None else Roster()
    shots = getattr(args, "shots_per_person", None)
    counter = getattr(args, "counter", None)
    if session is not None and options is not None:
        if getattr(args, "roster", None) is not None:
            options.roster = str(Path(args.roster).expanduser().resolve())
            if getattr(args, "name_template", None) is None and options.template == DEFAULT_TEMPLATE:
                options.template = ROSTER_TEMPLATE
        if shots is not None:
            options.shots_per_person = shots
        if counter is not None:
            options.counter = counter
        session.update_options(options)
        shots = options.shots_per_person
    desk = PeopleDesk(roster, session, shots_per_person=shots or 0)
    # --subject is "the person photographed": without a roster or --person, that is the person
    # (so the name reaches PersonInImage too).
    name = getattr(args, "person", None) or (getattr(args, "subject", None) if not len(roster) else None)
    if name:
        desk.set_name(name)
    elif desk.current is None and len(roster):
        desk.next("start")
    return desk
