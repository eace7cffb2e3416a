"""result.why(): readable driver and touchpoint names from the result's own taxonomies."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.report.test_report_html import handmade
from vocmine.report import render_html
from vocmine.result import AnalysisResult

JOURNEY = """kind: touchpoints
version: 1
languages: [en, ru]
items:
  - id: branch
    categories: [SUPPORT]
    names: {en: Branch visit, ru: Визит в отделение}
    descriptions: {en: Visiting a bank branch., ru: Визит в отделение банка.}
    examples: {en: [the branch was closed], ru: [отделение было закрыто]}
"""


def with_pair(result: AnalysisResult, touchpoint: str) -> AnalysisResult:
    pair = result.drivers.iloc[[0]].assign(rank=4, driver=f"DELIVERY@{touchpoint}", kind="category_touchpoint",
                                           touchpoint=touchpoint)
    result.drivers = pd.concat([result.drivers, pair], ignore_index=True)
    return result


def test_why_names_drivers_and_touchpoints_in_the_label_language() -> None:
    r = with_pair(handmade(), "delivery")
    text = r.why()
    assert "Delivery" in text and "[touchpoint: Delivery]" in text and "Delivery @ Delivery" in text
    assert "DELIVERY@delivery" not in text  # ids are not what a reader wants
    ru = r.why(lang="ru")
    assert "Доставка" in ru
    assert r.why(touchpoint="delivery").count("\n  4.") == 1  # filtered by the touchpoint id


def test_custom_journey_yaml_names_reach_the_summary_and_the_report(tmp_path: Path) -> None:
    path = tmp_path / "journey.yaml"
    path.write_text(JOURNEY, encoding="utf-8")
    r = with_pair(handmade(), "branch")
    r.config = {**r.config, "touchpoints": {"name": "vocmine.touchpoints.embedding.v1",
                                            "params": {"taxonomy": str(path)}}}
    r.documents.loc[0, "touchpoint"] = "branch"
    assert "[touchpoint: Branch visit]" in r.why()
    assert "Визит в отделение" in r.why(lang="ru")
    page = render_html(r)
    assert "Branch visit" in page and "Delivery @ Branch visit" in page


def test_the_domain_names_its_touchpoints() -> None:
    r = with_pair(handmade(), "cards")
    r.config = {**r.config, "domain": "banking_telecom"}
    assert "[touchpoint: Cards]" in r.why() and "[touchpoint: Карты]" in r.why(lang="ru")
