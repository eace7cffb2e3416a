"""Collapsed (weighted) driver rows rank exactly like the documents they stand for."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import sparse

from vocmine.drivers import ImpactRanker, collapse_rows
from vocmine.errors import SchemaError
from vocmine.types import DriverInput


def _design(n: int = 3000, seed: int = 0) -> DriverInput:
    rng = np.random.default_rng(seed)
    cats = (rng.random((n, 4)) < [0.3, 0.2, 0.1, 0.05]).astype(np.uint8)
    tp = rng.integers(0, 2, n)
    pairs = np.column_stack([cats[:, 0] & (tp == 0), cats[:, 0] & (tp == 1)]).astype(np.uint8)
    topic = rng.integers(0, 3, n)
    topics = np.column_stack([(topic == t) for t in range(3)]).astype(np.uint8)
    x = np.hstack([cats, pairs, topics])
    y = np.clip(np.round(4.2 - 1.2 * cats[:, 0] - 0.5 * cats[:, 1] + rng.normal(0, 1, n)), 1, 5)
    y[rng.random(n) < 0.1] = np.nan  # documents without an outcome stay in the counts
    pol = np.where(x[:, :6] > 0, rng.choice([-0.8, 0.0, 0.05, 0.6], size=(n, 6)), 0.0)
    pol = np.hstack([pol, np.zeros((n, 3))])
    periods = [f"2026-W{w:02d}" for w in rng.integers(1, 9, n)]
    names = ["A", "B", "C", "D", "A@buy", "A@pay", "topic:0", "topic:1", "topic:2"]
    kinds = ["category"] * 4 + ["category_touchpoint"] * 2 + ["topic"] * 3
    return DriverInput(outcome=y, indicators=x, names=names, kinds=kinds,
                       touchpoints=["", "", "", "", "buy", "pay", "", "", ""],
                       polarity=sparse.csc_matrix(pol), periods=periods, outcome_name="rating")


def _part(data: DriverInput, rows: np.ndarray) -> DriverInput:
    pol = sparse.csc_matrix(data.polarity)[rows]
    return DriverInput(outcome=data.outcome[rows], indicators=data.indicators[rows], names=data.names,
                       kinds=data.kinds, touchpoints=data.touchpoints, polarity=pol,
                       periods=[data.periods[i] for i in rows], outcome_name=data.outcome_name)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(u, v) for u, v in zip(a, b))
    return a == b


@pytest.mark.parametrize("method", ["ols", "marginal"])
def test_collapsed_parts_rank_like_the_documents(method: str) -> None:
    data = _design()
    ranker = ImpactRanker(n_boot=200, method=method, random_state=3)
    want = ranker.rank(data)
    order = np.random.default_rng(1).permutation(len(data.outcome))
    parts = [collapse_rows([_part(data, rows)]) for rows in np.array_split(order, 3)]
    rows = collapse_rows(parts)
    assert rows.counts is not None and rows.counts.sum() == len(data.outcome)
    assert len(rows.outcome) < len(data.outcome) / 2  # ratings and periods repeat: far fewer rows
    got = ranker.rank(rows)
    assert [r.driver for r in got] == [r.driver for r in want]
    for g, w in zip(got, want):
        for field in ("n", "share", "impact", "ci_low", "ci_high", "p_value", "q_value", "opportunity",
                      "neg_share", "pos_share", "trend", "trend_p_value", "emerging", "significant", "extra"):
            assert _same(getattr(g, field), getattr(w, field)), (g.driver, field, getattr(g, field), getattr(w, field))


def test_collapse_keeps_every_document_and_merges_only_equal_rows() -> None:
    data = _design(n=500, seed=2)
    rows = collapse_rows([data])
    assert rows.counts.sum() == 500
    x = np.asarray(data.indicators)
    # each output row's documents: same indicators, outcome and period
    seen = {(tuple(r), None if np.isnan(v) else v, p) for r, v, p in zip(x.tolist(), data.outcome, data.periods)}
    got = {(tuple(r), None if np.isnan(v) else v, p) for r, v, p in zip(rows.indicators.tolist(), rows.outcome,
                                                                         rows.periods)}
    assert got == seen


def test_collapse_rejects_mismatched_parts_and_audits() -> None:
    data = _design(n=50)
    other = DriverInput(outcome=data.outcome, indicators=data.indicators, names=[*data.names[:-1], "topic:9"],
                        kinds=data.kinds, touchpoints=data.touchpoints, periods=data.periods)
    with pytest.raises(SchemaError, match="share names"):
        collapse_rows([data, other])
    audited = DriverInput(outcome=data.outcome, indicators=data.indicators, names=data.names, kinds=data.kinds,
                          touchpoints=data.touchpoints, audit=np.full(np.shape(data.indicators), np.nan))
    with pytest.raises(SchemaError, match="audit"):
        collapse_rows([audited])


def test_counts_are_validated() -> None:
    data = _design(n=20)
    bad = DriverInput(outcome=data.outcome, indicators=data.indicators, names=data.names, kinds=data.kinds,
                      touchpoints=data.touchpoints, counts=np.full(20, 0.5))
    with pytest.raises(SchemaError, match="positive integers"):
        ImpactRanker(n_boot=0).rank(bad)
