"""The ``vocmine`` command line."""

from __future__ import annotations

from vocmine.cli._main import main

__all__ = ["main"]
