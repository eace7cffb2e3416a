"""Periods, trend tables and the emerging-driver test (standalone and inside the ranker)."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import numpy as np
import pytest
from scipy import stats

from vocmine.drivers import ImpactRanker, emerging_test, period_labels, trend_table
from vocmine.errors import ConfigError, SchemaError
from vocmine.types import DriverInput


def test_period_labels_day_week_month() -> None:
    ts = ["2024-01-01", datetime(2023, 12, 31, 23, 0), None, "2021-01-03T10:00:00+02:00"]
    assert period_labels(ts, "D") == ["2024-01-01", "2023-12-31", "", "2021-01-03"]
    assert period_labels(ts, "W") == ["2024-W01", "2023-W52", "", "2020-W53"]  # ISO weeks
    assert period_labels(ts, "M") == ["2024-01", "2023-12", "", "2021-01"]
    assert period_labels([datetime(2024, 3, 1, tzinfo=timezone.utc)], "M") == ["2024-03"]
    with pytest.raises(ConfigError, match=r"\[E004\]"):
        period_labels(ts, "Q")
    with pytest.raises(SchemaError, match=r"\[E002\]"):
        period_labels(["not a date"], "D")


def test_trend_table_counts_and_shares() -> None:
    x = np.array([[1, 0], [0, 0], [1, 1], [1, 0], [0, 1]])
    per = ["2024-02", "2024-01", "2024-01", "2024-02", ""]
    y = np.array([1.0, 5.0, 2.0, 3.0, 4.0])
    tab = trend_table(x, per, ["a", "b"], outcome=y)
    assert list(tab.columns[:5]) == ["driver", "period", "n", "total", "share"]
    a = tab[tab.driver == "a"]
    assert a["period"].tolist() == ["2024-01", "2024-02"]
    assert a["n"].tolist() == [1, 2] and a["share"].tolist() == [0.5, 1.0]
    assert a["impact"].iloc[0] == pytest.approx(2.0 - 5.0) and math.isnan(a["impact"].iloc[1])


def test_emerging_test_flags_surge_not_flat() -> None:
    growth, p = emerging_test([20, 18, 22, 21, 60], [1000] * 5)
    assert growth == pytest.approx(60 / 20.25 - 1) and p < 1e-6
    growth, p = emerging_test([20, 18, 22, 21, 21], [1000] * 5)
    assert abs(growth) < 0.1 and p > 0.3


def test_emerging_test_is_the_exact_conditional_binomial() -> None:
    growth, p = emerging_test([3, 5, 9], [100, 100, 100])
    assert p == pytest.approx(stats.binom.sf(8, 17, 1 / 3))  # chi2 of 3 vs 5 is < 1: no dispersion
    assert growth == pytest.approx(0.09 / 0.04 - 1)


def test_emerging_test_dispersion_guard_and_edge_cases() -> None:
    # baseline wobbles far beyond binomial noise -> a modest rise is not an alert
    _, p_wobbly = emerging_test([5, 60, 10, 55, 50], [1000] * 5)
    _, p_plain = emerging_test([32, 33, 32, 33, 50], [1000] * 5)
    assert p_wobbly > 0.2 and p_plain < 0.05
    assert all(math.isnan(v) for v in emerging_test([1, 5], [10, 10]))
    assert emerging_test([0, 0, 4], [50, 50, 50])[0] == math.inf


def _ranker_input(surge: bool) -> DriverInput:
    rng = np.random.default_rng(0)
    n, weeks = 4000, 6
    per = rng.integers(0, weeks, n)
    x = (rng.random((n, 3)) < [0.05, 0.1, 0.2]).astype(int)
    if surge:  # driver 0 triples its share in the latest week
        last = per == weeks - 1
        x[last & (rng.random(n) < 0.1), 0] = 1
    y = 4 - x[:, 0] + rng.normal(0, 1, n)
    return DriverInput(outcome=y, indicators=x, names=["new_bug", "b", "c"], kinds=["category"] * 3,
                       touchpoints=[""] * 3, periods=[f"2024-W{w + 1:02d}" for w in per])


def test_ranker_flags_planted_surge_only() -> None:
    flat = {r.driver: r for r in ImpactRanker(n_boot=0).rank(_ranker_input(False))}
    assert not any(r.emerging for r in flat.values())
    surged = {r.driver: r for r in ImpactRanker(n_boot=0).rank(_ranker_input(True))}
    assert surged["new_bug"].emerging and surged["new_bug"].trend > 1.0
    assert surged["new_bug"].trend_p_value < 1e-6 and not surged["b"].emerging
    assert surged["new_bug"].extra["latest_period"] == "2024-W06"


def test_ranker_trend_needs_three_periods() -> None:
    data = _ranker_input(True)
    two = DriverInput(**{**data.__dict__, "periods": ["2024-W01", "2024-W02"] * 2000})
    rec = ImpactRanker(n_boot=0).rank(two)[0]
    assert math.isnan(rec.trend) and math.isnan(rec.trend_p_value) and not rec.emerging
    assert "3 needed" in rec.extra["trend_reason"]
