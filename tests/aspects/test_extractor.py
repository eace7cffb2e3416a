"""Contract tests of TermAspectExtractor with a fake token embedder and tiny trained models (no weights)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.aspects._term_fakes import FakeTokenEmbedder, NoTokens
from vocmine.aspects import (
    CategoryMapper,
    TermAspectExtractor,
    TermExample,
    TermModel,
    find_term_model,
    load_term_model,
    save_term_model,
    train_term_model,
)
from vocmine.embed import CachedEmbedder
from vocmine.errors import ConfigError, InputRowError, ModelNotFoundError
from vocmine.resources import OTHER, load_taxonomy
from vocmine.types import SENTIMENT_LABELS, AspectExtractor, Mention

WORD = re.compile(r"\w+", re.UNICODE)
CATEGORY_IDS = set(load_taxonomy("default", kind="categories").ids) | {OTHER}
TRAIN_TEXTS = [
    "The pizza was great", "Delivery took two hours!", "Obsługa była miła, ale dostawa późno.",
    "Доставка опоздала, курьер грубый.", "配送 太慢 了 ， 价格 还 可以", "Nice app; bad fees (really).",
    "Room: clean. Staff: rude?", "«Цена» нормальная", "a b c d e f g", "Ok",
]


def lower(term: str, lang: str) -> str:
    return term.lower()


def every_word(text: str, polarity: str = "positive") -> TermExample:
    """A sentence whose every word is an aspect term (the model learns: words are terms)."""
    return TermExample(text, "und", [(m.start(), m.end(), polarity) for m in WORD.finditer(text)])


@pytest.fixture(scope="module")
def emb() -> FakeTokenEmbedder:
    return FakeTokenEmbedder()


@pytest.fixture(scope="module")
def word_model(tmp_path_factory: pytest.TempPathFactory, emb: FakeTokenEmbedder) -> Path:
    """A term model that tags every word (so every property below is exercised on many spans)."""
    examples = [every_word(t, SENTIMENT_LABELS[k % 3]) for k, t in enumerate(TRAIN_TEXTS)]
    model = train_term_model(examples, embedder=emb, epochs=25, hidden=8, mlp=8, learning_rate=0.05, num_threads=1)
    return save_term_model(model, tmp_path_factory.mktemp("word_model") / "fake-tokens.npz")


@pytest.fixture(scope="module")
def extractor(word_model: Path, emb: FakeTokenEmbedder) -> TermAspectExtractor:
    mapper = CategoryMapper(embedder=CachedEmbedder(emb), threshold=0.0)
    return TermAspectExtractor(embedder=emb, model_path=word_model, category_mapper=mapper, lemmatizer=lower)


def assert_valid(text: str, mentions: list[Mention]) -> None:
    last_end = 0
    for m in mentions:
        assert isinstance(m, Mention)
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.aspect
        assert m.aspect == m.aspect.strip() and m.aspect
        assert m.start >= last_end, "mentions overlap or are out of order"
        last_end = m.end
        assert m.polarity in SENTIMENT_LABELS
        assert -1.0 <= m.score <= 1.0
        assert m.category in CATEGORY_IDS
        assert 0.0 <= m.category_score <= 1.0
        assert m.opinion == "" or m.opinion in text


def test_satisfies_the_protocol(extractor: TermAspectExtractor) -> None:
    assert isinstance(extractor, AspectExtractor)


def test_one_list_per_text_and_blank_texts(extractor: TermAspectExtractor) -> None:
    texts = ["The pizza was great", "", "   ", "配送太慢了", "Dostawa ok!"]
    out = extractor.extract(texts, langs=["en", "und", "pl", "zh", "und"])
    assert len(out) == len(texts)
    assert out[1] == [] and out[2] == []
    assert [m.aspect for m in out[0]] == ["The", "pizza", "was", "great"]
    for text, mentions in zip(texts, out):
        assert_valid(text, mentions)


def test_empty_input_calls_no_model(emb: FakeTokenEmbedder) -> None:
    before = emb.calls
    ext = TermAspectExtractor(embedder=emb, model_path="/nonexistent/model.npz")
    assert ext.extract([], langs=[]) == []
    assert ext.extract(["", " \n"], langs=["en", "und"]) == [[], []]
    assert emb.calls == before


def test_mixed_languages_including_unknown(extractor: TermAspectExtractor) -> None:
    texts = ["Доставка опоздала", "Delivery was late", "配送 太慢", "Dostawa spóźniona", "zzz qqq"]
    out = extractor.extract(texts, langs=["ru", "en", "zh", "pl", "und"])
    assert [len(ms) for ms in out] == [2, 3, 2, 2, 2]
    assert out[4][0].lemma == "zzz"


def test_offsets_survive_very_long_texts(extractor: TermAspectExtractor) -> None:
    text = " ".join(f"word{k}," for k in range(700)) + " tail"
    (mentions,) = extractor.extract([text], langs=["en"])
    assert_valid(text, mentions)
    assert mentions[-1].aspect == "tail" and mentions[-1].end == len(text)
    assert len(mentions) > 500


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(max_size=80), max_size=5))
def test_offsets_slice_arbitrary_unicode(extractor: TermAspectExtractor, texts: list[str]) -> None:
    out = extractor.extract(texts, langs=["und"] * len(texts))
    assert len(out) == len(texts)
    for text, mentions in zip(texts, out):
        assert_valid(text, mentions)
        if any(ch.isalnum() for ch in text):
            assert mentions, "the every-word model must find a mention in any text with a word"


def test_spans_are_widened_to_words_and_stripped(emb: FakeTokenEmbedder, word_model: Path) -> None:
    ext = TermAspectExtractor(embedder=emb, model_path=word_model,
                              category_mapper=CategoryMapper(embedder=emb, threshold=0.0), lemmatizer=lower)
    (mentions,) = ext.extract(['"(pizza)" and “доставка”'], langs=["und"])
    assert [m.aspect for m in mentions] == ["pizza", "and", "доставка"]


def test_deterministic(extractor: TermAspectExtractor) -> None:
    texts = ["Room: clean. Staff: rude?", "Nice app; bad fees"]
    assert extractor.extract(texts, langs=["en", "en"]) == extractor.extract(texts, langs=["en", "en"])


def test_bad_arguments(extractor: TermAspectExtractor) -> None:
    with pytest.raises(ConfigError, match=r"\[E004\] langs"):
        extractor.extract(["a", "b"], langs=["en"])
    with pytest.raises(InputRowError, match=r"\[E003\]"):
        extractor.extract(["ok", None], langs=["en", "en"])  # type: ignore[list-item]
    with pytest.raises(InputRowError, match=r"\[E003\]"):
        extractor.extract("just one string", langs=["en"])
    with pytest.raises(ConfigError, match=r"\[E006\].*token_embeddings"):
        TermAspectExtractor(embedder=NoTokens()).extract(["text"], langs=["en"])  # type: ignore[arg-type]


def test_model_and_embedder_must_match(word_model: Path) -> None:
    narrow = FakeTokenEmbedder(dim=8)
    with pytest.raises(ConfigError, match=r"\[E004\].*dimension \[8\].*expects 16"):
        TermAspectExtractor(embedder=narrow, model_path=word_model).extract(["some text"], langs=["en"])


def test_classify_returns_one_polarity_per_span(extractor: TermAspectExtractor) -> None:
    texts = ["The pizza was great", "   ", "配送太慢了"]
    spans = [[(4, 9), (0, len(texts[0])), (3, 4)], [(0, 1)], []]
    out = extractor.classify(texts, spans, langs=["en", "und", "zh"])
    assert [len(o) for o in out] == [3, 1, 0]
    assert out[0][2] == ("neutral", 0.0)  # a span over white space covers no token
    assert out[1] == [("neutral", 0.0)]
    for label, score in out[0][:2]:
        assert label in SENTIMENT_LABELS and -1.0 <= score <= 1.0
    with pytest.raises(ConfigError, match=r"\[E004\] spans"):
        extractor.classify(texts, spans[:2], langs=["en", "und", "zh"])


def test_learns_terms_and_their_polarity(tmp_path: Path, emb: FakeTokenEmbedder) -> None:
    def ex(text: str, *terms: tuple[str, str]) -> TermExample:
        return TermExample(text, "en", [(text.index(t), text.index(t) + len(t), p) for t, p in terms])

    examples = [
        ex("the pizza was great", ("pizza", "positive")),
        ex("the delivery was awful", ("delivery", "negative")),
        ex("the delivery was great", ("delivery", "positive")),
        ex("the pizza was awful", ("pizza", "negative")),
        ex("the pizza was awful and the delivery was great", ("pizza", "negative"), ("delivery", "positive")),
        ex("the delivery was awful and the pizza was great", ("delivery", "negative"), ("pizza", "positive")),
        ex("we ate and left"),
    ] * 3
    model = train_term_model(examples, embedder=emb, epochs=40, hidden=8, mlp=16, learning_rate=0.03,
                             num_threads=1)
    path = save_term_model(model, tmp_path / "fake-tokens.npz")
    ext = TermAspectExtractor(embedder=emb, model_path=tmp_path, category_mapper=CategoryMapper(embedder=emb),
                              lemmatizer=lower)
    (mentions,) = ext.extract(["the pizza was great and the delivery was awful"], langs=["en"])
    assert [(m.aspect, m.polarity) for m in mentions] == [("pizza", "positive"), ("delivery", "negative")]
    assert path.is_file()


def test_lemmas_from_the_language_table(extractor: TermAspectExtractor, word_model: Path,
                                        emb: FakeTokenEmbedder) -> None:
    ext = TermAspectExtractor(embedder=emb, model_path=word_model, category_mapper=CategoryMapper(embedder=emb))
    ru, zh, und = ext.extract(["Официантами довольны", "配送 太慢", "Zażółć GĘŚLĄ"], langs=["ru", "zh", "und"])
    assert ru[0].lemma == "официант"
    assert zh[0].lemma == zh[0].aspect
    assert [m.lemma for m in und] == ["zażółć", "gęślą"]


def test_model_file_roundtrip_is_deterministic(tmp_path: Path, word_model: Path) -> None:
    model = load_term_model(word_model)
    a = save_term_model(model, tmp_path / "a.npz").read_bytes()
    b = save_term_model(load_term_model(tmp_path / "a.npz"), tmp_path / "b.npz").read_bytes()
    assert a == b
    assert model.dim == 16 and model.meta["embedder"] == "fake-tokens"
    for key, value in model.params.items():
        np.testing.assert_array_equal(value, load_term_model(tmp_path / "a.npz").params[key])


def test_model_lookup_order_and_errors(tmp_path: Path, word_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ModelNotFoundError, match=r"\[E008\].*fake-tokens\.npz.*Fix:"):
        find_term_model("fake-tokens", tmp_path)
    (tmp_path / "aspects-e5").mkdir()
    (tmp_path / "aspects-e5" / "fake-tokens.npz").write_bytes(word_model.read_bytes())
    monkeypatch.setenv("VOCMINE_MODEL_DIR", str(tmp_path))
    assert find_term_model("fake-tokens-int8") == tmp_path / "aspects-e5" / "fake-tokens.npz"
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=np.zeros(2))
    with pytest.raises(ConfigError, match=r"\[E004\].*not a vocmine aspect-term model"):
        load_term_model(bad)


def test_training_rejects_bad_input(emb: FakeTokenEmbedder) -> None:
    with pytest.raises(ConfigError, match=r"\[E004\]"):
        train_term_model([TermExample("a b", "en", [(0, 1, "positive")])], embedder=emb, epochs=0)
    with pytest.raises(ConfigError, match=r"\[E004\].*no usable"):
        train_term_model([TermExample("   ", "en", [])], embedder=emb, epochs=1)


def test_category_taxonomy_and_threshold_come_from_params() -> None:
    from vocmine.aspects import TermAspectExtractor

    ext = TermAspectExtractor(embedder=FakeTokenEmbedder(), taxonomy="default", category_threshold=0.35)  # type: ignore[arg-type]
    mapper = ext._get_mapper()
    assert mapper.taxonomy == "default" and mapper.threshold == 0.35


def test_a_model_trained_on_an_inner_layer_asks_for_that_layer(tmp_path: Path, emb: FakeTokenEmbedder) -> None:
    class Layered(FakeTokenEmbedder):
        """Token states per layer: layer k scales the fake states by k (a different space per layer)."""

        def __init__(self) -> None:
            super().__init__()
            self.layers: list[int | None] = []

        def token_embeddings(self, texts, *, batch_size=32, layer=None):  # type: ignore[no-untyped-def]
            self.layers.append(layer)
            out = super().token_embeddings(texts, batch_size=batch_size)
            return [type(t)(t.offsets, t.vectors * (layer or 1)) for t in out]

    layered = Layered()
    examples = [every_word(t, SENTIMENT_LABELS[k % 3]) for k, t in enumerate(TRAIN_TEXTS)]
    model = train_term_model(examples, embedder=layered, epochs=2, hidden=8, mlp=8, num_threads=1, layer=3)
    assert model.meta["layer"] == 3 and layered.layers == [3]
    path = save_term_model(model, tmp_path / "fake-tokens.npz")
    mapper = CategoryMapper(embedder=CachedEmbedder(layered), threshold=0.0)
    TermAspectExtractor(embedder=layered, model_path=path, category_mapper=mapper).extract(["some text here"], langs=["en"])
    assert layered.layers[-1] == 3
    # an embedder without layers cannot serve it: a clear error, not silently wrong states
    with pytest.raises(ConfigError, match=r"\[E006\].*layer 3.*takes no layer="):
        TermAspectExtractor(embedder=emb, model_path=path).extract(["some text"], langs=["en"])


def test_a_separate_polarity_network_classifies_the_mentions(tmp_path: Path, emb: FakeTokenEmbedder,
                                                              word_model: Path) -> None:
    """A model may carry a second network for polarity (e.g. on fewer encoder layers); the pair
    round-trips through one file, its tagger finds the spans and the second network labels them."""
    tagger = load_term_model(word_model)
    negative = [TermExample(t, "und", [(m.start(), m.end(), "negative") for m in WORD.finditer(t)]) for t in TRAIN_TEXTS]
    always_negative = train_term_model(negative, embedder=emb, epochs=15, hidden=8, mlp=8, learning_rate=0.05,
                                       num_threads=1)
    pair = TermModel(tagger.params, tagger.meta, always_negative)
    path = save_term_model(pair, tmp_path / "fake-tokens.npz")
    loaded = load_term_model(path)
    assert loaded.polarity is not None and set(loaded.polarity.params) == set(always_negative.params)
    mapper = CategoryMapper(embedder=CachedEmbedder(emb), threshold=0.0)
    alone = TermAspectExtractor(embedder=emb, model_path=word_model, category_mapper=mapper, lemmatizer=lower)
    paired = TermAspectExtractor(embedder=emb, model_path=path, category_mapper=mapper, lemmatizer=lower)
    text = ["Fresh bread and friendly staff near the station"]
    spans_alone = [(m.start, m.end) for m in alone.extract(text, langs=["en"])[0]]
    found = paired.extract(text, langs=["en"])[0]
    assert [(m.start, m.end) for m in found] == spans_alone and found
    assert {m.polarity for m in found} == {"negative"}
    assert [p[0] for p in paired.classify(text, [spans_alone], langs=["en"])[0]] == ["negative"] * len(spans_alone)
    # its layers must be among the tagger's
    bad = TermModel(tagger.params, {**tagger.meta, "layer": 9}, TermModel(always_negative.params,
                                                                          {**always_negative.meta, "layer": 12}))
    with pytest.raises(ConfigError, match=r"\[E004\].*polarity network reads encoder layers \(12,\)"):
        save_term_model(bad, tmp_path / "bad.npz")


def test_texts_go_to_the_encoder_in_bounded_chunks(extractor: TermAspectExtractor, emb: FakeTokenEmbedder,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import vocmine.aspects._extractor as module

    texts = TRAIN_TEXTS * 3
    whole = extractor.extract(texts, langs=["en"] * len(texts))
    monkeypatch.setattr(module, "TEXT_CHUNK", 4)
    calls = emb.calls
    chunked = extractor.extract(texts, langs=["en"] * len(texts))
    # the same mentions; scores equal up to float noise (the network sees other batches)
    key = [[(m.start, m.end, m.aspect, m.category, m.polarity) for m in ms] for ms in whole]
    assert [[(m.start, m.end, m.aspect, m.category, m.polarity) for m in ms] for ms in chunked] == key
    for a, b in zip(whole, chunked):
        np.testing.assert_allclose([m.score for m in a], [m.score for m in b], atol=1e-5)
    assert emb.calls - calls >= len(texts) // 4  # one encoder call per chunk of 4 (plus category contexts)


class FixedSentiment:
    """A sentence sentiment model that calls every sentence ``label`` (probability ``p``)."""

    def __init__(self, label: str, p: float = 0.98) -> None:
        self.label, self.p, self.calls = label, p, 0

    def predict(self, texts: list[str], *, langs: list[str]) -> object:
        from vocmine.types import SentimentOutput

        self.calls += 1
        row = np.full(3, (1 - self.p) / 2)
        row[SENTIMENT_LABELS.index(self.label)] = self.p
        probs = np.tile(row, (len(texts), 1))
        return SentimentOutput([self.label] * len(texts), probs[:, 2] - probs[:, 0], probs)


def test_sentence_sentiment_is_mixed_into_mention_polarity(word_model: Path, emb: FakeTokenEmbedder) -> None:
    from vocmine._null import NullSentiment

    texts = ["The pizza was great", "Delivery took two hours!", "Obsługa była miła, ale dostawa późno."]
    spans = [[(4, 9)], [(0, 8)], [(0, 7), (23, 30)]]

    def run(**kw: object) -> list[list[tuple[str, float]]]:
        ext = TermAspectExtractor(embedder=emb, model_path=word_model, lemmatizer=lower, **kw)  # type: ignore[arg-type]
        return ext.classify(texts, spans, langs=["en", "en", "pl"])

    alone = run()
    assert run(sentiment=FixedSentiment("negative"), sentence_weight=0.0) == alone
    assert run(sentiment=NullSentiment()) == alone  # a switched-off sentiment stage changes nothing
    for label in ("negative", "positive"):
        mixed = run(sentiment=FixedSentiment(label), sentence_weight=1.0)
        assert {lab for out in mixed for lab, _ in out} == {label}
    half = run(sentiment=FixedSentiment("negative"), sentence_weight=0.5)
    assert [len(h) for h in half] == [len(a) for a in alone] and half != alone
    assert all(-1.0 <= score <= 1.0 for h in half for _, score in h)
    with pytest.raises(ConfigError, match=r"\[E004\] sentence_weight"):
        TermAspectExtractor(sentence_weight=1.5)
