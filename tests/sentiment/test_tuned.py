"""The default sentiment model: the shared encoder with fine-tuned top layers (needs the model weights)."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from vocmine.errors import ConfigError, ModelNotFoundError
from vocmine.sentiment import HeadSentiment, TunedSentiment, load_head, train_head, tune_top_layers
from vocmine.sentiment._tuned import BRANCH_TAG

pytestmark = pytest.mark.models

SHIPPED = Path(__file__).resolve().parents[2] / "models" / "sentiment-e5-head" / f"multilingual-e5-small-{BRANCH_TAG}.npz"


@pytest.fixture(scope="module")
def fp32_encoder():  # type: ignore[no-untyped-def]
    from vocmine.embed import E5Embedder

    return E5Embedder(int8=False, num_threads=2)


def test_shipped_file_holds_a_head_and_four_layers_and_its_package_copy_is_identical() -> None:
    head = load_head(SHIPPED)
    assert head.meta["branch"] == {"start": 8, "tag": BRANCH_TAG, "n_layers": 4}
    assert head.meta["embedder"].startswith("multilingual-e5-small")
    copy = resources.files("vocmine.sentiment") / "weights" / SHIPPED.name
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == hashlib.sha256(SHIPPED.read_bytes()).hexdigest()


def test_a_branch_of_the_encoders_own_top_layers_gives_the_encoders_vectors(fp32_encoder) -> None:  # type: ignore[no-untyped-def]
    # the lower-layer pass + separate top layers must equal the encoder's own forward pass
    from vocmine.embed._branch import BranchEmbedder, layer_arrays
    from vocmine.embed._torch import load_encoder

    fp32_encoder._load()
    full = load_encoder(fp32_encoder._model_dir(), device="cpu")
    arrays = layer_arrays([full.encoder.layer[k] for k in range(8, 12)])
    branch = BranchEmbedder(fp32_encoder, arrays, start=8, tag="same")
    texts = ["Доставка опоздала на два часа.", "菜的味道不错，但是上菜速度太慢", "Świetny produkt!", "word " * 600]
    cos = (branch.embed(texts) * fp32_encoder.embed(texts)).sum(axis=1)
    assert cos.min() > 0.9999
    assert branch.name == "multilingual-e5-small-same"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("The courier was two hours late and rude.", "en", "negative"),
        ("Отличный сервис, всё пришло вовремя!", "ru", "positive"),
        ("房间很脏，服务员态度也不好。", "zh", "negative"),
        ("Bardzo szybka dostawa, polecam.", "pl", "positive"),
    ],
)
def test_tuned_model_reads_clear_polarity(text: str, lang: str, expected: str) -> None:
    out = TunedSentiment().predict([text], langs=[lang])
    assert out.labels == [expected]


def test_tuned_model_shares_the_pipeline_encoder_behind_its_cache() -> None:
    from vocmine.embed import CachedEmbedder, E5Embedder

    base = E5Embedder()
    model = TunedSentiment(embedder=CachedEmbedder(base))
    model.predict(["fine"], langs=["en"])
    assert model._get_embedder().base is base  # type: ignore[attr-defined]


def test_a_static_embedder_gets_an_error_naming_the_frozen_head_model() -> None:
    from vocmine.embed import StaticEmbedder

    with pytest.raises(ConfigError, match=r"E004.*e5_head\.v1"):
        TunedSentiment(embedder=StaticEmbedder()).predict(["fine"], langs=["en"])


def test_missing_tuned_file_names_the_retrain_command(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match=r"E008.*sentiment-top4.*train_sentiment\.py"):
        TunedSentiment(model_path=tmp_path).predict(["fine"], langs=["en"])


def test_tuning_is_deterministic_and_its_output_loads(tmp_path: Path) -> None:
    from vocmine.embed import E5Embedder
    from vocmine.sentiment import save_tuned

    base = E5Embedder(num_threads=2)
    texts = ["great, thanks", "awful service", "it is a phone", "bardzo dobrze", "очень плохо", "一般般"] * 2
    labels = ["positive", "negative", "neutral", "positive", "negative", "neutral"] * 2
    head = train_head(base.embed(texts), labels, hidden=16, epochs=5, random_state=0, meta={"embedder": base.name})
    runs = [tune_top_layers(base, texts, labels, head, n_layers=1, epochs=1, batch_size=4, random_state=0)
            for _ in range(2)]
    (a1, h1), (a2, h2) = runs
    assert sorted(a1) == sorted(a2) and all(np.array_equal(a1[k], a2[k]) for k in a1)
    assert np.array_equal(h1.weights[0], h2.weights[0])
    path = save_tuned(h1, a1, tmp_path / f"multilingual-e5-small-{BRANCH_TAG}.npz", tag=BRANCH_TAG)
    out = TunedSentiment(embedder=base, model_path=path).predict(texts, langs=["und"] * len(texts))
    assert len(out.labels) == len(texts) and np.allclose(out.probs.sum(axis=1), 1.0)


def test_tuned_and_frozen_models_both_keep_the_output_contract() -> None:
    texts = ["Terrible support.", "Nice app."]
    for model in (TunedSentiment(), HeadSentiment()):
        out = model.predict(texts, langs=["en", "en"])
        assert out.probs.shape == (2, 3) and np.all(np.abs(out.scores) <= 1.0)


def test_a_tapped_pass_serves_the_sentiment_layers_without_a_second_lower_pass() -> None:
    from vocmine.embed import CachedEmbedder, E5Embedder

    texts = ["The courier was two hours late.", "Świetny produkt, polecam!", "服务态度很好。", "Всё отлично."]
    plain = TunedSentiment(embedder=E5Embedder()).predict(texts, langs=["und"] * 4)
    base = E5Embedder()
    cached = CachedEmbedder(base)
    model = TunedSentiment(embedder=cached)
    branch = model._get_embedder()
    cached.token_embeddings(texts, layer=[9, 12])  # what the aspect extractor does
    assert len(branch._fed) == len(texts)  # type: ignore[attr-defined]
    calls = []
    branch._embed = lambda *a, **k: calls.append(a)  # type: ignore[attr-defined, method-assign]
    tapped = model.predict(texts, langs=["und"] * 4)
    assert calls == []  # the tapped vectors served the prediction
    assert tapped.labels == plain.labels
    np.testing.assert_allclose(tapped.probs, plain.probs, atol=0.03)


def test_runs_of_several_seeds_equal_single_runs_with_those_seeds() -> None:
    from vocmine.embed import E5Embedder
    from vocmine.sentiment import tune_runs

    base = E5Embedder(num_threads=2)
    texts = ["great, thanks", "awful service", "it is a phone", "bardzo dobrze", "очень плохо", "一般般"]
    labels = ["positive", "negative", "neutral", "positive", "negative", "neutral"]
    head = train_head(base.embed(texts), labels, hidden=16, epochs=5, random_state=0, meta={"embedder": base.name})
    kw = {"n_layers": 1, "epochs": 1, "batch_size": 2}
    runs = tune_runs(base, texts, labels, head, seeds=[3, 4], **kw)
    for seed, (arrays, tuned) in zip((3, 4), runs):
        one, one_head = tune_top_layers(base, texts, labels, head, random_state=seed, **kw)
        assert sorted(arrays) == sorted(one) and all(np.array_equal(arrays[k], one[k]) for k in one)
        assert all(np.array_equal(a, b) for a, b in zip(tuned.weights, one_head.weights))
        assert tuned.meta["tune_config"] == one_head.meta["tune_config"]
    assert not all(np.array_equal(runs[0][0][k], runs[1][0][k]) for k in runs[0][0])


def test_runs_need_a_seed() -> None:
    from vocmine.embed import E5Embedder
    from vocmine.sentiment import tune_runs

    head = train_head(np.eye(3, dtype=np.float32), ["negative", "neutral", "positive"], hidden=4, epochs=1)
    with pytest.raises(ConfigError, match=r"E004.*seeds \[\]"):
        tune_runs(E5Embedder(), ["a"], ["neutral"], head, seeds=[])
    with pytest.raises(ConfigError, match=r"E004.*unknown settings \['layers'\]"):
        tune_runs(E5Embedder(), ["a"], ["neutral"], head, seeds=[0], layers=2)
    with pytest.raises(ConfigError, match=r"E004.*whole numbers \['batch_size'\]"):
        tune_runs(E5Embedder(), ["a"], ["neutral"], head, seeds=[0], batch_size=32.0)


def test_tune_runs_defaults_are_tune_top_layers_defaults() -> None:
    import inspect

    from vocmine.sentiment._tune import TUNE_DEFAULTS

    params = inspect.signature(tune_top_layers).parameters
    assert {k: params[k].default for k in TUNE_DEFAULTS} == TUNE_DEFAULTS
    assert all(type(params[k].default) is type(v) for k, v in TUNE_DEFAULTS.items())  # 4, not 4.0: file bytes
