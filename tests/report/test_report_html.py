"""The HTML report and the plot functions, without a browser (public API only)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from tests.fakes import fake_components
from vocmine import Pipeline
from vocmine.report import (
    plot_drivers,
    plot_journey,
    plot_languages,
    plot_topics,
    plot_trends,
    render_html,
    write_html,
)
from vocmine.result import AnalysisResult

MALICIOUS = "<script>alert(1)</script>"
PLOTS = (plot_drivers, plot_journey, plot_trends, plot_topics, plot_languages)
SECTIONS = ("drivers", "journey", "trends", "topics", "languages", "evidence", "errors", "run")

_TEXTS = [
    ("Доставка опоздала на три дня. Поддержка не отвечает!", 1, "delivery"),
    ("配送太慢了。价格还可以。", 2, None),
    ("Dostawa była szybka, ale cena za wysoka.", 3, None),
    ("Great app, fast delivery. Support was rude though.", 4, ""),
    ("The price is good.", 5, "purchase"),
    ("Delivery was late again and the courier was rude.", 1, None),
    ("Цена хорошая, доставка быстрая.", 5, None),
    (f"The app is broken {MALICIOUS} & bad.", 1, None),
    ("Support was great, problem solved.", 5, "support"),
    ("价格太贵了，配送也慢。", 2, None),
    ("Okay, nothing special here.", 3, None),
]


def feedback_frame() -> pd.DataFrame:
    rows = [{"id": f"r{i}", "body": text, "stars": stars, "tp": tp, "date": f"2025-{1 + i % 4:02d}-{1 + i % 27:02d}"}
            for i, (text, stars, tp) in enumerate(_TEXTS * 3)]
    rows.append({"id": "blank", "body": "   ", "stars": 3, "tp": None, "date": "2025-02-01"})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def result() -> AnalysisResult:
    return Pipeline(components=fake_components()).run(
        feedback_frame(), text_col="body", id_col="id", rating_col="stars", touchpoint_col="tp", time_col="date")


def handmade() -> AnalysisResult:
    """A small result with known evidence offsets, flags and hostile strings everywhere."""
    r = AnalysisResult.empty()
    text = f"Курьер опоздал. The delivery was late & {MALICIOUS}! 配送很慢。"
    start = text.index("delivery")
    r.documents = pd.DataFrame({
        "feedback_id": ["d1", "d2"], "text": [text, "Price is fine."], "rating": [1.0, 4.0],
        "touchpoint": ["delivery", None], "created_at": pd.to_datetime(["2025-01-05", "2025-02-05"]),
        "lang": ["en", "en"], "sentiment": ["negative", "positive"], "topic_id": [0, -1],
    })
    sent_start = text.index("The delivery")
    r.sentences = pd.DataFrame({
        "feedback_id": ["d1", "d1", "d2"], "sentence_idx": [0, 1, 0],
        "start": [0, sent_start, 0], "end": [sent_start - 1, text.index("!") + 1, 14],
        "text": [text[: sent_start - 1], text[sent_start : text.index("!") + 1], "Price is fine."],
        "sentiment": ["neutral", "negative", "positive"],
    })
    r.mentions = pd.DataFrame({"feedback_id": ["d1"], "category": ["DELIVERY"], "start": [start],
                               "end": [start + 8], "aspect": ["delivery"], "polarity": ["negative"]})
    r.topics = pd.DataFrame({"topic_id": [0], "size": [1], "label": [MALICIOUS], "labels": [{"en": MALICIOUS}],
                             "words": [{"en": [MALICIOUS]}], "key": ["k0"]})
    ev = [{"feedback_id": "d1", "start": start, "end": start + 8, "quote": "delivery"},
          {"feedback_id": "d2", "start": 0, "end": 5, "quote": "Price"}]
    r.drivers = pd.DataFrame({
        "rank": [1, 2, 3], "driver": ["DELIVERY", "PRICE", "topic:0"],
        "kind": ["category", "category", "topic"], "touchpoint": [None, None, None], "n": [1, 1, 1],
        "share": [0.5, 0.5, 0.5], "impact": [-1.5, 0.2, 0.1], "ci_low": [-2.0, -0.5, -0.3],
        "ci_high": [-1.0, 0.9, 0.5], "q_value": [0.01, 0.6, 0.7], "significant": [True, False, False],
        "opportunity": [0.75, 0.0, 0.0], "trend": [0.1, 1.5, None], "emerging": [False, True, False],
        "evidence": [ev[:1], ev[1:], []],
    })
    r.errors = pd.DataFrame({"row": [2], "feedback_id": ["x"], "stage": ["input"], "reason": [MALICIOUS],
                             "value": [MALICIOUS]})
    r.config = {"seed": 0, "period": "M", "label_lang": "en", "note": MALICIOUS,
                "sentiment": {"name": "vocmine.sentiment.null.v1", "params": {}}}
    r.versions = {"vocmine": MALICIOUS, "python": "3.11"}
    return r


def section(page: str, anchor: str) -> str:
    match = re.search(rf'<section id="{anchor}">(.*?)</section>', page, re.S)
    assert match, f"section {anchor!r} missing"
    return match.group(1)


def test_every_section_present_and_self_contained(result: AnalysisResult) -> None:
    page = render_html(result)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    for anchor in SECTIONS:
        assert section(page, anchor)
    assert page.count('<div class="chart" id="chart-') == 5
    assert "Plotly" in page and len(page) > 1_000_000  # plotly.js inlined
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", page)  # nothing fetched
    assert "@import" not in page and "url(http" not in page
    assert '"Noto Sans CJK SC"' in page  # CJK-capable system font fallbacks


def test_header_and_tables_show_counts_config_and_versions(result: AnalysisResult) -> None:
    page = render_html(result)
    assert f'<div class="k">Documents</div><div class="v">{len(result.documents)}</div>' in page
    assert f"of {len(result.documents) + len(result.errors)} rows" in page
    errors = section(page, "errors")
    assert "text is empty or whitespace only</td><td class=num>1</td>" in errors
    run = section(page, "run")
    for key, value in result.versions.items():
        if not key.startswith("component."):
            assert f"<td>{html.escape(key)}</td><td>{html.escape(value)}</td>" in run
    assert "<td>FakeSentiment</td>" in run  # the component that ran, not only the configured name
    assert "<td>period</td><td>M</td>" in run


def test_hostile_text_is_escaped_everywhere() -> None:
    page = render_html(handmade())
    assert MALICIOUS not in page
    assert "alert(1)</script" not in page
    assert page.count(html.escape(MALICIOUS)) >= 5  # evidence, driver table, error, config, version
    assert page.count("<script>") == 4  # status hook, plotly.js, figure data, renderer


def test_hostile_text_from_a_pipeline_run_is_escaped(result: AnalysisResult) -> None:
    assert result.documents["text"].str.contains(MALICIOUS, regex=False).any()
    page = render_html(result, top=50)
    assert MALICIOUS not in page


def test_evidence_marks_exactly_the_quote_inside_its_sentence() -> None:
    r = handmade()
    evidence = section(render_html(r), "evidence")
    marks = re.findall(r"<mark[^>]*>(.*?)</mark>", evidence, re.S)
    assert [html.unescape(m) for m in marks] == ["delivery", "Price"]
    # The sentence around the quote, escaped; not the document's other sentences.
    assert f"The <mark>delivery</mark> was late &amp; {html.escape(MALICIOUS)}!<span" in evidence
    assert "Курьер" not in evidence and "配送" not in evidence


def test_evidence_with_offsets_that_do_not_match_shows_the_quote() -> None:
    r = handmade()
    r.drivers.at[0, "evidence"] = [{"feedback_id": "d1", "start": 0, "end": 3, "quote": "late & <b>"}]
    evidence = section(render_html(r), "evidence")
    assert "<mark>late &amp; &lt;b&gt;</mark>" in evidence


def test_drivers_chart_colours_by_significance_and_flags_emerging() -> None:
    fig = plot_drivers(handmade())
    names = [t.name for t in fig.data]
    assert names == ["Lowers outcome (significant)", "Not significant", "Emerging (rising volume)"]
    assert list(fig.data[0].x) == [-1.5]
    assert list(fig.data[0].error_x.arrayminus) == pytest.approx([0.5])
    assert list(fig.data[0].error_x.array) == pytest.approx([0.5])
    assert [y.split(". ", 1)[1] for y in fig.data[2].y] == ["Price and value"]
    assert "&lt;script&gt;" in fig.data[1].y[1]  # topic label escaped for plotly's HTML labels


def test_empty_result_renders_messages_not_charts() -> None:
    page = render_html(AnalysisResult.empty())
    assert 'class="chart"' not in page
    assert "No drivers found" in page and "No trends" in page and "No topics found" in page
    assert "No evidence quotes" in page and "No errors" in page
    assert 'data-vocmine-status="pending"' in page
    for plot in PLOTS:
        fig = plot(AnalysisResult.empty())
        assert isinstance(fig, go.Figure) and len(fig.data) == 0 and fig.layout.annotations


def test_plots_return_figures_with_data(result: AnalysisResult) -> None:
    for plot in PLOTS:
        fig = plot(result)
        assert isinstance(fig, go.Figure), plot.__name__
        assert fig.data and any(len(t.x if t.x is not None else t.z) for t in fig.data), plot.__name__


def test_journey_rows_follow_the_journey_and_count_documents(result: AnalysisResult) -> None:
    fig = plot_journey(result)
    rows = [y.rsplit(" (n=", 1)[0] for y in fig.data[0].y]
    assert rows[-1] == "Unassigned"
    order = ["Purchase", "Delivery", "Customer support", "App and website"]
    assert [r for r in rows if r in order] == [o for o in order if o in rows]
    assert sum(int(y.rsplit("(n=", 1)[1].rstrip(")")) for y in fig.data[0].y) == len(result.documents)


def test_trends_count_documents_per_month(result: AnalysisResult) -> None:
    fig = plot_trends(result, top=50)
    traces = {t.name.lstrip("▲ "): t for t in fig.data}
    docs = result.documents.set_index("feedback_id")
    ids = set(result.mentions.loc[result.mentions["category"] == "DELIVERY", "feedback_id"])
    months = pd.Series([docs.loc[i, "created_at"].strftime("%Y-%m") for i in ids]).value_counts()
    trace = traces["Delivery"]
    assert dict(zip(trace.x, trace.y)) == {m: int(months.get(m, 0)) for m in trace.x}
    assert list(trace.x) == sorted(trace.x)


def test_write_html_round_trips_a_saved_result(result: AnalysisResult, tmp_path: Path) -> None:
    loaded = AnalysisResult.load(result.save(tmp_path / "res"))
    out = write_html(loaded, tmp_path / "sub" / "report.html", title="Q1 feedback")
    page = out.read_text(encoding="utf-8")
    quote = next(ev[0]["quote"] for ev in loaded.drivers.sort_values("rank")["evidence"] if ev)
    assert "<title>Q1 feedback</title>" in page and f">{html.escape(quote)}</mark>" in page
    assert page.count('class="chart"') == 5
