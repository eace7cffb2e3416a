"""Outcome helpers: turn ratings, NPS answers and scores into a regression target.

Every outcome is "higher is better". NPS and CSAT are converted to per-respondent
points (``+100 / 0 / -100`` and ``100 / 0``) so that the *mean* of the outcome equals
the headline metric and a regression coefficient on it is measured in NPS (or CSAT)
points. Missing values (NaN) pass through as NaN; the driver ranker leaves those
documents out of the impact fit but still counts them for volume and trend.

Examples:
    >>> from vocmine.drivers import nps, to_outcome
    >>> nps([10, 9, 8, 3])
    25.0
    >>> to_outcome([1, 5, 4], scale="stars5")[1]
    'rating'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from vocmine.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["nps", "nps_points", "to_outcome", "OUTCOME_SCALES"]

#: scale -> (lowest valid value, highest valid value, outcome name, integer-valued).
OUTCOME_SCALES: dict[str, tuple[float, float, str, bool]] = {
    "stars5": (1.0, 5.0, "rating", False),
    "nps10": (0.0, 10.0, "nps", True),
    "csat": (1.0, 5.0, "csat", False),
    "ces": (1.0, 7.0, "ces", False),
    "sentiment": (-1.0, 1.0, "sentiment", False),
}


def _as_float(values: Sequence[float] | np.ndarray, what: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"[E004] {what} must be numeric. Got values that cannot be converted to float "
            f"({exc}). Convert the column to numbers (missing as NaN) first."
        ) from None
    if arr.ndim != 1:
        raise ConfigError(
            f"[E004] {what} must be one-dimensional. Got shape {arr.shape}. Pass one value per document."
        )
    return arr


def _check_range(arr: np.ndarray, lo: float, hi: float, scale: str, integer: bool) -> None:
    finite = arr[~np.isnan(arr)]
    bad = finite[(finite < lo) | (finite > hi) | ~np.isfinite(finite)]
    if integer and bad.size == 0:
        bad = finite[finite != np.round(finite)]
    if bad.size:
        kind = "integers" if integer else "values"
        raise ConfigError(
            f"[E004] Outcome values for scale '{scale}' must be {kind} in [{lo:g}, {hi:g}]. "
            f"Got {bad.size} invalid value(s), e.g. {sorted(set(bad.tolist()))[:5]}. "
            f"Check the scale (one of {sorted(OUTCOME_SCALES)}) or clean the column."
        )


def nps_points(scores: Sequence[float] | np.ndarray) -> np.ndarray:
    """Per-respondent NPS contribution: ``+100`` (9-10), ``0`` (7-8), ``-100`` (0-6).

    The mean of the returned array equals the Net Promoter Score, so regression
    impacts on it are in NPS points. NaN (no answer) stays NaN.

    Args:
        scores: 0-10 "how likely are you to recommend" answers (NaN = missing).

    Returns:
        float array of ``100.0``, ``0.0``, ``-100.0`` or NaN.

    Raises:
        ConfigError: [E004] a value is not an integer in 0..10.

    Examples:
        >>> from vocmine.drivers import nps_points
        >>> nps_points([10, 7, 0]).tolist()
        [100.0, 0.0, -100.0]
    """
    arr = _as_float(scores, "NPS scores")
    _check_range(arr, 0.0, 10.0, "nps10", True)
    out = np.where(arr >= 9, 100.0, np.where(arr >= 7, 0.0, -100.0))
    out[np.isnan(arr)] = np.nan
    return out


def nps(scores_0_10: Sequence[float] | np.ndarray) -> float:
    """Net Promoter Score: percent promoters (9-10) minus percent detractors (0-6).

    Args:
        scores_0_10: 0-10 answers; NaN (no answer) is ignored.

    Returns:
        NPS in ``[-100, 100]``; NaN when there is no answer at all.

    Raises:
        ConfigError: [E004] a value is not an integer in 0..10.

    Examples:
        >>> from vocmine.drivers import nps
        >>> nps([10, 10, 9, 8, 7, 6, 0, 3, 5, 4])
        -20.0
    """
    pts = nps_points(scores_0_10)
    pts = pts[~np.isnan(pts)]
    return float(pts.mean()) if pts.size else float("nan")


def to_outcome(values: Sequence[float] | np.ndarray, scale: str) -> tuple[np.ndarray, str]:
    """Validate raw scores and map them to a "higher is better" outcome.

    ============  ==========  =====================================  ===========
    scale         valid       outcome                                name
    ============  ==========  =====================================  ===========
    ``stars5``    1..5        the rating itself (half stars allowed) ``rating``
    ``nps10``     0..10 int   NPS points (+100 / 0 / -100)           ``nps``
    ``csat``      1..5        CSAT points: 100 if >= 4 else 0        ``csat``
    ``ces``       1..7        effort score, 7 = "easy" (as given)    ``ces``
    ``sentiment`` -1..1       the score itself                       ``sentiment``
    ============  ==========  =====================================  ===========

    Args:
        values: one raw score per document; NaN marks a missing answer.
        scale: one of the scales above.

    Returns:
        ``(outcome, outcome_name)``; missing answers stay NaN.

    Raises:
        ConfigError: [E004] unknown scale, non-numeric or out-of-range values.

    Examples:
        >>> from vocmine.drivers import to_outcome
        >>> y, name = to_outcome([10, 8, 2], scale="nps10")
        >>> y.tolist(), name
        ([100.0, 0.0, -100.0], 'nps')
        >>> to_outcome([5, 3], scale="csat")[0].tolist()
        [100.0, 0.0]
    """
    if scale not in OUTCOME_SCALES:
        raise ConfigError(
            f"[E004] Outcome scale must be one of {sorted(OUTCOME_SCALES)}. Got {scale!r}. "
            "Pass scale='stars5' for 1-5 ratings or scale='nps10' for 0-10 answers."
        )
    lo, hi, name, integer = OUTCOME_SCALES[scale]
    if scale == "nps10":
        return nps_points(values), name
    arr = _as_float(values, f"Outcome values for scale '{scale}'")
    _check_range(arr, lo, hi, scale, integer)
    if scale == "csat":
        out = np.where(arr >= 4, 100.0, 0.0)
        out[np.isnan(arr)] = np.nan
        return out, name
    return arr.copy(), name
