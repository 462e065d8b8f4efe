#!/usr/bin/env python3
"""Measure every portrait check against the labelled fixture photos and synthetic cases.

Real photos: ``../shared/fixtures/portraits/labels.json``. Synthetic cases are made from those
photos with a known truth: eye-region blur (missed focus), whole-image blur, catchlights removed
and added, glare blobs on lenses, crops that cut the head or put the eye line low, dark and
bright exposure. Prints a per-check table (accuracy, precision/recall of the fault, abstentions)
and writes it to docs/accuracy.md.

    .venv/bin/python scripts/evaluate_checks.py [--jobs N] [--no-write] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studio.vision import Analyzer, load_image, synthetic  # noqa: E402
from studio.vision.presets import Preset, load_preset  # noqa: E402

FIXTURES = ROOT.parent / "shared" / "fixtures" / "portraits"
EVAL_PRESET = Preset(
    "evaluation",
    "every check, framing rules of a headshot/portrait",
    required=tuple(load_preset("commercial-headshot").checks),
    allow_groups=True,
)

# -- synthetic cases -------------------------------------------------------------------------


def synth_cases(image: np.ndarray, lm: np.ndarray, label: dict) -> list[tuple[str, np.ndarray, dict]]:
    """(case name, image, truth) made from a sharp single-face photo. ``lm`` in image px."""
    out: list[tuple[str, np.ndarray, dict]] = [
        ("eye-blur", synthetic.blur_eyes(image, lm), {"focus": "fail"}),
        ("whole-blur", synthetic.blur_all(image, lm), {"focus": "fail"}),
        ("sharp-recompressed", synthetic.recompress(image), {"focus": "pass"}),
        ("dark", synthetic.darken(image), {"exposure": "dark"}),
        ("bright", synthetic.brighten(image), {"exposure": "bright"}),
    ]
    cut = synthetic.cut_top(image, lm)
    if cut is not None:
        out.append(("top-cut", cut, {"framing": "top-of-head-cut"}))
    if lm[152, 1] < image.shape[0]:
        low = synthetic.lower_eye_line(image, lm)
        if low is not None:
            out.append(("eye-line-low", low, {"framing": "eye-line-low"}))
    small_iris = min(synthetic.iris_radius(lm, c) for c in (468, 473)) * 2 < 14
    if not small_iris and label.get("eyes") == "open":
        removed = synthetic.remove_catchlights(image, lm)
        out.append(("catchlights-removed", removed, {"catchlights": False}))
        out.append(
            (
                "catchlights-added",
                synthetic.add_catchlights(removed, lm, 10),
                {"catchlights": True, "clock": 10},
            )
        )
    if label.get("glasses") == "clear" and label.get("glare") == "none":
        out.append(("glare-over-eye", synthetic.add_glare(image, lm, over_eye=True), {"glare": "fail"}))
        out.append(("glare-beside-eye", synthetic.add_glare(image, lm, over_eye=False), {"glare": "warn"}))
    return out


# -- running ----------------------------------------------------------------------------------

_ANALYZER: Analyzer | None = None


def _init() -> None:
    global _ANALYZER
    _ANALYZER = Analyzer(EVAL_PRESET, mode="still")


def _summarise(analysis) -> dict:
    j = analysis.to_json()
    j["subject_landmarks"] = analysis.subject.landmarks.tolist() if analysis.subject is not None else None
    return j


def _run_label(item: dict) -> list[dict]:
    path = FIXTURES / item["file"]
    image = load_image(path)
    a = _ANALYZER.analyse_image(image, source=item["file"])
    rows = [{"kind": "real", "file": item["file"], "label": item, "result": a.to_json()}]
    usable = (
        item.get("faces") == 1
        and item.get("sharp")
        and a.subject is not None
        and item.get("framing", "ok") == "ok"
    )
    if usable:
        lm = np.array(a.subject.landmarks, np.float32).copy()
        lm[:, 0] *= image.shape[1]
        lm[:, 1] *= image.shape[0]
        for name, img, truth in synth_cases(image, lm, item):
            s = _ANALYZER.analyse_image(img, source=f"{item['file']}#{name}")
            rows.append(
                {
                    "kind": "synthetic",
                    "case": name,
                    "file": item["file"],
                    "label": item,
                    "truth": truth,
                    "result": s.to_json(),
                }
            )
    return rows


# -- scoring ----------------------------------------------------------------------------------


class Score:
    def __init__(self) -> None:
        self.n = self.correct = self.abstain = 0
        self.tp = self.fp = self.fn = 0
        self.misses: list[str] = []

    def add(
        self, truth_positive: bool | None, predicted_positive: bool | None, correct: bool | None, what: str
    ) -> None:
        self.n += 1
        if correct is None:
            self.abstain += 1
            self.misses.append(f"{what} (abstained)")
            return
        self.correct += int(correct)
        if not correct:
            self.misses.append(what)
        if truth_positive is not None and predicted_positive is not None:
            self.tp += int(truth_positive and predicted_positive)
            self.fp += int(not truth_positive and predicted_positive)
            self.fn += int(truth_positive and not predicted_positive)

    def row(self, name: str, target: str) -> str:
        judged = self.n - self.abstain
        acc = self.correct / judged if judged else float("nan")
        prec = self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")
        rec = self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")
        return f"| {name} | {self.n} | {_pct(acc)} | {_pct(prec)} | {_pct(rec)} | {self.abstain} | {target} |"


def _pct(v: float) -> str:
    return "–" if v != v else f"{100 * v:.0f} %"


def score(rows: list[dict]) -> tuple[dict[str, Score], list[str]]:
    s: dict[str, Score] = defaultdict(Score)
    notes: list[str] = []
    for row in rows:
        res, lab = row["result"], row["label"]
        c = res["checks"]
        name = row["file"] + (f"#{row['case']}" if row["kind"] == "synthetic" else "")
        if row["kind"] == "real":
            faces = lab["faces"]
            pred = res["faces"]
            cls = lambda n: "none" if n == 0 else ("one" if n == 1 else "several")  # noqa: E731
            s["face (none/one/several)"].add(
                faces == 0, pred == 0, cls(faces) == cls(pred), f"{name}: {pred} for {faces}"
            )
            if faces == 0:
                s["face: no false face"].add(False, pred > 0, pred == 0, f"{name}: {pred} faces")
            s["shot type"].add(
                None, None, res["shot"] == lab["shot"], f"{name}: {res['shot']} for {lab['shot']}"
            )
            if faces == 0:
                continue
            eyes = lab.get("eyes")
            if eyes in ("open", "closed", "one-closed", "hidden"):
                e = c["eyes_open"]
                states = {e["left"], e["right"]}
                if states == {"unknown"}:
                    pred_e = "hidden"
                elif "unknown" in states:
                    pred_e = None
                elif states == {"open"}:
                    pred_e = "open"
                elif states == {"closed"}:
                    pred_e = "closed"
                else:
                    pred_e = "one-closed"
                truth_closed = eyes in ("closed", "one-closed")
                ok = None if pred_e is None or (pred_e == "hidden" and eyes != "hidden") else pred_e == eyes
                s["eyes_open"].add(
                    truth_closed, pred_e in ("closed", "one-closed"), ok, f"{name}: {pred_e} for {eyes}"
                )
            if lab.get("glasses"):
                kind = c["glasses"]["kind"]
                s["glasses"].add(
                    lab["glasses"] != "none",
                    kind != "none",
                    None if kind == "unknown" else kind == lab["glasses"],
                    f"{name}: {kind} for {lab['glasses']}",
                )
            if lab.get("glasses") == "none" and faces >= 1:
                # Nobody in the photo wears glasses: any glare report is a false alarm (bright
                # sclera and skin must not read as glare, on the subject or anyone else).
                st = c["glare"]["status"]
                s["glare: no false alarm without glasses"].add(
                    False, st in ("warn", "fail"), st not in ("warn", "fail"), f"{name}: {st}"
                )
            if lab.get("glasses") == "clear" and lab.get("glare") in ("strong", "none"):
                st = c["glare"]["status"]
                truth = lab["glare"] == "strong"
                pred = st in ("warn", "fail")
                s["glare (real)"].add(
                    truth,
                    pred,
                    None if st == "unknown" else pred == truth,
                    f"{name}: {st} for {lab['glare']}",
                )
            if lab.get("catchlights") in ("yes", "no"):
                cl = c["catchlights"]
                present = [cl[side]["present"] for side in ("left", "right")]
                truth = lab["catchlights"] == "yes"
                if all(p is None for p in present):
                    s["catchlights (real)"].add(
                        truth, None, None, f"{name}: unknown for {lab['catchlights']}"
                    )
                else:
                    pred = any(bool(p) for p in present)
                    s["catchlights (real)"].add(
                        truth, pred, pred == truth, f"{name}: {pred} for {lab['catchlights']}"
                    )
            if "sharp" in lab and lab.get("eyes") != "hidden":
                st = c["eye_focus"]["status"]
                truth = not lab["sharp"]
                pred = st == "fail"
                s["eye_focus (real)"].add(
                    truth,
                    pred,
                    None if st == "unknown" else pred == truth,
                    f"{name}: {st} for sharp={lab['sharp']}",
                )
            if lab.get("framing"):
                problems = set(c["framing"].get("problems", []))
                cut = {
                    p
                    for p in problems
                    if p in ("top-of-head-cut", "face-cut-left", "face-cut-right", "chin-cut")
                }
                # Labels name the image side; the checks name the subject's side (mirror).
                want = {
                    "ok": set(),
                    "top-of-head-cut": {"top-of-head-cut"},
                    "face-cut-left": {"face-cut-right"},
                    "face-at-right-edge": {"face-cut-left"},
                }[lab["framing"]]
                s["framing cuts (real)"].add(
                    bool(want), bool(cut), cut == want, f"{name}: {sorted(cut)} for {lab['framing']}"
                )
        else:
            t = row["truth"]
            case = row["case"]
            if "focus" in t:
                st = c["eye_focus"]["status"]
                truth = t["focus"] == "fail"
                key = "eye_focus (synthetic)"
                s[key].add(
                    truth, st == "fail", None if st == "unknown" else (st == "fail") == truth, f"{name}: {st}"
                )
            if "exposure" in t:
                st, msg = c["exposure"]["status"], c["exposure"]["message"].lower()
                ok = st in ("fail", "warn") and (
                    ("dark" in msg or "shadow" in msg)
                    if t["exposure"] == "dark"
                    else ("bright" in msg or "clipped" in msg)
                )
                s["exposure (synthetic)"].add(
                    True, st in ("fail", "warn"), None if st == "unknown" else ok, f"{name}: {st} {msg}"
                )
            if "framing" in t:
                problems = c["framing"].get("problems", [])
                s["framing (synthetic)"].add(
                    True,
                    t["framing"] in problems,
                    None if c["framing"]["status"] == "unknown" else t["framing"] in problems,
                    f"{name}: {problems}",
                )
            if "catchlights" in t:
                cl = c["catchlights"]
                present = [cl[side]["present"] for side in ("left", "right")]
                if all(p is None for p in present):
                    s["catchlights (synthetic)"].add(t["catchlights"], None, None, f"{name}: unknown")
                else:
                    pred = any(bool(p) for p in present)
                    ok = pred == t["catchlights"]
                    if ok and "clock" in t:
                        clocks = [cl[side]["clock"] for side in ("left", "right") if cl[side]["clock"]]
                        ok = all(
                            min(abs(k - t["clock"]) % 12, 12 - abs(k - t["clock"]) % 12) <= 1 for k in clocks
                        )
                    s["catchlights (synthetic)"].add(
                        t["catchlights"],
                        pred,
                        ok,
                        f"{name}: {present} {[cl[x]['clock'] for x in ('left', 'right')]}",
                    )
            if "glare" in t:
                st = c["glare"]["status"]
                s["glare (synthetic)"].add(
                    True,
                    st in ("warn", "fail"),
                    None if st == "unknown" else st == t["glare"] or (t["glare"] == "warn" and st == "fail"),
                    f"{name}: {st}",
                )
            if case == "sharp-recompressed":
                pass
    return s, notes


TARGETS = {
    "face: no false face": "no face where there is none",
    "eyes_open": "≥ 90 %",
    "glasses": "≥ 90 %",
    "glare (real)": "≥ 90 %",
    "glare: no false alarm without glasses": "no glare without glasses",
    "glare (synthetic)": "≥ 90 %",
    "shot type": "≥ 90 %",
    "eye_focus (synthetic)": "≥ 90 % detected, ≤ 10 % false alarms",
    "eye_focus (real)": "≥ 90 % detected, ≤ 10 % false alarms",
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--no-write", action="store_true", help="do not write docs/accuracy.md")
    ap.add_argument("--verbose", action="store_true", help="list every miss")
    ap.add_argument("--dump", type=Path, help="write all raw results as JSON here")
    args = ap.parse_args(argv)
    labels_path = FIXTURES / "labels.json"
    if not labels_path.is_file():
        print(f"fixtures not found at {FIXTURES}", file=sys.stderr)
        return 2
    items = json.loads(labels_path.read_text())["images"]
    t0 = time.monotonic()
    if args.jobs > 1:
        with multiprocessing.get_context("spawn").Pool(args.jobs, initializer=_init) as pool:
            chunks = pool.map(_run_label, items, chunksize=1)
    else:
        _init()
        chunks = [_run_label(i) for i in items]
    rows = [r for chunk in chunks for r in chunk]
    if args.dump:
        args.dump.write_text(json.dumps(rows))
    scores, _ = score(rows)
    # Focus false alarms on sharp photos (real sharp + recompressed sharp copies).
    fa_n = fa = 0
    for row in rows:
        sharp = (
            row["kind"] == "real"
            and row["label"].get("sharp")
            and row["label"].get("eyes") != "hidden"
            and row["label"].get("faces", 0) > 0
        ) or row.get("case") == "sharp-recompressed"
        if sharp and "eye_focus" in row["result"]["checks"]:
            st = row["result"]["checks"]["eye_focus"]["status"]
            if st != "unknown":
                fa_n += 1
                fa += st == "fail"
    n_real = sum(r["kind"] == "real" for r in rows)
    n_syn = len(rows) - n_real
    header = [
        "| check | cases | accuracy | precision (fault) | recall (fault) | abstained | target |",
        "|---|---|---|---|---|---|---|",
    ]
    order = [
        "face (none/one/several)",
        "face: no false face",
        "shot type",
        "framing cuts (real)",
        "framing (synthetic)",
        "eyes_open",
        "eye_focus (real)",
        "eye_focus (synthetic)",
        "catchlights (real)",
        "catchlights (synthetic)",
        "glasses",
        "glare (real)",
        "glare: no false alarm without glasses",
        "glare (synthetic)",
        "exposure (synthetic)",
    ]
    lines = header + [scores[k].row(k, TARGETS.get(k, "")) for k in order if k in scores]
    fa_line = (
        f"Focus false alarms on sharp photos (real sharp photos + recompressed copies): "
        f"{fa}/{fa_n} = {_pct(fa / fa_n if fa_n else float('nan'))}"
    )
    table = "\n".join(lines)
    print(table)
    print()
    print(fa_line)
    print(f"{n_real} real photos, {n_syn} synthetic cases, {time.monotonic() - t0:.0f} s")
    misses = []
    for k in order:
        if k in scores and scores[k].misses:
            misses.append(f"- **{k}**: " + "; ".join(scores[k].misses))
    if args.verbose:
        print("\n".join(misses))
    if not args.no_write:
        from scripts.devset import ACCURACY_DOC, write_section

        doc = ACCURACY_DOC
        write_section(
            "fixtures",
            "## The 48 portrait fixtures (tuned on: not a held-out figure)\n\n"
            "Written by `scripts/evaluate_checks.py` (do not edit by hand). Real photos: the 48 labelled\n"
            "fixtures in `../shared/fixtures/portraits/labels.json`; synthetic cases are made from\n"
            "the sharp single-face photos with a known truth (`studio/vision/synthetic.py`: eye-region\n"
            "blur, whole-image blur, a recompressed sharp copy, 2.5 stops darker, blown highlights, the\n"
            "head cut at the top, the eye line pushed low, catchlights removed and added at 10 o'clock,\n"
            "glare over and beside the eyes on clean lenses). Precision and recall are for the fault\n"
            "(closed eye, glasses, glare, missed focus, …). Abstentions (`unknown`) are not counted in\n"
            "the accuracy and are listed below. Preset: every check required, groups allowed.\n"
            "`glare: no false alarm without glasses` scores every real photo in which nobody wears\n"
            "glasses: any glare warning there is a false alarm.\n\n"
            "Label conventions: `framing: face-cut-left` in labels.json names the *image's* left edge;\n"
            "the checks name the subject's own side, so it is scored as `face-cut-right` (and\n"
            "`face-at-right-edge` as `face-cut-left`). Eyes labelled `hidden` (dark lenses) are correct\n"
            "when both eyes are `unknown`. The thresholds were tuned on these same photos: expect\n"
            "somewhat lower figures on photos never seen; the held-out figures above are the honest ones.\n\n"
            f"{table}\n\n{fa_line}\n\n"
            f"{n_real} real photos, {n_syn} synthetic cases.\n\n## Misses and abstentions\n\n"
            + "\n".join(misses)
            + "\n",
        )
        print(f"wrote {doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
