"""The documents x drivers container and simulation helpers shared by ``benchmarks/drivers.py`` and its
indicator sources (moved out of drivers.py unchanged, so the sources can import them)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from vocmine.types import DriverInput

#: Gold polarity label -> number (SemEval ``conflict`` counts as neutral).
POLARITY = {"positive": 1.0, "negative": -1.0, "neutral": 0.0, "conflict": 0.0}


@dataclass(frozen=True)
class Indicators:
    """Documents x drivers for one corpus (what any indicator source returns)."""

    name: str
    x: np.ndarray  # (n, k) 0/1
    names: list[str]
    langs: list[str]
    polarity: np.ndarray  # (n, k) mean polarity of the driver's mentions, 0 if absent
    stars: np.ndarray | None = None  # real outcome when the corpus has one


def driver_input(ind: Indicators, y: np.ndarray, periods: list[str] | None = None) -> DriverInput:
    """The ranker's input: outcome ``y`` on the indicators of ``ind`` (all of kind "category")."""
    k = len(ind.names)
    return DriverInput(outcome=y, indicators=ind.x, names=ind.names, kinds=["category"] * k,
                       touchpoints=[""] * k, polarity=ind.polarity, periods=periods)


def expected_stars(mu: np.ndarray, sd: float) -> np.ndarray:
    """E[clip(round(mu + N(0, sd)), 1, 5)] = 1 + sum_t P(mu + e > t), t = 1.5 .. 4.5."""
    return 1.0 + sum(stats.norm.sf((t - mu) / sd) for t in (1.5, 2.5, 3.5, 4.5))


def projection(x: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Slopes of the least-squares projection of ``target`` on ``x`` (with intercept)."""
    xc = x - x.mean(0)
    return np.linalg.lstsq(xc, target - target.mean(), rcond=None)[0]
