"""Crop names (tight headshot … full-length): measure, fit the cuts on the tune half, report.

Run through ``scripts/tune_scene.py``:

    .venv/bin/python scripts/tune_scene.py measure --only crops --cache DIR   # ~2 min, one process
    .venv/bin/python scripts/tune_scene.py fit --only crops --cache DIR      # cuts -> thresholds/faces.py
    .venv/bin/python scripts/tune_scene.py report --cache DIR                # the crop rows of `scene`

``measure --only crops`` runs the face and framing checks alone (the headshot presets' framing) on
the labelled glasses-pool photos and on the synthetic tight headshots cut from them, and keeps
``DIR/crops.json``; without it the crop rows read the full ``measure``'s ``DIR/measured.json``.

The name reads the frame's bottom edge below the chin in face units, IED^w x face height^(1-w)
(``crop_unit_ied_weight``): w, then one cut per pair of neighbouring names, are chosen on the tune
half by leave-one-out; each cut is the centre of the widest interval of best training accuracy
(max margin), not the first value reaching it.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np

from scripts.devset import FIXTURES, HELD_OUT, TUNE, load_labels
from scripts.tune_scene import (
    HEADSHOT,
    LABELS,
    LEFT_IRIS,
    MIN_TIGHT_IED,
    RIGHT_IRIS,
    ROOT,
    TIGHT_SOURCES,
    _relabel,
    _summary,
    score_tight,
    tight_headshot,
)
from studio.analysis import Analysis
from studio.vision import Analyzer, load_image
from studio.vision.presets import Preset

POOL = "glasses-pool/"  # the crop labels (six names) are this pool's
CROP_PRESET = Preset("crop-evaluation", "face and framing, headshot framing", required=("face", "framing"),
                     shots=HEADSHOT.shots, thresholds=HEADSHOT.thresholds,
                     tight_crop_style=HEADSHOT.tight_crop_style)
HEADSHOT_CROPS = ("tight-headshot", "head-and-shoulders", "bust")
BODY = ("half-length", "three-quarter", "full-length")
UNIT_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)  # candidate w of IED^w x face height^(1-w)
SYNTHETIC_TIGHT = 0.95  # the share of synthetic tight headshots (tune) that must be named tight
THRESHOLDS_PY = ROOT / "studio" / "vision" / "thresholds" / "faces.py"
MEASURES = ("below_chin_ied", "face_height_ied", "eye_chin_ied")


# -- measuring --------------------------------------------------------------------------------


def measure(cache: Path) -> Path:
    """Face and framing on every labelled photo and its synthetic tight headshot (as
    ``tune_scene.measure`` cuts them), the latter also judged by ``id-photo``."""
    out: list[dict] = []
    started = time.perf_counter()
    rows = load_labels(LABELS)
    with Analyzer(CROP_PRESET, mode="still") as analyzer, Analyzer("id-photo", mode="still") as id_photo:
        for i, row in enumerate(rows):
            image = load_image(FIXTURES / row["file"])
            a = analyzer.analyse_image(image, source=row["file"])
            out.append({"kind": "real", "file": row["file"], "split": row["split"], "label": row,
                        "result": _summary(a)})
            crop = _tight_of(a, image, row)
            if crop is not None:
                s = analyzer.analyse_image(crop, source=row["file"] + "#tight")
                strict = id_photo.analyse_image(crop, source=row["file"] + "#tight")
                out.append({"kind": "tight", "file": row["file"], "split": row["split"],
                            "label": {"crop": "tight-headshot"}, "result": _summary(s),
                            "id_photo": _summary(strict)})
            if (i + 1) % 80 == 0:
                print(f"  {i + 1}/{len(rows)} photos, {time.perf_counter() - started:.0f} s", flush=True)
    target = cache / "crops.json"
    target.write_text(json.dumps(out), encoding="utf-8")
    print(f"measured {len(out)} crop cases in {time.perf_counter() - started:.0f} s -> {target}")
    return target


def _tight_of(a: Analysis, image: np.ndarray, row: dict) -> np.ndarray | None:
    """The synthetic tight headshot of a single, level face of a looser crop (else None)."""
    framing = a.check("framing")
    level = framing is not None and not {"tilted", "turned"} & set(framing.fields.get("problems", ()))
    if row["crop"] not in TIGHT_SOURCES or a.faces != 1 or a.subject is None or not level:
        return None
    lm = np.array(a.subject.landmarks, np.float32).copy()
    lm[:, 0] *= image.shape[1]
    lm[:, 1] *= image.shape[0]
    ied = float(np.linalg.norm(lm[RIGHT_IRIS, :2] - lm[LEFT_IRIS, :2]))
    return tight_headshot(image, lm, row["file"]) if ied >= MIN_TIGHT_IED else None


def load(cache: Path) -> list[dict]:
    """The crop cases (``crops.json``, else the full measure's), today's labels, this pool only."""
    path = cache / "crops.json"
    if not path.is_file():
        path = cache / "measured.json"
    cases = json.loads(path.read_text(encoding="utf-8"))
    return [c for c in _relabel(cases) if c["file"].startswith(POOL)]


# -- fitting ----------------------------------------------------------------------------------


def _rows(cases: list[dict], split: str) -> list[dict]:
    """Single faces with the crop measures, labelled with one of the six names."""
    out = []
    for c in cases:
        framing = c["result"]["checks"].get("framing") or {}
        truth = c["label"]["crop"]
        if c["split"] != split or c["result"]["faces"] != 1 or any(k not in framing for k in MEASURES):
            continue
        if truth in HEADSHOT_CROPS + BODY:
            out.append({"truth": truth, "real": c["kind"] == "real", "top": -float(framing["crown"]),
                        "below_crown": float(framing["below_crown"]),
                        **{k: float(framing[k]) for k in MEASURES}})
    return out


def _bottom(rows: list[dict], w: float) -> np.ndarray:
    return np.array([r["below_chin_ied"] / r["face_height_ied"] ** (1.0 - w) for r in rows])


def margin_cut(x: np.ndarray, upper: np.ndarray) -> tuple[float, float]:
    """(training accuracy, cut) for ``x >= cut`` meaning ``upper``: the centre of the widest
    interval between neighbouring values where the accuracy is best."""
    u = np.unique(x)
    if len(u) < 2:
        return float((upper == (x >= u[0])).mean()) if len(u) else 0.0, float(u[0]) if len(u) else 0.0
    acc = np.array([((x >= (a + b) / 2) == upper).mean() for a, b in zip(u[:-1], u[1:], strict=True)])
    best = acc >= acc.max() - 1e-12
    width, cut, i = -1.0, 0.0, 0
    while i < len(best):
        if not best[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(best) and best[j + 1]:
            j += 1
        if u[j + 1] - u[i] > width:
            width, cut = float(u[j + 1] - u[i]), float((u[i] + u[j + 1]) / 2)
        i = j + 1
    return float(acc.max()), cut


def loo(x: np.ndarray, upper: np.ndarray) -> int:
    """Leave-one-out right answers of :func:`margin_cut`."""
    keep = np.ones(len(x), bool)
    right = 0
    for i in range(len(x)):
        keep[i] = False
        right += (x[i] >= margin_cut(x[keep], upper[keep])[1]) == upper[i]
        keep[i] = True
    return right


def _pairs(rows: list[dict]) -> list[tuple[np.ndarray, np.ndarray]]:
    """The three boundaries of the ordinal name: tight | head-and-shoulders | bust | body."""
    truth = np.array([r["truth"] for r in rows])
    body = np.isin(truth, BODY)
    return [(np.isin(truth, ("tight-headshot", "head-and-shoulders")), truth == "head-and-shoulders"),
            (np.isin(truth, ("head-and-shoulders", "bust")), truth == "bust"),
            (np.ones(len(rows), bool), body)]


def choose_unit(rows: list[dict]) -> tuple[float, dict[float, list[int]]]:
    """w with the most leave-one-out right answers over the three boundaries (ties: nearest 0.5,
    the unit leaning least on one measure of the face)."""
    table = {}
    for w in UNIT_WEIGHTS:
        x = _bottom(rows, w)
        table[w] = [loo(x[m], up[m]) for m, up in _pairs(rows)]
    w = max(UNIT_WEIGHTS, key=lambda v: (sum(table[v]), -abs(v - 0.5)))
    return w, table


def fit(cache: Path) -> dict[str, float]:
    """The crop cuts from the tune half, written into thresholds/faces.py."""
    from studio.vision.thresholds import DEFAULT

    rows = _rows(load(cache), TUNE)
    real = [r for r in rows if r["real"]]
    synthetic = [r for r in rows if not r["real"]]
    if len({r["truth"] for r in real}) < 4:  # a cache measured before the crop measures existed
        print(f"no crop measures in {cache} (run `tune_scene.py measure --only crops`): crop cuts kept")
        return {}
    w, table = choose_unit(real)
    x, xs = _bottom(real, w), _bottom(synthetic, w)
    truth = np.array([r["truth"] for r in real])
    body = np.isin(truth, BODY)
    e_acc, e = margin_cut(x, body)  # headshot crops vs body crops
    head = ~body
    neck = np.array([r["below_chin_ied"] / r["eye_chin_ied"] < DEFAULT.neck_crop_band for r in real])
    # Tight: the frame ending at the neck is tight by definition (the neck warning's own edge);
    # the learned cut adds the frames ending at the chin or just under it.
    pair = head & ~neck & np.isin(truth, ("tight-headshot", "head-and-shoulders"))
    _, a = margin_cut(x[pair], truth[pair] == "head-and-shoulders") if pair.any() else (0.0, 0.0)
    b, c, t_acc = _hair_rule(real, synthetic, x, xs, neck, a, head)
    top = np.array([r["top"] for r in real])
    tight_said = neck | (x < a) | ((top > b) & (x < c))
    rest = head & ~tight_said & (truth != "tight-headshot")
    d_acc, d = margin_cut(x[rest], truth[rest] == "bust")
    crown = np.array([r["below_crown"] for r in real])
    _, f = margin_cut(crown, body)  # faces without landmarks: head lengths below the crown
    values = {"crop_unit_ied_weight": w, "crop_tight_max_below_chin": a, "crop_tight_top_cut": b,
              "crop_tight_cut_max_below_chin": c, "crop_shoulders_max_below_chin": d,
              "crop_bust_max_below_chin": e, "crop_bust_max_below_crown": f}
    print(f"crops on {len(real)} tune real + {len(synthetic)} synthetic single faces; leave-one-out right "
          "answers (tight|h&s, h&s|bust, headshot|body) by unit weight w: "
          + "; ".join(f"w={k}: {v}" for k, v in table.items()))
    print(f"w = {w}: headshot vs body {e_acc:.0%}, tight vs rest {t_acc:.0%}, shoulders vs bust "
          f"{d_acc:.0%}: " + ", ".join(f"{k} = {v:.2f}" for k, v in values.items()))
    write_thresholds(values)
    return values


def _hair_rule(real: list[dict], synthetic: list[dict], x: np.ndarray, xs: np.ndarray, neck: np.ndarray,
               a: float, head: np.ndarray) -> tuple[float, float, float]:
    """(top cut b, bottom limit c, accuracy): the hair cropped (crown more than b head lengths
    above the top edge) and the frame ending less than c below the chin is tight. Real photos
    set it; the synthetic tight headshots only as a floor (SYNTHETIC_TIGHT of them named tight)."""
    from studio.vision.thresholds import DEFAULT

    tight = np.array([r["truth"] == "tight-headshot" for r in real])
    top = np.array([r["top"] for r in real])
    s_top = np.array([r["top"] for r in synthetic])
    s_neck = np.array([r["below_chin_ied"] / r["eye_chin_ied"] < DEFAULT.neck_crop_band for r in synthetic])
    best = (-1.0, 0.0, a)
    for b in np.arange(0.30, -0.001, -0.02):  # the strictest hair cut first
        for c in np.arange(max(a, 0.0), 1.5 * max(a, 0.3) + 1.0, 0.02):
            if len(xs) and float((s_neck | (xs < a) | ((s_top > b) & (xs < c))).mean()) < SYNTHETIC_TIGHT:
                continue
            said = neck | (x < a) | ((top > b) & (x < c))
            acc = float((said[head] == tight[head]).mean())
            if acc > best[0] + 1e-9:
                best = (acc, float(b), float(c))
    return best[1], best[2], best[0]


def write_thresholds(values: dict[str, float]) -> None:
    """Set the default of each named field in thresholds/faces.py (the number after ``_t(``)."""
    text = THRESHOLDS_PY.read_text(encoding="utf-8")
    for name, value in values.items():
        pattern = re.compile(rf"({name}: float = _t\(\s*)([-0-9.]+)")
        text, n = pattern.subn(f"\\g<1>{value:.2f}", text, count=1)
        if n != 1:
            raise SystemExit(f"{name} not found in {THRESHOLDS_PY}")
    THRESHOLDS_PY.write_text(text, encoding="utf-8")


# -- report -----------------------------------------------------------------------------------


def score_crops(cases: list[dict], split: str) -> tuple[int, int, Counter]:
    """(right, judged, confusions) of the crop name on the real photos of ``split`` (groups and
    ``unsure`` labels left out)."""
    right = total = 0
    confusion: Counter = Counter()
    for c in cases:
        truth = c["label"]["crop"]
        if c["kind"] != "real" or c["split"] != split or truth in ("group", "unsure"):
            continue
        said = c["result"]["checks"]["framing"].get("crop") or c["result"]["shot"]
        total += 1
        right += said == truth
        confusion[(truth, said)] += 1
    return right, total, confusion


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} = {100.0 * a / b:.0f} %" if b else "–"


def _confusions(confusion: Counter) -> str:
    return ", ".join(f"{a} → {b}: {n}" for (a, b), n in sorted(confusion.items()) if a != b)


# Label corrections by the rule in docs/checks.md, third round, both halves (file, old, new).
CORRECTIONS_3 = (
    ("glasses_105", "head-and-shoulders", "tight-headshot"),
    ("glasses_144", "head-and-shoulders", "tight-headshot"),
    ("glasses_143", "head-and-shoulders", "tight-headshot"),
    ("noglasses_075", "head-and-shoulders", "tight-headshot"),
    ("noglasses_048", "bust", "head-and-shoulders"),
    ("noglasses_076", "bust", "head-and-shoulders"),
    ("noglasses_078", "bust", "head-and-shoulders"),
    ("glasses_006", "bust", "half-length"),
    ("glasses_045", "tight-headshot", "head-and-shoulders"),
    ("glasses_162", "tight-headshot", "head-and-shoulders"),
)


def lines(cache: Path) -> list[str]:
    """The crop rows of the `scene` table, then the confusions and the earlier trees' figures."""
    cases = load(cache)
    h, t = score_tight(cases, HELD_OUT), score_tight(cases, TUNE)

    def row(what: str, key: str, of: str, target: str = "") -> str:
        cells = [_pct(n.get(key, 0), n.get(of, 0)) for n in (h, t)]
        return f"| {what} | {cells[0]} | {cells[1]} | {target} |"

    right, total, confusion = score_crops(cases, HELD_OUT)
    tr, tt, _ = score_crops(cases, TUNE)
    out = [row("synthetic tight headshot accepted (commercial-headshot framing passes)", "accepted", "cases",
               "≥ 90 %"),
           row("synthetic tight headshot named `tight-headshot`", "named_tight", "cases"),
           row("… of those, reported by `id-photo` (whole head and neck wanted)", "id_reported", "id_tight"),
           f"| crop name (six names, real photos) | {_pct(right, total)} | {_pct(tr, tt)} | |"]
    out += ["", "Crop confusions on the held-out half (label → said: count): " + _confusions(confusion) + ". "
            "The name reads the frame's bottom edge below the chin in face units (IED^w × face height^(1-w), "
            "w and the cuts chosen on the tune half by leave-one-out, `fit --only crops`); the top edge "
            "only for a tight headshot's hair cut; pose only for the body crops. Bust and half-length "
            "overlap by definition (chest or waist): the frame bottom alone tells them apart, never "
            "the frame's width."]
    moved = Counter((old, new) for _, old, new in CORRECTIONS_3)
    out += ["", f"Third round label corrections by the rule (docs/checks.md, both halves alike: "
            f"{sum(1 for f, _, _ in CORRECTIONS_3 if _split(f) == TUNE)} tune, "
            f"{sum(1 for f, _, _ in CORRECTIONS_3 if _split(f) == HELD_OUT)} held-out): "
            + ", ".join(f"{n} `{a}` → `{b}`" for (a, b), n in moved.items())
            + f"; {h.get('cases', 0) + t.get('cases', 0)} synthetic tight headshots from today's sources."]
    out += _earlier(cache)
    return out


def _split(stem: str) -> str:
    from scripts.devset import split_of

    return split_of(f"{POOL}{stem}.jpg")


def _earlier(cache: Path) -> list[str]:
    """The crop name of earlier trees on the same rows, today's labels."""
    out = []
    previous = cache / "previous" / "measured.json"  # the tree before the width-free crop rule
    if previous.is_file():
        old = _relabel(json.loads(previous.read_text(encoding="utf-8")))
        (pr, pt, _), (qr, qt, _) = score_crops(old, HELD_OUT), score_crops(old, TUNE)
        out += ["", f"Crop name before the width-free rule (a chest-level frame was a headshot only "
                f"when the head filled 40 % of the width; same rows, today's labels): "
                f"held-out {_pct(pr, pt)}, tune {_pct(qr, qt)}."]
    third = cache / "round3-start" / "crops.json"  # the third round's starting tree
    if third.is_file():
        old = _relabel(json.loads(third.read_text(encoding="utf-8")))
        (pr, pt, conf), (qr, qt, _) = score_crops(old, HELD_OUT), score_crops(old, TUNE)
        out += ["", "Crop name before the third round (the frame bottom in head lengths below the estimated "
                f"crown, cuts by the first grid value reaching the best tune score; same rows, today's "
                f"labels): held-out {_pct(pr, pt)}, tune {_pct(qr, qt)}; held-out confusions: "
                + _confusions(conf) + "."]
    return out
