from __future__ import annotations

import pytest

from vocmine.errors import ConfigError
from vocmine.lang import SUPPORTED_LANGUAGES, get, merged

SET_ATTRS = (
    "ALPHABET",
    "ABBREVIATIONS",
    "NONFINAL_ABBREVIATIONS",
    "NEGATORS",
    "INTENSIFIERS",
    "DIMINISHERS",
    "STOP_WORDS",
)


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_every_language_module_has_the_same_data_shape(lang: str) -> None:
    data = get(lang)
    assert data.CODE == lang
    assert isinstance(data.NAME, str) and data.NAME
    assert data.SCRIPT in {"Cyrl", "Hani", "Latn"}
    assert isinstance(data.WORD_SEPARATED, bool)
    for attr in SET_ATTRS:
        value = getattr(data, attr)
        assert isinstance(value, frozenset), attr
        assert all(isinstance(w, str) and w == w.strip() and w == w.lower() and w for w in value), attr
    assert isinstance(data.DISCOURSE_MARKERS, tuple) and data.DISCOURSE_MARKERS
    assert all(m == m.strip().lower() for m in data.DISCOURSE_MARKERS)
    assert data.NEGATORS and data.INTENSIFIERS and data.STOP_WORDS
    # A period cannot both end and never end a sentence after the same abbreviation.
    assert not data.ABBREVIATIONS & data.NONFINAL_ABBREVIATIONS
    assert not any(a.endswith(".") for a in data.ABBREVIATIONS | data.NONFINAL_ABBREVIATIONS)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("ru", {"т.е", "т.к", "г", "ул"}),
        ("pl", {"np", "tzn", "m.in", "ok", "ul"}),
        ("en", {"mr", "dr", "e.g", "etc"}),
    ],
)
def test_required_abbreviations_are_present(lang: str, words: set[str]) -> None:
    data = get(lang)
    assert words <= data.ABBREVIATIONS | data.NONFINAL_ABBREVIATIONS


@pytest.mark.parametrize(
    ("lang", "markers", "negators"),
    [
        ("ru", {"но", "а", "однако"}, {"не", "нет"}),
        ("pl", {"ale"}, {"nie"}),
        ("en", {"but"}, {"not", "never", "don't"}),
        ("zh", {"但是", "不过"}, {"不", "没有"}),
    ],
)
def test_discourse_markers_and_negators(lang: str, markers: set[str], negators: set[str]) -> None:
    data = get(lang)
    assert markers <= set(data.DISCOURSE_MARKERS)
    assert negators <= data.NEGATORS


def test_alphabets_match_the_script() -> None:
    assert all("\u0400" <= c <= "\u04ff" for c in get("ru").ALPHABET) and len(get("ru").ALPHABET) == 33
    assert {"ą", "ł", "ż"} <= get("pl").ALPHABET
    assert get("en").ALPHABET == frozenset("abcdefghijklmnopqrstuvwxyz")
    assert get("zh").ALPHABET == frozenset() and not get("zh").WORD_SEPARATED


def test_get_rejects_unknown_codes() -> None:
    for code in ("und", "uk", "RU", ""):
        with pytest.raises(ConfigError, match=r"\[E004\]"):
            get(code)


def test_merged_unions_over_languages() -> None:
    assert merged("NEGATORS", ["ru", "pl"]) == get("ru").NEGATORS | get("pl").NEGATORS
    assert merged("NEGATORS", ["ru", "und"]) == get("ru").NEGATORS
    assert merged("STOP_WORDS") == frozenset().union(*(get(c).STOP_WORDS for c in SUPPORTED_LANGUAGES))
