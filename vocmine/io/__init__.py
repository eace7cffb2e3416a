"""Reading feedback files (CSV, TSV, JSONL, Parquet, Excel) into a frame."""

from __future__ import annotations

from vocmine.io._read import SUPPORTED_FORMATS, read_feedback

__all__ = ["read_feedback", "SUPPORTED_FORMATS"]
