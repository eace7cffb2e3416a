"""The sentiment model's written training rows are well formed and never copy an evaluation row."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "models" / "sentiment-e5-head"
FILES = ("seed_sentences.jsonl", "seed_sentences_2.jsonl", "seed_sentences_3.jsonl")


def _rows() -> list[tuple[str, int, dict]]:
    out = []
    for name in FILES:
        for k, line in enumerate((DATA / name).read_text("utf-8").splitlines(), 1):
            if line.strip():
                out.append((name, k, json.loads(line)))
    return out


def test_written_rows_are_labelled_and_unique() -> None:
    rows = _rows()
    seen: dict[str, str] = {}
    for name, k, r in rows:
        where = f"{name} line {k}"
        assert r["label"] in {"negative", "neutral", "positive"}, where
        assert r["lang"] in {"en", "ru", "pl", "zh"}, where
        assert r["text"].strip(), where
        key = " ".join(r["text"].lower().split())
        assert key not in seen, f"{where} repeats {seen.get(key)}"
        seen[key] = where


@pytest.mark.skipif(
    not (Path(os.environ.get("VOCMINE_EVAL_DATA", ROOT.parent / "shared" / "eval_data")) / "ru_rusentiment").exists(),
    reason="needs the shared evaluation data (VOCMINE_EVAL_DATA)",
)
def test_written_rows_never_equal_an_evaluation_row() -> None:
    from benchmarks._sentiment_data import _read, norm_key

    written = {norm_key(r["text"]): f"{name} line {k}" for name, k, r in _rows()}
    for set_name in ("ru_rusentiment", "ru_rusentitweet", "zh_chnsenticorp_htl", "zh_online_shopping_10_cats",
                     "pl_polemo2_klej"):
        hits = [written[key] for key in map(norm_key, _read(set_name)["text"].astype(str)) if key in written]
        assert not hits, (set_name, hits[:3])
