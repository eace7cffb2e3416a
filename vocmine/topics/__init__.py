"""Topics: BERTopic-based clustering with language-aware topic words and stable ids.

``BertopicTopics`` clusters precomputed multilingual embeddings (UMAP + HDBSCAN,
content-ordered so the row order never matters), caps the outlier share, and
labels every topic in each language it contains with lemmatised (ru, pl, en) or
segmented (zh) c-TF-IDF words.

Examples:
    >>> from vocmine.topics import language_analyzer
    >>> language_analyzer("ru")("доставкой")
    ['доставка']
"""

from __future__ import annotations

from vocmine.topics._analyzers import LANGUAGE_TOOLS, LanguageTools, language_analyzer, stop_words
from vocmine.topics._model import BertopicTopics
from vocmine.topics._time import topics_over_time

__all__ = ["BertopicTopics", "LANGUAGE_TOOLS", "LanguageTools", "language_analyzer", "stop_words", "topics_over_time"]
