"""Contract of the bundled demo data set (vocmine/resources/demo/feedback.csv.gz, see DATA.md)."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from vocmine.resources import DEMO_COLUMNS, load_demo, load_taxonomy

ROOT = Path(__file__).resolve().parents[1]
DEMO = resources.files("vocmine.resources").joinpath("demo").joinpath("feedback.csv.gz")

# Language of each source (crude, independent of the library's detector).
SOURCE_LANG = {
    "vocmine_written_ru": "ru",
    "pl_allegro_reviews_klej": "pl",
    "vocmine_written_pl": "pl",
    "zh_asap_restaurant_sample": "zh",
    "vocmine_written_zh": "zh",
    "en_uci_sentiment_sentences": "en",
    "en_banking77": "en",
    "en_it_service_tickets": "en",
    "vocmine_written_en": "en",
}
BAD = "vocmine_bad_rows"
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
HAN = re.compile(r"[\u4E00-\u9FFF]")
POLISH = re.compile(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")
CHANNELS = {"app_review", "survey", "support_ticket", "chat"}
TOUCHPOINTS = {
    "discovery", "purchase", "payment", "delivery", "onboarding",
    "product_use", "support", "returns", "renewal_cancellation", "digital_channels",
}


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The packaged file read directly through importlib.resources, all cells as strings."""
    with DEMO.open("rb") as fh:
        return pd.read_csv(fh, compression="gzip", dtype=str, keep_default_na=False)


def test_file_is_small_utf8_with_expected_columns(raw: pd.DataFrame) -> None:
    data = DEMO.read_bytes()
    assert len(data) < 1_500_000
    gzip.decompress(data).decode("utf-8")  # raises if not UTF-8
    assert list(raw.columns) == list(DEMO_COLUMNS)
    assert "lang" not in raw.columns and "lang_hint" not in raw.columns
    assert len(raw) >= 2000


def test_every_source_is_known_and_languages_have_400_rows(raw: pd.DataFrame) -> None:
    assert set(raw["source"]) == set(SOURCE_LANG) | {BAD}
    counts = raw["source"].map(SOURCE_LANG).value_counts()
    for lang in ("ru", "zh", "pl", "en"):
        assert counts.get(lang, 0) >= 400, (lang, counts.to_dict())


@pytest.mark.parametrize(
    ("lang", "pattern", "min_share"),
    [("ru", CYRILLIC, 1.0), ("zh", HAN, 1.0), ("pl", POLISH, 0.9)],
)
def test_script_matches_source_language(raw: pd.DataFrame, lang: str, pattern: re.Pattern[str],
                                        min_share: float) -> None:
    texts = raw.loc[raw["source"].map(SOURCE_LANG) == lang, "text"]
    share = texts.map(lambda t: bool(pattern.search(t))).mean()
    assert share >= min_share, (lang, share)
    assert texts.map(lambda t: bool(pattern.search(t))).sum() >= 400


def test_english_rows_have_no_cyrillic_or_han(raw: pd.DataFrame) -> None:
    texts = raw.loc[raw["source"].map(SOURCE_LANG) == "en", "text"]
    assert not texts.map(lambda t: bool(CYRILLIC.search(t) or HAN.search(t))).any()


def test_ids_unique_except_the_documented_duplicate(raw: pd.DataFrame) -> None:
    assert raw["feedback_id"].str.fullmatch(r"FB-\d{5}").all()
    dup = raw[raw["feedback_id"].duplicated(keep=False)]
    assert len(dup) == 2 and dup["feedback_id"].nunique() == 1
    first, second = dup.index
    assert second == first + 1
    assert raw.loc[first, "source"] != BAD and raw.loc[second, "source"] == BAD
    assert raw.loc[first, "text"] != raw.loc[second, "text"]


def test_dates_parse_and_cover_twelve_months(raw: pd.DataFrame) -> None:
    dates = pd.to_datetime(raw["created_at"], format="%Y-%m-%d", errors="raise")
    assert dates.min() >= pd.Timestamp("2024-01-01") and dates.max() <= pd.Timestamp("2024-12-31")
    per_month = dates.dt.month.value_counts()
    assert len(per_month) == 12 and per_month.min() >= 100


def test_ratings_in_range_for_their_scale(raw: pd.DataFrame) -> None:
    assert set(raw["rating_scale"]) == {"", "stars5", "nps10"}
    missing = raw["rating"] == ""
    assert (missing == (raw["rating_scale"] == "")).all()
    assert missing.sum() >= 100  # missing outcomes are part of the demo
    rated = raw[~missing]
    assert rated["rating"].str.fullmatch(r"\d+").all()
    values = rated["rating"].astype(int)
    stars = rated["rating_scale"] == "stars5"
    assert values[stars].between(1, 5).all() and set(values[stars]) == {1, 2, 3, 4, 5}
    assert values[~stars].between(0, 10).all() and len(set(values[~stars])) == 11
    assert (rated.loc[~stars, "channel"] == "survey").all()


def test_touchpoints_come_from_the_default_taxonomy(raw: pd.DataFrame) -> None:
    assert TOUCHPOINTS == set(load_taxonomy("default", kind="touchpoints").ids)
    given = raw["touchpoint"] != ""
    assert set(raw.loc[given, "touchpoint"]) == TOUCHPOINTS
    assert 0.3 <= given.mean() <= 0.5  # some given, the rest left to inference


def test_channels(raw: pd.DataFrame) -> None:
    assert set(raw["channel"]) == CHANNELS


def test_bad_rows_are_present(raw: pd.DataFrame) -> None:
    bad = raw[raw["source"] == BAD]["text"]
    assert (bad == "").sum() == 1
    assert ((bad != "") & (bad.str.strip() == "")).sum() == 1
    assert (bad.str.len() > 20_000).sum() == 1
    good = raw[raw["source"] != BAD]["text"]
    assert (good.str.strip().str.len() > 0).all() and (good.str.len() <= 5_000).all()


def _normalised(df: pd.DataFrame) -> pd.Series:
    """Rating on 0..1: stars (r-1)/4, NPS r/10."""
    r = df["rating"]
    return ((r - 1) / 4).where(df["rating_scale"] == "stars5", r / 10)


@pytest.fixture(scope="module")
def themed() -> pd.DataFrame:
    """Demo rows written for vocmine, joined with the author's theme tag from scripts/demo_src."""
    paths = sorted((ROOT / "scripts" / "demo_src").glob("*_written.jsonl"))
    src = pd.concat([pd.read_json(p, lines=True, dtype=False) for p in paths])
    df = load_demo()
    out = df.merge(src[["text", "theme"]], on="text", how="inner", validate="many_to_one")
    assert len(out) == df["source"].str.startswith("vocmine_written_").sum()
    return out


@pytest.mark.parametrize(
    ("themes", "direction"),
    [
        (["del_late", "del_cold_food"], -1),
        (["app_crash"], -1),
        (["pay_fail", "pay_double"], -1),
        (["sup_rude", "sup_wait", "sup_bot"], -1),
        (["ret_refund_delay"], -1),
        (["ren_autocharge", "ren_cancel_hard", "ren_price_up"], -1),
        (["del_good", "app_good", "sup_good", "ret_good"], 1),
    ],
)
def test_written_themes_recur_and_move_ratings(themed: pd.DataFrame, themes: list[str], direction: int) -> None:
    rated = themed.dropna(subset=["rating"])
    hits = rated[rated["theme"].isin(themes)]
    assert len(hits) >= 20 and hits["source"].nunique() >= 3  # recurring, in several languages
    gap = _normalised(hits).mean() - _normalised(rated).mean()
    assert gap * direction > 0.15, (themes, gap)


@pytest.mark.parametrize(("theme", "months"), [("app_crash", {6, 7, 8}), ("pay_fail", {9, 10})])
def test_written_themes_show_a_trend(themed: pd.DataFrame, theme: str, months: set[int]) -> None:
    month = pd.to_datetime(themed["created_at"]).dt.month
    share_in_window = month[themed["theme"] == theme].isin(months).mean()
    assert share_in_window >= 0.4, (theme, share_in_window)  # uniform would give 0.17-0.25
    assert month[themed["theme"] != theme].isin(months).mean() < 0.35


def test_load_demo_matches_the_packaged_file(raw: pd.DataFrame) -> None:
    df = load_demo()
    assert list(df.columns) == list(DEMO_COLUMNS)
    assert df["rating"].dtype == float
    assert df["rating"].isna().sum() == (raw["rating"] == "").sum()
    assert df["text"].tolist() == raw["text"].tolist()  # empty / whitespace texts kept verbatim


def test_documentation_names_every_source(raw: pd.DataFrame) -> None:
    folder = resources.files("vocmine.resources").joinpath("demo")
    attribution = folder.joinpath("ATTRIBUTION.md").read_text(encoding="utf-8")
    data_md = (ROOT / "DATA.md").read_text(encoding="utf-8")
    for source in set(raw["source"]):
        assert f"`{source}`" in data_md, source
        if not source.startswith("vocmine_"):
            assert f"`{source}`" in attribution, source


def test_build_script_reproduces_the_file(tmp_path: Path) -> None:
    eval_data = Path(os.environ.get("VOCMINE_EVAL_DATA", ROOT.parent / "shared" / "eval_data"))
    if not (eval_data / "pl_allegro_reviews_klej").is_dir():
        pytest.skip(f"evaluation data not found at {eval_data}")
    out = tmp_path / "feedback.csv.gz"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_demo.py"), "--out", str(out), "--check"],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert out.read_bytes() == DEMO.read_bytes()
