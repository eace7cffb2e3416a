"""Column names of every table vocmine reads or writes, and input validation.

Every column name used anywhere in the library comes from this module.

Examples:
    >>> import pandas as pd
    >>> from vocmine.schema import validate_frame
    >>> clean, errors = validate_frame(pd.DataFrame({"text": ["ok", "  "]}))
    >>> len(clean), len(errors)
    (1, 1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from vocmine.errors import InputRowError, SchemaError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "FEEDBACK_ID",
    "TEXT",
    "RATING",
    "TOUCHPOINT",
    "CREATED_AT",
    "LANG",
    "LANG_SCORE",
    "TEXT_CLEAN",
    "N_SENTENCES",
    "SENTIMENT",
    "SENTIMENT_SCORE",
    "MIXED",
    "TOPIC_ID",
    "TOUCHPOINT_SCORE",
    "TOUCHPOINT_SOURCE",
    "SENTENCE_IDX",
    "START",
    "END",
    "STAGE",
    "REASON",
    "VALUE",
    "ROW",
    "DOCUMENT_COLUMNS",
    "SENTENCE_COLUMNS",
    "MENTION_COLUMNS",
    "TOPIC_COLUMNS",
    "DRIVER_COLUMNS",
    "ERROR_COLUMNS",
    "ColumnMap",
    "IdSet",
    "validate_frame",
]

# Input columns (canonical names after mapping).
FEEDBACK_ID = "feedback_id"
TEXT = "text"
RATING = "rating"
TOUCHPOINT = "touchpoint"
CREATED_AT = "created_at"

# Document columns added by stages.
LANG = "lang"
LANG_SCORE = "lang_score"
TEXT_CLEAN = "text_clean"
N_SENTENCES = "n_sentences"
SENTIMENT = "sentiment"
SENTIMENT_SCORE = "sentiment_score"
MIXED = "mixed"
TOPIC_ID = "topic_id"
TOUCHPOINT_SCORE = "touchpoint_score"
TOUCHPOINT_SOURCE = "touchpoint_source"

# Sentence / mention columns.
SENTENCE_IDX = "sentence_idx"
START = "start"
END = "end"

# Error table.
ROW = "row"
STAGE = "stage"
REASON = "reason"
VALUE = "value"

DOCUMENT_COLUMNS: tuple[str, ...] = (
    FEEDBACK_ID,
    TEXT,
    RATING,
    TOUCHPOINT,
    CREATED_AT,
    LANG,
    LANG_SCORE,
    TEXT_CLEAN,
    N_SENTENCES,
    SENTIMENT,
    SENTIMENT_SCORE,
    MIXED,
    TOPIC_ID,
    TOUCHPOINT_SCORE,
    TOUCHPOINT_SOURCE,
)
SENTENCE_COLUMNS: tuple[str, ...] = (
    FEEDBACK_ID,
    SENTENCE_IDX,
    START,
    END,
    TEXT,
    LANG,
    LANG_SCORE,
    SENTIMENT,
    SENTIMENT_SCORE,
)
MENTION_COLUMNS: tuple[str, ...] = (
    FEEDBACK_ID,
    SENTENCE_IDX,
    "aspect",
    "lemma",
    "category",
    "category_score",
    START,
    END,
    "polarity",
    "score",
    "opinion",
    LANG,
    TOUCHPOINT,
)
TOPIC_COLUMNS: tuple[str, ...] = (TOPIC_ID, "size", "label", "labels", "words", "key")
DRIVER_COLUMNS: tuple[str, ...] = (
    "rank",
    "driver",
    "kind",
    TOUCHPOINT,
    "n",
    "share",
    "impact",
    "ci_low",
    "ci_high",
    "p_value",
    "q_value",
    "significant",
    "opportunity",
    "neg_share",
    "pos_share",
    "trend",
    "trend_p_value",
    "emerging",
    "evidence",
    "calibration",
)
ERROR_COLUMNS: tuple[str, ...] = (ROW, FEEDBACK_ID, STAGE, REASON, VALUE)


@dataclass(frozen=True)
class ColumnMap:
    """Which user columns hold the canonical inputs.

    Attributes:
        text: column with the feedback text (required).
        id: column with a unique feedback id; ``None`` numbers rows from 0.
        rating: outcome column (stars, NPS 0-10, CSAT, CES); optional.
        touchpoint: given journey touchpoint; optional.
        time: timestamp column; optional.
    """

    text: str = TEXT
    id: str | None = None
    rating: str | None = None
    touchpoint: str | None = None
    time: str | None = None

    def required(self) -> list[str]:
        """Return the user columns that must exist."""
        cols = [self.text, self.id, self.rating, self.touchpoint, self.time]
        return [c for c in cols if c is not None]


def _reason_for_text(value: Any, max_chars: int) -> str | None:
    """Return why ``value`` is not usable feedback text, or None when it is."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "text is missing (NaN/None)"
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            return "text bytes are not valid UTF-8"
    if not isinstance(value, str):
        return f"text is not a string (got {type(value).__name__})"
    if "\ufffd" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        return "text contains invalid UTF-8 (replacement characters or lone surrogates)"
    if not value.strip():
        return "text is empty or whitespace only"
    if len(value) > max_chars:
        return f"text has {len(value)} characters, over the limit of {max_chars}"
    return None


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _parse_column(df: pd.DataFrame, col: str | None, kind: str) -> tuple[Any, Any] | None:
    """Parse a numeric or datetime column; return (values, bad_mask) or None if unmapped.

    A value is bad when it is present but cannot be parsed (missing stays missing).
    """
    if col is None:
        return None
    import warnings

    import pandas as pd

    raw = df[col]
    if kind == "numeric":
        parsed = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas format-inference chatter
            parsed = pd.to_datetime(raw, errors="coerce", utc=True, format="mixed").dt.tz_localize(None)
        parsed = parsed.to_numpy()
    bad = pd.isna(parsed) & ~raw.isna().to_numpy()
    return parsed, bad


def _guess_text_column(df: pd.DataFrame) -> str | None:
    """The column holding the longest strings on average (the likely feedback text)."""
    best, best_len = None, 0.0
    for col in df.columns:
        sample = df[col].head(200)
        lengths = [len(v) for v in sample if isinstance(v, str)]
        if len(lengths) >= max(1, len(sample) // 2) and sum(lengths) / len(lengths) > best_len:
            best, best_len = str(col), sum(lengths) / len(lengths)
    return best


def _as_text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class IdSet(Protocol):
    """What ``validate_frame`` needs of the ids accepted so far: a ``set[str]`` will do
    (batch scoring passes a compact ``vocmine.batch._ids.SeenIds``)."""

    def __contains__(self, key: object, /) -> bool: ...

    def add(self, key: str, /) -> None: ...


def validate_frame(
    df: pd.DataFrame,
    columns: ColumnMap | None = None,
    *,
    max_chars: int = 20_000,
    on_error: str = "collect",
    row_offset: int = 0,
    seen_ids: IdSet | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check the input frame, rename to canonical columns and split off bad rows.

    Every input row ends up exactly once in either the returned clean frame or the
    returned errors frame (columns ``ERROR_COLUMNS``, stage ``"input"``).

    Args:
        df: the raw feedback frame.
        columns: where the canonical inputs are; defaults to ``ColumnMap()``.
        max_chars: texts longer than this are rejected.
        on_error: ``"collect"`` puts bad rows in the errors frame, ``"raise"`` raises
            ``InputRowError`` on the first bad row.
        row_offset: position of the frame's first row in the whole input (for chunked
            scoring: row numbers and default ids continue across chunks).
        seen_ids: ids already accepted in earlier chunks; updated in place.

    Returns:
        ``(clean, errors)``; ``clean`` has canonical columns ``feedback_id``, ``text``,
        and ``rating`` / ``touchpoint`` / ``created_at`` when mapped, plus a ``row``
        column with the row's position in the input.

    Raises:
        SchemaError: a mapped column is missing.
        InputRowError: a row is invalid and ``on_error="raise"``.

    Examples:
        >>> import pandas as pd
        >>> clean, errors = validate_frame(pd.DataFrame({"body": ["fine", None]}),
        ...                                ColumnMap(text="body"))
        >>> errors["reason"].tolist()
        ['text is missing (NaN/None)']
    """
    import pandas as pd

    cols = columns or ColumnMap()
    missing = [c for c in cols.required() if c not in df.columns]
    if missing:
        present = [str(c) for c in df.columns]
        hint = ""
        if cols.text in missing:
            guess = _guess_text_column(df)
            hint = f" Pass text_col={guess!r}." if guess else " Pass text_col=<column name>."
        raise SchemaError(
            f"[E001] Column(s) {missing} required but missing. Got columns: {present}."
            f"{hint or ' Map the columns with text_col / id_col / rating_col / touchpoint_col / time_col.'}"
        )

    n = len(df)
    ids = df[cols.id].tolist() if cols.id else list(range(row_offset, row_offset + n))
    texts = df[cols.text].tolist()
    ratings = _parse_column(df, cols.rating, "numeric")
    times = _parse_column(df, cols.time, "datetime")
    errors: list[dict[str, Any]] = []
    keep: list[int] = []
    seen: IdSet = seen_ids if seen_ids is not None else set()
    for i in range(n):
        fid = ids[i]
        reason = _reason_for_text(texts[i], max_chars)
        if reason is None and (fid is None or (isinstance(fid, float) and math.isnan(fid))):
            reason = f"{cols.id!r} is missing"
        if reason is None and ratings is not None and ratings[1][i]:
            reason = f"{cols.rating!r} value is not a number; leave it empty when unknown"
        if reason is None and times is not None and times[1][i]:
            reason = f"{cols.time!r} value is not a date/time (use ISO 8601, e.g. 2026-03-01)"
        if reason is None:
            key = str(fid)
            if key in seen:
                reason = f"duplicate feedback id {key!r} (first occurrence kept)"
            seen.add(key)
        if reason is None:
            keep.append(i)
            continue
        if on_error == "raise":
            raise InputRowError(
                f"[E003] Row {row_offset + i} (feedback_id={fid!r}): {reason}. Fix the row, or pass "
                "on_error='collect' to report bad rows in result.errors instead."
            )
        errors.append(
            {ROW: row_offset + i, FEEDBACK_ID: str(fid), STAGE: "input", REASON: reason, VALUE: repr(texts[i])[:200]}
        )

    clean = pd.DataFrame(
        {
            ROW: [row_offset + i for i in keep],
            FEEDBACK_ID: [str(ids[i]) for i in keep],
            TEXT: [_as_text(texts[i]) for i in keep],
        }
    )
    if ratings is not None:
        clean[RATING] = ratings[0][keep].astype(float)
    if cols.touchpoint is not None:
        tps = df[cols.touchpoint].iloc[keep]
        clean[TOUCHPOINT] = [None if _is_missing(v) or not str(v).strip() else str(v).strip() for v in tps]
    if times is not None:
        clean[CREATED_AT] = times[0][keep]
    err_df = pd.DataFrame(errors, columns=list(ERROR_COLUMNS))
    return clean, err_df


#: Storage type of every per-row column (used to give Parquet parts one schema).
COLUMN_TYPES: dict[str, str] = {
    FEEDBACK_ID: "string", TEXT: "string", RATING: "float64", TOUCHPOINT: "string", CREATED_AT: "timestamp",
    LANG: "string", LANG_SCORE: "float64", TEXT_CLEAN: "string", N_SENTENCES: "int64", SENTIMENT: "string",
    SENTIMENT_SCORE: "float64", MIXED: "bool", TOPIC_ID: "int64", TOUCHPOINT_SCORE: "float64",
    TOUCHPOINT_SOURCE: "string", SENTENCE_IDX: "int64", START: "int64", END: "int64", "aspect": "string",
    "lemma": "string", "category": "string", "category_score": "float64", "polarity": "string", "score": "float64",
    "opinion": "string", ROW: "int64", STAGE: "string", REASON: "string", VALUE: "string",
}
