"""Contract tests of the default sentiment model with a fake embedder (no weights needed)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from tests.fakes import FakeEmbedder
from vocmine.errors import ConfigError, ModelNotFoundError, VocmineWarning
from vocmine.sentiment import HeadSentiment, SentimentHead, find_head, load_head, save_head, train_head
from vocmine.types import SENTIMENT_LABELS, SentimentModel

TRAIN = [
    ("great, love it, excellent", "positive"), ("wonderful and great service", "positive"),
    ("excellent, love the quality", "positive"), ("świetny, polecam", "positive"), ("非常好，很满意", "positive"),
    ("terrible, awful, never again", "negative"), ("awful and terrible support", "negative"),
    ("horrible, awful quality", "negative"), ("ужасно, кошмар", "negative"), ("太差了，很失望", "negative"),
    ("the order number is 12345", "neutral"), ("the store opens at nine", "neutral"),
    ("the order was shipped on monday", "neutral"), ("заказ номер 12345", "neutral"), ("订单号是12345", "neutral"),
]
MIXED = ["great, love it", "terrible support", "", "   ", "ok", "Доставка опоздала", "配送太慢了", "Dobra cena", "🙂"]
LANGS = ["en", "en", "und", "und", "en", "ru", "zh", "pl", "und"]


@pytest.fixture
def embedder() -> FakeEmbedder:
    return FakeEmbedder(dim=64)


@pytest.fixture
def head_dir(tmp_path: Path, embedder: FakeEmbedder) -> Path:
    texts, labels = zip(*TRAIN)
    head = train_head(embedder.embed(list(texts)), list(labels), hidden=16, epochs=80, lr=1e-2,
                      random_state=3, meta={"embedder": embedder.name})
    save_head(head, tmp_path / "fake.npz")
    return tmp_path


@pytest.fixture
def model(embedder: FakeEmbedder, head_dir: Path) -> HeadSentiment:
    return HeadSentiment(embedder=embedder, model_path=head_dir)


def test_satisfies_protocol(model: HeadSentiment) -> None:
    assert isinstance(model, SentimentModel)


def test_one_output_per_input(model: HeadSentiment) -> None:
    out = model.predict(MIXED, langs=LANGS)
    assert len(out.labels) == len(MIXED)
    assert out.scores.shape == (len(MIXED),)
    assert out.probs.shape == (len(MIXED), 3)
    assert set(out.labels) <= set(SENTIMENT_LABELS)


def test_empty_input_does_not_touch_the_embedder(model: HeadSentiment, embedder: FakeEmbedder) -> None:
    before = embedder.calls
    out = model.predict([], langs=[])
    assert out.labels == [] and out.scores.shape == (0,) and out.probs.shape == (0, 3)
    assert embedder.calls == before
    model.predict(["x"], langs=["en"])
    assert embedder.calls == before + 1


def test_probabilities_scores_and_labels_agree(model: HeadSentiment) -> None:
    out = model.predict(MIXED, langs=LANGS)
    assert np.all(out.probs >= 0)
    np.testing.assert_allclose(out.probs.sum(axis=1), 1.0, atol=1e-9)
    assert np.all((out.scores >= -1) & (out.scores <= 1))
    np.testing.assert_allclose(out.scores, out.probs[:, 2] - out.probs[:, 0], atol=1e-12)
    assert out.labels == [SENTIMENT_LABELS[k] for k in out.probs.argmax(axis=1)]


def test_deterministic(model: HeadSentiment, embedder: FakeEmbedder, head_dir: Path) -> None:
    a = model.predict(MIXED, langs=LANGS)
    b = HeadSentiment(embedder=embedder, model_path=head_dir).predict(MIXED, langs=LANGS)
    assert a.labels == b.labels
    np.testing.assert_array_equal(a.probs, b.probs)


def test_training_is_deterministic_to_the_byte(tmp_path: Path, embedder: FakeEmbedder) -> None:
    texts, labels = zip(*TRAIN)
    x = embedder.embed(list(texts))
    digests = []
    for k in range(2):
        path = save_head(train_head(x, list(labels), hidden=8, epochs=5, random_state=7), tmp_path / f"{k}.npz")
        digests.append(hashlib.sha256(path.read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def test_trained_head_fits_its_training_data(model: HeadSentiment) -> None:
    texts, labels = zip(*TRAIN)
    out = model.predict(list(texts), langs=["und"] * len(texts))
    assert np.mean(np.array(out.labels) == np.array(labels)) >= 0.9


def test_save_load_roundtrip(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    head = SentimentHead([rng.normal(size=(5, 4)), rng.normal(size=(4, 3))], [np.zeros(4), np.ones(3)],
                         mean=rng.normal(size=5), scale=np.full(5, 2.0), meta={"embedder": "x"})
    again = load_head(save_head(head, tmp_path / "h.npz"))
    x = rng.normal(size=(7, 5))
    np.testing.assert_allclose(again.predict_proba(x), head.predict_proba(x), rtol=1e-5)
    assert again.meta["embedder"] == "x" and again.dim == 5


def test_langs_must_match_texts(model: HeadSentiment) -> None:
    with pytest.raises(ConfigError, match=r"\[E004\].*one code per text"):
        model.predict(["a", "b"], langs=["en"])


def test_missing_head_names_the_fix(tmp_path: Path, embedder: FakeEmbedder) -> None:
    with pytest.raises(ModelNotFoundError, match=r"\[E008\].*'fake'.*train_sentiment"):
        HeadSentiment(embedder=embedder, model_path=tmp_path).predict(["x"], langs=["en"])


def test_dimension_mismatch_is_reported(head_dir: Path) -> None:
    small = FakeEmbedder(dim=16)
    with pytest.raises(ConfigError, match=r"\[E004\].*64"):
        HeadSentiment(embedder=small, model_path=head_dir).predict(["x"], langs=["en"])


def test_head_of_another_embedder_warns(tmp_path: Path, head_dir: Path) -> None:
    class Other(FakeEmbedder):
        name = "other"

    with pytest.warns(VocmineWarning, match="trained on embedder 'fake'"):
        HeadSentiment(embedder=Other(dim=64), model_path=head_dir / "fake.npz").predict(["x"], langs=["en"])


def test_train_head_rejects_unknown_labels() -> None:
    with pytest.raises(ConfigError, match=r"\[E004\].*unknown labels \['good'\]"):
        train_head(np.zeros((2, 3)), ["good", "negative"])


def test_shipped_head_is_found_and_matches_the_default_encoder() -> None:
    path = find_head("multilingual-e5-small")
    head = load_head(path)
    from vocmine.sentiment._weights import base_embedder_name

    assert head.dim == 384 and base_embedder_name(head.meta["embedder"]) == "multilingual-e5-small"
    size = path.stat().st_size if isinstance(path, Path) else len(path.read_bytes())
    assert size < 3_000_000


def test_package_copy_equals_the_model_folder_copy() -> None:
    root = Path(__file__).resolve().parents[2]
    folder = root / "models" / "sentiment-e5-head"
    packaged = root / "vocmine" / "sentiment" / "weights"
    names = sorted(p.name for p in folder.glob("*.npz"))
    assert names and names == sorted(p.name for p in packaged.glob("*.npz"))
    for name in names:
        assert (folder / name).read_bytes() == (packaged / name).read_bytes(), name
