"""ImpactRanker: adjusted impacts, intervals, multiple testing, support, pairs, determinism."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vocmine.drivers import ImpactRanker, benjamini_hochberg
from vocmine.errors import ConfigError, SchemaError
from vocmine.types import DriverInput, DriverRanker, DriverRecord


def _data(y: np.ndarray, x: np.ndarray, names: list[str], **kw: object) -> DriverInput:
    k = x.shape[1]
    kinds = kw.pop("kinds", ["category"] * k)
    tps = kw.pop("touchpoints", [""] * k)
    return DriverInput(outcome=y, indicators=x, names=names, kinds=kinds, touchpoints=tps, **kw)


def _by_name(records: list[DriverRecord]) -> dict[str, DriverRecord]:
    return {r.driver: r for r in records}


@pytest.fixture
def correlated() -> tuple[np.ndarray, np.ndarray]:
    """`late` lowers the score by 1; `refund` has no effect but co-occurs with `late`."""
    rng = np.random.default_rng(42)
    n = 3000
    late = rng.random(n) < 0.3
    refund = np.where(late, rng.random(n) < 0.7, rng.random(n) < 0.1)
    other = rng.random(n) < 0.2
    y = 4.0 - 1.0 * late + 0.0 * refund + 0.3 * other + rng.normal(0, 1, n)
    return y, np.column_stack([late, refund, other]).astype(int)


def test_satisfies_protocol() -> None:
    assert isinstance(ImpactRanker(), DriverRanker)


def test_cooccurring_driver_is_not_blamed(correlated: tuple[np.ndarray, np.ndarray]) -> None:
    y, x = correlated
    recs = _by_name(ImpactRanker(n_boot=300).rank(_data(y, x, ["late", "refund", "other"])))
    late, refund = recs["late"], recs["refund"]
    assert refund.extra["raw_diff"] < -0.4  # the naive mean difference blames it
    assert abs(refund.impact) < 0.12  # the adjusted impact does not
    assert refund.ci_low < 0 < refund.ci_high and not refund.significant
    assert abs(late.impact + 1.0) < 0.12 and late.significant
    assert late.ci_low <= -1.0 <= late.ci_high  # the interval holds the planted truth
    assert recs["other"].ci_low <= 0.3 <= recs["other"].ci_high
    assert late.rank == 1 and recs["other"].opportunity == 0.0


def test_marginal_method_reproduces_raw_difference(correlated: tuple[np.ndarray, np.ndarray]) -> None:
    y, x = correlated
    recs = _by_name(ImpactRanker(n_boot=50, method="marginal", ridge=0.0).rank(_data(y, x, ["a", "b", "c"])))
    for j, name in enumerate("abc"):
        raw = y[x[:, j] == 1].mean() - y[x[:, j] == 0].mean()
        assert recs[name].impact == pytest.approx(raw, abs=1e-10)


def test_ols_matches_numpy_lstsq_and_hand_hc3(correlated: tuple[np.ndarray, np.ndarray]) -> None:
    y, x = correlated
    recs = ImpactRanker(n_boot=20, ridge=0.0).rank(_data(y, x, ["a", "b", "c"]))
    design = np.column_stack([np.ones(len(y)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    bread = np.linalg.inv(design.T @ design)
    lev = np.einsum("ij,jk,ik->i", design, bread, design)
    resid = (y - design @ coef) / (1 - lev)
    se = np.sqrt(np.diag(bread @ (design.T * resid**2) @ design @ bread))
    got = _by_name(recs)
    for j, name in enumerate("abc"):
        assert got[name].impact == pytest.approx(coef[j + 1], abs=1e-9)
        assert got[name].extra["se"] == pytest.approx(se[j + 1], rel=1e-6)


def test_interval_coverage_small_seeded_simulation() -> None:
    rng = np.random.default_rng(11)
    beta = np.array([-0.8, -0.3, 0.0, 0.4])
    hits = []
    for seed in range(25):
        x = (rng.random((400, 4)) < [0.3, 0.2, 0.25, 0.15]).astype(int)
        y = 3.5 + x @ beta + rng.normal(0, 1, 400)
        recs = _by_name(ImpactRanker(n_boot=200, random_state=seed).rank(_data(y, x, list("abcd"))))
        hits += [recs[n].ci_low <= b <= recs[n].ci_high for n, b in zip("abcd", beta, strict=True)]
    assert 0.85 <= np.mean(hits) <= 1.0


def test_benjamini_hochberg_hand_computation_and_monotonicity() -> None:
    # sorted p: .005 .01 .03 .04 -> m*p/i = .02 .02 .04 .04
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.005])
    np.testing.assert_allclose(q, [0.02, 0.04, 0.04, 0.02])
    # the step-up minimum: p = .01 .02 .021 with m = 3 -> .03 .0315 .021 -> .021 everywhere
    np.testing.assert_allclose(benjamini_hochberg([0.01, 0.02, 0.021]), [0.021] * 3)
    p = np.random.default_rng(0).random(200) ** 2
    q = benjamini_hochberg(p)
    order = np.argsort(p)
    assert np.all(np.diff(q[order]) >= -1e-15) and np.all(q >= p - 1e-12) and np.all(q <= 1)
    assert math.isnan(benjamini_hochberg([0.5, float("nan")])[1])


def test_significance_uses_q_values(correlated: tuple[np.ndarray, np.ndarray]) -> None:
    y, x = correlated
    recs = ImpactRanker(n_boot=50).rank(_data(y, x, ["a", "b", "c"]))
    p = [r.p_value for r in recs]
    np.testing.assert_allclose([r.q_value for r in recs], benjamini_hochberg(p))
    assert all(r.significant == (r.q_value < 0.05) for r in recs)


def test_min_support_excludes_and_reports_reason() -> None:
    rng = np.random.default_rng(3)
    n = 500
    x = np.column_stack([rng.random(n) < 0.3, np.zeros(n, dtype=bool)]).astype(int)
    x[:12, 1] = 1
    y = 4 - x[:, 0] + rng.normal(0, 1, n)
    y[:5] = np.nan  # 5 of the 12 `rare` documents have no outcome -> support 7 < 10
    recs = _by_name(ImpactRanker(n_boot=50, min_support=10).rank(_data(y, x, ["common", "rare"])))
    rare = recs["rare"]
    assert rare.n == 12 and rare.extra["n_outcome"] == 7
    assert math.isnan(rare.impact) and math.isnan(rare.p_value) and math.isnan(rare.opportunity)
    assert "min_support" in rare.extra["reason"] and not rare.significant and rare.rank == 2
    assert not math.isnan(recs["common"].impact)
    assert math.isnan(recs["common"].q_value) is False


def test_opportunity_formula_and_order(correlated: tuple[np.ndarray, np.ndarray]) -> None:
    y, x = correlated
    recs = ImpactRanker(n_boot=50).rank(_data(y, x, ["a", "b", "c"]))
    for r in recs:
        assert r.opportunity == pytest.approx(max(0.0, -r.impact) * r.share)
    assert [r.rank for r in recs] == [1, 2, 3]
    assert [r.opportunity for r in recs] == sorted((r.opportunity for r in recs), reverse=True)


def test_deterministic_under_seed(correlated: tuple[np.ndarray, np.ndarray]) -> None:
    y, x = correlated
    data = _data(y, x, ["a", "b", "c"])
    first = ImpactRanker(n_boot=100, random_state=5).rank(data)
    assert repr(first) == repr(ImpactRanker(n_boot=100, random_state=5).rank(data))
    other = ImpactRanker(n_boot=100, random_state=6).rank(data)
    assert [r.impact for r in other] == [r.impact for r in first]
    assert [r.ci_low for r in other] != [r.ci_low for r in first]


def test_category_touchpoint_pairs_fitted_without_collinearity() -> None:
    rng = np.random.default_rng(1)
    n = 4000
    cat = rng.random(n) < 0.3
    tp = rng.integers(0, 3, n)
    other = rng.random(n) < 0.2
    y = 4 - 1.0 * (cat & (tp == 1)) - 0.5 * other + rng.normal(0, 1, n)
    cols = [cat, other, cat & (tp == 0), cat & (tp == 1), cat & (tp == 2), cat]
    names = ["WAIT", "PRICE", "WAIT@web", "WAIT@shop", "WAIT@app", "topic:3"]
    kinds = ["category", "category", *["category_touchpoint"] * 3, "topic"]
    tps = ["", "", "web", "shop", "app", ""]
    recs = _by_name(ImpactRanker(n_boot=100).rank(
        _data(y, np.column_stack(cols).astype(int), names, kinds=kinds, touchpoints=tps)))
    assert recs["WAIT@shop"].impact == pytest.approx(-1.0, abs=0.15)
    assert abs(recs["WAIT@web"].impact) < 0.15 and abs(recs["WAIT@app"].impact) < 0.15
    assert recs["WAIT@shop"].extra == recs["WAIT@shop"].extra | {"model": "pair", "parent": "WAIT"}
    assert recs["WAIT"].impact == pytest.approx(-1 / 3, abs=0.12)  # averaged over touchpoints
    assert recs["topic:3"].extra["aliased_with"] == "WAIT"  # identical column: shared estimate
    assert recs["topic:3"].impact == recs["WAIT"].impact
    assert recs["PRICE"].impact == pytest.approx(-0.5, abs=0.12)
    assert all(not math.isnan(r.impact) for r in recs.values())


def test_partition_collinearity_reports_reason() -> None:
    rng = np.random.default_rng(2)
    topic = rng.integers(0, 3, 600)
    x = np.column_stack([topic == t for t in range(3)]).astype(int)
    y = 3 + 0.5 * (topic == 0) + rng.normal(0, 1, 600)
    recs = ImpactRanker(n_boot=50).rank(_data(y, x, ["t0", "t1", "t2"], kinds=["topic"] * 3))
    dropped = [r for r in recs if math.isnan(r.impact)]
    assert len(dropped) == 1 and "collinear" in dropped[0].extra["reason"]


def test_polarity_shares() -> None:
    x = np.array([[1], [1], [1], [1], [0]] * 20)
    pol = np.array([[-0.8], [-0.5], [0.0], [0.9], [0.0]] * 20)
    y = np.linspace(1, 5, 100)
    rec = ImpactRanker(n_boot=20).rank(_data(y, x, ["a"], polarity=pol))[0]
    assert rec.neg_share == pytest.approx(0.5) and rec.pos_share == pytest.approx(0.25)
    from scipy import sparse

    as_sparse = ImpactRanker(n_boot=20).rank(_data(y, x, ["a"], polarity=sparse.csr_matrix(pol)))[0]
    assert (as_sparse.neg_share, as_sparse.pos_share) == (rec.neg_share, rec.pos_share)


def test_bootstrap_does_not_depend_on_chunking(correlated: tuple[np.ndarray, np.ndarray],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory caps split the replicates into chunks; the replicates stay the same."""
    from vocmine.drivers import _impact

    y, x = correlated
    data = _data(y, x, ["a", "b", "c"])
    whole = ImpactRanker(n_boot=60, random_state=3).rank(data)
    monkeypatch.setattr(_impact, "_MAX_CHUNK_GRAM", 9 * 7)  # 7 replicates per chunk
    monkeypatch.setattr(_impact, "_MAX_CHUNK_CELLS", 10**9)
    chunked = ImpactRanker(n_boot=60, random_state=3).rank(data)
    np.testing.assert_allclose([(r.ci_low, r.ci_high) for r in chunked], [(r.ci_low, r.ci_high) for r in whole],
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "kwargs", [{"n_boot": -1}, {"alpha": 1.5}, {"min_support": 0}, {"method": "shap"}, {"interval": "t"}]
)
def test_invalid_settings_raise_coded_error(kwargs: dict[str, object]) -> None:
    data = _data(np.ones(3), np.zeros((3, 1)), ["a"])
    with pytest.raises(ConfigError, match=r"\[E004\]"):
        ImpactRanker(**kwargs).rank(data)  # type: ignore[arg-type]


def test_misaligned_or_non_binary_input_raises() -> None:
    with pytest.raises(SchemaError, match=r"\[E002\]"):
        ImpactRanker().rank(_data(np.ones(3), np.zeros((4, 1)), ["a"]))
    with pytest.raises(SchemaError, match=r"\[E002\]"):
        ImpactRanker().rank(_data(np.ones(3), np.full((3, 1), 2), ["a"]))
    with pytest.raises(SchemaError, match=r"\[E002\]"):
        ImpactRanker().rank(_data(np.ones(3), np.zeros((3, 2)), ["a", "a"]))


def test_empty_inputs() -> None:
    assert ImpactRanker().rank(_data(np.ones(5), np.zeros((5, 0)), [])) == []
    recs = ImpactRanker().rank(_data(np.zeros(0), np.zeros((0, 2)), ["a", "b"]))
    assert [r.n for r in recs] == [0, 0] and all(math.isnan(r.impact) for r in recs)


def test_subpackage_all_matches_public_names() -> None:
    import vocmine.drivers as drivers

    public = {n for n in dir(drivers) if not n.startswith("_") and n != "annotations"}
    assert set(drivers.__all__) == public


def test_collapse_columns_packs_like_packbits() -> None:
    """Patterns from column views equal those of the packed (n, p) matrix, bool or float columns."""
    from vocmine.drivers import _impact

    rng = np.random.default_rng(4)
    x = rng.random((500, 13)) < 0.2
    y = rng.integers(1, 6, 500).astype(float)
    packed = np.packbits(x, axis=1)
    _, first, inverse = np.unique(packed.view(np.dtype((np.void, packed.shape[1]))).ravel(),
                                  return_index=True, return_inverse=True)
    cols = [x[:, j] for j in range(10)] + [x[:, j].astype(float) for j in range(10, 13)]
    pat = _impact.collapse_columns(cols, y)
    np.testing.assert_array_equal(pat.rows.toarray(), x[first].astype(float))
    assert pat.cell_n.sum() == 500 and pat.rows.shape == (len(first), 13)
    for u in range(pat.rows.shape[0]):  # every cell's documents have its pattern and outcome
        docs = np.flatnonzero(inverse.ravel() == u)
        cells = pat.cell_y[pat.cell_row == u]
        np.testing.assert_array_equal(np.unique(y[docs]), cells)
