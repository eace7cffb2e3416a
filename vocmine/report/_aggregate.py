"""Display aggregations of a result (counts and labels only; no new statistics).

Shared by the plots and the HTML page: journey order, readable driver names, and
small count tables (touchpoint x sentiment, driver volume per period, language mix,
errors per reason). Every function tolerates empty tables and missing values.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from vocmine import schema
from vocmine.resources._taxonomy import taxonomy_specs

if TYPE_CHECKING:  # pragma: no cover
    from vocmine.result import AnalysisResult

__all__ = [
    "JOURNEY_ORDER",
    "SENTIMENTS",
    "UNASSIGNED",
    "driver_label",
    "driver_documents",
    "errors_by_reason",
    "journey_counts",
    "language_counts",
    "ordered_touchpoints",
    "taxonomy_specs",
    "top_drivers",
    "touchpoint_label",
    "trend_counts",
]

#: Customer-journey order of the default touchpoints; other ids follow, then ``unassigned``.
JOURNEY_ORDER: tuple[str, ...] = (
    "discovery",
    "purchase",
    "payment",
    "delivery",
    "onboarding",
    "product_use",
    "support",
    "returns",
    "renewal_cancellation",
    "digital_channels",
)
UNASSIGNED = "unassigned"
SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
#: Period label formats, as ``vocmine.drivers.period_labels`` writes them (D, ISO week, month).
_PERIOD_FORMATS = {"D": "%Y-%m-%d", "W": "%G-W%V", "M": "%Y-%m"}
LANG_NAMES = {"en": "English", "ru": "Russian", "zh": "Chinese", "pl": "Polish", "und": "Unknown"}


def missing(value: Any) -> bool:
    """True for None, NaN, NaT and blank strings."""
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _tp(value: Any) -> str:
    return UNASSIGNED if missing(value) else str(value)


def ordered_touchpoints(values: Any) -> list[str]:
    """Distinct touchpoints in journey order, unknown ids alphabetically, ``unassigned`` last.

    Examples:
        >>> ordered_touchpoints(["support", None, "zoo", "discovery"])
        ['discovery', 'support', 'zoo', 'unassigned']
    """
    seen = {_tp(v) for v in values}
    known = [t for t in JOURNEY_ORDER if t in seen]
    others = sorted(seen - set(JOURNEY_ORDER) - {UNASSIGNED})
    return known + others + ([UNASSIGNED] if UNASSIGNED in seen else [])


@functools.lru_cache(maxsize=16)
def _taxonomy(spec: str, kind: str) -> Any:
    from vocmine.errors import VocmineError
    from vocmine.resources import load_taxonomy

    try:
        return load_taxonomy(spec, kind=kind)
    except (VocmineError, OSError, ValueError):  # a result read on a machine without the user's YAML
        return None if spec == "default" else _taxonomy("default", kind)


def _taxonomy_label(item_id: str, kind: str, lang: str, spec: str = "default") -> str | None:
    tax = _taxonomy(spec, kind)
    try:
        return None if tax is None else str(tax.label(item_id, lang))
    except (KeyError, LookupError, ValueError):
        return None


def touchpoint_label(touchpoint: Any, lang: str = "en", *, taxonomy: str = "default") -> str:
    """Readable name of a touchpoint id (name in ``taxonomy``, else the id in sentence case).

    Examples:
        >>> touchpoint_label("support"), touchpoint_label("zoo_visit"), touchpoint_label(None)
        ('Customer support', 'Zoo visit', 'Unassigned')
    """
    tp = _tp(touchpoint)
    return _taxonomy_label(tp, "touchpoints", lang, taxonomy) or tp.replace("_", " ").capitalize()


def _category_label(category: str, lang: str, taxonomy: str = "default") -> str:
    return _taxonomy_label(category, "categories", lang, taxonomy) or category.replace("_", " ").capitalize()


def driver_label(row: Any, topic_labels: dict[int, str] | None = None, lang: str = "en",
                 taxonomies: dict[str, str] | None = None) -> str:
    """Readable name of a drivers-table row: ``"Delivery"``, ``"Delivery @ Support"``, ``"Topic 3: ..."``.

    ``taxonomies`` (see :func:`taxonomy_specs`) names the category and touchpoint taxonomies.
    """
    tax = taxonomies or {}
    name = str(row.get("driver", ""))
    kind = row.get("kind")
    if kind == "topic" or name.startswith("topic:"):
        tid = name.split(":", 1)[-1]
        label = (topic_labels or {}).get(int(tid)) if tid.lstrip("-").isdigit() else None
        return f"Topic {tid}: {label}" if label else f"Topic {tid}"
    cats = tax.get("categories", "default")
    if "@" in name:
        cat, tp = name.split("@", 1)
        return (f"{_category_label(cat, lang, cats)} @ "
                f"{touchpoint_label(tp, lang, taxonomy=tax.get('touchpoints', 'default'))}")
    return _category_label(name, lang, cats)


def top_drivers(result: AnalysisResult, top: int | None = None) -> pd.DataFrame:
    """Drivers sorted by rank (1 first), optionally the first ``top``; with a ``label`` column."""
    df = result.drivers.copy()
    if df.empty:
        return df.assign(label=pd.Series(dtype=object))
    df = df.sort_values("rank", kind="stable") if "rank" in df else df
    if top is not None:
        df = df.head(top)
    lang = str((result.config or {}).get("label_lang", "en"))
    topics = topic_label_map(result)
    tax = taxonomy_specs(result.config)
    df["label"] = [driver_label(row, topics, lang, tax) for row in df.to_dict(orient="records")]
    return df.reset_index(drop=True)


def topic_label_map(result: AnalysisResult) -> dict[int, str]:
    """``topic_id -> label`` from the topics table."""
    t = result.topics
    if t.empty or schema.TOPIC_ID not in t:
        return {}
    return {int(k): str(v) for k, v in zip(t[schema.TOPIC_ID], t["label"]) if not missing(k)}


def journey_counts(result: AnalysisResult) -> pd.DataFrame:
    """Document counts, touchpoints (journey order) x sentiment (negative, neutral, positive)."""
    docs = result.documents
    if docs.empty:
        return pd.DataFrame(columns=list(SENTIMENTS), dtype=int)
    tps = [_tp(v) for v in docs[schema.TOUCHPOINT]]
    senti = [str(s) if not missing(s) else "neutral" for s in docs[schema.SENTIMENT]]
    table = pd.crosstab(pd.Series(tps, name="touchpoint"), pd.Series(senti, name="sentiment"))
    cols = list(SENTIMENTS) + sorted(set(table.columns) - set(SENTIMENTS))
    return table.reindex(index=ordered_touchpoints(tps), columns=cols, fill_value=0).astype(int)


def driver_documents(result: AnalysisResult, driver: dict[str, Any]) -> set[str]:
    """Feedback ids of the documents a driver covers (category mention, pair, or topic)."""
    docs, ments = result.documents, result.mentions
    name, kind = str(driver.get("driver", "")), driver.get("kind")
    if kind == "topic" or name.startswith("topic:"):
        tid = name.split(":", 1)[-1]
        if docs.empty or not tid.lstrip("-").isdigit():
            return set()
        return set(docs.loc[docs[schema.TOPIC_ID].astype("int64") == int(tid), schema.FEEDBACK_ID].astype(str))
    if ments.empty:
        return set()
    cat, _, tp = name.partition("@")
    hit = ments[ments["category"].astype(str) == cat]
    if tp:
        doc_tp = {str(f): _tp(t) for f, t in zip(docs[schema.FEEDBACK_ID], docs[schema.TOUCHPOINT])}
        hit = hit[[doc_tp.get(str(f)) == tp for f in hit[schema.FEEDBACK_ID]]]
    return set(hit[schema.FEEDBACK_ID].astype(str))


def trend_counts(result: AnalysisResult, drivers: pd.DataFrame) -> pd.DataFrame:
    """Documents per period (rows, config ``period``, default month) for each driver label (columns).

    Empty when no document has a ``created_at`` timestamp.
    """
    docs = result.documents
    if docs.empty or schema.CREATED_AT not in docs or drivers.empty:
        return pd.DataFrame()
    stamps = pd.to_datetime(docs[schema.CREATED_AT], errors="coerce", utc=True)
    if stamps.notna().sum() == 0:
        return pd.DataFrame()
    fmt = _PERIOD_FORMATS.get(str((result.config or {}).get("period", "M")), _PERIOD_FORMATS["M"])
    periods = pd.Series(["" if pd.isna(s) else s.strftime(fmt) for s in stamps])
    period_of = dict(zip(docs[schema.FEEDBACK_ID].astype(str), periods))
    index = sorted(p for p in set(periods) if p)
    out = pd.DataFrame(index=index)
    for row in drivers.to_dict(orient="records"):
        ids = driver_documents(result, row)
        counts = pd.Series([period_of.get(f, "") for f in ids], dtype=object).value_counts()
        out[row["label"]] = counts.reindex(index, fill_value=0).astype(int)
    out.index.name = "period"
    return out


def language_counts(result: AnalysisResult) -> pd.DataFrame:
    """Documents per language (rows, most frequent first) x sentiment (columns)."""
    docs = result.documents
    if docs.empty:
        return pd.DataFrame(columns=list(SENTIMENTS), dtype=int)
    langs = [str(v) if not missing(v) else "und" for v in docs[schema.LANG]]
    senti = [str(s) if not missing(s) else "neutral" for s in docs[schema.SENTIMENT]]
    table = pd.crosstab(pd.Series(langs, name="lang"), pd.Series(senti, name="sentiment"))
    cols = list(SENTIMENTS) + sorted(set(table.columns) - set(SENTIMENTS))
    table = table.reindex(columns=cols, fill_value=0).astype(int)
    return table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index]


def lang_name(code: str) -> str:
    """English name of a language code (the code itself when unknown)."""
    return LANG_NAMES.get(code, code)


def errors_by_reason(result: AnalysisResult) -> pd.DataFrame:
    """Rows per (stage, reason), most frequent first; columns ``stage, reason, count``."""
    err = result.errors
    if err.empty:
        return pd.DataFrame(columns=[schema.STAGE, schema.REASON, "count"])
    keys = err[[schema.STAGE, schema.REASON]].astype(str)
    out = keys.value_counts().rename("count").reset_index()
    return out.sort_values(["count", schema.STAGE, schema.REASON], ascending=[False, True, True], kind="stable")
