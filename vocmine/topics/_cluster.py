"""Deterministic, input-order-invariant clustering of document embeddings.

The steps, each fixed by ``random_state`` and independent of the row order:

1. **Content order.** Rows are sorted by a SHA-1 of their text (ties between
   identical texts broken by a hash of the embedding row), clustered in that
   order and mapped back, so shuffling the input cannot change the result
   (UMAP's nearest-neighbour descent depends on row order, BERTopic #2276).
2. **Sample.** At most ``max_fit_docs`` rows are clustered: the first ones in
   content order, each distinct text at most ``2 * min_topic_size`` times. The
   remaining rows are assigned to the nearest topic centroid in batches, which
   bounds time and memory at 0.5-1 M documents (BERTopic #431, #625).
3. **Reduce + cluster.** UMAP (cosine, ``min_dist=0``, single-threaded with a
   fixed seed) to ``n_components`` dimensions, or PCA for inputs too small for
   UMAP, then HDBSCAN (``eom``) - BERTopic's default pair; a cluster holding
   more than 10 % of the rows is clustered again on its own (sub-themes).
4. **Outliers.** Each outlier joins its nearest centroid (cosine, in the full
   embedding space) when the similarity reaches the threshold; if more than
   ``max_outlier_share`` of the rows would stay outliers, the most similar
   ones join anyway until the share is met (BERTopic #1197, #2501).

Examples:
    >>> import numpy as np
    >>> from vocmine.topics._cluster import content_order
    >>> content_order(["b", "a", "b"], np.eye(3, dtype=np.float32)).tolist() == content_order(
    ...     ["b", "a", "b"], np.eye(3, dtype=np.float32)).tolist()
    True
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["ClusterParams", "content_order", "text_digests", "cluster", "nearest_centroid", "centroids_of", "split_large"]

#: ``outlier_threshold=None``: this quantile of the clustered rows' similarity to their nearest centroid.
AUTO_QUANTILE = 0.01
#: Rows per block when comparing documents with centroids (bounds temporary memory).
BATCH_ROWS = 32_768
#: A cluster holding more than this share of the clustered rows is split again (see ``split_large``).
MAX_TOPIC_SHARE = 0.1


@dataclass(frozen=True)
class ClusterParams:
    """Resolved clustering settings (see :class:`vocmine.topics.BertopicTopics`)."""

    min_topic_size: int
    n_neighbors: int
    n_components: int
    outlier_threshold: float | None
    max_outlier_share: float
    random_state: int
    low_memory: bool
    max_fit_docs: int


def text_digests(texts: Sequence[str]) -> list[bytes]:
    """SHA-1 digest of every text (UTF-8, surrogates escaped)."""
    return [hashlib.sha1(t.encode("utf-8", "surrogatepass")).digest() for t in texts]


def content_order(texts: Sequence[str], embeddings: np.ndarray, digests: Sequence[bytes] | None = None) -> np.ndarray:
    """Return the permutation that sorts rows by content (text hash, then embedding hash)."""
    digests = text_digests(texts) if digests is None else digests
    seen: dict[bytes, int] = {}
    for d in digests:
        seen[d] = seen.get(d, 0) + 1
    keys = []
    for i, d in enumerate(digests):
        tie = hashlib.sha1(np.ascontiguousarray(embeddings[i]).tobytes()).digest() if seen[d] > 1 else b""
        keys.append(d + tie)
    return np.asarray(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)


def centroids_of(emb: np.ndarray, labels: np.ndarray, topics: Sequence[int]) -> np.ndarray:
    """L2-normalised mean embedding of each topic in ``topics`` (rows in that order)."""
    from scipy import sparse

    lookup = np.full(max(max(topics, default=0), int(labels.max(initial=0))) + 2, -1, dtype=np.int64)
    lookup[np.asarray(topics, dtype=np.int64) + 1] = np.arange(len(topics))
    rows = lookup[labels + 1]
    ok = np.flatnonzero(rows >= 0)
    onehot = sparse.csr_matrix((np.ones(len(ok), dtype=np.float32), (rows[ok], ok)), shape=(len(topics), len(labels)))
    out = np.asarray(onehot @ emb, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)


def nearest_centroid(emb: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the most similar centroid and that cosine similarity, computed in row blocks."""
    n = emb.shape[0]
    best = np.full(n, -1, dtype=np.int64)
    sim = np.full(n, -1.0, dtype=np.float32)
    if n == 0 or centroids.shape[0] == 0:
        return best, sim
    for start in range(0, n, BATCH_ROWS):
        block = emb[start : start + BATCH_ROWS] @ centroids.T
        best[start : start + BATCH_ROWS] = block.argmax(axis=1)
        sim[start : start + BATCH_ROWS] = block.max(axis=1)
    return best, sim


def _fit_sample(digests: Sequence[bytes], order: np.ndarray, params: ClusterParams) -> np.ndarray:
    """Rows (in content order) to cluster: each text at most ``2 * min_topic_size`` times, ``max_fit_docs`` at most.

    A text repeated that often can still form a topic of its own, but cannot crowd the sample.
    """
    cap = 2 * params.min_topic_size
    taken: dict[bytes, int] = {}
    keep: list[int] = []
    for i in order:
        d = digests[i]
        if taken.get(d, 0) >= cap:
            continue
        taken[d] = taken.get(d, 0) + 1
        keep.append(int(i))
        if len(keep) >= params.max_fit_docs:
            break
    return np.asarray(keep, dtype=np.int64)


def _reduce(x: np.ndarray, params: ClusterParams) -> np.ndarray:
    n = x.shape[0]
    dims = min(params.n_components, x.shape[1])
    if n <= max(3 * params.n_neighbors, 4 * dims):  # too few rows for a stable UMAP graph
        from sklearn.decomposition import PCA

        dims = max(1, min(dims, n - 1))
        return PCA(n_components=dims, svd_solver="full").fit_transform(x).astype(np.float64)
    import umap

    model = umap.UMAP(
        n_neighbors=params.n_neighbors,
        n_components=dims,
        min_dist=0.0,
        metric="cosine",
        random_state=params.random_state,
        n_jobs=1,
        low_memory=params.low_memory,
        transform_seed=params.random_state,
    )
    return np.asarray(model.fit_transform(x), dtype=np.float64)


def _hdbscan(points: np.ndarray, params: ClusterParams) -> np.ndarray:
    import hdbscan

    model = hdbscan.HDBSCAN(
        min_cluster_size=params.min_topic_size,
        min_samples=min(params.min_topic_size, 5),
        metric="euclidean",
        cluster_selection_method="eom",
        core_dist_n_jobs=1,
    )
    return np.asarray(model.fit_predict(points), dtype=np.int64)


def split_large(points: np.ndarray, labels: np.ndarray, min_size: int, max_share: float = MAX_TOPIC_SHARE,
                depth: int = 2) -> np.ndarray:
    """Split every cluster larger than ``max_share`` of the rows by clustering it again on its own.

    HDBSCAN's excess-of-mass selection prefers a few huge clusters on large, diverse samples
    (100 k reviews in four languages came out as 4 topics); a topic that holds more than
    10 % of the feedback (and more than ``50 * min_size`` rows) is rarely one theme. Its rows are
    re-clustered alone on the same reduced points (densities relative to the cluster itself reveal
    its sub-themes; leaf selection over-fragments); rows the split leaves unassigned stay in
    their cluster's best sub-cluster by centroid distance. Deterministic; ids are renumbered
    densely in order of first appearance.

    Examples:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> pts = np.vstack([rng.normal(c, 0.05, (300, 2)) for c in ((0, 0), (0, 1), (5, 5))])
        >>> labels = np.r_[np.zeros(600, int), np.ones(300, int)]  # first two blobs merged
        >>> len(set(split_large(pts, labels, min_size=5, max_share=0.5).tolist()))
        3
    """
    import hdbscan

    out = labels.copy()
    limit = max(max_share * len(labels), 50 * min_size)  # small corpora keep their few big topics
    next_id = int(out.max()) + 1 if out.size else 0
    for _ in range(depth):
        changed = False
        for lab in sorted(set(out.tolist()) - {-1}):
            rows = np.flatnonzero(out == lab)
            if len(rows) <= limit:
                continue
            sub = hdbscan.HDBSCAN(min_cluster_size=min_size, min_samples=min(min_size, 5), metric="euclidean",
                                  cluster_selection_method="eom", core_dist_n_jobs=1).fit_predict(points[rows])
            found = sorted(set(sub.tolist()) - {-1})
            if len(found) < 2:
                continue
            cents = np.stack([points[rows[sub == f]].mean(axis=0) for f in found])
            lost = sub < 0
            if lost.any():
                dist = ((points[rows[lost]][:, None, :] - cents[None]) ** 2).sum(-1)
                sub[lost] = np.asarray(found)[dist.argmin(1)]
            for k, f in enumerate(found):
                out[rows[sub == f]] = lab if k == 0 else next_id
                next_id += 0 if k == 0 else 1
            changed = True
        if not changed:
            break
    ids: dict[int, int] = {}
    for lab in out.tolist():
        if lab >= 0 and lab not in ids:
            ids[lab] = len(ids)
    return np.asarray([ids.get(lab, -1) for lab in out.tolist()], dtype=np.int64)


def _cap_outliers(labels: np.ndarray, best: np.ndarray, sim: np.ndarray, threshold: float, cap: float) -> np.ndarray:
    """Move outliers to their nearest topic when ``sim >= threshold``, then until at most ``cap`` remain."""
    out = labels.copy()
    outl = out < 0
    join = outl & (sim >= threshold) & (best >= 0)
    out[join] = best[join]
    still = np.flatnonzero(out < 0)
    allowed = int(np.floor(cap * len(out)))
    if len(still) > allowed and (best >= 0).any():
        extra = still[np.argsort(-sim[still], kind="stable")][: len(still) - allowed]
        out[extra] = best[extra]
    return out


@dataclass
class ClusterResult:
    """Labels per input row (``-1`` outlier), topic centroids and the similarity threshold used."""

    labels: np.ndarray
    topics: list[int]
    centroids: np.ndarray
    similarity: np.ndarray
    threshold: float


def cluster(emb: np.ndarray, texts: Sequence[str], params: ClusterParams) -> ClusterResult:
    """Cluster L2-normalised ``emb`` (rows aligned with ``texts``); see the module docstring."""
    n = emb.shape[0]
    digests = text_digests(texts)
    order = content_order(texts, emb, digests)
    fit_rows = _fit_sample(digests, order, params)
    labels = np.full(n, -1, dtype=np.int64)
    empty = ClusterResult(labels, [], np.zeros((0, emb.shape[1]), np.float32), np.zeros(n, np.float32), 1.0)
    if len(fit_rows) < max(params.min_topic_size, 2):
        return empty
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba / UMAP / HDBSCAN emit advisory warnings on small or odd inputs
        points = _reduce(emb[fit_rows], params)
        fit_labels = split_large(points, _hdbscan(points, params), params.min_topic_size)
    found = sorted(set(fit_labels.tolist()) - {-1})
    if not found:
        return empty
    labels[fit_rows] = fit_labels
    cents = centroids_of(emb, labels, found)
    best_idx, sim = nearest_centroid(emb, cents)
    best = np.asarray(found, dtype=np.int64)[best_idx]
    if params.outlier_threshold is None:
        # data-driven: the 1st percentile of the clustered rows' similarity to their nearest centroid
        member = labels >= 0
        own = sim[member] if member.any() else sim
        threshold = float(np.quantile(own, AUTO_QUANTILE)) if own.size else 1.0
    else:
        threshold = float(params.outlier_threshold)
    labels = _cap_outliers(labels, best, sim, threshold, params.max_outlier_share)
    cents = centroids_of(emb, labels, found)
    return ClusterResult(labels, found, cents, sim, threshold)
