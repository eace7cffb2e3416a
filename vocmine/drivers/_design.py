"""Which driver columns go into which regression, and why some are left out.

Category x touchpoint pairs are exactly collinear with their parent category when
every document has one touchpoint (the pairs partition the category's documents).
Instead of dropping an arbitrary pair or the parent, two models are fitted:

* ``category`` model: every eligible column except the ``category_touchpoint`` ones
  (categories, topics, any other kind) - the impacts users see first;
* ``pair`` model (only when pair columns exist): the eligible pairs, the eligible
  non-pair columns that are not a parent of any pair, plus one *nuisance* column per
  parent holding its documents not covered by an eligible pair (pairs below
  ``min_support`` or docs without a touchpoint), so those documents do not leak into
  the baseline. Nuisance columns are fitted but never reported.

A pair's parent is the ``category`` column that contains all of its documents
(ties: the one whose name occurs in the pair's name, then the smallest, then by
name). Inside each model, remaining exact linear dependencies (duplicate columns,
topics that partition the corpus, a driver present in every document) are found by
a greedy Schur-complement screen in order of support; a dropped exact duplicate is
reported with the estimate of the column it duplicates (``aliased_with``), any other
dropped column gets NaN and a reason.

Examples:
    >>> import numpy as np
    >>> from vocmine.drivers._design import plan_models
    >>> x = np.array([[1, 1], [1, 0], [0, 0], [0, 0]], dtype=bool)
    >>> [m.name for m in plan_models(x, ["a", "a@t"], ["category", "category_touchpoint"], 1)]
    ['category', 'pair']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["Model", "plan_models", "column_totals", "PAIR_KIND", "CATEGORY_KIND"]

PAIR_KIND = "category_touchpoint"
CATEGORY_KIND = "category"
_REL_TOL = 1e-9


@dataclass
class Model:
    """Columns of one regression.

    Attributes:
        name: ``"category"`` or ``"pair"``.
        columns: driver indices fitted and reported, in design order.
        nuisance: ``(n, r)`` extra 0/1 columns appended after ``columns``.
        aliases: dropped driver -> kept driver it duplicates exactly.
        dropped: dropped driver -> reason.
    """

    name: str
    columns: list[int]
    nuisance: np.ndarray
    aliases: dict[int, int] = field(default_factory=dict)
    dropped: dict[int, str] = field(default_factory=dict)

    def design_columns(self, x: np.ndarray) -> list[np.ndarray]:
        """The design's columns as 1-d views of ``x`` and the nuisance (no ``(n, p)`` copy:
        at a million documents each copy of the design costs ~p MB)."""
        return [x[:, j] for j in self.columns] + [self.nuisance[:, r] for r in range(self.nuisance.shape[1])]


def sparse_from_columns(columns: Sequence[np.ndarray], n: int) -> sparse.csc_matrix:
    """Float CSC matrix of 0/1 columns, built from their non-zeros only."""
    idx = [np.flatnonzero(c) for c in columns]
    indptr = np.concatenate([[0], np.cumsum([i.size for i in idx], dtype=np.int64)])
    indices = np.concatenate(idx) if idx else np.zeros(0, dtype=np.int64)
    return sparse.csc_matrix((np.ones(indices.size), indices, indptr), shape=(n, len(columns)))


def _weighted(xs: sparse.csc_matrix, counts: np.ndarray | None) -> sparse.csc_matrix:
    """``xs`` with each non-zero holding its row's count (``xs`` itself when ``counts`` is ``None``)."""
    if counts is None:
        return xs
    return sparse.csc_matrix((np.asarray(counts, dtype=float)[xs.indices], xs.indices, xs.indptr), shape=xs.shape)


def column_totals(x: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
    """Documents per column of a 0/1 matrix whose row i stands for ``counts[i]`` documents
    (one each when ``counts`` is ``None``); no float copy of ``x``."""
    if counts is None:
        return np.asarray(x.sum(0))
    c = np.asarray(counts, dtype=float)
    return np.array([c[np.asarray(x[:, j], dtype=bool)].sum() for j in range(x.shape[1])])


def find_parents(x: np.ndarray, names: Sequence[str], kinds: Sequence[str],
                 counts: np.ndarray | None = None) -> dict[int, int]:
    """Map each pair column to the category column that contains all of its documents."""
    cats = [j for j, kd in enumerate(kinds) if kd == CATEGORY_KIND]
    pairs = [j for j, kd in enumerate(kinds) if kd == PAIR_KIND]
    parents: dict[int, int] = {}
    if not cats or not pairs:
        return parents
    xs = sparse_from_columns([x[:, j] for j in range(x.shape[1])], x.shape[0])
    xw = _weighted(xs, counts)
    inside = np.asarray((xw[:, pairs].T @ xs[:, cats]).toarray())  # (pairs, cats) document overlaps
    support = np.asarray(xw.sum(0)).ravel()
    for row, j in enumerate(pairs):
        cand = [i for i, c in enumerate(cats) if inside[row, i] == support[j] and support[c] > 0]
        if cand:
            best = min(
                cand, key=lambda i: (names[cats[i]] not in names[j], support[cats[i]], names[cats[i]])
            )
            parents[j] = cats[best]
    return parents


def _screen(x: np.ndarray, model: Model, n_keep: int, names: Sequence[str],
            counts: np.ndarray | None = None) -> None:
    """Drop exactly collinear columns in design order (in place)."""
    cols = model.design_columns(x)
    if not cols:
        return
    xs = sparse_from_columns(cols, x.shape[0])
    xw = _weighted(xs, counts)
    n = x.shape[0] if counts is None else float(np.sum(counts))
    total = np.asarray(xw.sum(0), dtype=float).ravel()
    raw = np.asarray((xw.T @ xs).toarray())  # X'CX through a sparse product (no dense BLAS on (n, k))
    gram = raw - np.outer(total, total) / max(n, 1)  # centred Gram
    kept: list[int] = []
    for pos in range(len(cols)):
        gjj = gram[pos, pos]
        if gjj <= _REL_TOL * max(1.0, n):
            resid = 0.0
        elif kept:
            gk = gram[np.ix_(kept, kept)]
            v = gram[kept, pos]
            resid = gjj - v @ np.linalg.lstsq(gk, v, rcond=None)[0]
        else:
            resid = gjj
        if resid > _REL_TOL * max(gjj, 1.0):
            kept.append(pos)
            continue
        if pos >= n_keep:
            continue  # nuisance column: silently unnecessary
        j = model.columns[pos]
        twin = next(
            (
                model.columns[q]
                for q in kept
                if q < n_keep and raw[q, q] == raw[pos, pos] == raw[q, pos]  # identical 0/1 columns
            ),
            None,
        )
        if twin is not None:
            model.aliases[j] = twin
            model.dropped[j] = f"identical to driver {names[twin]!r}; estimate shared"
        elif gjj <= _REL_TOL * max(1.0, n):
            model.dropped[j] = "present in every document with an outcome; no contrast"
        else:
            model.dropped[j] = "exactly collinear with other drivers; not identifiable"
    keep_cols = [model.columns[q] for q in kept if q < n_keep]
    keep_nuis = [q - n_keep for q in kept if q >= n_keep]
    model.columns = keep_cols
    model.nuisance = model.nuisance[:, keep_nuis]


def plan_models(
    x: np.ndarray, names: Sequence[str], kinds: Sequence[str], min_support: int,
    counts: np.ndarray | None = None,
) -> list[Model]:
    """Split eligible drivers into the category-level and pair-level models.

    Args:
        x: ``(n, k)`` boolean indicators of the documents that have an outcome.
        names: driver ids.
        kinds: driver kinds.
        min_support: fewest documents a driver needs to enter a model.
        counts: documents each row stands for (``None``: one each).

    Returns:
        One or two models; drivers below ``min_support`` appear in none.
    """
    n, k = x.shape
    support = column_totals(x, counts)
    eligible = [j for j in range(k) if support[j] >= min_support]
    by_support = sorted(eligible, key=lambda j: (-support[j], names[j]))
    parents = find_parents(x, names, kinds, counts)
    base = Model("category", [j for j in by_support if kinds[j] != PAIR_KIND], np.zeros((n, 0)))
    models = [base]
    pair_cols = [j for j in by_support if kinds[j] == PAIR_KIND]
    if pair_cols:
        used_parents = sorted({parents[j] for j in pair_cols if j in parents})
        others = [j for j in base.columns if j not in used_parents]
        nuis = []
        for c in used_parents:
            covered = x[:, [j for j in pair_cols if parents.get(j) == c]].any(1)
            rest = x[:, c] & ~covered
            if rest.any():
                nuis.append(rest)
        nuisance = np.column_stack(nuis) if nuis else np.zeros((n, 0))
        models.append(Model("pair", pair_cols + others, nuisance))
    for m in models:
        _screen(x, m, len(m.columns), names, counts)
    return models
