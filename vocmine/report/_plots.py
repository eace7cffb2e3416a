"""Plotly figures of a result: drivers, journey, trends, topics, languages.

Each ``plot_*`` function reads the result's tables and returns a
``plotly.graph_objects.Figure``. A table with nothing to show gives a figure with no
traces and a centred message (``figure_has_data`` tells the two apart). Text that
comes from the data is HTML-escaped, since plotly renders a subset of HTML in labels.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

from vocmine.errors import MissingDependencyError
from vocmine.report._aggregate import (
    journey_counts,
    lang_name,
    language_counts,
    taxonomy_specs,
    top_drivers,
    topic_label_map,
    touchpoint_label,
    trend_counts,
)

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

    from vocmine.result import AnalysisResult

__all__ = ["plot_drivers", "plot_journey", "plot_trends", "plot_topics", "plot_languages", "figure_has_data"]

#: Font stack with CJK / Cyrillic capable system fonts (no web fonts: the report works offline).
FONT_FAMILY = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, '
    '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
    '"WenQuanYi Micro Hei", sans-serif'
)
COLORS = {
    "negative": "#d1495b",
    "neutral": "#9aa5b1",
    "positive": "#2e9e6b",
    "emerging": "#f28e2b",
    "accent": "#3b6fb6",
}
_SERIES = ("#3b6fb6", "#d1495b", "#2e9e6b", "#8e6cc1", "#e3a21a", "#1f9fb4", "#c2547a", "#6b7a8f")


def _go() -> Any:
    try:
        import plotly.graph_objects as go
    except ImportError as exc:  # pragma: no cover - plotly is a core dependency
        raise MissingDependencyError(
            "[E007] The report needs the 'plotly' package, which is not installed. Run: pip install plotly"
        ) from exc
    return go


def _esc(value: object, limit: int = 80) -> str:
    text = str(value)
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return html.escape(text, quote=False)


def _num(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def _layout(fig: go.Figure, *, title: str, height: int, **kw: Any) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        font={"family": FONT_FAMILY, "size": 12, "color": "#1f2933"},
        height=height,
        margin={"l": 10, "r": 36, "t": 56, "b": 40},
        paper_bgcolor="white",
        plot_bgcolor="white",
        hoverlabel={"font": {"family": FONT_FAMILY}},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        modebar={"orientation": "v", "bgcolor": "rgba(255,255,255,0.6)"},
        **kw,
    )
    fig.update_xaxes(gridcolor="#e4e7eb", zerolinecolor="#9aa5b1", automargin=True)
    fig.update_yaxes(gridcolor="#e4e7eb", automargin=True)
    return fig


def _empty(title: str, message: str) -> go.Figure:
    go = _go()
    fig = go.Figure()
    fig.add_annotation(text=_esc(message, 200), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 14, "color": "#6b7a8f"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title=title, height=220)


def figure_has_data(fig: go.Figure) -> bool:
    """True when at least one trace of ``fig`` has points.

    Examples:
        >>> from vocmine.result import AnalysisResult
        >>> figure_has_data(plot_drivers(AnalysisResult.empty()))
        False
    """
    for trace in fig.data:
        for attr in ("x", "y", "z", "values"):
            values = getattr(trace, attr, None)
            if values is not None and len(values) > 0:
                return True
    return False


def plot_drivers(result: AnalysisResult, *, top: int = 15) -> go.Figure:
    """Top drivers (by rank) with their impact and 95% confidence interval.

    Markers are coloured by significance (red: lowers the outcome, green: raises it,
    grey: not significant after FDR correction); emerging drivers get an orange star.

    Args:
        result: an analysis result.
        top: how many drivers to show.

    Returns:
        A horizontal dot-and-whisker plotly figure, rank 1 at the top.

    Examples:
        >>> from vocmine.result import AnalysisResult
        >>> len(plot_drivers(AnalysisResult.empty()).data)
        0
    """
    go = _go()
    title = "Key drivers: impact on the outcome (95% CI)"
    df = top_drivers(result)
    if not df.empty:
        df = df[[math.isfinite(_num(v)) for v in df["impact"]]].head(top)
    if df.empty:
        return _empty(title, "No drivers found (needs ratings or sentiment and enough mentions).")
    rows = df.to_dict(orient="records")
    ylab = [f"{int(_num(r['rank'])) if math.isfinite(_num(r['rank'])) else '-'}. {_esc(r['label'], 48)}" for r in rows]
    fig = go.Figure()
    groups = (("Lowers outcome (significant)", "negative"), ("Raises outcome (significant)", "positive"),
              ("Not significant", "neutral"))
    for name, key in groups:
        idx = [i for i, r in enumerate(rows) if _group(r) == key]
        if not idx:
            continue
        imp = [_num(rows[i]["impact"]) for i in idx]
        lo = [_num(rows[i].get("ci_low")) for i in idx]
        hi = [_num(rows[i].get("ci_high")) for i in idx]
        fig.add_trace(go.Scatter(
            x=imp, y=[ylab[i] for i in idx], mode="markers", name=name,
            marker={"color": COLORS[key], "size": 11, "line": {"color": "white", "width": 1}},
            error_x={"type": "data", "symmetric": False, "color": COLORS[key], "thickness": 2, "width": 4,
                     "array": [h - m if math.isfinite(h) else 0 for h, m in zip(hi, imp)],
                     "arrayminus": [m - lo_ if math.isfinite(lo_) else 0 for lo_, m in zip(lo, imp)]},
            customdata=[[_hover(rows[i])] for i in idx],
            hovertemplate="%{customdata[0]}<extra></extra>",
        ))
    emerging = [i for i, r in enumerate(rows) if _flag(r.get("emerging"))]
    if emerging:
        fig.add_trace(go.Scatter(
            x=[_num(rows[i]["impact"]) for i in emerging], y=[ylab[i] for i in emerging], mode="markers",
            name="Emerging (rising volume)", hoverinfo="skip",
            marker={"symbol": "star", "size": 17, "color": COLORS["emerging"],
                    "line": {"color": "#7a4300", "width": 1}},
        ))
    fig.add_vline(x=0, line={"color": "#52606d", "width": 1})
    fig.update_yaxes(categoryorder="array", categoryarray=ylab, autorange="reversed")
    fig.update_xaxes(title={"text": "Impact on the outcome (outcome units)"})
    return _layout(fig, title=title, height=140 + 30 * len(rows))


def _flag(value: Any) -> bool:
    return bool(value) and not (isinstance(value, float) and math.isnan(value))


def _group(row: dict[str, Any]) -> str:
    if not _flag(row.get("significant")):
        return "neutral"
    return "negative" if _num(row["impact"]) < 0 else "positive"


def _hover(row: dict[str, Any]) -> str:
    fmt = lambda v, d=2: f"{_num(v):+.{d}f}" if math.isfinite(_num(v)) else "n/a"  # noqa: E731
    share = _num(row.get("share"))
    q = _num(row.get("q_value"))
    parts = [
        f"<b>{_esc(row['label'], 60)}</b>",
        f"impact {fmt(row['impact'])} [{fmt(row.get('ci_low'))}, {fmt(row.get('ci_high'))}]",
        f"n = {int(_num(row.get('n'))) if math.isfinite(_num(row.get('n'))) else 'n/a'}"
        + (f" ({share:.1%} of documents)" if math.isfinite(share) else ""),
        f"q = {q:.3g}" if math.isfinite(q) else "q = n/a",
        f"opportunity {fmt(row.get('opportunity'), 3)}",
    ]
    if _flag(row.get("emerging")):
        parts.append("<b>emerging</b>: volume rising in the latest period")
    return "<br>".join(parts)


def plot_journey(result: AnalysisResult) -> go.Figure:
    """Touchpoint x sentiment heatmap: share of each touchpoint's documents per sentiment.

    Touchpoints follow the customer journey (discovery ... digital channels), then other
    ids, then ``unassigned``. Cells show the document count and the row share.

    Examples:
        >>> from vocmine.result import AnalysisResult
        >>> len(plot_journey(AnalysisResult.empty()).data)
        0
    """
    go = _go()
    title = "Customer journey: sentiment by touchpoint"
    table = journey_counts(result)
    if table.empty or int(table.to_numpy().sum()) == 0:
        return _empty(title, "No documents to place on the journey.")
    lang = str((result.config or {}).get("label_lang", "en"))
    totals = table.sum(axis=1)
    tax = taxonomy_specs(result.config)["touchpoints"]
    ylab = [f"{_esc(touchpoint_label(tp, lang, taxonomy=tax), 40)} (n={int(totals[tp])})" for tp in table.index]
    cols = [str(c) for c in table.columns]
    counts = table.to_numpy()
    share = counts / totals.to_numpy()[:, None].clip(min=1)
    # One trace, one colour ramp per column: column j's cells take z in [j, j + 1).
    z = [[j + min(s, 0.999) for j, s in enumerate(row)] for row in share]
    text = [[f"{int(c)} · {s:.0%}" for c, s in zip(crow, srow)] for crow, srow in zip(counts, share)]
    fig = go.Figure(go.Heatmap(
        x=[c.capitalize() for c in cols], y=ylab, z=z, zmin=0, zmax=len(cols), colorscale=_ramps(cols),
        showscale=False, text=text, texttemplate="%{text}", textfont={"size": 12}, xgap=3, ygap=3,
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>", name="journey",
    ))
    fig.update_yaxes(categoryorder="array", categoryarray=ylab, autorange="reversed", showgrid=False)
    fig.update_xaxes(side="top", showgrid=False)
    return _layout(fig, title=title, height=110 + 36 * len(ylab))


def _ramps(cols: list[str]) -> list[list[Any]]:
    """A colourscale made of one white-to-colour ramp per column (for z in [0, len(cols)])."""
    light = {"negative": "#fdf1f2", "neutral": "#f5f7fa", "positive": "#eef8f3"}
    dark = {"negative": COLORS["negative"], "neutral": "#7b8794", "positive": COLORS["positive"]}
    k, scale = len(cols), []
    for j, col in enumerate(cols):
        scale.append([j / k, light.get(col, "#f5f7fa")])
        scale.append([(j + 0.999) / k, dark.get(col, COLORS["accent"])])
    scale[-1][0] = 1.0
    return scale


def plot_trends(result: AnalysisResult, *, top: int = 6) -> go.Figure:
    """Documents per period (config ``period``, default month) for the top drivers.

    Drivers flagged emerging are always included, drawn thicker in orange with a ▲.

    Examples:
        >>> from vocmine.result import AnalysisResult
        >>> len(plot_trends(AnalysisResult.empty()).data)
        0
    """
    go = _go()
    title = "Driver volume over time"
    drivers = top_drivers(result)
    if not drivers.empty:
        flags = [_flag(v) for v in drivers["emerging"]] if "emerging" in drivers else [False] * len(drivers)
        keep = [i < top or f for i, f in enumerate(flags)]
        drivers = drivers[keep]
    table = trend_counts(result, drivers)
    if table.empty or int(table.to_numpy().sum()) == 0:
        return _empty(title, "No trends: the result has no timestamps (pass time_col) or no drivers.")
    emerging = dict(zip(drivers["label"], (_flag(v) for v in drivers.get("emerging", [False] * len(drivers)))))
    fig = go.Figure()
    x = [str(p) for p in table.index]
    mode = "lines+markers" if len(x) > 1 else "markers"
    k = 0
    for label in table.columns:
        hot = emerging.get(label, False)
        color = COLORS["emerging"] if hot else _SERIES[k % len(_SERIES)]
        k += 0 if hot else 1
        name = ("▲ " if hot else "") + _esc(label, 40)
        fig.add_trace(go.Scatter(
            x=x, y=table[label].tolist(), mode=mode, name=name,
            line={"color": color, "width": 4 if hot else 2}, marker={"size": 7, "color": color},
            hovertemplate=f"{name}<br>%{{x}}: %{{y}} documents<extra></extra>",
        ))
    fig.update_xaxes(type="category", title={"text": "period"})
    fig.update_yaxes(title={"text": "documents mentioning"}, rangemode="tozero")
    return _layout(fig, title=title, height=380)


def plot_topics(result: AnalysisResult, *, top: int = 20) -> go.Figure:
    """Topics by size (documents), largest first, with their labels.

    Examples:
        >>> from vocmine.result import AnalysisResult
        >>> len(plot_topics(AnalysisResult.empty()).data)
        0
    """
    go = _go()
    title = "Topics by size"
    t = result.topics
    if not t.empty:
        t = t[[int(_num(v)) >= 0 if math.isfinite(_num(v)) else False for v in t["topic_id"]]]
        t = t.assign(_size=[_num(v) for v in t["size"]]).sort_values(["_size", "topic_id"], ascending=[False, True])
        t = t.head(top)
    if t.empty:
        return _empty(title, "No topics found.")
    labels = topic_label_map(result)
    ylab = [f"{int(tid)}: {_esc(labels.get(int(tid), ''), 50)}" for tid in t["topic_id"]]
    words = [_words(w) for w in t["words"]] if "words" in t else [""] * len(t)
    fig = go.Figure(go.Bar(
        x=t["_size"].tolist(), y=ylab, orientation="h", marker={"color": COLORS["accent"]},
        text=[str(int(s)) for s in t["_size"]], textposition="outside", cliponaxis=False,
        customdata=[[w] for w in words],
        hovertemplate="%{y}<br>%{x} documents<br>%{customdata[0]}<extra></extra>", name="topics",
    ))
    fig.update_yaxes(categoryorder="array", categoryarray=ylab, autorange="reversed")
    fig.update_xaxes(title={"text": "documents"})
    fig.update_layout(showlegend=False)
    return _layout(fig, title=title, height=140 + 28 * len(ylab))


def _words(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    return "<br>".join(f"{_esc(lang, 8)}: {_esc(', '.join(map(str, ws[:8])), 90)}"
                       for lang, ws in value.items() if isinstance(ws, (list, tuple)))


def plot_languages(result: AnalysisResult) -> go.Figure:
    """Documents per detected language, stacked by sentiment.

    Examples:
        >>> from vocmine.result import AnalysisResult
        >>> len(plot_languages(AnalysisResult.empty()).data)
        0
    """
    go = _go()
    title = "Language mix"
    table = language_counts(result)
    if table.empty or int(table.to_numpy().sum()) == 0:
        return _empty(title, "No documents.")
    ylab = [f"{_esc(lang_name(code), 30)} ({_esc(code, 8)})" for code in table.index]
    fig = go.Figure()
    for col in table.columns:
        fig.add_trace(go.Bar(
            x=table[col].tolist(), y=ylab, orientation="h", name=str(col),
            marker={"color": COLORS.get(str(col), COLORS["accent"])},
            hovertemplate="%{y}<br>" + _esc(col) + ": %{x} documents<extra></extra>",
        ))
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    fig.update_yaxes(categoryorder="array", categoryarray=ylab, autorange="reversed")
    fig.update_xaxes(title={"text": "documents"})
    return _layout(fig, title=title, height=150 + 34 * len(ylab))
