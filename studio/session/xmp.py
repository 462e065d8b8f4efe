"""XMP sidecars that darktable, Lightroom, Capture One and exiftool read: rating, label, keywords.

The verdict of the still's checks becomes a star rating and a colour label, and every problem a
keyword ``studio:<problem>`` (flat, in ``dc:subject``) and ``studio|<problem>`` (a keyword tree,
in ``lr:hierarchicalSubject``). Ratings leave room for the photographer's own picks: studio never
gives more than 3 stars and never rejects (-1) a shot by itself.
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


def xmp_packet(verdict: Verdict, *, description: str = "", extra_keywords: Iterable[str] = ()) -> str:
    keywords = list(dict.fromkeys([*verdict.keywords, *extra_keywords]))
    flat = "".join(f"\n     <rdf:li>{escape(k)}</rdf:li>" for k in keywords)
    tree = "".join(f"\n     <rdf:li>{escape(k.replace(':', '|'))}</rdf:li>" for k in keywords)
    label = f"\n   xmp:Label={quoteattr(verdict.label)}" if verdict.label else ""
    desc = ""
    if description:
        desc = (f"\n   <dc:description>\n    <rdf:Alt>\n     <rdf:li xml:lang=\"x-default\">"
                f"{escape(description)}</rdf:li>\n    </rdf:Alt>\n   </dc:description>")
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="studio {escape(_version)}">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
   xmlns:xmp="http://ns.adobe.com/xap/1.0/"
   xmlns:dc="http://purl.org/dc/elements/1.1/"
   xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
   xmp:Rating="{verdict.rating}"{label}
   xmp:CreatorTool="studio {escape(_version)}">
   <dc:subject>
    <rdf:Bag>{flat}
    </rdf:Bag>
   </dc:subject>
   <lr:hierarchicalSubject>
    <rdf:Bag>{tree}
    </rdf:Bag>
   </lr:hierarchicalSubject>{desc}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
"""


def sidecar_paths(photos: Iterable[Path]) -> list[Path]:
    """darktable's ``<file>.<ext>.xmp`` for every photo, plus Lightroom's ``<base>.xmp`` for a RAW."""
    from studio.session.files import RAW_SUFFIXES, base_of

    out: list[Path] = []
    for photo in photos:
        out.append(photo.with_name(photo.name + ".xmp"))
        if photo.suffix.lower() in RAW_SUFFIXES:
            out.append(photo.with_name(base_of(photo) + ".xmp"))
    return out


def write_sidecars(photos: Iterable[Path], verdict: Verdict, *, description: str = "",
                   extra_keywords: Iterable[str] = ()) -> list[Path]:
    """Write (or rewrite) the XMP sidecars of one shot; returns their paths."""
    packet = xmp_packet(verdict, description=description, extra_keywords=extra_keywords).encode()
    return [replace_atomic(path, packet) for path in sidecar_paths(photos)]
