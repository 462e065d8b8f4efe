"""File naming templates: gphoto2's ``--filename`` tokens plus the session's own fields.

Tokens (gphoto2's meaning where gphoto2 has one):

==========  ==============================================================
``%Y``      year, 4 digits            ``%m %d``  month, day (2 digits)
``%H %M %S`` hour, minute, second      ``%y``     year, 2 digits
``%n``      shot counter              ``%03n``   counter padded to 3 digits (any width)
``%C``      the camera file's extension, lower case (``jpg``, ``nef``)
``%f``      the camera's file name without extension (``GPH_0099``)
``%%``      a literal ``%``
``{session}`` ``{subject}`` ``{seq}``  session slug, subject slug, sequence number
``{person}``  the current person's name as a slug (``Zoë O'Brien`` -> ``zoe-o-brien``); with
            the counter rule ``person``, ``%n`` counts that person's shots from 1
==========  ==============================================================

Slugs transliterate Latin letters with accents to their base letter (``é`` -> ``e``) and keep
other letters as they are (``日本語``, ``Ирина``): every modern file system and the photo tools
store them, and a name made of dashes only would lose the person. A counter width is at most
``MAX_WIDTH`` digits and a template at most ``MAX_TEMPLATE_CHARS`` characters (a 1 GB name per
shot is refused, not built). The expanded name is made safe (one path component, no unusual
characters); uniqueness is the session's job, not the template's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from drivers.download import safe_name

DEFAULT_TEMPLATE = "{subject}-%04n.%C"
ROSTER_TEMPLATE = "{person}-%04n.%C"  # the default for a day with a roster (studio.people)
MAX_WIDTH = 9  # %09n: a billion shots
MAX_TEMPLATE_CHARS = 200
SLUG_CHARS = 60

_TOKEN = re.compile(r"%(%|0?\d*n|[YymdHMSCf])|\{(session|subject|seq|person)\}")
_SLUG = re.compile(r"[\W_]+")


class TemplateError(ValueError):
    """A naming template that cannot produce unique file names."""


def slug(text: str, fallback: str = "session") -> str:
    """``"Jane Doe / ACME"`` -> ``"jane-doe-acme"``: lower case letters, digits and dashes.

    Accented Latin letters lose their accents (``"Zoë"`` -> ``"zoe"``); other scripts are kept.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
    return _SLUG.sub("-", plain.strip()).strip("-").lower()[:SLUG_CHARS].strip("-") or fallback


@dataclass(frozen=True, slots=True)
class NameFields:
    """Everything one file name may be built from."""

    when: datetime
    counter: int
    camera_name: str  # the name on the camera, e.g. "GPH_0099.JPG"
    session: str  # slug
    subject: str  # slug
    seq: int
    person: str = ""  # slug of the current person ("" when none is set)


def validate(template: str) -> str:
    """Refuse a template that names files without an extension or escapes the folder."""
    if not template.strip():
        raise TemplateError("the naming template is empty")
    if len(template) > MAX_TEMPLATE_CHARS:
        raise TemplateError(f"the naming template is longer than {MAX_TEMPLATE_CHARS} characters")
    if "/" in template or "\\" in template:
        raise TemplateError(f"naming template {template!r} must not contain a folder separator")
    if "%C" not in template:
        raise TemplateError(f"naming template {template!r} needs %C (the extension): "
                            "RAW and JPEG of one shot must not get the same name")
    i = template.find("%")
    while i >= 0:
        match = _TOKEN.match(template, i)
        if not match:
            raise TemplateError(f"unknown token {template[i:i + 2]!r} in naming template {template!r}")
        width = match.group(1) or ""
        if width.endswith("n") and len(width) > 1 and int(width[:-1]) > MAX_WIDTH:
            raise TemplateError(f"counter width {match.group(0)!r} in naming template is over "
                                f"{MAX_WIDTH} digits")
        i = template.find("%", match.end())
    return template


def expand(template: str, fields: NameFields) -> str:
    """The file name ``template`` gives for ``fields`` (made safe, not yet made unique)."""
    stem, _, ext = fields.camera_name.rpartition(".")
    if not stem:
        stem, ext = ext, ""

    def replace(match: re.Match[str]) -> str:
        token, field = match.group(1), match.group(2)
        if field == "session":
            return fields.session
        if field == "subject":
            return fields.subject
        if field == "seq":
            return str(fields.seq)
        if field == "person":
            return fields.person or "person"
        if token == "%":
            return "%"
        if token.endswith("n"):
            width = min(int(token[:-1] or 0), MAX_WIDTH)
            return f"{fields.counter:0{width}d}"
        if token == "C":
            return ext.lower()
        if token == "f":
            return stem
        return fields.when.strftime(f"%{token}")

    name = _TOKEN.sub(replace, template)
    return safe_name(name, fallback=f"shot-{fields.counter}")
