"""Shared fixtures. Tests marked `models` need the real weights built by `make setup`."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.fakes import fake_components


@pytest.fixture(autouse=True)
def _private_prototype_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with an empty prototype-vector cache (tests count embed calls)."""
    monkeypatch.setenv("VOCMINE_PROTOTYPE_CACHE", str(tmp_path_factory.mktemp("prototypes")))


@pytest.fixture
def fakes() -> dict[str, object]:
    return fake_components()


@pytest.fixture
def small_df() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["a", "b", "c", "d", "e", "f"],
        "body": [
            "Доставка опоздала на три дня. Поддержка не отвечает!",
            "配送太慢了。价格还可以。",
            "Dostawa była szybka, ale cena za wysoka.",
            "Great app, fast delivery. Support was rude though.",
            "   ",
            "The price is good.",
        ],
        "stars": [1, 2, 3, 4, 5, 5],
        "tp": ["delivery", None, None, "", None, "purchase"],
        "date": ["2026-01-03", "2026-02-10", "2026-03-01", "2026-03-15", "2026-04-01", "2026-04-02"],
    })
