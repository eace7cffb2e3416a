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

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["Model", "plan_models", "PAIR_KIND", "CATEGORY_KIND"]

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

    def design(self, x: np.ndarray) -> np.ndarray:
        """The ``(n, len(columns) + r)`` design for the documents of ``x``."""
        return np.hstack([x[:, self.columns], self.nuisance]).astype(np.uint8)


def find_parents(x: np.ndarray, names: Sequence[str], kinds: Sequence[str]) -> dict[int, int]:
    """Map each pair column to the category column that contains all of its documents."""
    cats = [j for j, kd in enumerate(kinds) if kd == CATEGORY_KIND]
    parents: dict[int, int] = {}
    if not cats:
        return parents
    xc = x[:, cats].astype(np.int64)
    support = xc.sum(0)
    for j, kd in enumerate(kinds):
        if kd != PAIR_KIND:
            continue
        inside = x[:, j].astype(np.int64) @ xc
        cand = [i for i in range(len(cats)) if inside[i] == x[:, j].sum() and support[i] > 0]
        if cand:
            best = min(
                cand, key=lambda i: (names[cats[i]] not in names[j], support[i], names[cats[i]])
            )
            parents[j] = cats[best]
    return parents


def _screen(x: np.ndarray, model: Model, n_keep: int, names: Sequence[str]) -> None:
    """Drop exactly collinear columns in design order (in place)."""
    d = model.design(x).astype(float)
    if d.shape[1] == 0:
        return
    dc = d - d.mean(0)
    gram = dc.T @ dc
    kept: list[int] = []
    for pos in range(d.shape[1]):
        gjj = gram[pos, pos]
        if gjj <= _REL_TOL * max(1.0, d.shape[0]):
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
            (model.columns[q] for q in kept if q < n_keep and np.array_equal(d[:, q], d[:, pos])),
            None,
        )
        if twin is not None:
            model.aliases[j] = twin
            model.dropped[j] = f"identical to driver {names[twin]!r}; estimate shared"
        elif gjj <= _REL_TOL * max(1.0, d.shape[0]):
            model.dropped[j] = "present in every document with an outcome; no contrast"
        else:
            model.dropped[j] = "exactly collinear with other drivers; not identifiable"
    keep_cols = [model.columns[q] for q in kept if q < n_keep]
    keep_nuis = [q - n_keep for q in kept if q >= n_keep]
    model.columns = keep_cols
    model.nuisance = model.nuisance[:, keep_nuis]


def plan_models(
    x: np.ndarray, names: Sequence[str], kinds: Sequence[str], min_support: int
) -> list[Model]:
    """Split eligible drivers into the category-level and pair-level models.

    Args:
        x: ``(n, k)`` boolean indicators of the documents that have an outcome.
        names: driver ids.
        kinds: driver kinds.
        min_support: fewest documents a driver needs to enter a model.

    Returns:
        One or two models; drivers below ``min_support`` appear in none.
    """
    n, k = x.shape
    support = x.sum(0)
    eligible = [j for j in range(k) if support[j] >= min_support]
    by_support = sorted(eligible, key=lambda j: (-support[j], names[j]))
    parents = find_parents(x, names, kinds)
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
        _screen(x, m, len(m.columns), names)
    return models
