"""AnalysisResult: the tables a run produces, plus its config and versions.

Examples:
    >>> import pandas as pd
    >>> from vocmine.result import AnalysisResult
    >>> r = AnalysisResult.empty()
    >>> sorted(r.tables())
    ['documents', 'drivers', 'errors', 'mentions', 'sentences', 'topics']
    >>> import json; json.loads(r.to_json())["schema_version"]
    '1.1'
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from vocmine import schema
from vocmine.errors import VocmineError

__all__ = ["AnalysisResult", "SCHEMA_VERSION", "encode_json_columns", "read_table"]

#: Version of the JSON document ``to_json`` writes (see ``vocmine/resources/result.schema.json``).
SCHEMA_VERSION = "1.1"
_TABLES: dict[str, tuple[str, ...]] = {
    "documents": schema.DOCUMENT_COLUMNS,
    "sentences": schema.SENTENCE_COLUMNS,
    "mentions": schema.MENTION_COLUMNS,
    "topics": schema.TOPIC_COLUMNS,
    "drivers": schema.DRIVER_COLUMNS,
    "errors": schema.ERROR_COLUMNS,
}


def _jsonable(value: Any) -> Any:
    """Turn numpy / pandas scalars and containers into plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return _jsonable(value.tolist())
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if value is pd.NaT:
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def encode_json_columns(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Return a copy with list/dict cells as JSON text (Parquet-safe) and the encoded column names."""
    frame = df.copy()
    # only object columns can hold lists/dicts (numbers, strings, booleans and dates have their own dtypes)
    encoded = [c for c in frame.columns if frame[c].dtype == object
               and frame[c].map(lambda v: isinstance(v, (list, dict, tuple))).any()]
    for col in encoded:
        frame[col] = frame[col].map(lambda v: json.dumps(_jsonable(v), ensure_ascii=False))
    return frame, encoded


def read_table(path: Path, json_columns: list[str]) -> pd.DataFrame:
    """Read ``NAME.parquet`` or a ``NAME/`` directory of Parquet parts, decoding JSON columns."""
    df = pd.read_parquet(path if path.is_dir() else path.with_suffix(".parquet"))
    for col in json_columns:
        df[col] = df[col].map(lambda v: json.loads(v) if isinstance(v, str) else v)
    return df


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _jsonable(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


@dataclass
class AnalysisResult:
    """The output of ``vocmine.analyze`` / ``Pipeline.run``.

    Attributes:
        documents: one row per valid input row (language, sentiment, topic, touchpoint).
        sentences: one row per sentence with offsets into the original text.
        mentions: one row per aspect mention (category, polarity, offsets).
        topics: one row per topic with per-language labels.
        drivers: ranked drivers with impact, confidence interval, trend, evidence ids.
        errors: one row per input row that could not be analysed, with stage and reason.
        config: the resolved pipeline configuration as a dict.
        versions: package and model versions used.
    """

    documents: pd.DataFrame
    sentences: pd.DataFrame
    mentions: pd.DataFrame
    topics: pd.DataFrame
    drivers: pd.DataFrame
    errors: pd.DataFrame
    config: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> AnalysisResult:
        """Return a result with every table empty (with its columns)."""
        frames = {name: pd.DataFrame(columns=list(cols)) for name, cols in _TABLES.items()}
        return cls(**frames)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the tables by name."""
        return {name: getattr(self, name) for name in _TABLES}

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict: schema version, config, versions, tables as records."""
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "config": _jsonable(self.config),
            "versions": dict(self.versions),
        }
        for name, df in self.tables().items():
            out[name] = _records(df)
        return out

    def to_json(self, *, indent: int | None = None) -> str:
        """Serialise the whole result to a JSON string (UTF-8 text, no NaN)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, allow_nan=False)

    def save(self, path: str | Path, *, csv: bool = False) -> Path:
        """Write every table as Parquet (and CSV on request) plus ``meta.json`` to a directory.

        Columns holding lists or dicts are stored as JSON text and decoded by ``load``.
        """
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        json_cols: dict[str, list[str]] = {}
        for name, df in self.tables().items():
            frame, json_cols[name] = encode_json_columns(df)
            frame.to_parquet(out / f"{name}.parquet", index=False)
            if csv:
                frame.to_csv(out / f"{name}.csv", index=False)
        meta = {
            "schema_version": SCHEMA_VERSION,
            "config": _jsonable(self.config),
            "versions": self.versions,
            "json_columns": json_cols,
        }
        (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        return out

    @classmethod
    def load(cls, path: str | Path) -> AnalysisResult:
        """Read a result written by ``save`` or by batch scoring (tables as Parquet part folders)."""
        src = Path(path)
        meta_path = src / "meta.json"
        if not meta_path.is_file():
            raise VocmineError(
                f"[E012] {str(src)!r} is not a vocmine result directory (no meta.json). "
                "Pass the --out directory of 'vocmine analyze' or a path given to result.save()."
            )
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        frames: dict[str, pd.DataFrame] = {}
        for name in _TABLES:
            frames[name] = read_table(src / name, meta.get("json_columns", {}).get(name, []))
        return cls(**frames, config=meta.get("config", {}), versions=meta.get("versions", {}))

    def to_html(self, path: str | Path | None = None, *, title: str = "vocmine report", top: int = 15) -> str:
        """Render a self-contained HTML report (works offline); also write it to ``path`` when given.

        Examples:
            >>> AnalysisResult.empty().to_html().startswith("<!DOCTYPE html>")
            True
        """
        from vocmine.report import render_html, write_html

        if path is not None:
            return write_html(self, path, title=title, top=top).read_text(encoding="utf-8")
        return render_html(self, title=title, top=top)

    def plot_drivers(self, *, top: int = 15) -> Any:
        """Plotly figure: top drivers with impact and 95% CI (see ``vocmine.report.plot_drivers``)."""
        from vocmine.report import plot_drivers

        return plot_drivers(self, top=top)

    def plot_journey(self) -> Any:
        """Plotly figure: touchpoint x sentiment heatmap in journey order."""
        from vocmine.report import plot_journey

        return plot_journey(self)

    def plot_trends(self, *, top: int = 6) -> Any:
        """Plotly figure: driver volume per period, emerging drivers flagged."""
        from vocmine.report import plot_trends

        return plot_trends(self, top=top)

    def plot_topics(self, *, top: int = 20) -> Any:
        """Plotly figure: topics by size."""
        from vocmine.report import plot_topics

        return plot_topics(self, top=top)

    def plot_languages(self) -> Any:
        """Plotly figure: documents per language by sentiment."""
        from vocmine.report import plot_languages

        return plot_languages(self)

    def why(self, touchpoint: str | None = None, *, top: int = 10, lang: str | None = None) -> str:
        """Return a readable summary of the top drivers (optionally of one touchpoint id).

        ``lang`` names drivers and touchpoints in ``en``/``ru``/``pl``/``zh`` (default: the
        config's ``label_lang``).

        Examples:
            >>> print(AnalysisResult.empty().why())
            No drivers found.
        """
        from vocmine.report import summarize_drivers

        return summarize_drivers(self, touchpoint=touchpoint, top=top, lang=lang)

    def audit_sample(self, n: int = 300, *, seed: int = 0, show_predicted: bool = False) -> pd.DataFrame:
        """Documents to read for an audit (fill ``category``, pass the frame back as ``audit=``).

        A seeded random sample of ``n`` documents, topped up so each predicted category has
        enough audited documents; see :func:`vocmine.drivers.audit_sample`.

        Examples:
            >>> list(AnalysisResult.empty().audit_sample().columns)
            ['feedback_id', 'lang', 'text', 'category']
        """
        from vocmine.drivers import audit_sample

        return audit_sample(self, n, seed=seed, show_predicted=show_predicted)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v)}" for k, v in self.tables().items())
        return f"AnalysisResult({sizes})"
