"""The aspect-term model file: format, writing, reading and where it is found.

A term model is one ``.npz`` file (numpy only, ``allow_pickle=False``): the parameters of
:class:`~vocmine.aspects._term_net.TermNet` as float32 arrays named like its
``state_dict`` keys, plus ``meta``, a JSON string with ``format``, ``labels``, ``embedder``
(the embedder name the head was trained on), the network sizes (``dim``, ``hidden``,
``mlp``, ``n_dist``) and free-form training details. A model may carry a second network
for mention polarity (:attr:`TermModel.polarity`), stored in the same file: its arrays under
``polarity/`` and its metadata under ``meta["polarity"]``; it reads the token states of its own
encoder layers (``meta["layer"]``), which must be among the tagger's.

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
           "model_layers", "polarity_columns", "save_term_model"]

#: Folder name under ``$VOCMINE_MODEL_DIR`` and the repository's ``models/``.
MODEL_DIR_NAME = "aspects-e5"
#: Version of the ``.npz`` layout.
FORMAT = 1
_SIZES = ("dim", "hidden", "mlp", "n_dist")
_POLARITY = "polarity/"


@dataclass(frozen=True)
class TermModel:
    """Trained parameters of a term network plus its metadata.

    Attributes:
        params: ``state_dict``-named float32 arrays.
        meta: ``dim``, ``hidden``, ``mlp``, ``n_dist``, ``embedder``, ``layer`` (the encoder
            layer or layers of its token states; absent: the last) and training details.
        polarity: an optional second network whose polarity head classifies the mentions
            (its tagger is not used); ``None``: this network's own polarity head does.
    """

    params: Mapping[str, np.ndarray]
    meta: Mapping[str, Any] = field(default_factory=dict)
    polarity: TermModel | None = None

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
        pol_meta = meta.pop("polarity", None)
        sizes_ok = sizes_ok and (pol_meta is None or all(int(pol_meta[k]) > 0 for k in _SIZES))
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
    pol_arrays = {k[len(_POLARITY) :]: v.astype(np.float32) for k, v in arrays.items() if k.startswith(_POLARITY)}
    polarity = TermModel(pol_arrays, pol_meta) if pol_meta is not None else None
    own = {k: v.astype(np.float32) for k, v in arrays.items() if not k.startswith(_POLARITY)}
    return TermModel(own, meta, polarity)


def save_term_model(model: TermModel, path: str | Path) -> Path:
    """Write ``model`` to ``path`` (a ``.npz`` file), byte-for-byte deterministic.

    Examples:
        >>> import tempfile, pathlib
        >>> from vocmine.aspects import train_term_model  # doctest: +SKIP
    """
    for part in (model, model.polarity):
        missing = [k for k in _SIZES if part is not None and k not in part.meta]
        if missing:
            raise ConfigError(f"[E004] term-model meta lacks {missing}. Fix: build it with train_term_model().")
    if model.polarity is not None and model.polarity.polarity is not None:
        raise ConfigError("[E004] a polarity network cannot carry a polarity network of its own.")
    meta = {**model.meta, "format": FORMAT, "labels": list(SENTIMENT_LABELS)}
    if model.polarity is not None:
        meta["polarity"] = dict(model.polarity.meta)
        polarity_columns(model)  # the polarity network's layers must be among the tagger's
    arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta, sort_keys=True, ensure_ascii=False))}
    arrays.update({k: np.asarray(v, dtype=np.float32) for k, v in model.params.items()})
    if model.polarity is not None:
        arrays.update({_POLARITY + k: np.asarray(v, dtype=np.float32) for k, v in model.polarity.params.items()})
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


def model_layers(meta: Mapping[str, Any]) -> tuple[int, ...] | None:
    """The encoder layers a network's token states come from (``meta["layer"]``), ``None``: the last."""
    layer = meta.get("layer")
    if layer is None:
        return None
    return (int(layer),) if isinstance(layer, (int, np.integer)) else tuple(int(k) for k in layer)


def polarity_columns(model: TermModel) -> np.ndarray | None:
    """Columns of the tagger's token states that feed ``model.polarity`` (``None``: all of them).

    The tagger reads the states of its layers side by side (``dim / len(layers)`` each); the
    polarity network reads those of its own layers, in its order.

    Raises:
        ConfigError: the polarity network needs a layer the tagger does not read.

    Examples:
        >>> tagger = TermModel({}, {"dim": 8, "layer": [9, 12]})
        >>> polarity_columns(TermModel({}, tagger.meta, TermModel({}, {"dim": 4, "layer": 12}))).tolist()
        [4, 5, 6, 7]
    """
    if model.polarity is None:
        return None
    outer, inner = model_layers(model.meta), model_layers(model.polarity.meta)
    if outer == inner and model.dim == model.polarity.dim:
        return None
    if outer is None or inner is None or any(k not in outer for k in inner) or model.dim % len(outer):
        raise ConfigError(
            f"[E004] the polarity network reads encoder layers {inner} but the tagger reads {outer}: its layers "
            "must be among the tagger's. Fix: train both on the same layers, or the tagger on more."
        )
    width = model.dim // len(outer)
    if model.polarity.dim != width * len(inner):
        raise ConfigError(
            f"[E004] the polarity network expects {model.polarity.dim}-wide token states, but layers {inner} of "
            f"the tagger's states are {width * len(inner)} wide. Fix: retrain the pair on one encoder."
        )
    return np.concatenate([np.arange(outer.index(k) * width, (outer.index(k) + 1) * width) for k in inner])
