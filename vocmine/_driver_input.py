"""Driver design: turn per-document stage outputs into the ranker's input arrays.

Drivers are (a) aspect categories (document mentions the category), (b) category x
touchpoint pairs (``"DELIVERY@delivery"``) and (c) topics (``"topic:<id>"``).
Documents without an outcome are left out of the design (they still appear in
``documents``); the outcome is the rating column when given, else document sentiment.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from vocmine.resources._taxonomy import OTHER
from vocmine.types import DriverInput, DriverRecord

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["DriverDesign", "audit_sets", "build_design", "pick_evidence"]

UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class DriverDesign:
    """The ranker input plus the document rows it covers.

    Attributes:
        data: the ``DriverInput`` handed to the ranker.
        rows: document index (into the documents table) of each design row.
        spans: per driver, per document index, the (start, end, score) of its
            strongest mention (used to highlight evidence).
    """

    data: DriverInput
    rows: np.ndarray
    spans: dict[str, dict[int, tuple[int, int, float]]]


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


def build_design(
    *,
    ratings: np.ndarray | None,
    sentiment_scores: np.ndarray,
    mention_docs: Sequence[int],
    mention_categories: Sequence[str],
    mention_scores: Sequence[float],
    mention_spans: Sequence[tuple[int, int]],
    topic_ids: np.ndarray,
    touchpoints: Sequence[str | None],
    periods: Sequence[str] | None,
    rating_scale: str = "auto",
    audit: dict[int, set[str]] | None = None,
) -> DriverDesign | None:
    """Build the driver design; ``None`` when no document has an outcome.

    ``audit`` maps a document index to its true categories (see :func:`audit_sets`); it
    becomes ``DriverInput.audit`` over the category columns (pairs and topics stay NaN).

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
    if ratings is not None and np.isfinite(ratings).any():
        scale = _detect_scale(ratings) if rating_scale == "auto" else rating_scale
        rows = np.flatnonzero(np.isfinite(ratings))
        outcome, outcome_name = to_outcome(ratings[rows], scale)
    else:
        rows = np.arange(n)
        outcome, outcome_name = to_outcome(np.asarray(sentiment_scores, dtype=float), "sentiment")
    if rows.size == 0:
        return None
    pos = {int(d): k for k, d in enumerate(rows)}

    members: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    kinds: dict[str, tuple[str, str]] = {}
    spans: dict[str, dict[int, tuple[int, int, float]]] = defaultdict(dict)
    for d, cat, score, span in zip(mention_docs, mention_categories, mention_scores, mention_spans):
        if d not in pos or not cat or cat == OTHER:
            # OTHER is the taxonomy's catch-all (terms that fit no category): not a driver to act on;
            # its mentions stay in the mentions table and in the proposed-categories clustering.
            continue
        tp = touchpoints[d]
        keys = [(cat, "category", "")]
        if tp and tp != UNASSIGNED:
            keys.append((f"{cat}@{tp}", "category_touchpoint", tp))
        for name, kind, tpk in keys:
            members[name][d].append(float(score))
            kinds[name] = (kind, tpk)
            best = spans[name].get(d)
            if best is None or score < best[2]:
                spans[name][d] = (int(span[0]), int(span[1]), float(score))
    for d in rows.tolist():
        tid = int(topic_ids[d])
        if tid >= 0:
            members[f"topic:{tid}"][int(d)].append(0.0)
            kinds[f"topic:{tid}"] = ("topic", "")

    names = sorted(members)
    # uint8 / float32: a million documents x a hundred drivers stay ~0.5 GB, not 1.6 GB
    ind = np.zeros((rows.size, len(names)), dtype=np.uint8)
    pol = np.zeros((rows.size, len(names)), dtype=np.float32)
    for j, name in enumerate(names):
        for d, scores in members[name].items():
            ind[pos[d], j] = 1
            pol[pos[d], j] = float(np.mean(scores))
    data = DriverInput(
        outcome=np.asarray(outcome, dtype=float),
        indicators=ind,
        names=names,
        kinds=[kinds[x][0] for x in names],
        touchpoints=[kinds[x][1] for x in names],
        polarity=pol,
        periods=None if periods is None else [periods[d] for d in rows.tolist()],
        outcome_name=outcome_name,
        audit=None if not audit else _audit_matrix(audit, pos, names, kinds),
    )
    return DriverDesign(data, rows, dict(spans))


def _audit_matrix(audit: dict[int, set[str]], pos: dict[int, int], names: list[str],
                  kinds: dict[str, tuple[str, str]]) -> np.ndarray | None:
    out = np.full((len(pos), len(names)), np.nan)
    cats = [j for j, name in enumerate(names) if kinds[name][0] == "category"]
    hit = False
    for d, true in audit.items():
        if d in pos:
            hit = True
            for j in cats:
                out[pos[d], j] = 1.0 if names[j] in true else 0.0
    return out if hit else None


def audit_sets(audit: Any, feedback_ids: Sequence[str], categories: Sequence[str]) -> dict[int, set[str]]:
    """Validate an audit table and return document index -> its true categories.

    An audit is what a person found when reading a sample of documents: one row per
    (``feedback_id``, ``category``) they confirmed, and a row with an empty category for an
    audited document that has none. Every id must be an analysed document, every category an
    id of the pipeline's category taxonomy.

    Raises:
        SchemaError: [E001] not a frame with those columns; [E002] unknown ids or categories.

    Examples:
        >>> import pandas as pd
        >>> found = audit_sets(pd.DataFrame({"feedback_id": ["a", "a", "b"], "category": ["PRICE", "FOOD", None]}),
        ...                    ["a", "b", "c"], ["PRICE", "FOOD"])
        >>> {d: sorted(c) for d, c in found.items()}
        {0: ['FOOD', 'PRICE'], 1: []}
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
        if cat is None or (isinstance(cat, float) and np.isnan(cat)) or (isinstance(cat, str) and not cat.strip()):
            continue
        if str(cat) not in known:
            raise SchemaError(
                f"[E002] Audit row {row}: category {cat!r} is not in the category taxonomy "
                f"({sorted(known)}). Use the taxonomy's ids."
            )
        found.add(str(cat))
    return out


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
    span_of = design.spans.get(record.driver, {})
    scores = np.array([span_of.get(int(d), (0, 0, float(doc_scores[d])))[2] for d in docs])
    chosen = select_evidence(
        [int(d) for d in docs],
        embeddings=None if embeddings is None else embeddings[docs],
        scores=scores,
        langs=[langs[int(d)] for d in docs],
        k=k,
        random_state=seed,
        direction=1 if record.impact > 0 else -1,
    )
    return [(int(d), *span_of.get(int(d), (0, -1, 0.0))[:2]) for d in chosen]


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
