"""Embedders over users' own local transformers / sentence-transformers models.

Both read local directories only (``local_files_only=True``; vocmine never
downloads) and import torch lazily, on the first call that needs the model.

Examples:
    >>> from vocmine.embed import TransformersEmbedder
    >>> emb = TransformersEmbedder("/models/my-finetuned-e5", prefix="query: ")  # doctest: +SKIP
    >>> emb.embed(["Delivery was late", "Dostawa się spóźniła"]).shape  # doctest: +SKIP
    (2, 384)
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vocmine.embed._util import TokenVectors, check_texts, l2_normalize, stack_or_empty, trim_offsets
from vocmine.errors import ConfigError, MissingDependencyError, ModelNotFoundError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["TransformersEmbedder", "SentenceTransformersEmbedder"]

logger = logging.getLogger(__name__)


def _existing_dir(model_path: str | Path, what: str) -> Path:
    path = Path(model_path).expanduser()
    if not (path.is_dir() and ((path / "config.json").is_file() or (path / "modules.json").is_file())):
        raise ModelNotFoundError(
            f"[E008] {what} model not found: expected a local directory with config.json "
            f"(or modules.json), got {str(path)!r}. Fix: pass the path of a model saved with "
            "save_pretrained() / SentenceTransformer.save(); vocmine never downloads models."
        )
    return path


class TransformersEmbedder:
    """Sentence vectors from a local ``transformers`` encoder (mean or CLS pooling).

    Long inputs are split into windows of ``max_length`` tokens (specials
    included); a text's vector is the token-count-weighted mean of its window
    vectors, then L2-normalised, which for mean pooling equals pooling over the
    whole text up to windowed attention.

    Args:
        model_path: local model directory.
        pooling: ``"mean"`` over the attention mask (specials included) or ``"cls"``.
        prefix: string prepended to every text (``"query: "`` for e5 models).
        device: ``"auto"`` (CUDA when available), ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"mps"``.
        int8: dynamic int8 quantisation of the Linear layers on CPU.
        max_length: tokens per window, specials included.
        batch_size: default number of windows per forward pass.
        normalize: L2-normalise sentence vectors.
        num_threads: torch intra-op threads during calls (``None``: leave torch's setting).
        name: vector-space name (defaults to ``"transformers:<dir name>"``).
    """

    _prefer_raw_tokenizer = False
    _half_embeddings = False
    _bert_no_pooler = False

    #: On CPU a forward pass also holds at most this many padded tokens (``batch_size``
    #: windows of short texts, fewer of long ones): a batch's activations then stay in
    #: the CPU cache (see :func:`vocmine.embed._torch.token_batches`). ``None``: count only.
    max_batch_tokens: int | None = 4096

    def __init__(
        self,
        model_path: str | Path | None,
        *,
        pooling: str = "mean",
        prefix: str = "",
        device: str = "auto",
        int8: bool = False,
        max_length: int = 512,
        batch_size: int = 32,
        normalize: bool = True,
        num_threads: int | None = None,
        name: str | None = None,
    ) -> None:
        if pooling not in ("mean", "cls"):
            raise ConfigError(f"[E004] pooling must be 'mean' or 'cls', got {pooling!r}. Fix: pooling='mean'.")
        if max_length < 8 or batch_size < 1:
            raise ConfigError(
                f"[E004] max_length must be >= 8 and batch_size >= 1, got {max_length} and "
                f"{batch_size}. Fix: use the defaults (512, 32)."
            )
        self.model_path = self._validate_path(model_path)
        self.pooling = pooling
        self.prefix = prefix
        self.device = device
        self.int8 = int8
        self.max_length = max_length
        self.batch_size = batch_size
        self.normalize = normalize
        self.num_threads = num_threads
        self._name = name
        self._model: Any = None
        self._tok: Any = None
        self._device: str | None = None
        self._taps: list[Any] = []

    # -- identity -------------------------------------------------------------
    @property
    def name(self) -> str:
        """Vector-space name; ``-int8`` is appended when the quantised CPU path runs."""
        base = self._name or f"transformers:{self._model_dir().name}"
        return base + ("-int8" if self._quantized else "")

    @name.setter
    def name(self, value: str) -> None:
        self._name = value

    @property
    def _quantized(self) -> bool:
        return self.int8 and self.resolved_device == "cpu"

    @property
    def resolved_device(self) -> str:
        """The device the model runs on (imports torch)."""
        if self._device is None:
            from vocmine.embed._torch import resolve_device

            self._device = resolve_device(self.device)
        return self._device

    @property
    def batch_tokens(self) -> int | None:
        """Padded tokens per forward pass: ``max_batch_tokens`` on CPU, unbounded (``None``) elsewhere."""
        return self.max_batch_tokens if self.resolved_device == "cpu" else None

    @property
    def dim(self) -> int:
        """Vector dimension, read from ``config.json`` (no model load)."""
        from vocmine.embed._torch import read_json

        config = read_json(self._model_dir() / "config.json")
        for key in ("hidden_size", "d_model", "dim"):
            if key in config:
                return int(config[key])
        raise ConfigError(f"[E004] cannot read the hidden size from {self._model_dir() / 'config.json'}.")

    # -- loading --------------------------------------------------------------
    def _validate_path(self, model_path: str | Path | None) -> Path | None:
        if model_path is None:
            raise ConfigError("[E004] model_path is required. Fix: pass a local model directory.")
        return _existing_dir(model_path, "transformers")

    def _model_dir(self) -> Path:
        assert self.model_path is not None
        return self.model_path

    def _load(self) -> None:
        if self._model is not None:
            return
        from vocmine.embed._torch import TokenizerAdapter, load_encoder, thread_limit

        path = self._model_dir()
        with thread_limit(self.num_threads):
            self._tok = TokenizerAdapter.from_dir(path, prefer_raw=self._prefer_raw_tokenizer)
            self._model = load_encoder(
                path,
                device=self.resolved_device,
                half_embeddings=self._half_embeddings,
                bert_no_pooler=self._bert_no_pooler,
            )
            if self._quantized:
                self._model = self._quantize(self._model)
        logger.info("loaded %s on %s", self.name, self.resolved_device)

    def _quantize(self, model: Any) -> Any:
        """Generic int8 recipe: per-channel dynamic quantisation of every Linear."""
        from vocmine.embed._int8 import smooth_quantize

        return smooth_quantize(model, None)

    def _segments(self, texts: list[str]) -> tuple[list[list[int]], list[int], list[tuple[int, int]], Any]:
        from vocmine.embed._torch import windows

        ids, offsets = self._tok.encode([self.prefix + t for t in texts])
        head, tail = self._tok.head, self._tok.tail
        size = self.max_length - len(head) - len(tail)
        segs: list[list[int]] = []
        owner: list[int] = []
        spans: list[tuple[int, int]] = []
        for i, content in enumerate(ids):
            for a, b in windows(len(content), size):
                segs.append(head + content[a:b] + tail)
                owner.append(i)
                spans.append((a, b))
        return segs, owner, spans, offsets

    def _run(
        self, segs: list[list[int]], batch_size: int | None, *, keep_hidden: bool, layers: tuple[int, ...] | None = None
    ) -> list[np.ndarray]:
        from vocmine.embed._torch import run_segments, thread_limit

        with thread_limit(self.num_threads):
            return run_segments(
                self._model,
                segs,
                pad_id=self._tok.pad_id,
                batch_size=batch_size or self.batch_size,
                device=self.resolved_device,
                pooling=self.pooling,
                keep_hidden=keep_hidden,
                layers=layers,
                max_tokens=self.batch_tokens,
            )

    # -- public API -----------------------------------------------------------
    def embed(self, texts: Sequence[str], *, batch_size: int | None = None) -> np.ndarray:
        """Embed ``texts`` into an ``(n, dim)`` float32 array (rows L2-normalised).

        Examples:
            >>> emb = TransformersEmbedder("/models/e5")  # doctest: +SKIP
            >>> emb.embed(["a", "b"]).shape  # doctest: +SKIP
            (2, 384)
        """
        items = check_texts(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        self._load()
        segs, owner, spans, _ = self._segments(items)
        pooled = self._run(segs, batch_size, keep_hidden=False)
        return self._combine(pooled, owner, spans, len(items))

    def _combine(self, pooled: list[np.ndarray], owner: list[int], spans: list[tuple[int, int]], n: int) -> np.ndarray:
        """Text vectors: the token-count-weighted mean of each text's window vectors (then normalised)."""
        dim = pooled[0].shape[0]
        acc = np.zeros((n, dim), dtype=np.float64)
        weight = np.zeros(n, dtype=np.float64)
        for vec, i, (a, b) in zip(pooled, owner, spans):
            w = max(b - a, 1)
            acc[i] += w * vec
            weight[i] += w
        acc /= weight[:, None]
        return l2_normalize(acc) if self.normalize else acc.astype(np.float32)

    def _hidden_layers(self, layer: int | Sequence[int] | None) -> tuple[int, ...] | None:
        """``layer`` as indices into ``hidden_states`` of the loaded model, or ``None`` for the last layer alone."""
        if layer is None:
            return None
        n = int(self._model.config.num_hidden_layers)
        wanted = (layer,) if isinstance(layer, int) else tuple(layer) if isinstance(layer, (list, tuple)) else ()
        if not wanted or any(isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= n for k in wanted):
            raise ConfigError(
                f"[E004] layer must be an int from 0 (embeddings) to {n} (the last layer), or a list of them, for "
                f"{self.name}; got {layer!r}. Fix: pass layer=None for the last layer."
            )
        return None if wanted == (n,) else wanted

    def add_tap(self, tap: Any) -> None:
        """Hand the states of layer ``tap.start`` of every :meth:`embed_with_tokens` pass to ``tap``.

        A fine-tuned branch of this encoder (:class:`vocmine.embed._branch.BranchEmbedder`,
        the default sentiment model's) taps the pass the aspect tagger makes anyway, so the
        lower layers run once per sentence: ``tap.feed(texts, states, owner, spans)`` gets,
        per window, the ``(len, dim)`` states with special tokens.
        """
        if all(t is not tap for t in self._taps):
            self._taps.append(tap)

    def token_embeddings(
        self, texts: Sequence[str], *, batch_size: int | None = None, layer: int | Sequence[int] | None = None
    ) -> list[TokenVectors]:
        """Per-token hidden states with character offsets into each original text.

        The prefix and special tokens are dropped, as are tokens that cover only
        whitespace (e.g. a bare SentencePiece ``▁``). ``layer`` picks the encoder layer
        the states come from (``None``: the last; 0 = the embedding layer); a list of
        layers gives their states side by side (``dim * len(layer)`` wide).

        Examples:
            >>> emb = TransformersEmbedder("/models/e5", prefix="query: ")  # doctest: +SKIP
            >>> offsets, vectors = emb.token_embeddings(["Slow delivery"])[0]  # doctest: +SKIP
            >>> offsets.tolist()  # doctest: +SKIP
            [[0, 4], [5, 13]]
        """
        return self.embed_with_tokens(texts, batch_size=batch_size, layer=layer)[1]

    def embed_with_tokens(
        self, texts: Sequence[str], *, batch_size: int | None = None, layer: int | Sequence[int] | None = None
    ) -> tuple[np.ndarray, list[TokenVectors]]:
        """``(embed(texts), token_embeddings(texts, layer=layer))`` from ONE forward pass.

        The text vectors are pooled from the last layer of the same forward pass the token
        vectors come from, so a caller that needs both (aspect terms and sentence sentiment)
        pays once.

        Examples:
            >>> vecs, tokens = TransformersEmbedder("/models/e5").embed_with_tokens(["Slow"])  # doctest: +SKIP
            >>> vecs.shape, len(tokens)  # doctest: +SKIP
            ((1, 384), 1)
        """
        items = check_texts(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32), []
        self._load()
        if not self._tok.offsets_supported:
            raise ConfigError(
                "[E004] token_embeddings needs a fast (Rust) tokenizer with offset mapping; "
                f"the tokenizer in {self._model_dir()} is a slow one. Fix: save the model with a "
                "tokenizer.json (a fast tokenizer)."
            )
        layers = self._hidden_layers(layer)
        segs, owner, spans, offsets = self._segments(items)
        tapped = tuple(sorted({int(t.start) for t in self._taps}))
        asked = (layers or ()) + tapped
        both = self._run(segs, batch_size, keep_hidden=True, layers=asked or None)
        width = both[0].shape[1] // (1 + len(asked))
        last = [h[:, :width] for h in both]
        hidden = [h[:, width : width * (1 + len(layers))] for h in both] if layers else last
        for tap in self._taps:
            col = width * (1 + len(layers or ()) + tapped.index(int(tap.start)))
            tap.feed(items, [h[:, col : col + width] for h in both], owner, spans)
        # pooled exactly as run_segments pools: mean over every real position (specials included), or CLS
        pooled = [h[0] if self.pooling == "cls" else h.mean(axis=0, dtype=np.float64).astype(np.float32) for h in last]
        vectors = self._combine(pooled, owner, spans, len(items))
        n_head = len(self._tok.head)
        per_text: list[list[np.ndarray]] = [[] for _ in items]
        for h, i, (a, b) in zip(hidden, owner, spans):
            per_text[i].append(h[n_head : n_head + (b - a)])
        dim = hidden[0].shape[1]
        out = []
        for i, text in enumerate(items):
            vecs = np.concatenate(per_text[i]) if per_text[i] else np.zeros((0, dim), np.float32)
            keep, kept_spans = trim_offsets(text, offsets[i], len(self.prefix))
            out.append(
                TokenVectors(
                    offsets=np.asarray(kept_spans, dtype=np.int64).reshape(-1, 2),
                    vectors=stack_or_empty([vecs[k] for k in keep], dim),
                )
            )
        return vectors, out

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({str(self.model_path)!r}, pooling={self.pooling!r}, "
            f"prefix={self.prefix!r}, device={self.device!r}, int8={self.int8})"
        )


class SentenceTransformersEmbedder:
    """Sentence vectors from a local ``sentence-transformers`` model directory.

    Args:
        model_path: directory saved by ``SentenceTransformer.save`` (has ``modules.json``).
        prefix: string prepended to every text.
        device: ``"auto"``, ``"cpu"``, ``"cuda"``...
        batch_size: default batch size.
        normalize: L2-normalise vectors.
        name: vector-space name (defaults to ``"sentence-transformers:<dir name>"``).
    """

    def __init__(
        self,
        model_path: str | Path,
        *,
        prefix: str = "",
        device: str = "auto",
        batch_size: int = 32,
        normalize: bool = True,
        name: str | None = None,
    ) -> None:
        self.model_path = _existing_dir(model_path, "sentence-transformers")
        self.prefix = prefix
        self.device = device
        self.batch_size = batch_size
        self.normalize = normalize
        self.name = name or f"sentence-transformers:{self.model_path.name}"
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            from vocmine.embed._torch import resolve_device

            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise MissingDependencyError(
                    "[E007] SentenceTransformersEmbedder needs 'sentence-transformers', which is not "
                    "installed. Fix: pip install sentence-transformers."
                ) from exc
            self._model = SentenceTransformer(
                str(self.model_path), device=resolve_device(self.device), local_files_only=True
            )
        return self._model

    @property
    def dim(self) -> int:
        """Vector dimension (loads the model)."""
        return int(self._load().get_sentence_embedding_dimension())

    def embed(self, texts: Sequence[str], *, batch_size: int | None = None) -> np.ndarray:
        """Embed ``texts`` into an ``(n, dim)`` float32 array.

        Examples:
            >>> emb = SentenceTransformersEmbedder("/models/my-st-model")  # doctest: +SKIP
            >>> emb.embed(["hello"]).shape  # doctest: +SKIP
            (1, 384)
        """
        items = check_texts(texts)
        model = self._load()
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = model.encode(
            [self.prefix + t for t in items],
            batch_size=batch_size or self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=self.normalize,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.model_path)!r}, prefix={self.prefix!r})"
