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
==========  ==============================================================

The expanded name is made safe (one path component, no unusual characters); uniqueness is the
session's job, not the template's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from drivers.download import safe_name

DEFAULT_TEMPLATE = "{subject}-%04n.%C"

_TOKEN = re.compile(r"%(%|0?\d*n|[YymdHMSCf])|\{(session|subject|seq)\}")
_SLUG = re.compile(r"[^A-Za-z0-9]+")


class TemplateError(ValueError):
    """A naming template that cannot produce unique file names."""


def slug(text: str, fallback: str = "session") -> str:
    """``"Jane Doe / ACME"`` -> ``"jane-doe-acme"``: lower case, ASCII letters, digits, dashes."""
    return _SLUG.sub("-", text.strip()).strip("-").lower()[:60] or fallback


@dataclass(frozen=True, slots=True)
class NameFields:
    """Everything one file name may be built from."""

    when: datetime
    counter: int
    camera_name: str  # the name on the camera, e.g. "GPH_0099.JPG"
    session: str  # slug
    subject: str  # slug
    seq: int


def validate(template: str) -> str:
    """Refuse a template that names files without an extension or escapes the folder."""
    if not template.strip():
        raise TemplateError("the naming template is empty")
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
        if token == "%":
            return "%"
        if token.endswith("n"):
            width = int(token[:-1] or 0)
            return f"{fields.counter:0{width}d}"
        if token == "C":
            return ext.lower()
        if token == "f":
            return stem
        return fields.when.strftime(f"%{token}")

    name = _TOKEN.sub(replace, template)
    return safe_name(name, fallback=f"shot-{fields.counter}")
