"""Small package data read through importlib.resources (taxonomies, lexicons).

Examples:
    >>> from vocmine.resources import load_taxonomy
    >>> "DELIVERY" in load_taxonomy("default", kind="categories").ids
    True
"""

from __future__ import annotations

from vocmine.resources._demo import DEMO_COLUMNS, load_demo
from vocmine.resources._prototypes import PrototypeIndex, resolve_embedder
from vocmine.resources._taxonomy import (
    KINDS,
    OTHER,
    UNASSIGNED,
    Taxonomy,
    TaxonomyItem,
    available_taxonomies,
    load_taxonomy,
)

__all__ = [
    "DEMO_COLUMNS",
    "KINDS",
    "OTHER",
    "UNASSIGNED",
    "Taxonomy",
    "TaxonomyItem",
    "available_taxonomies",
    "load_demo",
    "load_taxonomy",
]
