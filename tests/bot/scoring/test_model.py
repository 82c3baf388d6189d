"""The compiled ensembles give exactly what walking each tree's arrays gives."""

from __future__ import annotations

import random
from array import array

from bot.scoring.model import Ensemble, Tree, shipped_model


def walked(ensemble: Ensemble, x: list[float]) -> float:
    """The ensemble's output the plain way: each tree walked node by node, summed in tree order."""
    return ensemble.base + ensemble.learning_rate * sum(tree.predict(x) for tree in ensemble.trees)


def test_compiled_trees_agree_with_walked_trees_bit_for_bit() -> None:
    model = shipped_model()
    thresholds = sorted({t for e in (model.grade, model.hire) for tree in e.trees for t in tree.threshold})
    rng = random.Random(7)
    for _ in range(300):
        # values on, just above and just below the split points, where a differing comparison would show
        values = [rng.choice(thresholds) + rng.choice((0.0, 1e-7, -1e-7, 0.5)) for _ in model.features]
        x = list(array("f", values))
        for ensemble in (model.grade, model.hire):
            assert ensemble.raw(x) == walked(ensemble, x)


def test_a_small_ensemble_compiles_to_its_leaves() -> None:
    stump = Tree(
        feature=(1, -1, -1), threshold=(0.5, 0.0, 0.0), left=(1, -1, -1), right=(2, -1, -1), value=(0.0, -1.0, 2.0)
    )
    leaf = Tree(feature=(-1,), threshold=(0.0,), left=(-1,), right=(-1,), value=(0.25,))
    ensemble = Ensemble(1.0, 0.5, (stump, leaf))
    assert ensemble.leaves([9.0, 0.5]) == (-1, 0.25)
    assert ensemble.raw([9.0, 0.7]) == 1.0 + 0.5 * (2 + 0.25)
    assert Ensemble(3.0, 0.1, ()).raw([]) == 3.0
