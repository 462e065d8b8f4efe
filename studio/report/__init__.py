"""Reports of a session folder: the photographer's contact sheet and the client's page.

- :func:`render_sheet` — every shot grouped by person, verdict badges, problems, review;
- :func:`render_client` — large images of the keepers by person, no verdicts, no problem words.
"""

from studio.report.client import render_client
from studio.report.sheet import render_sheet

__all__ = ["render_client", "render_sheet"]
