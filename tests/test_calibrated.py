"""The small logistic classifier the checks learn their cuts with."""

import numpy as np

from studio.vision.calibrated import Logistic, fit_logistic


def test_fit_separates_and_round_trips(tmp_path):
    rng = np.random.default_rng(1)
    pos = [{"a": float(v), "b": float(rng.normal())} for v in rng.normal(3.0, 1.0, 200)]
    neg = [{"a": float(v), "b": float(rng.normal())} for v in rng.normal(-3.0, 1.0, 200)]
    model = fit_logistic("t", pos + neg, [True] * 200 + [False] * 200, ("a", "b"))
    right = sum(model.positive(r) for r in pos) + sum(not model.positive(r) for r in neg)
    assert right >= 390
    assert abs(model.weights[0]) > 5 * abs(model.weights[1])  # "b" is noise
    path = tmp_path / "t.json"
    model.save(path)
    import json
    d = json.loads(path.read_text())
    again = Logistic(d["name"], tuple(d["features"]), tuple(d["mean"]), tuple(d["scale"]),
                     tuple(d["weights"]), d["bias"], d["cut"])
    assert again.probability({"a": 0.5, "b": 0.0}) == model.probability({"a": 0.5, "b": 0.0})
