"""Stream a feedback file in fixed-size row chunks (bounded memory).

Chunk boundaries depend only on the file and ``chunk_rows``, so a resumed run
sees exactly the same chunks as an uninterrupted one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from vocmine.errors import VocmineError
from vocmine.io._read import SUPPORTED_FORMATS, _format_of

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["iter_chunks"]


def _rebatch(frames: Iterator[pd.DataFrame], chunk_rows: int) -> Iterator[pd.DataFrame]:
    import pandas as pd

    buffer: list[pd.DataFrame] = []
    held = 0
    for frame in frames:
        buffer.append(frame)
        held += len(frame)
        while held >= chunk_rows:
            joined = pd.concat(buffer, ignore_index=True)
            yield joined.iloc[:chunk_rows].reset_index(drop=True)
            rest = joined.iloc[chunk_rows:].reset_index(drop=True)
            buffer, held = [rest], len(rest)
    if held:
        yield pd.concat(buffer, ignore_index=True)


def iter_chunks(
    path: str | Path, *, chunk_rows: int = 10_000, format: str | None = None
) -> Iterator[tuple[int, int, pd.DataFrame]]:
    """Yield ``(chunk_index, first_row, frame)`` for consecutive chunks of ``chunk_rows`` rows.

    Supports CSV/TSV (optionally compressed), JSONL and Parquet.

    Examples:
        >>> import tempfile, pathlib, pandas as pd
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "f.csv"
        >>> pd.DataFrame({"text": list("abcde")}).to_csv(p, index=False)
        >>> [(i, start, len(df)) for i, start, df in iter_chunks(p, chunk_rows=2)]
        [(0, 0, 2), (1, 2, 2), (2, 4, 1)]
    """
    import pandas as pd

    p = Path(path)
    if not p.is_file():
        raise VocmineError(f"[E011] Input file {str(p)!r} does not exist or is not a file.")
    if chunk_rows < 1:
        raise VocmineError(f"[E004] chunk_rows must be positive, got {chunk_rows}.")
    fmt = (format or _format_of(p)).lower()
    if fmt in ("csv", "tsv"):
        frames: Iterator[pd.DataFrame] = pd.read_csv(
            p, sep="\t" if fmt == "tsv" else ",", dtype=object, keep_default_na=False, na_values=[""],
            encoding="utf-8", encoding_errors="surrogateescape", chunksize=chunk_rows)
    elif fmt == "jsonl":
        frames = pd.read_json(p, lines=True, chunksize=chunk_rows, dtype=False,
                              encoding="utf-8", encoding_errors="surrogateescape")
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        frames = (batch.to_pandas() for batch in pq.ParquetFile(p).iter_batches(batch_size=chunk_rows))
    else:
        raise VocmineError(
            f"[E010] Batch scoring streams {[f for f in SUPPORTED_FORMATS if f != 'xlsx']}; got {fmt!r}. "
            "Convert the file to Parquet or CSV."
        )
    for index, frame in enumerate(_rebatch(frames, chunk_rows)):
        yield index, index * chunk_rows, frame
