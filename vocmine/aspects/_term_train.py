"""Train an aspect-term model (tagger + mention polarity) on frozen encoder token states.

The encoder is never updated: each training sentence is encoded once with
``embedder.token_embeddings`` (pass a caching embedder to reuse states across runs), then a
small :class:`~vocmine.aspects._term_net.TermNet` is fitted with Adam on the sum of the
token-tagging cross-entropy (sentences whose aspect terms are all marked) and the
mention-polarity cross-entropy (every marked term with a 3-class polarity, plus optional
whole-sentence polarities).

Examples:
    >>> from vocmine.aspects import TermExample
    >>> TermExample("The pizza was great.", "en", [(4, 9, "positive")]).spans
    [(4, 9, 'positive')]
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from vocmine.aspects._spans import bio_tags, token_range
from vocmine.aspects._term_weights import TermModel
from vocmine.errors import ConfigError
from vocmine.types import SENTIMENT_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Sequence

__all__ = ["TermExample", "train_term_model", "encode_examples", "EncodedSentence"]

logger = logging.getLogger(__name__)

#: Distance buckets of the polarity attention (see ``relative_distance``).
N_DIST = 12


@dataclass(frozen=True)
class TermExample:
    """One training sentence.

    Attributes:
        text: the sentence.
        lang: ISO 639-1 code (bookkeeping only; the model is language-agnostic).
        spans: aspect terms ``(start, end, polarity)``; polarity is one of
            ``SENTIMENT_LABELS`` or anything else (e.g. ``"conflict"``) to train only the tagger.
        tag: whether ``spans`` lists *every* aspect term (then the sentence trains the tagger).
        sentence_polarity: polarity of the sentence's (implicit) aspects, trains the polarity
            head with the whole sentence as the mention; ``None`` for none.
    """

    text: str
    lang: str = "und"
    spans: Sequence[tuple[int, int, str]] = field(default_factory=list)
    tag: bool = True
    sentence_polarity: str | None = None


@dataclass
class EncodedSentence:
    """Token states and targets of one sentence (float16 states to halve memory)."""

    x: np.ndarray
    tags: np.ndarray | None
    mentions: list[tuple[int, int, int]]


def encode_examples(
    examples: Sequence[TermExample], embedder: Any, *, batch_size: int = 32, layer: int | Sequence[int] | None = None
) -> list[EncodedSentence]:
    """Encode ``examples`` once and turn their character spans into token targets.

    ``layer``: the encoder layer (or layers, side by side) whose token states are used (``None``:
    the embedder's default, its last layer); a model must be used with the layers it was trained on.
    """
    label_id = {lab: k for k, lab in enumerate(SENTIMENT_LABELS)}
    out: list[EncodedSentence] = []
    texts = [ex.text for ex in examples]
    extra = {} if layer is None else {"layer": layer}
    tokens = embedder.token_embeddings(texts, batch_size=batch_size, **extra) if texts else []
    for ex, tv in zip(examples, tokens):
        n = len(tv.offsets)
        if n == 0:
            continue
        offsets = np.asarray(tv.offsets)
        mentions = []
        for start, end, pol in ex.spans:
            rng = token_range(offsets, start, end)
            if rng is not None and pol in label_id:
                mentions.append((rng[0], rng[1], label_id[pol]))
        if ex.sentence_polarity in label_id:
            mentions.append((0, n, label_id[str(ex.sentence_polarity)]))
        tags = bio_tags(offsets, [(s, e) for s, e, _ in ex.spans]) if ex.tag else None
        if tags is None and not mentions:
            continue
        out.append(EncodedSentence(np.asarray(tv.vectors, dtype=np.float16), tags, mentions))
    return out


def _batch(torch: Any, items: list[EncodedSentence]) -> dict[str, Any]:
    lengths = [len(it.x) for it in items]
    width, dim = max(lengths), items[0].x.shape[1]
    x = np.zeros((len(items), width, dim), dtype=np.float32)
    tags = np.full((len(items), width), -100, dtype=np.int64)
    rows, ranges, labels = [], [], []
    for b, it in enumerate(items):
        x[b, : lengths[b]] = it.x
        if it.tags is not None:
            tags[b, : lengths[b]] = it.tags
        for i, j, lab in it.mentions:
            rows.append(b)
            ranges.append((i, j))
            labels.append(lab)
    return {"x": torch.from_numpy(x), "lengths": lengths, "tags": torch.from_numpy(tags), "rows": rows,
            "ranges": ranges, "labels": torch.tensor(labels, dtype=torch.long)}


class _Adam:
    """Plain Adam (Kingma & Ba, 2015); ``torch.optim`` would import torch._dynamo (~10 s) on first use."""

    def __init__(self, params: list[Any], lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        self.params, self.lr, self.betas, self.eps, self.t = params, lr, betas, eps, 0
        self.m = [p.detach().clone().zero_() for p in params]
        self.v = [p.detach().clone().zero_() for p in params]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def step(self, torch: Any) -> None:
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t
        with torch.no_grad():
            for p, m, v in zip(self.params, self.m, self.v):
                if p.grad is None:
                    continue
                m.mul_(b1).add_(p.grad, alpha=1 - b1)
                v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
                p.addcdiv_(m / c1, (v / c2).sqrt_().add_(self.eps), value=-self.lr)


def train_term_model(
    examples: Sequence[TermExample] | Sequence[EncodedSentence],
    *,
    embedder: Any = None,
    epochs: int = 10,
    batch_size: int = 32,
    learning_rate: float = 2e-3,
    hidden: int = 128,
    mlp: int = 128,
    dropout: float = 0.2,
    random_state: int = 0,
    meta: dict[str, Any] | None = None,
    on_epoch: Callable[[int, TermModel], None] | None = None,
    num_threads: int | None = None,
    layer: int | Sequence[int] | None = None,
) -> TermModel:
    """Fit a term model on ``examples``.

    Args:
        examples: ``TermExample`` records (encoded with ``embedder``) or sentences already
            encoded by :func:`encode_examples`.
        embedder: an object with ``name`` and ``token_embeddings(texts, batch_size=)``;
            required for ``TermExample`` input.
        epochs: passes over the data.
        batch_size: sentences per step.
        learning_rate: Adam step size.
        hidden: LSTM units per direction.
        mlp: hidden units of the heads.
        dropout: dropout before each head.
        random_state: seed of the initialisation and the shuffling.
        meta: extra details stored in the model (data, scores, ...).
        on_epoch: called after every epoch with ``(epoch, model)`` (model selection).
        num_threads: torch intra-op threads while training (``None``: torch's default); 1 is
            much faster on a machine whose cores are busy with other work.
        layer: the encoder layer (or layers) whose token states are used (``None``: the last); stored in
            ``meta["layer"]`` so :class:`TermAspectExtractor` asks the embedder for the same layer.

    Returns:
        The trained :class:`TermModel`.

    Examples:
        >>> from vocmine.aspects import TermExample, train_term_model
        >>> from vocmine.embed import E5Embedder
        >>> model = train_term_model([TermExample("good pizza", "en", [(5, 10, "positive")])],
        ...                          embedder=E5Embedder(), epochs=1, num_threads=1)  # doctest: +SKIP
        >>> model.meta["n_sentences"]  # doctest: +SKIP
        1
    """
    import torch

    from vocmine.aspects._term_net import TermNet

    if epochs < 1 or batch_size < 1 or learning_rate <= 0:
        raise ConfigError(
            f"[E004] epochs and batch_size must be >= 1 and learning_rate > 0, got {epochs}, {batch_size}, "
            f"{learning_rate}. Fix: use the defaults (10, 32, 2e-3)."
        )
    items: list[Any] = list(examples)
    if items and isinstance(items[0], TermExample):
        if embedder is None:
            raise ConfigError("[E004] train_term_model needs embedder= to encode TermExample input.")
        items = encode_examples(items, embedder, batch_size=batch_size, layer=layer)
    data: list[EncodedSentence] = items
    if not data:
        raise ConfigError("[E004] train_term_model got no usable sentence (no tokens, no spans). Fix: pass data.")
    dim = int(data[0].x.shape[1])
    torch.manual_seed(random_state)
    rng = np.random.default_rng(random_state)
    net = TermNet(dim=dim, hidden=hidden, mlp=mlp, n_dist=N_DIST, dropout=dropout)
    info = {"dim": dim, "hidden": hidden, "mlp": mlp, "n_dist": N_DIST, "epochs": epochs,
            "n_sentences": len(data), "n_tagged": sum(d.tags is not None for d in data),
            "n_mentions": sum(len(d.mentions) for d in data), "random_state": random_state,
            "embedder": str(getattr(embedder, "name", "")) if embedder is not None else "", **(meta or {})}
    if layer is not None:
        info["layer"] = layer if isinstance(layer, int) else [int(k) for k in layer]
    model = TermModel({}, info)
    before = torch.get_num_threads()
    if num_threads:
        torch.set_num_threads(num_threads)
    try:
        model = _fit(torch, net, data, epochs=epochs, batch_size=batch_size, learning_rate=learning_rate,
                     rng=rng, info=info, on_epoch=on_epoch)
    finally:
        torch.set_num_threads(before)
    return model


def _fit(torch: Any, net: Any, data: list[EncodedSentence], *, epochs: int, batch_size: int, learning_rate: float,
         rng: np.random.Generator, info: dict[str, Any], on_epoch: Callable[[int, TermModel], None] | None) -> TermModel:
    from vocmine.aspects._term_net import gather_mentions

    opt = _Adam(list(net.parameters()), learning_rate)
    ce = torch.nn.CrossEntropyLoss(ignore_index=-100)
    model = TermModel({}, info)
    for epoch in range(epochs):
        net.train()
        order = rng.permutation(len(data))
        t0, total = time.time(), 0.0
        for b0 in range(0, len(order), batch_size):
            batch = _batch(torch, [data[i] for i in order[b0 : b0 + batch_size]])
            z = net.context(batch["x"], torch.tensor(batch["lengths"]))
            loss = ce(net.tagger(z).reshape(-1, 3), batch["tags"].reshape(-1)) if (batch["tags"] >= 0).any() else 0.0
            if batch["rows"]:
                zw, tok, span, dist, _ = gather_mentions(z, batch["rows"], batch["ranges"], batch["lengths"], N_DIST)
                logits, _ = net.polarity(zw, tok, span, dist)
                loss = loss + ce(logits, batch["labels"])
            opt.zero_grad()
            loss.backward()  # type: ignore[union-attr]
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step(torch)
            total += float(loss.detach())  # type: ignore[union-attr]
        model = TermModel({k: v.detach().cpu().numpy().copy() for k, v in net.state_dict().items()}, info)
        logger.info("epoch %d/%d: loss %.4f (%.0f s)", epoch + 1, epochs, total, time.time() - t0)
        if on_epoch is not None:
            on_epoch(epoch + 1, model)
    return model
