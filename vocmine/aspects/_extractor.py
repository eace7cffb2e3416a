"""Learned aspect-term extraction with mention polarity, mapped to cross-lingual categories.

``TermAspectExtractor`` finds the opinion targets (aspect terms) of each sentence with a
small trained network on the frozen token states of the shared multilingual encoder
(``embedder.token_embeddings``; long texts are windowed by the encoder, so offsets stay
exact), classifies each mention's polarity, normalises the term (``lemma``) and maps it to
a category of the taxonomy with :class:`~vocmine.aspects.CategoryMapper` (``"OTHER"`` when
none fits; nothing is dropped). The network, its data, licences and scores are described in
``models/aspects-e5/MODEL_CARD.md``.

Examples:
    >>> from vocmine.aspects import TermAspectExtractor
    >>> extractor = TermAspectExtractor()  # doctest: +SKIP
    >>> [(m.aspect, m.polarity) for m in extractor.extract(
    ...     ["The pizza was great but the delivery took two hours."], langs=["en"])[0]]  # doctest: +SKIP
    [('pizza', 'positive'), ('delivery', 'negative')]
"""

from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from vocmine.aspects._lemma import term_lemma
from vocmine.aspects._spans import char_span, decode_bio, mention_window, token_range
from vocmine.aspects._term_train import N_DIST
from vocmine.aspects._term_weights import (
    base_embedder_name,
    find_term_model,
    load_term_model,
    model_layers,
    polarity_columns,
)
from vocmine.embed._util import accepts_keyword
from vocmine.errors import ConfigError, InputRowError, VocmineWarning
from vocmine.types import SENTIMENT_LABELS, Mention

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from vocmine.aspects._categories import CategoryMapper
    from vocmine.aspects._term_weights import TermModel
    from vocmine.types import Embedder

__all__ = ["TermAspectExtractor"]

logger = logging.getLogger(__name__)

#: Name of the default encoder; its term model is the one shipped with vocmine.
DEFAULT_EMBEDDER = "multilingual-e5-small"
#: Mentions classified per forward pass (bounds memory on texts with very many mentions).
MENTION_CHUNK = 256
#: Texts per encoder call in ``extract``/``classify`` (bounds the token states held at once).
TEXT_CHUNK = 1024
#: Weight of the sentence's sentiment in a mention's polarity (log-linear mix with the mention
#: network), when the extractor is given the sentiment model (the pipeline gives it its own).
SENTENCE_WEIGHT = 0.2  # chosen on the training hold-out by benchmarks/aspects_sentence_weight.py (per network;
#                        the session-13 network: 0.0 and 0.2 tie at 0.7954 to 4 decimals; 0.2 has the higher
#                        pooled accuracy; see models/aspects-e5/MODEL_CARD.md)
#: Minimum attention weight for a word to be reported as the mention's opinion word.
OPINION_MIN_ATTENTION = 0.25


class TermAspectExtractor:
    """``AspectExtractor``: aspect terms + polarity + category for each given sentence.

    For every text it returns the aspect terms the tagger finds, as ``Mention`` records
    whose ``start``/``end`` slice that text to exactly ``aspect`` (spans are widened to
    whole words and stripped of edge punctuation), with

    * ``polarity`` / ``score``: the mention's class and ``P(positive) - P(negative)``;
    * ``opinion``: the word the polarity attention weighs most (outside the term), when
      that weight is at least 0.25, else ``""`` (unsupervised, indicative only);
    * ``lemma``: the normalised term (pymorphy3 for ru, simplemma for pl/en, the term for zh);
    * ``category`` / ``category_score``: ``CategoryMapper.map`` of the term with its sentence
      as context (``"OTHER"`` below the mapper's threshold).

    Args:
        embedder: an ``Embedder`` that also offers ``token_embeddings(texts, batch_size=)``;
            ``None`` loads the default :class:`vocmine.embed.E5Embedder` on first use.
        model_path: a term-model ``.npz`` or a folder holding ``<embedder name>.npz``;
            ``None`` searches ``$VOCMINE_MODEL_DIR/aspects-e5``, the repository's
            ``models/aspects-e5`` and the copy inside the package.
        category_mapper: a :class:`CategoryMapper`; ``None`` builds one on ``embedder``
            (behind a :class:`~vocmine.embed.CachedEmbedder`, so repeated terms and the shared
            sentence context are embedded once).
        batch_size: sentences per encoder / network batch.
        random_state: kept for API symmetry (inference is deterministic).
        category_context: give the mapper the sentence as context (one more sentence
            embedding per text; free when the pipeline's embedder caches them).
        lemmatizer: ``(term, lang) -> lemma``; ``None`` uses the built-in per-language table.
        sentiment: a sentence sentiment model (the pipeline passes its own); each mention's
            polarity is then a log-linear mix of the mention network's probabilities and the
            sentence's (weight ``sentence_weight``): the sentence model reads Russian polarity
            better, the mention network contrasting aspects. ``None``: mention network only.
        sentence_weight: the sentence's weight in that mix, in [0, 1] (default ``SENTENCE_WEIGHT``).
        taxonomy: category taxonomy for the built-in mapper (a preset name or a YAML path;
            config: ``[aspects.params] taxonomy = "my_categories.yaml"``); ignored when
            ``category_mapper`` is given.
        category_threshold: the built-in mapper's confidence threshold (below it: ``OTHER``).

    Examples:
        >>> from vocmine.aspects import TermAspectExtractor
        >>> TermAspectExtractor(batch_size=8).extract([], langs=[])
        []
    """

    def __init__(
        self,
        *,
        embedder: Embedder | None = None,
        model_path: str | Path | None = None,
        category_mapper: CategoryMapper | None = None,
        taxonomy: str | Path = "default",
        category_threshold: float = 0.1,
        batch_size: int = 32,
        random_state: int = 0,
        category_context: bool = True,
        lemmatizer: Callable[[str, str], str] | None = None,
        sentiment: Any = None,
        sentence_weight: float = SENTENCE_WEIGHT,
    ) -> None:
        if not 0.0 <= sentence_weight <= 1.0:
            raise ConfigError(f"[E004] sentence_weight must be in [0, 1], got {sentence_weight}. Fix: 0 switches it off.")
        self.sentiment = sentiment
        self.sentence_weight = sentence_weight
        self.embedder = embedder
        self.model_path = model_path
        self.category_mapper = category_mapper
        self.taxonomy = taxonomy
        self.category_threshold = category_threshold
        self.batch_size = batch_size
        self.random_state = random_state
        self.category_context = category_context
        self.lemmatizer = lemmatizer
        self._embedder: Any = embedder
        self._model: TermModel | None = None
        self._net: Any = None
        self._pol_net: Any = None  # a separate polarity network, when the model has one
        self._pol_columns: np.ndarray | None = None
        self._mapper: CategoryMapper | None = category_mapper

    # ------------------------------------------------------------------ loading
    def _get_embedder(self) -> Any:
        if self._embedder is None:
            from vocmine.embed._e5 import E5Embedder

            self._embedder = E5Embedder()
        if not callable(getattr(self._embedder, "token_embeddings", None)):
            raise ConfigError(
                f"[E006] TermAspectExtractor needs token states, but embedder "
                f"{getattr(self._embedder, 'name', self._embedder)!r} has no token_embeddings(). "
                "Fix: use the default encoder (vocmine.embed.e5_small.v1) or another transformer embedder."
            )
        return self._embedder

    def _get_net(self) -> Any:
        if self._net is None:
            if not isinstance(self.batch_size, int) or self.batch_size < 1:
                raise ConfigError(f"[E004] batch_size must be a positive int, got {self.batch_size!r}.")
            name = str(getattr(self._get_embedder(), "name", DEFAULT_EMBEDDER))
            path = find_term_model(name, self.model_path)
            model = load_term_model(path)
            trained_for = base_embedder_name(str(model.meta.get("embedder", "")))
            if trained_for and trained_for != base_embedder_name(name):
                warnings.warn(
                    f"Aspect-term model {path} was trained on embedder {trained_for!r} but is used with {name!r}; "
                    "its output is unreliable. Pass a matching embedder or model.",
                    VocmineWarning,
                    stacklevel=3,
                )
            self._model, self._net = model, model.build()
            if model.polarity is not None:
                self._pol_columns = polarity_columns(model)
                self._pol_net = model.polarity.build()
        return self._net

    def _token_states(self, texts: list[str]) -> list[Any]:
        """Token states of ``texts`` from the encoder layer the term model was trained on."""
        embedder = self._get_embedder()
        layer = model_layers(self._model.meta) if self._model is not None else None
        if layer is None:
            return list(embedder.token_embeddings(texts, batch_size=self.batch_size))
        wanted = layer[0] if len(layer) == 1 else layer
        if not accepts_keyword(embedder.token_embeddings, "layer"):
            raise ConfigError(
                f"[E006] The aspect-term model was trained on layer {wanted} token states, but "
                f"{getattr(embedder, 'name', embedder)!r}.token_embeddings() takes no layer=. Fix: use the "
                "default encoder (vocmine.embed.e5_small.v1) or a term model trained on your embedder."
            )
        return list(embedder.token_embeddings(texts, batch_size=self.batch_size, layer=wanted))

    def _get_mapper(self) -> CategoryMapper:
        if self._mapper is None:
            from vocmine.aspects._categories import CategoryMapper
            from vocmine.embed import CachedEmbedder

            # terms repeat and every mention of a text shares its context: embed each once
            self._mapper = CategoryMapper(
                embedder=CachedEmbedder(self._get_embedder(), max_items=50_000),
                taxonomy=self.taxonomy,
                threshold=self.category_threshold,
            )
        return self._mapper

    # ------------------------------------------------------------------ public
    def extract(self, texts: Sequence[str], *, langs: Sequence[str]) -> list[list[Mention]]:
        """Return the aspect mentions of each text, in text order (an empty list when none).

        Args:
            texts: sentences (documents work, but sentences give cleaner polarity).
            langs: ISO 639-1 code (or ``"und"``) per text; used for lemmas only.

        Returns:
            One list of :class:`~vocmine.types.Mention` per text.

        Raises:
            ConfigError: ``langs`` does not have one entry per text.
            InputRowError: a text is not a string.
        """
        items = _check(texts, langs)
        out: list[list[Mention]] = [[] for _ in items]
        keep = [i for i, t in enumerate(items) if t.strip()]
        if not keep:
            return out
        found = self._run([items[i] for i in keep], spans=None, langs=[str(langs[i]) for i in keep])
        flat = [(row, m) for row, mentions in enumerate(found) for m in mentions]
        if not flat:
            return out
        terms = [items[keep[row]][s:e] for row, (s, e, *_rest) in flat]
        mlangs = [str(langs[keep[row]]) for row, _ in flat]
        contexts = [items[keep[row]] for row, _ in flat] if self.category_context else None
        cats = self._get_mapper().map(terms, langs=mlangs, contexts=contexts)
        lemma = self.lemmatizer or term_lemma
        for (row, (s, e, label, score, opinion)), term, lang, (cat, conf) in zip(flat, terms, mlangs, cats):
            out[keep[row]].append(Mention(s, e, term, lemma(term, lang), cat, float(conf), label, score, opinion))
        return out

    def classify(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], *, langs: Sequence[str]
    ) -> list[list[tuple[str, float]]]:
        """Polarity of given aspect spans (e.g. gold terms), without extraction or categories.

        A span ``(0, len(text))`` asks for the polarity of the whole sentence (its implicit
        aspects). Spans that cover no token get ``("neutral", 0.0)``.

        Args:
            texts: sentences.
            spans: per text, the ``(start, end)`` character ranges to classify.
            langs: ISO 639-1 code per text (unused by the network; checked for length).

        Returns:
            Per text, one ``(polarity, score)`` per span, in the given order.

        Examples:
            >>> TermAspectExtractor().classify([], [], langs=[])
            []
        """
        items = _check(texts, langs)
        if len(spans) != len(items):
            raise ConfigError(f"[E004] spans must have one entry per text: got {len(spans)} for {len(items)} texts.")
        out: list[list[tuple[str, float]]] = [[("neutral", 0.0)] * len(s) for s in spans]
        keep = [i for i, t in enumerate(items) if t.strip() and len(spans[i])]
        if not keep:
            return out
        found = self._run([items[i] for i in keep], spans=[list(spans[i]) for i in keep],
                          langs=[str(langs[i]) for i in keep])
        for row, i in enumerate(keep):
            if len(found[row]) == len(spans[i]):  # texts without tokens keep the neutral default
                out[i] = [(label, score) for _s, _e, label, score, _o in found[row]]
        return out

    # ------------------------------------------------------------------ internals
    def _sentence_probs(self, texts: list[str], langs: list[str]) -> np.ndarray | None:
        """Sentence sentiment probabilities of ``texts`` (``None`` without a sentiment model or weight)."""
        from vocmine._null import NullSentiment

        if self.sentiment is None or isinstance(self.sentiment, NullSentiment) or self.sentence_weight == 0.0 or not texts:
            return None
        probs = np.asarray(self.sentiment.predict(texts, langs=langs).probs, dtype=np.float64)
        if probs.shape != (len(texts), 3) or not np.all(np.isfinite(probs)) or not np.any(probs):
            return None  # a model that gives no usable probabilities: mention polarity alone
        return np.clip(probs, 1e-6, 1.0)

    def _run(
        self, texts: list[str], *, spans: list[list[tuple[int, int]]] | None, langs: list[str] | None = None
    ) -> list[list[tuple[int, int, str, float, str]]]:
        """Tag (or take ``spans``) and classify: per text ``(start, end, label, score, opinion)``.

        Texts go to the encoder ``TEXT_CHUNK`` at a time, so the token states held at once stay
        bounded (they are ``dim`` floats per token: ~0.5 GB for 8,000 sentences at 768-d).
        """
        out: list[list[tuple[int, int, str, float, str]]] = []
        langs = langs if langs is not None else ["und"] * len(texts)
        for c0 in range(0, len(texts), TEXT_CHUNK):
            part = None if spans is None else spans[c0 : c0 + TEXT_CHUNK]
            out += self._run_chunk(texts[c0 : c0 + TEXT_CHUNK], spans=part, langs=langs[c0 : c0 + TEXT_CHUNK])
        return out

    def _run_chunk(
        self, texts: list[str], *, spans: list[list[tuple[int, int]]] | None, langs: list[str]
    ) -> list[list[tuple[int, int, str, float, str]]]:
        import torch

        net = self._get_net()
        tokens = self._token_states(texts)
        sentence = self._sentence_probs(texts, langs)  # after the token pass, which may feed a tapped model
        if len(tokens) != len(texts):
            raise ConfigError(f"[E013] token_embeddings returned {len(tokens)} results for {len(texts)} texts.")
        dims = {int(np.shape(t.vectors)[1]) for t in tokens if len(t.offsets)}
        if dims - {net.dim}:
            raise ConfigError(
                f"[E004] The embedder's token states have dimension {sorted(dims)}, but the aspect-term model "
                f"expects {net.dim}. Fix: use the embedder the model was trained on or pass a matching model_path=."
            )
        results: list[list[tuple[int, int, str, float, str]]] = [[] for _ in texts]
        order = sorted(range(len(texts)), key=lambda i: -len(tokens[i].offsets))
        with torch.inference_mode():
            for b0 in range(0, len(order), self.batch_size):
                idx = [i for i in order[b0 : b0 + self.batch_size] if len(tokens[i].offsets)]
                if idx:
                    self._batch(net, torch, texts, tokens, idx, spans, results, sentence)
        return results

    def _batch(self, net: Any, torch: Any, texts: list[str], tokens: list[Any], idx: list[int],
               spans: list[list[tuple[int, int]]] | None, results: list[list[tuple[int, int, str, float, str]]],
               sentence: np.ndarray | None = None) -> None:
        lengths = [len(tokens[i].offsets) for i in idx]
        width = max(lengths)
        x = np.zeros((len(idx), width, net.dim), dtype=np.float32)
        for b, i in enumerate(idx):
            x[b, : lengths[b]] = tokens[i].vectors
        xt, lt = torch.from_numpy(x), torch.tensor(lengths)
        z = net.context(xt, lt) if spans is None or self._pol_net is None else None
        probs = torch.softmax(net.tagger(z), dim=-1).numpy() if spans is None else None
        rows, ranges, owners = [], [], []
        for b, i in enumerate(idx):
            offsets = np.asarray(tokens[i].offsets)
            if probs is not None:
                cands = _mentions_from_tags(texts[i], offsets, probs[b, : lengths[b]])
            else:
                cands = [(s, e, token_range(offsets, s, e)) for s, e in spans[i]]  # type: ignore[index]
            for s, e, rng in cands:
                rows.append(b)
                ranges.append(rng)
                owners.append((i, s, e))
        if not rows:
            return
        if self._pol_net is not None:
            # the model's separate polarity network, on its layers' columns, for the rows with mentions only
            keep = sorted(set(rows))
            where = {b: k for k, b in enumerate(keep)}
            sub = xt[torch.tensor(keep)]
            cols = self._pol_columns
            net = self._pol_net
            z = net.context(sub if cols is None else sub[..., torch.from_numpy(cols)], lt[torch.tensor(keep)])
            rows, lengths = [where[b] for b in rows], [lengths[b] for b in keep]
        prior = None if sentence is None else sentence[[i for i, _s, _e in owners]]
        labels, scores, att = self._polarity(net, torch, z, rows, ranges, lengths, prior)
        for k, (i, s, e) in enumerate(owners):
            if ranges[k] is None:
                results[i].append((s, e, "neutral", 0.0, ""))
                continue
            opinion = _opinion(texts[i], np.asarray(tokens[i].offsets), att[k], ranges[k])
            results[i].append((s, e, labels[k], scores[k], opinion))

    def _polarity(self, net: Any, torch: Any, z: Any, rows: list[int], ranges: list[Any], lengths: list[int],
                  prior: np.ndarray | None = None) -> tuple[list[str], list[float], list[np.ndarray]]:
        from vocmine.aspects._term_net import gather_mentions

        labels, scores = ["neutral"] * len(rows), [0.0] * len(rows)
        att_out = [np.zeros(0, dtype=np.float32)] * len(rows)
        valid = [k for k, r in enumerate(ranges) if r is not None]
        for c0 in range(0, len(valid), MENTION_CHUNK):
            chunk = valid[c0 : c0 + MENTION_CHUNK]
            zw, tok, span, dist, _starts = gather_mentions(z, [rows[k] for k in chunk], [ranges[k] for k in chunk],
                                                          lengths, N_DIST)
            logits, att = net.polarity(zw, tok, span, dist)
            p = torch.softmax(logits, dim=-1).numpy().astype(np.float64)
            if prior is not None:  # log-linear mix with the sentence's sentiment (see SENTENCE_WEIGHT)
                w = self.sentence_weight
                mixed = (1.0 - w) * np.log(np.clip(p, 1e-6, 1.0)) + w * np.log(prior[chunk])
                p = np.exp(mixed - mixed.max(axis=1, keepdims=True))
                p /= p.sum(axis=1, keepdims=True)
            att_np = att.numpy()
            for r, k in enumerate(chunk):
                labels[k] = SENTIMENT_LABELS[int(p[r].argmax())]
                scores[k] = float(np.clip(p[r, 2] - p[r, 0], -1.0, 1.0))
                full = np.zeros(lengths[rows[k]], dtype=np.float32)
                lo, hi = mention_window(lengths[rows[k]], *ranges[k])
                full[lo:hi] = att_np[r, : hi - lo]
                att_out[k] = full
        return labels, scores, att_out


def _check(texts: Sequence[str], langs: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise InputRowError("[E003] texts must be a sequence of str, got a single str. Fix: wrap it in a list.")
    items = list(texts)
    if len(langs) != len(items):
        raise ConfigError(f"[E004] langs must have one entry per text: got {len(langs)} for {len(items)} texts.")
    for i, t in enumerate(items):
        if not isinstance(t, str):
            raise InputRowError(
                f"[E003] texts[{i}] must be a str, got {type(t).__name__} ({t!r:.40}). Fix: convert or drop it."
            )
    return items


def _mentions_from_tags(text: str, offsets: np.ndarray, probs: np.ndarray) -> list[tuple[int, int, Any]]:
    """Greedy BIO decoding -> cleaned, non-overlapping character spans with their token ranges."""
    tags = probs.argmax(axis=1)
    out: list[tuple[int, int, Any]] = []
    last_end = -1
    for i, j in decode_bio(tags, offsets):
        span = char_span(text, int(offsets[i, 0]), int(offsets[j - 1, 1]))
        if span is None:
            continue
        s, e = span
        if s < last_end:  # widened into the previous mention: merge them
            s0, _e0, _ = out.pop()
            s, e = s0, max(e, _e0)
        out.append((s, e, token_range(offsets, s, e)))
        last_end = e
    return out


def _opinion(text: str, offsets: np.ndarray, att: np.ndarray, rng: tuple[int, int]) -> str:
    """The word (outside the mention) with the largest polarity attention, if weighty enough."""
    n = len(offsets)
    if n == 0:
        return ""
    weights = att[:n].copy()
    weights[rng[0] : rng[1]] = 0.0
    k = int(weights.argmax())
    if weights[k] < OPINION_MIN_ATTENTION:
        return ""
    span = char_span(text, int(offsets[k, 0]), int(offsets[k, 1]))
    if span is None or not any(ch.isalpha() for ch in text[span[0] : span[1]]):
        return ""
    return text[span[0] : span[1]]
