"""XMP that darktable, Lightroom, Capture One and exiftool read: rating, label, keywords, person.

The verdict of the still's checks becomes a star rating and a colour label, and every problem a
keyword ``studio:<problem>`` (flat, in ``dc:subject``) and ``studio|<problem>`` (a keyword tree,
in ``lr:hierarchicalSubject``), and the list ``studio:problems`` in studio's own namespace. The
checks' words go to ``studio:messages``, never to ``dc:description`` (the client-facing caption).
The person goes to ``Iptc4xmpExt:PersonInImage``, creator and copyright to ``dc:creator`` and
``dc:rights``. Ratings leave room for the photographer's own picks: studio never gives more than
3 stars and never rejects (-1) a shot by itself; the photographer's review (:mod:`.review`) does.

Where it goes: JPEGs carry it inside the file (Lightroom reads only that for a JPEG) and in
darktable's ``<name>.jpg.xmp``; RAWs in ``<name>.nef.xmp`` (darktable) and ``<name>.xmp``
(Lightroom, Capture One).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from studio import __version__ as _version
from studio.analysis import Analysis, Status
from studio.session.state import replace_atomic

# Check id -> keyword for a check that does not pass (sidecars, report, docs/session.md).
PROBLEM_KEYWORDS = {
    "face": "no-face",
    "framing": "framing",
    "eyes_open": "eyes-closed",
    "eye_focus": "eyes-soft",
    "catchlights": "no-catchlights",
    "glasses": "glasses",
    "glare": "glare",
    "exposure": "exposure",
    "background": "busy-background",
    "clothing": "busy-clothing",
}

RATING = {Status.PASS: 3, Status.WARN: 2, Status.FAIL: 1, Status.UNKNOWN: 0}
LABEL = {Status.PASS: "Green", Status.WARN: "Yellow", Status.FAIL: "Red", Status.UNKNOWN: ""}


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a still's analysis means for the photographer (and for the sidecars).

    ``problems`` are required checks that warn or fail; ``unsure`` are required checks that
    could not judge (eyes behind dark lenses): they lower the verdict to "unknown" but are not
    called faults (keyword ``studio:unsure-<check>``).
    """

    status: Status
    problems: tuple[str, ...]  # check ids, worst first
    messages: tuple[str, ...]
    unsure: tuple[str, ...] = ()

    @property
    def rating(self) -> int:
        return RATING[self.status]

    @property
    def label(self) -> str:
        return LABEL[self.status]

    @property
    def keywords(self) -> tuple[str, ...]:
        if self.status is Status.UNKNOWN and not self.problems and not self.unsure:
            return ("studio:unchecked",)
        if not self.problems and not self.unsure:
            return ("studio:pass",)
        return (tuple(f"studio:{keyword_of(p)}" for p in self.problems)
                + tuple(f"studio:unsure-{p.replace('_', '-')}" for p in self.unsure))

    def to_json(self) -> dict[str, object]:
        return {"status": self.status.value, "rating": self.rating, "label": self.label,
                "problems": list(self.problems), "unsure": list(self.unsure),
                "keywords": list(self.keywords), "messages": list(self.messages)}


def keyword_of(check_id: str) -> str:
    return PROBLEM_KEYWORDS.get(check_id, check_id.replace("_", "-"))


def verdict_of(analysis: Analysis | None) -> Verdict:
    """The verdict of a still; ``None`` (could not be checked) gives an unknown verdict."""
    if analysis is None:
        return Verdict(Status.UNKNOWN, (), ("not checked",))
    checks = analysis.problems
    bad = tuple(c for c in checks if c.status is not Status.UNKNOWN)
    unsure = tuple(c.id for c in checks if c.status is Status.UNKNOWN)
    messages = tuple(c.message for c in checks)
    if analysis.faces == 0 and not any(c.id == "face" for c in bad):
        face = analysis.check("face")
        return Verdict(Status.FAIL, ("face",) + tuple(c.id for c in bad),
                       ((face.message if face else "no face found"),) + messages, unsure)
    return Verdict(analysis.worst if checks else Status.PASS, tuple(c.id for c in bad), messages, unsure)


LABELS = ("Red", "Yellow", "Green", "Blue", "Purple")  # Lightroom's and darktable's colour names
NS_STUDIO = "https://studio.invalid/ns/xmp/1.0/"  # studio's own namespace (prefix ``studio``)
NS_IPTC_EXT = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"


@dataclass(frozen=True, slots=True)
class XmpFields:
    """Everything one shot's XMP says. ``rating`` -1 is rejected (Lightroom's convention)."""

    rating: int
    label: str = ""
    keywords: tuple[str, ...] = ()  # dc:subject, and as a tree in lr:hierarchicalSubject
    persons: tuple[str, ...] = ()  # Iptc4xmpExt:PersonInImage
    creator: str = ""  # dc:creator
    copyright: str = ""  # dc:rights (and xmpRights:Marked)
    status: str = ""  # studio:verdict (pass / warn / fail / unknown)
    problems: tuple[str, ...] = ()  # studio:problems, keyword names ("eyes-closed")
    messages: tuple[str, ...] = ()  # studio:messages: the checks' words, never dc:description
    rejected: bool = False  # studio:rejected


def fields_of(verdict: Verdict, *, persons: Iterable[str] = (), creator: str = "", copyright: str = "",
              extra_keywords: Iterable[str] = (), rating: int | None = None, label: str | None = None,
              rejected: bool = False) -> XmpFields:
    """The XMP of a checked shot; ``rating`` / ``label`` / ``rejected`` are the photographer's
    review (they win over the verdict's)."""
    keywords = tuple(dict.fromkeys([*verdict.keywords, *extra_keywords]))
    return XmpFields(
        rating=-1 if rejected else (verdict.rating if rating is None else rating),
        label=verdict.label if label is None else label,
        keywords=keywords, persons=tuple(p for p in persons if p), creator=creator,
        copyright=copyright, status=verdict.status.value,
        problems=tuple(keyword_of(p) for p in verdict.problems), messages=verdict.messages,
        rejected=rejected)


def _text(value: str) -> str:
    """XML text: escaped, without the characters XML 1.0 cannot carry."""
    return escape("".join(c for c in value if c in "\t\n\r" or ord(c) >= 0x20))


def _items(tag: str, kind: str, values: Iterable[str], lang: bool = False) -> str:
    values = [v for v in values if v]
    if not values:
        return ""
    attr = ' xml:lang="x-default"' if lang else ""
    items = "".join(f"\n     <rdf:li{attr}>{_text(v)}</rdf:li>" for v in values)
    return f"\n   <{tag}>\n    <rdf:{kind}>{items}\n    </rdf:{kind}>\n   </{tag}>"


def xmp_packet(fields: XmpFields | Verdict, *, extra_keywords: Iterable[str] = ()) -> str:
    """The XMP packet (a sidecar's whole text, or the APP1 segment embedded in a JPEG)."""
    if isinstance(fields, Verdict):
        fields = fields_of(fields, extra_keywords=extra_keywords)
    label = f"\n   xmp:Label={quoteattr(_text(fields.label))}" if fields.label else ""
    marked = '\n   xmpRights:Marked="True"' if fields.copyright else ""
    body = "".join((
        _items("dc:subject", "Bag", fields.keywords),
        _items("lr:hierarchicalSubject", "Bag", (k.replace(":", "|") for k in fields.keywords)),
        _items("dc:creator", "Seq", (fields.creator,)),
        _items("dc:rights", "Alt", (fields.copyright,), lang=True),
        _items("Iptc4xmpExt:PersonInImage", "Bag", fields.persons),
        _items("studio:problems", "Bag", fields.problems),
        _items("studio:messages", "Seq", fields.messages),
    ))
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="studio {escape(_version)}">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
   xmlns:xmp="http://ns.adobe.com/xap/1.0/"
   xmlns:dc="http://purl.org/dc/elements/1.1/"
   xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
   xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/"
   xmlns:Iptc4xmpExt="{NS_IPTC_EXT}"
   xmlns:studio="{NS_STUDIO}"
   xmp:Rating="{fields.rating}"{label}{marked}
   xmp:CreatorTool="studio {escape(_version)}"
   studio:verdict={quoteattr(fields.status or "unknown")}
   studio:rejected="{'True' if fields.rejected else 'False'}">{body}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
"""


def sidecar_paths(photos: Iterable[Path]) -> list[Path]:
    """darktable's ``<file>.<ext>.xmp`` for every photo, plus Lightroom's ``<base>.xmp`` for a RAW
    (Lightroom reads a JPEG's XMP from inside the file: see :func:`write_metadata`)."""
    from studio.session.files import RAW_SUFFIXES, base_of

    out: list[Path] = []
    for photo in photos:
        out.append(photo.with_name(photo.name + ".xmp"))
        if photo.suffix.lower() in RAW_SUFFIXES:
            out.append(photo.with_name(base_of(photo) + ".xmp"))
    return out


def write_sidecars(photos: Iterable[Path], fields: XmpFields | Verdict, *,
                   extra_keywords: Iterable[str] = ()) -> list[Path]:
    """Write (or rewrite) the XMP sidecars of one shot; returns their paths."""
    packet = xmp_packet(fields, extra_keywords=extra_keywords).encode()
    return [replace_atomic(path, packet) for path in sidecar_paths(photos)]


def write_metadata(photos: Iterable[Path], fields: XmpFields) -> tuple[list[Path], list[str]]:
    """The sidecars, then the XMP embedded in each JPEG (atomically; its image data untouched).

    Returns the sidecars written and the errors of embedding (a JPEG that cannot take it keeps
    its sidecar: the error is recorded, nothing is lost).
    """
    from studio.session.files import JPEG_SUFFIXES
    from studio.session.jpeg_xmp import embed_xmp

    photos = list(photos)
    packet = xmp_packet(fields).encode()
    sidecars = [replace_atomic(path, packet) for path in sidecar_paths(photos)]
    errors: list[str] = []
    for photo in photos:
        if photo.suffix.lower() in JPEG_SUFFIXES:
            try:
                embed_xmp(photo, packet)
            except (OSError, ValueError) as exc:
                errors.append(f"embedded XMP in {photo.name}: {exc}")
    return sidecars, errors
