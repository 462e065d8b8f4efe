"""The contact sheet's team-consistency block: a table across every person of the session and a
row of their keepers aligned on the eyes.

Each shot's sidecar carries the ``consistency`` check's measures (its ``measured`` field, in
``analysis``): eye line, head size and position, tilt, turn, face and background light, all
frame-relative. The reference is the session's ``reference.json`` (``R`` in the window, or
``--reference``) or, without one, the first person's keeper. Every person's keeper (their best
shot not rejected, as the client's page picks it) is compared with it in the check's own words
and tolerances (the session's preset), and shown scaled and moved so that the eyes of all
keepers fall on the same two points of the tile.
"""

from __future__ import annotations

import base64
import html
import logging
from pathlib import Path

import cv2
import numpy as np

from studio.report.gather import Shot, by_person, image_data_uri
from studio.vision.reference import Reference, ReferenceError, load
from studio.vision.thresholds import DEFAULT, Thresholds

log = logging.getLogger(__name__)

TILE_W, TILE_H = 200, 250  # 4:5 tiles
EYE_LINE = 0.40  # eyes at 40 % of the tile's height ...
IED_SHARE = 0.26  # ... and this share of its width apart
DECODE_PX = 1400  # the keeper is decoded no larger than this before the warp

CSS = """
.team{padding:6px 20px 10px} .team table{border-collapse:collapse;font-size:13px;margin:6px 0 12px}
.team td,.team th{border-bottom:1px solid #3a3a3a;padding:4px 10px;text-align:right;white-space:nowrap}
.team td.words{white-space:normal}
.team td:first-child,.team th:first-child,.team td.words{text-align:left}
.team td.off{color:#ffab91} .team td.ok{color:#a5d6a7}
.aligned{display:flex;flex-wrap:wrap;gap:6px}
.aligned .keeper{width:200px;background:#2a2a2a;border-radius:6px}
.aligned .keeper .small{padding:4px 8px}
.aligned .tile{position:relative;width:200px;height:250px;background:#111}
.aligned .tile img{display:block;width:200px;height:250px}
.aligned .eyeline{position:absolute;left:0;right:0;top:100px;border-top:1px dashed #78c8ff99}
"""


def measured(shot: Shot) -> Reference | None:
    """The consistency measures of a shot's still (None: not measured, or no face)."""
    analysis = shot.data.get("analysis")
    checks = analysis.get("checks") if isinstance(analysis, dict) else None
    result = checks.get("consistency") if isinstance(checks, dict) else None
    if not isinstance(result, dict):
        return None
    try:
        return Reference.from_fields(result, shot.base)
    except ReferenceError as exc:
        log.warning("consistency measures of %s ignored: %s", shot.base, exc)
        return None


def keeper_of(group: list[Shot]) -> Shot | None:
    kept = [s for s in group if not s.rejected and s.files]
    return max(kept, key=Shot.rank) if kept else None


def team(folder: Path, items: list[Shot]) -> tuple[Reference | None, list[tuple[str, Shot, Reference]]]:
    """The reference and, per person in shooting order, their keeper and its measures."""
    rows = []
    for person, group in by_person(items):
        shot = keeper_of(group)
        m = measured(shot) if shot is not None else None
        if shot is not None and m is not None:
            rows.append((person, shot, m))
    try:
        reference = load(folder)
    except ReferenceError as exc:
        log.warning("session reference ignored: %s", exc)
        reference = None
    if reference is None and rows:
        reference = rows[0][2]
    return reference, rows


def thresholds_of(preset: str) -> Thresholds:
    from studio.vision.presets import PresetError, load_preset

    try:
        return load_preset(preset or "commercial-headshot").thresholds
    except (PresetError, OSError):
        return DEFAULT


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def table_html(reference: Reference, rows: list[tuple[str, Shot, Reference]], th: Thresholds) -> str:
    from studio.vision.checks.consistency import compare

    head = ("<tr><th>person</th><th>keeper</th><th>eye line</th><th>head</th><th>head x</th>"
            "<th>tilt</th><th>turn</th><th>face</th><th>background</th><th>against the reference</th></tr>")
    body = []
    for person, shot, m in rows:
        turned, found = compare(m, reference, th)
        off = [turned] if turned else [d.words for d in found if d.beyond]
        light = [f"{round(v, 1) + 0.0:+.1f} st" if v is not None else "–" for v in (m.face, m.background)]
        roll, yaw = round(m.roll) + 0, round(m.yaw) + 0  # never "-0°" (nor "-0.0 st" above)
        words = "; ".join(off) if off else "matches"
        body.append(
            f'<tr data-person="{_e(person)}"><td>{_e(person)}</td><td>{_e(shot.base)}</td>'
            f"<td>{100 * m.eye_y:.1f} %</td><td>{100 * m.head:.1f} %</td><td>{100 * m.head_x:.1f} %</td>"
            f"<td>{roll:+d}°</td><td>{yaw:+d}°</td><td>{light[0]}</td><td>{light[1]}</td>"
            f'<td class="words {"off" if off else "ok"}">{_e(words)}</td></tr>')
    return f"<table>{head}{''.join(body)}</table>"


def aligned_tile(folder: Path, shot: Shot, m: Reference) -> str:
    """The keeper scaled and moved so its eyes land on the tile's eye points (data URI)."""
    if len(m.eyes) != 2:
        return ""
    uri = image_data_uri(folder, shot.files, DECODE_PX, quality=90)
    if not uri:
        return ""
    image = cv2.imdecode(np.frombuffer(base64.b64decode(uri.split(",", 1)[1]), np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return ""
    h, w = image.shape[:2]
    (rx, ry), (lx, ly) = ((x * w, y * h) for x, y in m.eyes)
    ied = max(1e-6, float(np.hypot(lx - rx, ly - ry)))
    k = IED_SHARE * TILE_W / ied
    mid = ((rx + lx) / 2, (ry + ly) / 2)
    warp = np.array([[k, 0.0, TILE_W / 2 - k * mid[0]], [0.0, k, EYE_LINE * TILE_H - k * mid[1]]])
    tile = cv2.warpAffine(image, warp, (TILE_W, TILE_H), flags=cv2.INTER_AREA,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=(17, 17, 17))
    ok, buf = cv2.imencode(".jpg", tile, [cv2.IMWRITE_JPEG_QUALITY, 85])
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode() if ok else ""


def aligned_row_html(folder: Path, rows: list[tuple[str, Shot, Reference]]) -> str:
    figures = []
    for person, shot, m in rows:
        src = aligned_tile(folder, shot, m)
        img = f'<img alt="{_e(person)}" src="{src}">' if src else ""
        figures.append(f'<div class="keeper" data-aligned="{_e(person)}"><div class="tile">{img}<span '
                       f'class="eyeline"></span></div><div class="small">{_e(person)}</div></div>')
    return f'<div class="aligned">{"".join(figures)}</div>'


def team_block(folder: Path, items: list[Shot], preset: str = "") -> str:
    """The consistency block of the contact sheet: "" unless at least two people's keepers
    were measured (consistency is across people). Plain ``div``s and titled ``h2``s: the
    page's ``section``, ``figure`` and bare ``h2`` elements stay one per person and shot."""
    reference, rows = team(folder, items)
    if reference is None or len(rows) < 2:
        return ""
    source = Path(reference.source).name if reference.source else "the first keeper"
    return (f'<style>{CSS}</style><div class="team" data-consistency="{len(rows)}">'
            f'<h2 class="team">Team consistency<span class="small">against {_e(source)} · {len(rows)} '
            f"people · eye line, head and position as % of the frame, light in stops below white</span></h2>"
            f"{table_html(reference, rows, thresholds_of(preset))}"
            f'<h2 class="team">Keepers aligned on the eyes</h2>{aligned_row_html(folder, rows)}</div>')
