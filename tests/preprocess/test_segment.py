from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vocmine.errors import ConfigError
from vocmine.preprocess import split_sentences
from vocmine.types import Span


def sents(text: str, **kw: object) -> list[str]:
    return [s.slice(text) for s in split_sentences(text, **kw)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("质量很好。但是物流太慢了！客服呢？一般；还行…下次再说", ["质量很好。", "但是物流太慢了！", "客服呢？", "一般；", "还行…", "下次再说"]),
        ("太好了！！下次还来？？好评", ["太好了！！", "下次还来？？", "好评"]),
        ("房间较为简单.建议用别的路线.早餐一般", ["房间较为简单.", "建议用别的路线.", "早餐一般"]),
        ("房大...有蚊子..隔音太差", ["房大...", "有蚊子..", "隔音太差"]),
        ("他说：“太慢了！”然后走了。", ["他说：“太慢了！”", "然后走了。"]),
    ],
)
def test_chinese_punctuation_without_spaces(text: str, expected: list[str]) -> None:
    assert sents(text, lang="zh") == expected
    assert sents(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Заказ, т.е. вчерашний, привезли на ул. Ленина в г. Москва. Спасибо!",
            ["Заказ, т.е. вчерашний, привезли на ул. Ленина в г. Москва.", "Спасибо!"],
        ),
        ("Не приехал, т.к. курьер заболел. Жаль", ["Не приехал, т.к. курьер заболел.", "Жаль"]),
        ("Стоимость 500 руб. за доставку. Дорого", ["Стоимость 500 руб. за доставку.", "Дорого"]),
        ("Открылись в 2020 г. Потом закрылись.", ["Открылись в 2020 г.", "Потом закрылись."]),
        ("А. С. Пушкин жил тут. Красиво", ["А. С. Пушкин жил тут.", "Красиво"]),
        ("доставка опоздала. курьер грубил", ["доставка опоздала.", "курьер грубил"]),
        ("Ужас!Никогда больше.Не приду", ["Ужас!", "Никогда больше.", "Не приду"]),
    ],
)
def test_russian_abbreviations(text: str, expected: list[str]) -> None:
    assert sents(text, lang="ru") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Zamówiłem m.in. buty, np. kozaki, tzn. zimowe, ok. 5 par. Dotarły na ul. Długą.",
            ["Zamówiłem m.in. buty, np. kozaki, tzn. zimowe, ok. 5 par.", "Dotarły na ul. Długą."],
        ),
        ("Było ok. Polecam!", ["Było ok.", "Polecam!"]),
        ("Cena 3.5 zł, czyli 3,5 zł. Tanio", ["Cena 3.5 zł, czyli 3,5 zł.", "Tanio"]),
    ],
)
def test_polish_abbreviations(text: str, expected: list[str]) -> None:
    assert sents(text, lang="pl") == expected


def test_english_abbreviations_decimals_and_initials() -> None:
    text = "Mr. Smith paid $3.50 for it, e.g. in cash. Dr. Who agreed, etc. Then we left. J. R. R. Tolkien wrote it."
    assert sents(text, lang="en") == [
        "Mr. Smith paid $3.50 for it, e.g. in cash.",
        "Dr. Who agreed, etc.",
        "Then we left.",
        "J. R. R. Tolkien wrote it.",
    ]


def test_language_rules_come_from_the_language_data() -> None:
    text = "Живём на ул. Ленина. Хорошо"
    assert sents(text, lang="ru") == ["Живём на ул. Ленина.", "Хорошо"]
    # English rules do not know "ул.", so the period ends a sentence there.
    assert sents(text, lang="en") == ["Живём на ул.", "Ленина.", "Хорошо"]
    assert sents(text, lang="und") == sents(text) == sents(text, lang="ru")


def test_ellipsis_emoji_and_punctuation_runs() -> None:
    text = "Ну не знаю... может быть. Посмотрим… Супер!!! 😍😍 Приду ещё?! Да)))) Конечно 👍 Отлично"
    assert sents(text) == [
        "Ну не знаю... может быть.",
        "Посмотрим…",
        "Супер!!! 😍😍",
        "Приду ещё?!",
        "Да))))",
        "Конечно 👍",
        "Отлично",
    ]


def test_smileys_after_punctuation_stay_with_their_sentence() -> None:
    assert sents("Спасибо! :) Приду. Грустно! ((( Ладно") == ["Спасибо! :)", "Приду.", "Грустно! (((", "Ладно"]
    assert sents("Great! (see below) Next.") == ["Great!", "(see below) Next."]


def test_line_breaks_list_markers_and_wordless_lines() -> None:
    text = "Плюсы:\r\n1. Цена 2. Качество\n\n😊\nМинусы: нет"
    assert sents(text) == ["Плюсы:", "1. Цена", "2. Качество\n\n😊", "Минусы: нет"]


def test_offsets_point_into_the_original_text() -> None:
    text = "  Hello there.   General Kenobi!  "
    spans = split_sentences(text)
    assert spans == [Span(2, 14), Span(17, 32)]
    assert [s.slice(text) for s in spans] == ["Hello there.", "General Kenobi!"]


def test_long_unpunctuated_chat_splits_before_discourse_markers() -> None:
    text = (
        "заказывал уже третий раз доставка как всегда быстрая и вежливая "
        "но в этот раз курьер забыл пакет с напитками однако поддержка всё вернула"
    )
    out = sents(text, lang="ru", max_len=70)
    assert out == [
        "заказывал уже третий раз доставка как всегда быстрая и вежливая",
        "но в этот раз курьер забыл пакет с напитками",
        "однако поддержка всё вернула",
    ]
    assert sents(text, lang="ru") == [text]  # short enough for the default max_len


def test_long_chinese_run_splits_before_markers() -> None:
    text = "手机外观很漂亮屏幕也很清楚拍照效果非常好但是电池不太耐用而且充电速度很慢不过客服态度还可以"
    out = sents(text, lang="zh", max_len=20)
    assert out == ["手机外观很漂亮屏幕也很清楚拍照效果非常好", "但是电池不太耐用而且充电速度很慢", "不过客服态度还可以"]
    assert sents(text, lang="zh", max_len=12) == [
        "手机外观很漂亮屏幕也很清",  # no marker, comma or space: a hard cut
        "楚拍照效果非常好",
        "但是电池不太耐用",
        "而且充电速度很慢",
        "不过客服态度还可以",
    ]


def test_long_run_without_spaces_or_markers_is_cut_hard() -> None:
    text = "x" * 250
    spans = split_sentences(text, max_len=100)
    assert [len(s.slice(text)) for s in spans] == [100, 100, 50]


def test_blank_text_gives_no_spans() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\t\u3000 ") == []


def test_max_len_must_be_positive() -> None:
    with pytest.raises(ConfigError, match=r"\[E004\]"):
        split_sentences("abc", max_len=0)


def test_speed_at_least_20k_sentences_per_second() -> None:
    block = (
        "Доставка опоздала на 2 ч., т.е. на полдня! Курьер грубил... Zamówiłem np. buty. "
        "Mr. Smith paid 3.5 dollars, e.g. cash. 质量很好。但是物流太慢了！😍😍 Супер!!!\n"
    )
    text = block * 200
    split_sentences(text)  # warm the rule cache
    t0 = time.process_time()  # CPU time: robust to a busy machine
    n = len(split_sentences(text))
    rate = n / max(time.process_time() - t0, 1e-9)
    assert n == 200 * 7
    assert rate >= 20_000, rate


_PUNCT_HEAVY = st.text(
    alphabet=st.sampled_from(list("ab Ab.!?…。！？；\n\r\t)(\"'«»1 3.5 т.е.Mr.ok np. но but 但是 😀\u200d\u00a0\u3000")),
    max_size=300,
)


def _check_spans(text: str, spans: list[Span], max_len: int) -> None:
    prev_end = 0
    covered = set()
    for s in spans:
        assert 0 <= prev_end <= s.start < s.end <= len(text)
        piece = s.slice(text)
        assert piece and piece == piece.strip()
        assert len(piece) <= max_len
        covered.update(range(s.start, s.end))
        prev_end = s.end
    # Nothing but whitespace is ever dropped.
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300), lang=st.sampled_from([None, "ru", "zh", "pl", "en", "und"]))
def test_spans_are_ordered_stripped_and_cover_arbitrary_text(text: str, lang: str | None) -> None:
    _check_spans(text, split_sentences(text, lang=lang), 300)


@settings(max_examples=300, deadline=None)
@given(text=_PUNCT_HEAVY, max_len=st.integers(min_value=1, max_value=40))
def test_spans_are_ordered_stripped_and_short_on_punctuation_heavy_text(text: str, max_len: int) -> None:
    _check_spans(text, split_sentences(text, max_len=max_len), max_len)
