"""The final driver ranking of a batch run, part by part, in memory that does not grow with the file.

Three passes over the scored parts, each holding one part at a time:

1. ratings and dates only: whether the outcome is the rating or document sentiment,
   the rating scale, whether there are periods;
2. each part's driver design, for the union of driver columns (sorted, as one pass over
   all documents would have them);
3. each part's design on those columns, collapsed to weighted rows
   (``vocmine.drivers.collapse_rows``: documents no statistic can tell apart become one
   row) and merged, plus the evidence candidates that can still be chosen
   (``vocmine._driver_input.evidence_candidates``).

The ranker then fits the merged rows; the drivers table equals that of
``Pipeline.rank_drivers`` on the whole output (tested). What is held is the distinct
rows (indicator pattern x outcome x period x polarity sign), not one row per document:
with star ratings a million documents collapse to a small fraction of that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vocmine import schema

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from vocmine._driver_input import DriverDesign
    from vocmine.pipeline import Pipeline

__all__ = ["rank_parts", "read_parts"]

#: document columns the driver ranking reads (the rest, texts included, stay on disk)
DOC_COLUMNS = (schema.FEEDBACK_ID, schema.RATING, schema.TOUCHPOINT, schema.CREATED_AT, schema.LANG,
               schema.SENTIMENT_SCORE, schema.TOPIC_ID)
_LABEL_COLUMNS = (schema.TOUCHPOINT, schema.LANG, "category")  # few distinct values: read as categoricals
_MERGE_EVERY = 16  # parts collapsed separately before their rows are merged


def read_parts(out: Path, parts: list[Path]) -> Iterator[tuple[pd.DataFrame, pd.DataFrame, np.ndarray]]:
    """Per scored part: its documents (the ranking's columns), its mentions (without ids)
    and the row of each mention's document in the part."""
    import pyarrow.parquet as pq

    from vocmine.pipeline._stages import _doc_index

    names = set(pq.read_schema(parts[0]).names)
    doc_cols = [c for c in DOC_COLUMNS if c in names]
    for part in parts:
        docs = pq.read_table(part, columns=doc_cols, read_dictionary=[c for c in _LABEL_COLUMNS if c in doc_cols])
        ment = pq.read_table(out / "mentions" / part.name, columns=[schema.FEEDBACK_ID, "category", "score",
                                                                     schema.START, schema.END],
                             read_dictionary=["category"])
        at = _doc_index(docs.column(schema.FEEDBACK_ID).to_pandas(), ment.column(schema.FEEDBACK_ID).to_pandas())
        yield docs.to_pandas(), ment.drop_columns([schema.FEEDBACK_ID]).to_pandas(), np.asarray(at, dtype=np.int64)


@dataclass(frozen=True)
class _Scan:
    offsets: list[int]  # first file row of each part
    outcome: str  # "rating" or "sentiment"
    rating_scale: str | None
    dated: bool


def _scan(pipeline: Pipeline, parts: list[Path]) -> _Scan:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from vocmine._driver_input import _detect_scale

    names = set(pq.read_schema(parts[0]).names)
    cols = [c for c in (schema.RATING, schema.CREATED_AT) if c in names]
    offsets, low, high, dated, total = [], np.inf, -np.inf, False, 0
    for part in parts:
        offsets.append(total)
        if not cols:
            total += pq.ParquetFile(part).metadata.num_rows
            continue
        table = pq.read_table(part, columns=cols)
        total += table.num_rows
        if schema.RATING in cols:
            r = table.column(schema.RATING).to_numpy(zero_copy_only=False).astype(float)
            r = r[np.isfinite(r)]
            if r.size:
                low, high = min(low, float(r.min())), max(high, float(r.max()))
        if schema.CREATED_AT in cols:
            dated = dated or pc.count(table.column(schema.CREATED_AT)).as_py() > 0
    rated = bool(np.isfinite(low))
    scale = pipeline.config.rating_scale
    if rated and scale == "auto":
        scale = _detect_scale(np.array([low, high]))
    return _Scan(offsets, "rating" if rated else "sentiment", scale if rated else None, dated)


def rank_parts(pipeline: Pipeline, out: Path, parts: list[Path],
               fetch_texts: Callable[[list[str]], dict[str, str]]) -> pd.DataFrame:
    """Rank drivers over every scored part of a batch run (see the module docstring)."""
    from vocmine._driver_input import evidence_candidates, merge_candidates, pick_from_candidates
    from vocmine.drivers import collapse_rows
    from vocmine.pipeline._stages import driver_design, driver_table

    cfg = pipeline.config
    scan = _scan(pipeline, parts)

    def designs(columns: list[str] | None) -> Iterator[tuple[int, pd.DataFrame, DriverDesign]]:
        for i, (docs, ment, rows) in enumerate(read_parts(out, parts)):
            design = driver_design(pipeline, docs, ment, mention_rows=rows, outcome=scan.outcome,
                                   rating_scale=scan.rating_scale, columns=columns, dated=scan.dated)
            if design is not None:
                yield i, docs, design

    names = sorted({name for _, _, d in designs(None) for name in d.data.names})
    merged: list[Any] = []
    cands = None
    for i, docs, design in designs(names):
        merged.append(collapse_rows([design.data]))
        if len(merged) >= _MERGE_EVERY:
            merged = [collapse_rows(merged)]
        found = evidence_candidates(design, langs=docs[schema.LANG].astype(object).to_numpy(),
                                    doc_scores=docs[schema.SENTIMENT_SCORE].to_numpy(dtype=float),
                                    seed=cfg.seed, offset=scan.offsets[i])
        cands = found if cands is None else merge_candidates([cands, found], seed=cfg.seed)
    if not merged or cands is None:
        import pandas as pd

        return pd.DataFrame(columns=list(schema.DRIVER_COLUMNS))
    records = pipeline.component("drivers").rank(collapse_rows(merged))
    picks = [pick_from_candidates(r, names, cands, seed=cfg.seed) for r in records]
    wanted = sorted({d for p in picks for d, _, _ in p})
    ids = _ids_of(parts, scan.offsets, wanted)
    lang_of = dict(zip(cands.doc.tolist(), cands.lang.tolist()))
    return driver_table(records, picks, ids=ids, langs={d: str(lang_of[d]) for d in wanted},
                        texts=fetch_texts(list(ids.values())) if ids else {})


def _ids_of(parts: list[Path], offsets: list[int], docs: list[int]) -> dict[int, str]:
    """Feedback id of each file row in ``docs``, reading only the parts that hold them."""
    import pyarrow.parquet as pq

    out: dict[int, str] = {}
    where = np.searchsorted(np.asarray(offsets), np.asarray(docs, dtype=np.int64), side="right") - 1
    for part in sorted(set(where.tolist())):
        ids = pq.read_table(parts[part], columns=[schema.FEEDBACK_ID]).column(0).to_pylist()
        for d in np.asarray(docs)[where == part].tolist():
            out[d] = str(ids[d - offsets[part]])
    return out
