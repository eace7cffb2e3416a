from __future__ import annotations

from pathlib import Path

import pytest

from tests.offline import network_attempts, run_offline
from vocmine.errors import ConfigError
from vocmine.lang import LinguaDetector, detect_language
from vocmine.types import LangGuess

KNOWN = {
    "ru": [
        "Доставка опоздала на три дня, поддержка не отвечает.",
        "Курьер был вежлив, всё пришло целым",
        "Приложение постоянно вылетает при оплате картой!!!",
        "спасибо большое)))",
        "Ты смешная",  # also valid Belarusian letters; the Russian prior wins
        "ну такое",
    ],
    "zh": [
        "配送太慢了，客服态度也很差。",
        "质量不错",
        "好",
        "iPhone 13 Pro Max 电池很耐用",  # Chinese chat mixed with a brand name
        "Sony Xperia Z/L36h 安卓论坛",
        "这个app真的很好用👍",
    ],
    "pl": [
        "Dostawa była szybka, ale cena za wysoka.",
        "Paczka dotarła uszkodzona, nie polecam.",
        "super produkt polecam",
        "Obsługa klienta bardzo pomocna",
    ],
    "en": [
        "Great app, fast delivery. Support was rude though.",
        "The price is good.",
        "Can I use a Visa or Mastercard?",
        "I love my new ThinkPad!",
        "Best Reuben sandwich ever!",
    ],
}

UNDETERMINED = [
    "Дуже дякую за швидку доставку, все прийшло цілим.",  # Ukrainian
    "З Днем Народження!",  # Ukrainian without і/ї/є
    "Вялікі дзякуй за хуткую дастаўку.",  # Belarusian
    "Благодаря за бързата доставка, всичко пристигна наред.",  # Bulgarian
    "Das Paket kam leider beschädigt an.",  # German
    "Zásilka dorazila poškozená, nedoporučuji.",  # Czech
    "El pedido llegó tarde y el soporte no responde.",  # Spanish
    "配達が遅すぎて、サポートも返事がありません。",  # Japanese
    "배송이 너무 늦어요",  # Korean
    "التوصيل كان سريعا",  # Arabic
    "👍👍👍 🔥",
    "12345 !!! ??? 3.5",
    "https://example.com/x @someone #hashtag",
    "<URL> <EMAIL> <PHONE>",  # placeholders left by mask_pii
    "ахахахаха",
    "a",
    "",
    "   ",
]


pytestmark = pytest.mark.slow  # loads lingua's high-accuracy models (~1 GB, tens of seconds)


@pytest.fixture(scope="module")
def detector() -> LinguaDetector:
    return LinguaDetector()


@pytest.mark.parametrize("lang", sorted(KNOWN))
def test_known_examples(detector: LinguaDetector, lang: str) -> None:
    guesses = detector.detect(KNOWN[lang])
    assert [g.lang for g in guesses] == [lang] * len(KNOWN[lang]), list(zip(KNOWN[lang], guesses))
    assert all(0.0 < g.score <= 1.0 for g in guesses)


def test_other_languages_and_non_text_are_undetermined(detector: LinguaDetector) -> None:
    guesses = detector.detect(UNDETERMINED)
    assert [g.lang for g in guesses] == ["und"] * len(UNDETERMINED), list(zip(UNDETERMINED, guesses))
    assert all(0.0 <= g.score <= 1.0 for g in guesses)
    assert detector.detect(["", "👍"]) == [LangGuess("und", 0.0), LangGuess("und", 0.0)]


def test_one_output_per_input_and_deterministic(detector: LinguaDetector) -> None:
    texts = [t for group in KNOWN.values() for t in group] + UNDETERMINED
    first = detector.detect(texts)
    assert len(first) == len(texts)
    assert detector.detect(texts) == first
    assert detector.detect([]) == []
    backwards = detector.detect(texts[::-1])[::-1]
    assert [g.lang for g in backwards] == [g.lang for g in first]
    assert [g.score for g in backwards] == pytest.approx([g.score for g in first])


def test_min_chars_and_min_confidence(detector: LinguaDetector) -> None:
    assert LinguaDetector(min_chars=10).detect(["Хорошо"])[0].lang == "und"
    assert detector.detect(["Хорошо"])[0].lang == "ru"
    strict = LinguaDetector(min_confidence=0.99)
    weak = "Not a geek or a wonk."  # lingua is unsure between English and Polish
    assert strict.detect([weak])[0].lang == "und"
    assert strict.detect(["Доставка опоздала на три дня, поддержка не отвечает."])[0].lang == "ru"


def test_other_prior_decides_between_close_languages() -> None:
    text = "Це був наш день"  # Ukrainian, but every letter is also Russian
    assert LinguaDetector(other_prior=1.0).detect([text])[0].lang == "und"


def test_only_the_requested_languages_are_returned() -> None:
    det = LinguaDetector(languages=("ru", "uk"))
    texts = ["Дуже дякую за швидку доставку, все прийшло цілим.", "Доставка опоздала", "Great app", "质量不错"]
    assert [g.lang for g in det.detect(texts)] == ["uk", "ru", "und", "und"]


def test_sentence_level_detection_of_code_switched_text(detector: LinguaDetector) -> None:
    text = "Заказ пришёл вовремя. But the box was damaged. 包装很好，物流也快。 Ogólnie jestem zadowolony."
    found = detector.detect_sentences(text)
    assert [(s.slice(text), g.lang) for s, g in found] == [
        ("Заказ пришёл вовремя.", "ru"),
        ("But the box was damaged.", "en"),
        ("包装很好，物流也快。", "zh"),
        ("Ogólnie jestem zadowolony.", "pl"),
    ]
    assert detector.detect_sentences("   ") == []


def test_short_sentences_inherit_the_document_language(detector: LinguaDetector) -> None:
    text = "Zamówienie dotarło szybko, wszystko w porządku. Ok. Polecam!"
    assert [g.lang for _, g in detector.detect_sentences(text)] == ["pl", "pl", "pl"]
    mixed = "Доставка быстрая, курьер вежливый. Thanks!"
    assert [g.lang for _, g in detector.detect_sentences(mixed)] == ["ru", "en"]


def test_detect_language_function() -> None:
    assert detect_language("Obsługa klienta była bardzo pomocna").lang == "pl"
    assert detect_language("😀").lang == "und"


def test_language_unknown_to_lingua_raises_config_error() -> None:
    with pytest.raises(ConfigError, match=r"\[E004\].*'xx'"):
        LinguaDetector(languages=("ru", "xx")).detect(["Доставка опоздала на три дня"])


def test_detection_runs_offline(tmp_path: Path) -> None:
    code = (
        "from vocmine.lang import LinguaDetector\n"
        "det = LinguaDetector(others=('uk', 'de'))\n"
        "print(' '.join(g.lang for g in det.detect(['Доставка опоздала', 'Great app, fast delivery',"
        " 'Dostawa była szybka', '质量不错', 'Das Paket kam beschädigt an'])))\n"
    )
    out = run_offline(["-c", code], tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "ru en pl zh und"
    assert not network_attempts(tmp_path)
