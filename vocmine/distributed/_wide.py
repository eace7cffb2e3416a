"""Engine-independent partition scoring and collection."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vocmine import schema
from vocmine.errors import SchemaError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from vocmine.pipeline import Pipeline
    from vocmine.result import AnalysisResult

__all__ = ["WIDE_COLUMNS", "score_partition", "collect_result", "wide_dtypes"]

#: Columns of a scored partition: the documents table, then nested tables and errors as JSON.
WIDE_COLUMNS: tuple[str, ...] = (*schema.DOCUMENT_COLUMNS, "sentences_json", "mentions_json", "errors_json")
_LOCK = threading.Lock()
_LOADED: dict[tuple[str, str | None], Pipeline] = {}


def _pipeline(model_dir: str, device: str | None) -> Pipeline:
    """Load the fitted pipeline once per worker process (thread-safe)."""
    from vocmine.pipeline import Pipeline

    key = (str(Path(model_dir).resolve()), device)
    with _LOCK:
        if key not in _LOADED:
            _LOADED[key] = Pipeline.load(model_dir, device=device)
        return _LOADED[key]


def _nested(table: pd.DataFrame, ids: list[str]) -> list[str]:
    from vocmine.result import _records

    groups: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for rec in _records(table):
        groups.setdefault(str(rec[schema.FEEDBACK_ID]), []).append(rec)
    return [json.dumps(groups[i], ensure_ascii=False) for i in ids]


def score_partition(
    pdf: pd.DataFrame,
    *,
    model_dir: str,
    columns: dict[str, Any],
    device: str | None = None,
    pipeline: Pipeline | None = None,
) -> pd.DataFrame:
    """Score one partition with a fitted pipeline into a wide frame (``WIDE_COLUMNS``).

    Rows rejected by input validation come back with their id, null document fields and
    an ``errors_json`` list, so no row is lost in the engine (their ``row`` is the
    position inside the partition). ``columns`` must name an ``id_col``: row numbers
    are not global across partitions. Duplicate ids are only detected within a partition.
    """
    import pandas as pd

    if not columns.get("id_col"):
        raise SchemaError("[E001] Distributed scoring needs id_col=...: row numbers are not unique across partitions.")
    pipe = pipeline if pipeline is not None else _pipeline(model_dir, device)
    result = pipe.score(pdf, **columns)
    docs = result.documents.copy()
    ids = docs[schema.FEEDBACK_ID].astype(str).tolist()
    docs["sentences_json"] = _nested(result.sentences, ids)
    docs["mentions_json"] = _nested(result.mentions, ids)
    docs["errors_json"] = "[]"
    if len(result.errors):
        from vocmine.result import _records

        bad = pd.DataFrame({schema.FEEDBACK_ID: result.errors[schema.FEEDBACK_ID].astype(str)})
        bad["errors_json"] = [json.dumps([r], ensure_ascii=False) for r in _records(result.errors)]
        docs = pd.concat([docs, bad], ignore_index=True)
    for col in WIDE_COLUMNS:
        if col not in docs:
            docs[col] = None
    docs[schema.CREATED_AT] = pd.to_datetime(docs[schema.CREATED_AT])
    return docs[list(WIDE_COLUMNS)].astype(wide_dtypes())


def wide_dtypes() -> dict[str, Any]:
    """pandas dtypes of the wide frame (nullable ints/bools: error rows have no document fields)."""
    nullable = {"string": object, "float64": "float64", "int64": "Int64", "bool": "boolean",
                "timestamp": "datetime64[ns]"}
    return {c: nullable[schema.COLUMN_TYPES.get(c, "string")] for c in WIDE_COLUMNS}


def collect_result(wide: pd.DataFrame, pipeline: Pipeline) -> AnalysisResult:
    """Rebuild an ``AnalysisResult`` from gathered wide partitions and rank drivers once.

    Rows are put in feedback-id order so the result does not depend on partitioning.
    """
    import pandas as pd

    from vocmine.result import AnalysisResult

    wide = wide.sort_values(schema.FEEDBACK_ID, kind="stable").reset_index(drop=True)
    is_doc = wide["sentences_json"].notna()
    docs = wide.loc[is_doc, list(schema.DOCUMENT_COLUMNS)].reset_index(drop=True)
    docs[schema.N_SENTENCES] = docs[schema.N_SENTENCES].astype("int64")
    docs[schema.TOPIC_ID] = docs[schema.TOPIC_ID].astype("int64")
    docs[schema.MIXED] = docs[schema.MIXED].astype(bool)

    def explode(col: str, columns: tuple[str, ...]) -> pd.DataFrame:
        rows = [r for cell in wide[col].dropna() for r in json.loads(cell)]
        return pd.DataFrame(rows, columns=list(columns))

    sentences = explode("sentences_json", schema.SENTENCE_COLUMNS)
    mentions = explode("mentions_json", schema.MENTION_COLUMNS)
    errors = explode("errors_json", schema.ERROR_COLUMNS).sort_values(schema.ROW, kind="stable", ignore_index=True)
    drivers = pipeline.rank_drivers(docs, mentions)
    topics = pipeline.score(pd.DataFrame({"text": pd.Series([], dtype=object)})).topics
    return AnalysisResult(documents=docs, sentences=sentences, mentions=mentions, topics=topics, drivers=drivers,
                          errors=errors, config=pipeline.config.to_dict(), versions=pipeline.versions())
