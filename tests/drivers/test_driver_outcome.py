"""Outcome helpers: NPS arithmetic and coded validation errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vocmine.drivers import nps, nps_points, to_outcome
from vocmine.errors import ConfigError


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([10, 9, 8, 7, 6, 0], 0.0),  # 2 promoters, 2 detractors
        ([10, 10, 10, 5], 50.0),
        ([0, 1, 2], -100.0),
        ([9, 9], 100.0),
        ([7, 8], 0.0),
        ([10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0], (2 - 7) / 11 * 100),
    ],
)
def test_nps_known_values(scores: list[int], expected: float) -> None:
    assert nps(scores) == pytest.approx(expected)


def test_nps_points_mean_is_nps_and_missing_is_ignored() -> None:
    scores = np.array([10, 3, 8, np.nan, 9, 6])
    pts = nps_points(scores)
    assert pts[[0, 1, 2, 4, 5]].tolist() == [100.0, -100.0, 0.0, 100.0, -100.0]
    assert math.isnan(pts[3])
    assert np.nanmean(pts) == pytest.approx(nps(scores)) == pytest.approx(0.0)
    assert math.isnan(nps([]))


@pytest.mark.parametrize("bad", [[11], [-1], [7.5], [float("inf")]])
def test_nps_rejects_invalid_answers(bad: list[float]) -> None:
    with pytest.raises(ConfigError, match=r"\[E004\].*nps10"):
        nps(bad)


def test_to_outcome_scales() -> None:
    y, name = to_outcome([1, 4.5, np.nan], "stars5")
    assert name == "rating" and y[:2].tolist() == [1.0, 4.5] and math.isnan(y[2])
    assert to_outcome([10, 7, 6], "nps10") == (pytest.approx([100.0, 0.0, -100.0]), "nps")
    y, name = to_outcome([5, 4, 3, 1], "csat")
    assert name == "csat" and y.tolist() == [100.0, 100.0, 0.0, 0.0]
    assert to_outcome([1, 7], "ces")[1] == "ces"
    assert to_outcome([-1.0, 0.2], "sentiment")[0].tolist() == [-1.0, 0.2]


@pytest.mark.parametrize(
    ("values", "scale"), [([0, 3], "stars5"), ([6], "stars5"), ([8], "ces"), ([1.5], "sentiment"), (["x"], "csat")]
)
def test_to_outcome_out_of_range_raises_coded_error(values: list[object], scale: str) -> None:
    with pytest.raises(ConfigError, match=r"^\[E004\]"):
        to_outcome(values, scale)  # type: ignore[arg-type]


def test_to_outcome_unknown_scale() -> None:
    with pytest.raises(ValueError, match=r"\[E004\].*'stars10'"):
        to_outcome([1, 2], "stars10")
