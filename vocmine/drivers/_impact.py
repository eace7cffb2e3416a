"""Adjusted driver impact: joint ridge-stabilised OLS, HC3 errors, weighted bootstrap.

Model (one fit per design, see ``_design``)::

    y_i = a + sum_j b_j x_ij + e_i,        x_ij in {0, 1}

    b = (Xc' Xc + ridge * I)^-1 Xc' yc      Xc, yc centred => intercept a unpenalised

``b_j`` is the *impact* of driver j: the change in the expected outcome when a
document mentions j, holding the other drivers fixed, so a driver that merely
co-occurs with a bad driver is not blamed for it.

Statistics:

* HC3 sandwich covariance ``V = A^-1 Xc' diag(e_i^2 / (1 - h_i)^2) Xc A^-1`` with
  ``A = Xc'Xc + ridge*I`` and leverage ``h_i = 1/n + xc_i' A^-1 xc_i``; two-sided
  p-values from Student t with ``n - p - 1`` degrees of freedom.
* Bayesian (weighted) bootstrap over documents: each replicate draws i.i.d. Exp(1)
  weights per document and re-solves the weighted normal equations. For the joint
  fit the documents carry the leverage-adjusted outcome ``fitted_i + e_i/(1 - h_i)``
  and replicates are re-centred on ``b`` (so the bootstrap variance matches HC3
  instead of the downward-biased HC0 in small or high-leverage designs). Documents with
  the same indicator row and outcome are collapsed into cells (one Gamma(count)
  weight each), so a replicate costs O(cells + nnz-pairs + p^3) instead of O(n p^2).
  Percentile or BCa intervals; BCa's acceleration comes from the closed-form OLS
  jackknife ``b_(-i) - b = -A^-1 xc_i e_i / (1 - h_i)``.
* Benjamini-Hochberg q-values across drivers.

Examples:
    >>> import numpy as np
    >>> from vocmine.drivers import benjamini_hochberg
    >>> benjamini_hochberg([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.04, 0.04]
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse, stats

from vocmine.drivers._design import sparse_from_columns

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["benjamini_hochberg"]

_MAX_CHUNK_CELLS = 4_000_000  # weights drawn per bootstrap chunk (n * replicates)
_MAX_CHUNK_GRAM = 2_000_000  # Gram entries per bootstrap chunk (p * p * replicates): ~16 MB per copy


def benjamini_hochberg(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values (step-up FDR adjustment).

    ``q_(i) = min_{j >= i} min(1, m * p_(j) / j)`` over the ``m`` finite p-values,
    sorted ascending; NaN p-values are ignored and get NaN q-values.

    Args:
        p_values: p-values in [0, 1], NaN allowed.

    Returns:
        q-values aligned with the input.

    Examples:
        >>> from vocmine.drivers import benjamini_hochberg
        >>> benjamini_hochberg([0.005, 0.5, float("nan"), 0.02]).round(3).tolist()
        [0.015, 0.5, nan, 0.03]
    """
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.size
    if m == 0:
        return q
    order = ok[np.argsort(p[ok], kind="stable")]
    ranked = p[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    q[order] = np.minimum(ranked, 1.0)
    return q


@dataclass(frozen=True)
class Patterns:
    """Documents collapsed to unique indicator rows and to (row, outcome) cells.

    Every quantity the fit needs is a sum over documents of something that depends
    only on the document's indicator row and outcome, so documents sharing both are
    interchangeable: a cell of ``c`` documents gets one Gamma(c) bootstrap weight,
    which has exactly the law of the sum of ``c`` i.i.d. Exp(1) document weights.
    """

    rows: sparse.csr_matrix  # (U, p) 0/1 pattern rows (sparse: U x p floats would dominate memory)
    pairs: sparse.csr_matrix  # (U, P) 1 where both drivers of pair P are present
    pair_jk: tuple[np.ndarray, np.ndarray]  # driver indices of each pair (j <= k)
    cell_row: np.ndarray  # (K,) pattern of each cell, non-decreasing
    cell_y: np.ndarray  # (K,) outcome of each cell
    cell_n: np.ndarray  # (K,) number of documents in each cell
    starts: np.ndarray  # (U,) first cell of each pattern


def collapse_columns(columns: Sequence[np.ndarray], y: np.ndarray, counts: np.ndarray | None = None) -> Patterns:
    """Collapse a 0/1 design, given as ``p`` columns (views: the ``(n, p)`` matrix is never
    built), and the outcome to patterns, pairs and cells.

    Each document's pattern is packed into bits column by column (as ``np.packbits`` would,
    first column in the high bit), so memory is ``n * p / 8`` bytes. With ``counts`` row i
    stands for ``counts[i]`` documents; the cells (and so every fit) are those of the documents.
    """
    n, p = y.size, len(columns)
    if p == 0:
        inverse = np.zeros(n, dtype=np.intp)
        rows = np.zeros((1 if n else 0, 0))
    else:
        packed = pack_bits(n, [np.flatnonzero(col) for col in columns])
        keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        del packed, keys
        rows = sparse_from_columns([np.asarray(col)[first] for col in columns], first.size)
    inverse = np.asarray(inverse, dtype=np.intp).ravel()
    order = np.lexsort((y, inverse))
    r_s, y_s = inverse[order], y[order]
    new = np.ones(n, dtype=bool)
    new[1:] = (r_s[1:] != r_s[:-1]) | (y_s[1:] != y_s[:-1])
    first_cell = np.flatnonzero(new)
    if counts is None:
        cell_n = np.diff(np.append(first_cell, n)).astype(float)
    else:
        cell_n = np.add.reduceat(np.asarray(counts, dtype=float)[order], first_cell) if n else np.zeros(0)
    cell_row = r_s[first_cell]
    starts = np.searchsorted(cell_row, np.arange(rows.shape[0]))
    csr = sparse.csr_matrix(rows)
    csr.sort_indices()
    counts = np.diff(csr.indptr)
    pos = np.arange(csr.indices.size)
    reps = np.repeat(csr.indptr[1:], counts) - pos
    first_el = np.repeat(pos, reps)
    second_el = first_el + np.arange(first_el.size) - np.repeat(np.cumsum(reps) - reps, reps)
    j, k = csr.indices[first_el], csr.indices[second_el]
    u = np.repeat(np.repeat(np.arange(rows.shape[0]), counts), reps)
    width = max(p, 1)
    uniq, col = np.unique(j * width + k, return_inverse=True)
    pairs = sparse.csr_matrix(
        (np.ones(j.size), (u, col.ravel())), shape=(rows.shape[0], uniq.size)
    )
    return Patterns(csr, pairs, (uniq // width, uniq % width), cell_row, y_s[first_cell], cell_n, starts)


def pack_bits(n: int, column_rows: Sequence[np.ndarray]) -> np.ndarray:
    """``(n, ceil(p / 8))`` bits from the set rows of each of ``p`` columns, first column in the
    high bit (as ``np.packbits`` on the ``(n, p)`` matrix would give, without building it)."""
    packed = np.zeros((n, (len(column_rows) + 7) // 8), dtype=np.uint8)
    for j, rows in enumerate(column_rows):
        packed[rows, j >> 3] |= np.uint8(1 << (7 - (j & 7)))
    return packed


def _to_rows(values: np.ndarray, pat: Patterns) -> np.ndarray:
    """Sum ``(b, K)`` per-cell values into ``(b, U)`` per-pattern totals."""
    if pat.rows.shape[0] == 0:
        return np.zeros((values.shape[0], 0))
    return np.add.reduceat(values, pat.starts, axis=1)


@dataclass(frozen=True)
class Moments:
    """Weighted sufficient statistics of ``b`` replicates."""

    total: np.ndarray  # (b,)
    sx: np.ndarray  # (b, p)
    sy: np.ndarray  # (b,)
    sxy: np.ndarray  # (b, p)
    sxx: np.ndarray  # (b, p, p)


def moments(weights: np.ndarray, pat: Patterns) -> Moments:
    """Sufficient statistics for ``(b, K)`` cell weights."""
    wu = _to_rows(weights, pat)
    yu = _to_rows(weights * pat.cell_y[None, :], pat)
    p = pat.rows.shape[1]
    flat = np.asarray(pat.pairs.T @ wu.T).T  # (b, P)
    sxx = np.zeros((weights.shape[0], p, p))
    j, k = pat.pair_jk
    sxx[:, j, k] = flat
    sxx[:, k, j] = flat
    sx = np.asarray(pat.rows.T @ wu.T).T
    sxy = np.asarray(pat.rows.T @ yu.T).T
    return Moments(wu.sum(1), sx, yu.sum(1), sxy, sxx)


def solve(mom: Moments, ridge: float, *, joint: bool) -> np.ndarray:
    """Slopes ``(b, p)`` of the centred, ridge-stabilised normal equations."""
    tot = np.maximum(mom.total, 1e-300)
    g = mom.sxy - mom.sx * (mom.sy / tot)[:, None]
    if not joint:
        diag = np.einsum("bjj->bj", mom.sxx) - mom.sx**2 / tot[:, None] + ridge
        return np.where(diag > 0, g / np.where(diag > 0, diag, 1.0), 0.0)
    gram = mom.sx[:, :, None] * mom.sx[:, None, :]
    gram /= -tot[:, None, None]
    gram += mom.sxx
    gram += ridge * np.eye(gram.shape[1])[None]
    return np.linalg.solve(gram, g[:, :, None])[:, :, 0]


@dataclass(frozen=True)
class PointFit:
    """Point estimate with analytic HC3 errors and BCa acceleration."""

    beta: np.ndarray
    se: np.ndarray
    p_value: np.ndarray
    accel: np.ndarray
    intercept: float
    cell_y_adj: np.ndarray | None = None  # fitted + e / (1 - h) per cell (joint fits)


def point_fit(pat: Patterns, ridge: float, *, joint: bool) -> PointFit:
    """Fit on unit weights; HC3 standard errors and jackknife acceleration."""
    n, p = float(pat.cell_n.sum()), pat.rows.shape[1]
    mom = moments(pat.cell_n[None, :], pat)
    beta = solve(mom, ridge, joint=joint)[0]
    xbar, ybar = mom.sx[0] / n, mom.sy[0] / n
    # dense (rows, p) work goes block by block (memory does not grow with the patterns); products
    # with pattern rows go through sparse / einsum kernels: dense BLAS on tall-skinny shapes
    # thrashes when many threads share few cores
    if joint:
        gram = mom.sxx[0] - n * np.outer(xbar, xbar) + ridge * np.eye(p)
        ginv = np.linalg.inv(gram)
        shift = xbar @ ginv

        def influence(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
            block = pat.rows[lo:hi]
            return np.asarray(block @ ginv) - shift, block.toarray() - xbar  # = mc @ ginv, mc

        u_all = pat.rows.shape[0]
        lev = np.empty(u_all)
        for lo, hi in _blocks(u_all, p):
            infl, mc = influence(lo, hi)
            lev[lo:hi] = 1.0 / n + np.einsum("up,up->u", infl, mc)
        fitted = ybar + np.asarray(pat.rows @ beta).ravel() - xbar @ beta
        resid = pat.cell_y - fitted[pat.cell_row]
        et = resid / (1.0 - np.minimum(lev, 0.9999))[pat.cell_row]
        y_adj = fitted[pat.cell_row] + et
        e2 = moments((pat.cell_n * et**2)[None, :], pat)  # HC3 meat from weighted moments
        sx, tot = e2.sx[0], e2.total[0]
        meat = e2.sxx[0] - np.outer(sx, xbar) - np.outer(xbar, sx) + tot * np.outer(xbar, xbar)
        var = np.diag(ginv @ meat @ ginv)
        sums = _to_rows(np.vstack([pat.cell_n * et**2, pat.cell_n * et**3]), pat)
        m2, m3 = np.zeros(p), np.zeros(p)
        for lo, hi in _blocks(u_all, p):  # jackknife influence of a doc: infl[row] * et
            infl, _ = influence(lo, hi)
            m2 += np.einsum("u,up->p", sums[0, lo:hi], infl**2)
            m3 += np.einsum("u,up->p", sums[1, lo:hi], infl**3)
    else:
        gdiag = np.diag(mom.sxx[0]) - n * xbar**2 + ridge
        gdiag = np.where(gdiag > 0, gdiag, np.inf)
        var, m3 = np.zeros(p), np.zeros(p)
        for lo, hi in _blocks(pat.cell_n.size, p):
            xc = pat.rows[pat.cell_row[lo:hi]].toarray() - xbar  # (cells, p)
            resid = (pat.cell_y[lo:hi] - ybar)[:, None] - xc * beta
            et = resid / (1.0 - np.minimum(1.0 / n + xc**2 / gdiag, 0.9999))
            infl = xc * et / gdiag
            var += np.einsum("k,kp->p", pat.cell_n[lo:hi], infl**2)
            m3 += np.einsum("k,kp->p", pat.cell_n[lo:hi], infl**3)
        m2 = var
        y_adj = None
    se = np.sqrt(np.maximum(var, 0.0))
    safe = np.where(se > 0, se, 1.0)
    pval = np.where(se > 0, 2.0 * stats.t.sf(np.abs(beta) / safe, max(n - p - 1, 1)), 1.0)
    # jackknife values are b_(-i) = b - influence_i, so a = sum(infl^3) / (6 sum(infl^2)^1.5)
    accel = np.where(m2 > 0, m3 / (6.0 * np.where(m2 > 0, m2, 1.0) ** 1.5), 0.0)
    return PointFit(beta, se, pval, accel, float(ybar - xbar @ beta), y_adj)


def _blocks(rows: int, p: int, budget: int = 2_000_000) -> list[tuple[int, int]]:
    """Row ranges whose ``(rows, p)`` float arrays hold at most ``budget`` values (16 MB)."""
    step = max(1, budget // max(p, 1))
    return [(lo, min(lo + step, rows)) for lo in range(0, rows, step)]


def bootstrap(
    pat: Patterns,
    ridge: float,
    *,
    joint: bool,
    n_boot: int,
    random_state: int,
    fit: PointFit | None = None,
) -> np.ndarray:
    """``(n_boot, p)`` Bayesian-bootstrap replicates (Exp(1) weight per document).

    A cell of ``c`` documents draws Gamma(c, 1), the law of the sum of its documents'
    weights. Replicates are drawn one block of ``K`` per replicate from one seeded
    stream, so the result does not depend on the chunk size.

    With ``fit`` (a joint fit), the leverage-adjusted variant is used: documents are
    resampled with outcome ``fitted + e / (1 - h)`` and the replicates re-centred on
    ``fit.beta``. Resampling raw residuals understates the variance by about
    ``(1 - h)`` (like HC0) when drivers are few-document or the design is small; the
    inflated residuals give the HC3 variance while keeping the bootstrap's shape.
    """
    k, p = pat.cell_n.size, pat.rows.shape[1]
    shift = np.zeros(p)
    if fit is not None and fit.cell_y_adj is not None:
        pat = replace(pat, cell_y=fit.cell_y_adj)
        shift = fit.beta - solve(moments(pat.cell_n[None, :], pat), ridge, joint=joint)[0]
    rng = np.random.default_rng(random_state)
    chunk = max(1, min(n_boot, _MAX_CHUNK_CELLS // max(k, 1), _MAX_CHUNK_GRAM // max(p * p, 1)))
    out = np.empty((n_boot, p))
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        w = rng.standard_gamma(pat.cell_n, size=(b, k))
        out[start : start + b] = solve(moments(w, pat), ridge, joint=joint) + shift
    return out


def intervals(
    beta: np.ndarray, boot: np.ndarray, accel: np.ndarray, alpha: float, kind: str
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile or BCa ``1 - alpha`` intervals from bootstrap replicates."""
    lo_q = np.full(beta.shape, alpha / 2)
    hi_q = np.full(beta.shape, 1 - alpha / 2)
    if kind == "bca":
        b = boot.shape[0]
        below = (boot < beta).sum(0) + 0.5 * (boot == beta).sum(0)
        z0 = stats.norm.ppf(np.clip(below / b, 1.0 / (b + 1), b / (b + 1)))
        for level, arr in ((alpha / 2, lo_q), (1 - alpha / 2, hi_q)):
            num = z0 + stats.norm.ppf(level)
            den = 1.0 - accel * num
            adj = stats.norm.cdf(z0 + num / np.where(den > 0, den, 1.0))
            arr[:] = np.where(den > 0, adj, level)
    ordered = np.sort(boot, axis=0)
    return _column_quantiles(ordered, lo_q), _column_quantiles(ordered, hi_q)


def _column_quantiles(ordered: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Per-column quantile ``q[j]`` of column-sorted samples (linear interpolation)."""
    pos = q * (ordered.shape[0] - 1)
    low = np.floor(pos).astype(int)
    high = np.minimum(low + 1, ordered.shape[0] - 1)
    cols = np.arange(ordered.shape[1])
    frac = pos - low
    return ordered[low, cols] * (1 - frac) + ordered[high, cols] * frac


def bootstrap_p(beta: np.ndarray, boot: np.ndarray) -> np.ndarray:
    """Two-sided percentile-bootstrap p-value for ``b_j = 0`` (interval inversion)."""
    b = boot.shape[0]
    le = ((boot <= 0).sum(0) + 1) / (b + 1)
    ge = ((boot >= 0).sum(0) + 1) / (b + 1)
    p = np.minimum(1.0, 2.0 * np.minimum(le, ge))
    return np.where(np.all(boot == 0, axis=0) & (beta == 0), 1.0, p)
