"""Saving and loading a fitted pipeline: config plus its fitted, persistable components."""

from __future__ import annotations

import importlib
import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from vocmine import types as t
from vocmine.config import STAGES, PipelineConfig
from vocmine.errors import VocmineError

if TYPE_CHECKING:  # pragma: no cover
    from vocmine.pipeline._pipeline import Pipeline

__all__ = ["save_pipeline", "load_pipeline", "MANIFEST"]

MANIFEST = "pipeline.json"
_FORMAT = 1


def save_pipeline(pipe: Pipeline, path: Path) -> Path:
    """Write ``pipeline.json`` and each fitted component's own files under ``path/<stage>/``."""
    if not getattr(pipe, "fitted_", False):
        raise VocmineError("[E009] Only a fitted pipeline can be saved. Call pipeline.fit(df) first.")
    path.mkdir(parents=True, exist_ok=True)
    components: dict[str, str] = {}
    for stage in STAGES:
        comp = pipe.component(stage)
        if isinstance(comp, t.Fittable) and isinstance(comp, t.Persistable):
            comp.save(path / stage)
            cls = type(comp)
            components[stage] = f"{cls.__module__}:{cls.__qualname__}"
    manifest = {"format": _FORMAT, "config": pipe.config.to_dict(), "components": components,
                "versions": pipe.versions()}
    (path / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def load_pipeline(cls: type[Pipeline], path: Path, *, device: str | None = None) -> Pipeline:
    """Rebuild a pipeline saved by ``save_pipeline``; its fitted components are loaded, not refitted."""
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise VocmineError(
            f"[E012] {str(path)!r} is not a saved vocmine pipeline (no {MANIFEST}). "
            "Create one with `vocmine fit INPUT --out DIR` or pipeline.fit(df).save(DIR)."
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    config = PipelineConfig.from_dict(manifest["config"])
    if device is not None:
        config = replace(config, device=device)
    components = {}
    for stage, target in manifest.get("components", {}).items():
        module, _, qualname = target.partition(":")
        klass = getattr(importlib.import_module(module), qualname)
        components[stage] = klass.load(path / stage)
    pipe = cls(config, components=components)
    pipe.fitted_ = True
    return pipe
