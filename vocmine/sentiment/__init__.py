"""Sentence and document sentiment.

``HeadSentiment`` is the default model (``vocmine.sentiment.e5_head.v1``): the
shared multilingual encoder plus a small trained 3-class head
(:class:`SentimentHead`, stored with :func:`save_head`, read with
:func:`load_head`, trained with :func:`train_head`). ``aggregate_sentences``
turns sentence probabilities into document sentiment.

Examples:
    >>> from vocmine.sentiment import HeadSentiment, aggregate_sentences
    >>> HeadSentiment(batch_size=16).batch_size
    16
"""

from __future__ import annotations

from vocmine.sentiment._aggregate import aggregate_sentences
from vocmine.sentiment._head import HeadSentiment
from vocmine.sentiment._train import train_head
from vocmine.sentiment._weights import SentimentHead, find_head, load_head, save_head

__all__ = [
    "HeadSentiment",
    "SentimentHead",
    "aggregate_sentences",
    "find_head",
    "load_head",
    "save_head",
    "train_head",
]
