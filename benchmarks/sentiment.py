"""Benchmark of the default sentiment model per language, in and out of its training domain.

    python benchmarks/sentiment.py                 # default model (e5_tuned: top 4 encoder layers fine-tuned),
                                                   # frozen-encoder head (e5), static tier, research heads,
                                                   # throughput; writes benchmarks/results/sentiment.json
    python benchmarks/sentiment.py --quick         # skip research heads and throughput
    VOCMINE_MODEL_DIR=/tmp/cand python benchmarks/sentiment.py --quick --tiers e5_tuned --name sentiment_cand
                                                   # a candidate's weights -> benchmarks/results/sentiment_cand.json

Evaluation data: ``$VOCMINE_EVAL_DATA`` (default ``../shared/eval_data``). Splits,
label mappings and subsampling are fixed (``benchmarks/_sentiment_data.py``) and
written into the JSON. The shipped head never saw a test row (checked by
normalised-text hash). "Research" heads are trained on the train splits of
evaluation-only (non-commercial / unlicensed) sets to show the in-domain upper
bound of the same architecture; they are never shipped.

Embeddings are cached under ``/tmp/vocmine_cache/sentiment`` keyed by embedder
name and text hash, so reruns are fast; throughput is measured in a fresh
subprocess without the cache.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import write_result  # noqa: E402
from benchmarks._sentiment_data import (  # noqa: E402
    SEED,
    TEST_CAP,
    EmbeddingCache,
    balanced_weights,
    eval_sets,
    research_train,
    shipped_train,
)
from benchmarks._sentiment_metrics import evaluate, headline  # noqa: E402
from benchmarks.train_sentiment import CHOSEN, TUNE, make_embedder  # noqa: E402
from vocmine.errors import ModelNotFoundError  # noqa: E402
from vocmine.sentiment._weights import find_head  # noqa: E402
from vocmine.sentiment import HeadSentiment, TunedSentiment, train_head  # noqa: E402

TARGETS = {
    "zh_chnsenticorp_htl": ("binary_acc", 0.90),
    "en_amazon_review_polarity": ("binary_acc", 0.90),
    "pl_polemo2_klej": ("binary_acc", 0.90),
    "ru_rusentiment": ("3class_macro_f1", 0.70),
}
THROUGHPUT_TARGET = 50.0
RESEARCH_SETS = ("ru_rusentiment", "ru_rusentitweet", "pl_polemo2_klej", "zh_chnsenticorp_htl")


class CachedEmbedder:
    """An Embedder backed by :class:`EmbeddingCache` (same name and vectors as the wrapped one)."""

    def __init__(self, cache: EmbeddingCache) -> None:
        self.cache = cache
        self.name = str(cache.embedder.name)

    @property
    def dim(self) -> int:
        return int(self.cache.embedder.dim)

    def embed(self, texts: Any, *, batch_size: int = 32) -> np.ndarray:
        return self.cache.embed(list(texts), batch_size=batch_size, progress=len(texts) > 1000)


class _Named:
    """An embedder under another name (the tuned branch's cache is keyed by its weights' hash)."""

    def __init__(self, inner: Any, name: str) -> None:
        self.inner, self.name, self.dim = inner, name, inner.dim

    def embed(self, texts: Any, *, batch_size: int = 32) -> np.ndarray:
        return self.inner.embed(texts, batch_size=batch_size)


def sentiment_model(kind: str) -> HeadSentiment:
    """The model of a tier, uncached (``e5_tuned`` is the default)."""
    if kind == "e5_tuned":
        return TunedSentiment(embedder=make_embedder("e5"))
    return HeadSentiment(embedder=make_embedder(kind))


def run_tier(kind: str, research: bool) -> dict[str, Any]:
    if kind == "e5_tuned":
        import hashlib

        tuned = TunedSentiment(embedder=make_embedder("e5"))
        path = find_head(tuned._embedder_name())
        branch = tuned._get_embedder()
        embedder: Any = _Named(branch, f"{branch.name}-{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}")
        cache = EmbeddingCache(embedder)
        model = HeadSentiment(embedder=CachedEmbedder(cache), model_path=path)
    else:
        embedder = make_embedder(kind)
        cache = EmbeddingCache(embedder)
        model = HeadSentiment(embedder=CachedEmbedder(cache))
    out: dict[str, Any] = {"embedder": None, "sets": {}, "headline": {}}
    for name, es in eval_sets().items():
        t0 = time.time()
        texts = es.frame["text"].tolist()
        probs = model.predict(texts, langs=[es.lang] * len(texts)).probs
        res = evaluate(es, probs)
        out["sets"][name] = res
        out["headline"][name] = headline(name, res)
        print(f"[{kind}] {name}: {out['headline'][name]} ({time.time() - t0:.0f}s)", flush=True)
    out["embedder"] = embedder.name
    if research:
        out["ablations"] = ablations(cache)
        out["research_in_domain_upper_bound"] = {}
        for name in RESEARCH_SETS:
            es = eval_sets()[name]
            tr = research_train(name)
            x = cache.embed(tr["text"].tolist(), progress=True)
            head = train_head(x, tr["label"].tolist(), sample_weight=balanced_weights(tr), random_state=SEED,
                              **CHOSEN)
            xt = cache.embed(es.frame["text"].tolist())
            res = evaluate(es, head.predict_proba(xt))
            out["research_in_domain_upper_bound"][name] = {
                "train_rows": len(tr), "train_split": "official train split" if name != "zh_chnsenticorp_htl"
                else "all rows not in the test sample", "headline": headline(name, res), "detail": res,
                "note": "RESEARCH ONLY: trained on an evaluation-only (non-commercial/unlicensed) set; never shipped"}
            print(f"[{kind}] research {name}: {headline(name, res)}", flush=True)
    return out


def ablations(cache: EmbeddingCache) -> dict[str, Any]:
    """Variants of the shipped head (same data and seed unless stated), scored on every test set."""
    from benchmarks.train_sentiment import CANDIDATES

    df = shipped_train()
    variants = {
        "logreg_floor (frozen embeddings + logistic regression)": (df, CANDIDATES[0]),
        "mlp_without_seed_sentences": (df[df["source"] != "vocmine_seed_sentences"].reset_index(drop=True), CHOSEN),
    }
    out: dict[str, Any] = {}
    for label, (data, cfg) in variants.items():
        head = train_head(cache.embed(data["text"].tolist()), data["label"].tolist(),
                          sample_weight=balanced_weights(data), random_state=SEED, **cfg)
        out[label] = {"config": cfg, "train_rows": len(data), "headline": {}}
        for name, es in eval_sets().items():
            res = evaluate(es, head.predict_proba(cache.embed(es.frame["text"].tolist())))
            out[label]["headline"][name] = headline(name, res)
        print(f"ablation {label}: {out[label]['headline']}", flush=True)
    return out


# ------------------------------------------------------------------ throughput
def throughput_texts(n_per_lang: int) -> tuple[list[str], list[str]]:
    """~300-character reviews per language (cut at 300 chars), not cached."""
    sets = eval_sets()
    picks = {"en": "en_amazon_review_polarity", "pl": "pl_allegro_reviews_klej", "zh": "zh_chnsenticorp_htl",
             "ru": "ru_rusentitweet"}
    texts, langs = [], []
    for lang, name in picks.items():
        df = sets[name].frame
        pool = df[df["text"].str.len() >= (120 if lang == "ru" else 250)]["text"]
        pool = pool.sample(n=min(n_per_lang, len(pool)), random_state=SEED)
        texts += [t[:300] for t in pool]
        langs += [lang] * len(pool)
    return texts, langs


WARM_UP = ["The parcel arrived on Monday.", "Заказ пришёл в понедельник.", "Paczka przyszła w poniedziałek.",
           "包裹周一到了。"]


def throughput_worker(kind: str, n_per_lang: int) -> None:
    import torch

    torch.set_num_threads(2)
    texts, langs = throughput_texts(n_per_lang)
    t0 = time.time()
    model = sentiment_model(kind)
    model.predict(WARM_UP, langs=["en", "ru", "pl", "zh"])  # load + warm up on texts not timed (the tuned
    # branch remembers the texts it has seen)
    load_s = time.time() - t0
    t0 = time.time()
    model.predict(texts, langs=langs)
    dt = time.time() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # one model loaded
    del model
    per_lang = {}
    for lang in ("en", "pl", "zh", "ru"):  # a fresh model each, for the same reason
        sub = [t for t, g in zip(texts, langs) if g == lang]
        fresh = sentiment_model(kind)
        fresh.predict(WARM_UP, langs=["en", "ru", "pl", "zh"])
        t1 = time.time()
        fresh.predict(sub, langs=[lang] * len(sub))
        per_lang[lang] = len(sub) / (time.time() - t1)
    print(json.dumps({
        "docs_per_s": len(texts) / dt, "n_docs": len(texts), "mean_chars": float(np.mean([len(t) for t in texts])),
        "per_lang_docs_per_s": per_lang, "load_and_warmup_s": load_s, "torch_threads": torch.get_num_threads(),
        "peak_rss_mb": peak_mb,
    }))


def measure_throughput(kind: str, n_per_lang: int) -> dict[str, Any]:
    env = {**os.environ, "OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}
    load = os.getloadavg()
    proc = subprocess.run([sys.executable, __file__, "--throughput-worker", kind, "--n", str(n_per_lang)],
                          capture_output=True, text=True, env=env, check=True)
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["load_average_before"] = load
    res["note"] = "2 torch threads on a 2-core machine shared with other jobs; fresh process, no embedding cache"
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--tiers", default="e5_tuned,e5,static")
    ap.add_argument("--n", type=int, default=100, help="throughput texts per language")
    ap.add_argument("--name", default="sentiment",
                    help="result file name under benchmarks/results/ (e.g. a candidate's, with VOCMINE_MODEL_DIR)")
    ap.add_argument("--throughput-worker", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.throughput_worker:
        throughput_worker(args.throughput_worker, args.n)
        return 0

    t_start = time.time()
    payload: dict[str, Any] = {"config": {
        "seed": SEED, "test_cap_per_set": TEST_CAP, "head_config": CHOSEN, "tune_config": TUNE,
        "splits": {name: es.split for name, es in eval_sets().items()},
        "label_mapping": {
            "ru_*": "positive/negative/neutral kept; speech and skip dropped (primary); speech->positive (second view)",
            "pl_polemo2_klej": "binary = positive vs negative rows; 3class drops ambivalent; 4to3 maps ambivalent->neutral",
            "pl_allegro_reviews_klej": "stars 1-2 negative, 3 neutral, 4-5 positive (25 empty dev texts dropped)",
            "binary sets": "accuracy of sign(P(pos)-P(neg)) on the positive/negative rows",
        },
        "targets": {k: {"metric": m, "min": v} for k, (m, v) in TARGETS.items()} | {"throughput_docs_per_s": 50},
    }, "tiers": {}}
    for kind in args.tiers.split(","):
        try:
            payload["tiers"][kind] = run_tier(kind, research=not args.quick and kind == "e5")
        except (ImportError, ModelNotFoundError) as exc:  # the static tier may not be built
            payload["tiers"][kind] = {"skipped": str(exc)}
            print(f"[{kind}] skipped: {exc}")
            continue
        if not args.quick:
            payload["tiers"][kind]["throughput"] = measure_throughput(kind, args.n)
            print(f"[{kind}] throughput: {payload['tiers'][kind]['throughput']}", flush=True)
    e5 = payload["tiers"].get("e5_tuned", {})  # the default model
    if "headline" in e5:
        payload["targets_met"] = {
            name: {"metric": m, "min": v, "value": e5["headline"][name][m], "met": e5["headline"][name][m] >= v}
            for name, (m, v) in TARGETS.items()}
        if "throughput" in e5:
            tp = e5["throughput"]["docs_per_s"]
            payload["targets_met"]["throughput"] = {"min": THROUGHPUT_TARGET, "value": tp,
                                                    "met": tp >= THROUGHPUT_TARGET}
    payload["runtime_s"] = round(time.time() - t_start, 1)
    payload["config"]["model_dir"] = os.environ.get("VOCMINE_MODEL_DIR")  # a candidate's weights, if set
    path = write_result(args.name, payload)
    print(json.dumps(payload.get("targets_met", {}), indent=1))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
