"""Topic volume per time period (plain records; the pipeline builds frames).

Examples:
    >>> from vocmine.topics import topics_over_time
    >>> rows = topics_over_time([0, 1, 0, -1], ["2024-01-05", "2024-01-20", "2024-03-01", "2024-03-02"], "M")
    >>> [(r["period"], r["topic_id"], r["count"]) for r in rows if r["topic_id"] == 0]
    [('2024-01', 0, 1), ('2024-02', 0, 0), ('2024-03', 0, 1)]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from vocmine.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["topics_over_time", "FREQUENCIES"]

#: Accepted ``freq`` values and the pandas period alias behind each.
FREQUENCIES: dict[str, str] = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q", "Y": "Y"}


def topics_over_time(
    topic_ids: Sequence[int] | np.ndarray, timestamps: Sequence[Any], freq: str = "M"
) -> list[dict[str, Any]]:
    """Count documents per period and topic.

    Every period between the first and the last timestamp appears for every
    topic seen (outlier topic ``-1`` included), with zero counts where a topic
    is silent, so trends can be read without gaps. Documents whose timestamp is
    missing or unparsable are left out.

    Args:
        topic_ids: one topic id per document.
        timestamps: one timestamp per document (``datetime``, ``date``,
            ISO strings, ``numpy.datetime64`` or ``pandas.Timestamp``).
        freq: ``"D"``, ``"W"`` (weeks ending Sunday), ``"M"``, ``"Q"`` or ``"Y"``.

    Returns:
        Records ``{"period", "start", "topic_id", "count", "share"}`` sorted by
        period then topic id; ``period`` is a sortable label (``"2024-03"``,
        ``"2024Q1"``, ``"2024-03-04/2024-03-10"``), ``start`` its first day
        (ISO date) and ``share`` the topic's fraction of that period's documents.

    Raises:
        ConfigError: unknown ``freq`` or misaligned inputs.

    Examples:
        >>> from vocmine.topics import topics_over_time
        >>> topics_over_time([2, 2], ["2024-05-01", "2024-05-30"], "M")
        [{'period': '2024-05', 'start': '2024-05-01', 'topic_id': 2, 'count': 2, 'share': 1.0}]
    """
    import pandas as pd

    if freq not in FREQUENCIES:
        raise ConfigError(f"[E004] freq={freq!r} is not supported: expected one of {list(FREQUENCIES)}. "
                          "Fix: pass freq='M' (month), 'W', 'D', 'Q' or 'Y'.")
    ids = np.asarray(topic_ids, dtype=np.int64).ravel()
    if len(ids) != len(timestamps):
        raise ConfigError(f"[E004] {len(timestamps)} timestamps for {len(ids)} topic ids, expected one per "
                          "document. Fix: pass aligned sequences.")
    if len(ids) == 0:
        return []
    when = pd.to_datetime(pd.Series(list(timestamps), dtype=object), errors="coerce", utc=True, format="mixed")
    ok = when.notna().to_numpy()
    if not ok.any():
        return []
    periods = when[ok].dt.tz_localize(None).dt.to_period(FREQUENCIES[freq])
    ids = ids[ok]
    full = pd.period_range(periods.min(), periods.max(), freq=FREQUENCIES[freq])
    topics = sorted(set(ids.tolist()))
    pos = {p: i for i, p in enumerate(full)}
    counts = np.zeros((len(full), len(topics)), dtype=np.int64)
    tix = {t: j for j, t in enumerate(topics)}
    np.add.at(counts, (np.array([pos[p] for p in periods]), np.array([tix[t] for t in ids.tolist()])), 1)
    totals = counts.sum(axis=1)
    rows: list[dict[str, Any]] = []
    for i, p in enumerate(full):
        for j, t in enumerate(topics):
            c = int(counts[i, j])
            rows.append({"period": str(p), "start": p.start_time.date().isoformat(), "topic_id": int(t), "count": c,
                         "share": float(c / totals[i]) if totals[i] else 0.0})
    return rows
