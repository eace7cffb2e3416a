"""Which documents to read for an audit (the input of audit-calibrated impacts).

Audit calibration (``_calibrate``) regresses the true category indicators on the predicted
ones over the audited documents, so the audit may be sampled on the *predictions* (the model
conditions on them) but never on anything a person saw in the true categories. The sample is
a seeded random sample of documents, topped up so that every predicted category has at
least ``MIN_AUDITED`` audited documents predicted to hold it (or all of them when fewer exist):
rare categories need their own audited positives, or they cannot be calibrated.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from vocmine._driver_input import rated_rows
from vocmine.drivers._calibrate import MIN_AUDITED
from vocmine.errors import SchemaError

if TYPE_CHECKING:  # pragma: no cover
    from vocmine.result import AnalysisResult

__all__ = ["audit_sample", "sample_rows"]

#: Column a person fills with the true category ids (``;``-separated; empty = none).
FILL = "category"


def _order(ids: list[str], seed: int) -> np.ndarray:
    """A seeded order of ``ids`` that does not depend on the order the rows came in."""
    keys = [hashlib.blake2b(f"{seed}\0{i}".encode("utf-8", "surrogatepass"), digest_size=8).digest() for i in ids]
    return np.array(sorted(range(len(ids)), key=lambda k: keys[k]), dtype=np.int64)


def sample_rows(predicted: np.ndarray, n: int, order: np.ndarray) -> list[int]:
    """Rows to audit: the first ``n`` of ``order``, then for each column of ``predicted`` (documents x
    categories, bool) the next rows of ``order`` predicted to hold it until ``MIN_AUDITED`` chosen rows
    do (or all of them).

    Examples:
        >>> pred = np.zeros((100, 2), dtype=bool); pred[::50, 1] = True   # column 1: rows 0 and 50
        >>> rows = sample_rows(pred, 10, np.arange(99, -1, -1))
        >>> rows[:10] == list(range(99, 89, -1)), sorted(rows[10:])
        (True, [0, 50])
    """
    predicted = np.asarray(predicted, dtype=bool)  # a 0/1 integer matrix would index, not mask
    chosen = [int(k) for k in order[:n]]
    taken = np.zeros(len(predicted), dtype=bool)
    taken[chosen] = True
    counts = predicted[chosen].sum(axis=0) if chosen else np.zeros(predicted.shape[1], dtype=np.int64)
    for j in range(predicted.shape[1]):
        if counts[j] >= MIN_AUDITED:
            continue
        rows = order[predicted[order, j] & ~taken[order]][: MIN_AUDITED - int(counts[j])]
        chosen.extend(int(k) for k in rows)
        taken[rows] = True
        counts += predicted[rows].sum(axis=0)
    return chosen


def audit_sample(result: AnalysisResult, n: int = 300, *, seed: int = 0, show_predicted: bool = False) -> pd.DataFrame:
    """Documents to audit: a seeded random sample of ``n``, topped up per predicted category.

    Read each text and write its true category ids into ``category`` (several separated by
    ``;``, empty when it has none), then pass the frame back as ``audit=`` to
    ``vocmine.analyze`` / ``Pipeline.run`` (CLI: ``vocmine analyze ... --audit FILE``). Every
    row counts as audited, so keep the empty ones. ``show_predicted=True`` adds the predicted
    categories (a ``predicted`` column); reading blind avoids anchoring on them.

    The sample is ``n`` documents (all of them when fewer) plus, for each category predicted
    somewhere, enough of its predicted documents to audit ``min(MIN_AUDITED, all of them)``. Only
    documents the driver model uses are drawn: those with a rating when any document has one
    (the outcome is then the rating), else all. The same result and seed give the same sample
    whatever the row order.

    Raises:
        SchemaError: [E002] ``n`` is not positive.

    Examples:
        >>> import pandas as pd
        >>> from vocmine.result import AnalysisResult
        >>> r = AnalysisResult.empty()
        >>> r.documents = pd.DataFrame({"feedback_id": ["a", "b", "c"], "lang": ["en"] * 3,
        ...                             "text": ["late", "rude", "ok"]})
        >>> r.mentions = pd.DataFrame({"feedback_id": ["a"], "category": ["DELIVERY"]})
        >>> s = audit_sample(r, n=1, show_predicted=True)
        >>> len(s), "a" in set(s["feedback_id"]), list(s.columns)  # 1 random + the DELIVERY document
        (2, True, ['feedback_id', 'lang', 'text', 'predicted', 'category'])
    """
    from vocmine.resources import OTHER

    if n < 1:
        raise SchemaError(f"[E002] audit_sample: n must be a positive number of documents, got {n}.")
    docs = result.documents
    if len(docs) and "rating" in docs:  # a rating model uses only the rated documents: draw only those
        rated = rated_rows(pd.to_numeric(docs["rating"], errors="coerce").to_numpy(dtype=float))
        if rated is not None:
            docs = docs.iloc[rated]
    ids = docs["feedback_id"].astype(str).to_numpy(dtype=object) if len(docs) else np.array([], dtype=object)
    mentions = result.mentions
    cat = mentions["category"] if len(mentions) else pd.Series([], dtype=object)
    valid = cat.map(lambda c: isinstance(c, str) and bool(c) and c != OTHER).to_numpy(dtype=bool)
    row = pd.Index(ids).get_indexer(mentions["feedback_id"].astype(str)[valid]) if valid.any() else np.array([], int)
    cats, col = np.unique(cat[valid].to_numpy(dtype=str)[row >= 0], return_inverse=True)
    matrix = np.zeros((len(ids), len(cats)), dtype=bool)
    matrix[row[row >= 0], col.ravel()] = True
    chosen = sample_rows(matrix, n, _order(ids.tolist(), seed))
    out = pd.DataFrame({
        "feedback_id": ids[chosen].tolist(),
        "lang": docs["lang"].iloc[chosen].tolist() if "lang" in docs else "",
        "text": docs["text"].iloc[chosen].tolist(),
    })
    if show_predicted:
        out["predicted"] = [";".join(cats[matrix[k]]) for k in chosen]
    out[FILL] = ""
    return out
