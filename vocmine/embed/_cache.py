"""An in-memory LRU cache in front of any :class:`~vocmine.types.Embedder`.

Stages (topics, touchpoints, aspects...) often embed the same texts; wrapping
the pipeline's embedder in :class:`CachedEmbedder` makes every text cost one
forward pass per process. Keys are ``sha1(inner.name + "\\0" + text)``, so two
embedders with different vector spaces never share entries.

Examples:
    >>> import numpy as np
    >>> class Lengths:
    ...     name, dim, calls = "len", 2, 0
    ...     def embed(self, texts, *, batch_size=32):
    ...         self.calls += len(texts)
    ...         return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)
    >>> inner = Lengths()
    >>> cached = CachedEmbedder(inner)
    >>> cached.embed(["ab", "abc", "ab"]).tolist()
    [[2.0, 1.0], [3.0, 1.0], [2.0, 1.0]]
    >>> _ = cached.embed(["abc"]); inner.calls, cached.hits, cached.misses
    (2, 2, 2)
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import numpy as np

from vocmine.embed._util import accepts_keyword, check_texts
from vocmine.errors import ConfigError, VocmineError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from vocmine.types import Embedder

__all__ = ["CachedEmbedder"]


class CachedEmbedder:
    """Memoise ``inner.embed`` per text (least recently used entries are evicted).

    Args:
        inner: the embedder to wrap.
        max_items: cache capacity in texts (384-d float32: ~1.5 kB each, so the
            default 200,000 is ~300 MB at most).

    Attributes:
        hits: texts served from the cache (duplicates within one call count as hits).
        misses: texts sent to ``inner``.
    """

    def __init__(self, inner: Embedder, *, max_items: int = 200_000) -> None:
        if max_items < 1:
            raise ConfigError(f"[E004] max_items must be >= 1, got {max_items}. Fix: max_items=200_000.")
        self.inner = inner
        self.max_items = max_items
        self.hits = 0
        self.misses = 0
        self._store: OrderedDict[bytes, np.ndarray] = OrderedDict()

    @property
    def name(self) -> str:
        """The inner embedder's name (the cache does not change the vector space)."""
        return self.inner.name

    @property
    def dim(self) -> int:
        """The inner embedder's dimension."""
        return self.inner.dim

    def __len__(self) -> int:
        return len(self._store)

    def __getattr__(self, attr: str) -> Any:
        # Token states (for aspect extraction) exist only when the inner embedder has them, so
        # ``hasattr(cached, "token_embeddings")`` answers for the wrapped model.
        inner = self.__dict__.get("inner")
        if attr == "token_embeddings" and inner is not None and hasattr(inner, attr):
            return self._token_embeddings
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {attr!r}")

    def _token_embeddings(
        self, texts: Sequence[str], *, batch_size: int = 32, layer: int | Sequence[int] | None = None
    ) -> list[Any]:
        """The inner token states (not cached: they are large); when the inner embedder offers
        ``embed_with_tokens``, the text vectors of the same forward pass are cached, so a later
        ``embed`` of these texts (sentence sentiment, category context) costs nothing. ``layer``
        is passed on only when given (embedders without layers need not accept it)."""
        extra: dict[str, Any] = {} if layer is None else {"layer": layer}
        both = getattr(self.inner, "embed_with_tokens", None)
        if layer is not None and not accepts_keyword(both if callable(both) else self.inner.token_embeddings, "layer"):  # type: ignore[attr-defined]
            raise ConfigError(
                f"[E006] {self.inner.name} returns token states of its last layer only (no layer= argument); "
                f"layer {layer} was asked for. Fix: use an embedder whose token_embeddings() takes layer=."
            )
        if not callable(both):
            tokens: list[Any] = self.inner.token_embeddings(texts, batch_size=batch_size, **extra)  # type: ignore[attr-defined]
            return tokens
        vecs, tokens = both(texts, batch_size=batch_size, **extra)
        items = check_texts(texts)
        if len(vecs) != len(items) or len(tokens) != len(items):
            raise VocmineError(
                f"[E013] {self.inner.name}.embed_with_tokens returned {len(vecs)} vectors and {len(tokens)} token "
                f"lists for {len(items)} texts; expected one each."
            )
        for text, vec in zip(items, np.asarray(vecs, dtype=np.float32)):
            key = self._key(text)
            self._store[key] = vec.copy()
            self._store.move_to_end(key)
        while len(self._store) > self.max_items:
            self._store.popitem(last=False)
        return list(tokens)

    def clear(self) -> None:
        """Drop every cached vector (the hit/miss counters are kept)."""
        self._store.clear()

    def _key(self, text: str) -> bytes:
        return hashlib.sha1(f"{self.inner.name}\0{text}".encode("utf-8", "surrogatepass")).digest()

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """Return ``(n, dim)`` float32 vectors, computing only texts not seen before.

        Examples:
            >>> import numpy as np
            >>> class Ones:
            ...     name, dim = "ones", 3
            ...     def embed(self, texts, *, batch_size=32):
            ...         return np.ones((len(texts), 3), dtype=np.float32)
            >>> CachedEmbedder(Ones()).embed(["x", "y"]).shape
            (2, 3)
        """
        items = check_texts(texts)
        keys = [self._key(t) for t in items]
        todo: dict[bytes, str] = {}
        for key, text in zip(keys, items):
            if key in self._store:
                self._store.move_to_end(key)
            elif key not in todo:
                todo[key] = text
        self.misses += len(todo)
        self.hits += len(items) - len(todo)
        fresh: dict[bytes, np.ndarray] = {}
        if todo:
            vecs = np.asarray(self.inner.embed(list(todo.values()), batch_size=batch_size), dtype=np.float32)
            if vecs.ndim != 2 or vecs.shape[0] != len(todo):
                raise VocmineError(
                    f"[E013] {self.inner.name} returned an array of shape {vecs.shape} for "
                    f"{len(todo)} texts; expected ({len(todo)}, dim)."
                )
            for key, vec in zip(todo, vecs):
                fresh[key] = self._store[key] = vec.copy()
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.stack([fresh[k] if k in fresh else self._store[k] for k in keys])
        while len(self._store) > self.max_items:
            self._store.popitem(last=False)
        return out.astype(np.float32, copy=False)

    def __repr__(self) -> str:
        return f"CachedEmbedder({self.inner!r}, max_items={self.max_items}, size={len(self)})"
