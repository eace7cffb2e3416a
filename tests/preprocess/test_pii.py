from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vocmine.preprocess import find_pii, mask_pii


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("Звоните +7 (916) 123-45-67!", "Звоните <PHONE>!"),
        ("мой номер 8 916 123 45 67, жду", "мой номер <PHONE>, жду"),
        ("тел. 89161234567", "тел. <PHONE>"),
        ("+7-495-123-45-67 офис", "<PHONE> офис"),
        ("Dzwoń: +48 501 234 567 lub 501-234-567.", "Dzwoń: <PHONE> lub <PHONE>."),
        ("biuro (22) 123 45 67", "biuro <PHONE>"),
        ("电话13800138000或者138 0013 8000", "电话<PHONE>或者<PHONE>"),
        ("座机010-12345678", "座机<PHONE>"),
        ("call +1 415 555 2671 or 555-123-4567", "call <PHONE> or <PHONE>"),
        ("пишите на help@shop.ru, ответим", "пишите на <EMAIL>, ответим"),
        ("mail: jan.kowalski+promo@firma.com.pl.", "mail: <EMAIL>."),
        ("see https://example.com/a?b=1.", "see <URL>."),
        ("(подробнее: http://site.ru/page)", "(подробнее: <URL>)"),
        ("go to www.allegro.pl now", "go to <URL> now"),
        ("заходите на shop.ru/sale и t.co/abc", "заходите на <URL> и <URL>"),
        ("网址是www.taobao.com很方便", "网址是<URL>很方便"),
    ],
)
def test_mask_pii_examples(raw: str, masked: str) -> None:
    assert mask_pii(raw) == masked


@pytest.mark.parametrize(
    "text",
    [
        "заказ 12345 от 12.03.2023 на сумму 1 500 руб.",
        "Order #123456 placed 2023-03-12 at 10:45, total $1,299.99",
        "Zamówienie 2023/03/12 kosztowało 1299,99 zł, ok. 3.5 kg",
        "版本号 1.2.3 价格 299 元",
        "т.е. e.g. np. Node.js",
    ],
)
def test_no_false_positives_on_numbers_dates_and_abbreviations(text: str) -> None:
    assert mask_pii(text) == text


def test_flags_switch_kinds_off() -> None:
    text = "a@b.com https://x.io +7 916 123 45 67"
    assert mask_pii(text, emails=False) == "a@b.com <URL> <PHONE>"
    assert mask_pii(text, urls=False) == "<EMAIL> https://x.io <PHONE>"
    assert mask_pii(text, phones=False) == "<EMAIL> <URL> +7 916 123 45 67"
    assert mask_pii(text, urls=False, emails=False, phones=False) == text


def test_find_pii_gives_kinds_and_offsets() -> None:
    text = "write a@b.com or visit https://b.com"
    found = find_pii(text)
    assert [(s.slice(text), k) for s, k in found] == [("a@b.com", "email"), ("https://b.com", "url")]


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab@.:/ +-()0123456789wтел中\n")), max_size=120))
def test_find_pii_spans_are_ordered_and_disjoint(text: str) -> None:
    found = find_pii(text)
    prev = 0
    for span, kind in found:
        assert prev <= span.start < span.end <= len(text)
        assert kind in {"url", "email", "phone"}
        prev = span.end
    masked = mask_pii(text)
    assert len(masked) - len(text) == sum(
        len({"url": "<URL>", "email": "<EMAIL>", "phone": "<PHONE>"}[k]) - (s.end - s.start) for s, k in found
    )
