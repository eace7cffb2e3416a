"""Batch scoring of large feedback files: chunked, bounded memory, resumable."""

from __future__ import annotations

from vocmine.batch._chunks import iter_chunks
from vocmine.batch._score import score_file

__all__ = ["iter_chunks", "score_file"]
