from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from vocmine import AnalysisResult, Pipeline, read_feedback
from vocmine.errors import SchemaError, VocmineError
from tests.fakes import fake_components

ROWS = pd.DataFrame({"body": ["Dostawa szybka", "Доставка плохо", "配送很慢"], "stars": [5, 1, 2],
                     "when": ["2026-01-01", "2026-02-01", "2026-03-01"]})


@pytest.mark.parametrize("ext", ["csv", "tsv", "jsonl", "jsonl.gz", "parquet", "xlsx"])
def test_read_every_format(tmp_path: Path, ext: str) -> None:
    p = tmp_path / f"in.{ext}"
    if ext == "csv":
        ROWS.to_csv(p, index=False)
    elif ext == "tsv":
        ROWS.to_csv(p, sep="\t", index=False)
    elif ext.startswith("jsonl"):
        data = "\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS.to_dict("records")).encode()
        p.write_bytes(gzip.compress(data) if ext.endswith("gz") else data)
    elif ext == "parquet":
        ROWS.to_parquet(p)
    else:
        ROWS.to_excel(p, index=False)
    df = read_feedback(p, text_col="body", rating_col="stars", time_col="when")
    assert df["text"].tolist() == ROWS["body"].tolist()
    assert pd.to_numeric(df["rating"]).tolist() == [5, 1, 2]


def test_read_errors(tmp_path: Path) -> None:
    with pytest.raises(VocmineError, match=r"\[E011\]"):
        read_feedback(tmp_path / "nope.csv")
    p = tmp_path / "x.txt"
    p.write_text("a")
    with pytest.raises(VocmineError, match=r"\[E010\]"):
        read_feedback(p)
    q = tmp_path / "x.csv"
    ROWS.to_csv(q, index=False)
    with pytest.raises(SchemaError, match=r"\[E001\].*\['text'\].*'body'"):
        read_feedback(q)


def test_invalid_utf8_row_is_collected_not_fatal(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_bytes("text\nfine row here\n".encode() + b"bad \xff\xfe bytes\n" + "last row\n".encode())
    df = read_feedback(p)
    r = Pipeline(components=fake_components()).run(df)  # type: ignore[arg-type]
    assert len(r.documents) == 2 and len(r.errors) == 1
    assert "invalid UTF-8" in r.errors.iloc[0]["reason"]


def test_save_load_json_round_trip(tmp_path: Path) -> None:
    r = Pipeline(components=fake_components()).run(  # type: ignore[arg-type]
        ROWS.assign(id=["1", "2", "3"]), text_col="body", id_col="id", rating_col="stars", time_col="when")
    out = r.save(tmp_path / "res", csv=True)
    assert sorted(x.name for x in out.glob("*.parquet")) == sorted(f"{t}.parquet" for t in r.tables())
    back = AnalysisResult.load(out)
    for name, df in r.tables().items():
        assert back.tables()[name].shape == df.shape, name
    assert back.to_json() == r.to_json()
    doc = json.loads(r.to_json())
    assert doc["schema_version"] == "1.1" and len(doc["documents"]) == 3
    with pytest.raises(VocmineError, match=r"\[E012\]"):
        AnalysisResult.load(tmp_path)


def test_to_json_matches_checked_in_schema(small_df: pd.DataFrame) -> None:
    from importlib import resources

    import jsonschema

    schema = json.loads((resources.files("vocmine.resources") / "result.schema.json").read_text(encoding="utf-8"))
    r = Pipeline(components=fake_components()).run(  # type: ignore[arg-type]
        small_df, text_col="body", id_col="id", rating_col="stars", touchpoint_col="tp", time_col="date")
    doc = json.loads(r.to_json())
    jsonschema.validate(doc, schema)
    assert doc["drivers"] and doc["errors"]
    doc["documents"][0]["sentiment"] = "angry"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)
