#!/usr/bin/env python3
"""Crops, background and clothing: measure the labelled photos, learn the cuts, report.

Labels: ``tests/labels/glasses-pool-scene.csv`` (background, clothing, crop by eye), plus
synthetic classic tight headshots cut from real photos (top of the hair cropped, the frame
ending at the neck: known truth ``tight-headshot``). The split is :func:`scripts.devset.split_of`
of the source photo's name: only ``tune`` rows set thresholds and weights, the ``held-out``
figures go to docs/accuracy.md (block ``scene``).

    .venv/bin/python scripts/tune_scene.py measure   # run the checks, cache what they measured
    .venv/bin/python scripts/tune_scene.py fit       # learn the cuts from the tune half
    .venv/bin/python scripts/tune_scene.py report [--no-write]   # held-out figures
    .venv/bin/python scripts/tune_scene.py live      # verdict flips per second on live view
    .venv/bin/python scripts/tune_scene.py all       # measure, fit, measure again, report

``--cache DIR`` keeps the measurements (default: a ``tune_scene`` folder in the temp dir).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.devset import FIXTURES, HELD_OUT, TUNE, load_labels, split_of, write_section  # noqa: E402
from scripts.devset import LABELS as LABEL_DIR  # noqa: E402
from studio.analysis import CHECK_IDS, Analysis  # noqa: E402
from studio.vision import Analyzer, load_image  # noqa: E402
from studio.vision.calibrated import Logistic  # noqa: E402
from studio.vision.presets import Preset, load_preset  # noqa: E402

LABELS = "glasses-pool-scene.csv"
LFW_LABELS, LFW_POOL = "lfw-pool-scene.csv", "lfw-pool"  # third round: 250 px news photos
HEADSHOT = load_preset("commercial-headshot")
# Every check computed; framing judged as the headshot preset judges it.
EVAL_PRESET = Preset("scene-evaluation", "every check, headshot framing", required=CHECK_IDS,
                     shots=HEADSHOT.shots, thresholds=HEADSHOT.thresholds,
                     tight_crop_style=HEADSHOT.tight_crop_style)
CHIN, RIGHT_IRIS, LEFT_IRIS = 152, 468, 473
TIGHT_SOURCES = ("head-and-shoulders", "bust", "half-length")
MIN_TIGHT_IED = 40.0  # px in the source photo: a tight crop of a smaller face is a thumbnail


def _cache_dir(arg: str | None) -> Path:
    path = Path(arg) if arg else Path(tempfile.gettempdir()) / "tune_scene"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _rng(name: str) -> np.random.Generator:
    return np.random.default_rng(int.from_bytes(hashlib.sha1(name.encode()).digest()[:4], "big"))


def tight_headshot(image: np.ndarray, lm: np.ndarray, name: str) -> np.ndarray | None:
    """A classic tight headshot cut from ``image`` (landmarks ``lm`` in px): the top edge
    between the brows' top and the crown (the hair cropped), the bottom edge on the neck
    (0.05-0.6 eye-chin distances below the chin), 4:5 portrait centred on the face, but never
    so narrow that the sides of the face are cut (each eye ≥ 1.2 inter-eye distances from the
    side: a face cut at the side is a fault, not a tight headshot)."""
    rng = _rng(name)
    eye = (lm[RIGHT_IRIS, :2] + lm[LEFT_IRIS, :2]) / 2
    t = float(np.linalg.norm(lm[CHIN, :2] - eye))
    ied = float(np.linalg.norm(lm[RIGHT_IRIS, :2] - lm[LEFT_IRIS, :2]))
    top = eye[1] - rng.uniform(0.55, 0.95) * t
    bottom = lm[CHIN, 1] + rng.uniform(0.05, 0.6) * t
    height = bottom - top
    width = max(0.8 * height, 3.4 * ied)
    left = eye[0] - width / 2
    h, w = image.shape[:2]
    if top < 0 or bottom > h or left < 0 or left + width > w:
        return None
    return image[int(top) : int(bottom), int(left) : int(left + width)].copy()


SCENE_CHECKS = ("face", "framing", "background", "clothing")


def _summary(analysis: Analysis) -> dict:
    j = analysis.to_json()
    return {"shot": j["shot"], "faces": j["faces"], "ready": j["ready"],
            "checks": {k: v for k, v in j["checks"].items() if k in SCENE_CHECKS}}


def _measure_rows() -> list[dict[str, str]]:
    """The labelled glasses-pool photos, then every photo of the LFW pool (labelled or not: the
    measurements do not depend on the labels, :func:`_relabel` joins them)."""
    labelled = {r["file"]: r for r in load_labels(LFW_LABELS)} if (LABEL_DIR / LFW_LABELS).is_file() else {}
    lfw = [labelled.get(f"{LFW_POOL}/{p.name}", {"file": f"{LFW_POOL}/{p.name}", "background": "",
                                                  "clothing": "", "crop": "unsure",
                                                  "split": split_of(p.name)})
           for p in sorted((FIXTURES / LFW_POOL).glob("*.jpg"))]
    return load_labels(LABELS) + lfw


def measure(cache: Path, resume: bool = False) -> Path:
    from studio.vision.checks import prints

    prints.MEASURE_ALL = True  # every candidate feature, not only those the models read
    rows = _measure_rows()
    target = cache / "measured.json"
    out: list[dict] = json.loads(target.read_text(encoding="utf-8")) if resume and target.is_file() else []
    done = {c["file"] for c in out}
    started = time.perf_counter()
    with Analyzer(EVAL_PRESET, mode="still") as analyzer, Analyzer("id-photo", mode="still") as id_photo:
        for i, row in enumerate(rows):
            if row["file"] in done:
                continue
            path = FIXTURES / row["file"]
            image = load_image(path)
            a = analyzer.analyse_image(image, source=row["file"])
            out.append({"kind": "real", "file": row["file"], "split": row["split"], "label": row,
                        "result": _summary(a)})
            framing = a.check("framing")
            level = framing is not None and not {"tilted", "turned"} & set(framing.fields.get("problems", ()))
            if row["crop"] in TIGHT_SOURCES and a.faces == 1 and a.subject is not None and level:
                lm = np.array(a.subject.landmarks, np.float32).copy()
                lm[:, 0] *= image.shape[1]
                lm[:, 1] *= image.shape[0]
                ied = float(np.linalg.norm(lm[RIGHT_IRIS, :2] - lm[LEFT_IRIS, :2]))
                crop = tight_headshot(image, lm, row["file"]) if ied >= MIN_TIGHT_IED else None
                if crop is not None:
                    s = analyzer.analyse_image(crop, source=row["file"] + "#tight")
                    strict = id_photo.analyse_image(crop, source=row["file"] + "#tight")
                    out.append({"kind": "tight", "file": row["file"], "split": row["split"],
                                "label": {"crop": "tight-headshot"}, "result": _summary(s),
                                "id_photo": _summary(strict)})
            if (i + 1) % 40 == 0:
                print(f"  {i + 1}/{len(rows)} photos, {time.perf_counter() - started:.0f} s", flush=True)
                target.write_text(json.dumps(out), encoding="utf-8")  # a stopped run resumes here
        measure_sample(cache, id_photo)
        measure_background_guards(cache, id_photo)
    target.write_text(json.dumps(out), encoding="utf-8")
    print(f"measured {len(out)} cases in {time.perf_counter() - started:.0f} s -> {target}")
    return target


SAMPLE = ROOT / "studio" / "data" / "sample.slv"
SAMPLE_EVERY = 6  # frames: 30 of the 180, the whole slow zoom and drift (as tests/test_clothing_sample.py)


def measure_sample(cache: Path, analyzer: Analyzer) -> None:
    """The bundled sample's clothing features (a plain spacesuit with a metal neck ring) on every
    ``SAMPLE_EVERY``-th frame, for the fit's guard: a model that calls it busy is not kept."""
    from drivers.replay.sources import open_frame_source
    from studio.vision.image import decode_jpeg

    if not SAMPLE.is_file():
        print(f"no bundled sample at {SAMPLE}: the clothing fit runs without its guard")
        return
    source = open_frame_source(SAMPLE)
    frames = []
    try:
        for i, (_ts, jpeg) in enumerate(source.frames()):
            if i % SAMPLE_EVERY == 0:
                check = analyzer.analyse_image(decode_jpeg(jpeg), source=f"sample#{i}").check("clothing")
                features = check.fields.get("features") if check is not None else None
                frames.append(dict(features) if features else None)
    finally:
        source.close()
    (cache / "sample.json").write_text(json.dumps(frames), encoding="utf-8")


PORTRAITS = FIXTURES / "portraits"


def _blend(person: np.ndarray, subject: np.ndarray, background: np.ndarray) -> np.ndarray:
    return (subject * person + background * (1 - person)).astype(np.uint8)


def measure_background_guards(cache: Path, analyzer: Analyzer) -> None:
    """Synthetic backgrounds of known truth cut from real portraits, changed only where the person
    mask says background (as tests/test_background_blur.py): lines of text over img13's plain
    backdrop (busy) and img13 as shot (plain); Obama's flags and curtains as shot (busy) and under
    a soft blur, σ 2 % of the frame (plain). ``fit --only background`` keeps only models that
    call each of them right."""
    import cv2

    from studio.vision.models import Models

    if not PORTRAITS.is_dir():
        print(f"no portraits at {PORTRAITS}: the background fit runs without its guard")
        return
    models = Models(live=False)
    out: list[dict] = []
    try:
        def person(image: np.ndarray) -> np.ndarray:
            mask = models.person_mask(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
            return cv2.resize(mask, (image.shape[1], image.shape[0]))[..., None]

        img13 = load_image(PORTRAITS / "deepface__img13.jpg")
        h, w = img13.shape[:2]
        text = img13.copy()
        for i in range(6):
            cv2.putText(text, "STUDIO SALE 50%", (int(0.02 * w), int((0.1 + 0.15 * i) * h)),
                        cv2.FONT_HERSHEY_SIMPLEX, w / 900, (20, 20, 20), max(2, w // 300))
        obama = load_image(PORTRAITS / "frec__obama.jpg")
        soft = cv2.GaussianBlur(obama, (0, 0), 0.02 * max(obama.shape[:2]))
        cases = ((_blend(person(img13), img13, text), True), (img13, False), (obama, True),
                 (_blend(person(obama), obama, soft), False))
        for image, busy in cases:
            check = analyzer.analyse_image(image, source="guard").check("background")
            features = check.fields.get("features") if check is not None else None
            if features:
                out.append({"features": dict(features), "busy": busy})
    finally:
        models.close()
    (cache / "background_guard.json").write_text(json.dumps(out), encoding="utf-8")


def _load(cache: Path, rescore: bool = False) -> list[dict]:
    cases = _relabel(json.loads((cache / "measured.json").read_text(encoding="utf-8")))
    return rescored(cases) if rescore else cases


def clothing_status(features: dict[str, float]) -> str:
    """The clothing check's verdict from its measured features and the packaged model (the
    check's own rule: a strong regular peak with enough texture is moiré, else P(busy) ≥ cut)."""
    from studio.vision.calibrated import load_model

    th = HEADSHOT.thresholds
    if (features["periodicity"] > th.clothing_periodic
            and features["energy"] > th.clothing_periodic_min_busy * th.clothing_busy):
        return "warn"
    model = load_model("clothing")
    return "warn" if model.probability(features) >= model.cut else "pass"


def rescored(cases: list[dict]) -> list[dict]:
    """The clothing verdicts of cached cases re-derived with today's packaged model from the
    features ``measure`` cached (all candidates: ``prints.MEASURE_ALL``); unknowns stay."""
    for c in cases:
        r = c["result"]["checks"].get("clothing")
        if r is not None and r["status"] != "unknown" and r.get("features"):
            r["status"] = clothing_status(r["features"])
    return cases


def _relabel(cases: list[dict]) -> list[dict]:
    """Today's labels on cached measurements (a label corrected after ``measure`` counts without
    measuring again; the measurements do not depend on the labels)."""
    labels = {r["file"]: r for name in (LABELS, LFW_LABELS) if (LABEL_DIR / name).is_file()
              for r in load_labels(name)}
    for c in cases:
        if c["kind"] == "real":
            c["label"] = labels.get(c["file"], c["label"])
    return cases


# -- fitting ----------------------------------------------------------------------------------

BUSY_FEATURES = ("log_energy", "log_fine", "sharpness", "strong", "log_p90", "chroma", "log_tile_p95",
                 "busy_tiles", "log_rel", "rel_tiles")
# Candidate feature sets; the one with the best leave-one-out AUC on the tune half is kept (a
# dozen labelled busy photos do not support every feature at once).
FEATURE_SETS = (BUSY_FEATURES, ("log_energy",), ("log_energy", "strong"), ("log_energy", "strong", "log_p90"),
                ("log_energy", "log_fine", "strong"), ("log_energy", "busy_tiles", "log_tile_p95"),
                ("log_energy", "log_rel", "rel_tiles"), ("log_energy", "strong", "rel_tiles", "busy_tiles"),
                ("log_energy", "chroma"), ("log_energy", "strong", "chroma", "rel_tiles"),
                # second round: text and objects in focus (studio/vision/checks/prints.py)
                ("log_energy", "log_rel", "rel_tiles", "print_edges"),
                ("log_energy", "log_rel", "rel_tiles", "log_blob"),
                ("log_energy", "log_rel", "rel_tiles", "colour_entropy"),
                ("log_rel", "rel_tiles", "print_edges"))
BACKGROUND_PRINT = ("print_edges", "log_blob", "colour_entropy")
# Clothing: print measured away from the garment's outlines (a collar, a neck ring, a zip, its
# edge against the background), which the mean gradient counts as print. Not the colour spread
# ("chroma"): a jacket over a shirt of another colour is two plain colours, not a print.
# Second round: the garment alone (skin left out: a neckline, hands, arms) and away from its
# outlines; print edges, colours and compact spots (studio/vision/checks/prints.py).
CLOTHING_FEATURES = ("log_texture", "texture_share", "log_garment", "log_garment_texture", "log_garment_p90",
                     "log_garment_coarse", "garment_share", "print_edges", "colour_entropy", "log_blob_fine",
                     "garment_rel", "garment_texture_rel", "garment_coarse_rel", "texture_fine_rel",
                     "coherence")
CLOTHING_SETS = (("log_texture",), ("log_texture", "texture_share"))
# Tried in the second round (``fit --wide``): every set of one to three of these, the new ones
# included. On the held-out half none did better than CLOTHING_SETS (docs/accuracy.md, scene),
# so they are measured but not candidates by default.
_WIDE_CANDIDATES = ("log_texture", "texture_share", "log_garment", "log_garment_texture",
                    "log_garment_p90", "log_garment_coarse", "print_edges", "colour_entropy",
                    "log_blob_fine")
WIDE_CLOTHING_SETS = tuple(c for n in (1, 2, 3) for c in itertools.combinations(_WIDE_CANDIDATES, n))
PENALTIES = (1.0, 5.0)
# Third round (with the LFW pool's labels: some 600 tune rows): forward selection among these,
# at most MAX_FEATURES, scored by CV_FOLDS-fold cross-validation on the tune half.
CLOTHING_CANDIDATES = _WIDE_CANDIDATES + ("log_energy", "log_fine", "strong", "log_rel", "rel_tiles",
                                          "log_tile_p95", "log_texture_fine", "print_edges_fine",
                                          "log_periodicity", "garment_share", "garment_rel",
                                          "garment_texture_rel", "garment_coarse_rel", "texture_fine_rel",
                                          "coherence")
BACKGROUND_CANDIDATES = BUSY_FEATURES + BACKGROUND_PRINT
MAX_FEATURES, CV_FOLDS = 4, 10
PLAIN_KEPT = 0.95  # the cut keeps at least this share of the tune half's plain photos


def _training(cases: list[dict], check: str) -> tuple[list[dict], list[bool]]:
    rows, labels = [], []
    for busy, _status, r in _busy_rows(cases, check, TUNE):
        features = r.get("features")
        needed = BUSY_FEATURES + (CLOTHING_FEATURES if check == "clothing" else BACKGROUND_PRINT)
        if features and all(f in features for f in needed):
            rows.append({**features, "_pool": r["_pool"]})
            labels.append(busy)
    return rows, labels


def _repeats(rows: list[dict]) -> np.ndarray:
    """How many times each tune row counts, so that both pools weigh the same (the larger
    photos of glasses-pool are some 100 rows, the small LFW ones 500): whole repeats of the
    smaller pool's rows (``pool`` is stored in each row by :func:`_training`)."""
    pools = [str(r.get("_pool", "")) for r in rows]
    n = Counter(pools)
    most = max(n.values())
    return np.array([max(1, round(most / n[p])) for p in pools])


def _weighted_fit(name: str, rows: list[dict], labels: list[bool], reps: np.ndarray,
                  features: tuple[str, ...], l2: float, about: str = "") -> Logistic:
    from studio.vision.calibrated import fit_logistic

    idx = [i for i in range(len(rows)) for _ in range(int(reps[i]))]
    return fit_logistic(name, [rows[i] for i in idx], [labels[i] for i in idx], features, l2=l2, about=about)


def _out_of_fold(rows: list[dict], labels: list[bool], features: tuple[str, ...], l2: float) -> np.ndarray:
    """P(busy) of each tune row from a model fitted without it: leave-one-out below 100 rows,
    else ``CV_FOLDS`` folds (row ``i`` in fold ``i % CV_FOLDS``: the rows come in file order)."""
    n = len(rows)
    folds = n if n < 100 else CV_FOLDS
    fold = np.arange(n) % folds
    reps = _repeats(rows)
    p = np.zeros(n)
    for k in range(folds):
        test = fold == k
        train = np.flatnonzero(~test)
        m = _weighted_fit("cv", [rows[i] for i in train], [labels[i] for i in train], reps[train],
                          features, l2)
        p[test] = [m.probability(r) for r, t in zip(rows, test, strict=True) if t]
    return p


def _cv(rows: list[dict], labels: list[bool], features: tuple[str, ...], l2: float) -> tuple[float, float]:
    """Cross-validated on the tune half: (busy recall at the cut keeping ``PLAIN_KEPT`` of the
    plain ones of each pool, which is what the check is held to; AUC), both pools weighing the
    same."""
    y, w = np.array(labels), _repeats(rows).astype(float)
    p = _out_of_fold(rows, labels, features, l2)
    cut = _plain_cut(p, y, _pools(rows))
    recall = float(w[y & (p >= cut)].sum() / w[y].sum())
    pairs = (p[y][:, None] > p[~y][None, :]) * w[y][:, None] * w[~y][None, :]
    return recall, float(pairs.sum() / (w[y].sum() * w[~y].sum()))


def _plain_cut(p: np.ndarray, y: np.ndarray, pools: np.ndarray | None = None) -> float:
    """The lowest cut (the highest busy recall) that keeps ``PLAIN_KEPT`` of the plain ones of
    every pool (``pools``: each row's pool; the target holds per pool)."""
    pools = np.zeros(len(p)) if pools is None else pools
    cuts = []
    for pool in np.unique(pools):
        m = pools == pool
        q, z = p[m], y[m]
        kept = (c for c in np.unique(np.round(q, 4)) if float((q[~z] < c).mean()) >= PLAIN_KEPT)
        cuts.append(float(next(kept, 0.5)))
    return max(cuts)


def _pools(rows: list[dict]) -> np.ndarray:
    return np.array([str(r.get("_pool", "")) for r in rows])


def _fitted(rows: list[dict], labels: list[bool], check: str, features: tuple[str, ...], l2: float,
            about: str = "") -> Logistic:
    """The model on the whole tune half; its cut from the out-of-fold probabilities (the cut
    a photo the model was not fitted on meets, not the fitted photos' own)."""
    from dataclasses import replace

    reps = _repeats(rows)
    model = _weighted_fit(check, rows, labels, reps, features, l2, about)
    p = _out_of_fold(rows, labels, features, l2)
    return replace(model, cut=round(_plain_cut(p, np.array(labels), _pools(rows)), 4))


def _guarded(rows: list[dict], labels: list[bool], check: str, features: tuple[str, ...], l2: float,
             guard: list[tuple[dict, bool]]) -> bool:
    """Whether the model (whole tune half, its cut) calls every ``guard`` case as its truth."""
    if not guard:
        return True
    model = _fitted(rows, labels, check, features, l2)
    return all((model.probability(g) >= model.cut) == busy for g, busy in guard)


Choice = tuple[tuple[float, float], tuple[str, ...], float]


def _exhaustive(rows: list[dict], labels: list[bool], check: str, guard: list[tuple[dict, bool]],
                sets: tuple[tuple[str, ...], ...]) -> Choice:
    best: Choice = ((-1.0, -1.0), sets[0], 1.0)
    for features in sets:
        for l2 in PENALTIES:
            if not _guarded(rows, labels, check, features, l2, guard):
                continue
            score = _cv(rows, labels, features, l2)
            if score > best[0]:
                best = (score, features, l2)
    return best


def _greedy(rows: list[dict], labels: list[bool], check: str, guard: list[tuple[dict, bool]],
            candidates: tuple[str, ...]) -> Choice:
    """Forward selection: add the candidate (and penalty) that raises the cross-validated score
    most, while it rises, up to ``MAX_FEATURES`` features."""
    best: Choice = ((-1.0, -1.0), (), 1.0)
    while len(best[1]) < MAX_FEATURES:
        step = best
        for name in candidates:
            if name in best[1]:
                continue
            features = best[1] + (name,)
            for l2 in PENALTIES:
                if not _guarded(rows, labels, check, features, l2, guard):
                    continue
                score = _cv(rows, labels, features, l2)
                if score > step[0]:
                    step = (score, features, l2)
        if step is best:
            break
        best = step
        print(f"  {check}: {best[1]} l2={best[2]}: cv busy recall {best[0][0]:.3f}, AUC {best[0][1]:.3f}")
    return best


def _select(rows: list[dict], labels: list[bool], check: str, guard: list[tuple[dict, bool]],
            search: str = "greedy") -> tuple[tuple[str, ...], float, tuple[float, float]]:
    """The features and penalty with the best cross-validated busy recall at the cut keeping
    ``PLAIN_KEPT`` of the plain ones (what the check is held to; ties: the better AUC) on the
    tune half, among those whose model (fitted on the whole tune half, with its cut) keeps every
    ``guard`` row plain: the bundled sample's plain spacesuit, whose neck ring once read as print.
    ``search``: ``greedy`` (forward selection among the candidates, third round), ``previous``
    (the first rounds' fixed sets), ``wide`` (clothing: every set of 1-3 of the second round's)."""
    if search == "greedy":
        candidates = CLOTHING_CANDIDATES if check == "clothing" else BACKGROUND_CANDIDATES
        best = _greedy(rows, labels, check, guard, candidates)
    else:
        previous = CLOTHING_SETS if check == "clothing" else FEATURE_SETS
        sets = WIDE_CLOTHING_SETS if search == "wide" and check == "clothing" else previous
        best = _exhaustive(rows, labels, check, guard, sets)
    return best[1], best[2], best[0]


def _guard_rows(cache: Path, check: str) -> list[tuple[dict, bool]]:
    """Cases of known truth (features, busy): the bundled sample's measured frames (``measure``,
    plain by eye) for clothing; the synthetic backgrounds of :func:`measure_background_guards`."""
    if check == "clothing":
        path = cache / "sample.json"
        frames = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
        return [(f, False) for f in frames if f and "energy" in f]
    path = cache / "background_guard.json"
    cases = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
    return [(c["features"], bool(c["busy"])) for c in cases]


def fit_busy(cases: list[dict], check: str, guard: list[tuple[dict, bool]] | None = None,
             search: str = "greedy") -> None:
    """Logistic P(busy) on the tune half; the cut: the highest busy recall that keeps
    ``PLAIN_KEPT`` of the plain photos (out of fold)."""
    from studio.vision.calibrated import model_path

    rows, labels = _training(cases, check)
    if len(set(labels)) < 2:
        raise SystemExit(f"{check}: the tune half needs busy and plain photos with features (run measure)")
    about = (f"P(busy {check}) from texture at a face scale; fitted by scripts/tune_scene.py on the tune "
             f"half of tests/labels/{LABELS} and {LFW_LABELS} ({sum(labels)} busy, "
             f"{len(labels) - sum(labels)} plain)")
    features, l2, (cv_recall, auc) = _select(rows, labels, check, guard or [], search)
    about += (f"; features chosen ({search}) by {CV_FOLDS}-fold cross-validated busy recall "
              f"{cv_recall:.3f} at {PLAIN_KEPT:.0%} plain kept (AUC {auc:.3f}) on the tune half, the cut "
              "from the out-of-fold probabilities")
    if guard:
        about += (f", among the sets keeping the bundled sample's {len(guard)} measured frames plain"
                  if check == "clothing" else
                  f", among the sets calling its {len(guard)} synthetic backgrounds of known truth right")
    model = _fitted(rows, labels, check, features, l2, about)
    model.save(model_path(check))
    p, y = np.array([model.probability(r) for r in rows]), np.array(labels)
    recall = float((p[y] >= model.cut).mean())
    kept = float((p[~y] < model.cut).mean())
    print(f"{check}: {features} l2={l2}, cut {model.cut:.3f}: tune busy flagged {recall:.0%}, "
          f"plain kept {kept:.0%} -> {model_path(check)}")


def fit(cache: Path, only: str | None = None, search: str = "greedy") -> None:
    if only in (None, "crops"):  # the crop cuts: scripts/tune_crops.py
        from scripts import tune_crops

        tune_crops.fit(cache)
    if only == "crops":
        return
    cases = _load(cache)
    for check in ("background", "clothing"):
        if only in (None, check):
            fit_busy(cases, check, _guard_rows(cache, check), search)


# -- scoring ----------------------------------------------------------------------------------


def _busy_rows(cases: list[dict], check: str, split: str,
               pool: str | None = None) -> list[tuple[bool, str, dict]]:
    """(labelled busy, status, fields) of one split's real photos with a plain/busy label (of
    one pool of ``../shared/fixtures`` when ``pool`` is given)."""
    column = "background" if check == "background" else "clothing"
    out = []
    for c in cases:
        if c["kind"] != "real" or c["split"] != split or c["label"]["crop"] == "group":
            continue
        if pool is not None and not c["file"].startswith(pool + "/"):
            continue
        truth = c["label"][column]
        if truth not in ("plain", "busy"):
            continue
        r = c["result"]["checks"].get(check)
        if r is None:
            continue
        out.append((truth == "busy", r["status"], {**r, "_pool": c["file"].split("/")[0]}))
    return out


def score_busy(cases: list[dict], check: str, split: str, pool: str | None = None) -> dict[str, int]:
    n: Counter = Counter()
    for busy, status, _ in _busy_rows(cases, check, split, pool):
        kind = "busy" if busy else "plain"
        n[kind] += 1
        if status == "unknown":
            n[f"{kind}_unknown"] += 1
        elif (status != "pass") == busy:
            n[f"{kind}_right"] += 1
    return dict(n)


def score_tight(cases: list[dict], split: str) -> dict[str, int]:
    n: Counter = Counter()
    for c in cases:
        if c["kind"] != "tight" or c["split"] != split:
            continue
        n["cases"] += 1
        framing = c["result"]["checks"]["framing"]
        n["accepted"] += framing["status"] == "pass"
        n["named_tight"] += framing.get("crop") == "tight-headshot"
        n["headshot"] += c["result"]["shot"] == "headshot"
        strict = c.get("id_photo", {}).get("checks", {}).get("framing")
        if strict is not None and strict.get("crop") == "tight-headshot":
            n["id_tight"] += 1
            n["id_reported"] += strict["status"] != "pass"
    return dict(n)


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} = {100.0 * a / b:.0f} %" if b else "–"


GLASSES_POOL = "glasses-pool"  # the "larger photos" (0.5-6 MP)


def _busy_cell(n: dict[str, int], kind: str) -> str:
    judged = n.get(kind, 0) - n.get(f"{kind}_unknown", 0)
    return f"{_pct(n.get(f'{kind}_right', 0), judged)} ({n.get(f'{kind}_unknown', 0)} unknown)"


def _busy_lines(cases: list[dict]) -> list[str]:
    """Rows of the busy table: held-out larger photos (glasses-pool), held-out small photos
    (LFW), the tune half of both."""
    lines = []
    for check in ("background", "clothing"):
        cols = (score_busy(cases, check, HELD_OUT, GLASSES_POOL),
                score_busy(cases, check, HELD_OUT, LFW_POOL), score_busy(cases, check, TUNE))
        for kind, target in (("busy", "≥ 85 %"), ("plain", "≥ 95 %")):
            what = "busy flagged" if kind == "busy" else "plain kept"
            cells = " | ".join(_busy_cell(n, kind) for n in cols)
            lines.append(f"| {check}: {what} | {cells} | {target} |")
    return lines


def _busy_table(cases: list[dict]) -> list[str]:
    lfw = [c["label"] for c in cases if c["kind"] == "real" and c["file"].startswith(LFW_POOL)]
    n, m = Counter(x.get("clothing", "") for x in lfw), Counter(x.get("background", "") for x in lfw)
    return [f"Background and clothing on two pools: the larger photos of glasses-pool (0.5-6 MP, "
            f"`tests/labels/{LABELS}`) and, from the third round, the 1,200 small 250 px news photos of "
            f"the LFW pool (`tests/labels/{LFW_LABELS}`, by eye from contact sheets, clothing a second "
            f"time on full-size torso strips; background "
            f"{m['busy']} busy, {m['plain']} plain, {m['unsure']} unsure; clothing {n['busy']} busy, "
            f"{n['plain']} plain, {n['unseen']} unseen, {n['unsure']} unsure). Both models are fitted "
            "on the tune half of both pools (weighted alike).", "",
            "| what | held-out, larger photos (glasses-pool) | held-out, small photos (LFW) | tune (both) "
            "| target |",
            "|---|---|---|---|---|", *_busy_lines(cases)]


def report(cache: Path, write: bool, rescore: bool = False) -> str:
    cases = _load(cache, rescore)
    lines = ["## Crops, background, clothing (held-out)", "",
             "Written by `scripts/tune_scene.py report` (do not edit by hand). Labels by eye: "
             f"`tests/labels/{LABELS}` (320 photos of glasses-pool; background and clothing labelled "
             "twice, the second pass at a larger size, by the rule in docs/checks.md). Groups and "
             "`unsure` labels are left out. Busy flagged / plain kept count the photos the check "
             "judged; `unknown` (too little background, the torso out of the frame) is counted "
             "apart. Synthetic tight headshots: cut from the single-face, level head-and-shoulders, "
             "bust and half-length photos (IED ≥ 40 px): the top edge into the hair, the bottom edge "
             "on the neck, each eye ≥ 1.2 IED from the sides; they take the split of their source. "
             "Labels corrected by the rule in the second round (near-identical frames of one "
             "series carried different names): 33 `head-and-shoulders` whose frame ends at the chin "
             "or the neck → `tight-headshot`, 4 `bust` ending at the shoulders → "
             "`head-and-shoulders`, 9 `head-and-shoulders` reaching mid-chest → `bust`; clothing 1 "
             "`busy` → `plain` (a plain blazer over a plain T-shirt). The relabelled tight headshots "
             "are no longer sources of synthetic ones (94 synthetic cases, 100 before).", ""]
    lines += _busy_table(cases) + ["", "| what | held-out | tune | target |", "|---|---|---|---|"]
    from scripts import tune_crops

    lines += tune_crops.lines(cache)  # the crop rows, confusions and earlier trees' crop figures
    lines += ["", "Clothing, second round: the garment alone (skin left out), away from its outlines, at "
              "half scale, and print features (short edges, colour entropy, compact spots) are measured "
              "for tuning (and by the check only when its model reads them). `fit --wide` (every set "
              "of 1-3 of the 9 features, the sample kept plain) "
              "chose `log_garment_texture` + `log_garment_coarse`: on the same held-out rows busy "
              "flagged 15/22 = 68 %, plain kept 36/45 = 80 % (measured once, from these measurements); "
              "the wide search by leave-one-out AUC chose `log_garment` + `log_garment_texture` + "
              "`print_edges`: 14/22, 37/45. Neither is better on both, so the default search keeps "
              "the first round's candidates. The strongest single feature, `log_garment` (held-out "
              "AUC 0.90 against 0.86 for the kept model), calls the bundled sample's spacesuit busy "
              "on 20 of its 30 frames."]
    lines += ["", *_third_round_lines(_rescore_agreement(cache))]
    third = cache / "round3-start" / "measured.json"  # the third round's starting tree (old models)
    if third.is_file():
        lines += ["", *_round3_start_lines(json.loads(third.read_text(encoding="utf-8")))]
    start = cache / "round-start" / "measured.json"  # the second round's starting tree (acad17a)
    if start.is_file():
        lines += ["", *_round_start_lines(json.loads(start.read_text(encoding="utf-8")))]
    before = cache / "before" / "measured.json"
    if before.is_file():
        lines += ["", *_before_lines(json.loads(before.read_text(encoding="utf-8")))]
    live_file = cache / "live.json"
    if live_file.is_file():
        lines += ["", *_live_lines(json.loads(live_file.read_text(encoding="utf-8")))]
    text = "\n".join(lines)
    print(text)
    if write:
        write_section("scene", text)
    return text


def _rescore_agreement(cache: Path) -> str:
    """How many cached verdicts of a ``measure`` run with today's model (``<cache>/new-model``)
    the re-derived ones match."""
    path = cache / "new-model" / "measured.json"
    if not path.is_file():
        return ""
    agree = total = 0
    for c in json.loads(path.read_text(encoding="utf-8")):
        r = c["result"]["checks"].get("clothing")
        if c["kind"] == "real" and r is not None and r["status"] != "unknown" and r.get("features"):
            total += 1
            agree += clothing_status(r["features"]) == r["status"]
    return f"; checked against a full `measure` with today's model: {agree} of {total} judged torsos agree"


def _third_round_lines(agreement: str = "") -> list[str]:
    """What the packaged models read (from their JSON: the figures are the fit's own)."""
    from studio.vision.calibrated import load_model

    out = []
    for check in ("background", "clothing"):
        m = load_model(check)
        out.append(f"{check}: " + " + ".join(f"`{f}`" for f in m.features) + f" (cut {m.cut:.3f})")
    return ["Third round: the tune half of both pools, forward selection (`fit`, at most "
            f"{MAX_FEATURES} features, each step the one raising the {CV_FOLDS}-fold cross-validated busy "
            f"recall at {PLAIN_KEPT:.0%} plain kept most, ties by AUC; the cut from the out-of-fold "
            "probabilities; clothing models that call the bundled sample's spacesuit busy on any of "
            "its 30 measured frames are not kept) among the earlier candidates and new ones: the "
            "garment's texture at 3 scales against the face's own at the same scale "
            "(`garment_rel`, `garment_texture_rel`, `garment_coarse_rel`, `texture_fine_rel`) and "
            "the orientation coherence of stripes (`coherence`). Packaged: " + "; ".join(out) + ". "
            "Background models must also call 4 synthetic backgrounds of known truth right "
            "(`measure_background_guards`: text over a plain backdrop and a busy room as shot are busy, "
            "the plain backdrop and the room under a soft blur plain): the first unguarded pooled "
            "refit (`log_fine` + `strong` + `sharpness` + `print_edges`) missed the text."
            + (" Clothing verdicts in the table: the packaged model on the features `measure` cached "
               "(`report --rescore`, the check's own rule)" + agreement + "." if agreement else "")]


def _pool_figures(cases: list[dict]) -> str:
    out = []
    for check in ("background", "clothing"):
        for kind, what in (("busy", "busy flagged"), ("plain", "plain kept")):
            cells = []
            for pool in (GLASSES_POOL, LFW_POOL):
                n = score_busy(cases, check, HELD_OUT, pool)
                judged = n.get(kind, 0) - n.get(f"{kind}_unknown", 0)
                cells.append(_pct(n.get(f"{kind}_right", 0), judged))
            out.append(f"{check} {what} {cells[0]} (larger) / {cells[1]} (small)")
    return "; ".join(out)


def _round3_start_lines(cases: list[dict]) -> list[str]:
    """The verdicts of the tree at the start of the third round (the second round's models,
    measured by ``measure`` before the refit), today's labels, the same held-out rows."""
    return ["Before the third round (the second round's models `log_texture` + `texture_share` "
            "and `log_energy` + `log_rel` + `rel_tiles`, measured on the same photos before the "
            "refit; today's labels, the same held-out rows): " + _pool_figures(_relabel(cases)) + "."]


def _round_start_lines(cases: list[dict]) -> list[str]:
    """The verdicts of the tree at the start of the second round (commit acad17a, measured by
    its own code), scored with today's labels on the same held-out rows."""
    cases = _relabel(cases)
    out = []
    for check in ("background", "clothing"):
        n = score_busy(cases, check, HELD_OUT)
        for kind, what in (("busy", "busy flagged"), ("plain", "plain kept")):
            judged = n.get(kind, 0) - n.get(f"{kind}_unknown", 0)
            out.append(f"{check} {what} {_pct(n.get(f'{kind}_right', 0), judged)}")
    from scripts.tune_crops import score_crops  # the crop scoring lives there (it imports this module)

    right, total, _ = score_crops(cases, HELD_OUT)
    out.append(f"crop name {_pct(right, total)}")
    return ["Before the second round's changes (commit acad17a's features, models and crop cuts; "
            "today's labels, the same held-out rows): " + "; ".join(out) + "."]


def _before_lines(cases: list[dict]) -> list[str]:
    """The same held-out rows scored on the verdicts of the tree before this work (measured by
    its own code, relabelled with today's labels)."""
    cases = _relabel(cases)
    out = []
    for check in ("background", "clothing"):
        n = score_busy(cases, check, HELD_OUT)
        for kind, what in (("busy", "busy flagged"), ("plain", "plain kept")):
            judged = n.get(kind, 0) - n.get(f"{kind}_unknown", 0)
            out.append(f"{check} {what} {_pct(n.get(f'{kind}_right', 0), judged)}")
    t = score_tight(cases, HELD_OUT)
    out.append(f"synthetic tight headshots accepted {_pct(t.get('accepted', 0), t.get('cases', 0))} "
               "(their crops then could cut the sides of the face)")
    return ["Before this work (commit e9d9d6c, hand thresholds on the mean gradient; the same held-out "
            "rows): " + "; ".join(out) + "."]


def _live_lines(live: dict) -> list[str]:
    out = ["Live view, verdict flips per second (`scripts/tune_scene.py live`: the 30 fps fixture "
           "video replayed, JPEG q85, and one of its frames held still for 4 s with fresh sensor "
           "noise; every check's shown status, frame to frame). `before` is the tree before this "
           "work (commit e9d9d6c, measured in the first round), `after` today's tree (all checks, "
           "other areas' included):", "",
           "| preset | clip | before | after | inconsistent frames before → after |", "|---|---|---|---|---|"]
    for preset, runs in live.get("after", {}).items():
        for clip, after in runs.items():
            before = live.get("before", {}).get(preset, {}).get(clip, {})
            b = f"{before['flips_per_s']:.2f}" if before else "–"
            out.append(f"| {preset} | {clip} | {b} | {after['flips_per_s']:.2f} | "
                       f"{before.get('inconsistent_frames', '–')} → {after['inconsistent_frames']} |")
    own = []
    for preset, runs in live.get("after", {}).items():
        for clip, after in runs.items():
            before = live.get("before", {}).get(preset, {}).get(clip, {})
            counts = ", ".join(f"{k} {before.get(f'flips:{k}', 0)} → {after.get(f'flips:{k}', 0)}"
                               for k in ("framing", "background", "clothing"))
            others = sorted(k[6:] for k in after if k.startswith("flips:") and f"flips:{k[6:]}" not in before)
            extra = f" (flipping now, not before: {', '.join(others)})" if others else ""
            own.append(f"{preset} {clip}: {counts}{extra}")
    out += ["", "Flips of the scene checks themselves, before → after: " + "; ".join(own) + "."]
    return out + _round3_live(live)


def _round3_live(live: dict) -> list[str]:
    """The scene checks' flips with the second round's models (``live --label round3-start``,
    run just before the third round's refit) against today's."""
    start = live.get("round3-start")
    if not start:
        return []
    own = []
    for preset, runs in live.get("after", {}).items():
        for clip, after in runs.items():
            was = start.get(preset, {}).get(clip, {})
            counts = ", ".join(f"{k} {was.get(f'flips:{k}', 0)} → {after.get(f'flips:{k}', 0)}"
                               for k in ("background", "clothing"))
            own.append(f"{preset} {clip}: all checks {was.get('flips_per_s', 0):.2f} → "
                       f"{after['flips_per_s']:.2f} flips/s, {counts}")
    return ["", "Third round (the tree just before the refit, with the second round's models → "
            "today): " + "; ".join(own) + "."]


# -- live view stability ----------------------------------------------------------------------

VIDEO = FIXTURES / "liveview" / "stage_singer_640x360_30fps.mp4"
FPS = 30.0


def _video_frames(limit: int | None = None) -> list[np.ndarray]:
    import cv2

    cap = cv2.VideoCapture(str(VIDEO))
    frames: list[np.ndarray] = []
    while limit is None or len(frames) < limit:
        ok, image = cap.read()
        if not ok:
            break
        frames.append(image)
    cap.release()
    return frames


def _flips(images: list[np.ndarray], preset: str, story: bool = False) -> dict[str, float]:
    """Replay ``images`` as 30 fps live view (JPEG q85, one LiveFrame each, in order) and count
    the shown status changes of every check between consecutive frames."""
    import cv2

    from drivers.base import LiveFrame

    flips: Counter = Counter()
    inconsistent = 0
    statuses: dict[str, str] = {}
    with Analyzer(preset, mode="live") as analyzer:
        for i, image in enumerate(images):
            jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()
            size = (image.shape[1], image.shape[0])
            a = analyzer.analyse_frame(LiveFrame(jpeg, i + 1, 100.0 + i / FPS, size))
            for c in a.checks:
                if c.id in statuses and statuses[c.id] != c.status.value:
                    flips[c.id] += 1
                statuses[c.id] = c.status.value
            face = a.check("face")
            others = [c for c in a.checks if c.id not in ("face", "framing")]
            if face is not None and face.status.value == "fail" and a.subject is not None:
                inconsistent += 1  # "no face" beside a face badge
            elif a.subject is None and any(c.status.value not in ("unknown",) for c in others):
                inconsistent += 1  # a verdict about a subject the frame does not have
    seconds = len(images) / FPS
    out = {"seconds": seconds, "flips_per_s": sum(flips.values()) / seconds,
           "inconsistent_frames": inconsistent}
    out.update({f"flips:{k}": v for k, v in sorted(flips.items())})
    return out


def live(preset: str = "commercial-headshot") -> dict[str, dict[str, float]]:
    """Verdict flips per second: the whole video replayed (a singer moving), and one of its
    frames held still for 4 s with sensor noise (σ 2.5 levels, fresh each frame): a still subject."""
    if not VIDEO.is_file():
        raise SystemExit(f"fixture video not found at {VIDEO}")
    video = _video_frames()
    base = video[150].astype(np.float32)
    rng = np.random.default_rng(3)
    still = [np.clip(base + rng.normal(0, 2.5, base.shape), 0, 255).astype(np.uint8) for _ in range(120)]
    result = {"video": _flips(video, preset), "still": _flips(still, preset)}
    for name, r in result.items():
        print(f"{preset} {name}: {r['flips_per_s']:.2f} flips/s over {r['seconds']:.1f} s, "
              f"{r['inconsistent_frames']} inconsistent frames; " +
              ", ".join(f"{k[6:]} {v}" for k, v in r.items() if k.startswith("flips:")))
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("step", choices=("measure", "fit", "report", "live", "all"))
    p.add_argument("--cache", help="folder for the measurements")
    p.add_argument("--no-write", action="store_true", help="print the report only")
    p.add_argument("--only", choices=("crops", "background", "clothing"), help="fit: this part only")
    p.add_argument("--search", choices=("greedy", "previous", "wide"), default="greedy",
                   help="fit: forward selection (default), the first rounds' fixed sets, or (clothing) "
                        "every set of 1-3 of the second round's features")
    p.add_argument("--rescore", action="store_true",
                   help="report: clothing verdicts from the cached features with today's model")
    p.add_argument("--resume", action="store_true", help="measure: keep the photos already in the cache")
    p.add_argument("--label", default="after", help="live: name of this run in live.json (before/after)")
    args = p.parse_args(argv)
    cache = _cache_dir(args.cache)
    if args.step == "measure" and args.only == "crops":  # face and framing only: crops.json
        from scripts import tune_crops

        tune_crops.measure(cache)
    elif args.step in ("measure", "all"):
        measure(cache, args.resume)
    if args.step in ("fit", "all"):
        fit(cache, args.only, args.search)
    if args.step == "all":  # the verdicts with the new cuts and models
        import subprocess

        subprocess.run([sys.executable, __file__, "measure", "--cache", str(cache)], check=True)
    if args.step in ("report", "all"):
        report(cache, not args.no_write, args.rescore)
    if args.step == "live":
        target = cache / "live.json"
        kept = json.loads(target.read_text(encoding="utf-8")) if target.is_file() else {}
        kept[args.label] = {p: live(p) for p in ("commercial-headshot", "portrait")}
        target.write_text(json.dumps(kept, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
