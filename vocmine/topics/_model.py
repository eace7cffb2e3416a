"""``BertopicTopics``: BERTopic-style topics that are deterministic, multilingual and bounded.

BERTopic's pipeline (embeddings -> UMAP -> HDBSCAN -> c-TF-IDF) with the fixes its
users keep asking for: content-ordered fitting (same topics whatever the row
order), capped outliers, per-language lemmatised / segmented topic words, stable
content-derived topic ids, sample-fit + batched assignment for large inputs, and
a small JSON + ``.npy`` save format instead of a pickle.

Examples:
    >>> import numpy as np
    >>> from vocmine.topics import BertopicTopics
    >>> rng = np.random.default_rng(0)
    >>> centers = np.eye(8, dtype=np.float32)[:2] * 4
    >>> emb = np.vstack([c + rng.normal(0, 0.3, (20, 8)) for c in centers]).astype(np.float32)
    >>> texts = ["late delivery courier"] * 20 + ["refund money back"] * 20
    >>> out = BertopicTopics(min_topic_size=5).fit_transform(texts, langs=["en"] * 40, embeddings=emb)
    >>> sorted(t.label for t in out.topics)
    ['back, money, refund', 'courier, delivery, late']
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vocmine.errors import ConfigError, NotFittedError
from vocmine.topics._cluster import BATCH_ROWS, ClusterParams, cluster, nearest_centroid, text_digests
from vocmine.topics._time import topics_over_time
from vocmine.topics._words import compose_labels, normalise_lang, topic_words
from vocmine.types import TopicInfo, TopicOutput

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from vocmine.types import Embedder

__all__ = ["BertopicTopics"]

logger = logging.getLogger(__name__)

FORMAT = "vocmine.topics.bertopic"
FORMAT_VERSION = 1
#: Documents used for topic-word statistics (the first ones in content order).
MAX_WORD_DOCS = 200_000


class BertopicTopics:
    """Topic model over precomputed multilingual embeddings (implements ``TopicModel``).

    Args:
        min_topic_size: smallest topic (HDBSCAN ``min_cluster_size``); ``None`` picks
            ``max(10, n / 500)`` from the number of clustered documents.
        n_neighbors: UMAP neighbours.
        n_components: UMAP output dimensions.
        outlier_threshold: cosine similarity to the nearest topic centroid from which
            an outlier joins that topic (``transform`` uses the same rule); ``None``
            uses the 1st percentile of the clustered documents' similarity to
            their nearest centroid, which adapts to the encoder's similarity scale.
        max_outlier_share: at most this share of the documents stays in topic ``-1``.
        top_n_words: words kept per topic and language.
        random_state: seed of UMAP (run single-threaded, so the seed fixes the result).
        embedder: an ``Embedder`` used only when ``embeddings`` are not passed.
        low_memory: UMAP's low-memory nearest-neighbour search (slower, smaller).
        max_fit_docs: documents clustered by UMAP + HDBSCAN; the rest (in content
            order) are assigned to the nearest topic centroid in batches.

    Examples:
        >>> from vocmine.topics import BertopicTopics
        >>> BertopicTopics(min_topic_size=5).min_topic_size
        5
    """

    def __init__(
        self,
        *,
        min_topic_size: int | None = None,
        n_neighbors: int = 15,
        n_components: int = 5,
        outlier_threshold: float | None = None,
        max_outlier_share: float = 0.15,
        top_n_words: int = 10,
        random_state: int = 0,
        embedder: Embedder | None = None,
        low_memory: bool = True,
        max_fit_docs: int = 30_000,
    ) -> None:
        self.min_topic_size = min_topic_size
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.outlier_threshold = outlier_threshold
        self.max_outlier_share = max_outlier_share
        self.top_n_words = top_n_words
        self.random_state = random_state
        self.embedder = embedder
        self.low_memory = low_memory
        self.max_fit_docs = max_fit_docs

    # --- public API --------------------------------------------------------------------------------

    def fit(
        self, texts: Sequence[str], *, langs: Sequence[str] | None = None, embeddings: np.ndarray | None = None
    ) -> BertopicTopics:
        """Learn topics from ``texts``; returns ``self``.

        Examples:
            >>> from vocmine.topics import BertopicTopics
            >>> BertopicTopics().fit([], langs=[], embeddings=None).topics_
            []
        """
        self.fit_transform(texts, langs=langs, embeddings=embeddings)
        return self

    def fit_transform(
        self, texts: Sequence[str], *, langs: Sequence[str] | None = None, embeddings: np.ndarray | None = None
    ) -> TopicOutput:
        """Learn topics and return each document's topic (``-1`` = outlier).

        Args:
            texts: the documents.
            langs: one ISO 639-1 code per document (``"und"`` when unknown);
                ``None`` treats every document as ``"und"``.
            embeddings: ``(n, dim)`` document embeddings; computed with
                ``embedder`` when ``None``.

        Returns:
            ``TopicOutput`` with ``topic_ids``, the topics ordered by id, and
            ``probs``: each document's cosine similarity to its topic centroid
            (0 for outliers).

        Raises:
            ConfigError: invalid parameters, misaligned inputs, or neither
                ``embeddings`` nor an ``embedder``.

        Examples:
            >>> from vocmine.topics import BertopicTopics
            >>> BertopicTopics().fit_transform([], langs=[], embeddings=None).topic_ids.shape
            (0,)
        """
        params = self._params(len(texts))
        texts, codes = self._check_texts(texts, langs)
        emb = self._embeddings(texts, embeddings)
        res = cluster(emb, texts, params)
        digests = text_digests(texts)
        # stable ids: larger topics first, ties by the content key (hash of sorted member-text hashes)
        keys, sizes = _keys_and_sizes(digests, res.labels)
        ranked = sorted(res.topics, key=lambda t: (-sizes[t], keys[t]))
        remap = np.full(max(res.topics, default=-1) + 2, -1, dtype=np.int64)
        for new, old in enumerate(ranked):
            remap[old + 1] = new
        ids = remap[res.labels + 1]
        self.centroids_ = res.centroids[[res.topics.index(t) for t in ranked]] if ranked else res.centroids
        self.threshold_ = res.threshold
        self.params_ = params
        word_rows = _word_rows(digests, MAX_WORD_DOCS)
        tw = topic_words([texts[i] for i in word_rows], [codes[i] for i in word_rows], ids[word_rows],
                         top_n=self.top_n_words)
        self.topics_ = []
        for new, old in enumerate(ranked):
            words = tw.words.get(new, {})
            label, labels = compose_labels(words, tw.lang_counts.get(new, {}), fallback=f"topic {new}")
            self.topics_.append(TopicInfo(topic_id=new, size=sizes[old], label=label, labels=labels,
                                          words=words, key=keys[old]))
        self.word_scores_ = {new: tw.scores.get(new, {}) for new in range(len(ranked))}
        probs = _own_similarity(emb, ids, self.centroids_)
        n_out = int((ids < 0).sum())
        logger.info("%d topics; %d of %d documents are outliers", len(ranked), n_out, len(ids))
        return TopicOutput(topic_ids=ids, topics=list(self.topics_), probs=probs)

    def transform(
        self, texts: Sequence[str], *, langs: Sequence[str] | None = None, embeddings: np.ndarray | None = None
    ) -> TopicOutput:
        """Assign new documents to the fitted topics (nearest centroid; never refits).

        A document joins its most similar topic centroid when the cosine
        similarity reaches the threshold learned in ``fit`` (``threshold_``),
        else it is an outlier (``-1``). Each document is judged alone, so the
        result does not depend on batch composition or order.

        Raises:
            NotFittedError: if the model was not fitted or loaded.

        Examples:
            >>> import numpy as np
            >>> from vocmine.topics import BertopicTopics
            >>> m = BertopicTopics().fit([], langs=[], embeddings=None)
            >>> m.transform(["x"], langs=["en"], embeddings=np.ones((1, 4), np.float32)).topic_ids.tolist()
            [-1]
        """
        if not hasattr(self, "centroids_"):
            raise NotFittedError(
                "[E009] BertopicTopics is not fitted. Expected fit()/fit_transform() or load() before transform(); "
                "got a fresh instance. Fix: call fit_transform(texts, langs=..., embeddings=...) first."
            )
        texts, _ = self._check_texts(texts, langs)
        emb = self._embeddings(texts, embeddings)
        if self.centroids_.shape[0] and emb.shape[0] and emb.shape[1] != self.centroids_.shape[1]:
            raise ConfigError(
                f"[E004] embeddings have dimension {emb.shape[1]}, expected {self.centroids_.shape[1]} (the fitted "
                "model's). Fix: embed with the same encoder used for fitting."
            )
        best, sim = nearest_centroid(emb, self.centroids_)
        ids = np.where((best >= 0) & (sim >= self.threshold_), best, -1).astype(np.int64)
        probs = np.where(ids >= 0, sim, 0.0).astype(np.float32)
        return TopicOutput(topic_ids=ids, topics=list(self.topics_), probs=probs)

    def topics_over_time(
        self, topic_ids: Sequence[int] | np.ndarray, timestamps: Sequence[Any], freq: str = "M"
    ) -> list[dict[str, Any]]:
        """Volume per period and topic; see :func:`vocmine.topics.topics_over_time`.

        Examples:
            >>> from vocmine.topics import BertopicTopics
            >>> BertopicTopics().topics_over_time([0, 0], ["2024-01-03", "2024-02-01"], "M")[0]["period"]
            '2024-01'
        """
        return topics_over_time(topic_ids, timestamps, freq)

    def save(self, path: str | Path) -> None:
        """Write the fitted model to directory ``path`` (``topics.json`` + ``centroids.npy``).

        Examples:
            >>> import tempfile
            >>> from vocmine.topics import BertopicTopics
            >>> d = tempfile.mkdtemp()
            >>> BertopicTopics().fit([], langs=[], embeddings=None).save(d)
            >>> BertopicTopics.load(d).topics_
            []
        """
        if not hasattr(self, "centroids_"):
            raise NotFittedError("[E009] BertopicTopics is not fitted; nothing to save. Fix: fit it first.")
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        np.save(out / "centroids.npy", np.ascontiguousarray(self.centroids_, dtype=np.float32), allow_pickle=False)
        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "params": self._init_params(),
            "threshold": self.threshold_,
            "topics": [
                {"topic_id": t.topic_id, "size": t.size, "label": t.label, "labels": dict(t.labels),
                 "words": {k: list(v) for k, v in t.words.items()}, "key": t.key,
                 "scores": self.word_scores_.get(t.topic_id, {})}
                for t in self.topics_
            ],
        }
        (out / "topics.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> BertopicTopics:
        """Read a model written by :meth:`save` (no pickle involved).

        Raises:
            ConfigError: the directory holds no valid saved model.
        """
        src = Path(path)
        try:
            meta = json.loads((src / "topics.json").read_text(encoding="utf-8"))
            centroids = np.load(src / "centroids.npy", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"[E004] No saved BertopicTopics model at {str(src)!r}: expected topics.json and centroids.npy, "
                f"got {type(exc).__name__}: {exc}. Fix: pass the directory given to save()."
            ) from exc
        if meta.get("format") != FORMAT or meta.get("format_version") != FORMAT_VERSION:
            raise ConfigError(
                f"[E004] {str(src)!r} holds format {meta.get('format')!r} v{meta.get('format_version')}, expected "
                f"{FORMAT!r} v{FORMAT_VERSION}. Fix: re-fit and save with this vocmine version."
            )
        model = cls(**meta["params"])
        model.centroids_ = centroids.astype(np.float32)
        model.threshold_ = float(meta["threshold"])
        model.topics_ = [
            TopicInfo(topic_id=int(t["topic_id"]), size=int(t["size"]), label=t["label"], labels=t["labels"],
                      words=t["words"], key=t["key"])
            for t in meta["topics"]
        ]
        model.word_scores_ = {int(t["topic_id"]): t.get("scores", {}) for t in meta["topics"]}
        return model

    # --- helpers -----------------------------------------------------------------------------------

    def _init_params(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("min_topic_size", "n_neighbors", "n_components", "outlier_threshold",
                                              "max_outlier_share", "top_n_words", "random_state", "low_memory",
                                              "max_fit_docs")}

    def _params(self, n: int) -> ClusterParams:
        def bad(name: str, expected: str) -> ConfigError:
            return ConfigError(f"[E004] BertopicTopics({name}={getattr(self, name)!r}) is invalid: expected "
                               f"{expected}. Fix: pass a valid {name}.")

        if self.min_topic_size is not None and (not isinstance(self.min_topic_size, int) or self.min_topic_size < 2):
            raise bad("min_topic_size", "an int >= 2 or None")
        for name, low in (("n_neighbors", 2), ("n_components", 1), ("top_n_words", 1), ("max_fit_docs", 2)):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < low:
                raise bad(name, f"an int >= {low}")
        if not 0.0 <= float(self.max_outlier_share) <= 1.0:
            raise bad("max_outlier_share", "a share in [0, 1]")
        if self.outlier_threshold is not None and not -1.0 <= float(self.outlier_threshold) <= 1.0:
            raise bad("outlier_threshold", "a cosine similarity in [-1, 1] or None")
        n_fit = min(n, self.max_fit_docs)
        size = self.min_topic_size if self.min_topic_size is not None else max(10, round(n_fit / 500))
        return ClusterParams(min_topic_size=size, n_neighbors=self.n_neighbors, n_components=self.n_components,
                             outlier_threshold=self.outlier_threshold, max_outlier_share=float(self.max_outlier_share),
                             random_state=int(self.random_state), low_memory=bool(self.low_memory),
                             max_fit_docs=self.max_fit_docs)

    @staticmethod
    def _check_texts(texts: Sequence[str], langs: Sequence[str] | None) -> tuple[list[str], list[str]]:
        texts = [t if isinstance(t, str) else "" if t is None else str(t) for t in texts]
        if langs is None:
            langs = ["und"] * len(texts)
        if len(langs) != len(texts):
            raise ConfigError(f"[E004] langs has {len(langs)} entries, expected one per text ({len(texts)}). "
                              "Fix: pass langs aligned with texts.")
        return texts, [normalise_lang(x) for x in langs]

    def _embeddings(self, texts: list[str], embeddings: np.ndarray | None) -> np.ndarray:
        if embeddings is None:
            if not texts:
                return np.zeros((0, 0), dtype=np.float32)
            if self.embedder is None:
                raise ConfigError(
                    "[E004] BertopicTopics needs document embeddings: expected embeddings=<(n, dim) array> or an "
                    "embedder, got neither. Fix: pass the pipeline's shared embeddings, or "
                    "BertopicTopics(embedder=vocmine.embed.E5Embedder())."
                )
            embeddings = self.embedder.embed(texts)
        emb = np.asarray(embeddings, dtype=np.float32)
        if emb.ndim != 2 or emb.shape[0] != len(texts):
            raise ConfigError(f"[E004] embeddings have shape {emb.shape}, expected ({len(texts)}, dim): one row per "
                              "text. Fix: pass embeddings aligned with texts.")
        if not np.isfinite(emb).all():
            raise ConfigError("[E004] embeddings contain NaN or infinite values, expected finite floats. "
                              "Fix: re-embed the affected texts.")
        norms = np.linalg.norm(emb, axis=1, keepdims=True)
        return emb / np.maximum(norms, 1e-12)


def _keys_and_sizes(digests: Sequence[bytes], labels: np.ndarray) -> tuple[dict[int, str], dict[int, int]]:
    """Per topic: the content key (SHA-1 of its sorted member-text digests, 16 hex) and its size."""
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    keys: dict[int, str] = {}
    sizes: dict[int, int] = {}
    for group in np.split(order, bounds):
        if group.size == 0 or labels[group[0]] < 0:
            continue
        h = hashlib.sha1()
        for d in sorted(digests[i] for i in group):
            h.update(d)
        keys[int(labels[group[0]])] = h.hexdigest()[:16]
        sizes[int(labels[group[0]])] = int(group.size)
    return keys, sizes


def _word_rows(digests: Sequence[bytes], limit: int) -> list[int]:
    if len(digests) <= limit:
        return list(range(len(digests)))
    return sorted(sorted(range(len(digests)), key=digests.__getitem__)[:limit])


def _own_similarity(emb: np.ndarray, ids: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    out = np.zeros(len(ids), dtype=np.float32)
    for start in range(0, len(ids), BATCH_ROWS):
        part = ids[start : start + BATCH_ROWS]
        ok = part >= 0
        if ok.any():
            rows = emb[start : start + BATCH_ROWS][ok]
            out[start : start + BATCH_ROWS][ok] = np.einsum("ij,ij->i", rows, centroids[part[ok]])
    return out
