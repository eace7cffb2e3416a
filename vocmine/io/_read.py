"""Read feedback files with column mapping.

Invalid UTF-8 bytes are kept (as lone surrogates) rather than failing the whole
file, so that the pipeline reports the affected rows in ``result.errors``.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import TYPE_CHECKING

from vocmine import schema
from vocmine.errors import SchemaError, VocmineError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["read_feedback", "SUPPORTED_FORMATS"]

SUPPORTED_FORMATS: tuple[str, ...] = ("csv", "tsv", "jsonl", "parquet", "xlsx")
_SUFFIX = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
           ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx", ".xls": "xlsx"}


def _format_of(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes if s.lower() not in (".gz", ".bz2", ".zst", ".xz")]
    fmt = _SUFFIX.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        raise VocmineError(
            f"[E010] Cannot tell the format of {path.name!r} from its extension. "
            f"Pass format= one of {list(SUPPORTED_FORMATS)}."
        )
    return fmt


def _read_jsonl(path: Path) -> pd.DataFrame:
    import pandas as pd

    opener = gzip.open if path.suffix.lower() == ".gz" else open
    rows = []
    with opener(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            line = raw.decode("utf-8", errors="surrogateescape").strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise VocmineError(f"[E010] {path.name}: line {lineno} is not valid JSON ({exc.msg}).") from exc
    return pd.DataFrame(rows)


def read_feedback(
    path: str | Path,
    *,
    text_col: str = schema.TEXT,
    id_col: str | None = None,
    rating_col: str | None = None,
    touchpoint_col: str | None = None,
    time_col: str | None = None,
    format: str | None = None,
    sheet: str | int = 0,
) -> pd.DataFrame:
    """Read a feedback file and rename the mapped columns to vocmine's names.

    The result has ``text`` (and ``feedback_id``, ``rating``, ``touchpoint``,
    ``created_at`` where mapped) plus every other column unchanged, ready for
    ``vocmine.analyze(df, id_col="feedback_id", ...)``.

    Args:
        path: a .csv, .tsv, .jsonl, .parquet or .xlsx file (optionally .gz for text formats).
        text_col, id_col, rating_col, touchpoint_col, time_col: the file's column names.
        format: override the format guessed from the extension.
        sheet: Excel sheet name or index.

    Raises:
        VocmineError: the file is missing or its format unsupported ([E010]/[E011]).
        SchemaError: a mapped column is missing ([E001]).

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "f.csv"
        >>> _ = p.write_text("body,stars\\nFast delivery,5\\n", encoding="utf-8")
        >>> read_feedback(p, text_col="body", rating_col="stars").columns.tolist()
        ['text', 'rating']
    """
    import pandas as pd

    p = Path(path)
    if not p.is_file():
        raise VocmineError(f"[E011] Input file {str(p)!r} does not exist or is not a file.")
    fmt = (format or _format_of(p)).lower()
    if fmt not in SUPPORTED_FORMATS:
        raise VocmineError(f"[E010] Unsupported format {fmt!r}. Expected one of {list(SUPPORTED_FORMATS)}.")
    if fmt in ("csv", "tsv"):
        df = pd.read_csv(p, sep="\t" if fmt == "tsv" else ",", dtype=object, keep_default_na=False,
                         na_values=[""], encoding="utf-8", encoding_errors="surrogateescape")
    elif fmt == "jsonl":
        df = _read_jsonl(p)
    elif fmt == "parquet":
        df = pd.read_parquet(p)
    else:
        df = pd.read_excel(p, sheet_name=sheet, dtype=object)
    mapping = {text_col: schema.TEXT, id_col: schema.FEEDBACK_ID, rating_col: schema.RATING,
               touchpoint_col: schema.TOUCHPOINT, time_col: schema.CREATED_AT}
    mapping = {src: dst for src, dst in mapping.items() if src is not None}
    missing = [c for c in mapping if c not in df.columns]
    if missing:
        raise SchemaError(
            f"[E001] {p.name}: column(s) {missing} not found. Got columns: {[str(c) for c in df.columns]}. "
            "Pass the right text_col= / id_col= / rating_col= / touchpoint_col= / time_col=."
        )
    return df.rename(columns=mapping)
