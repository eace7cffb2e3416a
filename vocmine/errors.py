"""The vocmine exception and warning tree.

Every message starts with a unique code (``[E001]``), names the thing, says what
was expected, what was received and how to fix it.

Examples:
    >>> from vocmine.errors import SchemaError, VocmineError
    >>> issubclass(SchemaError, VocmineError) and issubclass(SchemaError, ValueError)
    True
"""

from __future__ import annotations

__all__ = [
    "VocmineError",
    "ConfigError",
    "SchemaError",
    "InputRowError",
    "NotFittedError",
    "MissingDependencyError",
    "ModelNotFoundError",
    "VocmineWarning",
    "ERROR_CODES",
]


class VocmineError(Exception):
    """Base class of every exception vocmine raises on purpose."""


class ConfigError(VocmineError, ValueError):
    """A configuration value, file or component name is invalid."""


class SchemaError(VocmineError, ValueError):
    """The input frame lacks a required column or a column has the wrong type."""


class InputRowError(VocmineError, ValueError):
    """A single input row is invalid and ``on_error="raise"`` was requested."""


class NotFittedError(VocmineError, RuntimeError):
    """A fitted-only method was called on a component that was not fitted."""


class MissingDependencyError(VocmineError, ImportError):
    """An optional third-party package needed by a component is not installed."""


class ModelNotFoundError(VocmineError, FileNotFoundError):
    """Model weights could not be found locally (vocmine never downloads at run time)."""


class VocmineWarning(UserWarning):
    """Base class of every warning vocmine emits."""


# Registry of message codes, so that tests can assert they stay unique.
ERROR_CODES: dict[str, str] = {
    "E001": "required column missing",
    "E002": "column has the wrong type",
    "E003": "invalid row (empty, non-string, too long, duplicate id, bad bytes)",
    "E004": "invalid configuration value",
    "E005": "unknown component name",
    "E006": "stage requirements not met",
    "E007": "missing optional dependency",
    "E008": "model weights not found",
    "E009": "component not fitted",
    "E010": "unsupported input file format",
    "E011": "input file not found or unreadable",
    "E012": "result directory invalid",
    "E013": "component returned a malformed output",
}
