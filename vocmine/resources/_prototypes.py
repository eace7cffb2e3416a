"""Embedding prototypes of a taxonomy, shared by the category and touchpoint components.

An item's prototype is the L2-normalised mean of the embeddings of all its names,
descriptions and seed examples in all languages, so it is language-independent in a
multilingual embedding space. Its score for a text is::

    sim(x, item) = CENTROID_WEIGHT * cos(x, prototype) + (1 - CENTROID_WEIGHT) * max_j cos(x, seed_j)

The nearest-seed term lets an item that covers several sub-topics (a journey stage, a
broad category) match a text close to any one of them; on BANKING77 touchpoints and on
SemEval/SentiRuEval aspect terms the 50/50 mix beat both the pure mean and the pure
nearest seed (``benchmarks/touchpoints.py``). Seeds are embedded once per index (lazily).

Examples:
    >>> import numpy as np
    >>> from vocmine.resources import PrototypeIndex, load_taxonomy
    >>> class LengthEmbedder:  # any object with name, dim and embed() is an Embedder
    ...     name, dim = "length", 8
    ...     def embed(self, texts, *, batch_size=32):
    ...         return np.eye(8, dtype=np.float32)[[len(t) % 8 for t in texts]]
    >>> index = PrototypeIndex(load_taxonomy("default", kind="touchpoints"), LengthEmbedder())
    >>> index.vectors.shape
    (10, 8)
    >>> index.similarities(index.embed(["delivery"])).shape
    (1, 10)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from vocmine.errors import ConfigError, SchemaError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from vocmine.resources._taxonomy import Taxonomy
    from vocmine.types import Embedder

__all__ = ["PrototypeIndex", "resolve_embedder"]

#: Spec passed to ``vocmine.embed.load_embedder`` when a component gets no embedder.
DEFAULT_EMBEDDER = "e5-small"
#: Weight of the mean prototype against the nearest seed text (see module doc).
CENTROID_WEIGHT = 0.5


def resolve_embedder(embedder: Embedder | None, *, component: str) -> Embedder:
    """Return ``embedder``, or the default encoder when it is ``None``; refuse zero-width ones.

    Args:
        embedder: any object satisfying the ``Embedder`` Protocol, or ``None``.
        component: the calling component's name, for the error message.

    Raises:
        ConfigError: ``[E006]`` the embedder produces zero-width vectors (the null embedder).

    Examples:
        >>> from vocmine._null import NullEmbedder
        >>> resolve_embedder(NullEmbedder(), component="Demo")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        vocmine.errors.ConfigError: [E006] Demo needs text embeddings, ...
    """
    if embedder is None:
        from vocmine.embed import load_embedder

        embedder = load_embedder(DEFAULT_EMBEDDER)
    if embedder.dim <= 0:
        raise ConfigError(
            f"[E006] {component} needs text embeddings, but embedder {getattr(embedder, 'name', embedder)!r} "
            f"has dim={embedder.dim}. Configure a real embedder (e.g. 'vocmine.embed.e5_small.v1') or switch "
            "this stage off."
        )
    return embedder


class PrototypeIndex:
    """Lazily embedded prototypes of one taxonomy.

    Args:
        taxonomy: the categories or touchpoints to index.
        embedder: the embedder; ``None`` loads the default encoder on first use.
        component: name used in error messages.
    """

    def __init__(self, taxonomy: Taxonomy, embedder: Embedder | None, *, component: str = "component") -> None:
        self.taxonomy = taxonomy
        self._embedder = embedder
        self._component = component
        self._resolved: Embedder | None = None
        self._vectors: np.ndarray | None = None
        self._seeds: np.ndarray | None = None
        self._owner: np.ndarray | None = None

    @property
    def embedder(self) -> Embedder:
        """The resolved embedder (loads the default one on first access when none was given)."""
        if self._resolved is None:
            self._resolved = resolve_embedder(self._embedder, component=self._component)
        return self._resolved

    @property
    def vectors(self) -> np.ndarray:
        """``(k, dim)`` unit prototype vectors (mean of the item's seeds) in taxonomy order."""
        if self._vectors is None:
            texts: list[str] = []
            owner: list[int] = []
            for j, item in enumerate(self.taxonomy.items):
                item_texts = item.texts()
                texts.extend(item_texts)
                owner.extend([j] * len(item_texts))
            seeds = _cached_seed_vectors(self, texts)
            seeds = seeds / np.maximum(np.linalg.norm(seeds, axis=1, keepdims=True), 1e-12)
            protos = np.zeros((len(self.taxonomy.items), seeds.shape[1]), dtype=np.float64)
            np.add.at(protos, np.asarray(owner), seeds.astype(np.float64))
            protos /= np.maximum(np.linalg.norm(protos, axis=1, keepdims=True), 1e-12)
            self._seeds, self._owner = seeds, np.asarray(owner)
            self._vectors = protos.astype(np.float32)
        return self._vectors

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` with the index's embedder as float32 ``(n, dim)``."""
        if len(texts) == 0:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.asarray(self.embedder.embed(list(texts)), dtype=np.float32)

    def similarities(self, embeddings: np.ndarray) -> np.ndarray:
        """Similarity ``(n, k)`` of ``embeddings`` to every item (mean-prototype/nearest-seed mix).

        Raises:
            SchemaError: ``[E013]`` the embeddings are not ``(n, dim)`` with the embedder's dim.
        """
        emb = np.asarray(embeddings, dtype=np.float32)
        protos = self.vectors
        if emb.ndim != 2 or emb.shape[1] != protos.shape[1]:
            raise SchemaError(
                f"[E013] {self._component} got embeddings of shape {emb.shape}; expected (n, {protos.shape[1]}) "
                "from the same embedder as the prototypes. Pass embeddings=None to embed the texts here."
            )
        emb = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
        to_seed = emb @ self._seeds.T  # type: ignore[union-attr]
        nearest = np.full((len(emb), len(protos)), -1.0, dtype=np.float32)
        for j in range(len(protos)):
            nearest[:, j] = to_seed[:, self._owner == j].max(axis=1, initial=-1.0)
        return CENTROID_WEIGHT * (emb @ protos.T) + (1.0 - CENTROID_WEIGHT) * nearest


def _cached_seed_vectors(index: PrototypeIndex, texts: list[str]) -> np.ndarray:
    """Seed vectors from the prototype cache when this embedder embedded these texts before.

    The cache is ``$VOCMINE_PROTOTYPE_CACHE``, else ``$VOCMINE_HOME/prototypes``.

    The key is a hash of the embedder's name and the texts, so another model or an edited
    taxonomy never reads stale vectors; an unwritable cache only costs the recomputation.
    """
    import hashlib
    import logging
    import os
    import uuid
    from pathlib import Path

    from vocmine.embed._paths import vocmine_home

    digest = hashlib.sha1("\0".join([index.embedder.name, *texts]).encode("utf-8", "surrogatepass")).hexdigest()
    root = os.environ.get("VOCMINE_PROTOTYPE_CACHE")
    path = (Path(root).expanduser() if root else vocmine_home() / "prototypes") / f"{digest[:24]}.npy"
    try:
        cached = np.load(path, allow_pickle=False)
        if cached.shape[0] == len(texts):
            return np.asarray(cached, dtype=np.float32)
    except (OSError, ValueError):
        pass
    seeds = index.embed(texts)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}-{uuid.uuid4().hex[:8]}.npy")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(tmp, seeds.astype(np.float32))
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        logging.getLogger(__name__).debug("prototype cache not written (%s)", exc)
    return seeds
