"""The one-call entry point ``vocmine.analyze``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from vocmine.config import PipelineConfig
    from vocmine.result import AnalysisResult

__all__ = ["analyze"]


def analyze(
    df: pd.DataFrame,
    *,
    text_col: str = "text",
    id_col: str | None = None,
    rating_col: str | None = None,
    touchpoint_col: str | None = None,
    time_col: str | None = None,
    config: PipelineConfig | dict[str, Any] | str | Path | None = None,
    audit: pd.DataFrame | None = None,
) -> AnalysisResult:
    """Analyse customer feedback and return documents, mentions, topics, drivers and errors.

    Args:
        df: one row per feedback item.
        text_col: column with the feedback text.
        id_col: column with a unique id (row numbers when ``None``).
        rating_col: outcome column: stars 1-5, NPS 0-10, CSAT or CES (optional; document
            sentiment is the outcome when absent).
        touchpoint_col: given journey touchpoint (optional; inferred where empty).
        time_col: timestamp column for trends (optional).
        config: a ``PipelineConfig``, a dict, or a path to a TOML file.
        audit: optional frame with ``feedback_id`` and ``category``: the true categories of
            documents a person read (one row per confirmed category; an empty category for a
            checked document with none). Predicted aspects miss and invent mentions, which
            shrinks impacts and makes their intervals too optimistic; with a few hundred audited
            documents the category impacts are regression-calibrated and their 95 % intervals
            cover the truth again (``drivers["calibration"]``; ``benchmarks/drivers.py``). Pick the
            documents with ``result.audit_sample()`` and pass the filled frame back here.

    Returns:
        An ``AnalysisResult``; every input row is in ``documents`` or ``errors``.

    Raises:
        SchemaError: a named column is missing.
        ConfigError: the configuration is invalid.
        InputRowError: a row is invalid and ``on_error="raise"``.
        ModelNotFoundError: a configured model is not installed.

    Examples:
        >>> import pandas as pd, vocmine
        >>> off = {s: f"vocmine.{ {'embedder': 'embed'}.get(s, s)}.null.v1" for s in
        ...        ("embedder", "lang", "sentiment", "aspects", "topics", "touchpoints", "drivers")}
        >>> r = vocmine.analyze(pd.DataFrame({"text": ["Доставка опоздала."]}), config=off)
        >>> r.documents["text"].tolist()
        ['Доставка опоздала.']
    """
    from vocmine.pipeline import Pipeline

    return Pipeline.from_config(config).run(
        df,
        text_col=text_col,
        id_col=id_col,
        rating_col=rating_col,
        touchpoint_col=touchpoint_col,
        time_col=time_col,
        audit=audit,
    )
