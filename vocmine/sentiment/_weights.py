"""The sentiment head file: format, writing, reading and where it is found.

A head is a small feed-forward network stored as one ``.npz`` file (numpy only,
``allow_pickle=False``): arrays ``W0, b0, W1, b1, ...`` applied as
``x -> act(x @ W0 + b0) -> ... -> x @ Wk + bk -> softmax``, an optional
standardisation (``mean``, ``scale``) applied first, and ``meta``: a JSON string
with ``format``, ``labels``, ``embedder`` (the embedder name the head was
trained on), ``dim``, ``activation`` and free-form training details.

Heads are looked up by the embedder's name (``<embedder name>.npz``) in, in
order: an explicit ``model_path`` (a file or a directory), ``$VOCMINE_MODEL_DIR/
sentiment-e5-head/``, the ``models/sentiment-e5-head/`` folder of a source
checkout, and the copy shipped inside the package (``vocmine/sentiment/weights/``).

Examples:
    >>> import numpy as np
    >>> head = SentimentHead([np.eye(2, 3)], [np.zeros(3)], activation="relu", meta={"dim": 2})
    >>> head.predict_proba(np.array([[1.0, 0.0]])).round(3).tolist()
    [[0.576, 0.212, 0.212]]
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vocmine._model_files import base_embedder_name, find_weights, weights_file_name
from vocmine.errors import ConfigError, ModelNotFoundError
from vocmine.types import SENTIMENT_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping

__all__ = ["SentimentHead", "HEAD_DIR_NAME", "FORMAT", "base_embedder_name", "head_file_name", "find_head", "load_head", "save_head"]

#: Folder name under ``$VOCMINE_MODEL_DIR`` and the repository's ``models/``.
HEAD_DIR_NAME = "sentiment-e5-head"
#: Version of the ``.npz`` layout.
FORMAT = 1
_ACTIVATIONS = ("relu", "identity")


@dataclass(frozen=True)
class SentimentHead:
    """A trained feed-forward head mapping embeddings to 3-class probabilities.

    Attributes:
        weights: ``W0 .. Wk``, shapes ``(d_in, h1) .. (h_k, 3)``.
        biases: ``b0 .. bk``.
        activation: ``"relu"`` or ``"identity"`` between layers.
        mean: optional ``(d_in,)`` feature mean subtracted first.
        scale: optional ``(d_in,)`` feature scale divided next.
        meta: training details (``embedder``, ``dim``, data, scores, ...).
    """

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activation: str = "relu"
    mean: np.ndarray | None = None
    scale: np.ndarray | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def dim(self) -> int:
        """Input dimension the head expects."""
        return int(self.weights[0].shape[0])

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Return ``(n, 3)`` probabilities in ``SENTIMENT_LABELS`` order."""
        h = np.asarray(x, dtype=np.float32)
        if self.mean is not None:
            h = h - self.mean
        if self.scale is not None:
            h = h / self.scale
        last = len(self.weights) - 1
        for k, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = h @ w + b
            if k < last and self.activation == "relu":
                h = np.maximum(h, 0.0)
        h = h.astype(np.float64)
        h -= h.max(axis=1, keepdims=True)
        p = np.exp(h)
        return p / p.sum(axis=1, keepdims=True)


def head_file_name(embedder_name: str) -> str:
    """File name of the head trained for embedder ``embedder_name`` (int8 runs share the head).

    Examples:
        >>> head_file_name("multilingual-e5-small-int8sq")
        'multilingual-e5-small.npz'
    """
    return weights_file_name(embedder_name)


def find_head(embedder_name: str, model_path: str | Path | None = None, *, fix: str | None = None) -> Path | Any:
    """Return the first existing head file for ``embedder_name``.

    Raises:
        ModelNotFoundError: no candidate exists; the message lists where it looked.

    Examples:
        >>> find_head("multilingual-e5-small").name  # doctest: +SKIP
        'multilingual-e5-small.npz'
    """
    return find_weights(
        embedder_name,
        model_path,
        dir_name=HEAD_DIR_NAME,
        package="vocmine.sentiment",
        what="Sentiment head",
        fix=fix or "use the default embedder (vocmine.embed.e5_small.v1), pass model_path= to a head trained for "
        "this embedder, or train one with `python benchmarks/train_sentiment.py`.",
    )


def load_head(path: str | Path | Any) -> SentimentHead:
    """Read a head ``.npz`` written by :func:`save_head` (a path, a string, or a package resource).

    Raises:
        ModelNotFoundError: no file at ``path``.
        ConfigError: the file is not a head of a supported format.
    """
    return head_from_arrays(read_arrays(path), path)


def read_arrays(path: str | Path | Any) -> dict[str, np.ndarray]:
    """Every array of a head ``.npz`` (the head's and any stored beside it), no pickle."""
    if isinstance(path, (str, os.PathLike)):
        path = Path(path)
    if not path.is_file():
        raise ModelNotFoundError(
            f"[E008] no sentiment head file at {path}. Fix: pass the path of a .npz written by save_head/save_tuned, "
            "or retrain it with `python benchmarks/train_sentiment.py`.")
    with path.open("rb") as fh, np.load(fh, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def head_from_arrays(arrays: Mapping[str, np.ndarray], path: Path | Any) -> SentimentHead:
    """The head stored in ``arrays`` (as :func:`read_arrays` gives them); ``path`` names it in errors."""
    arrays = dict(arrays)
    try:
        meta = json.loads(str(arrays.pop("meta")))
        n = int(meta["n_layers"])
        weights = [arrays[f"W{k}"].astype(np.float32) for k in range(n)]
        biases = [arrays[f"b{k}"].astype(np.float32) for k in range(n)]
    except (KeyError, ValueError) as exc:
        raise ConfigError(
            f"[E004] {path} is not a vocmine sentiment head: expected arrays meta, W0.., b0..; "
            f"got {sorted(arrays)}. Fix: retrain it with `python benchmarks/train_sentiment.py`."
        ) from exc
    if meta.get("format") != FORMAT or tuple(meta.get("labels", ())) != SENTIMENT_LABELS:
        raise ConfigError(
            f"[E004] {path} has head format {meta.get('format')!r} / labels {meta.get('labels')!r}; "
            f"expected format {FORMAT} and labels {list(SENTIMENT_LABELS)}. Fix: retrain the head."
        )
    mean = arrays.get("mean")
    scale = arrays.get("scale")
    return SentimentHead(
        weights,
        biases,
        activation=str(meta.get("activation", "relu")),
        mean=None if mean is None else mean.astype(np.float32),
        scale=None if scale is None else scale.astype(np.float32),
        meta=meta,
    )


def save_head(head: SentimentHead, path: str | Path, *, extra: Mapping[str, np.ndarray] | None = None) -> Path:
    """Write ``head`` to ``path`` (a ``.npz`` file), byte-for-byte deterministic.

    ``extra`` arrays are stored beside the head under their own names (e.g. the
    fine-tuned encoder layers of :class:`vocmine.sentiment.TunedSentiment`).

    Examples:
        >>> import numpy as np, tempfile, pathlib
        >>> h = SentimentHead([np.ones((4, 3), np.float32)], [np.zeros(3, np.float32)], activation="identity")
        >>> p = save_head(h, pathlib.Path(tempfile.mkdtemp()) / "x.npz")
        >>> load_head(p).dim
        4
    """
    if head.activation not in _ACTIVATIONS:
        raise ConfigError(f"[E004] activation must be one of {_ACTIVATIONS}, got {head.activation!r}.")
    meta = {**head.meta, "format": FORMAT, "labels": list(SENTIMENT_LABELS), "n_layers": len(head.weights),
            "activation": head.activation, "dim": head.dim}
    arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta, sort_keys=True, ensure_ascii=False))}
    for k, (w, b) in enumerate(zip(head.weights, head.biases)):
        arrays[f"W{k}"] = np.asarray(w, dtype=np.float32)
        arrays[f"b{k}"] = np.asarray(b, dtype=np.float32)
    if head.mean is not None:
        arrays["mean"] = np.asarray(head.mean, dtype=np.float32)
    if head.scale is not None:
        arrays["scale"] = np.asarray(head.scale, dtype=np.float32)
    clash = sorted(set(extra or {}) & set(arrays))
    if clash:
        raise ConfigError(f"[E004] extra arrays may not reuse the head's names {clash}. Fix: rename them.")
    arrays.update({k: np.asarray(v) for k, v in (extra or {}).items()})
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    _write_npz_deterministic(out, arrays)
    return out


def _write_npz_deterministic(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """Like ``np.savez`` but with fixed zip timestamps, so retraining gives identical bytes."""
    import io
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue())
