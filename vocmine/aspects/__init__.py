"""Aspects: which customer-experience categories a text talks about.

``SentenceCategoryAspects`` is the registered BASELINE extractor (sentence-level category
detection); ``CategoryMapper`` maps aspect terms to category ids and proposes new
categories for terms that fit none. ``TermAspectExtractor`` is the learned extractor:
aspect terms with offsets, mention polarity and a category per term (its network is
trained with ``train_term_model`` and stored with ``save_term_model``).

Examples:
    >>> from vocmine.aspects import CategoryMapper, SentenceCategoryAspects
    >>> CategoryMapper().map([], langs=[])
    []
"""

from __future__ import annotations

from vocmine.aspects._baseline import SentenceCategoryAspects
from vocmine.aspects._categories import CategoryMapper, calibrated_probs
from vocmine.aspects._extractor import TermAspectExtractor
from vocmine.aspects._term_train import TermExample, train_term_model
from vocmine.aspects._term_weights import TermModel, find_term_model, load_term_model, save_term_model

__all__ = [
    "CategoryMapper",
    "SentenceCategoryAspects",
    "TermAspectExtractor",
    "TermExample",
    "TermModel",
    "calibrated_probs",
    "find_term_model",
    "load_term_model",
    "save_term_model",
    "train_term_model",
]
