"""BertopicTopics through its public API, on synthetic embeddings (well-separated gaussian blobs)."""

from __future__ import annotations

import numpy as np
import pytest

from vocmine.errors import ConfigError, NotFittedError
from vocmine.topics import BertopicTopics, topics_over_time
from vocmine.types import Fittable, Persistable, TopicModel

DIM = 16

# Per blob: language and the phrases its documents are built from.
CORPUS: list[tuple[str, list[str]]] = [
    ("ru", ["проблема с доставкой", "курьер не привез доставку", "нет доставки уже неделю", "доставки ждал долго",
            "задержка доставки заказа", "доставку перенесли опять"]),
    ("pl", ["problem z dostawą", "kurier nie dostarczył dostawy", "brak dostawy od tygodnia",
            "dostawy czekałem długo", "opóźnienie dostawy zamówienia", "dostawą jestem rozczarowany"]),
    ("zh", ["物流速度很慢，快递员态度差", "快递三天才到，物流太慢", "物流信息一直不更新", "快递包装破损，物流差",
            "等了一周快递还没到", "物流很快，快递员很好"]),
    ("en", ["I want a refund for the charge", "refund has not arrived", "charged twice, need a refund",
            "where is my refund", "the refund was declined", "money back please, wrong charge"]),
]
PER = 40


def make_corpus(seed: int = 0, blobs: list[tuple[str, list[str]]] | None = None, per: int = PER,
                ) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    blobs = CORPUS if blobs is None else blobs
    centers = np.eye(DIM, dtype=np.float32)[: len(blobs)] * 6.0
    texts, langs, truth, rows = [], [], [], []
    for k, (lang, phrases) in enumerate(blobs):
        for i in range(per):
            texts.append(f"{phrases[i % len(phrases)]} {'!' * (i // len(phrases))}".strip())
            langs.append(lang)
            truth.append(k)
            rows.append(centers[k] + rng.normal(0.0, 0.4, DIM))
    return texts, langs, np.asarray(rows, dtype=np.float32), np.asarray(truth)


@pytest.fixture(scope="module")
def fitted() -> tuple[BertopicTopics, object, tuple[list[str], list[str], np.ndarray, np.ndarray]]:
    data = make_corpus()
    texts, langs, emb, _ = data
    model = BertopicTopics(min_topic_size=8)
    return model, model.fit_transform(texts, langs=langs, embeddings=emb), data


def _topic_of(out: object, truth: np.ndarray, k: int) -> int:
    ids = out.topic_ids[truth == k]  # type: ignore[attr-defined]
    values, counts = np.unique(ids, return_counts=True)
    return int(values[counts.argmax()])


def test_satisfies_protocols() -> None:
    model = BertopicTopics()
    assert isinstance(model, TopicModel) and isinstance(model, Fittable) and isinstance(model, Persistable)


def test_recovers_blobs_one_output_per_input(fitted) -> None:  # type: ignore[no-untyped-def]
    _, out, (texts, _, _, truth) = fitted
    assert out.topic_ids.shape == (len(texts),) and out.topic_ids.dtype == np.int64
    assert out.probs is not None and out.probs.shape == (len(texts),)
    assert len(out.topics) == 4
    assert sorted(t.topic_id for t in out.topics) == [0, 1, 2, 3]
    for k in range(4):
        assert len(set(out.topic_ids[truth == k].tolist())) == 1
    sizes = [t.size for t in out.topics]
    assert sizes == sorted(sizes, reverse=True)
    assert len({t.key for t in out.topics}) == 4 and all(len(t.key) == 16 for t in out.topics)


def test_chinese_labels_are_words(fitted) -> None:  # type: ignore[no-untyped-def]
    _, out, (texts, _, _, truth) = fitted
    topic = out.topics[_topic_of(out, truth, 2)]
    words = list(topic.words["zh"])
    assert {"物流", "快递"} <= set(words[:3])
    assert all(2 <= len(w) <= 4 for w in words), words  # words: no single characters, no sentences
    assert set(topic.labels) == {"zh"} and topic.label == topic.labels["zh"]


def test_russian_labels_are_lemmas(fitted) -> None:  # type: ignore[no-untyped-def]
    _, out, (_, _, _, truth) = fitted
    topic = out.topics[_topic_of(out, truth, 0)]
    words = list(topic.words["ru"])
    assert words[0] == "доставка"
    assert not {"доставки", "доставкой", "доставку"} & set(words)
    assert topic.label.startswith("доставка")


def test_polish_labels_are_lemmas(fitted) -> None:  # type: ignore[no-untyped-def]
    _, out, (_, _, _, truth) = fitted
    words = list(out.topics[_topic_of(out, truth, 1)].words["pl"])
    assert words[0] == "dostawa"
    assert not {"dostawy", "dostawą"} & set(words)


def test_english_words_are_lemmas_without_stop_words(fitted) -> None:  # type: ignore[no-untyped-def]
    _, out, (_, _, _, truth) = fitted
    words = list(out.topics[_topic_of(out, truth, 3)].words["en"])
    assert words[0] == "refund" and "charge" in words
    assert not {"the", "i", "for", "charged"} & set(words)


def test_deterministic_with_same_seed(fitted) -> None:  # type: ignore[no-untyped-def]
    model, out, (texts, langs, emb, _) = fitted
    again = BertopicTopics(min_topic_size=8).fit_transform(texts, langs=langs, embeddings=emb)
    assert np.array_equal(out.topic_ids, again.topic_ids)
    assert out.topics == again.topics


def test_shuffled_input_gives_the_same_topics(fitted) -> None:  # type: ignore[no-untyped-def]
    _, out, (texts, langs, emb, _) = fitted
    perm = np.random.default_rng(7).permutation(len(texts))
    shuffled = BertopicTopics(min_topic_size=8).fit_transform(
        [texts[i] for i in perm], langs=[langs[i] for i in perm], embeddings=emb[perm])
    assert np.array_equal(shuffled.topic_ids, out.topic_ids[perm])
    assert shuffled.topics == out.topics
    assert np.allclose(shuffled.probs, out.probs[perm], atol=1e-5)


def test_save_load_transform_round_trip(fitted, tmp_path) -> None:  # type: ignore[no-untyped-def]
    model, out, (texts, langs, emb, _) = fitted
    before = model.transform(texts, langs=langs, embeddings=emb)
    model.save(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["centroids.npy", "topics.json"]
    loaded = BertopicTopics.load(tmp_path / "m")
    after = loaded.transform(texts, langs=langs, embeddings=emb)
    assert np.array_equal(before.topic_ids, after.topic_ids)
    assert after.topics == out.topics
    assert loaded.min_topic_size == 8
    # transform assigns the training documents to the topics fit_transform gave them, or rejects a few
    # (the 1 % least typical) as outliers
    same = after.topic_ids == out.topic_ids
    assert same.mean() >= 0.95 and (after.topic_ids[~same] == -1).all()


def test_transform_new_documents_and_far_ones_are_outliers(fitted) -> None:  # type: ignore[no-untyped-def]
    model, out, (texts, langs, emb, truth) = fitted
    rng = np.random.default_rng(3)
    new = np.vstack([np.eye(DIM, dtype=np.float32)[1] * 6 + rng.normal(0, 0.1, DIM),
                     np.eye(DIM, dtype=np.float32)[9] * 6]).astype(np.float32)
    res = model.transform(["dostawa znowu późno", "zzz"], langs=["pl", "und"], embeddings=new)
    assert res.topic_ids.tolist() == [_topic_of(out, truth, 1), -1]


def test_transform_before_fit_raises() -> None:
    with pytest.raises(NotFittedError, match=r"\[E009\]"):
        BertopicTopics().transform(["a"], langs=["en"], embeddings=np.ones((1, 4), np.float32))


def test_empty_input() -> None:
    model = BertopicTopics()
    out = model.fit_transform([], langs=[], embeddings=np.zeros((0, DIM), np.float32))
    assert out.topic_ids.shape == (0,) and out.topics == []
    assert model.transform(["x"], langs=["en"], embeddings=np.ones((1, DIM), np.float32)).topic_ids.tolist() == [-1]


def test_tiny_input_is_all_outliers() -> None:
    texts, langs, emb, _ = make_corpus(per=2)
    out = BertopicTopics(min_topic_size=10).fit_transform(texts, langs=langs, embeddings=emb)
    assert out.topic_ids.tolist() == [-1] * len(texts) and out.topics == []


def test_small_input_below_umap_size_still_clusters() -> None:
    texts, langs, emb, truth = make_corpus(per=12, blobs=CORPUS[:2])
    out = BertopicTopics(min_topic_size=5).fit_transform(texts, langs=langs, embeddings=emb)
    assert len(out.topics) == 2
    assert len(set(out.topic_ids[truth == 0].tolist())) == 1 and (out.topic_ids >= 0).all()


def test_mixed_languages_with_und_get_per_language_and_cross_lingual_labels() -> None:
    blobs = [("en", ["late delivery again", "delivery was late", "courier lost my delivery"]),
             ("ru", ["доставка опять опоздала", "курьер потерял доставку", "доставку задержали"]),
             ("und", ["lieferung kam zu spät", "lieferung verloren"]),
             ("en", ["app crashes on login", "the app keeps crashing", "login fails in the app"])]
    texts, langs, emb, truth = make_corpus(blobs=blobs, per=20)
    emb[truth == 1] = emb[truth == 0] + np.random.default_rng(1).normal(0, 0.05, (20, DIM))  # same theme
    emb[truth == 2] = emb[truth == 0][:20] + 0.01
    out = BertopicTopics(min_topic_size=8).fit_transform(texts, langs=langs, embeddings=emb)
    delivery = out.topics[_topic_of(out, truth, 0)]
    assert _topic_of(out, truth, 1) == delivery.topic_id == _topic_of(out, truth, 2)
    assert set(delivery.labels) == {"en", "ru", "und"}
    assert delivery.words["en"][0] == "delivery" and delivery.words["ru"][0] == "доставка"
    assert delivery.words["und"][0] == "lieferung"
    assert delivery.label == "delivery, late / доставка, курьер" or delivery.label.count(" / ") == 1
    assert "доставка" in delivery.label and "delivery" in delivery.label and "lieferung" not in delivery.label
    app = out.topics[_topic_of(out, truth, 3)]
    assert set(app.labels) == {"en"} and "app" in app.label


def test_outlier_share_is_capped() -> None:
    texts, langs, emb, _ = make_corpus()
    rng = np.random.default_rng(5)
    # 42 ambiguous documents half-way between two topics, in groups too small to be topics themselves
    eye = np.eye(DIM, dtype=np.float32) * 6.0
    pairs = [(a, b) for a in range(4) for b in range(a + 1, 4)]
    between = np.vstack([(eye[a] + eye[b]) / 2 + rng.normal(0, 0.2, (7, DIM)) for a, b in pairs]).astype(np.float32)
    texts = texts + [f"random note {i}" for i in range(len(between))]
    langs = langs + ["und"] * len(between)
    emb = np.vstack([emb, between])
    free = BertopicTopics(min_topic_size=8, outlier_threshold=0.99, max_outlier_share=1.0).fit_transform(
        texts, langs=langs, embeddings=emb)
    # whether HDBSCAN leaves these as noise depends on the UMAP/numba build; the cap itself is tested below
    capped = BertopicTopics(min_topic_size=8, outlier_threshold=0.99, max_outlier_share=0.05).fit_transform(
        texts, langs=langs, embeddings=emb)
    assert np.mean(capped.topic_ids < 0) <= min(0.05, np.mean(free.topic_ids < 0))
    none = BertopicTopics(min_topic_size=8, max_outlier_share=0.0).fit_transform(texts, langs=langs, embeddings=emb)
    assert (none.topic_ids >= 0).all()
    # the cap only moves outliers into topics; clustered documents keep their topic (ids may be renumbered,
    # since ids follow topic size)
    kept = free.topic_ids >= 0
    pairs = set(zip(free.topic_ids[kept].tolist(), capped.topic_ids[kept].tolist()))
    assert len(pairs) == len({a for a, _ in pairs}) == len({b for _, b in pairs}) == len(free.topics)


def test_cap_outliers_joins_the_most_similar_first() -> None:
    from vocmine.topics._cluster import _cap_outliers

    labels = np.array([0] * 14 + [1] * 14 + [-1] * 12)  # 30 % outliers
    best = np.array([0] * 14 + [1] * 14 + [0, 1] * 6)
    sim = np.r_[np.ones(28), np.linspace(0.10, 0.65, 12)]
    kept = _cap_outliers(labels, best, sim, threshold=0.62, cap=1.0)
    assert kept[-1] == 1 and (kept[28:-1] == -1).all()  # only sim >= threshold joins without a cap
    capped = _cap_outliers(labels, best, sim, threshold=0.99, cap=0.1)
    assert (capped < 0).sum() == 4 and (capped[28:32] == -1).all()  # the 4 least similar stay out
    assert (capped[32:] == best[32:]).all() and (capped[:28] == labels[:28]).all()
    assert (_cap_outliers(labels, best, sim, threshold=0.99, cap=0.0) >= 0).all()


def test_embedder_used_when_no_embeddings_and_error_without_either() -> None:
    class BlobEmbedder:
        name = "blob"
        dim = DIM

        def __init__(self) -> None:
            self.calls = 0

        def embed(self, texts, *, batch_size=32):  # type: ignore[no-untyped-def]
            self.calls += 1
            return lookup[[texts.index(t) for t in texts]]

    texts, langs, lookup, _ = make_corpus(per=10, blobs=CORPUS[:2])
    embedder = BlobEmbedder()
    out = BertopicTopics(min_topic_size=5, embedder=embedder).fit_transform(texts, langs=langs, embeddings=None)
    assert embedder.calls == 1 and len(out.topics) == 2
    with pytest.raises(ConfigError, match=r"\[E004\].*embedder"):
        BertopicTopics().fit_transform(texts, langs=langs, embeddings=None)


@pytest.mark.parametrize("kwargs", [{"min_topic_size": 1}, {"max_outlier_share": 1.5}, {"n_neighbors": 0},
                                    {"outlier_threshold": 2.0}])
def test_invalid_params_raise_config_error(kwargs: dict[str, float]) -> None:
    with pytest.raises(ConfigError, match=r"\[E004\]"):
        BertopicTopics(**kwargs).fit_transform(["a"], langs=["en"], embeddings=np.ones((1, 4), np.float32))


def test_misaligned_inputs_raise_config_error() -> None:
    with pytest.raises(ConfigError, match=r"\[E004\].*one row per text"):
        BertopicTopics().fit_transform(["a", "b"], langs=["en", "en"], embeddings=np.ones((3, 4), np.float32))
    with pytest.raises(ConfigError, match=r"\[E004\].*langs"):
        BertopicTopics().fit_transform(["a", "b"], langs=["en"], embeddings=np.ones((2, 4), np.float32))


def test_load_rejects_a_directory_without_a_model(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match=r"\[E004\]"):
        BertopicTopics.load(tmp_path)


def test_topics_over_time_counts_and_fills_gaps() -> None:
    rows = topics_over_time([0, 1, 0, -1, 0], ["2024-01-05", "2024-01-20", "2024-03-01", "2024-03-02", None], "M")
    table = {(r["period"], r["topic_id"]): (r["count"], r["share"]) for r in rows}
    assert [p for p, t in table if t == 0] == ["2024-01", "2024-02", "2024-03"]
    assert table[("2024-01", 0)] == (1, 0.5) and table[("2024-02", 1)] == (0, 0.0)
    assert table[("2024-03", -1)] == (1, 0.5)
    assert sum(r["count"] for r in rows) == 4  # the missing timestamp is left out
    weekly = BertopicTopics().topics_over_time([3, 3], ["2024-03-04", "2024-03-10T23:00"], "W")
    assert weekly == [{"period": "2024-03-04/2024-03-10", "start": "2024-03-04", "topic_id": 3, "count": 2,
                       "share": 1.0}]
    with pytest.raises(ConfigError, match=r"\[E004\]"):
        topics_over_time([0], ["2024-01-01"], "fortnight")
