"""``ImpactRanker``: which drivers move the outcome, by how much and how surely.

Impact (``method="ols"``) is the coefficient ``b_j`` of the joint regression

    y_i = a + sum_j b_j x_ij + e_i,   b = (Xc'Xc + ridge I)^-1 Xc'yc  (intercept unpenalised)

of the outcome on all eligible driver indicators at once, i.e. the co-occurrence
adjusted effect of mentioning driver j, in outcome units (stars, NPS points, ...).
``method="marginal"`` gives the unadjusted mean difference instead (for comparison).

Opportunity is the expected gain in the MEAN outcome if driver j's negative effect
were removed from the documents that mention it:

    opportunity_j = max(0, -b_j) * share_j,   share_j = n_j / n   (documents with an outcome)

Drivers are ranked by opportunity (descending; ties by n descending, then name).

Statistics: ``1 - alpha`` intervals from a seeded, leverage-adjusted Bayesian
bootstrap over documents (see ``vocmine.drivers._impact``); two-sided p-values from
HC3 sandwich standard errors; Benjamini-Hochberg q-values across all reported
drivers, ``significant = q < alpha``. Both defaults were chosen in
``benchmarks/drivers.py`` (planted effects on real gold-label co-occurrence, 200
simulations per scenario): percentile intervals covered 0.945 of 33,600 true values
(BCa 0.944, also reported in ``extra["ci_bca"]``); HC3 p-values rejected 0.048 of
14,400 true nulls at 0.05 (bootstrap 0.048, but with a floor of ``2 / (n_boot + 1)``
that starves Benjamini-Hochberg), so HC3 is the default ``p_method``. Drivers with
fewer than ``min_support`` documents with an outcome are not fitted (NaN impact,
reason in ``extra``). With ``DriverInput.counts`` (rows that stand for several identical documents, see
``vocmine.drivers.collapse_rows``) every sum above runs over documents, so the figures equal
those of the uncollapsed input. Category x touchpoint pairs are fitted in a second model, see
``vocmine.drivers._design``. Emerging drivers: see ``vocmine.drivers._trend``.

With an audit (``DriverInput.audit``: true categories of documents a person checked), the
category model's impacts, intervals and p-values are regression-calibrated for aspect
extraction errors (``vocmine.drivers._calibrate``; ``extra["calibration"]``, the naive
values in ``extra["uncalibrated"]``). Pair impacts stay uncalibrated.

Examples:
    >>> import numpy as np
    >>> from vocmine.drivers import ImpactRanker
    >>> from vocmine.types import DriverInput
    >>> rng = np.random.default_rng(0)
    >>> x = (rng.random((400, 2)) < 0.3).astype(int)
    >>> y = 4.0 - 1.0 * x[:, 0] + rng.normal(0, 0.5, 400)
    >>> recs = ImpactRanker(n_boot=200).rank(
    ...     DriverInput(outcome=y, indicators=x, names=["wait", "food"],
    ...                 kinds=["category", "category"], touchpoints=["", ""]))
    >>> [r.driver for r in recs], round(recs[0].impact, 1), recs[0].significant
    (['wait', 'food'], -1.0, True)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import sparse, stats

from vocmine.drivers import _impact
from vocmine.drivers._design import PAIR_KIND, Model, column_totals, find_parents, plan_models
from vocmine.drivers._trend import MIN_PERIODS, _counts, emerging_test
from vocmine.errors import ConfigError, SchemaError
from vocmine.types import DriverInput, DriverRecord

__all__ = ["ImpactRanker"]

_METHODS = ("ols", "marginal")
_INTERVALS = ("percentile", "bca")
_P_METHODS = ("hc3", "bootstrap")
#: mean mention polarity beyond +-this counts as a negative / positive mention.
POLARITY_EPS = 0.1


def _nan() -> float:
    return float("nan")


class ImpactRanker:
    """Rank drivers by the co-occurrence-adjusted opportunity they hold.

    Args:
        n_boot: bootstrap replicates (0 = intervals from HC3 standard errors).
        alpha: level of intervals (``1 - alpha``), q-value and emerging thresholds.
        min_support: fewest documents with an outcome a driver needs to be fitted.
        ridge: ridge penalty on the slopes (not the intercept), for stability.
        method: ``"ols"`` (adjusted, joint) or ``"marginal"`` (unadjusted).
        random_state: seed of the bootstrap.
        interval: ``"percentile"`` or ``"bca"`` bootstrap intervals.
        p_method: ``"hc3"`` (analytic sandwich, t test) or ``"bootstrap"``.

    ``accepts_counts``: it ranks collapsed inputs (``DriverInput.counts``) exactly, so batch
    scoring hands it merged rows instead of one row per document.

    Examples:
        >>> from vocmine.drivers import ImpactRanker
        >>> from vocmine.types import DriverRanker
        >>> isinstance(ImpactRanker(), DriverRanker)
        True
    """

    accepts_counts = True

    def __init__(
        self,
        *,
        n_boot: int = 500,
        alpha: float = 0.05,
        min_support: int = 10,
        ridge: float = 1.0,
        method: str = "ols",
        random_state: int = 0,
        interval: str = "percentile",
        p_method: str = "hc3",
    ) -> None:
        self.n_boot = n_boot
        self.alpha = alpha
        self.min_support = min_support
        self.ridge = ridge
        self.method = method
        self.random_state = random_state
        self.interval = interval
        self.p_method = p_method

    def _check_params(self) -> None:
        problems = []
        if not isinstance(self.n_boot, int | np.integer) or self.n_boot < 0:
            problems.append(f"n_boot={self.n_boot!r} (expected an int >= 0)")
        if not 0 < float(self.alpha) < 1:
            problems.append(f"alpha={self.alpha!r} (expected 0 < alpha < 1)")
        if not isinstance(self.min_support, int | np.integer) or self.min_support < 1:
            problems.append(f"min_support={self.min_support!r} (expected an int >= 1)")
        if not float(self.ridge) >= 0:
            problems.append(f"ridge={self.ridge!r} (expected >= 0)")
        for name, value, allowed in (
            ("method", self.method, _METHODS),
            ("interval", self.interval, _INTERVALS),
            ("p_method", self.p_method, _P_METHODS),
        ):
            if value not in allowed:
                problems.append(f"{name}={value!r} (expected one of {list(allowed)})")
        if problems:
            raise ConfigError(
                f"[E004] Invalid ImpactRanker settings: {'; '.join(problems)}. "
                "Use the defaults ImpactRanker() or fix the listed values."
            )

    def rank(self, data: DriverInput) -> list[DriverRecord]:
        """Fit, test and rank every driver column of ``data``.

        Args:
            data: outcome, indicators and driver metadata (see ``DriverInput``).

        Returns:
            One record per driver, sorted by rank (1 = largest opportunity).

        Raises:
            ConfigError: [E004] invalid ranker settings.
            SchemaError: [E002] misaligned or non-binary inputs.

        Examples:
            >>> import math
            >>> import numpy as np
            >>> from vocmine.drivers import ImpactRanker
            >>> from vocmine.types import DriverInput
            >>> data = DriverInput(outcome=np.array([5.0, 1.0, 4.0]),
            ...                    indicators=np.array([[0], [1], [0]]), names=["rude"],
            ...                    kinds=["category"], touchpoints=[""])
            >>> rec = ImpactRanker(min_support=10).rank(data)[0]
            >>> rec.n, math.isnan(rec.impact), rec.extra["reason"][:13]
            (1, True, 'support 1 < m')
        """
        self._check_params()
        y, x, pol, periods = _validate(data)
        audit = _validate_audit(data, x.shape)
        counts = _validate_counts(data, y.size, audit is not None)
        names = [str(v) for v in data.names]
        kinds = [str(v) for v in data.kinds]
        k = x.shape[1]
        n_docs = x.shape[0] if counts is None else int(counts.sum())
        fit = ~np.isnan(y)
        y_fit, x_fit = (y, x) if fit.all() else (y[fit], x[fit])
        c_fit = None if counts is None else counts[fit]
        n_all = column_totals(x, counts)
        n_out = column_totals(x_fit, c_fit)
        share_out = n_out / max(int(fit.sum() if c_fit is None else c_fit.sum()), 1)
        est: dict[int, dict[str, Any]] = {}
        for model in self._models(x_fit, names, kinds, c_fit):
            est.update(self._fit_model(model, x_fit, y_fit, names, kinds, c_fit))
            if audit is not None and model.name == "category":
                self._calibrate(est, model, x, y, audit, names)
        parents = find_parents(x, names, kinds, counts)
        p_vals = np.array([est.get(j, {}).get("p", _nan()) for j in range(k)])
        q_vals = _impact.benjamini_hochberg(p_vals)
        trend = self._trend(x, periods, k, counts)
        rows = []
        for j in range(k):
            e = est.get(j, {})
            impact = e.get("impact", _nan())
            extra: dict[str, Any] = {"n_outcome": int(n_out[j]), **e.get("extra", {})}
            if "reason" not in extra and math.isnan(impact):
                extra["reason"] = f"support {int(n_out[j])} < min_support {self.min_support}"
            if j in parents:
                extra["parent"] = names[parents[j]]
            opp = float(max(0.0, -impact) * share_out[j]) if not math.isnan(impact) else _nan()
            if not math.isnan(impact):
                lo, hi = e["ci"]
                extra["opportunity_ci"] = [
                    float(max(0.0, -hi) * share_out[j]), float(max(0.0, -lo) * share_out[j])
                ]
            neg, pos = _polarity_shares(pol, x, j, counts)
            extra.update(trend["extra"][j])
            rows.append(
                dict(
                    driver=names[j], kind=kinds[j], touchpoint=str(data.touchpoints[j]),
                    n=int(n_all[j]), share=float(n_all[j] / max(n_docs, 1)), impact=impact,
                    ci_low=e.get("ci", (_nan(), _nan()))[0], ci_high=e.get("ci", (_nan(), _nan()))[1],
                    p_value=float(p_vals[j]), q_value=float(q_vals[j]),
                    significant=bool(q_vals[j] < self.alpha), opportunity=opp,
                    neg_share=neg, pos_share=pos, trend=trend["growth"][j],
                    trend_p_value=trend["p"][j], emerging=trend["emerging"][j], extra=extra,
                )
            )
        order = sorted(
            range(k),
            key=lambda j: (math.isnan(rows[j]["opportunity"]),
                           -(0.0 if math.isnan(rows[j]["opportunity"]) else rows[j]["opportunity"]),
                           -rows[j]["n"], rows[j]["driver"]),
        )
        return [DriverRecord(rank=r + 1, **rows[j]) for r, j in enumerate(order)]

    def _models(self, x_fit: np.ndarray, names: list[str], kinds: list[str],
                counts: np.ndarray | None) -> list[Model]:
        if self.method == "ols":
            return plan_models(x_fit, names, kinds, self.min_support, counts)
        support = column_totals(x_fit, counts)
        total = x_fit.shape[0] if counts is None else counts.sum()
        cols = [j for j in range(x_fit.shape[1]) if support[j] >= self.min_support]
        model = Model("marginal", [], np.zeros((x_fit.shape[0], 0)))
        for j in cols:
            if support[j] == total:
                model.dropped[j] = "present in every document with an outcome; no contrast"
            else:
                model.columns.append(j)
        return [model]

    def _fit_model(
        self,
        model: Model,
        x_fit: np.ndarray,
        y_fit: np.ndarray,
        names: list[str],
        kinds: list[str],
        counts: np.ndarray | None = None,
    ) -> dict[int, dict[str, Any]]:
        joint = self.method == "ols"
        out: dict[int, dict[str, Any]] = {}
        for j, reason in model.dropped.items():
            if j not in model.aliases and (model.name != "pair" or kinds[j] == PAIR_KIND):
                out[j] = {"extra": {"model": model.name, "reason": reason}}
        if not model.columns:
            return out
        pat = _impact.collapse_columns(model.design_columns(x_fit), y_fit, counts)
        pf = _impact.point_fit(pat, float(self.ridge), joint=joint)
        if self.n_boot > 0:
            boot = _impact.bootstrap(
                pat, float(self.ridge), joint=joint, n_boot=int(self.n_boot),
                random_state=int(self.random_state), fit=pf,
            )
            both = {
                kind: _impact.intervals(pf.beta, boot, pf.accel, float(self.alpha), kind)
                for kind in _INTERVALS
            }
            lo, hi = both[self.interval]
            p_boot = _impact.bootstrap_p(pf.beta, boot)
        else:
            n_fit = float(pat.cell_n.sum())
            crit = stats.t.ppf(1 - float(self.alpha) / 2, max(n_fit - pf.beta.size - 1, 1))
            lo, hi = pf.beta - crit * pf.se, pf.beta + crit * pf.se
            p_boot = np.full(pf.beta.shape, np.nan)
            both = {}
        p_used = pf.p_value if self.p_method == "hc3" or self.n_boot == 0 else p_boot
        for pos, j in enumerate(model.columns):
            if model.name == "pair" and kinds[j] != PAIR_KIND:
                continue  # adjustment only; reported by the category model
            xj = x_fit[:, j]
            with_j, without_j = _weighted_mean(y_fit, counts, xj), _weighted_mean(y_fit, counts, ~xj)
            out[j] = {
                "impact": float(pf.beta[pos]),
                "ci": (float(lo[pos]), float(hi[pos])),
                "p": float(p_used[pos]),
                "extra": {
                    "model": model.name,
                    "se": float(pf.se[pos]),
                    "p_value_hc3": float(pf.p_value[pos]),
                    "p_value_bootstrap": float(p_boot[pos]),
                    "raw_diff": with_j - without_j,
                    "mean_with": with_j,
                    "ci_method": self.interval if self.n_boot > 0 else "hc3-t",
                    **{
                        f"ci_{kind}": [float(b_lo[pos]), float(b_hi[pos])]
                        for kind, (b_lo, b_hi) in both.items()
                    },
                },
            }
        for j, twin in model.aliases.items():
            if twin in out and (model.name != "pair" or kinds[j] == PAIR_KIND):
                out[j] = {**out[twin], "extra": {**out[twin]["extra"], "aliased_with": names[twin]}}
        return out

    def _calibrate(self, est: dict[int, dict[str, Any]], model: Model, x: np.ndarray, y: np.ndarray,
                   audit: np.ndarray, names: list[str]) -> None:
        """Replace the category model's estimates by audit-calibrated ones (in place; see ``_calibrate``)."""
        from vocmine.drivers._calibrate import calibrated_fit

        cols = model.columns
        if not cols:
            return
        res = calibrated_fit(x[:, cols], y, audit[:, cols], ridge=float(self.ridge), n_boot=int(self.n_boot) or 200,
                             seed=int(self.random_state), alpha=float(self.alpha))
        if isinstance(res, str):
            for j in cols:
                est[j]["extra"]["calibration"] = f"not calibrated: {res}"
            return
        naive_keys = ("se", "p_value_hc3", "p_value_bootstrap", "ci_percentile", "ci_bca", "ci_method")
        for pos, j in enumerate(cols):
            old = est[j]
            lo, hi = float(res.lo[pos]), float(res.hi[pos])
            extra = {k: v for k, v in old["extra"].items() if k not in naive_keys}
            extra.update(calibration="audit" if res.calibrated[pos] else "measured without error",
                         n_audited=res.n_audited, se=float(res.se[pos]), ci_method="calibrated-percentile",
                         ci_percentile=[lo, hi], p_value_bootstrap=float(res.p_value[pos]),
                         uncalibrated={"impact": old["impact"], "ci": list(old["ci"]), "p_value": old["p"],
                                       **{k: old["extra"][k] for k in naive_keys if k in old["extra"]}})
            est[j] = {"impact": float(res.beta[pos]), "ci": (lo, hi), "p": float(res.p_value[pos]), "extra": extra}
        for j, twin in model.aliases.items():
            if twin in est:
                est[j] = {**est[twin], "extra": {**est[twin]["extra"], "aliased_with": names[twin]}}

    def _trend(self, x: np.ndarray, periods: np.ndarray | None, k: int,
               counts: np.ndarray | None = None) -> dict[str, list[Any]]:
        res: dict[str, list[Any]] = {
            "growth": [_nan()] * k, "p": [_nan()] * k, "emerging": [False] * k,
            "extra": [{} for _ in range(k)],
        }
        if periods is None:
            for e in res["extra"]:
                e["trend_reason"] = "no periods given"
            return res
        labels, per_period, totals = _counts(x, periods, counts)
        if len(labels) < MIN_PERIODS:
            for e in res["extra"]:
                e["trend_reason"] = f"{len(labels)} period(s) < {MIN_PERIODS} needed"
            return res
        p = np.full(k, np.nan)
        for j in range(k):
            g, p[j] = emerging_test(per_period[:, j], totals)
            res["growth"][j] = float(g)
            base = per_period[:-1, j].sum() / max(totals[:-1].sum(), 1.0)
            res["extra"][j].update(
                latest_period=labels[-1], latest_share=float(per_period[-1, j] / max(totals[-1], 1.0)),
                baseline_share=float(base),
            )
        q = _impact.benjamini_hochberg(p)
        res["p"] = [float(v) for v in p]
        res["emerging"] = [bool(q[j] < self.alpha and res["growth"][j] > 0) for j in range(k)]
        for j in range(k):
            res["extra"][j]["trend_q_value"] = float(q[j])
        return res


def _binary(x: np.ndarray) -> bool:
    """Whether every entry is 0 or 1, without an (n, k) temporary for integer matrices."""
    if x.dtype == np.bool_:
        return True
    if np.issubdtype(x.dtype, np.integer):
        return bool(x.min() >= 0 and x.max() <= 1)
    return bool(np.isin(x, (0, 1)).all())


def _weighted_mean(y: np.ndarray, counts: np.ndarray | None, mask: np.ndarray) -> float:
    """Mean outcome of the documents of the rows in ``mask`` (NaN when there are none)."""
    if not mask.any():
        return _nan()
    if counts is None:
        return float(y[mask].mean())
    return float(np.dot(counts[mask], y[mask]) / counts[mask].sum())


def signed_rows(pol: sparse.csc_matrix, j: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of column ``j`` whose mean mention polarity is negative / positive (beyond
    ``POLARITY_EPS``); absent entries are documents with mean polarity 0 or no mention."""
    lo, hi = pol.indptr[j], pol.indptr[j + 1]
    rows, vals = pol.indices[lo:hi], pol.data[lo:hi]
    return rows[vals < -POLARITY_EPS], rows[vals > POLARITY_EPS]


def _polarity_shares(pol: sparse.csc_matrix | None, x: np.ndarray, j: int,
                     counts: np.ndarray | None = None) -> tuple[float, float]:
    xj = x[:, j]
    n_with = float(np.count_nonzero(xj) if counts is None else counts[xj].sum())
    if pol is None or n_with == 0:
        return 0.0, 0.0
    neg, pos = (r[xj[r]] for r in signed_rows(pol, j))
    if counts is None:
        return float(neg.size / n_with), float(pos.size / n_with)
    return float(counts[neg].sum() / n_with), float(counts[pos].sum() / n_with)


def _validate_counts(data: DriverInput, n: int, audited: bool) -> np.ndarray | None:
    if data.counts is None:
        return None
    c = np.asarray(data.counts, dtype=float)
    if c.shape != (n,) or (c.size and (not np.isfinite(c).all() or c.min() < 1 or (c != np.round(c)).any())):
        raise SchemaError(f"[E002] DriverInput: counts must be {n} positive integers (documents per row), "
                          f"got shape {c.shape}. Pass counts=None when every row is one document.")
    if audited:
        raise SchemaError("[E002] DriverInput: an audit needs one row per document; pass counts=None "
                          "(do not collapse an audited design).")
    return c


def _validate_audit(data: DriverInput, shape: tuple[int, int]) -> np.ndarray | None:
    if data.audit is None:
        return None
    audit = np.asarray(data.audit, dtype=float)
    if audit.shape != shape:
        raise SchemaError(f"[E002] DriverInput: audit must have the indicators' shape {shape}, got {audit.shape}. "
                          "Use NaN for documents and drivers that were not audited.")
    known = audit[~np.isnan(audit)]
    if known.size and not np.isin(known, (0.0, 1.0)).all():
        raise SchemaError("[E002] DriverInput: audit values must be 0, 1 or NaN.")
    return audit if known.size else None


def _validate(
    data: DriverInput,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    def bad(what: str) -> SchemaError:
        return SchemaError(f"[E002] DriverInput: {what}. Build it with aligned arrays (see vocmine.types.DriverInput).")

    y = np.asarray(data.outcome, dtype=float)
    if y.ndim != 1:
        raise bad(f"outcome must be 1-d, got shape {y.shape}")
    if np.isinf(y).any():
        raise bad(f"outcome must be finite or NaN, got {int(np.isinf(y).sum())} infinite value(s)")
    x_raw = np.asarray(data.indicators)
    if x_raw.ndim != 2 or x_raw.shape[0] != y.size:
        raise bad(f"indicators must be (n, k) with n = {y.size} outcomes, got shape {x_raw.shape}")
    if x_raw.size and not _binary(x_raw):
        raise bad("indicators must contain only 0/1 (or booleans)")
    # a uint8 / bool matrix is viewed, not copied: at a million documents each copy is ~k MB
    x = x_raw.view(bool) if x_raw.dtype in (np.uint8, np.int8, np.bool_) else x_raw.astype(bool)
    k = x.shape[1]
    for field_name in ("names", "kinds", "touchpoints"):
        if len(getattr(data, field_name)) != k:
            raise bad(f"{field_name} has {len(getattr(data, field_name))} entries for {k} columns")
    if len(set(map(str, data.names))) != k:
        raise bad("driver names must be unique")
    pol = None
    if data.polarity is not None:
        pol = sparse.csc_matrix(data.polarity)  # non-zero only where a driver is mentioned
        pol.sum_duplicates()
        if pol.shape != x.shape:
            raise bad(f"polarity must have the indicators' shape {x.shape}, got {pol.shape}")
    periods = None
    if data.periods is not None:
        periods = np.asarray(["" if v is None else str(v) for v in data.periods], dtype=object)
        if periods.size != y.size:
            raise bad(f"periods has {periods.size} labels for {y.size} documents")
    return y, x, pol, periods
