"""The aspect-term model file: format, writing, reading and where it is found.

A term model is one ``.npz`` file (numpy only, ``allow_pickle=False``): the parameters of
:class:`~vocmine.aspects._term_net.TermNet` as float32 arrays named like its
``state_dict`` keys, plus ``meta``, a JSON string with ``format``, ``labels``, ``embedder``
(the embedder name the head was trained on), the network sizes (``dim``, ``hidden``,
``mlp``, ``n_dist``) and free-form training details.

Models are looked up by the embedder's name (``<embedder name>.npz``) in, in order: an
explicit ``model_path`` (a file or a directory), ``$VOCMINE_MODEL_DIR/aspects-e5/``, the
``models/aspects-e5/`` folder of a source checkout, and the copy shipped inside the package
(``vocmine/aspects/weights/``).

Examples:
    >>> term_model_file_name("multilingual-e5-small-int8sq")
    'multilingual-e5-small.npz'
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vocmine._model_files import base_embedder_name, find_weights, weights_file_name
from vocmine.errors import ConfigError
from vocmine.types import SENTIMENT_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping

__all__ = ["TermModel", "MODEL_DIR_NAME", "base_embedder_name", "FORMAT", "term_model_file_name", "find_term_model", "load_term_model",
           "save_term_model"]

#: Folder name under ``$VOCMINE_MODEL_DIR`` and the repository's ``models/``.
MODEL_DIR_NAME = "aspects-e5"
#: Version of the ``.npz`` layout.
FORMAT = 1
_SIZES = ("dim", "hidden", "mlp", "n_dist")


@dataclass(frozen=True)
class TermModel:
    """Trained parameters of a term network plus its metadata.

    Attributes:
        params: ``state_dict``-named float32 arrays.
        meta: ``dim``, ``hidden``, ``mlp``, ``n_dist``, ``embedder`` and training details.
    """

    params: Mapping[str, np.ndarray]
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def dim(self) -> int:
        """Token-state size the model expects."""
        return int(self.meta["dim"])

    def build(self) -> Any:
        """A ready-to-run ``TermNet`` (eval mode) with these parameters (imports torch)."""
        import torch

        from vocmine.aspects._term_net import TermNet

        net = TermNet(**{k: int(self.meta[k]) for k in _SIZES})
        state = {k: torch.from_numpy(np.asarray(v, dtype=np.float32)) for k, v in self.params.items()}
        net.load_state_dict(state)
        net.eval()
        return net


def term_model_file_name(embedder_name: str) -> str:
    """File name of the term model trained for ``embedder_name`` (int8 runs share it).

    Examples:
        >>> term_model_file_name("my/encoder v2")
        'my_encoder_v2.npz'
    """
    return weights_file_name(embedder_name)


def find_term_model(embedder_name: str, model_path: str | Path | None = None) -> Any:
    """Return the first existing term-model file for ``embedder_name``.

    Raises:
        ModelNotFoundError: no candidate exists; the message lists where it looked.

    Examples:
        >>> find_term_model("multilingual-e5-small").name  # doctest: +SKIP
        'multilingual-e5-small.npz'
    """
    return find_weights(
        embedder_name,
        model_path,
        dir_name=MODEL_DIR_NAME,
        package="vocmine.aspects",
        what="Aspect-term model",
        fix="use the default embedder (vocmine.embed.e5_small.v1) with the model shipped in vocmine, set "
        f"VOCMINE_MODEL_DIR to a folder holding {MODEL_DIR_NAME}/, pass model_path=, or train one with "
        "`python benchmarks/train_aspects.py`.",
    )


def load_term_model(path: str | Path | Any) -> TermModel:
    """Read a term model written by :func:`save_term_model`.

    Raises:
        ConfigError: the file is not a term model of a supported format.
    """
    with Path(path).open("rb") if isinstance(path, (str, Path)) else path.open("rb") as fh:
        with np.load(fh, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    try:
        meta = json.loads(str(arrays.pop("meta")))
        sizes_ok = all(int(meta[k]) > 0 for k in _SIZES)
    except (KeyError, ValueError, TypeError) as exc:
        raise ConfigError(
            f"[E004] {path} is not a vocmine aspect-term model: expected arrays 'meta' and the network "
            f"parameters, got {sorted(arrays)}. Fix: retrain it with `python benchmarks/train_aspects.py`."
        ) from exc
    if meta.get("format") != FORMAT or tuple(meta.get("labels", ())) != SENTIMENT_LABELS or not sizes_ok:
        raise ConfigError(
            f"[E004] {path} has term-model format {meta.get('format')!r} / labels {meta.get('labels')!r}; "
            f"expected format {FORMAT} and labels {list(SENTIMENT_LABELS)}. Fix: retrain the model."
        )
    return TermModel({k: v.astype(np.float32) for k, v in arrays.items()}, meta)


def save_term_model(model: TermModel, path: str | Path) -> Path:
    """Write ``model`` to ``path`` (a ``.npz`` file), byte-for-byte deterministic.

    Examples:
        >>> import tempfile, pathlib
        >>> from vocmine.aspects import train_term_model  # doctest: +SKIP
    """
    missing = [k for k in _SIZES if k not in model.meta]
    if missing:
        raise ConfigError(f"[E004] term-model meta lacks {missing}. Fix: build it with train_term_model().")
    meta = {**model.meta, "format": FORMAT, "labels": list(SENTIMENT_LABELS)}
    arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta, sort_keys=True, ensure_ascii=False))}
    arrays.update({k: np.asarray(v, dtype=np.float32) for k, v in model.params.items()})
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue())
    return out
