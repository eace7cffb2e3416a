"""``load_embedder``: one string picks the embedder.

Examples:
    >>> from vocmine.embed import load_embedder
    >>> load_embedder("e5-small")  # doctest: +SKIP
    E5Embedder(model_path=None, device='auto', int8=True, max_length=256)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vocmine.embed._paths import E5_MODEL_NAME, MANIFEST_NAME, STATIC_MODEL_NAME
from vocmine.errors import ModelNotFoundError

if TYPE_CHECKING:  # pragma: no cover
    from vocmine.types import Embedder

__all__ = ["load_embedder", "EMBEDDER_NAMES"]

#: Names ``load_embedder`` accepts besides local paths.
EMBEDDER_NAMES = ("e5-small", E5_MODEL_NAME, STATIC_MODEL_NAME)


def load_embedder(spec: str = "e5-small", **kwargs: Any) -> Embedder:
    """Return an embedder for ``spec``.

    Args:
        spec: ``"e5-small"`` (default; multilingual-e5-small with torch),
            ``"e5-static"`` (the distilled static tier), or a local directory:
            a sentence-transformers model (has ``modules.json``), a vocmine-built
            e5 directory (has ``vocmine_model.json``) or any transformers encoder
            (has ``config.json``; mean pooling, no prefix).
        **kwargs: passed to the embedder's constructor.

    Raises:
        ModelNotFoundError: ``spec`` is neither a known name nor an existing model directory.

    Examples:
        >>> emb = load_embedder("e5-static")  # doctest: +SKIP
        >>> emb.name, emb.dim  # doctest: +SKIP
        ('e5-static', 256)
    """
    from vocmine.embed._e5 import E5Embedder
    from vocmine.embed._hf import SentenceTransformersEmbedder, TransformersEmbedder
    from vocmine.embed._static import StaticEmbedder

    if spec in ("e5-small", E5_MODEL_NAME):
        return E5Embedder(**kwargs)
    if spec == STATIC_MODEL_NAME:
        return StaticEmbedder(**kwargs)
    path = Path(spec).expanduser()
    if (path / "modules.json").is_file():
        return SentenceTransformersEmbedder(path, **kwargs)
    manifest = path / MANIFEST_NAME
    if manifest.is_file():
        name = json.loads(manifest.read_text("utf-8")).get("name")
        if name == E5_MODEL_NAME:
            return E5Embedder(model_path=path, **kwargs)
        if name == STATIC_MODEL_NAME:
            return StaticEmbedder(path, **kwargs)
    if (path / "config.json").is_file():
        return TransformersEmbedder(path, **kwargs)
    raise ModelNotFoundError(
        f"[E008] embedder {spec!r} not found: expected one of {list(EMBEDDER_NAMES)} or a local "
        "model directory (with modules.json, vocmine_model.json or config.json), got neither. "
        "Fix: pass 'e5-small', 'e5-static' or the path of a saved model."
    )
