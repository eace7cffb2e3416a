"""Driver design: turn per-document stage outputs into the ranker's input arrays.

Drivers are (a) aspect categories (document mentions the category), (b) category x
touchpoint pairs (``"DELIVERY@delivery"``) and (c) topics (``"topic:<id>"``).
Documents without an outcome are left out of the design (they still appear in
``documents``); the outcome is the rating column when given, else document sentiment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse

from vocmine.resources._taxonomy import OTHER
from vocmine.types import DriverInput, DriverRecord

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["Candidates", "DriverDesign", "SpanTable", "audit_sets", "build_design", "evidence_candidates",
           "merge_candidates", "pick_evidence", "pick_from_candidates"]

UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class SpanTable:
    """The strongest (most negative) mention of each (driver column, document) pair, as sorted arrays.

    Arrays, not a dict of tuples: at a million documents a dict costs about a gigabyte.

    Attributes:
        keys: ``column * n_documents + document index``, sorted ascending.
        starts, ends: character span of the mention in the document's original text.
        scores: that mention's polarity score.
        n_documents: the documents table's length (the key's radix).
    """

    keys: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    scores: np.ndarray
    n_documents: int

    def lookup(self, column: int | np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For ``docs`` (document indices): a found mask and the row of each found one in the arrays."""
        want = column * self.n_documents + np.asarray(docs, dtype=np.int64)
        at = np.searchsorted(self.keys, want)
        at = np.minimum(at, max(self.keys.size - 1, 0))
        found = (self.keys[at] == want) if self.keys.size else np.zeros(want.size, dtype=bool)
        return found, at


@dataclass(frozen=True)
class DriverDesign:
    """The ranker input plus the document rows it covers.

    Attributes:
        data: the ``DriverInput`` handed to the ranker.
        rows: document index (into the documents table) of each design row.
        spans: per (driver column, document), the span and score of its strongest
            mention (used to highlight evidence; topic drivers have none).
    """

    data: DriverInput
    rows: np.ndarray
    spans: SpanTable


def _detect_scale(values: np.ndarray) -> str:
    """Guess the rating scale from its range: 1-5 stars, else 0-10 NPS."""
    from vocmine.errors import ConfigError

    known = values[~np.isnan(values)]
    if known.size and known.min() >= 1 and known.max() <= 5:
        return "stars5"
    if known.size and known.min() >= 0 and known.max() <= 10:
        return "nps10"
    raise ConfigError(
        f"[E004] Ratings range from {known.min():g} to {known.max():g}, which fits no known scale "
        "(stars 1-5, NPS 0-10). Rescale them or set rating_scale ('stars5', 'nps10', 'csat', 'ces') in the config."
    )


def _codes(values: Any, drop: tuple[str, ...]) -> tuple[np.ndarray, list[str]]:
    """Integer codes of string labels (-1 for missing, empty or ``drop``) and the label of each code."""
    import pandas as pd

    series = values if isinstance(values, pd.Series) else pd.Series(list(values) if not isinstance(values, np.ndarray) else values)
    codes, labels = pd.factorize(series, use_na_sentinel=True)
    names = [str(x) for x in labels]
    bad = np.array([not x or x in drop for x in names] + [True], dtype=bool)  # last: the -1 sentinel
    codes = np.asarray(codes, dtype=np.int64)
    return np.where(bad[codes], -1, codes), names


def build_design(
    *,
    ratings: np.ndarray | None,
    sentiment_scores: np.ndarray,
    mention_docs: Sequence[int] | np.ndarray,
    mention_categories: Sequence[str] | np.ndarray,
    mention_scores: Sequence[float] | np.ndarray,
    mention_spans: Sequence[tuple[int, int]] | np.ndarray,
    topic_ids: np.ndarray,
    touchpoints: Sequence[str | None] | np.ndarray,
    periods: Sequence[str] | None,
    rating_scale: str = "auto",
    audit: dict[int, set[str]] | None = None,
    outcome: str = "auto",
    columns: Sequence[str] | None = None,
) -> DriverDesign | None:
    """Build the driver design; ``None`` when no document has an outcome.

    Vectorised (no Python object per mention), so a million documents fit in memory.
    ``mention_spans`` is ``(m, 2)`` start/end offsets. ``audit`` maps a document index to
    its true categories (see :func:`audit_sets`); it becomes ``DriverInput.audit`` over the
    category columns (pairs and topics stay NaN).

    Batch scoring builds one design per scored part and merges them, so it fixes what a
    whole-file view decides: ``outcome`` (``"rating"`` or ``"sentiment"``; ``"auto"``: the
    ratings when any is finite), a resolved ``rating_scale``, and ``columns`` (the driver
    names of the whole file, sorted; they must include every driver of this part).

    Examples:
        >>> import numpy as np
        >>> d = build_design(ratings=np.array([1.0, 5.0]), sentiment_scores=np.zeros(2),
        ...     mention_docs=[0], mention_categories=["DELIVERY"], mention_scores=[-0.9],
        ...     mention_spans=[(0, 4)], topic_ids=np.array([-1, -1]),
        ...     touchpoints=["delivery", None], periods=None)
        >>> list(d.data.names), d.data.indicators[:, 0].tolist()
        (['DELIVERY', 'DELIVERY@delivery'], [1, 0])
    """
    from vocmine.drivers import to_outcome

    n = len(topic_ids)
    if outcome == "auto":
        rated = rated_rows(ratings)
    else:
        rated = np.flatnonzero(np.isfinite(ratings)) if outcome == "rating" and ratings is not None else None
    if rated is not None and ratings is not None:
        scale = _detect_scale(ratings) if rating_scale == "auto" else rating_scale
        rows = rated
        values, outcome_name = to_outcome(ratings[rows], scale)
    else:
        rows = np.arange(n)
        values, outcome_name = to_outcome(np.asarray(sentiment_scores, dtype=float), "sentiment")
    if rows.size == 0:
        return None
    pos = np.full(n, -1, dtype=np.int64)
    pos[rows] = np.arange(rows.size)

    docs = np.asarray(mention_docs, dtype=np.int64).reshape(-1)
    # OTHER is the taxonomy's catch-all (terms that fit no category): not a driver to act on;
    # its mentions stay in the mentions table and in the proposed-categories clustering.
    cat, cat_names = _codes(mention_categories, drop=(OTHER,))
    tp_doc, tp_names = _codes(touchpoints, drop=(UNASSIGNED,))
    scores = np.asarray(mention_scores, dtype=float).reshape(-1)
    spans = np.asarray(mention_spans, dtype=np.int64).reshape(-1, 2)
    keep = (cat >= 0) & (pos[docs] >= 0) if docs.size else np.zeros(0, dtype=bool)
    docs, cat, scores, spans = docs[keep], cat[keep], scores[keep], spans[keep]
    tp = tp_doc[docs]
    paired = tp >= 0
    # driver name of every entry: its category, plus a category@touchpoint entry where the document has one
    pair_code = cat[paired] * (len(tp_names) + 1) + tp[paired]
    pair_uniq, pair_inv = np.unique(pair_code, return_inverse=True)
    pair_names = [f"{cat_names[c // (len(tp_names) + 1)]}@{tp_names[c % (len(tp_names) + 1)]}" for c in pair_uniq]
    topics = np.asarray(topic_ids, dtype=np.int64)[rows]
    topic_uniq, topic_inv = np.unique(topics[topics >= 0], return_inverse=True)
    topic_names = [f"topic:{int(t)}" for t in topic_uniq]
    used_cats = np.unique(cat)
    local = [cat_names[c] for c in used_cats]
    names = sorted({*local, *pair_names, *topic_names})
    if columns is not None:
        missing = sorted(set(names) - set(columns))
        if missing:
            raise ValueError(f"build_design: drivers {missing[:5]} are not among the given columns")
        names = list(columns)
    col = {name: j for j, name in enumerate(names)}
    cat_col = np.full(len(cat_names) + 1, -1, dtype=np.int64)
    cat_col[used_cats] = [col[x] for x in local]
    kinds = {x: driver_kind(x) for x in names}

    entry_col = np.concatenate([cat_col[cat], np.asarray([col[x] for x in pair_names], dtype=np.int64)[pair_inv]])
    entry_doc = np.concatenate([docs, docs[paired]])
    entry_score = np.concatenate([scores, scores[paired]])
    entry_span = np.concatenate([spans, spans[paired]])
    key = entry_col * n + entry_doc
    order = np.lexsort((entry_score, key))  # stable: among equal scores the first mention wins
    first = np.ones(order.size, dtype=bool)
    first[1:] = key[order][1:] != key[order][:-1]
    group = np.empty(order.size, dtype=np.int64)
    group[order] = np.cumsum(first) - 1  # group of every entry, numbered in key order
    # sums in mention order (as a per-driver mean would add them)
    means = np.bincount(group, weights=entry_score) / np.bincount(group) if order.size else np.zeros(0)
    best = order[first]

    # uint8 indicators and sparse polarity: a million documents x 200 drivers cost 0.2 GB, not 1.6 GB
    ind = np.zeros((rows.size, len(names)), dtype=np.uint8)
    ind[pos[entry_doc[best]], entry_col[best]] = 1
    pol = sparse.csc_matrix((means, (pos[entry_doc[best]], entry_col[best])), shape=ind.shape)
    topic_rows = np.flatnonzero(topics >= 0)
    ind[topic_rows, np.asarray([col[x] for x in topic_names], dtype=np.int64)[topic_inv]] = 1
    data = DriverInput(
        outcome=np.asarray(values, dtype=float),
        indicators=ind,
        names=names,
        kinds=[kinds[x][0] for x in names],
        touchpoints=[kinds[x][1] for x in names],
        polarity=pol,
        periods=None if periods is None else [periods[d] for d in rows.tolist()],
        outcome_name=outcome_name,
        audit=None if not audit else _audit_matrix(audit, pos, names, kinds),
    )
    table = SpanTable(keys=key[best], starts=entry_span[best, 0], ends=entry_span[best, 1],
                      scores=entry_score[best], n_documents=n)
    return DriverDesign(data, rows, table)


def rated_rows(ratings: np.ndarray | None) -> np.ndarray | None:
    """The documents a rating outcome uses: the rows with a finite rating when any has one, else
    ``None`` (the outcome is then document sentiment, over every document).

    Examples:
        >>> rated_rows(np.array([4.0, np.nan, 2.0])).tolist(), rated_rows(np.array([np.nan]))
        ([0, 2], None)
    """
    if ratings is None:
        return None
    rows = np.flatnonzero(np.isfinite(ratings))
    return rows if rows.size else None


def driver_kind(name: str) -> tuple[str, str]:
    """Kind and touchpoint of a driver from its name (``topic:<id>``, ``CATEGORY@touchpoint``, ``CATEGORY``).

    Examples:
        >>> driver_kind("DELIVERY@delivery"), driver_kind("topic:3"), driver_kind("PRICE")
        (('category_touchpoint', 'delivery'), ('topic', ''), ('category', ''))
    """
    if name.startswith("topic:"):
        return "topic", ""
    if "@" in name:
        return "category_touchpoint", name.split("@", 1)[1]
    return "category", ""


def _audit_matrix(audit: dict[int, set[str]], pos: np.ndarray, names: list[str],
                  kinds: dict[str, tuple[str, str]]) -> np.ndarray | None:
    out = np.full((int((pos >= 0).sum()), len(names)), np.nan)
    cats = [j for j, name in enumerate(names) if kinds[name][0] == "category"]
    hit = False
    for d, true in audit.items():
        if 0 <= d < pos.size and pos[d] >= 0:
            hit = True
            for j in cats:
                out[pos[d], j] = 1.0 if names[j] in true else 0.0
    return out if hit else None


def audit_sets(audit: Any, feedback_ids: Sequence[str], categories: Sequence[str]) -> dict[int, set[str]]:
    """Validate an audit table and return document index -> its true categories.

    An audit is what a person found when reading a sample of documents: one row per
    (``feedback_id``, ``category``) they confirmed, or one row per document with its categories
    separated by ``;`` (the form ``AnalysisResult.audit_sample`` returns), and a row with an empty
    category for an audited document that has none. Every id must be an analysed document, every
    category an id of the pipeline's category taxonomy.

    Raises:
        SchemaError: [E001] not a frame with those columns; [E002] unknown ids or categories.

    Examples:
        >>> import pandas as pd
        >>> found = audit_sets(pd.DataFrame({"feedback_id": ["a", "a", "b"], "category": ["PRICE", "FOOD", None]}),
        ...                    ["a", "b", "c"], ["PRICE", "FOOD"])
        >>> {d: sorted(c) for d, c in found.items()}
        {0: ['FOOD', 'PRICE'], 1: []}
        >>> audit_sets(pd.DataFrame({"feedback_id": ["a", "b"], "category": ["PRICE; FOOD", ""]}), ["a", "b"],
        ...            ["PRICE", "FOOD"]) == found
        True
    """
    import pandas as pd

    from vocmine.errors import SchemaError

    if not isinstance(audit, pd.DataFrame) or not {"feedback_id", "category"} <= set(audit.columns):
        raise SchemaError(
            "[E001] The audit must be a DataFrame with columns 'feedback_id' and 'category' (one row per "
            "category a person confirmed; an empty category for an audited document with none)."
        )
    index = {str(f): i for i, f in enumerate(feedback_ids)}
    ids = audit["feedback_id"].astype(str)
    unknown = sorted(set(ids) - set(index))
    if unknown:
        raise SchemaError(
            f"[E002] Audit feedback_id(s) {unknown[:5]} ({len(unknown)} in all) are not analysed documents "
            "(rows in result.errors cannot be audited). Fix the ids or drop those audit rows."
        )
    known = set(categories)
    out: dict[int, set[str]] = {}
    for row, (fid, cat) in enumerate(zip(ids, audit["category"])):
        found = out.setdefault(index[fid], set())
        if cat is None or (not isinstance(cat, str) and bool(pd.isna(cat))):
            continue
        for one in (c.strip() for c in str(cat).split(";")):
            if not one:
                continue
            if one not in known:
                raise SchemaError(
                    f"[E002] Audit row {row}: category {one!r} is not in the category taxonomy "
                    f"({sorted(known)}). Use the taxonomy's ids (several separated by ';')."
                )
            found.add(one)
    if out and not any(out.values()):
        import warnings

        from vocmine.errors import VocmineWarning

        warnings.warn(
            f"The audit lists {len(out)} documents and not one category: every audited document counts as having "
            "none, which calibrates the category impacts towards 0. Fill the 'category' column first.",
            VocmineWarning, stacklevel=3,
        )
    return out


def _spans_of(design: DriverDesign, j: np.ndarray | int, docs: np.ndarray,
              doc_scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Score, start and end of driver column(s) ``j`` in ``docs``: its strongest mention where
    it has one, else the document's sentiment score and the whole text (``0, -1``)."""
    found, at = design.spans.lookup(j, docs)
    spans = design.spans
    score = np.where(found, spans.scores[at] if found.any() else 0.0, np.asarray(doc_scores, dtype=float)[docs])
    start = np.where(found, spans.starts[at] if found.any() else 0, 0)
    end = np.where(found, spans.ends[at] if found.any() else -1, -1)
    return score, start, end


def pick_evidence(
    record: DriverRecord,
    design: DriverDesign,
    *,
    langs: Sequence[str],
    doc_scores: np.ndarray,
    embeddings: np.ndarray | None,
    k: int = 5,
    seed: int = 0,
) -> list[tuple[int, int, int]]:
    """Return up to ``k`` representative, diverse verbatims for a driver.

    Each item is ``(document index, start, end)``: ``start:end`` slices the document's
    original text at the driver's strongest mention (``(0, -1)`` means the whole text,
    used for topic drivers).
    """
    from vocmine.drivers import select_evidence

    j = list(design.data.names).index(record.driver)
    docs = design.rows[design.data.indicators[:, j] > 0]
    if docs.size == 0:
        return []
    scores, starts, ends = _spans_of(design, j, docs, doc_scores)
    chosen = select_evidence(
        docs.tolist(),
        embeddings=None if embeddings is None else embeddings[docs],
        scores=scores,
        langs=np.asarray(langs, dtype=object)[docs].tolist(),
        k=k,
        random_state=seed,
        direction=1 if record.impact > 0 else -1,
    )
    where = {int(d): i for i, d in enumerate(docs.tolist())}
    return [(int(d), int(starts[where[int(d)]]), int(ends[where[int(d)]])) for d in chosen]


@dataclass(frozen=True)
class Candidates:
    """Evidence candidates, one per (driver column, document): its column, the document's
    index, the score the choice ranks on, its language and the mention's span (``end = -1``:
    the whole text). Batch scoring keeps only those that can still be chosen."""

    col: np.ndarray
    doc: np.ndarray
    score: np.ndarray
    lang: np.ndarray
    start: np.ndarray
    end: np.ndarray

    def take(self, keep: np.ndarray) -> Candidates:
        return Candidates(*(getattr(self, f)[keep] for f in ("col", "doc", "score", "lang", "start", "end")))


def evidence_candidates(design: DriverDesign, *, langs: Sequence[str] | np.ndarray, doc_scores: np.ndarray,
                        k: int = 5, seed: int = 0, offset: int = 0) -> Candidates:
    """The documents of one design (a scored part) that can be evidence for any driver.

    Without document embeddings ``select_evidence`` picks, for a driver, only documents
    among the ``k`` most relevant of their language in the driver's direction (it never
    shows a language's ``k + 1``-th before its ``k``-th), so keeping those per (driver,
    language, direction) in every part and merging gives the same choice as one pass over
    all documents. ``offset`` turns part rows into file rows.
    """
    rows, cols = np.nonzero(np.asarray(design.data.indicators))
    docs = design.rows[rows]
    score, start, end = _spans_of(design, cols, docs, doc_scores)
    cands = Candidates(cols.astype(np.int64), docs.astype(np.int64) + offset, score,
                       np.asarray(langs, dtype=object)[docs], start.astype(np.int64), end.astype(np.int64))
    return merge_candidates([cands], k=k, seed=seed)


def merge_candidates(parts: Sequence[Candidates], *, k: int = 5, seed: int = 0) -> Candidates:
    """Pool candidates and keep, per (driver column, language, direction), the ``k`` best."""
    from vocmine.drivers._evidence import preference, tiebreak

    c = Candidates(*(np.concatenate([getattr(p, f) for p in parts])
                     for f in ("col", "doc", "score", "lang", "start", "end")))
    if c.doc.size == 0:
        return c
    lang_code = np.unique(c.lang.astype(str), return_inverse=True)[1].ravel()
    group = c.col * (int(lang_code.max()) + 1) + lang_code
    jitter = tiebreak(c.doc, seed)
    keep = np.zeros(c.doc.size, dtype=bool)
    for direction in (-1, 1):
        rel = preference(c.score, direction) + jitter
        order = np.lexsort((-rel, group))
        g = group[order]
        first = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        rank = np.arange(g.size) - np.repeat(first, np.diff(np.r_[first, g.size]))
        keep[order[rank < k]] = True
    kept = c.take(keep)
    return kept.take(np.lexsort((kept.doc, kept.col)))


def pick_from_candidates(record: DriverRecord, names: Sequence[str], cands: Candidates, *,
                         k: int = 5, seed: int = 0) -> list[tuple[int, int, int]]:
    """``pick_evidence`` for a design seen only through its merged candidates (no embeddings)."""
    from vocmine.drivers import select_evidence

    mine = cands.take(cands.col == list(names).index(record.driver))
    if mine.doc.size == 0:
        return []
    chosen = select_evidence(mine.doc.tolist(), embeddings=None, scores=mine.score, langs=mine.lang.tolist(),
                             k=k, random_state=seed, direction=1 if record.impact > 0 else -1)
    where = {int(d): i for i, d in enumerate(mine.doc.tolist())}
    return [(int(d), int(mine.start[where[int(d)]]), int(mine.end[where[int(d)]])) for d in chosen]


def quote_context(text: str, start: int, end: int, *, lang: str | None = None, limit: int = 240) -> tuple[int, str]:
    """The sentence of ``text`` that holds ``[start, end)``, cut to ``limit`` characters around it.

    Returns ``(offset of the context in text, context)``; a whole-text quote (``end - start``
    longer than ``limit``) is cut to its first ``limit`` characters.

    Examples:
        >>> text = "Great food. The delivery took two hours! Will order again."
        >>> quote_context(text, 16, 24, lang="en")
        (12, 'The delivery took two hours!')
    """
    from vocmine.preprocess import split_sentences

    a, b = start, end
    for sp in split_sentences(text, lang=None if lang in (None, "und") else lang):
        if sp.start <= start < sp.end:
            a, b = sp.start, max(sp.end, end)
            break
    if b - a > limit:
        half = max(limit - (end - start), 0) // 2
        a = max(a, start - half)
        b = min(b, a + limit)
    piece = text[a:b]
    lead = len(piece) - len(piece.lstrip())
    return a + lead, piece.strip()
