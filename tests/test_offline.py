"""vocmine runs with the network unavailable.

Each check runs in a fresh interpreter whose socket connections and name lookups fail and are logged
(``tests/offline.py``; no Hugging Face offline variable is set), and asserts that nothing even tried to
connect: the language tools the stages use (jieba
segmentation, pymorphy3 and simplemma lemmas, spaCy's language data and blank pipelines: no official
spaCy pipeline for ru/zh/pl/en is on PyPI), and the README's main command, ``vocmine demo``, with
every default model.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.offline import NO_NETWORK, network_attempts, run_offline


def test_the_guard_blocks_every_connection(tmp_path: Path) -> None:
    code = (
        "import socket, urllib.request\n"
        "for call in (lambda: socket.create_connection(('127.0.0.1', 9)),\n"
        "             lambda: urllib.request.urlopen('http://localhost:9', timeout=1)):\n"
        "    try:\n"
        "        call()\n"
        "    except OSError as exc:\n"
        "        print(exc)\n"
    )
    out = run_offline(["-c", code], tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count(NO_NETWORK) == 2, out.stdout
    assert len(network_attempts(tmp_path)) == 2  # the log sees what was caught too


_LANGUAGE_TOOLS = """
import json
import jieba, pymorphy3, simplemma, spacy
from vocmine.aspects._lemma import term_lemma
from vocmine.topics import language_analyzer, stop_words

out = {
    "analyzer": {lang: language_analyzer(lang)(text) for lang, text in (
        ("zh", "物流很快，手机质量不错"), ("ru", "Быстрой доставкой доволен"),
        ("pl", "Szybkie dostawy i tanie przesyłki"), ("en", "Deliveries were late"))},
    "jieba": jieba.lcut("配送太慢了"),
    "pymorphy3": pymorphy3.MorphAnalyzer(lang="ru").parse("доставки")[0].normal_form,
    "simplemma": simplemma.lemmatize("dostawy", lang="pl"),
    "term_lemma": [term_lemma("доставки", "ru"), term_lemma("dostawy", "pl"), term_lemma("Deliveries", "en")],
    "stop_words": {lang: len(stop_words(lang)) for lang in ("ru", "zh", "pl", "en")},
    "spacy_blank": {lang: len(spacy.blank(lang)(text)) for lang, text in (
        ("ru", "Доставка опоздала."), ("zh", "配送太慢了"), ("pl", "Dostawa była szybka."),
        ("en", "Late delivery."))},
}
print(json.dumps(out, ensure_ascii=False))
"""


def test_language_tools_load_offline(tmp_path: Path) -> None:
    out = run_offline(["-c", _LANGUAGE_TOOLS], tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert not network_attempts(tmp_path), network_attempts(tmp_path)[0]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["analyzer"] == {
        "zh": ["物流", "很快", "手机", "质量", "不错"], "ru": ["быстрый", "доставка", "довольный"],
        "pl": ["szybki", "dostawa", "tani", "przesyłka"], "en": ["delivery", "late"]}
    assert got["jieba"] == ["配送", "太慢", "了"]
    assert got["pymorphy3"] == "доставка" and got["simplemma"] == "dostawa"
    assert got["term_lemma"] == ["доставка", "dostawa", "delivery"]
    assert all(n > 50 for n in got["stop_words"].values()), got["stop_words"]
    assert all(n >= 3 for n in got["spacy_blank"].values()), got["spacy_blank"]


@pytest.mark.slow
@pytest.mark.models
def test_demo_runs_offline_with_the_default_models(tmp_path: Path) -> None:
    """The README's main command on the first 120 demo rows, every default model, no network."""
    from vocmine.result import AnalysisResult

    out = run_offline(["-m", "vocmine", "demo", "--limit", "120", "--out", "out"], tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert not network_attempts(tmp_path), network_attempts(tmp_path)[0]
    result = AnalysisResult.load(tmp_path / "out")
    analysed = set(result.documents["feedback_id"])
    failed = set(result.errors["feedback_id"]) if len(result.errors) else set()
    assert len(analysed | failed) == 120
    labels = result.documents["sentiment"].dropna()
    assert len(labels) >= 100 and labels.isin({"negative", "neutral", "positive"}).all()
    assert len(result.mentions) > 0 and result.mentions["category"].notna().all()
