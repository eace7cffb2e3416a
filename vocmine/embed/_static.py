"""A fast static tier: e5 token vectors distilled into a lookup table (no torch).

``StaticEmbedder`` tokenises with the e5 SentencePiece vocabulary (restricted
to the shipped pieces), looks each token's precomputed vector up and averages
them (a sparse bag-of-pieces times table product; tokenisation is memoised
per whitespace-separated word, which is exact for this Metaspace pipeline);
the vectors were distilled from multilingual-e5-small (see
``models/e5-static/MODEL_CARD.md``): each piece encoded alone by the encoder,
PCA-reduced and pre-multiplied by a SIF weight ``a / (a + p(piece))``. It runs
thousands of texts per second on one core with only ``tokenizers``, numpy and scipy,
at a clear quality cost compared with the full encoder; it lives in its own
vector space (``name = "e5-static"``), not e5's.

Examples:
    >>> from vocmine.embed import StaticEmbedder
    >>> emb = StaticEmbedder()  # doctest: +SKIP
    >>> emb.embed(["Delivery was late", "Dostawa się spóźniła"]).shape  # doctest: +SKIP
    (2, 256)
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vocmine.embed._paths import MANIFEST_NAME, STATIC_MODEL_NAME, cache_dir, env_model_dir, repo_models_dir
from vocmine.embed._util import check_texts
from vocmine.errors import MissingDependencyError, ModelNotFoundError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["StaticEmbedder", "locate_static_model", "STATIC_FILES"]

logger = logging.getLogger(__name__)

#: Files of a static model directory.
STATIC_FILES = ("embeddings.npy", "tokenizer.json", MANIFEST_NAME)


def locate_static_model(path: str | Path | None = None) -> Path:
    """Find the static model: ``path`` -> ``$VOCMINE_MODEL_DIR/e5-static`` -> the
    ``models/e5-static`` folder of the source tree -> the vocmine cache.

    Raises:
        ModelNotFoundError: none of them holds a complete model.

    Examples:
        >>> locate_static_model().name  # doctest: +SKIP
        'e5-static'
    """
    candidates = [Path(path).expanduser()] if path is not None else []
    if path is None:
        env_dir = env_model_dir(STATIC_MODEL_NAME)
        candidates += [env_dir] if env_dir is not None else []
        candidates += [repo_models_dir() / STATIC_MODEL_NAME, cache_dir(STATIC_MODEL_NAME)]
    for cand in candidates:
        if all((cand / f).is_file() for f in STATIC_FILES):
            return cand
    raise ModelNotFoundError(
        f"[E008] static e5 model not found: expected {', '.join(STATIC_FILES)} in one of "
        f"{[str(c) for c in candidates]}, got none. Fix: pass path= to the models/e5-static folder "
        "of a vocmine checkout, or regenerate it with: python -m vocmine.embed.build_static."
    )


class StaticEmbedder:
    """Mean of distilled e5 token vectors: very fast, torch-free sentence vectors.

    Args:
        path: model directory (``embeddings.npy``, ``tokenizer.json``,
            ``vocmine_model.json``); ``None`` resolves it with :func:`locate_static_model`.
        normalize: L2-normalise vectors.
        chunk_size: texts per vectorised gather (bounds temporary memory).
        max_cached_words: size bound of the word -> token-ids memo (cleared when full).
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        normalize: bool = True,
        chunk_size: int = 512,
        max_cached_words: int = 200_000,
    ) -> None:
        self.path = locate_static_model(path)
        self.normalize = normalize
        self.chunk_size = chunk_size
        self.max_cached_words = max_cached_words
        # word -> its token ids as packed int32 bytes: ~5x smaller than a tuple of ints (a 30-piece
        # Chinese clause costs ~150 bytes, not ~1.1 kB), and joined without a Python int per piece
        self._word_ids: dict[str, bytes] = {}
        self._bare_meta: bytes = b""
        self.manifest: dict[str, Any] = json.loads((self.path / MANIFEST_NAME).read_text("utf-8"))
        self.name: str = self.manifest.get("name", STATIC_MODEL_NAME)
        self._table: np.ndarray | None = None
        self._sparse: Any = None
        self._tok: Any = None
        self._unk = -1

    @property
    def dim(self) -> int:
        """Vector dimension (from the manifest)."""
        return int(self.manifest["dim"])

    def _load(self) -> None:
        if self._table is not None:
            return
        try:
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover
            raise MissingDependencyError(
                "[E007] StaticEmbedder needs 'tokenizers', which is not installed. Fix: pip install tokenizers."
            ) from exc
        self._tok = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        unk = self._tok.token_to_id("<unk>")
        self._unk = -1 if unk is None else unk
        meta = self._tok.token_to_id("▁")
        self._bare_meta = b"" if meta is None else np.asarray([meta], dtype=np.int32).tobytes()
        try:
            import scipy.sparse
        except ImportError as exc:  # pragma: no cover - scipy comes with scikit-learn
            raise MissingDependencyError(
                "[E007] StaticEmbedder needs 'scipy', which is not installed. Fix: pip install scipy."
            ) from exc
        self._sparse = scipy.sparse
        self._table = np.ascontiguousarray(np.load(self.path / "embeddings.npy").astype(np.float32))

    def _token_ids(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Flat token ids and per-text lengths, through a word -> ids cache.

        Equivalent to ``tokenizer.encode_batch`` (verified on every evaluation set):
        the normaliser runs per text, then the Metaspace split makes every
        space-separated word an independent Viterbi problem, so word results
        can be memoised. A trailing space becomes a bare ``▁`` piece.
        """
        norm = self._tok.normalizer
        split = [norm.normalize_str(t).split(" ") for t in texts]
        for words in split:
            if words[0] == "":  # a leading space merges into the first word's "▁"
                del words[0]
        cache = self._word_ids
        missing = sorted({w for words in split for w in words if w not in cache})
        if missing and len(cache) + len(missing) > self.max_cached_words:
            # Start afresh: the words of this batch that were cached go too,
            # so every word of the batch is (re-)encoded below.
            cache.clear()
            missing = sorted({w for words in split for w in words})
        if missing:
            encs = self._tok.encode_batch(missing, add_special_tokens=False)
            for word, enc in zip(missing, encs):
                cache[word] = np.asarray(enc.ids, dtype=np.int32).tobytes() if word else self._bare_meta
        rows = [b"".join(map(cache.__getitem__, words)) for words in split]
        lengths = np.fromiter((len(r) // 4 for r in rows), dtype=np.int64, count=len(rows))
        return np.frombuffer(b"".join(rows), dtype=np.int32).astype(np.int64), lengths

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """Embed ``texts`` into ``(n, dim)`` float32 vectors (``batch_size`` is ignored).

        A text with no known token (e.g. empty) gets the zero vector.

        Examples:
            >>> emb = StaticEmbedder()  # doctest: +SKIP
            >>> emb.embed(["", "ok"]).shape  # doctest: +SKIP
            (2, 256)
        """
        items = check_texts(texts)
        self._load()
        assert self._table is not None
        table = self._table
        out = np.zeros((len(items), table.shape[1]), dtype=np.float32)
        for c0 in range(0, len(items), self.chunk_size):
            chunk = items[c0 : c0 + self.chunk_size]
            ids, lengths = self._token_ids(chunk)
            if not ids.size:
                continue
            known = (ids != self._unk).astype(np.float32)  # unknown pieces weigh 0
            indptr = np.concatenate([[0], np.cumsum(lengths)])
            bag = self._sparse.csr_matrix((known, ids, indptr), shape=(len(chunk), table.shape[0]))
            counts = np.asarray(bag.sum(axis=1)).ravel()
            out[c0 : c0 + len(chunk)] = (bag @ table) / np.maximum(counts, 1.0)[:, None]
        if self.normalize:
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            return (out / np.where(norms > 0, norms, 1.0)).astype(np.float32)
        return out

    def __repr__(self) -> str:
        return f"StaticEmbedder({str(self.path)!r})"
