"""Planted drivers measured through predicted aspects (``benchmarks/drivers.py --indicators predicted``).

``planted_measured``: outcomes are generated from the GOLD indicators (gold categories
mapped to vocmine ids, ``benchmarks/_driver_predicted.py``) with planted effects, exactly as
``drivers.planted`` does (same designs, variants, noise, seed), and the impacts are
estimated twice on every simulated outcome: from the same gold indicators (``gold_mapped``,
the oracle: what a perfect aspect extractor would give on this coarser scheme) and from the
PREDICTED indicators of the same documents (``predicted``: the pipeline's aspects). Truth
is the planted beta (``linear``) or its star-scale estimand, the projection of
E[stars | gold X] on gold X (``stars``), as in the gold run. Predicted indicators measure
gold ones with error, so their estimates are biased (mostly attenuated) and intervals
cover the truth less often than nominal; ``cover_estimand`` checks the intervals against
what the predicted-indicator regression actually estimates (the projection of E[y | gold X]
on predicted X), which separates "wrong target" from "wrong interval width".
``attenuation`` is the mean estimate / truth per driver (|truth| >= 0.1) and the pooled
slope sum(mean_est * truth) / sum(truth^2).

``predicted_audit``: the predicted indicators again, plus an audit, as a user would give
one (``vocmine.analyze(..., audit=)``): the gold categories of a random ``AUDIT_FRACTION``
(20 %) of the documents, drawn afresh in every simulation. The ranker then
regression-calibrates the category impacts (``vocmine.drivers._calibrate``); its target is
the planted truth, like the oracle's.

``predicted_audit_sample``: the same with the audit a user gets from ``result.audit_sample(100)``:
100 random documents topped up to ``MIN_AUDITED`` (30) audited documents per predicted category
(``vocmine.drivers._audit_sample.sample_rows``), drawn afresh in every simulation.

``real_asap_measured``: ASAP star ratings regressed on gold-mapped and on predicted
indicators over the same vocmine categories; Spearman of the two impact vectors over the
categories with support >= ``min_support`` in both.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from scipy import stats

from benchmarks._driver_indicators import Indicators, driver_input, expected_stars, projection
from benchmarks._driver_predicted import agreement
from vocmine.drivers import ImpactRanker

SOURCES = ("gold_mapped", "predicted", "predicted_audit", "predicted_audit_sample")
#: share of the documents whose gold categories are given to the ranker as an audit (``predicted_audit``)
AUDIT_FRACTION = 0.2
#: random documents of the ``predicted_audit_sample`` audit before its per-category top-up
AUDIT_SAMPLE_N = 100


def audited(ind: Indicators, gold: Indicators, y: np.ndarray, rng: np.random.Generator) -> Any:
    """``driver_input(ind, y)`` plus an audit: the gold rows of a random AUDIT_FRACTION of the documents."""
    from dataclasses import replace

    n = gold.x.shape[0]
    audit = np.full(gold.x.shape, np.nan)
    rows = rng.choice(n, int(round(AUDIT_FRACTION * n)), replace=False)
    audit[rows] = gold.x[rows]
    return replace(driver_input(ind, y), audit=audit)


def audit_rows(ind: Indicators, rng: np.random.Generator) -> list[int]:
    """The rows ``result.audit_sample(AUDIT_SAMPLE_N)`` would pick, in the order ``rng`` draws (the library's
    own ``sample_rows``; top-ups over the benchmark's aligned columns)."""
    from vocmine.drivers._audit_sample import sample_rows

    return sample_rows(ind.x, AUDIT_SAMPLE_N, rng.permutation(ind.x.shape[0]))


def audited_sample(ind: Indicators, gold: Indicators, y: np.ndarray, rng: np.random.Generator) -> Any:
    """``driver_input(ind, y)`` plus the audit of the rows ``audit_rows`` picks: a random ``AUDIT_SAMPLE_N``
    documents topped up to ``MIN_AUDITED`` per predicted category."""
    from dataclasses import replace

    rows = audit_rows(ind, rng)
    audit = np.full(gold.x.shape, np.nan)
    audit[rows] = gold.x[rows]
    return replace(driver_input(ind, y), audit=audit)


def align(gold: Indicators, pred: Indicators, min_support: int) -> tuple[Indicators, Indicators, dict[str, Any]]:
    """Gold and predicted indicators over the same columns: gold ids with support >= min_support in both."""
    names, dropped = [], {}
    for j, c in enumerate(gold.names):
        n_gold = int(gold.x[:, j].sum())
        n_pred = int(pred.x[:, pred.names.index(c)].sum()) if c in pred.names else 0
        if n_gold >= min_support and n_pred >= min_support:
            names.append(c)
        else:
            dropped[c] = {"gold": n_gold, "predicted": n_pred}
    gi = [gold.names.index(c) for c in names]
    pi = [pred.names.index(c) for c in names]
    g = Indicators(gold.name, gold.x[:, gi], names, gold.langs, gold.polarity[:, gi], gold.stars)
    p = Indicators(pred.name, pred.x[:, pi], names, pred.langs, pred.polarity[:, pi], pred.stars)
    return g, p, dropped


def planted_measured(gold: Indicators, pred: Indicators, sims: int, n_boot: int, min_support: int,
                     seed: int = 0) -> dict[str, Any]:
    """Outcomes from gold indicators with planted effects; impacts from gold and from predicted ones."""
    rng = np.random.default_rng(seed)
    g, p, dropped = align(gold, pred, min_support)
    k = len(g.names)
    n = g.x.shape[0]
    out: dict[str, Any] = {
        "documents": n, "drivers": k, "dropped_low_support": dropped,
        "driver_support": {s: dict(zip(g.names, ind.x.sum(0).astype(int).tolist())) for s, ind in zip(SOURCES, (g, p))},
        "audit_fraction": AUDIT_FRACTION,
        "audit_sample": {"n": AUDIT_SAMPLE_N,  # the draw of simulation 0 (the size varies by draw)
                         "documents_audited": len(audit_rows(p, np.random.default_rng([seed, 0, 1])))},
        "indicator_agreement": agreement(g, p),
    }
    effects = {
        "ranking": np.linspace(-1.0, 0.5, k)[rng.permutation(k)],
        "null": np.r_[-0.8, -0.4, np.zeros(k - 2)][rng.permutation(k)],
    }
    out["planted"] = {d: dict(zip(g.names, np.round(b, 4).tolist())) for d, b in effects.items()}
    ranker = ImpactRanker(n_boot=n_boot, min_support=min_support)
    crit = stats.t.ppf(0.975, n - k - 1)
    for variant in ("linear", "stars"):
        for design, beta in effects.items():
            mu = 3.8 + g.x @ beta
            target = mu if variant == "linear" else expected_stars(mu, 1.0)
            truth = beta if variant == "linear" else projection(g.x, target)
            estimand = {"gold_mapped": truth, "predicted": projection(p.x, target), "predicted_audit": truth,
                        "predicted_audit_sample": truth}
            rec: dict[str, dict[str, list[Any]]] = {s: {key: [] for key in (
                "spearman_planted", "cover_percentile", "cover_hc3_t", "cover_estimand", "width_percentile",
                "null_p_hc3", "power", "fdp", "rmse", "est")} for s in SOURCES}
            t0 = time.perf_counter()
            for s in range(sims):
                lat = mu + rng.normal(0.0, 1.0, n)
                y = lat if variant == "linear" else np.clip(np.round(lat), 1, 5)
                ranker.random_state = s
                for src, ind in zip(SOURCES, (g, p, p, p)):
                    r = rec[src]
                    if src == "predicted_audit":
                        data = audited(p, g, y, np.random.default_rng([seed, s]))
                    elif src == "predicted_audit_sample":
                        data = audited_sample(p, g, y, np.random.default_rng([seed, s, 1]))
                    else:
                        data = driver_input(ind, y)
                    recs = {x.driver: x for x in ranker.rank(data)}
                    est = np.array([recs[c].impact for c in g.names])
                    se = np.array([recs[c].extra["se"] for c in g.names])
                    lo, hi = np.array([(recs[c].ci_low, recs[c].ci_high) for c in g.names]).T  # as reported
                    r["cover_percentile"].extend(((lo <= truth) & (truth <= hi)).tolist())
                    r["cover_estimand"].extend(((lo <= estimand[src]) & (estimand[src] <= hi)).tolist())
                    r["cover_hc3_t"].extend((np.abs(est - truth) <= crit * se).tolist())
                    r["width_percentile"].extend((hi - lo).tolist())
                    r["spearman_planted"].append(stats.spearmanr(beta, est).statistic)
                    r["rmse"].append(float(np.sqrt(np.mean((est - truth) ** 2))))
                    r["est"].append(est)
                    null = beta == 0
                    sig = np.array([recs[c].significant for c in g.names])
                    p_hc3 = np.array([recs[c].p_value for c in g.names])  # reported: HC3, calibrated: bootstrap
                    r["null_p_hc3"].extend((p_hc3[null] < 0.05).tolist())
                    r["power"].extend(sig[~null].tolist())
                    r["fdp"].append(float((sig & null).sum() / max(sig.sum(), 1)))
            scen: dict[str, Any] = {"truth": dict(zip(g.names, truth.tolist())),
                                    "predicted_estimand": dict(zip(g.names, estimand["predicted"].tolist()))}
            for src in SOURCES:
                r = rec[src]
                mean_est = np.mean(r.pop("est"), axis=0)
                if design == "null":  # tied true effects: rank correlation is not meaningful
                    r.pop("spearman_planted")
                summ: dict[str, Any] = {key: (float(np.mean(v)) if v else None) for key, v in r.items()}
                if design == "ranking":
                    summ["spearman_planted_min"] = float(np.min(r["spearman_planted"]))
                big = np.abs(truth) >= 0.1
                summ["mean_estimate"] = dict(zip(g.names, mean_est.tolist()))
                summ["attenuation_ratio"] = {c: float(m / t) for c, m, t, b in zip(g.names, mean_est, truth, big) if b}
                summ["attenuation_mean_ratio"] = float(np.mean(mean_est[big] / truth[big]))
                summ["attenuation_slope"] = float(mean_est @ truth / (truth @ truth))
                summ["_raw"] = {key: r[key] for key in
                                ("cover_percentile", "cover_hc3_t", "cover_estimand", "null_p_hc3")}
                summ["n_intervals"] = len(r["cover_percentile"])
                summ["n_null_tests"] = len(r["null_p_hc3"])
                scen[src] = summ
            scen["seconds_per_sim"] = (time.perf_counter() - t0) / sims
            out[f"{variant}/{design}"] = scen
            print(f"  {g.name} {variant}/{design}: " + "; ".join(
                f"{src}: " + ", ".join(f"{key}={val:.3f}" for key, val in scen[src].items() if isinstance(val, float))
                for src in SOURCES), flush=True)
    return out


def _ranked(recs: list[Any]) -> list[dict[str, Any]]:
    return [{"rank": r.rank, "driver": r.driver, "n": r.n, "impact": r.impact, "ci": [r.ci_low, r.ci_high],
             "q_value": r.q_value, "significant": r.significant, "opportunity": r.opportunity,
             "neg_share": r.neg_share, "reason": r.extra.get("reason")} for r in recs]


def real_asap_measured(gold_of: Any, pred_of: Any, n_boot: int, min_support: int = 10) -> dict[str, Any]:
    """ASAP stars on gold-mapped vs predicted indicators: both rankings and their Spearman."""
    out: dict[str, Any] = {}
    for level in ("mention", "negative"):
        gold, pred = gold_of("asap", level), pred_of("asap", level)
        names = gold.names
        pi = [pred.names.index(c) if c in pred.names else -1 for c in names]
        px = np.stack([pred.x[:, j] if j >= 0 else np.zeros(len(pred.x)) for j in pi], axis=1)
        ppol = np.stack([pred.polarity[:, j] if j >= 0 else np.zeros(len(pred.x)) for j in pi], axis=1)
        same = Indicators(pred.name, px, names, pred.langs, ppol, pred.stars)
        ranker = ImpactRanker(n_boot=n_boot, min_support=min_support)
        inputs = {"gold_mapped": driver_input(gold, gold.stars), "predicted": driver_input(same, gold.stars),
                  "predicted_audit": audited(same, gold, gold.stars, np.random.default_rng(0)),
                  "predicted_audit_sample": audited_sample(same, gold, gold.stars, np.random.default_rng(0))}
        lists = {src: _ranked(ranker.rank(inputs[src])) for src in SOURCES}
        by = {src: {r["driver"]: r for r in rows} for src, rows in lists.items()}
        both = [c for c in names
                if all(by[s][c]["n"] >= min_support and np.isfinite(by[s][c]["impact"]) for s in SOURCES)]
        imp = {s: [by[s][c]["impact"] for c in both] for s in SOURCES}
        opp = {s: [by[s][c]["opportunity"] for c in both] for s in SOURCES}

        def rho(a: list[float], b: list[float]) -> float | None:
            return float(stats.spearmanr(a, b).statistic) if len(both) >= 3 else None

        out[level] = {"categories_compared": both, "spearman_impact": rho(imp["gold_mapped"], imp["predicted"]),
                      "spearman_opportunity": rho(opp["gold_mapped"], opp["predicted"]),
                      "spearman_impact_audit": rho(imp["gold_mapped"], imp["predicted_audit"]),
                      "spearman_opportunity_audit": rho(opp["gold_mapped"], opp["predicted_audit"]),
                      "spearman_impact_audit_sample": rho(imp["gold_mapped"], imp["predicted_audit_sample"]),
                      "audit_sample_documents": len(audit_rows(same, np.random.default_rng(0))),
                      "audit_fraction": AUDIT_FRACTION, "agreement": agreement(gold, same), **lists}
        if level == "mention":  # what the pipeline itself would rank: every predicted category
            out[level]["predicted_all_categories"] = _ranked(ranker.rank(driver_input(pred, gold.stars)))
        print(f"  asap {level}: spearman(impact gold-mapped vs predicted) over {both} = "
              f"{out[level]['spearman_impact']} (with a {AUDIT_FRACTION:.0%} audit: {out[level]['spearman_impact_audit']})",
              flush=True)
        for src in SOURCES:
            print(f"    {src}: " + ", ".join(f"{r['driver']}={r['impact']:+.2f}{'*' if r['significant'] else ''}"
                                          for r in lists[src]), flush=True)
    return out


def summarize_measured(payload: dict[str, Any]) -> dict[str, Any]:
    """Pool the measured planted runs per source; check the issue's targets on the predicted source."""
    pooled: dict[str, dict[str, list[float]]] = {s: {} for s in SOURCES}
    spearman: dict[str, dict[str, float]] = {s: {} for s in SOURCES}
    atten: dict[str, dict[str, float]] = {s: {} for s in SOURCES}
    for corpus, res in payload["planted"].items():
        for scen, summ in res.items():
            if not isinstance(summ, dict) or "_raw" not in summ.get("predicted", {}):
                continue
            for src in SOURCES:
                for key, vals in summ[src].pop("_raw").items():
                    pooled[src].setdefault(key, []).extend(vals)
                if summ[src].get("spearman_planted") is not None:
                    spearman[src][f"{corpus}/{scen}"] = summ[src]["spearman_planted"]
                atten[src][f"{corpus}/{scen}"] = summ[src]["attenuation_slope"]
    out: dict[str, Any] = {}
    for src in SOURCES:
        out[src] = {
            "coverage_pooled": {m: float(np.mean(pooled[src][f"cover_{m}"])) for m in ("percentile", "hc3_t")},
            "coverage_of_own_estimand": float(np.mean(pooled[src]["cover_estimand"])),
            "coverage_n_intervals": len(pooled[src]["cover_percentile"]),
            "null_rejection_at_0.05_hc3": float(np.mean(pooled[src]["null_p_hc3"])),
            "null_n_tests": len(pooled[src]["null_p_hc3"]),
            "spearman_mean": spearman[src],
            "attenuation_slope": atten[src],
        }
    out["indicator_f1"] = {
        corpus: {c: round(v["f1"], 3) for c, v in res["indicator_agreement"].items() if isinstance(v, dict)}
        for corpus, res in payload["planted"].items()
    }
    out["false_emerging_predicted"] = payload["emerging"]["flat"]["false_alert_rate_per_driver"]
    out["asap_spearman_gold_vs_predicted"] = {lvl: payload["asap_real"][lvl]["spearman_impact"]
                                              for lvl in ("mention", "negative")}
    out["asap_spearman_gold_vs_predicted_audit"] = {lvl: payload["asap_real"][lvl]["spearman_impact_audit"]
                                                    for lvl in ("mention", "negative")}
    out["asap_spearman_gold_vs_predicted_audit_sample"] = {
        lvl: payload["asap_real"][lvl]["spearman_impact_audit_sample"] for lvl in ("mention", "negative")}
    for src in ("predicted", "predicted_audit", "predicted_audit_sample"):
        res = out[src]
        out[f"targets_{src}"] = {
            "spearman>=0.9": all(v >= 0.9 for v in res["spearman_mean"].values()),
            "coverage_in_[0.93,0.97]": 0.93 <= res["coverage_pooled"]["percentile"] <= 0.97,
            "false_emerging<=0.05": out["false_emerging_predicted"] <= 0.05,
        }
    print("summary:", {k: v for k, v in out.items()}, flush=True)
    return out
