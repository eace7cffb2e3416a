"""The pipeline: runs the configured stages over a feedback frame.

Examples:
    >>> import pandas as pd
    >>> from vocmine import Pipeline, PipelineConfig
    >>> cfg = PipelineConfig()
    >>> for stage in ("embedder", "lang", "sentiment", "aspects", "topics", "touchpoints", "drivers"):
    ...     cfg = cfg.with_stage(stage, f"vocmine.{ {'embedder': 'embed'}.get(stage, stage)}.null.v1")
    >>> result = Pipeline.from_config(cfg).run(pd.DataFrame({"text": ["Great app.", ""]}))
    >>> len(result.documents), len(result.errors)
    (1, 1)
"""

from __future__ import annotations

from vocmine.pipeline._pipeline import Pipeline

__all__ = ["Pipeline"]
