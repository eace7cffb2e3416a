"""Touchpoints: which customer-journey stage a document is about.

Journeys are YAML taxonomies (``vocmine.resources.load_taxonomy(kind="touchpoints")``);
presets: ``default``, ``ecommerce``, ``banking_telecom``, ``hospitality``.

Examples:
    >>> from vocmine.touchpoints import EmbeddingTouchpointLinker
    >>> EmbeddingTouchpointLinker(taxonomy="ecommerce").category_votes(["PACKAGING"])
    {'delivery': 1.0}
"""

from __future__ import annotations

from vocmine.touchpoints._linker import EmbeddingTouchpointLinker

__all__ = ["EmbeddingTouchpointLinker"]
