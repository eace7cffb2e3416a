"""Thin adapters for Dask and Spark; both call ``score_partition`` per partition."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vocmine import schema
from vocmine.distributed._wide import WIDE_COLUMNS, score_partition, wide_dtypes

if TYPE_CHECKING:  # pragma: no cover
    import dask.dataframe as dd

__all__ = ["score_dask", "spark_schema"]

_SPARK_TYPES = {"string": "string", "float64": "double", "int64": "bigint", "bool": "boolean",
                "timestamp": "timestamp"}


def score_dask(ddf: dd.DataFrame, *, model_dir: str, columns: dict[str, Any],
               device: str | None = None) -> dd.DataFrame:
    """Score a Dask DataFrame partition by partition with ``map_partitions``.

    Examples:
        >>> # from distributed import Client; client = Client()              # local or remote cluster
        >>> # wide = score_dask(dd.read_parquet("reviews/"), model_dir="model/",
        >>> #                   columns={"text_col": "body", "id_col": "id"})
        >>> # result = collect_result(wide.compute(), Pipeline.load("model/"))
    """
    import pandas as pd

    meta = pd.DataFrame({c: pd.Series(dtype=t) for c, t in wide_dtypes().items()})
    return ddf.map_partitions(score_partition, model_dir=model_dir, columns=columns, device=device, meta=meta)


def spark_schema() -> str:
    """The DDL schema of a scored partition, for Spark's ``mapInPandas``.

    Examples:
        >>> spark_schema().startswith("feedback_id string, text string")
        True
        >>> # from functools import partial
        >>> # score = partial(score_partition, model_dir="model/", columns={"text_col": "body", "id_col": "id"})
        >>> # wide = sdf.mapInPandas(lambda it: (score(pdf) for pdf in it), schema=spark_schema())
        >>> # result = collect_result(wide.toPandas(), Pipeline.load("model/"))
    """
    return ", ".join(f"{c} {_SPARK_TYPES[schema.COLUMN_TYPES.get(c, 'string')]}" for c in WIDE_COLUMNS)
