"""Document sentiment from sentence sentiment.

A document's probabilities are the length-weighted mean of its sentences'
probabilities (weight = sqrt of the sentence length, so one long sentence does not
drown several short ones). A document is *mixed* when it has at least one
sentence with P(negative) >= 0.6 and one with P(positive) >= 0.6.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from vocmine.types import SENTIMENT_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["aggregate_sentences"]

_STRONG = 0.6


def aggregate_sentences(
    probs: np.ndarray, lengths: Sequence[int], groups: Sequence[int], n_docs: int
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Aggregate sentence probabilities into document labels, scores and a mixed flag.

    Args:
        probs: ``(n_sentences, 3)`` probabilities in ``SENTIMENT_LABELS`` order.
        lengths: characters per sentence.
        groups: the document index of each sentence (0 .. n_docs-1).
        n_docs: number of documents; documents without sentences come out neutral.

    Returns:
        ``(labels, scores, doc_probs, mixed)``.

    Examples:
        >>> import numpy as np
        >>> p = np.array([[0.9, 0.05, 0.05], [0.05, 0.05, 0.9]])
        >>> labels, scores, _, mixed = aggregate_sentences(p, [10, 10], [0, 0], 1)
        >>> bool(mixed[0]), round(float(scores[0]), 2)
        (True, 0.0)
    """
    probs = np.asarray(probs, dtype=float).reshape(-1, 3)
    g = np.asarray(groups, dtype=np.int64)
    w = np.sqrt(np.maximum(np.asarray(lengths, dtype=float), 1.0))
    doc = np.zeros((n_docs, 3))
    np.add.at(doc, g, probs * w[:, None])
    total = np.zeros(n_docs)
    np.add.at(total, g, w)
    empty = total == 0
    doc[~empty] /= total[~empty, None]
    doc[empty] = (0.0, 1.0, 0.0)
    neg = np.zeros(n_docs, dtype=bool)
    pos = np.zeros(n_docs, dtype=bool)
    np.logical_or.at(neg, g, probs[:, 0] >= _STRONG)
    np.logical_or.at(pos, g, probs[:, 2] >= _STRONG)
    labels = [SENTIMENT_LABELS[i] for i in doc.argmax(axis=1)]
    scores = doc[:, 2] - doc[:, 0]
    return labels, scores, doc, neg & pos
