"""Rendering of an AnalysisResult: text summaries, plotly figures and a self-contained HTML report."""

from __future__ import annotations

from vocmine.report._html import render_html, write_html
from vocmine.report._plots import plot_drivers, plot_journey, plot_languages, plot_topics, plot_trends
from vocmine.report._summary import summarize_drivers, summarize_result

__all__ = [
    "plot_drivers",
    "plot_journey",
    "plot_languages",
    "plot_topics",
    "plot_trends",
    "render_html",
    "summarize_drivers",
    "summarize_result",
    "write_html",
]
