"""vocmine: voice-of-customer root-cause analysis for RU / ZH / PL / EN feedback.

Examples:
    >>> import vocmine
    >>> sorted(vocmine.__all__)[:3]
    ['AnalysisResult', 'ComponentConfig', 'ConfigError']
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from vocmine.errors import (
    ConfigError,
    InputRowError,
    MissingDependencyError,
    ModelNotFoundError,
    NotFittedError,
    SchemaError,
    VocmineError,
    VocmineWarning,
)

if TYPE_CHECKING:  # pragma: no cover
    from vocmine._api import analyze
    from vocmine.config import ComponentConfig, PipelineConfig
    from vocmine.io import read_feedback
    from vocmine.pipeline import Pipeline
    from vocmine.result import AnalysisResult

__version__ = "0.1.0"
__all__ = [
    "analyze", "read_feedback", "Pipeline", "PipelineConfig", "ComponentConfig", "AnalysisResult",
    "VocmineError", "ConfigError", "SchemaError", "InputRowError", "NotFittedError",
    "MissingDependencyError", "ModelNotFoundError", "VocmineWarning", "__version__",
]

_LAZY = {
    "analyze": "vocmine._api",
    "read_feedback": "vocmine.io",
    "Pipeline": "vocmine.pipeline",
    "PipelineConfig": "vocmine.config",
    "ComponentConfig": "vocmine.config",
    "AnalysisResult": "vocmine.result",
}

logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'vocmine' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
