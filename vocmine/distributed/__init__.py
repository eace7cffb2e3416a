"""Scoring on an existing distributed engine (Dask ``map_partitions``, Spark ``mapInPandas``).

Executors load the fitted pipeline once per process from a directory written by
``Pipeline.save`` / ``vocmine fit`` (ship it to the workers' file system or a shared
path). Each partition is scored independently into a *wide* frame: the documents
table plus the document's sentences and mentions as JSON text columns, which every
engine can carry. ``collect_result`` turns the gathered wide frame back into an
``AnalysisResult`` and ranks drivers once, on the driver node.
"""

from __future__ import annotations

from vocmine.distributed._wide import WIDE_COLUMNS, collect_result, score_partition

__all__ = ["score_partition", "collect_result", "WIDE_COLUMNS", "score_dask", "spark_schema"]


def __getattr__(name: str) -> object:
    if name in ("score_dask", "spark_schema"):
        from vocmine.distributed import _engines

        return getattr(_engines, name)
    raise AttributeError(name)
