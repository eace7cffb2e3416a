"""Sentence and document sentiment.

``TunedSentiment`` is the default model (``vocmine.sentiment.e5_tuned.v1``): the
shared multilingual encoder's lower layers, its top layers fine-tuned for sentiment
and a 3-class head (:func:`tune_top_layers`, :func:`tune_runs`, :func:`average_tuned`,
:func:`save_tuned`). ``HeadSentiment``
(``vocmine.sentiment.e5_head.v1``) is the frozen-encoder model: any embedder plus
a small trained 3-class head
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
from vocmine.sentiment._tune import average_tuned, save_tuned, tune_runs, tune_top_layers
from vocmine.sentiment._tuned import TunedSentiment
from vocmine.sentiment._weights import SentimentHead, find_head, load_head, save_head

__all__ = [
    "average_tuned",
    "HeadSentiment",
    "SentimentHead",
    "aggregate_sentences",
    "find_head",
    "load_head",
    "save_head",
    "save_tuned",
    "train_head",
    "tune_top_layers",
    "tune_runs",
    "TunedSentiment",
]
