"""Driver-ranking benchmark: planted drivers on real co-occurrence, emerging alerts, ASAP.

All indicator matrices come from GOLD aspect categories (``--indicators gold``), so
the figures measure the statistics, not the aspect extractor. Parts:

1. **Planted impacts.** Real documents x categories indicators (their real
   co-occurrence and sizes) from
   ``en_semeval16_restaurants_absa`` + ``ru_semeval16_restaurants_absa`` (12 shared
   categories; documents = reviews, and = sentences) and ``zh_asap_restaurant_sample``
   (18 categories, 300 reviews). Known effects are planted and outcomes simulated:
   ``linear``: y = 3.8 + X b + N(0, 1); ``stars``: the same latent value rounded and
   clipped to 1..5 stars (the estimand is then the OLS projection of E[stars | X],
   computed exactly from the normal CDF). Design ``ranking`` plants distinct effects
   from -1.0 to +0.5; design ``null`` plants two effects and zeros elsewhere (for
   p-value calibration and false discoveries). Reported: Spearman(true, estimated),
   95% CI coverage (percentile and BCa), share of null drivers with p < 0.05 (HC3
   and bootstrap), false discovery proportion, and the error of the unadjusted
   ``marginal`` method for contrast.
2. **Emerging alerts.** Documents get random periods (8 weeks). Under no change (and
   under a 20% period-to-period wobble of shares), the share of drivers and of runs
   flagged ``emerging``; with a planted surge (x1.5, x2, x3 share in the latest week)
   the detection power.
3. **Real outcome.** ``zh_asap_restaurant_sample`` stars regressed on gold category
   mentions and on gold *negative* mentions: the ranked drivers.
4. **Speed.** 100,000 documents x 60 drivers x 500 bootstrap replicates.

The indicator source is pluggable: ``INDICATOR_SOURCES`` maps ``--indicators`` to a
function ``(dataset, level) -> Indicators`` for the same documents.

**Predicted aspects** (``--indicators predicted`` -> ``results/drivers_predicted.json``):
the same documents go through vocmine's default pipeline and a category is "present"
when ``result.mentions`` has a mention of it (``benchmarks/_driver_predicted.py``, with the
gold -> vocmine category mapping tables). Parts 1-3 are rerun so that the aspect
extractor's errors count: outcomes are generated from the GOLD categories (mapped to
vocmine ids) with planted effects and the impacts are estimated from the PREDICTED
categories of the same documents, next to the gold-mapped oracle on the same outcomes
(Spearman, coverage of the planted truth, attenuation, per-category indicator P/R/F1;
``benchmarks/_driver_measured.py``); emerging alerts use the predicted sentence
indicators; ASAP stars are ranked on gold-mapped and on predicted categories and the two
rankings compared (Spearman). Part 4 (speed) does not depend on the indicators and is
not rerun.

Usage::

    python benchmarks/drivers.py                  # full run -> results/drivers.json
    python benchmarks/drivers.py --sims 40        # quicker
    python benchmarks/drivers.py --indicators predicted   # -> results/drivers_predicted.json
    python benchmarks/drivers.py --indicators predicted --aspects vocmine.aspects.sentence_categories.v1
                                                  # -> results/drivers_predicted_sentence_categories.json
    python benchmarks/drivers.py --indicators predicted --domain hospitality
                                                  # -> results/drivers_predicted_hospitality.json
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import eval_path, write_result  # noqa: E402
from benchmarks._driver_indicators import POLARITY as _POL  # noqa: E402
from benchmarks._driver_indicators import Indicators  # noqa: E402
from benchmarks._driver_indicators import driver_input as _input  # noqa: E402
from benchmarks._driver_indicators import expected_stars as _expected_stars  # noqa: E402
from benchmarks._driver_indicators import projection as _projection  # noqa: E402
from vocmine.drivers import ImpactRanker  # noqa: E402
from vocmine.types import DriverInput  # noqa: E402

SEED = 0
SEMEVAL = ("en_semeval16_restaurants_absa", "ru_semeval16_restaurants_absa")
ASAP = "zh_asap_restaurant_sample"


def _semeval(level: str) -> Indicators:
    frames = []
    for name in SEMEVAL:
        df = pd.read_json(eval_path(name) / "data.jsonl.gz", lines=True)
        df["lang"] = name[:2]
        key = "review_id" if level == "review" else "sentence_id"
        df["doc"] = name[:2] + ":" + df[key].astype(str)
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    rows = [(d, o["category"], _POL.get(o["polarity"], 0.0)) for d, ops in zip(df["doc"], df["opinions"]) for o in ops]
    docs = pd.unique(df["doc"])
    cats = sorted({c for _, c, _ in rows})
    di = {d: i for i, d in enumerate(docs)}
    ci = {c: j for j, c in enumerate(cats)}
    x = np.zeros((docs.size, len(cats)))
    psum = np.zeros_like(x)
    for d, c, p in rows:
        x[di[d], ci[c]] += 1
        psum[di[d], ci[c]] += p
    pol = np.divide(psum, x, out=np.zeros_like(x), where=x > 0)
    langs = df.drop_duplicates("doc").set_index("doc").loc[docs, "lang"].tolist()
    return Indicators(f"semeval16_restaurants_en_ru_{level}s", (x > 0).astype(float), cats, langs, pol)


def _asap(level: str) -> Indicators:
    df = pd.read_json(eval_path(ASAP) / "data.jsonl.gz", lines=True)
    cats = sorted({c for a in df["aspects"] for c in a})
    x = np.array([[c in a for c in cats] for a in df["aspects"]], dtype=float)
    pol = np.array([[float(a.get(c, 0)) for c in cats] for a in df["aspects"]])
    if level == "negative":
        x = (pol < 0).astype(float)
        cats = [c + ":neg" for c in cats]
    return Indicators(f"asap_{level}", x, cats, ["zh"] * len(df), pol, df["star"].to_numpy(float))


def gold_indicators(dataset: str, level: str) -> Indicators:
    """Indicators from gold aspect categories (``dataset`` in {"semeval", "asap"})."""
    return _semeval(level) if dataset == "semeval" else _asap(level)


def predicted_indicators(dataset: str, level: str) -> Indicators:
    """Indicators from the default pipeline's PREDICTED aspects (see ``benchmarks/_driver_predicted.py``)."""
    from benchmarks._driver_predicted import predicted_indicators as source

    return source(dataset, level)


#: --indicators choice -> source.
INDICATOR_SOURCES: dict[str, Callable[[str, str], Indicators]] = {
    "gold": gold_indicators, "predicted": predicted_indicators,
}


def planted(ind: Indicators, sims: int, n_boot: int, min_support: int) -> dict[str, Any]:
    """Coverage, ranking and calibration with known planted effects."""
    rng = np.random.default_rng(SEED)
    keep = ind.x.sum(0) >= min_support
    k = int(keep.sum())
    x = ind.x[:, keep]
    sub = Indicators(ind.name, x, [n for n, m in zip(ind.names, keep) if m], ind.langs, ind.polarity[:, keep])
    out: dict[str, Any] = {"documents": int(x.shape[0]), "drivers": k,
                           "driver_support": dict(zip(sub.names, x.sum(0).astype(int).tolist())),
                           "mean_drivers_per_doc": float(x.sum(1).mean())}
    effects = {
        "ranking": np.linspace(-1.0, 0.5, k)[rng.permutation(k)],
        "null": np.r_[-0.8, -0.4, np.zeros(k - 2)][rng.permutation(k)],
    }
    out["planted"] = {d: dict(zip(sub.names, np.round(b, 4).tolist())) for d, b in effects.items()}
    ranker = ImpactRanker(n_boot=n_boot, min_support=min_support)
    marginal = ImpactRanker(n_boot=0, min_support=min_support, method="marginal")
    crit = stats.t.ppf(0.975, x.shape[0] - k - 1)
    for variant in ("linear", "stars"):
        for design, beta in effects.items():
            mu = 3.8 + x @ beta
            truth = beta if variant == "linear" else _projection(x, _expected_stars(mu, 1.0))
            rec: dict[str, list[float]] = {key: [] for key in (
                "spearman_planted", "spearman_estimand", "cover_percentile", "cover_bca", "cover_hc3_t",
                "width_percentile", "width_hc3_t", "null_p_hc3", "null_p_boot", "fdp", "rmse_ols",
                "rmse_marginal", "power")}
            t0 = time.perf_counter()
            for s in range(sims):
                lat = mu + rng.normal(0.0, 1.0, x.shape[0])
                y = lat if variant == "linear" else np.clip(np.round(lat), 1, 5)
                data = _input(sub, y)
                ranker.random_state = s
                recs = {r.driver: r for r in ranker.rank(data)}
                est = np.array([recs[n].impact for n in sub.names])
                se = np.array([recs[n].extra["se"] for n in sub.names])
                for name in ("percentile", "bca", "hc3_t"):
                    if name == "hc3_t":
                        lo, hi = est - crit * se, est + crit * se
                    else:
                        lo, hi = np.array([recs[n].extra[f"ci_{name}"] for n in sub.names]).T
                    rec[f"cover_{name}"].extend(((lo <= truth) & (truth <= hi)).tolist())
                    if name != "bca":
                        rec[f"width_{name}"].extend((hi - lo).tolist())
                rec["spearman_planted"].append(stats.spearmanr(beta, est).statistic)
                rec["spearman_estimand"].append(stats.spearmanr(truth, est).statistic)
                rec["rmse_ols"].append(float(np.sqrt(np.mean((est - truth) ** 2))))
                marg = {r.driver: r.impact for r in marginal.rank(data)}
                marg_est = np.array([marg[n] for n in sub.names])
                rec["rmse_marginal"].append(float(np.sqrt(np.mean((marg_est - truth) ** 2))))
                null = np.abs(truth) < 1e-9 if variant == "linear" else beta == 0
                for j, n in enumerate(sub.names):
                    if null[j]:
                        rec["null_p_hc3"].append(recs[n].extra["p_value_hc3"] < 0.05)
                        rec["null_p_boot"].append(recs[n].extra["p_value_bootstrap"] < 0.05)
                    else:
                        rec["power"].append(recs[n].significant)
                sig = np.array([recs[n].significant for n in sub.names])
                rec["fdp"].append(float((sig & null).sum() / max(sig.sum(), 1)))
            if design == "null":  # tied true effects: rank correlation is not meaningful
                rec.pop("spearman_planted"), rec.pop("spearman_estimand")
            summary: dict[str, Any] = {key: (float(np.mean(v)) if v else None) for key, v in rec.items()}
            if design == "ranking":
                summary["spearman_planted_min"] = float(np.min(rec["spearman_planted"]))
            summary["_raw"] = {key: rec[key] for key in ("cover_percentile", "cover_bca", "cover_hc3_t",
                                                          "null_p_hc3", "null_p_boot")}
            summary["seconds_per_sim"] = (time.perf_counter() - t0) / sims
            summary["n_null_tests"] = len(rec["null_p_hc3"])
            summary["n_intervals"] = len(rec["cover_percentile"])
            out[f"{variant}/{design}"] = summary
            print(f"  {ind.name} {variant}/{design}: " + ", ".join(
                f"{key}={val:.3f}" for key, val in summary.items() if isinstance(val, float)), flush=True)
    return out


def emerging(ind: Indicators, sims: int, n_periods: int = 8) -> dict[str, Any]:
    """False alerts under no change / wobble, and power for a planted surge."""
    rng = np.random.default_rng(SEED + 1)
    n, k = ind.x.shape
    share = ind.x.mean(0)
    target = int(np.argmin(np.abs(share - 0.05)))  # a driver with ~5% share
    labels = [f"2024-W{w + 1:02d}" for w in range(n_periods)]
    ranker = ImpactRanker(n_boot=0, min_support=10)
    y = np.zeros(n)

    def run(x: np.ndarray, per: np.ndarray) -> list[Any]:
        return ranker.rank(_input(Indicators(ind.name, x, ind.names, ind.langs, ind.polarity), y,
                                  [labels[p] for p in per]))

    out: dict[str, Any] = {"documents": n, "drivers": k, "periods": n_periods,
                           "surge_driver": ind.names[target], "surge_driver_share": float(share[target])}
    for scenario in ("flat", "wobble20"):
        flags, runs = [], []
        for _ in range(sims):
            per = rng.integers(0, n_periods, n)
            x = ind.x.copy()
            if scenario == "wobble20":  # each driver's share moves +-20% per period, no trend
                mult = rng.lognormal(0.0, 0.2, (n_periods, k))
                keep = rng.random((n, k)) < np.minimum(1.0, mult[per] / mult.max(0))
                x = x * keep
            f = [r.emerging for r in run(x, per)]
            flags.extend(f)
            runs.append(any(f))
        out[scenario] = {"false_alert_rate_per_driver": float(np.mean(flags)),
                         "runs_with_any_false_alert": float(np.mean(runs))}
    for factor in (1.5, 2.0, 3.0):
        hits, others = [], []
        for _ in range(sims):
            per = rng.integers(0, n_periods, n)
            x = ind.x.copy()
            last = (per == n_periods - 1) & (x[:, target] == 0)
            add = share[target] * (factor - 1.0) / (1.0 - share[target])
            x[last & (rng.random(n) < add), target] = 1.0
            recs = {r.driver: r for r in run(x, per)}
            hits.append(recs[ind.names[target]].emerging)
            others.extend(r.emerging for d, r in recs.items() if d != ind.names[target])
        out[f"surge_x{factor:g}"] = {"power": float(np.mean(hits)), "false_alert_rate_others": float(np.mean(others))}
    print(f"  emerging {ind.name}: " + str({key: v for key, v in out.items() if isinstance(v, dict)}), flush=True)
    return out


def real_asap(n_boot: int) -> dict[str, Any]:
    """Gold-label driver ranking of real ASAP star ratings."""
    out: dict[str, Any] = {}
    for level in ("mention", "negative"):
        ind = gold_indicators("asap", level)
        recs = ImpactRanker(n_boot=n_boot, min_support=10).rank(_input(ind, ind.stars))
        out[level] = [
            {"rank": r.rank, "driver": r.driver, "n": r.n, "impact": r.impact, "ci": [r.ci_low, r.ci_high],
             "q_value": r.q_value, "significant": r.significant, "opportunity": r.opportunity,
             "raw_diff": r.extra.get("raw_diff"), "neg_share": r.neg_share, "reason": r.extra.get("reason")}
            for r in recs
        ]
        print(f"  asap {level}: " + ", ".join(
            f"{r['driver']}={r['impact']:+.2f}{'*' if r['significant'] else ''}" for r in out[level][:8]), flush=True)
    return out


def speed(n: int = 100_000, k: int = 60, n_boot: int = 500) -> dict[str, Any]:
    """Wall time of one rank() on a synthetic 100k x 60 corpus (stars outcome)."""
    rng = np.random.default_rng(SEED + 2)
    x = (rng.random((n, k)) < rng.uniform(0.005, 0.08, k)).astype(np.uint8)
    y = np.clip(np.round(4.0 + x @ rng.normal(0, 0.4, k) + rng.normal(0, 1, n)), 1, 5)
    data = DriverInput(outcome=y, indicators=x, names=[f"d{j}" for j in range(k)], kinds=["category"] * k,
                       touchpoints=[""] * k, periods=[f"2024-W{w:02d}" for w in rng.integers(1, 13, n)])
    t0 = time.perf_counter()
    ImpactRanker(n_boot=n_boot).rank(data)
    sec = time.perf_counter() - t0
    print(f"  speed: {n} docs x {k} drivers x {n_boot} boot = {sec:.1f} s", flush=True)
    return {"documents": n, "drivers": k, "n_boot": n_boot, "seconds": sec}


def summarize(payload: dict[str, Any]) -> dict[str, Any]:
    """Pool the planted runs, pick the interval / p-value method, check the targets."""
    pooled: dict[str, list[float]] = {}
    spearman: dict[str, float] = {}
    for corpus, res in payload["planted"].items():
        for scen, summ in res.items():
            if not isinstance(summ, dict) or "_raw" not in summ:
                continue
            for key, vals in summ.pop("_raw").items():
                pooled.setdefault(key, []).extend(vals)
            if "spearman_planted" in summ:
                spearman[f"{corpus}/{scen}"] = summ["spearman_planted"]
    cover = {m: float(np.mean(pooled[f"cover_{m}"])) for m in ("percentile", "bca", "hc3_t")}
    null = {m: float(np.mean(pooled[f"null_p_{m}"])) for m in ("hc3", "boot")}
    em = payload["emerging"]
    out = {
        "coverage_pooled": cover,
        "coverage_n_intervals": len(pooled["cover_percentile"]),
        "interval_chosen": min(("percentile", "bca"), key=lambda m: abs(cover[m] - 0.95)),
        "null_rejection_at_0.05": null,
        "null_n_tests": len(pooled["null_p_hc3"]),
        "p_method_chosen": min(("hc3", "boot"), key=lambda m: abs(null[m] - 0.05)),
        "spearman_mean": spearman,
        "targets": {
            "spearman>=0.9": all(v >= 0.9 for v in spearman.values()),
            "coverage_in_[0.93,0.97]": 0.93 <= cover["percentile"] <= 0.97,
            "false_emerging<=0.05": em["flat"]["false_alert_rate_per_driver"] <= 0.05,
        },
    }
    print("summary:", out, flush=True)
    return out


def _json_safe(obj: Any) -> Any:
    """NaN / inf -> None and numpy scalars -> Python, so the file is strict JSON."""
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--indicators", choices=sorted(INDICATOR_SOURCES), default="gold")
    parser.add_argument("--sims", type=int, default=200, help="simulations per scenario")
    parser.add_argument("--n-boot", type=int, default=500)
    parser.add_argument("--aspects", default=None,
                        help="with --indicators predicted: aspects component instead of PipelineConfig()'s default")
    parser.add_argument("--domain", default="default",
                        help="with --indicators predicted: PipelineConfig.domain (e.g. hospitality)")
    args = parser.parse_args()
    if args.indicators != "gold":
        main_measured(args)
        return
    source = INDICATOR_SOURCES[args.indicators]
    t0 = time.perf_counter()
    corpora = {
        "semeval_reviews": source("semeval", "review"),
        "semeval_sentences": source("semeval", "sentence"),
        "asap_reviews": source("asap", "mention"),
    }
    payload: dict[str, Any] = {
        "config": {"indicators": args.indicators, "sims": args.sims, "n_boot": args.n_boot, "seed": SEED,
                   "min_support": 10, "noise_sd": 1.0, "intercept": 3.8, "alpha": 0.05,
                   "datasets": [*SEMEVAL, ASAP]},
        "scipy": stats.__name__ and __import__("scipy").__version__,
    }
    print("planted impacts", flush=True)
    payload["planted"] = {key: planted(ind, args.sims, args.n_boot, 10) for key, ind in corpora.items()}
    print("emerging drivers", flush=True)
    payload["emerging"] = emerging(corpora["semeval_sentences"], args.sims)
    print("real outcome (ASAP stars, gold categories)", flush=True)
    payload["asap_real"] = real_asap(args.n_boot)
    print("speed", flush=True)
    payload["speed"] = speed(n_boot=args.n_boot)
    payload["summary"] = summarize(payload)
    payload["seconds_total"] = time.perf_counter() - t0
    path = write_result("drivers", _json_safe(payload))
    print(f"wrote {path} in {payload['seconds_total']:.0f} s")


def main_measured(args: argparse.Namespace) -> None:
    """Planted effects on gold indicators, estimated from the source's (predicted) indicators."""
    from benchmarks import _driver_measured as dm
    from benchmarks import _driver_predicted as dp

    dp.DOMAIN = args.domain
    source = INDICATOR_SOURCES[args.indicators]
    if args.aspects is not None:
        source = functools.partial(dp.predicted_indicators, aspects=args.aspects)
    t0 = time.perf_counter()
    levels = {"semeval_reviews": ("semeval", "review"), "semeval_sentences": ("semeval", "sentence"),
              "asap_reviews": ("asap", "mention")}
    print("aspect pipeline on the corpora (cached)", flush=True)
    pairs = {key: (dp.mapped_gold_indicators(*lv), source(*lv)) for key, lv in levels.items()}
    payload: dict[str, Any] = {
        "config": {"indicators": args.indicators, "sims": args.sims, "n_boot": args.n_boot, "seed": SEED,
                   "min_support": 10, "noise_sd": 1.0, "intercept": 3.8, "alpha": 0.05,
                   "datasets": [*SEMEVAL, ASAP], "outcome_from": "gold indicators mapped to vocmine categories",
                   "impacts_from": ["gold_mapped (oracle)", args.indicators], **dp.describe(args.aspects)},
        "scipy": __import__("scipy").__version__,
        "segmentation": {ds: dp.segmentation(ds, args.aspects) for ds in ("semeval", "asap")},
        "seconds_pipeline": time.perf_counter() - t0,
    }
    print("planted impacts (outcome from gold, impacts from gold-mapped and predicted)", flush=True)
    payload["planted"] = {key: dm.planted_measured(g, p, args.sims, args.n_boot, 10, seed=SEED)
                          for key, (g, p) in pairs.items()}
    print("emerging drivers (predicted sentence indicators)", flush=True)
    payload["emerging"] = emerging(pairs["semeval_sentences"][1], args.sims)
    print("real outcome (ASAP stars, gold-mapped vs predicted categories)", flush=True)
    payload["asap_real"] = dm.real_asap_measured(dp.mapped_gold_indicators, source, args.n_boot)
    payload["summary"] = dm.summarize_measured(payload)
    payload["seconds_total"] = time.perf_counter() - t0
    name = f"drivers_{args.indicators}"
    if not payload["config"]["aspects_is_default"]:  # another extractor must not overwrite the default's figures
        name += "_" + payload["config"]["aspects_component"].split(".")[2]
    if args.domain != "default":
        name += f"_{args.domain}"
    path = write_result(name, _json_safe(payload))
    print(f"wrote {path} in {payload['seconds_total']:.0f} s")


if __name__ == "__main__":
    main()
