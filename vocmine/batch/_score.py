"""Resumable, bounded-memory scoring of a large feedback file with a fitted pipeline.

Layout of the output directory::

    documents/part-00000.parquet ...   per-chunk tables (also sentences/, mentions/, errors/, topics/)
    _progress/manifest.json            what is being scored (input fingerprint, chunk size, config)
    _progress/part-00000.done          written last, atomically, once a chunk's parts are complete
    drivers.parquet, topics.parquet, meta.json   written by the final step

Every part is written to a temporary name and renamed into place, so a killed run
leaves either a complete part or none. A rerun skips chunks that have a ``.done``
marker and recomputes the rest; since chunks and components are deterministic,
the final output equals that of an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vocmine import schema
from vocmine.batch._chunks import iter_chunks
from vocmine.batch._drivers import rank_parts, read_parts
from vocmine.batch._ids import SeenIds
from vocmine.errors import VocmineError
from vocmine.result import SCHEMA_VERSION, encode_json_columns

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from vocmine.pipeline import Pipeline

__all__ = ["score_file", "PART_TABLES"]

PART_TABLES: tuple[str, ...] = ("documents", "sentences", "mentions", "errors")
_PROGRESS = "_progress"
_JSON_COLUMNS = {"topics": ["labels", "words"], "drivers": ["evidence"]}


def _fingerprint(path: Path) -> dict[str, Any]:
    digest = hashlib.sha1()
    with open(path, "rb") as fh:
        digest.update(fh.read(1 << 20))
    return {"input": str(path.resolve()), "size": path.stat().st_size, "head_sha1": digest.hexdigest()}


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _arrow_schema(columns: list[str]) -> Any:
    import pyarrow as pa

    types = {"string": pa.string(), "float64": pa.float64(), "int64": pa.int64(), "bool": pa.bool_(),
             "timestamp": pa.timestamp("ns")}
    return pa.schema([(c, types[schema.COLUMN_TYPES.get(c, "string")]) for c in columns])


def _write_part(df: pd.DataFrame, path: Path, *, typed: bool = False) -> None:
    """Write a table atomically; ``typed`` casts to the fixed per-column types so all parts share one schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame, _ = encode_json_columns(df)
    if typed:
        table = pa.Table.from_pandas(frame, schema=_arrow_schema(list(frame.columns)), preserve_index=False)
    else:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def _count_rows(path: Path, fmt: str | None) -> int | None:
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")) or fmt == "parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    return None


def _prepare(out: Path, manifest: dict[str, Any], resume: bool) -> None:
    manifest_path = out / _PROGRESS / "manifest.json"
    if manifest_path.is_file():
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
        if resume and old == manifest:
            return
        if resume:
            changed = sorted(k for k in set(old) | set(manifest) if old.get(k) != manifest.get(k))
            raise VocmineError(
                f"[E012] {str(out)!r} holds a scoring run of a different input or settings (differs in {changed}). "
                "Use another output directory, or start again with --overwrite (CLI) / resume=False (Python)."
            )
        shutil.rmtree(out)
    elif out.exists() and any(out.iterdir()):
        raise VocmineError(
            f"[E012] Output directory {str(out)!r} is not empty and holds no scoring run; choose an empty output directory."
        )
    for name in (*PART_TABLES, _PROGRESS):
        (out / name).mkdir(parents=True, exist_ok=True)
    _atomic_write_bytes(manifest_path, json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8"))


def _seen_ids(out: Path, done: list[int]) -> SeenIds:
    import pyarrow.parquet as pq

    seen = SeenIds()
    for index in done:
        table = pq.read_table(out / "documents" / f"part-{index:05d}.parquet", columns=["feedback_id"])
        for x in table.column(0).to_pylist():
            seen.add(str(x))
        seen.commit()
    return seen


def score_file(
    pipeline: Pipeline,
    input_path: str | Path,
    out: str | Path,
    *,
    columns: dict[str, Any] | None = None,
    chunk_rows: int = 10_000,
    format: str | None = None,
    resume: bool = True,
    progress: bool = True,
) -> Path:
    """Score ``input_path`` chunk by chunk into ``out`` and rank drivers over all of it.

    Args:
        pipeline: a fitted pipeline (``Pipeline.load(model_dir)`` or ``pipeline.fit(df)``).
        input_path: CSV/TSV, JSONL or Parquet file.
        out: output directory (see the module docstring for its layout).
        columns: column keywords as for ``Pipeline.run`` (``text_col``, ``id_col``, ...).
        chunk_rows: rows per chunk; memory is bounded by the chunk, not the file.
        format: input format if the extension does not tell.
        resume: skip chunks completed by an earlier, interrupted run of the same input.
        progress: show a progress bar with rows/s on stderr.

    Returns:
        ``out``; ``vocmine.AnalysisResult.load(out)`` reads every table.
    """
    src, dst = Path(input_path), Path(out)
    cols = dict(columns or {})
    manifest = {**_fingerprint(src), "chunk_rows": chunk_rows, "columns": cols,
                "config": pipeline.config.to_dict(), "schema_version": SCHEMA_VERSION}
    _prepare(dst, manifest, resume)
    done = sorted(int(p.name[5:10]) for p in (dst / _PROGRESS).glob("part-*.done"))
    seen = _seen_ids(dst, done)
    total = _count_rows(src, format)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="rows", desc="scoring", file=sys.stderr, dynamic_ncols=True)
    started, scored = time.perf_counter(), 0
    for index, first_row, frame in iter_chunks(src, chunk_rows=chunk_rows, format=format):
        if index in done:
            if bar is not None:
                bar.update(len(frame))
            continue
        id_col = cols.get("id_col")
        if id_col is not None and id_col in frame:
            seen.prefetch(frame[id_col].tolist())
        result = pipeline.score(frame, row_offset=first_row, seen_ids=seen, **cols)
        seen.commit()
        for name in PART_TABLES:
            _write_part(result.tables()[name], dst / name / f"part-{index:05d}.parquet", typed=True)
        _write_part(result.topics, dst / _PROGRESS / f"topics-{index:05d}.parquet")
        _forget_vectors(pipeline)
        marker = {"rows": len(frame), "documents": len(result.documents), "errors": len(result.errors)}
        _atomic_write_bytes(dst / _PROGRESS / f"part-{index:05d}.done", json.dumps(marker).encode("utf-8"))
        scored += len(frame)
        if bar is not None:
            bar.update(len(frame))
            bar.set_postfix(rows_per_s=f"{scored / max(time.perf_counter() - started, 1e-9):.0f}")
    if bar is not None:
        bar.close()
    _finalize(pipeline, dst)
    return dst


def _forget_vectors(pipeline: Pipeline) -> None:
    """Empty the embedder's text-vector cache between chunks, so memory stays flat in the row count
    (the cache serves the stages of one chunk; texts repeated across chunks are re-embedded)."""
    embedder = pipeline.component("embedder")
    clear = getattr(embedder, "clear", None)
    if callable(clear):
        clear()


def _finalize(pipeline: Pipeline, out: Path) -> None:
    """Rank drivers once over all parts; write drivers, topics and meta.json (idempotent)."""
    import pandas as pd
    import pyarrow.parquet as pq

    from vocmine.result import AnalysisResult

    parts = sorted((out / "documents").glob("part-*.parquet"))
    if not parts:  # empty input: every table empty
        empty = AnalysisResult.empty()
        for name in PART_TABLES:
            _write_part(empty.tables()[name], out / name / "part-00000.parquet", typed=True)
        _write_part(empty.topics, out / _PROGRESS / "topics-00000.parquet")
        parts = sorted((out / "documents").glob("part-*.parquet"))

    def fetch_texts(ids: list[str]) -> dict[str, str]:
        table = pq.read_table(out / "documents", columns=["feedback_id", "text"], filters=[("feedback_id", "in", ids)])
        return dict(zip(table.column(0).to_pylist(), table.column(1).to_pylist()))

    if getattr(pipeline.component("drivers"), "accepts_counts", False):
        drivers = rank_parts(pipeline, out, parts, fetch_texts)
    else:  # a ranker that needs one row per document: hold every document's driver inputs
        docs, mentions, rows = _driver_inputs(out, parts)
        drivers = pipeline.rank_drivers(docs, mentions, fetch_texts=fetch_texts, mention_rows=rows)
    if drivers.empty:
        drivers = AnalysisResult.empty().drivers
    _write_part(drivers, out / "drivers.parquet")
    topics = pd.read_parquet(sorted((out / _PROGRESS).glob("topics-*.parquet"))[0])
    _write_part(topics, out / "topics.parquet")
    meta = {"schema_version": SCHEMA_VERSION, "config": pipeline.config.to_dict(), "versions": pipeline.versions(),
            "json_columns": _JSON_COLUMNS}
    _atomic_write_bytes(out / "meta.json", json.dumps(meta, ensure_ascii=False, indent=2).encode("utf-8"))


def _driver_inputs(out: Path, parts: list[Path]) -> tuple[pd.DataFrame, pd.DataFrame, Any]:
    """Documents and mentions of every part for a ranker without ``accepts_counts``
    (columns as ``read_parts`` reads them; mention rows point into the whole documents table)."""
    import numpy as np
    import pandas as pd

    docs, mentions, rows, offset = [], [], [], 0
    for d, m, at in read_parts(out, parts):
        docs.append(d)
        mentions.append(m)
        rows.append(at + offset)
        offset += len(d)
    return (pd.concat(docs, ignore_index=True), pd.concat(mentions, ignore_index=True),
            np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64))
