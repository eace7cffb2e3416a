"""Model-free token embedder for the aspect-term tests (word/punctuation tokens, exact offsets).

The first three dimensions are deterministic features (is a word, is capitalised, length),
the rest a hash of the lower-cased token, so a tiny term model can learn "words are aspects"
and apply it to any text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)


class Tokens(NamedTuple):
    offsets: np.ndarray
    vectors: np.ndarray


def _vec(token: str, dim: int) -> np.ndarray:
    digest = hashlib.blake2b(token.lower().encode("utf-8", "surrogatepass"), digest_size=4).digest()
    vec = np.random.default_rng(int.from_bytes(digest, "little")).standard_normal(dim).astype(np.float32)
    vec[0] = 3.0 if token[0].isalnum() or token[0] == "_" else -3.0
    vec[1] = 1.0 if token[0].isupper() else 0.0
    vec[2] = min(len(token), 20) / 10.0
    return vec


class FakeTokenEmbedder:
    """An ``Embedder`` with ``token_embeddings``; counts ``token_embeddings`` calls."""

    name = "fake-tokens"

    def __init__(self, dim: int = 16) -> None:
        self._dim = dim
        self.calls = 0

    @property
    def dim(self) -> int:
        return self._dim

    def token_embeddings(self, texts: Sequence[str], *, batch_size: int = 32) -> list[Tokens]:
        self.calls += 1
        out = []
        for text in texts:
            spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
            vecs = [_vec(text[s:e], self._dim) for s, e in spans]
            out.append(Tokens(np.asarray(spans, dtype=np.int64).reshape(-1, 2),
                              np.stack(vecs) if vecs else np.zeros((0, self._dim), np.float32)))
        return out

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for i, tv in enumerate(self.token_embeddings(texts)):
            if len(tv.vectors):
                v = tv.vectors.mean(axis=0)
                out[i] = v / max(float(np.linalg.norm(v)), 1e-12)
        return out


class NoTokens:
    """An embedder without ``token_embeddings`` (sentence vectors only)."""

    name = "sentence-only"
    dim = 4

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        return np.ones((len(texts), 4), dtype=np.float32) / 2.0
