"""Aspects: which customer-experience categories a text talks about.

``SentenceCategoryAspects`` is the registered BASELINE extractor (sentence-level category
detection); ``CategoryMapper`` maps aspect terms to category ids and proposes new
categories for terms that fit none.

Examples:
    >>> from vocmine.aspects import CategoryMapper, SentenceCategoryAspects
    >>> CategoryMapper().map([], langs=[])
    []
"""

from __future__ import annotations

from vocmine.aspects._baseline import SentenceCategoryAspects
from vocmine.aspects._categories import CategoryMapper, calibrated_probs

__all__ = ["CategoryMapper", "SentenceCategoryAspects", "calibrated_probs"]
