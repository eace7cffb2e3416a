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

from vocmine.drivers._calibrate import MIN_AUDITED
from vocmine.errors import SchemaError

if TYPE_CHECKING:  # pragma: no cover
    from vocmine.result import AnalysisResult

__all__ = ["audit_sample"]

#: Column a person fills with the true category ids (``;``-separated; empty = none).
FILL = "category"


def _order(ids: list[str], seed: int) -> np.ndarray:
    """A seeded order of ``ids`` that does not depend on the order the rows came in."""
    keys = [hashlib.blake2b(f"{seed}\0{i}".encode("utf-8", "surrogatepass"), digest_size=8).digest() for i in ids]
    return np.array(sorted(range(len(ids)), key=lambda k: keys[k]), dtype=np.int64)


def audit_sample(result: AnalysisResult, n: int = 300, *, seed: int = 0, show_predicted: bool = False) -> pd.DataFrame:
    """Documents to audit: a seeded random sample of ``n``, topped up per predicted category.

    Read each text and write its true category ids into ``category`` (several separated by
    ``;``, empty when it has none), then pass the frame back as ``audit=`` to
    ``vocmine.analyze`` / ``Pipeline.run`` (CLI: ``vocmine analyze ... --audit FILE``). Every
    row counts as audited, so keep the empty ones. ``show_predicted=True`` adds the predicted
    categories (a ``predicted`` column); reading blind avoids anchoring on them.

    The sample is exactly ``n`` documents plus, for each category predicted somewhere, enough of
    its predicted documents to audit ``min(MIN_AUDITED, all of them)``. The same result and
    seed give the same sample whatever the row order.

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
    ids = docs["feedback_id"].astype(str).tolist() if len(docs) else []
    predicted: dict[str, set[str]] = {i: set() for i in ids}
    mentions = result.mentions
    if len(mentions):
        for fid, cat in zip(mentions["feedback_id"].astype(str), mentions["category"]):
            if isinstance(cat, str) and cat and cat != OTHER and fid in predicted:
                predicted[fid].add(cat)
    order = _order(ids, seed)
    chosen = [int(k) for k in order[:n]]
    taken = set(chosen)
    counts: dict[str, int] = {}
    for k in chosen:
        for cat in predicted[ids[k]]:
            counts[cat] = counts.get(cat, 0) + 1
    by_cat: dict[str, list[int]] = {}  # each category's documents in the seeded order: random top-ups
    for k in order:
        for cat in predicted[ids[int(k)]]:
            by_cat.setdefault(cat, []).append(int(k))
    for cat in sorted(by_cat):
        for k in by_cat[cat]:
            if counts.get(cat, 0) >= MIN_AUDITED:
                break
            if k in taken:
                continue
            chosen.append(k)
            taken.add(k)
            for c in predicted[ids[k]]:
                counts[c] = counts.get(c, 0) + 1
    out = pd.DataFrame({
        "feedback_id": [ids[k] for k in chosen],
        "lang": [docs["lang"].iloc[k] for k in chosen] if "lang" in docs else "",
        "text": [docs["text"].iloc[k] for k in chosen],
    })
    if show_predicted:
        out["predicted"] = [";".join(sorted(predicted[ids[k]])) for k in chosen]
    out[FILL] = ""
    return out
