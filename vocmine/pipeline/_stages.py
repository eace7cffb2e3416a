"""The stage bodies of the pipeline: the only code that reads and writes columns.

``run_stages`` turns a validated frame into the documents, sentences, mentions and
topics tables (and drivers unless scoring); ``rank_drivers`` ranks drivers from a
documents and a mentions table; batch scoring builds a ``driver_design`` per scored part
and ranks once over all of them.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pandas as pd

from vocmine import schema
from vocmine import types as t
from vocmine._driver_input import DriverDesign, audit_sets, build_design, pick_evidence, quote_context
from vocmine.errors import NotFittedError, VocmineError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from vocmine.pipeline._pipeline import Pipeline

__all__ = ["driver_design", "driver_table", "run_stages", "rank_drivers"]

_MIN_SENTENCE_LANG_CHARS = 20


def run_stages(
    pipe: Pipeline, clean: pd.DataFrame, progress: Callable[[str], None], *, score: bool = False,
    audit: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    from vocmine.preprocess import mask_pii, normalize, split_sentences
    from vocmine.sentiment._aggregate import aggregate_sentences

    cfg = pipe.config
    n = len(clean)
    texts = clean[schema.TEXT].tolist()

    def prepare(text: str) -> str:
        out = normalize(text)
        return mask_pii(out) if cfg.mask_pii else out

    progress("lang")
    norm = [prepare(x) for x in texts]
    doc_lang = _expect(pipe.component("lang").detect(norm), n, "lang")
    langs = [g.lang for g in doc_lang]

    progress("segment")
    sent_doc: list[int] = []
    spans: list[t.Span] = []
    for i, (text, lang) in enumerate(zip(texts, langs)):
        found = split_sentences(text, lang=None if lang == "und" else lang) or [_whole(text)]
        spans.extend(found)
        sent_doc.extend([i] * len(found))
    first = {d: k for k, d in reversed(list(enumerate(sent_doc)))}
    sent_idx = [k - first[d] for k, d in enumerate(sent_doc)]
    sent_text = [sp.slice(texts[d]) for sp, d in zip(spans, sent_doc)]
    sent_norm = [prepare(x) for x in sent_text]
    # A sentence is detected on its own only when that can change its language: a short one falls
    # back to its document's language, and a document's only sentence IS the document.
    n_sent = Counter(sent_doc)
    own_detection = [
        k
        for k, (x, d) in enumerate(zip(sent_norm, sent_doc))
        if len(x) >= _MIN_SENTENCE_LANG_CHARS and not (n_sent[d] == 1 and x == norm[d])
    ]
    sent_guess = [doc_lang[d] for d in sent_doc]
    detected = pipe.component("lang").detect([sent_norm[k] for k in own_detection])
    found_lang = _expect(detected, len(own_detection), "lang")
    for k, guess in zip(own_detection, found_lang):
        sent_guess[k] = guess
    sent_lang = [
        g.lang if g.lang != "und" and len(x) >= _MIN_SENTENCE_LANG_CHARS else langs[d]
        for g, x, d in zip(sent_guess, sent_norm, sent_doc)
    ]
    sent_lang_score = [
        g.score if g.lang == lang else doc_lang[d].score for g, lang, d in zip(sent_guess, sent_lang, sent_doc)
    ]

    progress("aspects")
    found_mentions = _expect(pipe.component("aspects").extract(sent_text, langs=sent_lang), len(spans), "aspects")
    mention_rows: list[dict[str, Any]] = []
    for s_idx, mentions in enumerate(found_mentions):
        d, sp = sent_doc[s_idx], spans[s_idx]
        for m in mentions:
            if not 0 <= m.start < m.end <= sp.end - sp.start:
                raise VocmineError(f"[E013] Aspect mention offsets {m.start}:{m.end} fall outside the sentence.")
            mention_rows.append({
                "doc": d, schema.SENTENCE_IDX: sent_idx[s_idx], "aspect": m.aspect,
                "lemma": m.lemma, "category": m.category, "category_score": float(m.category_score),
                schema.START: sp.start + m.start, schema.END: sp.start + m.end, "polarity": m.polarity,
                "score": float(m.score), "opinion": m.opinion, schema.LANG: sent_lang[s_idx],
            })

    progress("sentiment")
    # The models read the original sentence (the aspect offsets point into it), so the sentence vector
    # of the aspect tagger's forward pass serves sentiment too; masked text when PII masking is on.
    senti = pipe.component("sentiment").predict(sent_norm if cfg.mask_pii else sent_text, langs=sent_lang)
    _expect(senti.labels, len(spans), "sentiment")
    doc_labels, doc_scores, _doc_probs, mixed = aggregate_sentences(
        senti.probs, [len(x) for x in sent_text], sent_doc, n
    )

    progress("topics")
    embedder = pipe.component("embedder")
    # a one-sentence document is embedded already (its sentence); masked text when PII masking is on
    doc_model = norm if cfg.mask_pii else [x.strip() for x in texts]
    emb = embedder.embed(doc_model, batch_size=cfg.batch_size) if embedder.dim > 0 and n else None
    topic_model = pipe.component("topics")
    if score:
        if not isinstance(topic_model, t.TopicTransformer):
            raise NotFittedError(f"[E009] Topic component {type(topic_model).__name__} cannot assign new documents.")
        topic_out = topic_model.transform(norm, langs=langs, embeddings=emb)
    else:
        topic_out = topic_model.fit_transform(norm, langs=langs, embeddings=emb)
    topic_ids = np.asarray(topic_out.topic_ids, dtype=np.int64)
    _expect(topic_ids, n, "topics")

    progress("touchpoints")
    doc_cats: list[list[str]] = [[] for _ in range(n)]
    for row in mention_rows:
        doc_cats[row["doc"]].append(row["category"])
    given = [v if isinstance(v, str) else None for v in clean.get(schema.TOUCHPOINT, [None] * n)]
    todo = [i for i in range(n) if given[i] is None]
    tp = list(given)
    tp_score = [1.0 if g is not None else 0.0 for g in given]
    tp_source = ["given" if g is not None else "inferred" for g in given]
    if todo:
        linked = _expect(pipe.component("touchpoints").link(
            [norm[i] for i in todo], langs=[langs[i] for i in todo], categories=[doc_cats[i] for i in todo],
            embeddings=None if emb is None else emb[todo],
        ), len(todo), "touchpoints")
        for i, g in zip(todo, linked):
            tp[i], tp_score[i] = g.touchpoint, float(g.score)
            tp_source[i] = "unassigned" if g.touchpoint == "unassigned" else "inferred"

    documents = pd.DataFrame({
        schema.FEEDBACK_ID: clean[schema.FEEDBACK_ID], schema.TEXT: texts,
        schema.RATING: clean[schema.RATING] if schema.RATING in clean else np.nan,
        schema.TOUCHPOINT: tp,
        schema.CREATED_AT: clean[schema.CREATED_AT] if schema.CREATED_AT in clean else pd.NaT,
        schema.LANG: langs, schema.LANG_SCORE: [float(g.score) for g in doc_lang], schema.TEXT_CLEAN: norm,
        schema.N_SENTENCES: np.bincount(np.asarray(sent_doc, dtype=np.int64), minlength=n) if n else [],
        schema.SENTIMENT: doc_labels, schema.SENTIMENT_SCORE: doc_scores, schema.MIXED: mixed,
        schema.TOPIC_ID: topic_ids, schema.TOUCHPOINT_SCORE: tp_score, schema.TOUCHPOINT_SOURCE: tp_source,
    })
    fids = documents[schema.FEEDBACK_ID].tolist()
    sentences = pd.DataFrame({
        schema.FEEDBACK_ID: [fids[d] for d in sent_doc], schema.SENTENCE_IDX: sent_idx,
        schema.START: [sp.start for sp in spans], schema.END: [sp.end for sp in spans],
        schema.TEXT: sent_text, schema.LANG: sent_lang, schema.LANG_SCORE: sent_lang_score,
        schema.SENTIMENT: list(senti.labels), schema.SENTIMENT_SCORE: np.asarray(senti.scores, dtype=float),
    }, columns=list(schema.SENTENCE_COLUMNS))
    mentions = pd.DataFrame(
        [{schema.FEEDBACK_ID: fids[r["doc"]], **{k: v for k, v in r.items() if k != "doc"},
          schema.TOUCHPOINT: tp[r["doc"]]} for r in mention_rows],
        columns=list(schema.MENTION_COLUMNS),
    )
    topics = pd.DataFrame(
        [{schema.TOPIC_ID: ti.topic_id, "size": ti.size, "label": ti.label, "labels": dict(ti.labels),
          "words": {k: list(v) for k, v in ti.words.items()}, "key": ti.key} for ti in topic_out.topics],
        columns=list(schema.TOPIC_COLUMNS),
    )

    progress("drivers")
    if score:
        drivers = pd.DataFrame(columns=list(schema.DRIVER_COLUMNS))
    else:
        drivers = rank_drivers(pipe, documents, mentions, embeddings=emb, audit=audit)
    return {"documents": documents, "sentences": sentences, "mentions": mentions,
            "topics": topics, "drivers": drivers}


def driver_design(
    pipe: Pipeline,
    documents: pd.DataFrame,
    mentions: pd.DataFrame,
    *,
    audit: pd.DataFrame | None = None,
    mention_rows: np.ndarray | None = None,
    outcome: str = "auto",
    rating_scale: str | None = None,
    columns: Sequence[str] | None = None,
    dated: bool | None = None,
) -> DriverDesign | None:
    """The driver design of a documents and a mentions table (``None``: no document has an outcome).

    Batch scoring builds one per scored part with what the whole file decides fixed:
    ``outcome``, ``rating_scale``, ``columns`` (see ``build_design``) and ``dated`` (whether
    any document has a ``created_at``; ``None``: decided from ``documents``).
    """
    cfg = pipe.config
    n = len(documents)
    if not n:
        return None
    doc_ids = documents[schema.FEEDBACK_ID].reset_index(drop=True)
    periods = None
    if schema.CREATED_AT in documents and (documents[schema.CREATED_AT].notna().any() if dated is None else dated):
        from vocmine.drivers import period_labels

        periods = period_labels(documents[schema.CREATED_AT], cfg.period)
    ratings = documents[schema.RATING].to_numpy(dtype=float) if schema.RATING in documents else None
    return build_design(
        ratings=ratings,
        sentiment_scores=documents[schema.SENTIMENT_SCORE].to_numpy(dtype=float),
        mention_docs=(_doc_index(doc_ids, mentions[schema.FEEDBACK_ID]) if mention_rows is None
                      else _checked_rows(mention_rows, len(mentions), n)),
        mention_categories=mentions["category"].reset_index(drop=True),
        mention_scores=mentions["score"].to_numpy(dtype=float),
        mention_spans=np.column_stack([mentions[schema.START].to_numpy(dtype=np.int64),
                                       mentions[schema.END].to_numpy(dtype=np.int64)]),
        topic_ids=documents[schema.TOPIC_ID].to_numpy(dtype=np.int64),
        touchpoints=documents[schema.TOUCHPOINT].reset_index(drop=True),
        periods=periods,
        rating_scale=rating_scale or cfg.rating_scale,
        audit=None if audit is None else audit_sets(audit, doc_ids.astype(str).tolist(), _category_ids(cfg)),
        outcome=outcome,
        columns=columns,
    )


def rank_drivers(
    pipe: Pipeline,
    documents: pd.DataFrame,
    mentions: pd.DataFrame,
    *,
    embeddings: np.ndarray | None = None,
    fetch_texts: Callable[[list[str]], dict[str, str]] | None = None,
    audit: pd.DataFrame | None = None,
    mention_rows: np.ndarray | None = None,
) -> pd.DataFrame:
    """Rank drivers from a documents and a mentions table (as ``run`` produces them).

    When ``documents`` has no ``text`` column, ``fetch_texts(feedback_ids)`` supplies the
    texts of the evidence documents only. ``audit`` (``feedback_id``, ``category``: the true
    categories of documents a person checked) calibrates the category impacts for extraction
    errors. ``mention_rows`` (the row of each mention's document in ``documents``) spares the
    mentions table its ``feedback_id`` column; without it the ids are matched. (Batch scoring
    ranks part by part instead: ``vocmine.batch``.)
    """
    cfg = pipe.config
    design = driver_design(pipe, documents, mentions, audit=audit, mention_rows=mention_rows)
    if design is None:
        return pd.DataFrame(columns=list(schema.DRIVER_COLUMNS))
    records = pipe.component("drivers").rank(design.data)
    langs = documents[schema.LANG].to_numpy(dtype=object)
    scores = documents[schema.SENTIMENT_SCORE].to_numpy(dtype=float)
    picks = [pick_evidence(r, design, langs=langs, doc_scores=scores, embeddings=embeddings, seed=cfg.seed)
             for r in records]
    wanted = sorted({d for p in picks for d, _, _ in p})
    doc_ids = documents[schema.FEEDBACK_ID]
    ids = {d: str(doc_ids.iat[d]) for d in wanted}
    if schema.TEXT in documents:
        texts = documents[schema.TEXT]
        text_of = {ids[d]: texts.iat[d] for d in wanted}
    else:
        text_of = fetch_texts(list(ids.values())) if fetch_texts is not None else {}
    return driver_table(records, picks, ids=ids, langs={d: str(langs[d]) for d in wanted}, texts=text_of)


def driver_table(records: Sequence[t.DriverRecord], picks: Sequence[list[tuple[int, int, int]]], *,
                 ids: dict[int, str], langs: dict[int, str], texts: dict[str, str]) -> pd.DataFrame:
    """The ``drivers`` table: ranked records with their evidence quotes.

    ``picks[i]`` holds ``(document, start, end)`` per quote of record i (``end = -1``: the
    whole text); ``ids``, ``langs`` map those documents to their feedback id and language,
    ``texts`` a feedback id to its text.
    """
    rows = []
    for r, p in zip(records, picks):
        evidence = []
        for d, a, b in p:
            text = texts.get(ids[d], "")
            end = len(text) if b < 0 else b
            at, context = quote_context(text, a, end, lang=langs[d])
            evidence.append({"feedback_id": ids[d], "start": a, "end": end, "quote": text[a:end],
                             "context": context, "context_start": at})
        plain = {c: getattr(r, c) for c in schema.DRIVER_COLUMNS if c not in ("evidence", "calibration")}
        rows.append({**plain, "evidence": evidence, "calibration": str(r.extra.get("calibration", ""))})
    return pd.DataFrame(rows, columns=list(schema.DRIVER_COLUMNS))


def _doc_index(doc_ids: pd.Series, mention_ids: pd.Series) -> np.ndarray:
    """Row of each mention's document in the documents table (every mention has one)."""
    at = pd.Index(doc_ids.astype(str)).get_indexer(mention_ids.astype(str))
    if (at < 0).any():
        missing = mention_ids[at < 0].astype(str).unique()[:5].tolist()
        raise VocmineError(f"[E013] Mentions of unknown documents {missing}: the mentions and documents tables do not match.")
    return at


def _checked_rows(rows: np.ndarray, n_mentions: int, n_docs: int) -> np.ndarray:
    at = np.asarray(rows, dtype=np.int64).reshape(-1)
    if at.size != n_mentions or (at.size and (at.min() < 0 or at.max() >= n_docs)):
        raise VocmineError(f"[E013] mention_rows must give a document row in [0, {n_docs}) for each of the "
                           f"{n_mentions} mentions; got {at.size} values. The mentions and documents tables do not match.")
    return at


def _category_ids(cfg: Any) -> list[str]:
    from vocmine.resources import load_taxonomy
    from vocmine.resources._taxonomy import taxonomy_specs

    return list(load_taxonomy(taxonomy_specs(cfg.to_dict())["categories"], kind="categories").ids)


def _whole(text: str) -> t.Span:
    stripped = text.strip()
    start = text.find(stripped)
    return t.Span(start, start + len(stripped))


def _expect(out: Any, n: int, stage: str) -> Any:
    if len(out) != n:
        raise VocmineError(f"[E013] Stage {stage!r} returned {len(out)} outputs for {n} inputs; expected one each.")
    return out
