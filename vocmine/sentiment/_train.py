"""Training a sentiment head on frozen sentence embeddings.

:func:`train_head` fits a multinomial logistic regression (``hidden=0``) or a
one-hidden-layer ReLU network on standardised embeddings with weighted,
label-smoothed cross-entropy, AdamW and a one-cycle learning-rate schedule.
It is deterministic for a fixed ``random_state`` on a fixed machine (CPU).
This is how the shipped head was trained (``benchmarks/train_sentiment.py``);
use it to train a head for another embedder or for your own labelled data.

Examples:
    >>> import numpy as np
    >>> from vocmine.sentiment import train_head
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(60, 8)).astype(np.float32)
    >>> labels = np.array(["negative", "neutral", "positive"])[np.argmax(x[:, :3], axis=1)]
    >>> head = train_head(x, labels, hidden=0, epochs=60, lr=0.05, random_state=0)
    >>> float((head.predict_proba(x).argmax(1) == np.argmax(x[:, :3], 1)).mean()) > 0.9
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from vocmine.errors import ConfigError, MissingDependencyError
from vocmine.sentiment._weights import SentimentHead
from vocmine.types import SENTIMENT_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping, Sequence

__all__ = ["train_head"]


def train_head(
    x: np.ndarray,
    labels: Sequence[str],
    *,
    sample_weight: np.ndarray | None = None,
    hidden: int = 256,
    epochs: int = 40,
    lr: float = 2e-3,
    weight_decay: float = 1e-2,
    dropout: float = 0.1,
    batch_size: int = 256,
    label_smoothing: float = 0.05,
    random_state: int = 0,
    meta: Mapping[str, Any] | None = None,
) -> SentimentHead:
    """Fit a 3-class head on ``(n, d)`` embeddings.

    Args:
        x: embeddings of the training texts (as the target embedder returns them).
        labels: one of ``("negative", "neutral", "positive")`` per row.
        sample_weight: non-negative weight per row (``None``: all 1).
        hidden: hidden units; ``0`` trains a logistic regression.
        epochs: passes over the data.
        lr: peak learning rate.
        weight_decay: AdamW weight decay.
        dropout: dropout on the input (and the hidden layer).
        batch_size: rows per step.
        label_smoothing: cross-entropy label smoothing.
        random_state: seed for initialisation, dropout and shuffling.
        meta: extra details stored with the head (embedder name, data, ...).

    Returns:
        The trained :class:`SentimentHead` (save it with :func:`save_head`).

    Raises:
        ConfigError: shapes or labels are invalid.
    """
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - torch is a core dependency
        raise MissingDependencyError(
            "[E007] train_head needs 'torch', which is not installed. Fix: pip install torch."
        ) from exc
    x = np.asarray(x, dtype=np.float32)
    index = {lab: i for i, lab in enumerate(SENTIMENT_LABELS)}
    bad = sorted({str(lab) for lab in labels} - set(index))
    if x.ndim != 2 or len(labels) != x.shape[0] or bad or x.shape[0] == 0:
        raise ConfigError(
            f"[E004] train_head needs an (n, d) array and n labels from {list(SENTIMENT_LABELS)}; "
            f"got x of shape {x.shape}, {len(labels)} labels, unknown labels {bad[:5]}. "
            "Fix: map your labels to negative/neutral/positive first."
        )
    y = np.array([index[str(lab)] for lab in labels], dtype=np.int64)
    w = np.ones(len(y), dtype=np.float32) if sample_weight is None else np.asarray(sample_weight, np.float32)
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    gen = torch.Generator().manual_seed(random_state)
    torch.manual_seed(random_state)
    xt = torch.from_numpy((x - mean) / scale)
    yt, wt = torch.from_numpy(y), torch.from_numpy(w)
    layers: list[Any] = [torch.nn.Dropout(dropout)]
    if hidden:
        layers += [torch.nn.Linear(x.shape[1], hidden), torch.nn.ReLU(), torch.nn.Dropout(dropout),
                   torch.nn.Linear(hidden, 3)]
    else:
        layers.append(torch.nn.Linear(x.shape[1], 3))
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    steps = max(1, epochs * int(np.ceil(len(y) / batch_size)))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.1)
    loss_fn = torch.nn.CrossEntropyLoss(reduction="none", label_smoothing=label_smoothing)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=gen)
        for a in range(0, len(y), batch_size):
            idx = order[a : a + batch_size]
            loss = (loss_fn(model(xt[idx]), yt[idx]) * wt[idx]).sum() / wt[idx].sum().clamp(min=1e-12)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    config = {"hidden": hidden, "epochs": epochs, "lr": lr, "weight_decay": weight_decay, "dropout": dropout,
              "batch_size": batch_size, "label_smoothing": label_smoothing, "random_state": random_state}
    return SentimentHead(
        [m.weight.detach().numpy().T.copy() for m in linears],
        [m.bias.detach().numpy().copy() for m in linears],
        activation="relu" if hidden else "identity",
        mean=mean,
        scale=scale,
        meta={**(meta or {}), "train_config": config},
    )
