"""``studio report SESSION``: an HTML contact sheet of a session, one file, opens in any browser.

Thumbnails are embedded as small JPEG data URIs (the page stays valid when copied or mailed);
each shot shows its verdict badge, rating, problems, trigger and the exposure read from EXIF.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import logging
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from studio.session.files import JSON_SIDECAR, RAW_SUFFIXES, base_of, is_photo
from studio.session.state import STATE_NAME, load_state, replace_atomic
from studio.session.stills import largest_embedded_jpeg
from studio.session.xmp import keyword_of

log = logging.getLogger(__name__)

THUMB_PX = 360
BADGE = {"pass": ("#2e7d32", "PASS"), "warn": ("#b26a00", "WARN"), "fail": ("#c62828", "FAIL"),
         "unsure": ("#5d4a8a", "UNSURE"), "unchecked": ("#616161", "NOT CHECKED")}
EXIF_FIELDS = {33434: "exposure", 33437: "aperture", 34855: "iso", 37386: "focal"}  # EXIF tag ids


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("report", help="write an HTML contact sheet of a session",
                              description="Write an HTML contact sheet (thumbnails, verdicts, problems, "
                                          "settings) of a session folder.")
    p.add_argument("session", type=Path, help="the session folder (…/YYYY-MM-DD_name)")
    p.add_argument("-o", "--output", type=Path, help="HTML file to write (default: SESSION/report.html)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from studio.cli import UserError

    folder: Path = args.session
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder")
    if not (folder / STATE_NAME).is_file():
        raise UserError(f"{folder} is not a studio session (no {STATE_NAME})")
    try:
        page = render(folder)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    output: Path = args.output or folder / "report.html"
    try:
        replace_atomic(output, page.encode())
    except OSError as exc:
        raise UserError(f"cannot write {output}: {exc.strerror or exc}") from None
    print(output)
    return 0


# -- gathering ----------------------------------------------------------------------------------


def shots(folder: Path) -> list[dict[str, Any]]:
    """Every shot of the session: its sidecar (or a stub for a photo not checked yet)."""
    found: dict[str, dict[str, Any]] = {}
    read: set[str] = set()  # bases whose sidecar was read
    for sidecar in folder.glob(f"*{JSON_SIDECAR}"):
        try:
            data = json.loads(sidecar.read_text(encoding="utf-8"))
            if not _well_formed(data):
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
    return sorted(found.values(), key=lambda s: (s.get("counter") is None, s.get("counter") or 0, s["base"]))


def _well_formed(data: Any) -> bool:
    """The fields the page reads have the types a sidecar written by studio gives them."""
    return (isinstance(data, dict) and isinstance(data.get("verdict"), dict)
            and isinstance(data.get("files"), list) and all(isinstance(f, str) for f in data["files"])
            and isinstance(data.get("base", ""), str)
            and isinstance(data.get("counter"), (int, type(None))))


def badge_of(verdict: dict[str, Any]) -> str:
    """pass / warn / fail, or unsure (checked, could not tell) / unchecked (no check ran)."""
    status = verdict.get("status", "unknown")
    if status in BADGE:
        return status
    return "unchecked" if "studio:unchecked" in verdict.get("keywords", []) else "unsure"


def thumbnail(folder: Path, files: list[str]) -> str:
    """A JPEG data URI of the shot's JPEG (or a RAW's preview); "" if none is readable."""
    data = None
    for name in sorted(files, key=lambda n: Path(n).suffix.lower() in RAW_SUFFIXES):
        path = folder / name
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        data = raw if path.suffix.lower() not in RAW_SUFFIXES else largest_embedded_jpeg(raw)
        if data:
            break
    if not data:
        return ""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return ""
    scale = THUMB_PX / max(image.shape[:2])
    if scale < 1:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 78])
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode() if ok else ""


def exposure(folder: Path, files: list[str]) -> dict[str, str]:
    """Shutter, aperture, ISO and focal length from the JPEG's EXIF (empty if unknown)."""
    try:
        from PIL import Image  # Pillow comes with MediaPipe (via matplotlib); optional here
    except ImportError:
        return {}
    for name in files:
        if Path(name).suffix.lower() not in (".jpg", ".jpeg"):
            continue
        try:
            with Image.open(folder / name) as image:
                exif = image.getexif().get_ifd(0x8769)
        except Exception:  # any unreadable EXIF: show no settings, never fail the report
            return {}
        out = {}
        for tag, key in EXIF_FIELDS.items():
            value = exif.get(tag)
            if value is None:
                continue
            value = float(value) if not isinstance(value, tuple) else float(value[0])
            out[key] = {"exposure": (f"1/{round(1 / value)} s" if 0 < value < 1 else f"{value:g} s"),
                        "aperture": f"f/{value:.1f}", "iso": f"ISO {value:.0f}",
                        "focal": f"{value:.0f} mm"}[key]
        return out
    return {}


# -- rendering ----------------------------------------------------------------------------------

CSS = """
body{font:15px/1.4 system-ui,sans-serif;margin:0;background:#1e1e1e;color:#eee}
header{padding:18px 24px;background:#2a2a2a;border-bottom:1px solid #444}
h1{margin:0 0 4px;font-size:22px} .meta{color:#bbb} .tally span{margin-right:14px}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:16px;padding:20px}
figure{margin:0;background:#2a2a2a;border-radius:6px;overflow:hidden;border:1px solid #3a3a3a}
.img{position:relative;background:#111;aspect-ratio:4/3;display:flex;align-items:center;justify-content:center}
.img img{max-width:100%;max-height:100%}
.badge{position:absolute;top:8px;left:8px;padding:3px 8px;border-radius:4px;font-weight:700;
 font-size:13px;color:#fff;letter-spacing:.05em}
.stars{position:absolute;top:8px;right:8px;color:#ffd54f;font-size:15px;text-shadow:0 0 3px #000}
figcaption{padding:8px 10px} .name{font-weight:600} .small{color:#aaa;font-size:13px}
ul{margin:4px 0 0;padding-left:18px} li{color:#ffab91}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def render(folder: Path) -> str:
    state = load_state(folder)
    if state is None:
        raise ValueError(f"{folder} is not a studio session (no {STATE_NAME})")
    items = shots(folder)
    tally = Counter(badge_of(s["verdict"]) for s in items)
    problems = Counter(keyword_of(p) for s in items for p in s["verdict"].get("problems", []))
    cards = []
    for shot in items:
        verdict = shot["verdict"]
        badge = badge_of(verdict)
        colour, text = BADGE[badge]
        thumb = thumbnail(folder, shot["files"])
        img = (f'<img alt="{_e(shot["base"])}" src="{thumb}">' if thumb
               else '<span class="small">no preview</span>')
        settings = exposure(folder, shot["files"])
        details = " · ".join(_e(v) for v in settings.values())
        messages = "".join(f"<li>{_e(m)}</li>" for m in verdict.get("messages", [])
                           if verdict.get("status") != "pass")
        trigger = f"{_e(shot['trigger'])} trigger" if shot.get("trigger") else ""
        subject = _e(shot.get("subject") or "")
        cards.append(f"""<figure data-status="{badge}">
 <div class="img">{img}<span class="badge" style="background:{colour}">{text}</span>
 <span class="stars">{'★' * int(verdict.get('rating') or 0)}</span></div>
 <figcaption><div class="name">{_e(', '.join(shot['files']))}</div>
 <div class="small">{' · '.join(x for x in (subject, trigger, details) if x)}</div>
 {f'<ul>{messages}</ul>' if messages else ''}</figcaption></figure>""")
    camera = " · ".join(f"{_e(k)} {_e(v)}" for k, v in sorted(state.settings.items()))
    tally_html = "".join(f'<span style="color:{BADGE[k][0]}">{BADGE[k][1]}: {tally.get(k, 0)}</span>'
                         for k in BADGE if tally.get(k))
    common = ", ".join(f"{_e(p)} ×{n}" for p, n in problems.most_common(6))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{_e(state.name)} — contact sheet</title><style>{CSS}</style></head>
<body><header><h1>{_e(state.name)}</h1>
<div class="meta">{_e(folder.name)} · {len(items)} shots · preset {_e(state.preset or 'default')}
{(' · subject ' + _e(state.subject)) if state.subject else ''} · report {datetime.now():%Y-%m-%d %H:%M}</div>
<div class="meta tally">{tally_html}{(' · most common problems: ' + common) if common else ''}</div>
{f'<div class="meta small">camera: {camera}</div>' if camera else ''}
</header><main>
{''.join(cards) if cards else '<p>No shots yet.</p>'}
</main></body></html>
"""
