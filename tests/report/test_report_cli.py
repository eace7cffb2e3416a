"""``vocmine report`` and ``--report`` on analyze (through ``vocmine.cli.main``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.fakes import fake_components
from vocmine import Pipeline
from vocmine.cli import main


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    df = pd.DataFrame({"text": ["配送太慢了。", "Great app.", "The price is good."],
                       "stars": [1, 5, 4], "date": ["2025-01-02", "2025-02-03", "2025-03-04"]})
    pipeline = Pipeline(components=fake_components())
    result = pipeline.run(df, rating_col="stars", time_col="date")
    return result.save(tmp_path_factory.mktemp("result"))


def test_report_writes_html(saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.html"
    assert main(["report", str(saved), "-o", str(out), "--title", "Q1"]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<title>Q1</title>" in page and 'class="chart"' in page and "<mark>配送</mark>" in page
    assert str(out) in capsys.readouterr().out


def test_report_default_output_and_directory_output(saved: Path, tmp_path: Path) -> None:
    assert main(["report", str(saved)]) == 0
    assert (saved / "report.html").is_file()
    assert main(["report", str(saved), "-o", str(tmp_path)]) == 0
    assert (tmp_path / "report.html").is_file()


def test_report_on_a_non_result_directory_is_a_one_line_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path / "nothing"), "-o", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "[E012]" in err[0]
    assert not (tmp_path / "r.html").exists()


def test_report_usage_errors(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report"]) == 2
    assert main(["report", str(saved), "--top", "0"]) == 2
    assert "[E004]" in capsys.readouterr().err


def test_help_lists_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "report" in capsys.readouterr().out


def test_analyze_with_report_flag(tmp_path: Path) -> None:
    p = tmp_path / "in.csv"
    df = pd.DataFrame({"text": ["Доставка опоздала", "配送很慢", ""], "stars": [1, 2, 3]})
    df.to_csv(p, index=False)
    cfg = tmp_path / "c.toml"
    stages = {"embedder": "embed", "lang": "lang", "sentiment": "sentiment", "aspects": "aspects",
              "topics": "topics", "touchpoints": "touchpoints", "drivers": "drivers"}
    cfg.write_text("".join(f'{k} = "vocmine.{v}.null.v1"\n' for k, v in stages.items()))
    html_path = tmp_path / "out" / "report.html"
    args = ["analyze", str(p), "--out", str(tmp_path / "o"), "--config", str(cfg), "--rating-col", "stars",
            "--report", str(html_path)]
    assert main(args) == 0
    page = html_path.read_text(encoding="utf-8")
    assert "No drivers found" in page and "text is missing (NaN/None)</td><td class=num>1<" in page
