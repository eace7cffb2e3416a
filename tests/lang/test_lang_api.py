from __future__ import annotations

import subprocess
import sys

import pytest

from vocmine.errors import ConfigError
from vocmine.lang import FixedLanguageDetector, LinguaDetector
from vocmine.types import LangGuess, LanguageDetector


def test_implements_the_protocol() -> None:
    assert isinstance(LinguaDetector(), LanguageDetector)
    assert isinstance(FixedLanguageDetector(), LanguageDetector)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"languages": ()},
        {"languages": ("RU",)},
        {"others": ("english",)},
        {"min_chars": -1},
        {"min_confidence": 1.5},
        {"other_prior": 0.0},
        {"max_chars": 0},
    ],
)
def test_bad_arguments_raise_config_error(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match=r"\[E004\]"):
        LinguaDetector(**kwargs)  # type: ignore[arg-type]


def test_fixed_detector_is_the_null_component() -> None:
    assert FixedLanguageDetector(lang="ru", score=0.5).detect(["a", "b"]) == [LangGuess("ru", 0.5)] * 2
    assert FixedLanguageDetector().detect([]) == []


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.strip()


def test_importing_does_not_import_lingua() -> None:
    code = "import sys, vocmine.lang, vocmine.preprocess; print('lingua' in sys.modules)"
    assert _run(code) == "False"
