"""Benchmark the aspect-term extractor (TermAspectExtractor) on labelled ABSA test sets.

Figures (official test splits; no test sentence is in any training set):

* EN SemEval-2014 Task 4 restaurants / laptops: aspect-term extraction (ATE) P/R/F1 with exact
  span match; mention polarity accuracy and macro-F1 on the gold terms (``conflict`` excluded).
* RU SemEval-2016 restaurants, RU SentiRuEval-2015 restaurants (reviews split into sentences),
  ZH SemEval-2016 phones+cameras: sentence-level category detection P/R/F1 after mapping the
  datasets' categories to vocmine's taxonomy (tables ``MAP_*`` below; categories with no
  counterpart are left out of gold, and predicted categories outside the mapped scope are
  ignored), and polarity accuracy: gold opinion targets for RU (``conflict``/``both``
  excluded), the whole sentence as the "mention" for ZH (the ZH set has no targets).
  ATE F1 on the RU targets is reported too (SemEval-2016 marks opinion targets only).
* PL: the hand-labelled Allegro sentences (benchmarks/data/pl_absa_gold.jsonl): ATE P/R/F1,
  polarity accuracy on gold terms, category accuracy of the CategoryMapper on the gold terms
  (with their sentence as context) and on correctly extracted terms.
* Speed: sentences/s of ``extract`` (extraction + polarity [+ categories]) on 2 CPU threads.

Every figure is given for the shipped model (``open``: project-written training sentences
only) and, when it has been trained, the ``research`` model (plus SemEval/SentiRuEval train
splits; not shipped, see models/aspects-e5/MODEL_CARD.md). Majority-class polarity baselines
and the sentence-level baseline extractor (``SentenceCategoryAspects``) are reported for context.

Usage: python benchmarks/aspects.py [--models open,research] [--no-speed] [--open-path FILE --name NAME]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._aspect_data import MAP_SE16_RESTAURANTS, Unit, test_units  # noqa: E402
from benchmarks._aspect_features import CachedTokenEmbedder  # noqa: E402
from benchmarks._common import write_result  # noqa: E402
from benchmarks.train_aspects import RESEARCH, SHIPPED, f1  # noqa: E402
from vocmine.aspects import CategoryMapper, SentenceCategoryAspects, TermAspectExtractor, load_term_model  # noqa: E402
from vocmine.aspects._extractor import SENTENCE_WEIGHT  # noqa: E402
from vocmine.resources import OTHER  # noqa: E402

LABELS = ("negative", "neutral", "positive")
logger = logging.getLogger("aspects_benchmark")

#: SentiRuEval-2015 restaurant categories -> vocmine category.
MAP_SENTIRUEVAL: dict[str, str | None] = {
    "Food": "FOOD", "Service": "STAFF", "Interior": "AMBIENCE", "Price": "PRICE", "Whole": None,
}
#: Predicted ids folded into the dataset's coarser classes before scoring.
FOLD_RESTAURANTS = {"WAITING_TIME": "STAFF", "SUPPORT": "STAFF"}
FOLD_SENTIRUEVAL = {**FOLD_RESTAURANTS, "DRINKS": "FOOD", "CLEANLINESS": "AMBIENCE"}


def map_zh(category: str, domain: str) -> str | None:
    """SemEval-2016 phones/cameras ENTITY#ATTRIBUTE -> vocmine category (rules, see module doc).

    In the cameras domain the entity CAMERA is the device itself, so its performance and
    quality map to PERFORMANCE / PRODUCT_QUALITY; in the phones domain CAMERA is the camera.
    """
    entity, attribute = category.split("#")
    device = {"PHONE", "HARDWARE"} | ({"CAMERA"} if domain == "cameras" else set())
    if attribute in ("PRICE", "PRICES"):
        return "PRICE"
    if entity == "DISPLAY":
        return "SCREEN"
    if entity in ("BATTERY", "POWER_SUPPLY"):
        return "BATTERY"
    if entity in ("PHOTO", "LENS", "FOCUS") or (entity == "CAMERA" and domain == "phones"):
        return "CAMERA"
    if entity in ("SOFTWARE", "OS"):
        return "SOFTWARE"
    if entity in ("CPU", "MEMORY") or (entity in device and attribute == "OPERATION_PERFORMANCE"):
        return "PERFORMANCE"
    if entity in device and attribute == "QUALITY":
        return "PRODUCT_QUALITY"
    if entity == "PHONE" and attribute == "CONNECTIVITY":
        return "NETWORK_COVERAGE"
    if entity in ("SUPPORT", "WARRANTY"):
        return "SUPPORT"
    if entity == "SHIPPING":
        return "DELIVERY"
    return None


def zh_domain(u: Unit) -> str:
    return u.domain


# ---------------------------------------------------------------------------------------- metrics
def ate(ext: TermAspectExtractor, units: list[Unit]) -> tuple[dict[str, float], list[list[Any]]]:
    found = ext.extract([u.text for u in units], langs=[u.lang for u in units])
    tp = n_pred = n_gold = 0
    for u, ms in zip(units, found):
        pred = {(m.start, m.end) for m in ms}
        gold = {(s, e) for s, e, _ in (u.terms or [])}
        tp, n_pred, n_gold = tp + len(pred & gold), n_pred + len(pred), n_gold + len(gold)
    return {**f1(tp, n_pred, n_gold), "n_gold": n_gold, "n_pred": n_pred}, found


def polarity_on_gold(ext: TermAspectExtractor, units: list[Unit]) -> dict[str, Any]:
    units = [u for u in units if any(p in LABELS for *_, p in (u.terms or []))]
    spans = [[(s, e) for s, e, p in u.terms if p in LABELS] for u in units]  # type: ignore[union-attr]
    gold = [p for u in units for *_, p in u.terms if p in LABELS]  # type: ignore[union-attr]
    pred = [lab for out in ext.classify([u.text for u in units], spans, langs=[u.lang for u in units])
            for lab, _ in out]
    return polarity_scores(gold, pred)


def polarity_scores(gold: list[str], pred: list[str]) -> dict[str, Any]:
    from sklearn.metrics import f1_score

    counts = Counter(gold)
    return {"accuracy": float(np.mean([g == p for g, p in zip(gold, pred)])),
            "macro_f1": float(f1_score(gold, pred, labels=sorted(counts), average="macro", zero_division=0)),
            "n": len(gold), "majority_baseline": max(counts.values()) / len(gold), "gold_counts": dict(counts)}


def category_detection(found: list[list[Any]], units: list[Unit], mapping: Any, fold: dict[str, str]) -> dict[str, Any]:
    """Sentence-level micro P/R/F1 of category sets (gold mapped; predictions folded and scoped)."""
    gold_sets = [{c for c in (mapping(cat, u) for cat, _ in u.cats) if c} for u in units]
    scope = set().union(*gold_sets) if gold_sets else set()
    tp = n_pred = n_gold = 0
    for gs, ms in zip(gold_sets, found):
        pred = {fold.get(m.category, m.category) for m in ms} & scope
        tp, n_pred, n_gold = tp + len(pred & gs), n_pred + len(pred), n_gold + len(gs)
    return {**f1(tp, n_pred, n_gold), "n_gold": n_gold, "scope": sorted(scope), "n_sentences": len(units)}


def baseline_found(base: SentenceCategoryAspects, units: list[Unit]) -> list[list[Any]]:
    return base.extract([u.text for u in units], langs=[u.lang for u in units])


# ---------------------------------------------------------------------------------------- runs
_SENTIMENT: Any = None


def sentence_sentiment() -> Any:
    """The default sentence sentiment model, as the pipeline gives it to the extractor (one per run)."""
    global _SENTIMENT
    if _SENTIMENT is None:
        from benchmarks.train_sentiment import make_embedder
        from vocmine.sentiment import TunedSentiment

        _SENTIMENT = TunedSentiment(embedder=make_embedder("e5"))
    return _SENTIMENT


def evaluate(name: str, path: Path, emb: CachedTokenEmbedder, mapper: CategoryMapper,
             sentence_weight: float = SENTENCE_WEIGHT) -> dict[str, Any]:
    ext = TermAspectExtractor(embedder=emb, model_path=path, category_mapper=mapper,
                              sentiment=sentence_sentiment() if sentence_weight else None,
                              sentence_weight=sentence_weight)
    tests = test_units()
    res: dict[str, Any] = {"model_file": str(path.relative_to(path.parents[2]) if name == "open" else path),
                           "token_layer": load_term_model(path).meta.get("layer", 12)}
    for key in ("en_se14_restaurants", "en_se14_laptops"):
        t0 = time.time()
        scores, _ = ate(ext, tests[key])
        res[key] = {"ate": scores, "polarity": polarity_on_gold(ext, tests[key]),
                    "ate_joined_4_10_sentences": ate(ext, joined_units(tests[key]))[0]}
        logger.info("%s %s: %s (%.0f s)", name, key, _brief(res[key]), time.time() - t0)
    se16 = tests["ru_se16_restaurants"]
    scores, found = ate(ext, se16)
    res["ru_se16_restaurants"] = {
        "category_detection": category_detection(found, se16, lambda c, u: MAP_SE16_RESTAURANTS.get(c), FOLD_RESTAURANTS),
        "polarity": polarity_on_gold(ext, se16), "ate_opinion_targets": scores}
    sre = tests["ru_sentirueval2015"]
    scores, found = ate(ext, sre)
    res["ru_sentirueval2015"] = {
        "category_detection": category_detection(found, sre, lambda c, u: MAP_SENTIRUEVAL.get(c), FOLD_SENTIRUEVAL),
        "polarity": polarity_on_gold(ext, sre), "ate_explicit_terms": scores}
    for key in ("ru_se16_restaurants", "ru_sentirueval2015"):
        logger.info("%s %s: %s", name, key, _brief(res[key]))
    zh = tests["zh_se16_phones_cameras"]
    found = ext.extract([u.text for u in zh], langs=[u.lang for u in zh])
    with_ops = [u for u in zh if any(p in LABELS for _, p in u.cats)]
    whole = ext.classify([u.text for u in with_ops], [[(0, len(u.text))] for u in with_ops],
                         langs=[u.lang for u in with_ops])
    gold = [p for u in with_ops for _, p in u.cats if p in LABELS]
    pred = [out[0][0] for u, out in zip(with_ops, whole) for _, p in u.cats if p in LABELS]
    res["zh_se16_phones_cameras"] = {
        "category_detection": category_detection(found, zh, lambda c, u: map_zh(c, zh_domain(u)), {}),
        "polarity_sentence": polarity_scores(gold, pred),
        "mentions_per_sentence": float(np.mean([len(f) for f in found]))}
    logger.info("%s zh: %s", name, _brief(res["zh_se16_phones_cameras"]))
    pl = tests["pl_gold"]
    scores, found = ate(ext, pl)
    gold_terms = [(u, s, e, c) for u in pl for (s, e, _), (c, _) in zip(u.terms or [], u.cats)]
    mapped = mapper.map([u.text[s:e] for u, s, e, _ in gold_terms], langs=["pl"] * len(gold_terms),
                        contexts=[u.text for u, *_ in gold_terms])
    matched = [(m.category, c) for u, ms in zip(pl, found) for m in ms
               for s, e, c in [(s, e, c) for (s, e, _), (c, _) in zip(u.terms or [], u.cats)] if (m.start, m.end) == (s, e)]
    res["pl_gold"] = {
        "ate": scores, "polarity": polarity_on_gold(ext, pl),
        "category_accuracy_gold_terms": float(np.mean([p == g for (p, _), (*_, g) in zip(mapped, gold_terms)])),
        "category_accuracy_extracted_terms": float(np.mean([p == g for p, g in matched])) if matched else 0.0,
        "n_category_gold_terms": len(gold_terms), "n_category_extracted_terms": len(matched),
        "category_other_share_gold_terms": float(np.mean([g == OTHER for *_, g in gold_terms]))}
    logger.info("%s pl: %s", name, _brief(res["pl_gold"]))
    return res


def joined_units(units: list[Unit], *, seed: int = 7) -> list[Unit]:
    """Test sentences joined 4-10 at a time (seeded, in order) into long texts, spans shifted: the same
    gold as the sentence-level figure, read as unsplit run-on text (what ``extract`` gets when sentence
    splitting fails, e.g. chats and comma-only reviews)."""
    rng = np.random.default_rng(seed)
    out, k = [], 0
    while k < len(units):
        group = units[k : k + int(rng.integers(4, 11))]
        k += len(group)
        text, terms = "", []
        for u in group:
            base = len(text) + (1 if text else 0)
            text = f"{text} {u.text}" if text else u.text
            terms += [(base + a, base + b, pol) for a, b, pol in (u.terms or [])]
        out.append(Unit(f"joined:{len(out)}", text, group[0].lang, group[0].source, "test", terms))
    return out


def baseline(emb: CachedTokenEmbedder) -> dict[str, Any]:
    """Category detection of the sentence-level baseline on the same sentences (context only)."""
    base = SentenceCategoryAspects(embedder=emb)
    tests = test_units()
    out = {}
    for key, mapping, fold in (
        ("ru_se16_restaurants", lambda c, u: MAP_SE16_RESTAURANTS.get(c), FOLD_RESTAURANTS),
        ("ru_sentirueval2015", lambda c, u: MAP_SENTIRUEVAL.get(c), FOLD_SENTIRUEVAL),
        ("zh_se16_phones_cameras", lambda c, u: map_zh(c, zh_domain(u)), {}),
    ):
        out[key] = category_detection(baseline_found(base, tests[key]), tests[key], mapping, fold)
    return out


def speed(model_file: Path, n: int = 400, repeats: int = 5, sentence_weight: float = SENTENCE_WEIGHT) -> dict[str, Any]:
    """Sentences/s of ``extract`` with a fresh encoder on 2 threads, EN restaurant test sentences (median of
    ``repeats`` passes for extraction + polarity, whose encoder has no text cache; one pass with categories).
    With a sentence weight the default sentiment model runs too (tapping the extractor's pass, as in the
    pipeline); its vectors are memoised, so repeated passes time the extractor's own work plus lookups."""
    import torch

    from vocmine.embed import E5Embedder

    texts = [u.text for u in test_units()["en_se14_restaurants"]][:n]
    out: dict[str, Any] = {"n_sentences": len(texts), "mean_chars": float(np.mean([len(t) for t in texts])),
                           "torch_threads": 2}
    torch.set_num_threads(2)
    from vocmine.sentiment import TunedSentiment

    for label, with_cats in (("extract_polarity", False), ("extract_polarity_categories", True)):
        emb = E5Embedder(device="cpu", num_threads=2)
        senti = TunedSentiment(embedder=emb) if sentence_weight else None  # taps the extractor's pass
        ext = TermAspectExtractor(embedder=emb, model_path=model_file, sentiment=senti,
                                  sentence_weight=sentence_weight)
        if not with_cats:
            from benchmarks.train_aspects import NoCategories

            ext = TermAspectExtractor(embedder=emb, model_path=model_file, category_mapper=NoCategories(),  # type: ignore[arg-type]
                                      lemmatizer=lambda t, lang: t, sentiment=senti, sentence_weight=sentence_weight)
        ext.extract(texts[:16], langs=["en"] * 16)  # load the model, prototypes and lemma tables
        walls, cpus = [], []
        # a 2-second run on a shared box is noisy: report the median of several passes. With categories
        # one pass only: the mapper's CachedEmbedder would serve repeated terms and contexts from memory.
        for _ in range(1 if with_cats else repeats):
            w0, c0 = time.time(), time.process_time()
            ext.extract(texts, langs=["en"] * len(texts))
            walls.append(time.time() - w0)
            cpus.append(time.process_time() - c0)
        out[label] = {"sentences_per_s_wall": len(texts) / float(np.median(walls)),
                      "sentences_per_s_cpu_time_2_cores": 2 * len(texts) / float(np.median(cpus)),
                      "runs_sentences_per_s_wall": [round(len(texts) / w, 1) for w in walls]}
        logger.info("speed %s: %s", label, out[label])
    return out


def _brief(d: dict[str, Any]) -> str:
    parts = []
    for k, v in d.items():
        if isinstance(v, dict):
            for m in ("f1", "accuracy"):
                if m in v:
                    parts.append(f"{k}.{m}={v[m]:.3f}")
        elif isinstance(v, float):
            parts.append(f"{k}={v:.3f}")
    return " ".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="open,research")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--open-path", type=Path, default=None,
                    help="evaluate this model file as 'open' instead of the shipped one (a candidate)")
    ap.add_argument("--name", default="aspects", help="result file name under benchmarks/results/")
    ap.add_argument("--sentence-weight", type=float, default=SENTENCE_WEIGHT,
                    help="weight of the sentence sentiment in mention polarity (0: mention network alone)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    emb = CachedTokenEmbedder(layer=12)
    mapper = CategoryMapper(embedder=emb)
    paths = {"open": args.open_path or SHIPPED / "multilingual-e5-small.npz",
             "research": RESEARCH / "multilingual-e5-small.npz"}
    payload: dict[str, Any] = {
        "config": {"encoder": emb.name, "token_layer": "per model: models.<name>.token_layer (meta of the model file)",
                   "category_mapper": {"threshold": mapper.threshold},
                   "category_context": True,
                   "sentence_weight": args.sentence_weight,
                   "sentence_sentiment": "vocmine.sentiment.e5_tuned.v1 (log-linear mix with the mention network; "
                                         "weight chosen by benchmarks/aspects_sentence_weight.py)",
                   "maps": {"se16_restaurants": MAP_SE16_RESTAURANTS, "sentirueval": MAP_SENTIRUEVAL,
                            "fold_restaurants": FOLD_RESTAURANTS, "fold_sentirueval": FOLD_SENTIRUEVAL,
                            "zh": "benchmarks/aspects.py:map_zh"},
                   "splits": "official test splits; SentiRuEval test reviews split with vocmine.preprocess."
                             "split_sentences(lang='ru', max_len=400); PL: all 241 gold sentences"},
        "targets": {"en_se14_restaurants.ate.f1": 0.80, "en_se14_restaurants.polarity.accuracy": 0.85,
                    "ru.polarity.accuracy": 0.82, "zh.polarity.accuracy": 0.82, "speed_sentences_per_s": 200},
        "models": {},
    }
    for name in args.models.split(","):
        if not paths[name].is_file():
            logger.warning("no %s model at %s; train it with benchmarks/train_aspects.py --data %s", name, paths[name], name)
            continue
        payload["models"][name] = evaluate(name, paths[name], emb, mapper, args.sentence_weight)
    payload["baseline_sentence_categories"] = baseline(emb)
    if not args.no_speed:
        payload["speed"] = speed(paths["open"], sentence_weight=0.0)  # the extractor alone
        if args.sentence_weight:
            # as the pipeline runs it: the sentence sentiment (which its sentiment stage computes anyway)
            # taps the extractor's encoder pass and is mixed into mention polarity
            payload["speed_with_sentence_sentiment"] = speed(paths["open"], sentence_weight=args.sentence_weight)
    payload["config"]["open_model"] = str(paths["open"])
    path = write_result(args.name, payload)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
