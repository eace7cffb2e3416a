"""Fine-tuning the top layers of the shared encoder, with the sentiment head on top.

:func:`tune_top_layers` starts from a head trained on the frozen encoder
(:func:`vocmine.sentiment.train_head`) and fine-tunes fp32 copies of the encoder's
top layers together with it. The lower layers stay frozen and shared: their states
are computed once with the encoder as it runs at inference (int8 on CPU), so the
branch learns on exactly what it will see. Deterministic for a fixed
``random_state`` on a fixed machine (CPU). The result is stored with
:func:`save_tuned`, read by :class:`vocmine.sentiment.TunedSentiment`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from vocmine._model_files import base_embedder_name
from vocmine.embed._branch import layer_arrays, lower_batches, pad_states, pool_branch
from vocmine.errors import ConfigError
from vocmine.sentiment._weights import SentimentHead, save_head
from vocmine.types import SENTIMENT_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from vocmine.embed._hf import TransformersEmbedder

__all__ = ["tune_top_layers", "tune_runs", "save_tuned", "average_tuned", "TUNE_DEFAULTS"]


def _lower_windows(base: TransformersEmbedder, texts: list[str], start: int) -> tuple[list[Any], list[int], list[int]]:
    """Per-window states after layer ``start`` (float16, specials included), their text and weight."""
    base._load()
    segs, owner, spans, _ = base._segments(texts)
    states: list[Any] = [None] * len(segs)
    for idx, hidden, _ in lower_batches(base, segs, start, base.batch_size):
        host = hidden.float().cpu().numpy()
        for row, i in enumerate(idx):
            states[i] = host[row, : len(segs[i])].astype(np.float16)
    return states, owner, [max(b - a, 1) for a, b in spans]


def _head_module(head: SentimentHead, dropout: float) -> Any:
    """The sentiment head as a torch module (normalise, standardise, MLP), initialised from ``head``."""
    import torch

    class HeadModule(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("mean", torch.tensor(head.mean if head.mean is not None else 0.0))
            self.register_buffer("scale", torch.tensor(head.scale if head.scale is not None else 1.0))
            self.linears = torch.nn.ModuleList()
            for w, b in zip(head.weights, head.biases):
                lin = torch.nn.Linear(*w.shape)
                with torch.no_grad():
                    lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(w.T)))
                    lin.bias.copy_(torch.from_numpy(b))
                self.linears.append(lin)
            self.drop = torch.nn.Dropout(dropout)

        def forward(self, v: Any) -> Any:
            mean: Any = self.mean
            scale: Any = self.scale
            h = self.drop((torch.nn.functional.normalize(v, dim=-1) - mean) / scale)
            for k, lin in enumerate(self.linears):
                h = lin(h)
                if k < len(self.linears) - 1:
                    h = self.drop(torch.relu(h))
            return h

    return HeadModule()


def tune_top_layers(
    base: TransformersEmbedder,
    texts: Sequence[str],
    labels: Sequence[str],
    head: SentimentHead,
    *,
    sample_weight: np.ndarray | None = None,
    n_layers: int = 4,
    epochs: int = 3,
    lr: float = 1e-4,
    head_lr_factor: float = 10.0,
    batch_size: int = 32,
    weight_decay: float = 0.01,
    dropout: float = 0.1,
    label_smoothing: float = 0.05,
    random_state: int = 0,
    progress: bool = False,
) -> tuple[dict[str, np.ndarray], SentimentHead]:
    """Fine-tune the top ``n_layers`` of ``base``'s encoder and ``head`` on labelled texts.

    Args:
        base: the encoder the branch grows from (as it runs at inference).
        texts, labels: training texts and their labels (``negative``/``neutral``/``positive``).
        head: the initial head (trained on ``base``'s frozen vectors); ReLU MLP heads only.
        sample_weight: non-negative weight per text.
        n_layers: how many top layers get their own fine-tuned copy.
        epochs, lr, head_lr_factor, batch_size, weight_decay, dropout, label_smoothing:
            AdamW with a one-cycle (linear) schedule; the head learns ``head_lr_factor`` x faster.
        random_state: seed of shuffling and dropout.
        progress: print the loss every 50 steps.

    Returns:
        ``(arrays, head)``: the branch layers (``top.<k>.<param>``, float16) and the tuned head.

    Raises:
        ConfigError: labels, weights or the head do not fit.
    """
    return tune_runs(base, texts, labels, head, seeds=[random_state], sample_weight=sample_weight,
                     n_layers=n_layers, epochs=epochs, lr=lr, head_lr_factor=head_lr_factor, batch_size=batch_size,
                     weight_decay=weight_decay, dropout=dropout, label_smoothing=label_smoothing,
                     progress=progress)[0]


#: ``tune_top_layers``'s tuning settings and their defaults (what :func:`tune_runs` accepts as ``settings``;
#: ``n_layers``, ``epochs`` and ``batch_size`` are ints).
TUNE_DEFAULTS: dict[str, float] = {"n_layers": 4, "epochs": 3, "lr": 1e-4, "head_lr_factor": 10.0, "batch_size": 32,
                                   "weight_decay": 0.01, "dropout": 0.1, "label_smoothing": 0.05}


def tune_runs(
    base: TransformersEmbedder,
    texts: Sequence[str],
    labels: Sequence[str],
    head: SentimentHead,
    *,
    seeds: Sequence[int],
    sample_weight: np.ndarray | None = None,
    progress: bool = False,
    **settings: float,
) -> list[tuple[dict[str, np.ndarray], SentimentHead]]:
    """:func:`tune_top_layers` once per seed, computing the frozen lower layers' states only once.

    Run ``k`` equals ``tune_top_layers(..., random_state=seeds[k])`` exactly; the runs
    are what :func:`average_tuned` averages. ``settings`` are :func:`tune_top_layers`'s
    (``n_layers``, ``epochs``, ``lr``, ...; defaults in ``TUNE_DEFAULTS``).

    Raises:
        ConfigError: labels, weights, the head or a setting do not fit, or no seeds.
    """
    import torch

    index = {lab: i for i, lab in enumerate(SENTIMENT_LABELS)}
    texts = list(texts)
    bad = sorted({str(lab) for lab in labels} - set(index))
    if bad or len(labels) != len(texts) or not texts or head.activation != "relu" or len(seeds) == 0:
        raise ConfigError(
            f"[E004] fine-tuning (tune_top_layers, tune_runs) needs one label from {list(SENTIMENT_LABELS)} per "
            f"text, a ReLU head and a seed; got {len(texts)} texts, {len(labels)} labels (unknown {bad[:5]}), "
            f"activation {head.activation!r}, seeds {list(seeds)[:5]}. "
            "Fix: map labels to negative/neutral/positive, start from train_head(..., hidden=256), pass seeds."
        )
    unknown = sorted(set(settings) - set(TUNE_DEFAULTS))
    not_int = sorted(k for k in ("n_layers", "epochs", "batch_size")
                     if k in settings and (isinstance(settings[k], bool) or not isinstance(settings[k], int)))
    if unknown or not_int:
        raise ConfigError(f"[E004] tune_runs: unknown settings {unknown}, settings that must be whole numbers "
                          f"{not_int}. Fix: use only {sorted(TUNE_DEFAULTS)}; n_layers, epochs, batch_size as int.")
    y = torch.tensor([index[str(lab)] for lab in labels])
    w = torch.ones(len(texts)) if sample_weight is None else torch.tensor(np.asarray(sample_weight, np.float32))
    base._load()
    n_total = int(base._model.config.num_hidden_layers)
    merged = {**TUNE_DEFAULTS, **settings}
    n_layers = int(merged["n_layers"])
    start = n_total - n_layers
    states, owner, weights = _lower_windows(base, texts, start)
    windows_of: list[list[int]] = [[] for _ in texts]
    for s, i in enumerate(owner):
        windows_of[i].append(s)
    data = _Windows(states, weights, windows_of)
    config = {**merged, "start": start}  # save_head writes meta with sorted keys: order does not reach the file
    return [_fit(base, data, y, w, head, config, random_state=int(seed), progress=progress) for seed in seeds]


class _Windows:
    """The frozen lower-layer states of every window, which text each belongs to and its weight."""

    def __init__(self, states: list[Any], weights: list[int], windows_of: list[list[int]]) -> None:
        self.states = states
        self.weights = weights
        self.windows_of = windows_of
        self.length = [sum(len(states[s]) for s in wins) for wins in windows_of]


def _fit(base: TransformersEmbedder, data: _Windows, y: Any, w: Any, head: SentimentHead, config: dict[str, Any],
         *, random_state: int, progress: bool) -> tuple[dict[str, np.ndarray], SentimentHead]:
    """One fine-tuning run from fresh copies of the top layers and ``head`` (seeded shuffling and dropout)."""
    import torch

    from vocmine.embed._torch import load_encoder

    start, n_total = int(config["start"]), int(base._model.config.num_hidden_layers)
    lr, batch_size = float(config["lr"]), int(config["batch_size"])
    no_pooler = bool(getattr(base, "_bert_no_pooler", False))
    full: Any = load_encoder(base._model_dir(), device="cpu", bert_no_pooler=no_pooler)
    layers: Any = torch.nn.ModuleList([full.encoder.layer[k] for k in range(start, n_total)])
    del full
    torch.manual_seed(random_state)
    module = _head_module(head, float(config["dropout"]))
    opt = torch.optim.AdamW([{"params": layers.parameters(), "lr": lr},
                             {"params": module.parameters(), "lr": lr * config["head_lr_factor"]}],
                            weight_decay=config["weight_decay"])
    n_texts = len(data.windows_of)
    steps = max(1, math.ceil(config["epochs"] * math.ceil(n_texts / batch_size)))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[lr, lr * config["head_lr_factor"]], total_steps=steps,
                                                pct_start=0.1, anneal_strategy="linear")
    loss_fn = torch.nn.CrossEntropyLoss(reduction="none", label_smoothing=config["label_smoothing"])
    gen = torch.Generator().manual_seed(random_state)

    def vectors(rows: list[int]) -> Any:
        wins = [s for i in rows for s in data.windows_of[i]]
        pooled = pool_branch(layers, base._model, *pad_states([data.states[s] for s in wins]))
        out = torch.zeros(len(rows), pooled.shape[1])
        total = torch.zeros(len(rows))
        r = 0
        for j, i in enumerate(rows):
            for s in data.windows_of[i]:
                out[j] += data.weights[s] * pooled[r]
                total[j] += data.weights[s]
                r += 1
        return out / total[:, None]

    step = 0
    layers.train()
    module.train()
    while step < steps:
        perm = torch.randperm(n_texts, generator=gen).tolist()
        batches: list[list[int]] = []
        for c0 in range(0, len(perm), batch_size * 50):  # similar lengths per batch, random otherwise
            chunk = sorted(perm[c0 : c0 + batch_size * 50], key=lambda i: data.length[i])
            batches += [chunk[a : a + batch_size] for a in range(0, len(chunk), batch_size)]
        for b in torch.randperm(len(batches), generator=gen).tolist():
            if step >= steps:
                break
            rows = batches[b]
            loss = (loss_fn(module(vectors(rows)), y[rows]) * w[rows]).sum() / w[rows].sum().clamp(min=1e-12)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(list(layers.parameters()) + list(module.parameters()), 1.0)
            opt.step()
            sched.step()
            step += 1
            if progress and step % 50 == 0:
                print(f"  tune step {step}/{steps} loss {loss.item():.3f}", flush=True)
    lin = list(module.linears)
    tuned = SentimentHead(
        [m.weight.detach().numpy().T.copy() for m in lin],
        [m.bias.detach().numpy().copy() for m in lin],
        activation="relu",
        mean=head.mean,
        scale=head.scale,
        meta={**head.meta, "tune_config": {**config, "random_state": random_state}},
    )
    return layer_arrays(list(layers)), tuned


def average_tuned(
    members: Sequence[tuple[Mapping[str, np.ndarray], SentimentHead]],
) -> tuple[dict[str, np.ndarray], SentimentHead]:
    """Average the weights of several fine-tuning runs that started from the same head (a uniform "model soup").

    Runs of :func:`tune_top_layers` that differ only in ``random_state`` (shuffling,
    dropout) start from the same encoder layers and the same head, so their weights
    can be averaged: one model, the inference cost of one, with less of a single
    run's seed noise (Wortsman et al., "Model soups", ICML 2022).

    Args:
        members: ``(arrays, head)`` pairs as returned by :func:`tune_top_layers`.

    Returns:
        ``(arrays, head)``: the averaged branch layers (float16) and head; the head's
        ``meta["tune_config"]["random_state"]`` lists the members' seeds.

    Raises:
        ConfigError: no members, or members whose layers, head shapes, start head
            (standardisation) or configuration differ.
    """
    if not members:
        raise ConfigError(
            "[E004] average_tuned needs at least one (arrays, head) pair. Fix: pass tune_top_layers results.")
    arrays0, head0 = members[0]
    config0 = {k: v for k, v in head0.meta.get("tune_config", {}).items() if k != "random_state"}
    for i, (arrays, head) in enumerate(members[1:], start=1):
        config = {k: v for k, v in head.meta.get("tune_config", {}).items() if k != "random_state"}
        same_arrays = set(arrays) == set(arrays0) and all(arrays[k].shape == arrays0[k].shape for k in arrays0)
        same_head = [w.shape for w in head.weights] == [w.shape for w in head0.weights] and all(
            np.array_equal(np.asarray(a), np.asarray(b))
            for a, b in ((head.mean, head0.mean), (head.scale, head0.scale)))
        if not (same_arrays and same_head and config == config0):
            raise ConfigError(
                f"[E004] average_tuned: member {i} does not match member 0 (layers, head shapes, standardisation or "
                "tuning configuration differ). Fix: average only runs of the same configuration from the same head "
                "that differ in random_state.")

    def mean(values: list[np.ndarray], dtype: Any) -> np.ndarray:
        return (np.sum([np.asarray(v, np.float64) for v in values], axis=0) / len(values)).astype(dtype)

    arrays = {k: mean([a[k] for a, _ in members], arrays0[k].dtype) for k in sorted(arrays0)}
    seeds = [h.meta.get("tune_config", {}).get("random_state") for _, h in members]
    head = SentimentHead(
        [mean([h.weights[j] for _, h in members], head0.weights[j].dtype) for j in range(len(head0.weights))],
        [mean([h.biases[j] for _, h in members], head0.biases[j].dtype) for j in range(len(head0.biases))],
        activation=head0.activation,
        mean=head0.mean,
        scale=head0.scale,
        meta={**head0.meta, "tune_config": {**config0, "random_state": seeds, "average": "uniform weight average"}},
    )
    return arrays, head


def save_tuned(head: SentimentHead, arrays: Mapping[str, np.ndarray], path: str | Path, *, tag: str) -> Path:
    """Write a tuned head and its branch layers into one ``.npz`` (byte-for-byte deterministic)."""
    start = int(head.meta["tune_config"]["start"])
    base = base_embedder_name(str(head.meta.get("embedder", "encoder")))
    n_layers = len({k.split(".")[1] for k in arrays})
    meta = {**head.meta, "embedder": f"{base}-{tag}", "base_embedder": head.meta.get("embedder"),
            "branch": {"start": start, "tag": tag, "n_layers": n_layers}}
    return save_head(SentimentHead(head.weights, head.biases, activation=head.activation, mean=head.mean,
                                   scale=head.scale, meta=meta), path, extra=arrays)
