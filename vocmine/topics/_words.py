"""Language-aware c-TF-IDF: top words and labels per topic and per language.

Each language present is counted with its own analyzer
(:func:`vocmine.topics.language_analyzer`), so Chinese is segmented into words
and Russian / Polish / English words are lemmas. The class-based TF-IDF weighting
is BERTopic's c-TF-IDF (``ClassTfidfTransformer``: ``tf(t, c) * log(1 + A / f(t))``,
with ``tf`` the L1-normalised count of ``t`` in class ``c``, ``A`` the average
number of words per class and ``f(t)`` the frequency of ``t`` over all classes),
computed per language over the topic rows plus the outlier row. It is
re-implemented here in a few lines so that labelling does not import BERTopic.

Examples:
    >>> from vocmine.topics._words import topic_words
    >>> w = topic_words(["card lost", "cards lost again", "refund late"], ["en"] * 3, [0, 0, 1], top_n=2)
    >>> w.words[0]["en"]
    ['card', 'lose']
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from vocmine.topics._analyzers import language_analyzer

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["TopicWords", "topic_words", "class_tfidf", "compose_labels", "UNDETERMINED"]

UNDETERMINED = "und"
#: A topic word occurs in at least this share of the topic's documents (in that language).
MIN_DOC_SHARE = 0.05
#: Words in a per-language label.
LABEL_WORDS = 3
#: A language is part of the cross-lingual label when it holds this share of the topic.
CROSS_LINGUAL_SHARE = 0.2


@dataclass
class TopicWords:
    """Per topic: ``{lang: [word, ...]}``, ``{lang: [score, ...]}`` and ``{lang: n_docs}``."""

    words: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    scores: dict[int, dict[str, list[float]]] = field(default_factory=dict)
    lang_counts: dict[int, dict[str, int]] = field(default_factory=dict)


def normalise_lang(lang: str | None) -> str:
    """Lower-case ISO code, ``"und"`` for empty or missing values."""
    code = (lang or "").strip().lower()
    return code or UNDETERMINED


def topic_words(
    texts: Sequence[str],
    langs: Sequence[str],
    topic_ids: Sequence[int] | np.ndarray,
    *,
    top_n: int = 10,
    min_docs: int = 2,
) -> TopicWords:
    """Compute the c-TF-IDF top words of every topic, separately per language.

    Args:
        texts: the documents.
        langs: one language code per document (``"und"`` when unknown).
        topic_ids: one topic id per document, ``-1`` for outliers.
        top_n: words kept per topic and language.
        min_docs: a language gets words in a topic only when the topic has at
            least this many documents in it, or when it is the topic's only language.

    Returns:
        A :class:`TopicWords` keyed by topic id (outliers excluded).
    """
    from scipy import sparse

    ids = np.asarray(topic_ids, dtype=np.int64)
    codes = np.array([normalise_lang(x) for x in langs], dtype=object)
    topics = sorted({int(t) for t in ids if t >= 0})
    out = TopicWords()
    if not topics:
        return out
    row_of = {t: i + 1 for i, t in enumerate(topics)}  # row 0 is the outlier class
    for t in topics:
        members = codes[ids == t]
        out.lang_counts[t] = dict(sorted(Counter(members.tolist()).items(), key=lambda kv: (-kv[1], kv[0])))
        out.words[t], out.scores[t] = {}, {}
    for lang in sorted(set(codes.tolist())):
        idx = np.flatnonzero(codes == lang)
        analyze = language_analyzer(lang)
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        df_rows: list[int] = []
        df_cols: list[int] = []
        for i in idx:
            toks = analyze(texts[int(i)])
            if not toks:
                continue
            r = row_of.get(int(ids[i]), 0)
            for tok in toks:
                rows.append(r)
                cols.append(vocab.setdefault(tok, len(vocab)))
            uniq = {vocab[tok] for tok in toks}
            df_rows += [r] * len(uniq)
            df_cols += sorted(uniq)
        if not vocab:
            continue
        shape = (len(topics) + 1, len(vocab))
        counts = sparse.csr_matrix((np.ones(len(rows)), (np.asarray(rows), np.asarray(cols))), shape=shape)
        docfreq = sparse.csr_matrix((np.ones(len(df_rows)), (np.asarray(df_rows), np.asarray(df_cols))), shape=shape)
        words = np.array(list(vocab), dtype=object)
        weights = class_tfidf(counts).tocsr()
        for t in topics:
            n_lang = out.lang_counts[t].get(lang, 0)
            if n_lang == 0 or (n_lang < min_docs and len(out.lang_counts[t]) > 1):
                continue
            # a topic word must occur in several of the topic's documents (>= 2, and >= 5 % of them):
            # rare words with a high idf make poor, incoherent labels
            need = max(min(2, n_lang), int(np.ceil(MIN_DOC_SHARE * n_lang)))
            row = weights.getrow(row_of[t]).multiply(docfreq.getrow(row_of[t]) >= need).tocsr()
            row.eliminate_zeros()
            if row.nnz == 0:
                continue
            # highest weight first, ties broken by the word itself (deterministic)
            order = sorted(zip(-row.data, words[row.indices]), key=lambda p: (p[0], p[1]))[:top_n]
            out.words[t][lang] = [str(w) for _, w in order]
            out.scores[t][lang] = [float(-s) for s, _ in order]
    return out


def class_tfidf(counts: Any) -> Any:
    """BERTopic's c-TF-IDF of a ``(classes, words)`` sparse count matrix (CSR in, CSR out).

    Examples:
        >>> import numpy as np
        >>> from scipy import sparse
        >>> w = class_tfidf(sparse.csr_matrix(np.array([[2.0, 0.0], [1.0, 1.0]])))
        >>> bool(w[1, 1] > w[1, 0])
        True
    """
    from scipy import sparse

    counts = sparse.csr_matrix(counts, dtype=np.float64)
    freq = np.asarray(counts.sum(axis=0)).ravel()
    avg = int(np.asarray(counts.sum(axis=1)).mean())
    idf = np.log(avg / np.maximum(freq, 1e-12) + 1.0)
    rows = np.asarray(counts.sum(axis=1)).ravel()
    tf = sparse.diags(1.0 / np.maximum(rows, 1e-12)) @ counts
    return sparse.csr_matrix(tf @ sparse.diags(idf))


def compose_labels(
    words: dict[str, list[str]], lang_counts: dict[str, int], *, fallback: str
) -> tuple[str, dict[str, str]]:
    """Build the per-language labels and the cross-lingual label of one topic.

    Each language's label joins its top three words. The cross-lingual label is
    the label of the dominant language; when further languages hold at least
    20 % of the topic (``"und"`` only when nothing else has words), it joins the
    top two words of each, dominant first: ``"delivery, courier / доставка, курьер"``.

    Args:
        words: the topic's words per language.
        lang_counts: the topic's documents per language.
        fallback: the label when no language has words.

    Returns:
        ``(label, labels)``.

    Examples:
        >>> compose_labels({"en": ["delivery", "late", "courier"], "ru": ["доставка", "курьер"]},
        ...                {"en": 6, "ru": 4}, fallback="topic 0")[0]
        'delivery, late / доставка, курьер'
    """
    labels = {lang: ", ".join(ws[:LABEL_WORDS]) for lang, ws in words.items() if ws}
    if not labels:
        return fallback, {}
    total = sum(lang_counts.values()) or 1
    ranked = sorted(labels, key=lambda lang: (-lang_counts.get(lang, 0), lang))
    known = [lang for lang in ranked if lang != UNDETERMINED]
    ranked = known or ranked
    spanning = [lang for lang in ranked if lang_counts.get(lang, 0) / total >= CROSS_LINGUAL_SHARE]
    if len(spanning) <= 1:
        return labels[ranked[0]], labels
    return " / ".join(", ".join(words[lang][:2]) for lang in spanning[:3]), labels
