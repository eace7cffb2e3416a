"""Plain-text summaries of a result, for notebooks and the CLI. Computes nothing new."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from vocmine.result import AnalysisResult

__all__ = ["summarize_drivers", "summarize_result"]


def _fmt(x: object, digits: int = 2) -> str:
    try:
        value = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "n/a"
    return "n/a" if value != value else f"{value:+.{digits}f}"


def summarize_drivers(
    result: AnalysisResult, *, touchpoint: str | None = None, top: int = 10, lang: str | None = None
) -> str:
    """Return the top drivers with impact, 95% CI, trend flag and one quote each.

    Drivers and touchpoints are named in ``lang`` from the taxonomies the result was
    analysed with (a custom YAML taxonomy's own names included).

    Args:
        result: an analysis result.
        touchpoint: only drivers of this touchpoint id (category x touchpoint pairs).
        top: how many drivers per touchpoint.
        lang: label language (``en``, ``ru``, ``pl``, ``zh``); ``None``: the config's ``label_lang``.

    Examples:
        >>> from vocmine.result import AnalysisResult
        >>> summarize_drivers(AnalysisResult.empty())
        'No drivers found.'
    """
    import pandas as pd

    from vocmine.report._aggregate import driver_label, taxonomy_specs, topic_label_map, touchpoint_label

    lang = lang or str((result.config or {}).get("label_lang", "en"))
    tax = taxonomy_specs(result.config)
    topics = topic_label_map(result)
    df = result.drivers
    if touchpoint is not None:
        df = df[df["touchpoint"] == touchpoint]
    if df.empty:
        return "No drivers found."
    estimated = pd.to_numeric(df["impact"], errors="coerce").notna()
    skipped = int((~estimated).sum())
    df = df[estimated]
    if df.empty:
        return f"No driver has enough support for an impact estimate ({skipped} below the minimum support)."
    outcome = (result.config or {}).get("rating_scale", "")
    lines = [f"Top drivers (impact on the outcome{f', scale {outcome}' if outcome else ''}; 95% CI):"]
    groups = [("all touchpoints", df[df["kind"] != "category_touchpoint"])]
    pairs = df[df["kind"] == "category_touchpoint"]
    for tp in sorted(pairs["touchpoint"].dropna().unique()):
        name = touchpoint_label(tp, lang, taxonomy=tax["touchpoints"])
        groups.append((f"touchpoint: {name}", pairs[pairs["touchpoint"] == tp]))
    for title, frame in groups:
        if frame.empty:
            continue
        lines.append(f"\n[{title}]")
        for _, row in frame.sort_values("rank").head(top).iterrows():
            flag = "  EMERGING" if bool(row.get("emerging", False)) else ""
            sig = "*" if bool(row.get("significant", False)) else " "
            label = _cut(driver_label(row, topics, lang, tax), 40)
            lines.append(
                f"{int(row['rank']):>3}. {label:<40} n={int(row['n']):<5} impact {_fmt(row['impact'])}"
                f" [{_fmt(row['ci_low'])}, {_fmt(row['ci_high'])}]{sig} opportunity {_fmt(row['opportunity'], 3)}{flag}"
            )
            evidence = row.get("evidence")
            if isinstance(evidence, list) and evidence:
                lines.append(f"       \"{_marked(evidence[0])}\"")
    lines.append("\n* significant after Benjamini-Hochberg correction")
    if skipped:
        lines.append(f"({skipped} drivers with too few mentions for an estimate are in result.drivers with NaN impact)")
    note = _calibration_note(df)
    if note:
        lines.append(note)
    return "\n".join(lines)


def _calibration_note(drivers: pd.DataFrame) -> str:
    """Whether the category impacts were calibrated with an audit, and what to do when they were not.

    Examples:
        >>> import pandas as pd
        >>> _calibration_note(pd.DataFrame({"kind": ["category"], "calibration": ["audit"]}))
        'Category impacts are calibrated with an audit of the aspect extraction.'
        >>> _calibration_note(pd.DataFrame({"kind": ["topic"], "calibration": [""]}))
        ''
        >>> _calibration_note(pd.DataFrame({"kind": ["category"], "calibration": ["not calibrated: 12 audited"]}))[:60]
        'An audit was given but the category impacts are not calibrat'
    """
    import pandas as pd

    cats = drivers[drivers["kind"] == "category"] if "kind" in drivers else drivers.iloc[:0]
    if cats.empty:
        return ""
    calibration = cats["calibration"].astype(str) if "calibration" in cats else pd.Series("", index=cats.index)
    if (calibration == "audit").any():
        return "Category impacts are calibrated with an audit of the aspect extraction."
    failed = calibration[calibration.str.startswith("not calibrated")]
    if len(failed):
        return (f"An audit was given but the category impacts are {failed.iloc[0]}; they are shrunk by extraction "
                "errors as without an audit. Audit more documents (result.audit_sample()).")
    return ("Category impacts come from predicted aspects without an audit: extraction errors shrink them "
            "(to ~0.7x in benchmarks/drivers.py) and their intervals are too narrow for the true effect. "
            "To calibrate, read the documents of result.audit_sample() and pass them back as audit=.")


def summarize_result(result: AnalysisResult) -> str:
    """Return a short overview: counts, languages, sentiment mix, errors."""
    docs = result.documents
    lines = [
        f"documents: {len(docs)}  sentences: {len(result.sentences)}  mentions: {len(result.mentions)}  "
        f"topics: {len(result.topics)}  drivers: {len(result.drivers)}  errors: {len(result.errors)}"
    ]
    if len(docs):
        langs = docs["lang"].value_counts().to_dict()
        lines.append("languages: " + ", ".join(f"{k}={v}" for k, v in langs.items()))
        senti = docs["sentiment"].value_counts(normalize=True).to_dict()
        lines.append("sentiment: " + ", ".join(f"{k}={v:.0%}" for k, v in senti.items()))
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _marked(ev: dict[str, Any], width: int = 110) -> str:
    """The evidence sentence with the mention in «», cut to ``width`` characters around it."""
    quote = str(ev.get("quote", ""))
    context = str(ev.get("context") or quote)
    at = int(ev.get("start", 0)) - int(ev.get("context_start", ev.get("start", 0)))
    if quote and context[at : at + len(quote)] == quote and len(quote) < len(context):
        context = f"{context[:at]}«{quote}»{context[at + len(quote):]}"
        at += 1
    if len(context) > width:
        a = max(0, min(at - width // 3, len(context) - width))
        context = ("..." if a else "") + context[a : a + width] + ("..." if a + width < len(context) else "")
    return context.replace("\n", " ")
