#!/usr/bin/env python3
"""Set the glasses-kind and glare models from the ``tune`` half of the development set.

Reads ``tests/labels/glasses-pool-eyes.csv`` and ``tests/labels/lfw-pool-eyes.csv`` (labels by
eye), finds each face with the app's own still analyser (landmarks cached with ``--cache``),
adds synthetic glare with a known truth on real clean lenses (softbox patches, window-like
streaks and coloured veils, on a chosen lens, over the pupil or beside it), measures every
lens with the check's own functions and fits ``studio/data/models/glare.json``
(:func:`studio.vision.calibrated.fit_logistic`). The probability cut is the lowest one that
keeps false alarms on clean tune lenses at or under ``--max-false-alarms``.

    .venv/bin/python scripts/tune_glasses.py [--cache DIR] [--no-write]

Only ``tune`` rows are read; ``scripts/evaluate_glasses.py`` measures the ``held-out`` half.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.contact_sheet import analysis_image, face_of, find_faces  # noqa: E402
from scripts.devset import TUNE, image_path, load_labels  # noqa: E402
from studio.vision.calibrated import Logistic, fit_logistic, model_path  # noqa: E402
from studio.vision.checks import glare as G  # noqa: E402
from studio.vision.checks import glasses as K  # noqa: E402
from studio.vision.checks.frames import COLOUR_FEATURES  # noqa: E402
from studio.vision.crops import Aligned  # noqa: E402
from studio.vision.landmarks import FACE_OVAL, SIDES, FaceGeometry  # noqa: E402
from studio.vision.thresholds import DEFAULT, Thresholds  # noqa: E402

POOLS = ("glasses-pool", "lfw-pool")
SYNTH_KINDS = ("softbox", "streak", "veil")
SEED = 14


@dataclass
class Face:
    row: dict[str, str]
    image: np.ndarray
    face: FaceGeometry

    @property
    def pool(self) -> str:
        return self.row["file"].split("/")[0]


def faces(split: str, cache_dir: Path | None, want: str = "clear") -> Iterator[Face]:
    """Every labelled photo of ``split`` whose glasses label is ``want`` ("" = any), with its face."""
    for pool in POOLS:
        rows = [r for r in load_labels(f"{pool}-eyes.csv") if r["split"] == split]
        rows = [r for r in rows if not want or r["glasses"] == want]
        cache = cache_dir / f"faces-{pool}.json" if cache_dir else None
        found = find_faces([image_path(r) for r in rows], cache)
        for r in rows:
            image = analysis_image(image_path(r))
            face = face_of(found.get(image_path(r).name, {}), image)
            if face is not None:
                yield Face(r, image, face)


# -- synthetic glare on real lenses -----------------------------------------------------------


def add_glare(image: np.ndarray, face: FaceGeometry, side: str, over_pupil: bool, kind: str,
              rng: np.random.Generator) -> np.ndarray:
    """One strong reflection on one lens: a softbox patch (larger when beside the eye), a
    bright band (a window, ≥ 0.07 IED wide: thinner lines are frame-like and minor), or a
    large tinted veil (a lens coating reflecting a bright scene); over the pupil or beside it.
    Veils are only made over the pupil: a faint veil beside the eye hides nothing."""
    eye, ied = face.eye(side), face.ied
    centre = eye.centre + (rng.normal(0, 0.3 * eye.iris_radius, 2) if over_pupil else _beside(rng, ied))
    if kind == "veil":
        size, alpha = (rng.uniform(0.35, 0.55) * ied, rng.uniform(0.22, 0.32) * ied), rng.uniform(0.45, 0.7)
        tint = rng.uniform(190, 255, 3)
    elif kind == "streak":
        size, alpha = (rng.uniform(0.3, 0.5) * ied, rng.uniform(0.07, 0.1) * ied), rng.uniform(0.75, 0.95)
        tint = rng.uniform(235, 255, 3)
    elif over_pupil:
        size, alpha = (rng.uniform(0.15, 0.35) * ied, rng.uniform(0.07, 0.16) * ied), rng.uniform(0.7, 0.95)
        tint = rng.uniform(230, 255, 3)
    else:  # beside the eye a reflection is strong when it is large
        size, alpha = (rng.uniform(0.25, 0.4) * ied, rng.uniform(0.1, 0.16) * ied), rng.uniform(0.7, 0.95)
        tint = rng.uniform(230, 255, 3)
    mask = np.zeros(image.shape[:2], np.float32)
    box = cv2.boxPoints(((float(centre[0]), float(centre[1])), (float(size[0]), float(size[1])),
                         float(rng.uniform(-40, 40))))
    if kind == "veil":
        cv2.ellipse(mask, ((float(centre[0]), float(centre[1])), (float(size[0]), float(size[1])),
                           float(rng.uniform(-20, 20))), (1.0,), -1)
    else:
        cv2.fillPoly(mask, [np.round(box).astype(np.int32)], (1.0,))
    soft = cv2.GaussianBlur(mask, (0, 0), max(0.5, rng.uniform(0.005, 0.03) * ied))[..., None] * alpha
    return np.clip(image * (1 - soft) + tint.astype(np.float32) * soft, 0, 255).astype(np.uint8)


LENS_CHOICES = ("right", "left", "both")  # one light often reflects in both lenses


def synthetic_glare(image: np.ndarray, face: FaceGeometry,
                    rng: np.random.Generator) -> tuple[np.ndarray, str, bool]:
    """One synthetic strong reflection of a random kind on the right, the left or both lenses
    (the same kind on both, each its own size and place), over the pupil or beside it:
    (image, which lens, over the pupil)."""
    lens, over = LENS_CHOICES[int(rng.integers(len(LENS_CHOICES)))], bool(rng.integers(2))
    kind = SYNTH_KINDS[int(rng.integers(len(SYNTH_KINDS)))]
    over = over or kind == "veil"  # a veil matters where it hides the eye
    for side in (SIDES if lens == "both" else (lens,)):
        image = add_glare(image, face, side, over, kind, rng)
    return image, lens, over


def glared(lens: str) -> tuple[str, ...]:
    """The sides a synthetic case's ``lens`` ("right" / "left" / "both") glares."""
    return SIDES if lens == "both" else (lens,)


def _beside(rng: np.random.Generator, ied: float) -> np.ndarray:
    angle = rng.uniform(0, 2 * np.pi)
    dx, dy = rng.uniform(0.22, 0.32) * ied, rng.uniform(0.16, 0.22) * ied  # clear of the iris
    return np.array([np.cos(angle) * dx, np.sin(angle) * dy])


# -- measuring --------------------------------------------------------------------------------


def measure(image: np.ndarray, face: FaceGeometry, th: Thresholds) -> dict[str, dict[str, float]]:
    """side -> the check's glare measures (sides too little in the face left out)."""
    a = Aligned.of(image, face)
    lit = G.lit_mask(a, th)
    oval = np.zeros(a.gray.shape, np.uint8)
    cv2.fillPoly(oval, [np.round(a.points[list(FACE_OVAL)]).astype(np.int32)], (1,))
    return G.paired_measures(a, lit, oval, th)


@dataclass
class Case:
    file: str
    pool: str
    truth: str  # none / minor / strong / synthetic
    lens: str  # the glaring lens of a synthetic case (right / left / both), "" otherwise
    measures: dict[str, dict[str, float]]
    over: bool = False  # a synthetic reflection over the pupil (else beside the eye)


def cases(found: Sequence[Face], th: Thresholds, rng: np.random.Generator) -> list[Case]:
    """Every real clear-glasses face, plus one synthetic reflection per clean one."""
    out = []
    for f in found:
        if f.face.ied < th.glare_min_ied or f.row["glare"] not in ("none", "minor", "strong"):
            continue
        out.append(Case(f.row["file"], f.pool, f.row["glare"], "", measure(f.image, f.face, th)))
        if f.row["glare"] == "none":
            image, lens, over = synthetic_glare(f.image, f.face, rng)
            out.append(Case(f.row["file"], f.pool, "synthetic", lens, measure(image, f.face, th), over))
    return out


def examples(items: Sequence[Case]) -> tuple[list[dict[str, float]], list[bool]]:
    """Training lenses: every lens of a clean pair is negative; the glaring lens of a synthetic
    case and both lenses of real strong glare are positive (minor glare is left out)."""
    rows, labels = [], []
    for c in items:
        for side, m in c.measures.items():
            if c.truth == "none":
                rows.append(m)
                labels.append(False)
            elif (c.truth == "synthetic" and side in glared(c.lens)) or c.truth == "strong":
                rows.append(m)
                labels.append(True)
    return rows, labels


def flagged(c: Case, model: Logistic, cut: float) -> bool:
    lenses = glared(c.lens) if c.truth == "synthetic" else tuple(c.measures)
    return any(side in c.measures and model.probability(c.measures[side]) >= cut for side in lenses)


def choose_cut(model: Logistic, items: Sequence[Case], max_false: float) -> float:
    """The lowest probability cut whose false alarms on clean tune photos stay ≤ max_false."""
    clean = [c for c in items if c.truth == "none"]
    for cut in np.arange(0.05, 0.99, 0.01):
        if np.mean([flagged(c, model, float(cut)) for c in clean]) <= max_false:
            return round(float(cut), 2)
    return 0.99


def choose_pupil_lit(items: Sequence[Case], max_beside: float = 0.10) -> float:
    """The lowest pupil-against-ring level (``glare_pupil_lit``) that calls at most
    ``max_beside`` of the glaring lenses of synthetic reflections beside the eye 'over the
    pupil'."""
    beside = np.array([c.measures[s]["pupil_ring"] for c in items
                       if c.truth == "synthetic" and not c.over for s in glared(c.lens) if s in c.measures])
    for level in np.arange(0.5, 1.5, 0.05):
        if float(np.mean(beside >= level)) <= max_beside:
            return round(float(level), 2)
    return 1.5


def report(model: Logistic, items: Sequence[Case]) -> str:
    lines = []
    for truth in ("none", "minor", "strong", "synthetic"):
        for pool in POOLS:
            sel = [c for c in items if c.truth == truth and c.pool == pool]
            if sel:
                n = sum(flagged(c, model, model.cut) for c in sel)
                lines.append(f"  {truth:9s} {pool:12s} flagged {n}/{len(sel)}")
    return "\n".join(lines)


# -- glasses kind -----------------------------------------------------------------------------

FOLDS = 5


def kind_rows(found: Sequence[Face], th: Thresholds) -> list[tuple[str, dict[str, float], bool]]:
    """(label, the glasses measures, whether the face is small) of every labelled tune face,
    plus one copy of each clean clear pair with synthetic glare (still clear glasses: a
    reflection lights a lens, it does not make it a dark one)."""
    out = []
    rng = np.random.default_rng(SEED + 2)
    for f in found:
        if f.row["glasses"] not in ("none", "clear", "sunglasses"):
            continue
        a = Aligned.of(f.image, f.face)
        small = K.source_ied(a) < th.glasses_unsure_max_ied
        out.append((f.row["glasses"], K.glasses_features(a, th), small))
        if f.row["glasses"] == "clear" and f.row["glare"] == "none" and f.face.ied >= th.glare_min_ied:
            image, _, _ = synthetic_glare(f.image, f.face, rng)
            out.append(("clear+glare", K.glasses_features(Aligned.of(image, f.face), th), small))
    return out


def cross_validated(name: str, rows: Sequence[dict[str, float]], labels: Sequence[bool],
                    features: Sequence[str], l2: float) -> np.ndarray:
    """P(positive) of every row from a model fitted without its fold (5 folds, fixed order)."""
    order = np.random.default_rng(SEED).permutation(len(rows))
    out = np.zeros(len(rows))
    for k in range(FOLDS):
        test = order[k::FOLDS]
        train = np.setdiff1d(order, test)
        m = fit_logistic(name, [rows[i] for i in train], [labels[i] for i in train], features, l2=l2)
        out[test] = [m.probability(rows[i]) for i in test]
    return out


def _lowest_cut(ok: Callable[[float], bool]) -> float:
    """The lowest probability cut (of 0.01 … 0.99) that satisfies ``ok``."""
    for cut in np.arange(0.01, 0.995, 0.01):
        if ok(float(cut)):
            return round(float(cut), 2)
    return 0.99


def _highest_cut(ok: Callable[[float], bool]) -> float:
    """The highest probability cut (of 0.99 … 0.01) that satisfies ``ok``."""
    for cut in np.arange(0.99, 0.005, -0.01):
        if ok(float(cut)):
            return round(float(cut), 2)
    return 0.01


def tune_kind(found: Sequence[Face], th: Thresholds, max_false: float,
              max_miss: float) -> tuple[Logistic, Logistic, float]:
    """``glasses_present`` (cut: at most ``max_false`` of bare tune faces called glasses),
    ``glasses_sun`` (cut: at most ``max_false`` of clear tune glasses called sunglasses) and the
    small-face ``unknown`` band's floor (at most ``max_miss`` of small clear tune glasses under
    it). Cuts are read from cross-validated probabilities, the models fitted on the whole half."""
    rows = kind_rows(found, th)
    ms, worn = [m for _, m, _ in rows], [g != "none" for g, _, _ in rows]
    p = cross_validated(K.PRESENT_MODEL, ms, worn, K.PRESENT_FEATURES, PRESENT_L2)
    bare = np.array([not w for w in worn])
    cut = _lowest_cut(lambda c: float(np.mean(p[bare] >= c)) <= max_false)
    small_clear = np.array([g == "clear" and small for g, _, small in rows])  # real photos only
    floor = _highest_cut(lambda c: float(np.mean(p[small_clear] < c)) <= max_miss)
    counts = dict(Counter(g for g, _, _ in rows))
    src = "the tune half of tests/labels/{glasses,lfw}-pool-eyes.csv"
    present = replace(fit_logistic(K.PRESENT_MODEL, ms, worn, K.PRESENT_FEATURES, l2=PRESENT_L2), cut=cut,
                      about=f"P(glasses worn) from frame ridges on a grid over the eye band, frame lines, "
                      f"lens darkness and colour, eye contrast and face size; fitted by "
                      f"scripts/tune_glasses.py on {src} ({counts}); cut (5-fold cross-validated): "
                      f"≤ {max_false:.0%} of bare faces called glasses")
    wearers = [(g, m) for g, m, _ in rows if g != "none"]  # clear+glare: clear, not dark
    sun_y = [g == "sunglasses" for g, _ in wearers]
    q = cross_validated(K.SUN_MODEL, [m for _, m in wearers], sun_y, K.SUN_FEATURES, SUN_L2)
    clear = np.array([not y for y in sun_y])
    dark = np.array([m["dark"] < th.sunglasses_dark_ratio for _, m in wearers])
    bright = np.array([m["lens_l"] >= th.sunglasses_max_lightness for _, m in wearers])
    sun_cut = _lowest_cut(lambda c: float(np.mean(((q >= c) | dark)[clear] & ~bright[clear])) <= max_false)
    sun = replace(fit_logistic(K.SUN_MODEL, [m for _, m in wearers], sun_y, K.SUN_FEATURES, l2=SUN_L2),
                  cut=sun_cut,
                  about=f"P(sunglasses | glasses) from whether the eye shows through the lens: the eye "
                  f"area's colour far from the cheeks', its texture against the cheeks' and the lens's "
                  f"darkness against the cheeks and forehead; fitted by scripts/tune_glasses.py on the "
                  f"glasses wearers of {src}; cut (5-fold cross-validated): ≤ {max_false:.0%} of clear "
                  f"glasses called sunglasses")
    _report_kind(rows, p, q, wearers, present, sun, floor, th)
    _compare_sun_sets(wearers, sun_y, max_false)
    return present, sun, floor


# Candidate inputs of glasses_sun compared by the script (cross-validated on the tune half):
# the second round's 13 lens measures, and the eye-visibility measures of the third round.
SUN_CANDIDATES = {
    "second round (13 lens measures)": ("dark", "eye_contrast", "lens_sat", "veil") + COLOUR_FEATURES,
    "eye visibility (3)": K.EYE_FEATURES,
    "eye visibility + sclera-iris (4)": K.EYE_FEATURES + ("sclera_iris",),
}


def _compare_sun_sets(wearers: Sequence[tuple[str, dict[str, float]]], sun_y: Sequence[bool],
                      max_false: float) -> None:
    """Sunglasses found (cross-validated, model alone) at the cut that calls ≤ ``max_false`` of
    clear tune glasses sunglasses, for each candidate input set."""
    y = np.array(sun_y)
    for name, features in SUN_CANDIDATES.items():
        q = cross_validated(K.SUN_MODEL, [m for _, m in wearers], sun_y, features, SUN_L2)
        clear_q = q[~y]
        cut = _lowest_cut(lambda c: float(np.mean(clear_q >= c)) <= max_false)  # noqa: B023
        found = int(np.sum(q[y] >= cut))
        print(f"glasses_sun inputs {name}: cut {cut}, sunglasses found {found}/{int(y.sum())} "
              f"(cross-validated, tune)")


PRESENT_L2, SUN_L2 = 3.0, 1.0  # ridge penalty (chosen by cross-validation on the tune half)


def _report_kind(rows: Sequence[tuple[str, dict[str, float], bool]], p: np.ndarray, q: np.ndarray,
                 wearers: Sequence[tuple[str, dict[str, float]]], present: Logistic, sun: Logistic,
                 floor: float, th: Thresholds) -> None:
    print(f"glasses_present cut {present.cut}; glasses_unsure_probability {floor}; glasses_sun cut {sun.cut}")
    tally: Counter[tuple[str, str, str]] = Counter()
    for (g, _m, small), pi in zip(rows, p, strict=True):
        kind = "glasses" if pi >= present.cut else "unknown" if small and pi >= floor else "none"
        tally[("small" if small else "large", g, kind)] += 1
    print("tune, cross-validated (size, label, present?):", dict(sorted(tally.items())))
    sun_tally = Counter((g, bool((qi >= sun.cut or m["dark"] < th.sunglasses_dark_ratio)
                                 and m["lens_l"] < th.sunglasses_max_lightness))
                        for (g, m), qi in zip(wearers, q, strict=True))
    print("tune, cross-validated (label, called sunglasses):", dict(sorted(sun_tally.items())))


def _covers(m: dict[str, float], model: Logistic, th: Thresholds) -> bool:
    """check_glare's 'hides the eye' for one lens's measures."""
    return model.probability(m) >= model.cut and (
        max(m["pupil"], m["iris_lift"]) >= th.glare_fail_eye_cover or m["pupil_ring"] >= th.glare_pupil_lit)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, help="folder for the landmark caches (faces-<pool>.json)")
    ap.add_argument("--max-false-alarms", type=float, default=0.04)
    ap.add_argument("--max-kind-false", type=float, default=0.03)
    ap.add_argument("--max-kind-miss", type=float, default=0.03,
                    help="clear glasses on small faces allowed under the 'unknown' band")
    ap.add_argument("--skip-glare", action="store_true", help="fit the glasses-kind models only")
    ap.add_argument("--no-write", action="store_true", help="print, do not save the model")
    args = ap.parse_args(argv)
    if args.cache is not None:
        args.cache.mkdir(parents=True, exist_ok=True)
    th = DEFAULT
    everyone = list(faces(TUNE, args.cache, want=""))
    present, sun, floor = tune_kind(everyone, th, args.max_kind_false, args.max_kind_miss)
    print(f"set glasses_unsure_probability={floor:g} in Thresholds "
          f"(it has {th.glasses_unsure_probability:g})")
    if not args.no_write:
        present.save(model_path(K.PRESENT_MODEL))
        sun.save(model_path(K.SUN_MODEL))
    if args.skip_glare:
        return 0
    found = [f for f in everyone if f.row["glasses"] == "clear"]
    best = None
    for contrast in (25.0, 40.0, 60.0):
        t = th.updated(glare_local_contrast=contrast)
        items = cases(found, t, np.random.default_rng(SEED))
        rows, labels = examples(items)
        m = fit_logistic(G.MODEL, rows, labels, G.FEATURES, l2=1.0)
        m = replace(m, cut=choose_cut(m, items, args.max_false_alarms))
        recall = float(np.mean([flagged(c, m, m.cut) for c in items if c.truth == "synthetic"]))
        print(f"glare_local_contrast={contrast:g}: cut {m.cut}, synthetic recall on tune {recall:.3f}")
        if best is None or recall > best[0]:
            best = (recall, contrast, m, items)
    assert best is not None
    recall, contrast, model, items = best
    n_pos = sum(labels for labels in examples(items)[1])
    about = (f"P(glare on a lens) from reflection, pupil cover, lift and tint; fitted by "
             f"scripts/tune_glasses.py on the tune half of tests/labels/{{glasses,lfw}}-pool-eyes.csv "
             f"(clear glasses; {n_pos} glaring lenses, real strong + synthetic) with "
             f"glare_local_contrast={contrast:g}; cut: false alarms ≤ {args.max_false_alarms:.0%} "
             "on clean tune lenses")
    model = replace(model, about=about)
    print(f"chosen glare_local_contrast={contrast:g} (Thresholds has {th.glare_local_contrast:g})")
    print(report(model, items))
    lit = choose_pupil_lit(items)
    print(f"set glare_pupil_lit={lit:g} in Thresholds (it has {th.glare_pupil_lit:g})")
    t = th.updated(glare_pupil_lit=lit)
    over = [c for c in items if c.truth == "synthetic" and c.over]
    covered = sum(any(_covers(c.measures[s], model, t) for s in glared(c.lens) if s in c.measures)
                  for c in over)
    print(f"synthetic over the pupil called 'hides the eye' on tune: {covered}/{len(over)}")
    if not args.no_write:
        model.save(model_path(G.MODEL))
        print(f"wrote {model_path(G.MODEL)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
