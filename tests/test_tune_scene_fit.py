"""The busy fit of scripts/tune_scene.py (clothing, background): both pools weigh the same, the
cut keeps the plain share in every pool, out-of-fold probabilities, and the re-derived
clothing verdict follows the check's own rule. Pure numpy on made-up feature rows."""

from __future__ import annotations

import numpy as np

from scripts import tune_scene as t


def _rows(n: int, pool: str, shift: float, rng: np.random.Generator) -> tuple[list[dict], list[bool]]:
    busy = rng.random(n) < 0.3
    x = rng.normal(0.0, 1.0, n) + np.where(busy, 1.5, 0.0) + shift
    return [{"f": float(v), "_pool": pool} for v in x], [bool(b) for b in busy]


def test_the_smaller_pool_is_repeated_to_weigh_the_same() -> None:
    rows = [{"_pool": "a"}] * 10 + [{"_pool": "b"}] * 50
    reps = t._repeats(rows)
    assert list(reps[:10]) == [5] * 10 and list(reps[10:]) == [1] * 50


def test_the_cut_keeps_the_plain_share_in_every_pool() -> None:
    # Pool b's plain rows score higher: one cut for both must keep 95 % of b's plain ones too.
    p = np.r_[np.linspace(0.0, 0.5, 100), np.linspace(0.3, 0.8, 100), [0.9] * 10]
    y = np.r_[np.zeros(200, bool), np.ones(10, bool)]
    pools = np.r_[["a"] * 100, ["b"] * 100, ["a"] * 10]
    cut = t._plain_cut(p, y, pools)
    for pool in ("a", "b"):
        plain = p[(pools == pool) & ~y]
        assert (plain < cut).mean() >= t.PLAIN_KEPT
    assert cut <= 0.9  # the busy ones are still flagged
    assert t._plain_cut(p, y) < cut  # one pool alone would allow a lower cut


def test_cross_validation_scores_a_real_feature_above_noise() -> None:
    rng = np.random.default_rng(1)
    ra, la = _rows(60, "glasses-pool", 0.0, rng)
    rb, lb = _rows(240, "lfw-pool", -0.5, rng)
    rows, labels = ra + rb, la + lb
    for r in rows:
        r["noise"] = float(rng.normal())
    recall, auc = t._cv(rows, labels, ("f",), 1.0)
    _, noise_auc = t._cv(rows, labels, ("noise",), 1.0)
    assert auc > 0.75 and recall > 0.2, (recall, auc)
    assert noise_auc < 0.65, noise_auc  # out of fold, noise scores no better than chance
    model = t._fitted(rows, labels, "clothing", ("f",), 1.0)
    assert 0.0 < model.cut < 1.0 and model.weights[0] > 0


def test_rescored_verdict_follows_the_packaged_model() -> None:
    from studio.vision.calibrated import load_model

    model = load_model("clothing")
    th = t.HEADSHOT.thresholds
    plain = {f: m for f, m in zip(model.features, model.mean, strict=True)}
    plain.update(periodicity=0.0, energy=1.0)
    p = model.probability(plain)
    assert t.clothing_status(plain) == ("warn" if p >= model.cut else "pass")
    moire = dict(plain, periodicity=th.clothing_periodic + 1, energy=th.clothing_busy * 2)
    assert t.clothing_status(moire) == "warn"


def test_a_guard_case_called_wrong_rules_the_model_out() -> None:
    rng = np.random.default_rng(2)
    ra, la = _rows(60, "glasses-pool", 0.0, rng)
    rb, lb = _rows(240, "lfw-pool", 0.0, rng)
    rows, labels = ra + rb, la + lb
    assert t._guarded(rows, labels, "background", ("f",), 1.0, [({"f": 4.0}, True), ({"f": -2.0}, False)])
    assert not t._guarded(rows, labels, "background", ("f",), 1.0, [({"f": -2.0}, True)])  # busy read plain
    assert not t._guarded(rows, labels, "clothing", ("f",), 1.0, [({"f": 4.0}, False)])  # plain read busy
