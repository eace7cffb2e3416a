"""Driver volume over time and the emerging-driver test.

For a driver with ``c_t`` mentioning documents out of ``T_t`` documents in period
``t`` (periods sorted, the last one is the *latest window*, all earlier ones the
*baseline*):

* growth = ``(c_L / T_L) / (c_B / T_B) - 1``, the relative change of the driver's
  share of documents (``inf`` when it was never seen before);
* emerging test = one-sided exact conditional test of equal rates (the Poisson rate
  test): given ``c_L + c_B`` mentions, ``c_L ~ Binomial(c_L + c_B, T_L / (T_L + T_B))``
  under no change; ``p = P(X >= c_L)`` (computed as a regularised incomplete beta).
* Over-dispersion guard: real shares wobble more than binomially from period to
  period. A quasi-likelihood dispersion ``phi = max(1, X^2 / (m - 1))`` (Pearson
  chi-square of the ``m`` baseline periods' shares) divides counts and totals before
  the test, so ordinary wobble does not raise alerts.

The ranker flags ``emerging = growth > 0 and q < alpha`` with Benjamini-Hochberg
q-values across drivers, and needs at least 3 periods (2 baseline + latest).

Examples:
    >>> from vocmine.drivers import emerging_test
    >>> growth, p = emerging_test([10, 12, 9, 40], [1000, 1000, 1000, 1000])
    >>> round(growth, 2), p < 0.001
    (2.87, True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import sparse, special

from vocmine.errors import ConfigError, SchemaError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["period_labels", "trend_table", "emerging_test", "MIN_PERIODS"]

#: Fewest distinct periods (2 baseline + the latest) for an emerging test.
MIN_PERIODS = 3
_FREQS = ("D", "W", "M")


def period_labels(timestamps: Sequence[object], freq: str = "W") -> list[str]:
    """Sortable period label per timestamp.

    ``"D"`` gives ``"2024-03-05"``, ``"W"`` the ISO week ``"2024-W09"`` (weeks start
    on Monday, ISO year), ``"M"`` gives ``"2024-03"``. Timezone-aware values are
    converted to UTC; missing values (None, NaT, "") get ``""`` and are left out of
    trends.

    Args:
        timestamps: datetimes, dates, ISO strings or numpy datetime64 values.
        freq: ``"D"``, ``"W"`` or ``"M"``.

    Returns:
        One label per timestamp.

    Raises:
        ConfigError: [E004] unknown ``freq``.
        SchemaError: [E002] a value cannot be read as a timestamp.

    Examples:
        >>> from vocmine.drivers import period_labels
        >>> period_labels(["2024-01-01", "2023-12-31 23:00", None], freq="W")
        ['2024-W01', '2023-W52', '']
    """
    if freq not in _FREQS:
        raise ConfigError(
            f"[E004] Trend frequency must be one of {list(_FREQS)}. Got {freq!r}. "
            "Pass freq='W' for weekly periods."
        )
    series = timestamps if isinstance(timestamps, pd.Series) else pd.Series(list(timestamps), dtype=object)
    if series.empty:
        return []
    # label each distinct value once: a million rows hold a few hundred distinct days
    codes, uniques = pd.factorize(series.reset_index(drop=True), use_na_sentinel=True)
    table = np.array([*_labels(list(uniques), freq), ""], dtype=object)  # code -1 (missing) -> ""
    return table[codes].tolist()


def _labels(values: list[object], freq: str) -> list[str]:
    """Period label of each value (see ``period_labels``)."""
    if not values:
        return []
    try:
        ts = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="mixed")
    except (ValueError, TypeError) as exc:
        raise SchemaError(
            f"[E002] Timestamps must be dates, datetimes or ISO strings. Got an unreadable "
            f"value ({exc}). Clean the created_at column or leave the bad cells empty."
        ) from None
    ts = ts.dt.tz_convert(None)
    missing = ts.isna().to_numpy()
    if freq == "D":
        out = ts.dt.strftime("%Y-%m-%d")
    elif freq == "M":
        out = ts.dt.strftime("%Y-%m")
    else:
        iso = ts.dt.isocalendar()
        out = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    labels = out.astype(object).to_numpy()
    return ["" if miss else str(lab) for lab, miss in zip(labels, missing, strict=True)]


def _counts(
    indicators: np.ndarray, periods: Sequence[str] | np.ndarray, weights: np.ndarray | None = None
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Sorted non-empty periods, ``(m, k)`` mention counts and ``(m,)`` totals (``weights``:
    documents each row stands for)."""
    per = np.asarray(list(periods), dtype=object)
    x = np.asarray(indicators)
    if x.ndim != 2 or x.shape[0] != per.size:
        raise SchemaError(
            f"[E002] indicators must be (n, k) with one row per period label. Got indicators "
            f"of shape {x.shape} and {per.size} period labels. Pass aligned arrays."
        )
    keep = per != ""
    labels, inv = np.unique(per[keep].astype(str), return_inverse=True)
    m = labels.size
    w = np.ones(inv.size) if weights is None else np.asarray(weights, dtype=float)[keep]
    totals = np.bincount(inv.ravel(), weights=w, minlength=m).astype(float)
    onehot = sparse.csr_matrix((w, (inv.ravel(), np.arange(inv.size))), shape=(m, inv.size))
    counts = np.asarray((onehot @ sparse.csr_matrix(x)[np.flatnonzero(keep)]).toarray(), dtype=float).reshape(m, x.shape[1])
    return labels.tolist(), counts, totals


def trend_table(
    indicators: np.ndarray,
    periods: Sequence[str],
    names: Sequence[str],
    *,
    outcome: np.ndarray | None = None,
) -> pd.DataFrame:
    """Volume per driver and period, optionally with the mean outcome gap.

    Args:
        indicators: ``(n, k)`` 0/1 matrix, document i mentions driver j.
        periods: ``n`` period labels (see :func:`period_labels`); ``""`` is skipped.
        names: ``k`` driver ids.
        outcome: optional ``(n,)`` outcome; adds ``impact``, the raw mean outcome
            of documents with the driver minus those without, per period (NaN when
            either group is empty). Adjusted impacts come from the ranker.

    Returns:
        Long table with columns ``driver, period, n, total, share`` (and
        ``impact``), sorted by driver then period.

    Examples:
        >>> import numpy as np
        >>> from vocmine.drivers import trend_table
        >>> x = np.array([[1], [0], [1], [1]])
        >>> trend_table(x, ["2024-01", "2024-01", "2024-02", "2024-02"], ["wait"])["share"].tolist()
        [0.5, 1.0]
    """
    labels, counts, totals = _counts(indicators, periods)
    k = counts.shape[1]
    if len(names) != k:
        raise SchemaError(
            f"[E002] names must have one entry per indicator column. Got {len(names)} names "
            f"for {k} columns. Pass aligned names."
        )
    frame = pd.DataFrame(
        {
            "driver": np.repeat(np.asarray(list(names), dtype=object), len(labels)),
            "period": np.tile(np.asarray(labels, dtype=object), k),
            "n": counts.T.ravel().astype(int),
            "total": np.tile(totals, k).astype(int),
        }
    )
    frame["share"] = frame["n"] / frame["total"].where(frame["total"] > 0)
    if outcome is not None:
        per = np.asarray(list(periods), dtype=object)
        y = np.asarray(outcome, dtype=float)
        x = np.asarray(indicators).astype(bool)
        gaps = np.full((k, len(labels)), np.nan)
        for t, lab in enumerate(labels):
            rows = (per == lab) & ~np.isnan(y)
            xs, ys = x[rows], y[rows]
            n_with = xs.sum(0)
            n_without = xs.shape[0] - n_with
            with np.errstate(invalid="ignore", divide="ignore"):
                gap = (ys @ xs) / n_with - (ys @ ~xs) / n_without
            gaps[:, t] = np.where((n_with > 0) & (n_without > 0), gap, np.nan)
        frame["impact"] = gaps.ravel()
    return frame.sort_values(["driver", "period"], kind="stable").reset_index(drop=True)


def emerging_test(
    counts: Sequence[float] | np.ndarray, totals: Sequence[float] | np.ndarray
) -> tuple[float, float]:
    """Growth of a driver's share in the latest period and its one-sided p-value.

    Args:
        counts: mentions per period, oldest first; the last is the latest window.
        totals: documents per period, aligned with ``counts``.

    Returns:
        ``(growth, p_value)``; ``(nan, nan)`` with fewer than 3 periods or no
        documents in the baseline or the latest window.

    Examples:
        >>> from vocmine.drivers import emerging_test
        >>> g, p = emerging_test([20, 22, 18, 21], [1000, 1000, 1000, 1000])
        >>> round(g, 2), p > 0.3
        (0.05, True)
    """
    c = np.asarray(counts, dtype=float)
    tot = np.asarray(totals, dtype=float)
    if c.shape != tot.shape or c.ndim != 1:
        raise SchemaError(
            f"[E002] counts and totals must be 1-d and aligned. Got shapes {c.shape} and "
            f"{tot.shape}. Pass one count and one total per period."
        )
    if c.size < MIN_PERIODS or tot[-1] <= 0 or tot[:-1].sum() <= 0:
        return float("nan"), float("nan")
    c_l, t_l = c[-1], tot[-1]
    c_b, t_b = c[:-1].sum(), tot[:-1].sum()
    base_share = c_b / t_b
    growth = (c_l / t_l) / base_share - 1.0 if base_share > 0 else (np.inf if c_l else 0.0)
    if c_l + c_b == 0:
        return float(growth), 1.0
    phi = 1.0
    base = tot[:-1] > 0
    if base.sum() >= 2 and 0 < base_share < 1:
        expected = tot[:-1][base] * base_share
        chi2 = ((c[:-1][base] - expected) ** 2 / (expected * (1 - base_share))).sum()
        phi = max(1.0, chi2 / (base.sum() - 1))
    k_l, k_b = c_l / phi, c_b / phi
    if k_l <= 0:
        return float(growth), 1.0
    # P(X >= k) for X ~ Binomial(k_l + k_b, pi) as a regularised incomplete beta,
    # exact for integer counts and continuous in the dispersion-scaled ones
    p = float(special.betainc(k_l, k_b + 1.0, t_l / (t_l + t_b)))
    return float(growth), min(1.0, p)
