"""What a report shows of a session folder: its shots, grouped by person, with their review.

Everything is read from the files (``session.json`` and every ``<base>.studio.json``), never
from a running app: a report can be made at any time, on any copy of the folder.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from drivers.base import jpeg_size
from studio.session.files import JSON_SIDECAR, RAW_SUFFIXES, base_of, is_photo
from studio.session.stills import largest_embedded_jpeg

log = logging.getLogger(__name__)

NO_NAME = "No name given"
STATUS_RANK = {"pass": 3, "warn": 2, "unknown": 1, "fail": 0}
MAX_READ_BYTES = 200 * 1024 * 1024  # a photo larger than this is not read for a thumbnail


@dataclass(frozen=True, slots=True)
class Shot:
    """One shot as a report sees it (``data`` is its ``.studio.json``, or a stub)."""

    data: dict[str, Any]

    @property
    def base(self) -> str:
        return str(self.data["base"])

    @property
    def files(self) -> list[str]:
        return list(self.data.get("files", []))

    @property
    def verdict(self) -> dict[str, Any]:
        return dict(self.data.get("verdict") or {})

    @property
    def review(self) -> dict[str, Any]:
        review = self.data.get("review")
        return review if isinstance(review, dict) else {}

    @property
    def person(self) -> str:
        person = self.data.get("person")
        name = person.get("name") if isinstance(person, dict) else None
        return str(name or self.data.get("subject") or NO_NAME)

    @property
    def rejected(self) -> bool:
        return bool(self.review.get("rejected"))

    @property
    def rating(self) -> int:
        """The photographer's stars if given, else the verdict's (-1 when rejected)."""
        if self.rejected:
            return -1
        for value in (self.review.get("rating"), self.verdict.get("rating")):
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        return 0

    @property
    def label(self) -> str:
        given = self.review.get("label")
        return str(given if given is not None else self.verdict.get("label") or "")

    def rank(self) -> tuple[int, int, int]:
        """Which shot of a person is the best: stars, then verdict, then the later one."""
        status = STATUS_RANK.get(str(self.verdict.get("status", "unknown")), 1)
        return (self.rating, status, int(self.data.get("counter") or 0))


def shots(folder: Path) -> list[Shot]:
    """Every shot of the session: its sidecar (or a stub for a photo not checked yet)."""
    found: dict[str, dict[str, Any]] = {}
    read: set[str] = set()  # bases whose sidecar was read
    for sidecar in folder.glob(f"*{JSON_SIDECAR}"):
        try:
            data = json.loads(sidecar.read_text(encoding="utf-8"))
            if not well_formed(data):
                raise ValueError("not a studio sidecar")
        except (OSError, ValueError) as exc:  # its photo is listed below as not checked
            log.warning("skipped %s: %s", sidecar.name, exc)
            continue
        read.add(sidecar.name[: -len(JSON_SIDECAR)])
        data.setdefault("base", sidecar.name[: -len(JSON_SIDECAR)])
        found[data["base"]] = data
    for photo in folder.iterdir():
        if photo.is_file() and is_photo(photo) and base_of(photo) not in found \
                and base_of(photo) not in read:
            found[base_of(photo)] = {"base": base_of(photo), "files": [photo.name], "verdict": {
                "status": "unknown", "rating": 0, "problems": [], "keywords": ["studio:unchecked"],
                "messages": ["not checked yet"]}}
    # In shooting order; photos not checked yet (no counter known) last.
    ordered = sorted(found.values(),
                     key=lambda s: (s.get("counter") is None, s.get("counter") or 0, s["base"]))
    return [Shot(s) for s in ordered]


def well_formed(data: Any) -> bool:
    """The fields a report reads have the types a sidecar written by studio gives them."""
    return (isinstance(data, dict) and isinstance(data.get("verdict"), dict)
            and isinstance(data.get("files"), list) and all(isinstance(f, str) for f in data["files"])
            and isinstance(data.get("base", ""), str)
            and isinstance(data.get("counter"), (int, type(None)))
            and isinstance(data.get("person", {}), (dict, type(None)))
            and isinstance(data.get("review", {}), (dict, type(None))))


def by_person(items: list[Shot]) -> list[tuple[str, list[Shot]]]:
    """The shots grouped by person, people in the order they were first photographed.

    People are their names; two people of one name with different roster ids are two groups,
    shown with their id ("Jane Doe (E4)"). A shot without an id joins its name's first group.
    """
    groups: dict[tuple[str, str], list[Shot]] = {}  # in the order people were first photographed
    ids: dict[str, list[str]] = {}  # name -> the ids seen under it, first first
    for shot in items:
        person = shot.data.get("person")
        pid = str(person.get("id") or "").casefold() if isinstance(person, dict) else ""
        known = ids.setdefault(shot.person, [])
        if pid and pid not in known:
            known.append(pid)
        # a shot without an id, and the first id of a name, share the name's first group
        first = pid in ("", known[0]) if known else True
        key = (shot.person, "") if first else (shot.person, pid)
        groups.setdefault(key, []).append(shot)
    out: list[tuple[str, list[Shot]]] = []
    for (name, _), group in groups.items():
        if len(ids.get(name, ())) > 1:
            shown = next((str(s.data["person"].get("id")) for s in group
                          if isinstance(s.data.get("person"), dict) and s.data["person"].get("id")), "")
            name = f"{name} ({shown})"
        out.append((name, group))
    return out


def keepers(items: list[Shot], min_rating: int) -> list[tuple[str, list[Shot]]]:
    """For the client: per person, the shots not rejected rated ``min_rating`` or more, and
    always the person's best shot not rejected (so nobody photographed is left out)."""
    out = []
    for person, group in by_person(items):
        kept = [s for s in group if not s.rejected and s.files]
        if not kept:
            continue
        best = max(kept, key=Shot.rank)
        chosen = [s for s in kept if s.rating >= min_rating or s is best]
        out.append((person, chosen))
    return out


def image_data_uri(folder: Path, files: list[str], longest_px: int, quality: int = 80) -> str:
    """A JPEG data URI of the shot's JPEG (or a RAW's preview) at most ``longest_px`` on its
    long side; "" if none is readable."""
    data = None
    for name in sorted(files, key=lambda n: Path(n).suffix.lower() in RAW_SUFFIXES):
        path = folder / name
        try:
            if path.stat().st_size > MAX_READ_BYTES:
                continue
            raw = path.read_bytes()
        except OSError:
            continue
        data = raw if path.suffix.lower() not in RAW_SUFFIXES else largest_embedded_jpeg(raw)
        if data:
            break
    if not data:
        return ""
    image = _decode_reduced(data, longest_px)
    if image is None:
        return ""
    scale = longest_px / max(image.shape[:2])
    if scale < 1:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode() if ok else ""


def _decode_reduced(data: bytes, longest_px: int) -> np.ndarray | None:
    """Decode at 1/2, 1/4 or 1/8 size when that is still larger than needed (much faster)."""
    w, h = jpeg_size(data)
    flag = cv2.IMREAD_COLOR
    for factor, reduced in ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4),
                            (2, cv2.IMREAD_REDUCED_COLOR_2)):
        if max(w, h) // factor >= longest_px:
            flag = reduced
            break
    return cv2.imdecode(np.frombuffer(data, np.uint8), flag)


def exposure(folder: Path, files: list[str]) -> dict[str, str]:
    """Shutter, aperture, ISO and focal length from the JPEG's EXIF (empty if unknown)."""
    try:
        from PIL import Image  # Pillow comes with MediaPipe (via matplotlib); optional here
    except ImportError:
        return {}
    fields = {33434: "exposure", 33437: "aperture", 34855: "iso", 37386: "focal"}  # EXIF tag ids
    for name in files:
        if Path(name).suffix.lower() not in (".jpg", ".jpeg"):
            continue
        try:
            with Image.open(folder / name) as image:
                exif = image.getexif().get_ifd(0x8769)
            out = {}
            for tag, key in fields.items():
                value = exif.get(tag)
                if value is None:
                    continue
                value = float(value) if not isinstance(value, tuple) else float(value[0])
                out[key] = {"exposure": (f"1/{round(1 / value)} s" if 0 < value < 1 else f"{value:g} s"),
                            "aperture": f"f/{value:.1f}", "iso": f"ISO {value:.0f}",
                            "focal": f"{value:.0f} mm"}[key]
            return out
        except Exception:  # any unreadable EXIF: show no settings, never fail the report
            return {}
    return {}
