"""Audit-calibrated impacts: a checked sample of documents corrects aspect-extraction errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vocmine.drivers import ImpactRanker
from vocmine.errors import SchemaError
from vocmine.types import DriverInput


def misread(seed: int, n: int = 2000, audited: int = 400) -> tuple[DriverInput, np.ndarray]:
    """True categories x (late lowers the score by 1, price by 0.4), an extractor that misreads 30 % of
    late mentions and adds spurious ones, a topic measured exactly, and an audit of the first documents."""
    rng = np.random.default_rng(seed)
    late = rng.random(n) < 0.3
    price = rng.random(n) < 0.25
    topic = rng.random(n) < 0.2
    x = np.column_stack([late, price, topic]).astype(float)
    w = x.copy()
    w[:, 0] = np.where(late, rng.random(n) > 0.3, rng.random(n) < 0.15)
    w[:, 1] = np.where(price, rng.random(n) > 0.2, rng.random(n) < 0.05)
    y = 4.0 - 1.0 * x[:, 0] - 0.4 * x[:, 1] + 0.3 * x[:, 2] + rng.normal(0, 1, n)
    audit = np.full_like(x, np.nan)
    audit[:audited, :2] = x[:audited, :2]  # a person checked the categories; topics cannot be audited
    data = DriverInput(outcome=y, indicators=w.astype(int), names=["LATE", "PRICE", "topic:0"],
                       kinds=["category", "category", "topic"], touchpoints=["", "", ""], audit=audit)
    return data, np.array([-1.0, -0.4, 0.3])


def test_the_audit_moves_attenuated_impacts_back_to_the_truth() -> None:
    data, truth = misread(0)
    plain = {r.driver: r for r in ImpactRanker(n_boot=200).rank(DriverInput(**{**data.__dict__, "audit": None}))}
    cal = {r.driver: r for r in ImpactRanker(n_boot=200).rank(data)}
    assert plain["LATE"].impact > -0.75  # attenuated by the misreads
    assert not plain["LATE"].ci_low <= -1.0 <= plain["LATE"].ci_high
    for name, b in zip(["LATE", "PRICE", "topic:0"], truth):
        r = cal[name]
        assert r.ci_low <= b <= r.ci_high, (name, r.impact, r.ci_low, r.ci_high)
    assert abs(cal["LATE"].impact + 1.0) < 0.15
    assert cal["LATE"].extra["calibration"] == "audit" and cal["LATE"].extra["n_audited"] == 400
    assert cal["topic:0"].extra["calibration"] == "measured without error"
    assert cal["LATE"].extra["uncalibrated"]["impact"] == pytest.approx(plain["LATE"].impact)
    assert cal["LATE"].ci_high - cal["LATE"].ci_low > plain["LATE"].ci_high - plain["LATE"].ci_low  # honest width


@pytest.mark.slow
def test_calibrated_intervals_cover_at_about_the_nominal_rate() -> None:
    hits = []
    for seed in range(40):
        data, truth = misread(seed)
        recs = {r.driver: r for r in ImpactRanker(n_boot=200, random_state=seed).rank(data)}
        hits += [recs[c].ci_low <= b <= recs[c].ci_high for c, b in zip(["LATE", "PRICE", "topic:0"], truth)]
    assert 0.88 <= np.mean(hits) <= 1.0  # 120 intervals; nominal 0.95


def test_too_small_an_audit_is_reported_and_leaves_the_estimates_alone() -> None:
    data, _ = misread(1, audited=10)
    plain = {r.driver: r for r in ImpactRanker(n_boot=50).rank(DriverInput(**{**data.__dict__, "audit": None}))}
    recs = {r.driver: r for r in ImpactRanker(n_boot=50).rank(data)}
    assert recs["LATE"].impact == plain["LATE"].impact
    assert recs["LATE"].extra["calibration"].startswith("not calibrated: 10 audited documents")


def test_audit_is_deterministic_under_a_seed_and_validated() -> None:
    data, _ = misread(2)
    a = [r.impact for r in ImpactRanker(n_boot=100, random_state=3).rank(data)]
    b = [r.impact for r in ImpactRanker(n_boot=100, random_state=3).rank(data)]
    assert a == b and not any(math.isnan(v) for v in a)
    with pytest.raises(SchemaError, match=r"\[E002\].*audit must have the indicators' shape"):
        ImpactRanker().rank(DriverInput(**{**data.__dict__, "audit": data.audit[:, :2]}))
    bad = data.audit.copy()
    bad[0, 0] = 0.5
    with pytest.raises(SchemaError, match=r"audit values must be 0, 1 or NaN"):
        ImpactRanker().rank(DriverInput(**{**data.__dict__, "audit": bad}))
