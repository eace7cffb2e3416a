"""Where trained heads live: one lookup rule for every shipped weights file.

A head trained on an encoder's vectors is stored as ``<encoder name>.npz``; int8
runs of the same encoder share it. Lookup order: an explicit ``model_path`` (a file
or a directory), ``$VOCMINE_MODEL_DIR/<dir_name>/``, the repository's
``models/<dir_name>/`` (source checkouts), then the package's ``weights/`` data.

Examples:
    >>> weights_file_name("my/encoder v2-int8sq")
    'my_encoder_v2.npz'
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

from vocmine.errors import ModelNotFoundError

__all__ = ["base_embedder_name", "weights_file_name", "weight_candidates", "find_weights"]

_REPO_MODELS = Path(__file__).resolve().parents[1] / "models"


def base_embedder_name(embedder_name: str) -> str:
    """The encoder name without its int8 suffix (``-int8``, ``-int8sq``): quantised runs share a head.

    Examples:
        >>> base_embedder_name("multilingual-e5-small-int8sq")
        'multilingual-e5-small'
    """
    return re.sub(r"-int8[a-z0-9]*$", "", embedder_name)


def weights_file_name(embedder_name: str) -> str:
    """File name of a head trained for ``embedder_name``.

    Examples:
        >>> weights_file_name("multilingual-e5-small-int8sq")
        'multilingual-e5-small.npz'
    """
    return re.sub(r"[^A-Za-z0-9._-]+", "_", base_embedder_name(embedder_name)).strip("._") + ".npz"


def weight_candidates(embedder_name: str, model_path: str | Path | None, *, dir_name: str, package: str) -> list[Any]:
    """Every place looked at, in order (paths or package resources).

    Examples:
        >>> [str(p) for p in weight_candidates("e5", "/tmp/h.npz", dir_name="x", package="vocmine")]
        ['/tmp/h.npz']
    """
    name = weights_file_name(embedder_name)
    if model_path is not None:
        path = Path(model_path).expanduser()
        return [path / name if path.is_dir() else path]
    out: list[Any] = []
    root = os.environ.get("VOCMINE_MODEL_DIR")
    if root:
        out.append(Path(root).expanduser() / dir_name / name)
    out.append(_REPO_MODELS / dir_name / name)
    out.append(resources.files(package) / "weights" / name)
    return out


def find_weights(
    embedder_name: str, model_path: str | Path | None, *, dir_name: str, package: str, what: str, fix: str
) -> Any:
    """The first existing weights file for ``embedder_name``.

    Raises:
        ModelNotFoundError: none exists; the message names every place looked at and ``fix``.
    """
    tried = weight_candidates(embedder_name, model_path, dir_name=dir_name, package=package)
    for cand in tried:
        if cand.is_file():
            return cand
    raise ModelNotFoundError(
        f"[E008] {what} for embedder {embedder_name!r} not found: expected {weights_file_name(embedder_name)!r}, "
        f"looked in: {', '.join(str(c) for c in tried)}. Fix: {fix}"
    )
