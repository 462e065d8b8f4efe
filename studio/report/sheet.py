"""The photographer's contact sheet: every shot, grouped by person, with verdicts and problems.

One HTML file, thumbnails embedded as small JPEG data URIs (the page stays valid when copied or
mailed), no script. Each shot shows its verdict badge, stars (the photographer's when reviewed),
label, "rejected", the problems in words, the trigger and the exposure read from EXIF.
"""

from __future__ import annotations

import html
from collections import Counter
from datetime import datetime
from pathlib import Path

from studio.report.consistency import team_block
from studio.report.gather import Shot, by_person, exposure, image_data_uri, shots
from studio.session.state import SessionState
from studio.session.xmp import keyword_of

THUMB_PX = 360
BADGE = {"pass": ("#2e7d32", "PASS"), "warn": ("#b26a00", "WARN"), "fail": ("#c62828", "FAIL"),
         "unsure": ("#5d4a8a", "UNSURE"), "unchecked": ("#616161", "NOT CHECKED")}
LABEL_COLOURS = {"Red": "#e53935", "Yellow": "#fdd835", "Green": "#43a047", "Blue": "#1e88e5",
                 "Purple": "#8e24aa"}

CSS = """
body{font:15px/1.4 system-ui,sans-serif;margin:0;background:#1e1e1e;color:#eee}
header{padding:18px 24px;background:#2a2a2a;border-bottom:1px solid #444}
h1{margin:0 0 4px;font-size:22px} .meta{color:#bbb} .tally span{margin-right:14px}
section{padding:6px 20px 10px}
h2{font-size:19px;margin:14px 0 8px;border-bottom:1px solid #444;padding-bottom:4px}
h2 .small{font-weight:400;margin-left:10px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:16px}
figure{margin:0;background:#2a2a2a;border-radius:6px;overflow:hidden;border:1px solid #3a3a3a}
figure.rejected{opacity:.45}
.img{position:relative;background:#111;aspect-ratio:4/3;display:flex;align-items:center;justify-content:center}
.img img{max-width:100%;max-height:100%}
.badge{position:absolute;top:8px;left:8px;padding:3px 8px;border-radius:4px;font-weight:700;
 font-size:13px;color:#fff;letter-spacing:.05em}
.stars{position:absolute;top:8px;right:8px;color:#ffd54f;font-size:15px;text-shadow:0 0 3px #000}
.label{display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:6px}
.rej{position:absolute;bottom:8px;left:8px;background:#000c;color:#ff8a80;padding:2px 8px;
 border-radius:4px;font-weight:700}
figcaption{padding:8px 10px} .name{font-weight:600} .small{color:#aaa;font-size:13px}
ul{margin:4px 0 0;padding-left:18px} li{color:#ffab91}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def badge_of(verdict: dict) -> str:
    """pass / warn / fail, or unsure (checked, could not tell) / unchecked (no check ran)."""
    status = verdict.get("status", "unknown")
    if status in BADGE:
        return str(status)
    return "unchecked" if "studio:unchecked" in verdict.get("keywords", []) else "unsure"


def card(folder: Path, shot: Shot) -> str:
    verdict = shot.verdict
    badge = badge_of(verdict)
    colour, text = BADGE[badge]
    thumb = image_data_uri(folder, shot.files, THUMB_PX, quality=78)
    img = f'<img alt="{_e(shot.base)}" src="{thumb}">' if thumb else '<span class="small">no preview</span>'
    details = " · ".join(_e(v) for v in exposure(folder, shot.files).values())
    messages = "".join(f"<li>{_e(m)}</li>" for m in verdict.get("messages", [])
                       if verdict.get("status") != "pass")
    trigger = f"{_e(shot.data['trigger'])} trigger" if shot.data.get("trigger") else ""
    label = (f'<span class="label" title="{_e(shot.label)}" style="background:{LABEL_COLOURS[shot.label]}">'
             f"</span>" if shot.label in LABEL_COLOURS else "")
    stars = "★" * max(0, shot.rating)
    rejected = '<span class="rej">REJECTED</span>' if shot.rejected else ""
    return f"""<figure data-status="{badge}" class="{'rejected' if shot.rejected else ''}">
 <div class="img">{img}<span class="badge" style="background:{colour}">{text}</span>
 <span class="stars">{stars}</span>{rejected}</div>
 <figcaption><div class="name">{label}{_e(', '.join(shot.files))}</div>
 <div class="small">{' · '.join(x for x in (trigger, details) if x)}</div>
 {f'<ul>{messages}</ul>' if messages else ''}</figcaption></figure>"""


def person_section(folder: Path, person: str, group: list[Shot]) -> str:
    tally = Counter(badge_of(s.verdict) for s in group)
    counts = " · ".join(f"{BADGE[k][1].lower()} {tally[k]}" for k in BADGE if tally.get(k))
    rejected = sum(s.rejected for s in group)
    summary = f"{len(group)} shot{'s' if len(group) != 1 else ''} · {counts}"
    summary += f" · {rejected} rejected" if rejected else ""
    cards = "".join(card(folder, s) for s in group)
    return (f'<section data-person="{_e(person)}"><h2>{_e(person)}<span class="small">{_e(summary)}'
            f'</span></h2><div class="grid">{cards}</div></section>')


def render_sheet(folder: Path, state: SessionState) -> str:
    items = shots(folder)
    groups = by_person(items)
    tally = Counter(badge_of(s.verdict) for s in items)
    problems = Counter(keyword_of(p) for s in items for p in s.verdict.get("problems", []))
    camera = " · ".join(f"{_e(k)} {_e(v)}" for k, v in sorted(state.settings.items()))
    tally_html = "".join(f'<span style="color:{BADGE[k][0]}">{BADGE[k][1]}: {tally.get(k, 0)}</span>'
                         for k in BADGE if tally.get(k))
    common = ", ".join(f"{_e(p)} ×{n}" for p, n in problems.most_common(6))
    sections = "".join(person_section(folder, person, group) for person, group in groups)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{_e(state.name)} — contact sheet</title><style>{CSS}</style></head>
<body><header><h1>{_e(state.name)}</h1>
<div class="meta">{_e(folder.name)} · {len(items)} shots · {len(groups)} people
 · preset {_e(state.preset or 'default')} · report {datetime.now():%Y-%m-%d %H:%M}</div>
<div class="meta tally">{tally_html}{(' · most common problems: ' + common) if common else ''}</div>
{f'<div class="meta small">camera: {camera}</div>' if camera else ''}
</header><main>
{team_block(folder, items, state.preset)}
{sections or '<p>No shots yet.</p>'}
</main></body></html>
"""
