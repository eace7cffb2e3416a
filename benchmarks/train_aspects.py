"""Train the aspect-term model (tagger + mention polarity) on frozen multilingual-e5-small token states.

Two training sets (see models/aspects-e5/MODEL_CARD.md for why there are two):

* ``open`` (SHIPPED): permissively licensed data only: ``models/aspects-e5/seed_sentences.jsonl``,
  ``seed_sentences_2.jsonl`` and ``seed_sentences_3.jsonl`` (sentences written and annotated for vocmine,
  en/ru/pl/zh, Apache-2.0 like the code; ``--no-written-2`` / ``--no-written-3`` leave a round out),
  ``open_real_annotations.jsonl`` (vocmine's annotations of UCI, Allegro train and ASAP sentences),
  whole-sentence polarity from the sources in ``_aspect_data.SENTENCE_POLARITY_SOURCES``;
  ``--concat N`` adds N multi-sentence texts made from the training split (tried for long-input
  robustness, not used by the shipped weights: see MODEL_CARD.md).
* ``research``: the seed sentences plus the train splits of SemEval-2014 Task 4 (en),
  SentiRuEval-2015 (ru), SemEval-2016 Task 5 (en/ru targets, zh sentence polarity); these
  are research-use shared-task data, so this model is NOT shipped (figures only).

Every test sentence of every evaluated set is removed from training (``_aspect_data``).
Model selection: the epoch with the best dev score (ATE F1 + polarity accuracy) on a seeded 10 %
hold-out of the training sentences (15 % for ``open``); with ``--concat`` the ATE F1 is the mean of
the sentence and the long-text F1 (hold-out sentences joined 4-10 at a time).

Usage::

    python benchmarks/train_aspects.py --data open --layer 9,12 --epochs 60 \
        --polarity-from models/aspects-e5/multilingual-e5-small.npz
                                # writes the shipped model: a new tagger beside the shipped polarity network
    python benchmarks/train_aspects.py --data open --layer 9,12 --polarity-layer 9,12 --epochs 60
                                                           # tagger and polarity network of one run
    python benchmarks/train_aspects.py --data research    # writes /tmp/vocmine_cache/aspects/research/
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._aspect_data import (  # noqa: E402
    SEED,
    SENTENCE_POLARITY_SOURCES,
    WRITTEN,
    Unit,
    cache_root,
    norm_key,
    open_real_units,
    seed_units,
    sentence_polarity_units,
    test_units,
    train_units,
)
from benchmarks._aspect_features import CachedTokenEmbedder, parse_layers  # noqa: E402
from vocmine.aspects import (  # noqa: E402
    TermAspectExtractor,
    TermExample,
    TermModel,
    load_term_model,
    save_term_model,
    train_term_model,
)
from vocmine.aspects._term_train import encode_examples  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "models" / "aspects-e5"
PACKAGED = ROOT / "vocmine" / "aspects" / "weights"
RESEARCH = cache_root() / "research"
LABELS = ("negative", "neutral", "positive")

logger = logging.getLogger("train_aspects")


class NoCategories:
    """A stand-in CategoryMapper (model selection needs spans and polarity only)."""

    def map(self, terms: list[str], *, langs: list[str], contexts: list[str] | None = None) -> list[tuple[str, float]]:
        return [("OTHER", 0.0)] * len(terms)


def to_example(u: Unit) -> TermExample | None:
    """A training example from a unit (``None`` when it carries no usable signal)."""
    sent_pol = None
    if u.source in SENTENCE_POLARITY_SOURCES:
        return TermExample(u.text, u.lang, [], tag=False, sentence_polarity=u.cats[0][1])
    if u.source.startswith(("ru_semeval16", "en_semeval16", "zh_semeval16")):
        pols = {p for _c, p in u.cats}
        implicit = u.terms is None or len(u.cats) > len(u.terms or [])
        if implicit and len(pols) == 1 and next(iter(pols)) in LABELS:
            sent_pol = next(iter(pols))
    spans = list(u.terms or [])
    tag = u.terms is not None and u.complete
    if not tag and not spans and sent_pol is None:
        return None
    return TermExample(u.text, u.lang, spans, tag=tag, sentence_polarity=sent_pol)


def ate_counts(pred: list[list[tuple[int, int]]], gold: list[list[tuple[int, int]]]) -> tuple[int, int, int]:
    """True positives, predicted and gold counts for exact span match."""
    tp = sum(len(set(p) & set(g)) for p, g in zip(pred, gold))
    return tp, sum(len(set(p)) for p in pred), sum(len(set(g)) for g in gold)


def f1(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def dev_score(model_file: Path, emb: Any, dev: list[TermExample]) -> dict[str, float]:
    """ATE F1 (tagged sentences) and polarity accuracy (gold spans) of a saved model on ``dev``."""
    ext = TermAspectExtractor(embedder=emb, model_path=model_file, category_mapper=NoCategories(),  # type: ignore[arg-type]
                              lemmatizer=lambda t, lang: t)
    tagged = [ex for ex in dev if ex.tag]
    found = ext.extract([ex.text for ex in tagged], langs=[ex.lang for ex in tagged])
    counts = ate_counts([[(m.start, m.end) for m in ms] for ms in found],
                        [[(s, e) for s, e, _ in ex.spans] for ex in tagged])
    with_pol = [ex for ex in dev if any(p in LABELS for _s, _e, p in ex.spans)]
    spans = [[(s, e) for s, e, p in ex.spans if p in LABELS] for ex in with_pol]
    gold = [[p for _s, _e, p in ex.spans if p in LABELS] for ex in with_pol]
    pred = ext.classify([ex.text for ex in with_pol], spans, langs=[ex.lang for ex in with_pol])
    flat = [(g, p[0]) for gs, ps in zip(gold, pred) for g, p in zip(gs, ps)]
    acc = float(np.mean([g == p for g, p in flat])) if flat else 0.0
    return {**f1(*counts), "polarity_accuracy": acc, "n_terms": counts[2], "n_polarity": len(flat)}


def split_dev(examples: list[TermExample], fraction: float) -> tuple[list[TermExample], list[TermExample]]:
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(examples))
    n_dev = int(round(fraction * len(examples)))
    dev_idx = set(order[:n_dev].tolist())
    return [e for i, e in enumerate(examples) if i not in dev_idx], [e for i, e in enumerate(examples) if i in dev_idx]


def concatenated(examples: list[TermExample], n: int, *, seed: int = SEED) -> list[TermExample]:
    """``n`` multi-sentence texts, each 4-10 tagged examples of one language joined (spans shifted).

    An experiment for unsplit run-on inputs (the pipeline tags sentences, but chats and comma-only
    reviews can reach the tagger as long texts). Measured 2026-12-05 (``--concat 250 --epochs 50``):
    ATE F1 on SemEval-14 test sentences joined 4-10 at a time 0.648 / 0.439 (restaurants / laptops)
    against 0.642 / 0.445 without it, sentence-level ATE F1 -0.006 / -0.014, and a contrastive
    polarity regression ("The screen is gorgeous, the keyboard is awful": keyboard -> positive).
    So the shipped weights do not use it (default 0).
    """
    rng = np.random.default_rng(seed)
    by_lang: dict[str, list[TermExample]] = {}
    for ex in examples:
        if ex.tag:
            by_lang.setdefault(ex.lang, []).append(ex)
    langs = sorted(by_lang)
    out = []
    for _ in range(n):
        lang = langs[int(rng.integers(len(langs)))]
        pool = by_lang[lang]
        picks = rng.choice(len(pool), size=min(len(pool), int(rng.integers(4, 11))), replace=False)
        sep = "" if lang == "zh" else " "
        text, spans = "", []
        for k in picks:
            ex = pool[int(k)]
            base = len(text) + (len(sep) if text else 0)
            text = (text + sep + ex.text) if text else ex.text
            spans += [(base + a, base + b, pol) for a, b, pol in ex.spans]
        out.append(TermExample(text, lang, spans, tag=True, sentence_polarity=None))
    return out


def build(data: str, uci_cap: int, *, leave_out: Collection[str] = ()) -> list[TermExample]:
    # ASAP whole reviews are left out: benchmarks/drivers.py compares predicted and gold ASAP drivers.
    pol = [u for u in sentence_polarity_units() if not u.uid.startswith("asap:")]
    uci = [u for u in pol if u.uid.startswith("uci:")]
    keep = {u.uid for u in np.random.default_rng(SEED).permutation(np.array(uci, dtype=object))[:uci_cap]}
    pol = [u for u in pol if not u.uid.startswith("uci:") or u.uid in keep]
    units = seed_units(leave_out=leave_out) + open_real_units() + pol
    if data == "research":
        units = units + train_units(zh_negatives=500)
    test_keys = {norm_key(u.text) for us in test_units().values() for u in us}
    out = []
    for u in units:
        if norm_key(u.text) in test_keys:
            logger.warning("dropping training sentence that is also a test sentence: %r", u.text[:60])
            continue
        ex = to_example(u)
        if ex is not None:
            out.append(ex)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", choices=("open", "research"), default="open")
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--layer", default="12",
                    help="encoder layer(s) of the token states, e.g. 12 or 9,12 (side by side); cached: 6, 9, 12")
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--uci-cap", type=int, default=1000, help="UCI sentences for the polarity head (CPU budget)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--concat", type=int, default=0,
                    help="multi-sentence training texts made from the training split (long-input robustness; "
                         "off for the shipped weights, see MODEL_CARD.md)")
    second = ap.add_mutually_exclusive_group()
    second.add_argument("--polarity-layer", default=None,
                        help="also train a second network on these layers (e.g. 12) for mention polarity; the "
                             "file holds both: the first network tags the terms, the second classifies them")
    second.add_argument("--polarity-from", type=Path, default=None,
                        help="take the polarity network from this model file instead of training one (how the "
                             "session-15 file keeps the session-13 polarity network: see MODEL_CARD.md)")
    ap.add_argument("--no-written-2", action="store_true",
                    help="leave out seed_sentences_2.jsonl (the second round of written sentences; with "
                         "--no-written-3, how the session-10 network was trained)")
    ap.add_argument("--no-written-3", action="store_true",
                    help="leave out seed_sentences_3.jsonl (the third round, English; how the session-13 "
                         "network was trained)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    t0 = time.time()
    layers = parse_layers(args.layer)
    emb = CachedTokenEmbedder(layer=layers)
    leave_out = [p for p, off in (("seed2", args.no_written_2), ("seed3", args.no_written_3)) if off]
    examples = build(args.data, args.uci_cap, leave_out=leave_out)
    train, dev = split_dev(examples, 0.15 if args.data == "open" else 0.10)
    dev_long = concatenated(dev, 60, seed=SEED + 1) if args.concat else []
    train = train + concatenated(train, args.concat)
    epochs = args.epochs or (40 if args.data == "open" else 12)
    logger.info("%s: %d train / %d dev sentences (%s)", args.data, len(train), len(dev),
                dict(Counter(ex.lang for ex in train)))
    sources = dict(Counter(ex.lang for ex in examples))
    meta = {"embedder": "multilingual-e5-small", "training_data": args.data, "uci_cap": args.uci_cap,
            "concat": args.concat, "languages": sources, "n_train": len(train), "n_dev": len(dev),
            "written": [p for p in WRITTEN if p not in leave_out]}
    (model, best), pol_same, history = fit(emb, layers, train, dev, dev_long, epochs, meta, args)
    histories = {"tagger" if args.polarity_layer or args.polarity_from else "model": {
        "layers": list(layers), "history": history, "best_epoch": best["epoch"]}}
    if args.polarity_from or args.polarity_layer:
        pol, histories["polarity"] = polarity_network(args, emb, layers, pol_same, history,
                                                      (train, dev, dev_long, epochs, meta))
        model = TermModel(model.params, model.meta, pol)
    out = args.out or (SHIPPED if args.data == "open" else RESEARCH)
    path = save_term_model(model, out / "multilingual-e5-small.npz")
    emb.layer = layers
    scores = dev_score(path, emb, dev)
    if args.polarity_from:
        # the kept network trained on most of this run's hold-out sentences: no hold-out polarity figure
        del scores["polarity_accuracy"]
        scores["note"] = ("tagger hold-out scores of this run; no hold-out polarity figure: the kept polarity "
                          "network trained on most of this run's hold-out sentences")
    if args.data == "open" and args.out is None:
        PACKAGED.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, PACKAGED / path.name)
    (out / f"train_history_{args.data}.json").write_text(json.dumps(
        {**histories, "dev": scores, "n_train": len(train), "n_dev": len(dev), "languages": sources,
         "seconds": round(time.time() - t0)}, indent=2), encoding="utf-8")
    logger.info("saved %s (dev %s) in %.0f s", path, scores, time.time() - t0)


def polarity_network(args: argparse.Namespace, emb: CachedTokenEmbedder, layers: tuple[int, ...],
                     pol_same: tuple[TermModel, dict[str, Any]], history: list[dict[str, Any]],
                     data: tuple[Any, ...]) -> tuple[TermModel, dict[str, Any]]:
    """The second network of the file and its history entry: taken from ``--polarity-from``, or the epoch with
    the best dev polarity accuracy (polarity peaks early, the tagger later) of this run when it reads the same
    layers, else of a run on its own ``--polarity-layer`` layers."""
    if args.polarity_from:
        kept = load_term_model(args.polarity_from)
        pol = kept.polarity or kept
        digest = hashlib.sha256(Path(args.polarity_from).read_bytes()).hexdigest()
        return TermModel(pol.params, pol.meta), {"from": str(args.polarity_from), "from_sha256": digest,
                                                 "meta": dict(pol.meta)}
    pol_layers = parse_layers(args.polarity_layer)
    if pol_layers == layers:
        (pol, pol_best), pol_history = pol_same, history
    else:
        _, (pol, pol_best), pol_history = fit(emb, pol_layers, *data, args)
    return pol, {"layers": list(pol_layers), "history": pol_history, "best_epoch": pol_best["epoch"],
                 "selected_by": "dev polarity accuracy"}


def fit(emb: CachedTokenEmbedder, layers: tuple[int, ...], train: list[TermExample], dev: list[TermExample],
        dev_long: list[TermExample], epochs: int, meta: dict[str, Any],
        args: argparse.Namespace) -> tuple[tuple[TermModel, dict[str, Any]], tuple[TermModel, dict[str, Any]],
                                          list[dict[str, Any]]]:
    """Train one network on the token states of ``layers``.

    Returns ``(model, best)`` of the epoch with the best dev score (ATE F1 + polarity accuracy), the same
    for the epoch with the best dev polarity accuracy, and the per-epoch dev history.
    """
    emb.layer = layers
    encoded = encode_examples(train, emb)
    tmp = Path(tempfile.mkdtemp(prefix="vm_aspects_"))
    history: list[dict[str, Any]] = []
    best: dict[str, Any] = {"score": -1.0}
    best_pol: dict[str, Any] = {"score": -1.0}

    def on_epoch(epoch: int, model: Any) -> None:
        path = save_term_model(model, tmp / f"e{epoch}" / "m.npz")
        scores = dev_score(path, emb, dev)
        ate_f1 = scores["f1"]
        if dev_long:
            scores["long_f1"] = dev_score(path, emb, dev_long)["f1"]
            ate_f1 = (scores["f1"] + scores["long_f1"]) / 2
        score = ate_f1 + scores["polarity_accuracy"]
        history.append({"epoch": epoch, **scores})
        logger.info("epoch %d dev: F1 %.3f pol acc %.3f %s", epoch, scores["f1"], scores["polarity_accuracy"],
                    f"long-text F1 {scores['long_f1']:.3f}" if dev_long else "")
        if score > best["score"]:
            best.update(score=score, epoch=epoch, model=model, scores=scores)
        if scores["polarity_accuracy"] > best_pol["score"]:
            best_pol.update(score=scores["polarity_accuracy"], epoch=epoch, model=model, scores=scores)

    layer_meta = {"layer": layers[0] if len(layers) == 1 else list(layers)}
    train_term_model(encoded, embedder=emb, epochs=epochs, hidden=args.hidden, random_state=args.seed,
                     meta={**meta, **layer_meta}, on_epoch=on_epoch, num_threads=args.threads)
    shutil.rmtree(tmp, ignore_errors=True)

    def chosen(b: dict[str, Any]) -> tuple[TermModel, dict[str, Any]]:
        m = b["model"]
        return TermModel(m.params, {**m.meta, "embedder": "multilingual-e5-small", "best_epoch": b["epoch"],
                                    "dev": b["scores"]}), b

    return chosen(best), chosen(best_pol), history

if __name__ == "__main__":
    main()
