"""Self-contained HTML report of an AnalysisResult (works offline; plotly.js is inlined).

The page renders what the result holds; the only computations are counts for display.
All text from the data is HTML-escaped; evidence quotes are shown in their sentence
with the driver's aspect wrapped in ``<mark>``. When the page has drawn its charts it
sets ``data-vocmine-status="ok:<number of charts>"`` on ``<html>`` (``"error:<why>"`` on
a script error or an empty chart), which headless-browser checks read.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from vocmine import schema
from vocmine.report._aggregate import (
    errors_by_reason,
    lang_name,
    missing,
    taxonomy_specs,
    top_drivers,
    touchpoint_label,
)
from vocmine.report._assets import CSS, RENDER_JS, STATUS_JS
from vocmine.report._plots import (
    figure_has_data,
    plot_drivers,
    plot_journey,
    plot_languages,
    plot_topics,
    plot_trends,
)

if TYPE_CHECKING:  # pragma: no cover
    from vocmine.result import AnalysisResult

__all__ = ["render_html", "write_html"]

_CONTEXT = 180  # characters of context kept on each side of a quote in a long sentence
_MAX_MARK = 800  # characters of a quote shown; longer quotes end in "…"
_SCALARS = ("seed", "rating_scale", "period", "on_error", "mask_pii", "max_text_chars", "label_lang", "device")


def _e(value: object) -> str:
    return html.escape("" if missing(value) else str(value), quote=True)


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _fmt(value: Any, spec: str = "+.2f") -> str:
    x = _num(value)
    return format(x, spec) if math.isfinite(x) else "n/a"


def _flag(value: Any) -> bool:
    return bool(value) and not missing(value)


def _safe_json(obj: Any) -> str:
    """JSON that cannot close a <script> element or open a comment."""
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace(
        "\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _figure_spec(fig: Any, chart_id: str) -> dict[str, Any]:
    import plotly.io as pio

    spec = json.loads(pio.to_json(fig, validate=False))
    layout = spec.setdefault("layout", {})
    if isinstance(layout.get("title"), dict):  # the section heading names the chart on the page
        layout["title"]["text"] = ""
        layout.setdefault("margin", {})["t"] = 48
    return {"id": chart_id, "data": spec.get("data", []), "layout": spec.get("layout", {}),
            "config": {"displaylogo": False, "responsive": True,
                       "modeBarButtons": [["toImage", "zoom2d", "pan2d", "resetScale2d"]]}}


class _Charts:
    """Collects figures; returns a chart <div> or an empty-state message for each."""

    def __init__(self) -> None:
        self.specs: list[dict[str, Any]] = []

    def add(self, fig: Any, empty_message: str) -> str:
        if not figure_has_data(fig):
            return f'<div class="empty">{_e(empty_message)}</div>'
        chart_id = f"chart-{len(self.specs) + 1}"
        self.specs.append(_figure_spec(fig, chart_id))
        return f'<div class="chart" id="{chart_id}"></div>'


def highlight(text: str, start: int, end: int, *, context: int = _CONTEXT,
              window: tuple[int, int] | None = None) -> str:
    """HTML of ``text[window]`` with ``text[start:end]`` wrapped in ``<mark>``; everything escaped.

    Long windows are cut to ``context`` characters on each side of the mark, and marks
    to 800 characters (with "…").

    Examples:
        >>> highlight("Delivery <late> again", 9, 15)
        'Delivery <mark>&lt;late&gt;</mark> again'
    """
    lo, hi = window if window is not None else (0, len(text))
    lo, hi = min(lo, start), max(hi, end)
    a, b = max(lo, start - context), min(hi, end + context)
    head = ("…" if a > lo else "") + html.escape(text[a:start])
    tail = html.escape(text[end:b]) + ("…" if b < hi else "")
    cut = min(end, start + _MAX_MARK)  # a whole-document quote (topic drivers) can be long
    marked = html.escape(text[start:cut]) + ("…" if cut < end else "")
    return f"{head}<mark>{marked}</mark>{tail}"


def _evidence_html(result: AnalysisResult, drivers: pd.DataFrame, *, per_driver: int = 3) -> str:
    wanted = {str(ev.get("feedback_id")) for evs in drivers.get("evidence", []) if isinstance(evs, (list, tuple))
              for ev in evs if isinstance(ev, dict)}
    docs, sentences = result.documents, result.sentences
    docs = docs[docs[schema.FEEDBACK_ID].astype(str).isin(wanted)] if not docs.empty else docs
    sentences = sentences[sentences[schema.FEEDBACK_ID].astype(str).isin(wanted)] if not sentences.empty else sentences
    by_id = {str(r[schema.FEEDBACK_ID]): r for r in docs.to_dict(orient="records")}
    sents: dict[str, list[tuple[int, int, str]]] = {}
    for r in sentences.to_dict(orient="records"):
        label = "" if missing(r.get(schema.SENTIMENT)) else str(r[schema.SENTIMENT])
        sents.setdefault(str(r[schema.FEEDBACK_ID]), []).append((int(r[schema.START]), int(r[schema.END]), label))
    blocks = []
    lang = str((result.config or {}).get("label_lang", "en"))
    tax = taxonomy_specs(result.config)["touchpoints"]
    for row in drivers.to_dict(orient="records"):
        evidence = row.get("evidence")
        if not isinstance(evidence, (list, tuple)) or not evidence:
            continue
        quotes = []
        for ev in list(evidence)[:per_driver]:
            if not isinstance(ev, dict):
                continue
            quotes.append(_quote_html(ev, by_id, sents, lang=lang, taxonomy=tax))
        if quotes:
            blocks.append(f'<div class="driver"><h3>{_e(row["label"])}{_badges(row)}<span class="meta">'
                          f'impact {_fmt(row.get("impact"))} [{_fmt(row.get("ci_low"))}, {_fmt(row.get("ci_high"))}]'
                          f' · n={_e(_int(row.get("n")))}</span></h3>{"".join(quotes)}</div>')
    if not blocks:
        return '<div class="empty">No evidence quotes (no drivers with evidence).</div>'
    return "".join(blocks)


def _int(value: Any) -> str:
    x = _num(value)
    return f"{int(x):,}" if math.isfinite(x) else "n/a"


def _quote_html(ev: dict[str, Any], by_id: dict[str, dict[str, Any]],
                sents: dict[str, list[tuple[int, int, str]]], *, lang: str = "en", taxonomy: str = "default") -> str:
    fid = str(ev.get("feedback_id", ""))
    quote = str(ev.get("quote", ""))
    start, end = (int(x) if math.isfinite(x) else -1 for x in (_num(ev.get("start")), _num(ev.get("end"))))
    doc = by_id.get(fid)
    text = str(doc[schema.TEXT]) if doc is not None and not missing(doc.get(schema.TEXT)) else None
    senti = "" if doc is None or missing(doc.get(schema.SENTIMENT)) else str(doc[schema.SENTIMENT])
    if text is not None and 0 <= start <= end <= len(text) and text[start:end] == quote:
        found = next(((s, e, lab) for s, e, lab in sents.get(fid, []) if s <= start and end <= e), None)
        body = highlight(text, start, end, window=found[:2] if found else None)
        senti = found[2] if found and found[2] else senti
        if start == 0 and end == len(text):  # a whole-document quote (topic drivers): no highlight colour
            body = body.replace("<mark>", '<mark class="all">', 1)
    else:
        body = f"<mark>{html.escape(quote[:_MAX_MARK])}{'…' if len(quote) > _MAX_MARK else ''}</mark>"
    cls = {"negative": "neg", "positive": "pos"}.get(senti, "")
    src = [f"#{_e(fid)}"]
    if doc is not None:
        if not missing(doc.get(schema.LANG)):
            src.append(_e(lang_name(str(doc[schema.LANG]))))
        if not missing(doc.get(schema.RATING)) and math.isfinite(_num(doc.get(schema.RATING))):
            src.append(f"rating {_num(doc[schema.RATING]):g}")
        src.append(_e(touchpoint_label(doc.get(schema.TOUCHPOINT), lang, taxonomy=taxonomy)))
        if senti:
            src.append(_e(senti))
    return f'<blockquote class="{cls}">{body}<span class="src">{" · ".join(src)}</span></blockquote>'


def _badges(row: dict[str, Any]) -> str:
    out = ""
    if _flag(row.get("significant")):
        neg = _num(row.get("impact")) < 0
        out += f'<span class="badge {"neg" if neg else "pos"}">{"lowers" if neg else "raises"} outcome</span>'
    if _flag(row.get("emerging")):
        out += '<span class="badge hot">▲ emerging</span>'
    return out


def _drivers_table(drivers: pd.DataFrame, *, limit: int = 25) -> str:
    if drivers.empty:
        return ""
    head = ("<tr><th class=num>#</th><th>Driver</th><th class=num>n</th><th class=num>share</th>"
            "<th class=num>impact</th><th class=num>95% CI</th><th class=num>q</th>"
            "<th class=num>opportunity</th><th class=num>trend</th></tr>")
    rows = []
    for r in drivers.head(limit).to_dict(orient="records"):
        rows.append(
            f"<tr><td class=num>{_e(_int(r.get('rank')))}</td><td>{_e(r['label'])}{_badges(r)}</td>"
            f"<td class=num>{_int(r.get('n'))}</td><td class=num>{_fmt(r.get('share'), '.1%')}</td>"
            f"<td class=num>{_fmt(r.get('impact'))}</td>"
            f"<td class=num>[{_fmt(r.get('ci_low'))}, {_fmt(r.get('ci_high'))}]</td>"
            f"<td class=num>{_fmt(r.get('q_value'), '.3g')}</td><td class=num>{_fmt(r.get('opportunity'), '.3f')}</td>"
            f"<td class=num>{_fmt(r.get('trend'), '+.0%')}</td></tr>"
        )
    more = (f"<p class=lead>Showing {min(limit, len(drivers))} of {len(drivers)} drivers; "
            "the full table is in drivers.parquet / result.drivers.</p>") if len(drivers) > limit else ""
    return (f"<details open><summary>Driver table</summary><div class=scroll><table>{head}{''.join(rows)}"
            f"</table></div>{more}</details>")


def _cards(result: AnalysisResult, drivers: pd.DataFrame) -> str:
    docs = result.documents
    n_in = len(docs) + len(result.errors)
    sig = sum(_flag(v) for v in drivers.get("significant", [])) if not drivers.empty else 0
    cards = [("Documents", f"{len(docs):,}", f"of {n_in:,} rows"),
             ("Languages", str(docs[schema.LANG].nunique()) if not docs.empty else "0", ""),
             ("Mentions", f"{len(result.mentions):,}", "aspect mentions"),
             ("Topics", f"{len(result.topics):,}", ""),
             ("Drivers", f"{len(drivers):,}", f"{sig} significant"),
             ("Errors", f"{len(result.errors):,}", "not analysed")]
    if not docs.empty and schema.RATING in docs and pd.to_numeric(docs[schema.RATING], errors="coerce").notna().any():
        ratings = pd.to_numeric(docs[schema.RATING], errors="coerce")
        cards.append(("Mean rating", f"{ratings.mean():.2f}", f"{int(ratings.notna().sum()):,} rated"))
    if not docs.empty and schema.SENTIMENT in docs:
        cards.append(("Negative", f"{(docs[schema.SENTIMENT] == 'negative').mean():.0%}", "of documents"))
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="k">{_e(k)}</div><div class="v">{_e(v)}</div><div class="s">{_e(s)}</div></div>'
        for k, v, s in cards) + "</div>"


def _period(result: AnalysisResult) -> list[str]:
    docs = result.documents
    if docs.empty or schema.CREATED_AT not in docs:
        return []
    stamps = pd.to_datetime(docs[schema.CREATED_AT], errors="coerce", utc=True).dropna()
    return [f"{stamps.min():%Y-%m-%d} to {stamps.max():%Y-%m-%d}"] if len(stamps) else []


def _highlights(drivers: pd.DataFrame) -> str:
    if drivers.empty:
        return ""
    items = []
    neg = drivers[[_flag(s) and _num(i) < 0 for s, i in zip(drivers["significant"], drivers["impact"])]]
    for r in neg.head(3).to_dict(orient="records"):
        items.append(f"<li><b>{_e(r['label'])}</b> lowers the outcome by {_fmt(-_num(r['impact']), '.2f')} "
                     f"(95% CI {_fmt(r.get('ci_low'))} to {_fmt(r.get('ci_high'))}, n={_int(r.get('n'))}).</li>")
    for r in drivers[[_flag(v) for v in drivers["emerging"]]].head(3).to_dict(orient="records"):
        growth = _num(r.get("trend"))
        by = f" by {growth:+.0%}" if math.isfinite(growth) else ""
        items.append(f"<li><b>{_e(r['label'])}</b> is emerging: its share of documents rose{by} "
                     "in the latest period.</li>")
    if not items:
        items.append("<li>No driver is significant after false-discovery-rate correction.</li>")
    return f'<div class="highlights"><b>Highlights</b><ul>{"".join(items)}</ul></div>'


def _kv_table(pairs: list[tuple[str, Any]]) -> str:
    if not pairs:
        return '<div class="empty">None recorded.</div>'
    return "<table class=kv>" + "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in pairs) + "</table>"


def _run_details(result: AnalysisResult) -> str:
    config = result.config or {}
    settings = [(k, config[k]) for k in _SCALARS if k in config]
    settings += [(k, v) for k, v in config.items() if k not in _SCALARS and not isinstance(v, (dict, list))]
    given = dict(result.versions or {})
    # The component that actually ran (recorded in versions) wins over the configured name.
    comps = [(k, given.get(f"component.{k}") or v.get("name", "")) for k, v in config.items() if isinstance(v, dict)]
    comps += [(k[len("component."):], v) for k, v in given.items()
              if k.startswith("component.") and k[len("component."):] not in config]
    versions = sorted((k, v) for k, v in given.items() if not k.startswith("component."))
    return (f'<div class="grid2"><div><h3>Settings</h3>{_kv_table(settings)}<h3>Components</h3>'
            f'{_kv_table(comps)}</div><div><h3>Versions</h3>{_kv_table(versions)}</div></div>')


def _errors_html(result: AnalysisResult) -> str:
    table = errors_by_reason(result)
    n_docs, n_err = len(result.documents), len(result.errors)
    lead = (f"<p class=lead>{n_docs + n_err:,} input rows: {n_docs:,} analysed, {n_err:,} not analysed. "
            "Every row is in result.documents or result.errors.</p>")
    if table.empty:
        return lead + '<div class="empty">No errors: every input row was analysed.</div>'
    rows = "".join(f"<tr><td>{_e(r[schema.STAGE])}</td><td>{_e(r[schema.REASON])}</td>"
                   f"<td class=num>{int(r['count']):,}</td></tr>" for r in table.to_dict(orient="records"))
    return f"{lead}<table><tr><th>Stage</th><th>Reason</th><th class=num>rows</th></tr>{rows}</table>"


def _section(anchor: str, title: str, lead: str, body: str) -> str:
    lead_html = f'<p class="lead">{lead}</p>' if lead else ""
    return f'<section id="{anchor}"><h2>{_e(title)}</h2>{lead_html}{body}</section>'


def render_html(result: AnalysisResult, *, title: str = "vocmine report", top: int = 15) -> str:
    """Render a result as one self-contained HTML page (UTF-8, inline plotly.js, offline).

    Sections: overview cards and highlights, key drivers (chart + table), customer
    journey heatmap, driver trends, topics, language mix, evidence quotes, errors, and
    run details (config, components, versions). Empty tables give a message instead
    of an empty chart.

    Args:
        result: the analysis result to render.
        title: page title and heading.
        top: how many drivers the driver chart and the evidence section show.

    Returns:
        The HTML document as a string.

    Examples:
        >>> from vocmine.result import AnalysisResult
        >>> page = render_html(AnalysisResult.empty())
        >>> page.startswith("<!DOCTYPE html>") and "No drivers found" in page
        True
    """
    from plotly.offline import get_plotlyjs

    drivers = top_drivers(result)
    charts = _Charts()
    empty_drivers = ("No drivers found: the result has no ranked drivers "
                     "(it needs ratings or sentiment and enough mentions).")
    body = [
        _cards(result, drivers),
        _highlights(drivers),
        _section("drivers", "Key drivers", "What moves the outcome, ranked by opportunity (impact × share of "
                 "documents). Bars are 95% confidence intervals; colour marks significance after "
                 "Benjamini-Hochberg correction; ★ marks emerging drivers.",
                 charts.add(plot_drivers(result, top=top), empty_drivers) + _drivers_table(drivers)),
        _section("journey", "Customer journey", "Share of each touchpoint's documents by sentiment "
                 "(cells: documents · row share). Touchpoints in journey order.",
                 charts.add(plot_journey(result), "No documents to place on the journey.")),
        _section("trends", "Trends", "Documents mentioning each top driver per period; ▲ marks drivers "
                 "whose volume is rising significantly in the latest period.",
                 charts.add(plot_trends(result), "No trends: the result has no timestamps "
                            "(pass time_col / --time-col) or no drivers.")),
        '<div class="grid2">'
        + _section("topics", "Topics", "Topics found in the feedback, by number of documents.",
                   charts.add(plot_topics(result), "No topics found."))
        + _section("languages", "Language mix", "Documents per detected language, by sentiment.",
                   charts.add(plot_languages(result), "No documents."))
        + "</div>",
        _section("evidence", "Evidence", "Representative verbatims for the top drivers; the aspect "
                 "mention is highlighted.", _evidence_html(result, drivers.head(min(top, 10)))),
        _section("errors", "Errors", "", _errors_html(result)),
        _section("run", "Run details", "", _run_details(result)),
    ]
    nav = "".join(f'<a href="#{a}">{t}</a>' for a, t in (
        ("drivers", "Drivers"), ("journey", "Journey"), ("trends", "Trends"), ("topics", "Topics"),
        ("languages", "Languages"), ("evidence", "Evidence"), ("errors", "Errors"), ("run", "Run details")))
    version = (result.versions or {}).get("vocmine", "")
    subtitle = " · ".join([f"{len(result.documents):,} documents", *_period(result),
                           "voice-of-customer root-cause analysis", *([f"vocmine {version}"] if version else [])])
    plotly_js = get_plotlyjs().replace("</script", "<\\/script") if charts.specs else ""
    return "".join([
        '<!DOCTYPE html>\n<html lang="en" data-vocmine-status="pending"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{CSS}</style><script>{STATUS_JS}</script>",
        f"<script>{plotly_js}</script>" if plotly_js else "",
        f'</head><body><header class="top"><h1>{_e(title)}</h1><p>{_e(subtitle)}</p></header>',
        f"<nav>{nav}</nav><main>{''.join(body)}</main>",
        "<footer>Generated by vocmine. This file is self-contained and works offline.</footer>",
        f"<script>window.vocmineFigures = {_safe_json(charts.specs)};</script><script>{RENDER_JS}</script>",
        "</body></html>\n",
    ])


def write_html(result: AnalysisResult, path: str | Path, **kwargs: Any) -> Path:
    """Render ``result`` with :func:`render_html` and write it to ``path`` (UTF-8).

    Examples:
        >>> import tempfile, pathlib
        >>> from vocmine.result import AnalysisResult
        >>> out = write_html(AnalysisResult.empty(), pathlib.Path(tempfile.mkdtemp()) / "r.html")
        >>> out.read_text(encoding="utf-8").count("<html")
        1
    """
    out = Path(path)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(result, **kwargs), encoding="utf-8")
    return out
