"""Disk cache of encoder token states for the aspect benchmarks (``/tmp/vocmine_cache/aspects``).

``CachedTokenEmbedder`` wraps the default :class:`vocmine.embed.E5Embedder` and satisfies the
``Embedder`` Protocol plus ``token_embeddings``; every text it encodes is stored once, with
the hidden states of several encoder layers (``LAYERS``), so head training and benchmarks
never encode a sentence twice. ``layer=12`` returns exactly what
``E5Embedder.token_embeddings`` returns (checked by ``check_equivalence``).
"""

from __future__ import annotations

import logging
import pickle
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._aspect_data import cache_root, text_hash

LAYERS = (6, 9, 12)
SHARD = 256

logger = logging.getLogger(__name__)


def encode_layers(emb: Any, texts: list[str], *, layers: tuple[int, ...] = LAYERS, batch_size: int = 32) -> list[dict]:
    """Token offsets and the hidden states of ``layers`` for each text (windowed like the embedder)."""
    import torch

    from vocmine.embed._util import trim_offsets

    emb._load()
    segs, owner, spans, offsets = emb._segments(texts)
    order = sorted(range(len(segs)), key=lambda i: -len(segs[i]))
    hidden: list[dict[int, np.ndarray] | None] = [None] * len(segs)
    with torch.inference_mode():
        for b0 in range(0, len(order), batch_size):
            idx = order[b0 : b0 + batch_size]
            width = max(len(segs[i]) for i in idx)
            ids = torch.full((len(idx), width), emb._tok.pad_id, dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for row, i in enumerate(idx):
                ids[row, : len(segs[i])] = torch.tensor(segs[i])
                mask[row, : len(segs[i])] = 1
            out = emb._model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
            states = {k: out.hidden_states[k].float().numpy() for k in layers}
            for row, i in enumerate(idx):
                hidden[i] = {k: v[row, : len(segs[i])] for k, v in states.items()}
    n_head = len(emb._tok.head)
    per_text: list[list[dict[int, np.ndarray]]] = [[] for _ in texts]
    for h, i, (a, b) in zip(hidden, owner, spans):
        per_text[i].append({k: v[n_head : n_head + (b - a)] for k, v in h.items()})
    result = []
    for i, text in enumerate(texts):
        keep, kept = trim_offsets(text, offsets[i], len(emb.prefix))
        rec = {"offsets": np.asarray(kept, dtype=np.int32).reshape(-1, 2)}
        for k in layers:
            full = np.concatenate([p[k] for p in per_text[i]]) if per_text[i] else np.zeros((0, 384), np.float32)
            rec[k] = full[keep].astype(np.float16) if keep else np.zeros((0, full.shape[1]), np.float16)
        result.append(rec)
    return result


def parse_layers(layer: int | str | Sequence[int]) -> tuple[int, ...]:
    """``9``, ``"9,12"`` or ``(9, 12)`` -> a tuple of cached layers (``ValueError`` for others)."""
    if isinstance(layer, str):
        wanted = tuple(int(k) for k in layer.split(","))
    elif isinstance(layer, int):
        wanted = (layer,)
    else:
        wanted = tuple(int(k) for k in layer)
    if not wanted or any(k not in LAYERS for k in wanted):
        raise ValueError(f"layer {layer!r} is not cached (cached: {LAYERS})")
    return wanted


class CachedTokenEmbedder:
    """An ``Embedder`` with ``token_embeddings`` whose token states come from a disk cache.

    Args:
        layer: which encoder layer ``token_embeddings`` returns (one of ``LAYERS``), or a tuple of
            them (their states side by side).
        root: cache folder.
    """

    def __init__(self, *, layer: int | tuple[int, ...] = 12, root: Path | None = None) -> None:
        from vocmine.embed._e5 import E5Embedder

        self.layer = layer
        self.inner = E5Embedder(device="cpu")
        # states depend on the exact encoder build (the int8 recipe has a name of its own)
        self.root = root or cache_root() / "tokens" / self.inner.name
        self.root.mkdir(parents=True, exist_ok=True)
        self._store: dict[str, dict] = {}
        self._loaded: set[str] = set()
        self._sent_path = self.root / "sentence_vectors.pkl"
        self._sent: dict[str, np.ndarray] | None = None
        self.encoded = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return 384

    def _load_shards(self) -> None:
        for path in sorted(self.root.glob("shard_*.pkl")):
            if path.name in self._loaded:
                continue
            with path.open("rb") as fh:
                self._store.update(pickle.load(fh))
            self._loaded.add(path.name)

    def ensure(self, texts: list[str], *, log_every: int = 1024) -> None:
        """Encode and store every text not yet in the cache."""
        self._load_shards()
        todo = sorted({t for t in texts if text_hash(t) not in self._store}, key=len)
        t0 = time.time()
        for s0 in range(0, len(todo), SHARD):
            chunk = todo[s0 : s0 + SHARD]
            recs = encode_layers(self.inner, chunk)
            shard = {text_hash(t): r for t, r in zip(chunk, recs)}
            path = self.root / f"shard_{time.time_ns()}.pkl"
            tmp = path.with_suffix(".tmp")
            with tmp.open("wb") as fh:
                pickle.dump(shard, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.rename(path)
            self._loaded.add(path.name)
            self._store.update(shard)
            self.encoded += len(chunk)
            if (s0 // SHARD) % max(1, log_every // SHARD) == 0:
                logger.info("encoded %d/%d texts (%.1f/s)", s0 + len(chunk), len(todo), (s0 + len(chunk)) / (time.time() - t0))

    def record(self, text: str) -> dict:
        """The cached record of ``text`` (offsets + layer states), encoding it if needed."""
        key = text_hash(text)
        if key not in self._store:
            self.ensure([text])
        return self._store[key]

    def token_embeddings(self, texts: list[str], *, batch_size: int | None = None, layer: int | None = None) -> list:
        """Cached token states of ``layer`` (default: the layer given at construction)."""
        from vocmine.embed._util import TokenVectors

        wanted = parse_layers(self.layer if layer is None else layer)
        self.ensure(list(texts))
        out = []
        for t in texts:
            r = self._store[text_hash(t)]
            vectors = np.concatenate([r[k] for k in wanted], axis=1) if len(wanted) > 1 else r[wanted[0]]
            out.append(TokenVectors(offsets=r["offsets"].astype(np.int64), vectors=vectors.astype(np.float32)))
        return out

    def embed(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray:
        """Sentence vectors of the real encoder, cached by text (used by the CategoryMapper)."""
        if self._sent is None:
            self._sent = pickle.loads(self._sent_path.read_bytes()) if self._sent_path.is_file() else {}
        todo = sorted({t for t in texts if t not in self._sent})
        if todo:
            vecs = self.inner.embed(todo, batch_size=64)
            self._sent.update(zip(todo, vecs))
            tmp = self._sent_path.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(self._sent, protocol=pickle.HIGHEST_PROTOCOL))
            tmp.rename(self._sent_path)
        if not texts:
            return np.zeros((0, 384), np.float32)
        return np.stack([self._sent[t] for t in texts]).astype(np.float32)


def check_equivalence(texts: list[str]) -> float:
    """Max abs difference between cached layer-12 states and ``E5Embedder.token_embeddings``."""
    cached = CachedTokenEmbedder(layer=12)
    ours = encode_layers(cached.inner, texts)
    ref = cached.inner.token_embeddings(texts)
    worst = 0.0
    for o, r in zip(ours, ref):
        assert np.array_equal(o["offsets"], r.offsets), (o["offsets"], r.offsets)
        worst = max(worst, float(np.abs(o[12].astype(np.float32) - r.vectors).max()))
    return worst
