from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from vocmine.cli import main


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for cmd in ("analyze", "demo", "components"):
        assert cmd in out


def test_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze"]) == 2
    assert main([]) == 2


def test_missing_column_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "in.csv"
    pd.DataFrame({"body": ["x"]}).to_csv(p, index=False)
    assert main(["analyze", str(p), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "[E001]" in err[0] and "Traceback" not in err[0]


def test_missing_file_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o")]) == 1
    assert "[E011]" in capsys.readouterr().err


def test_bad_config_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "in.csv"
    pd.DataFrame({"text": ["x"]}).to_csv(p, index=False)
    cfg = tmp_path / "c.toml"
    cfg.write_text('on_error = "ignore"\n')
    assert main(["analyze", str(p), "--out", str(tmp_path / "o"), "--config", str(cfg)]) == 2
    assert "[E004]" in capsys.readouterr().err


def test_verbose_shows_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--verbose", "analyze", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o")]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_components_listing() -> None:
    out = subprocess.run([sys.executable, "-m", "vocmine", "components", "--stage", "sentiment"],
                         capture_output=True, text=True, check=True).stdout
    assert "vocmine.sentiment.null.v1" in out


def test_analyze_with_null_stages_writes_tables(tmp_path: Path) -> None:
    p = tmp_path / "in.csv"
    pd.DataFrame({"text": ["Доставка опоздала", "配送很慢", ""], "stars": [1, 2, 3]}).to_csv(p, index=False)
    cfg = tmp_path / "c.toml"
    stages = {"embedder": "embed", "lang": "lang", "sentiment": "sentiment", "aspects": "aspects",
              "topics": "topics", "touchpoints": "touchpoints", "drivers": "drivers"}
    cfg.write_text("".join(f'{k} = "vocmine.{v}.null.v1"\n' for k, v in stages.items()))
    out = tmp_path / "o"
    assert main(["analyze", str(p), "--out", str(out), "--config", str(cfg), "--rating-col", "stars", "--csv"]) == 0
    assert (out / "documents.parquet").exists() and (out / "errors.csv").exists()
    assert len(pd.read_parquet(out / "errors.parquet")) == 1


def test_preset_flag_builds_the_preset_config(tmp_path: Path) -> None:
    from vocmine.cli._main import _config, build_parser
    from vocmine.config import PipelineConfig

    args = build_parser().parse_args(["analyze", "in.csv", "--out", str(tmp_path), "--preset", "fast"])
    assert _config(args) == PipelineConfig.preset("fast")
    cfg = tmp_path / "c.toml"
    cfg.write_text("seed = 5\n")
    args = build_parser().parse_args(["fit", "in.csv", "--out", str(tmp_path), "--preset", "fast", "--config", str(cfg)])
    assert _config(args) == PipelineConfig.preset("fast", seed=5)
    assert _config(build_parser().parse_args(["demo", "--out", str(tmp_path)])) is None
    args = build_parser().parse_args(["analyze", "in.csv", "--out", str(tmp_path), "--domain", "banking_telecom"])
    assert _config(args) == PipelineConfig(domain="banking_telecom")


def test_audit_file_is_read_with_the_id_column(tmp_path: Path) -> None:
    from vocmine.cli._main import _read_audit
    from vocmine.errors import SchemaError

    p = tmp_path / "audit.csv"
    pd.DataFrame({"review_id": [7, 8], "category": ["DELIVERY", ""]}).to_csv(p, index=False)
    audit = _read_audit(p, "review_id")
    assert audit.to_dict("list") == {"feedback_id": ["7", "8"], "category": ["DELIVERY", ""]}
    assert _read_audit(None, None) is None
    with pytest.raises(SchemaError, match=r"\[E001\].*'feedback_id' \(or 'id'\) and 'category'"):
        _read_audit(p, "id")
