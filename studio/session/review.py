"""The photographer's review of a shot: stars, a colour label, rejected — into every file.

:func:`review` updates the shot's ``.studio.json`` first (the record the rest is rebuilt from),
then its XMP: embedded in the JPEG and in every sidecar. Each file is replaced atomically, so a
crash leaves the old review or the new one. Rejecting follows Lightroom: ``xmp:Rating`` -1, and
``studio:rejected`` True; the shot's deliverables (B&W, crops) move to ``.rejected/`` (they are
not delivered) and come back when the shot is un-rejected.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from studio.analysis import Status
from studio.session import xmp
from studio.session.files import JSON_SIDECAR, base_of, json_sidecar
from studio.session.state import replace_atomic

log = logging.getLogger(__name__)

REJECTED_DIR = ".rejected"


@dataclass(frozen=True, slots=True)
class Review:
    base: str
    rating: int | None  # the photographer's stars (None: the verdict's)
    label: str | None  # the photographer's label (None: the verdict's; "" none)
    rejected: bool
    files: tuple[Path, ...]  # everything rewritten (photos, sidecars, the JSON)
    errors: tuple[str, ...] = ()


def check_rating(rating: object) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 0 <= rating <= 5:
        raise ValueError(f"a rating is 0 to 5 stars, not {rating!r}")
    return rating


def check_label(label: object) -> str:
    if not isinstance(label, str):
        raise ValueError(f"a label is one of {', '.join(xmp.LABELS)} or empty, not {label!r}")
    for name in xmp.LABELS:
        if label.strip().casefold() == name.casefold():
            return name
    if label.strip() in ("", "none"):
        return ""
    raise ValueError(f"a label is one of {', '.join(xmp.LABELS)} or empty, not {label!r}")


def shot_base(folder: Path, path_or_base: Path | str) -> str:
    """The base name of the shot ``path_or_base`` names (a photo, a sidecar or a base)."""
    name = Path(path_or_base).name
    for ending in (JSON_SIDECAR, ".xmp"):
        if name.endswith(ending):
            name = name[: -len(ending)]
    for candidate in (name, base_of(Path(name))):
        if json_sidecar(folder, candidate).is_file():
            return candidate
    raise ValueError(f"no checked shot {Path(path_or_base).name!r} in {folder.name}")


def review(folder: Path, path_or_base: Path | str, *, rating: int | None = None,
           label: str | None = None, rejected: bool | None = None) -> Review:
    """Set any of rating (0–5), label and rejected for one shot; the others stay as they were.

    Raises :class:`ValueError` (one line) for an unknown shot or a bad value; nothing is
    written then.
    """
    base = shot_base(folder, path_or_base)
    if rating is not None:
        rating = check_rating(rating)
    if label is not None:
        label = check_label(label)
    if rejected is not None and not isinstance(rejected, bool):
        raise ValueError(f"rejected is true or false, not {rejected!r}")
    path = json_sidecar(folder, base)
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read {path.name}: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path.name} is not a studio sidecar")
    old: dict[str, Any] = data["review"] if isinstance(data.get("review"), dict) else {}
    was_rejected = bool(old.get("rejected"))
    new_rating: int | None = old.get("rating") if rating is None else rating
    new_label: str | None = old.get("label") if label is None else label
    now_rejected = was_rejected if rejected is None else rejected
    # "pending" until the XMP is written too: a crash in between is finished on the next open
    # (finish_pending), so the files never keep saying less than the record.
    data["review"] = {"rating": new_rating, "label": new_label, "rejected": now_rejected,
                      "reviewed": datetime.now().isoformat(timespec="seconds"), "pending": True}
    errors: list[str] = []
    if now_rejected != was_rejected:
        data["extras"] = _move_extras(folder, data, to_rejected=now_rejected, errors=errors)
    replace_atomic(path, json.dumps(data, indent=2).encode() + b"\n")
    photos = [folder / name for name in data.get("files", []) if (folder / name).is_file()]
    sidecars, embed_errors = xmp.write_metadata(photos, fields_of_record(data))
    errors += embed_errors
    del data["review"]["pending"]
    replace_atomic(path, json.dumps(data, indent=2).encode() + b"\n")
    log.info("reviewed %s: rating %s, label %s, rejected %s", base, new_rating, new_label, now_rejected)
    return Review(base, new_rating, new_label, now_rejected, (path, *photos, *sidecars), tuple(errors))


def fields_of_record(data: dict[str, Any]) -> xmp.XmpFields:
    """The XMP of a shot from its ``.studio.json`` (verdict, person, credits, review)."""
    verdict = data.get("verdict") or {}
    try:
        status = Status(verdict.get("status", "unknown"))
    except ValueError:
        status = Status.UNKNOWN
    check = xmp.Verdict(status, tuple(verdict.get("problems", ())), tuple(verdict.get("messages", ())),
                        tuple(verdict.get("unsure", ())))
    review_ = data.get("review") or {}
    person = (data.get("person") or {}).get("name", "") if isinstance(data.get("person"), dict) else ""
    credits = data.get("credits") or {}
    extra = [k for k in verdict.get("keywords", ()) if k not in check.keywords]
    return xmp.fields_of(check, persons=(person,), creator=credits.get("creator", ""),
                         copyright=credits.get("copyright", ""), extra_keywords=extra,
                         rating=review_.get("rating"), label=review_.get("label"),
                         rejected=bool(review_.get("rejected")))


NO_REVIEW: dict[str, Any] = {"rating": None, "label": None, "rejected": False}


def finish_pending(folder: Path) -> list[str]:
    """Write the XMP of every review a crash left half-done (its JSON says ``pending``);
    returns their base names. Called when a session is opened."""
    done: list[str] = []
    for sidecar in sorted(folder.glob(f"*{JSON_SIDECAR}")):
        try:
            if b'"pending": true' not in sidecar.read_bytes():
                continue
            base = sidecar.name[: -len(JSON_SIDECAR)]
            review(folder, base)  # nothing changed: the same review, written to every file
            done.append(base)
        except (OSError, ValueError) as exc:
            log.warning("review of %s not finished: %s", sidecar.name, exc)
    return done


def prior_review(folder: Path, base: str) -> dict[str, Any]:
    """The review already recorded for ``base`` (a shot checked again keeps it), or none."""
    try:
        data = json.loads(json_sidecar(folder, base).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return dict(NO_REVIEW)
    review_ = data.get("review") if isinstance(data, dict) else None
    if not isinstance(review_, dict):
        return dict(NO_REVIEW)
    rating, label = review_.get("rating"), review_.get("label")
    return {**review_,
            "rating": rating if isinstance(rating, int) and not isinstance(rating, bool) else None,
            "label": label if isinstance(label, str) else None,
            "rejected": review_.get("rejected") is True}


def is_rejected(folder: Path, base: str) -> bool:
    """Whether the photographer rejected the shot ``base`` (deliverables are not made for it)."""
    return bool(prior_review(folder, base)["rejected"])


def _move_extras(folder: Path, data: dict[str, Any], *, to_rejected: bool, errors: list[str]) -> list[str]:
    """Deliverables of a rejected shot go to ``.rejected/``; back again when un-rejected."""
    aside = folder / REJECTED_DIR
    names = [n for n in data.get("extras", []) if isinstance(n, str) and "/" not in n]
    for name in names:
        src, dst = (folder / name, aside / name) if to_rejected else (aside / name, folder / name)
        if not src.exists() or dst.exists():
            continue
        try:
            dst.parent.mkdir(exist_ok=True)
            os.replace(src, dst)
        except OSError as exc:
            errors.append(f"deliverable {name}: {exc.strerror or exc}")
    return names
