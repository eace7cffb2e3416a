"""Where vocmine looks for and caches model directories.

Resolution order for a named model (e.g. ``multilingual-e5-small``):

1. an explicit path given by the caller;
2. ``$VOCMINE_MODEL_DIR/<name>``;
3. the cache, ``$VOCMINE_HOME/models/<name>`` (``VOCMINE_HOME`` defaults to
   ``~/.cache/vocmine``).

Examples:
    >>> import os
    >>> from pathlib import Path
    >>> cache_dir("multilingual-e5-small", environ={"VOCMINE_HOME": "/srv/vm"}).as_posix()
    '/srv/vm/models/multilingual-e5-small'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping

__all__ = [
    "E5_MODEL_NAME",
    "STATIC_MODEL_NAME",
    "MANIFEST_NAME",
    "vocmine_home",
    "cache_dir",
    "env_model_dir",
    "repo_models_dir",
]

E5_MODEL_NAME = "multilingual-e5-small"
STATIC_MODEL_NAME = "e5-static"
#: Manifest written next to every model vocmine builds.
MANIFEST_NAME = "vocmine_model.json"


def vocmine_home(environ: Mapping[str, str] | None = None) -> Path:
    """Return ``$VOCMINE_HOME`` or ``~/.cache/vocmine``."""
    env = os.environ if environ is None else environ
    home = env.get("VOCMINE_HOME")
    return Path(home).expanduser() if home else Path.home() / ".cache" / "vocmine"


def cache_dir(name: str, environ: Mapping[str, str] | None = None) -> Path:
    """Return the cache directory of model ``name`` (it may not exist)."""
    return vocmine_home(environ) / "models" / name


def env_model_dir(name: str, environ: Mapping[str, str] | None = None) -> Path | None:
    """Return ``$VOCMINE_MODEL_DIR/<name>`` or ``None`` when the variable is unset."""
    env = os.environ if environ is None else environ
    root = env.get("VOCMINE_MODEL_DIR")
    return Path(root).expanduser() / name if root else None


def repo_models_dir() -> Path:
    """Return the ``models/`` folder of a source checkout (next to the package)."""
    return Path(__file__).resolve().parents[2] / "models"
