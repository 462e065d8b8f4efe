"""The development set: labelled real photos from ``../shared/fixtures`` and their fixed split.

Labels live in ``tests/labels/*.csv`` (one row a photo, first column ``file`` relative to
``../shared/fixtures``); the images stay in ``../shared``. The split is fixed before any tuning by
a hash of the file name, so it never depends on the labels or on who runs the script:
``tune`` photos may set thresholds and weights, ``held-out`` photos are only ever measured.

    from scripts.devset import split_of, load_labels, FIXTURES
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "fixtures"
LABELS = ROOT / "tests" / "labels"
TUNE, HELD_OUT = "tune", "held-out"
_TUNE_SHARE = 50  # percent of photos that may be tuned on


def split_of(name: str) -> str:
    """``tune`` or ``held-out`` for a photo, from the SHA-1 of its file name (not its path)."""
    digest = hashlib.sha1(Path(name).name.encode("utf-8")).digest()
    return TUNE if int.from_bytes(digest[:2], "big") % 100 < _TUNE_SHARE else HELD_OUT


def load_labels(csv_name: str) -> list[dict[str, str]]:
    """Rows of ``tests/labels/<csv_name>``, each with its ``split`` added."""
    with (LABELS / csv_name).open(newline="", encoding="utf-8") as f:
        rows = [dict(r) for r in csv.DictReader(f) if r.get("file") and not r["file"].startswith("#")]
    for row in rows:
        row["split"] = split_of(row["file"])
    return rows


def rows_of(csv_name: str, split: str) -> Iterator[dict[str, str]]:
    """The rows of one split (``tune`` or ``held-out``)."""
    return (r for r in load_labels(csv_name) if r["split"] == split)


def image_path(row: dict[str, str]) -> Path:
    return FIXTURES / row["file"]


ACCURACY_DOC = ROOT / "docs" / "accuracy.md"


def write_section(area: str, markdown: str, doc: Path = ACCURACY_DOC) -> None:
    """Replace the block between ``<!-- area:NAME -->`` and ``<!-- /area:NAME -->`` in
    docs/accuracy.md (appended at the end when missing): each script owns its own block."""
    start, end = f"<!-- area:{area} -->", f"<!-- /area:{area} -->"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Accuracy of the portrait checks\n"
    block = f"{start}\n{markdown.strip()}\n{end}"
    if start in text and end in text:
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")
