"""Collapse a driver design to weighted rows: documents that no statistic can tell apart.

Every quantity the ranker computes (supports, the regressions and their bootstrap, trend
counts, polarity shares) depends on a document only through its indicator row, outcome,
period and, per driver, whether its mean mention polarity is negative, neutral or
positive. Documents equal in all of these are merged into one row with
``DriverInput.counts`` = how many they are; ranking the collapsed input gives the same
drivers as ranking the documents. Batch scoring collapses each scored part and merges
the parts, so the final ranking holds distinct rows, not every document.

Examples:
    >>> import numpy as np
    >>> from vocmine.drivers import collapse_rows
    >>> from vocmine.types import DriverInput
    >>> data = DriverInput(outcome=np.array([1.0, 1.0, 5.0]), indicators=np.array([[1], [1], [0]]),
    ...                    names=["wait"], kinds=["category"], touchpoints=[""])
    >>> rows = collapse_rows([data])
    >>> rows.outcome.tolist(), rows.counts.tolist()
    ([5.0, 1.0], [1.0, 2.0])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from vocmine.drivers._impact import pack_bits
from vocmine.drivers._ranker import signed_rows
from vocmine.errors import SchemaError
from vocmine.types import DriverInput

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["collapse_rows"]


def _signs(data: DriverInput, n: int, p: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Rows with a negative / positive mean polarity, per driver column."""
    empty = np.zeros(0, dtype=np.int64)
    if data.polarity is None:
        return [empty] * p, [empty] * p
    pol = sparse.csc_matrix(data.polarity)
    pol.sum_duplicates()
    signs = [signed_rows(pol, j) for j in range(p)]
    return [neg for neg, _ in signs], [pos for _, pos in signs]


def _check(parts: Sequence[DriverInput]) -> None:
    first = parts[0]
    for other in parts[1:]:
        if (list(other.names) != list(first.names) or list(other.kinds) != list(first.kinds)
                or list(other.touchpoints) != list(first.touchpoints) or other.outcome_name != first.outcome_name
                or (other.periods is None) != (first.periods is None)):
            raise SchemaError("[E002] collapse_rows: the inputs must share names, kinds, touchpoints, outcome name "
                              "and whether they have periods. Build every part with the same driver columns.")
    if any(d.audit is not None for d in parts):
        raise SchemaError("[E002] collapse_rows: an audited design needs one row per document; rank it uncollapsed.")


def collapse_rows(parts: Sequence[DriverInput]) -> DriverInput:
    """Stack driver inputs with the same columns and merge indistinguishable rows.

    Args:
        parts: one or more ``DriverInput`` with identical ``names``, ``kinds``,
            ``touchpoints`` and ``outcome_name`` (their ``counts`` are honoured).

    Returns:
        A ``DriverInput`` whose rows are the distinct (indicators, outcome, period,
        polarity sign per driver) combinations, sorted, with ``counts``; its polarity is
        -1 / +1 where the merged documents' mean mention polarity was negative / positive.

    Raises:
        SchemaError: [E002] the parts do not share their columns, or one has an audit.
    """
    if not parts:
        raise SchemaError("[E002] collapse_rows needs at least one DriverInput.")
    _check(parts)
    first = parts[0]
    p = len(first.names)
    keys, ys, weights, labels = [], [], [], []
    for data in parts:
        x = np.asarray(data.indicators)
        n = x.shape[0]
        y = np.asarray(data.outcome, dtype=float) + 0.0  # -0.0 -> 0.0
        y[np.isnan(y)] = np.nan  # one NaN bit pattern
        neg, pos = _signs(data, n, p)
        packed = [pack_bits(n, [np.flatnonzero(x[:, j]) for j in range(p)]), pack_bits(n, neg), pack_bits(n, pos)]
        keys.append(np.hstack(packed))
        ys.append(y)
        weights.append(np.ones(n) if data.counts is None else np.asarray(data.counts, dtype=float))
        labels.append(np.asarray(["" if v is None else str(v) for v in data.periods], dtype=object)
                      if data.periods is not None else np.zeros(n, dtype=object))
    y_all = np.concatenate(ys)
    period_names, period_code = np.unique(np.concatenate(labels).astype(str), return_inverse=True)
    width = (p + 7) // 8
    key = np.hstack([np.vstack(keys), y_all.view(np.uint8).reshape(-1, 8),
                     period_code.astype(np.int64).reshape(-1, 1).view(np.uint8)])
    del keys
    void = np.ascontiguousarray(key).view(np.dtype((np.void, key.shape[1]))).ravel()
    _, first_row, inverse = np.unique(void, return_index=True, return_inverse=True)
    counts = np.bincount(inverse.ravel(), weights=np.concatenate(weights), minlength=first_row.size)
    kept = key[first_row]
    del key, void
    bits = np.unpackbits(kept[:, : 3 * width], axis=1).reshape(first_row.size, 3, width * 8)[:, :, :p]
    lo, hi = np.nonzero(bits[:, 1]), np.nonzero(bits[:, 2])  # sparse from the non-zeros: no dense float copy
    polarity = sparse.csc_matrix((np.r_[-np.ones(lo[0].size), np.ones(hi[0].size)],
                                  (np.r_[lo[0], hi[0]], np.r_[lo[1], hi[1]])), shape=(first_row.size, p))
    return DriverInput(
        outcome=y_all[first_row],
        indicators=np.ascontiguousarray(bits[:, 0]),
        names=list(first.names),
        kinds=list(first.kinds),
        touchpoints=list(first.touchpoints),
        polarity=polarity,
        periods=None if first.periods is None else period_names[period_code[first_row]].tolist(),
        outcome_name=first.outcome_name,
        counts=counts,
    )
