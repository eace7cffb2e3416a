"""A branch of a transformer encoder: its own lower layers, then fine-tuned copies of its top layers.

A task that fine-tunes the top ``n`` layers of the shared encoder (the sentiment
model does) does not need a second copy of the whole encoder: :class:`BranchEmbedder`
runs the shared, already loaded encoder up to layer ``start`` (``12 - n`` for a
12-layer model) and then the task's own layers, and pools them as the encoder
pools its last layer (mean over each window's tokens, windows weighted by length,
L2-normalised). The branch layers are stored as plain arrays (``top.<k>.<param>``)
in a numpy ``.npz`` file, so no pickle is ever loaded.

Examples:
    >>> from vocmine.embed import E5Embedder
    >>> from vocmine.embed._branch import BranchEmbedder
    >>> branch = BranchEmbedder(E5Embedder(), layers, start=8, tag="sentiment-top4")  # doctest: +SKIP
    >>> branch.embed(["Slow delivery"]).shape  # doctest: +SKIP
    (1, 384)
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import numpy as np

from vocmine._model_files import base_embedder_name
from vocmine.errors import ConfigError
from vocmine.embed._util import check_texts

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterator, Mapping, Sequence

    import torch

    from vocmine.embed._hf import TransformersEmbedder

__all__ = [
    "BranchEmbedder",
    "layer_arrays",
    "lower_batches",
    "lower_states",
    "pad_states",
    "pool_branch",
    "quantize_like",
    "require_transformers",
    "run_layers",
]


def _mask_for(model: Any, hidden: torch.Tensor, mask: torch.Tensor) -> Any:
    """The attention mask the encoder builds for its layers (padding masked out)."""
    from transformers.masking_utils import create_bidirectional_mask

    return create_bidirectional_mask(config=model.config, inputs_embeds=hidden, attention_mask=mask)


def run_layers(layers: Sequence[Any], hidden: torch.Tensor, mask4: Any) -> torch.Tensor:
    """Run ``hidden`` through transformer ``layers`` (each returns a tensor or a tuple)."""
    for layer in layers:
        out = layer(hidden, attention_mask=mask4)
        hidden = out[0] if isinstance(out, tuple) else out
    return hidden


def lower_states(base: TransformersEmbedder, segments: Sequence[list[int]], idx: list[int], start: int) -> Any:
    """``(hidden, mask)`` after the embeddings and the first ``start`` layers of ``base``'s encoder."""
    from vocmine.embed._torch import pad_ids

    model = base._model
    ids, mask = pad_ids(segments, idx, base._tok.pad_id)
    device = base.resolved_device
    ids, mask = ids.to(device), mask.to(device)
    hidden = model.embeddings(input_ids=ids)
    hidden = run_layers(model.encoder.layer[:start], hidden, _mask_for(model, hidden, mask))
    return hidden, mask


def lower_batches(base: TransformersEmbedder, segments: Sequence[list[int]], start: int,
                  batch_size: int) -> Iterator[tuple[list[int], Any, Any]]:
    """``(idx, hidden, mask)`` per batch of segments, longest first, after ``start`` encoder layers.

    Batches are bounded like the encoder's own (``base.batch_tokens``; see ``token_batches``).
    Runs under the encoder's thread limit, without autograd.
    """
    from vocmine.embed._torch import import_torch, thread_limit, token_batches

    torch = import_torch()
    with thread_limit(base.num_threads), torch.inference_mode():
        for idx in token_batches([len(s) for s in segments], batch_size, base.batch_tokens):
            hidden, mask = lower_states(base, segments, idx, start)
            yield idx, hidden, mask


def pad_states(states: Sequence[np.ndarray]) -> tuple[Any, Any]:
    """``(hidden, mask)``: per-window ``(len, dim)`` states right-padded into one float32 batch."""
    from vocmine.embed._torch import import_torch

    torch = import_torch()
    width = max(len(st) for st in states)
    hidden = torch.zeros((len(states), width, states[0].shape[1]), dtype=torch.float32)
    mask = torch.zeros((len(states), width), dtype=torch.long)
    for row, st in enumerate(states):
        hidden[row, : len(st)] = torch.from_numpy(np.asarray(st, dtype=np.float32))
        mask[row, : len(st)] = 1
    return hidden, mask


def pool_branch(layers: Sequence[Any], model: Any, hidden: Any, mask: Any) -> Any:
    """Run ``layers`` (with ``model``'s attention mask) and mean-pool each window over its tokens."""
    hidden = run_layers(layers, hidden, _mask_for(model, hidden, mask)).float()
    m = mask.to(hidden.dtype).unsqueeze(-1)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)


def layer_arrays(layers: Sequence[Any], prefix: str = "top") -> dict[str, np.ndarray]:
    """The parameters of fine-tuned ``layers`` as float16 arrays named ``<prefix>.<k>.<param>``."""
    out: dict[str, np.ndarray] = {}
    for k, layer in enumerate(layers):
        for name, value in layer.state_dict().items():
            out[f"{prefix}.{k}.{name}"] = value.detach().cpu().float().numpy().astype(np.float16)
    return out


def require_transformers(base: object) -> None:
    """Raise ``ConfigError`` unless ``base`` is a transformers encoder a branch can grow from."""
    if not hasattr(base, "_segments") or not hasattr(base, "_load"):
        raise ConfigError(
            f"[E004] A fine-tuned encoder branch needs a transformers encoder (E5Embedder or "
            f"TransformersEmbedder); got {type(base).__name__}. Fix: use the embedder "
            "vocmine.embed.e5_small.v1, or the sentiment model vocmine.sentiment.e5_head.v1 with this embedder."
        )


def quantize_like(base: TransformersEmbedder, layers: list[Any], start: int) -> list[Any]:
    """Int8 copies of branch ``layers`` made with the encoder's own recipe.

    The layers sit where they sit in the encoder (``encoder.layer.<start + k>``), so the
    encoder's SmoothQuant calibration (per-channel input ranges of those positions; see
    ``vocmine.embed._int8``) applies to them; without a calibration file the generic
    per-channel recipe is used.
    """
    import torch

    from vocmine.embed import _int8

    shell: Any = torch.nn.Module()
    shell.encoder = torch.nn.Module()
    shell.encoder.layer = torch.nn.ModuleList([torch.nn.Identity() for _ in range(start)] + list(layers))
    path = base._model_dir() / _int8.CALIBRATION_FILE
    stats = {k: v.float() for k, v in _int8.load_calibration(path).items()} if path.is_file() else None
    quantized: Any = _int8.smooth_quantize(shell, stats)
    return list(quantized.encoder.layer)[start:]


class BranchEmbedder:
    """The shared encoder up to layer ``start``, then the fine-tuned ``layers``, mean-pooled.

    Args:
        base: a loaded-on-demand :class:`~vocmine.embed.TransformersEmbedder` (e.g. the
            pipeline's :class:`~vocmine.embed.E5Embedder`); its model and tokenizer are
            shared, not copied.
        arrays: the branch parameters, ``top.<k>.<param>`` (see :func:`layer_arrays`).
        start: how many of the encoder's layers run before the branch.
        tag: a short name of the branch; ``name`` is ``"<base name>-<tag>"``.
    """

    def __init__(self, base: TransformersEmbedder, arrays: Mapping[str, np.ndarray], *, start: int, tag: str) -> None:
        require_transformers(base)
        self.base = base
        self.start = start
        self.tag = tag
        self._arrays = dict(arrays)
        self._layers: list[Any] | None = None
        self._fed: OrderedDict[str, np.ndarray] = OrderedDict()

    #: Vectors computed from a tapped pass are kept for this many texts (least recently used go first;
    #: 384 floats each, so ~300 MB at most, like ``CachedEmbedder``): the aspect extractor and the
    #: sentiment stage both read the sentences of one pass.
    max_fed = 200_000

    def tap(self) -> BranchEmbedder:
        """Let the base encoder hand this branch its layer-``start`` states (see ``add_tap``)."""
        add = getattr(self.base, "add_tap", None)
        if callable(add):
            add(self)
        return self

    def feed(self, texts: Sequence[str], states: Sequence[np.ndarray], owner: Sequence[int],
             spans: Sequence[tuple[int, int]]) -> None:
        """Vectors of ``texts`` from their windows' layer-``start`` states, kept for :meth:`embed`."""
        from vocmine.embed._torch import import_torch, thread_limit, token_batches

        torch = import_torch()
        layers = self._build()
        pooled: list[np.ndarray] = [np.zeros(0, np.float32)] * len(states)
        device = self.base.resolved_device
        batches = token_batches([len(st) for st in states], self.base.batch_size, self.base.batch_tokens)
        with thread_limit(self.base.num_threads), torch.inference_mode():
            for idx in batches:
                hidden, mask = pad_states([states[i] for i in idx])
                vecs = self._pool(layers, hidden.to(device), mask.to(device))
                for row, i in enumerate(idx):
                    pooled[i] = vecs[row]
        self._remember(texts, self.base._combine(pooled, list(owner), list(spans), len(texts)))

    def _remember(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Keep ``vectors`` of ``texts`` (most recent last), dropping the oldest beyond ``max_fed``."""
        for text, vec in zip(texts, vectors):
            self._fed[text] = vec
            self._fed.move_to_end(text)
        while len(self._fed) > self.max_fed:
            self._fed.popitem(last=False)

    def _pool(self, layers: list[Any], hidden: Any, mask: Any) -> np.ndarray:
        """Run the branch layers and mean-pool each window over its tokens (specials included)."""
        return pool_branch(layers, self.base._model, hidden, mask).cpu().numpy()

    @property
    def name(self) -> str:
        return f"{base_embedder_name(str(self.base.name))}-{self.tag}"

    @property
    def dim(self) -> int:
        return int(self.base.dim)

    def _build(self) -> list[Any]:
        if self._layers is not None:
            return self._layers
        from vocmine.embed._torch import import_torch

        torch = import_torch()
        self.base._load()
        model = self.base._model
        n = int(model.config.num_hidden_layers)
        count = len({key.split(".")[1] for key in self._arrays if key.startswith("top.")})
        if not 0 <= self.start < n or self.start + count != n:
            raise ConfigError(
                f"[E004] The branch holds {count} layers to run after layer {self.start}, but "
                f"{self.base.name} has {n} layers. Fix: use the encoder the branch was trained on."
            )
        layers = []
        for k in range(count):
            layer = type(model.encoder.layer[self.start + k])(model.config)
            state = {key.split(".", 2)[2]: torch.from_numpy(v.astype(np.float32))
                     for key, v in self._arrays.items() if key.startswith(f"top.{k}.")}
            layer.load_state_dict(state)
            layer.eval()
            layers.append(layer.to(self.base.resolved_device))
        if getattr(self.base, "_quantized", False):
            layers = quantize_like(self.base, layers, self.start)
        self._layers = layers
        return layers

    def embed(self, texts: Sequence[str], *, batch_size: int | None = None) -> np.ndarray:
        """``(n, dim)`` float32 vectors (L2-normalised) of the branch's last layer.

        Texts whose vectors a tapped pass (see :meth:`tap`) or an earlier call computed are not run again.
        """
        items = check_texts(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        layers = self._build()
        fed = [self._fed.get(t) for t in items]
        for text in set(items) & set(self._fed):
            self._fed.move_to_end(text)
        todo = [i for i, v in enumerate(fed) if v is None]
        if not todo:
            return np.stack([v for v in fed if v is not None]).astype(np.float32)
        out = self._embed([items[i] for i in todo], layers, batch_size)
        for row, i in enumerate(todo):
            fed[i] = out[row]
        self._remember([items[i] for i in todo], out)
        return np.stack([v for v in fed if v is not None]).astype(np.float32)

    def _embed(self, items: list[str], layers: list[Any], batch_size: int | None) -> np.ndarray:
        segs, owner, spans, _ = self.base._segments(items)
        pooled: list[np.ndarray] = [np.zeros(0, np.float32)] * len(segs)
        for idx, hidden, mask in lower_batches(self.base, segs, self.start, batch_size or self.base.batch_size):
            vecs = self._pool(layers, hidden.float(), mask)
            for row, i in enumerate(idx):
                pooled[i] = vecs[row]
        return self.base._combine(pooled, owner, spans, len(items))

    def __repr__(self) -> str:
        return f"BranchEmbedder({self.base!r}, start={self.start}, tag={self.tag!r})"
