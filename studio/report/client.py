"""The client's page: large images of the keepers, by person, and nothing else.

Keepers are the shots not rejected that the photographer rated ``min_rating`` stars or more,
and always each person's best shot not rejected (stars, then the verdict, then the later one),
so everyone photographed is on the page. No verdict badges, no problem words, no camera
settings: those are the photographer's (:mod:`.sheet`). Images are embedded (the page can be
mailed as one file), at most ``IMAGE_PX`` on their long side.
"""

from __future__ import annotations

import html
from pathlib import Path

from studio.report.gather import Shot, image_data_uri, keepers, shots
from studio.session.state import SessionState

IMAGE_PX = 1400
DEFAULT_MIN_RATING = 4

CSS = """
body{font:17px/1.5 Georgia,'DejaVu Serif',serif;margin:0;background:#f6f4f0;color:#222}
header{padding:36px 48px 12px} h1{margin:0;font-weight:400;font-size:32px} .meta{color:#777}
section{padding:8px 48px 28px} h2{font-weight:400;font-size:26px;margin:18px 0 12px;
 border-bottom:1px solid #ddd;padding-bottom:6px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:28px}
figure{margin:0;background:#fff;padding:12px;box-shadow:0 1px 4px #0002}
figure img{width:100%;height:auto;display:block} figcaption{color:#888;font-size:14px;padding-top:8px}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def figure(folder: Path, shot: Shot) -> str:
    src = image_data_uri(folder, shot.files, IMAGE_PX, quality=85)
    if not src:
        return ""
    return (f'<figure><img alt="{_e(shot.person)}" src="{src}">'
            f"<figcaption>{_e(shot.base)}</figcaption></figure>")


def render_client(folder: Path, state: SessionState, min_rating: int = DEFAULT_MIN_RATING) -> str:
    groups = keepers(shots(folder), min_rating)
    sections = []
    for person, group in groups:
        figures = "".join(figure(folder, s) for s in group)
        if figures:
            sections.append(f'<section data-person="{_e(person)}"><h2>{_e(person)}</h2>'
                            f'<div class="grid">{figures}</div></section>')
    count = sum(len(g) for _, g in groups)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{_e(state.name)}</title><style>{CSS}</style></head>
<body><header><h1>{_e(state.name)}</h1>
<div class="meta">{len(sections)} {'person' if len(sections) == 1 else 'people'} · {count} photographs</div>
</header><main>
{''.join(sections) or '<p>No photographs selected yet.</p>'}
</main></body></html>
"""
