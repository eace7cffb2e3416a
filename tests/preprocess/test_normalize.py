from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vocmine.preprocess import normalize, normalize_with_offsets


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Ｇｒｅａｔ　ｓｅｒｖｉｃｅ！ ", "Great service!"),  # full-width forms and ideographic space
        ("ﬁne ½ №5 ™", "fine 1⁄2 No5 TM"),  # compatibility characters
        ("zero\u200bwidth\u2060joined\ufeff", "zerowidthjoined"),
        ("bell\x07 and\x00 nul", "bell and nul"),
        ("left\u200eto\u202eright", "lefttoright"),
        ("soft\u00adhyphen", "softhyphen"),
        ("tabs\t\tand\n\nnewlines\r\n", "tabs and newlines"),
        ("Cafe\u0301", "Café"),  # composed by NFKC
        ("Супер 👍🏽🔥 😀", "Супер 👍🏽🔥 😀"),
        ("family 👨\u200d👩\u200d👧 flag 🇵🇱 ❤\ufe0f\u200d🔥", "family 👨\u200d👩\u200d👧 flag 🇵🇱 ❤\ufe0f\u200d🔥"),
        ("a\u200db", "ab"),  # a joiner outside emoji is dropped
        ("质量很好！！", "质量很好!!"),
        ("", ""),
        (" \n\t ", ""),
    ],
)
def test_normalize_examples(raw: str, clean: str) -> None:
    assert normalize(raw) == clean
    assert normalize_with_offsets(raw)[0] == clean


def test_keep_newlines() -> None:
    assert normalize("one\n\n  two \t three\r\nfour", keep_newlines=True) == "one\ntwo three\nfour"
    assert normalize_with_offsets("one\n\n  two", keep_newlines=True) == ("one\ntwo", [0, 1, 2, 3, 7, 8, 9])


def test_offsets_map_back_to_the_original() -> None:
    raw = "  Ｏｋ\u200b  Café\u0301!  "
    clean, offsets = normalize_with_offsets(raw)
    assert clean == "Ok Café\u0301!".replace("e\u0301", "é") or clean == unicodedata.normalize("NFKC", "Ok Café\u0301!")
    assert len(offsets) == len(clean)
    assert [raw[i] for i in offsets[:2]] == ["Ｏ", "ｋ"]
    assert raw[offsets[clean.index("!")]] == "!"


def test_ligature_maps_every_output_character_to_its_source() -> None:
    clean, offsets = normalize_with_offsets("xﬁy")
    assert clean == "xfiy"
    assert offsets == [0, 1, 1, 2]


_WEIRD = st.text(
    alphabet=st.sampled_from(
        list("aeE \t\n\r\u00a0\u3000\u200b\u200d\u200e\u00ad\ufeff\x00\x07\u0301\u0308\u0327")
        + list("ﬁ½№Ｋｋ！ﾊﾟｶﾞ한ᄀ\u1161\u11a8😀👍🏽\ufe0f🔥🇵🇱™")
    ),
    max_size=60,
)


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(st.text(max_size=200), _WEIRD), keep_newlines=st.booleans())
def test_normalize_properties(text: str, keep_newlines: bool) -> None:
    clean = normalize(text, keep_newlines=keep_newlines)
    assert normalize(clean, keep_newlines=keep_newlines) == clean  # idempotent
    assert clean == clean.strip()
    assert "  " not in clean
    assert unicodedata.is_normalized("NFKC", clean)
    same, offsets = normalize_with_offsets(text, keep_newlines=keep_newlines)
    assert same == clean
    assert len(offsets) == len(clean)
    assert all(0 <= i < len(text) for i in offsets)
    assert all(a <= b for a, b in zip(offsets, offsets[1:]))  # monotone


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_ascii_offsets_point_at_the_same_character(text: str) -> None:
    clean, offsets = normalize_with_offsets(text)
    for ch, i in zip(clean, offsets):
        assert ch == text[i] or (ch == " " and text[i].isspace())
