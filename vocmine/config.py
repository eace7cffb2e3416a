"""Pipeline configuration: frozen dataclasses, loadable from TOML.

Examples:
    >>> from vocmine.config import PipelineConfig
    >>> cfg = PipelineConfig.from_dict({"seed": 7, "sentiment": {"name": "vocmine.sentiment.null.v1"}})
    >>> cfg.seed, cfg.sentiment.name
    (7, 'vocmine.sentiment.null.v1')
    >>> PipelineConfig.from_dict(cfg.to_dict()) == cfg
    True
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from vocmine.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["ComponentConfig", "PipelineConfig", "PRESETS", "STAGES"]

#: Stage names, in the order the pipeline runs them.
STAGES: tuple[str, ...] = ("embedder", "lang", "sentiment", "aspects", "topics", "touchpoints", "drivers")

_DEFAULTS: dict[str, str] = {
    "embedder": "vocmine.embed.e5_small.v1",
    "lang": "vocmine.lang.lingua.v1",
    "sentiment": "vocmine.sentiment.e5_tuned.v1",
    "aspects": "vocmine.aspects.terms.v1",
    "topics": "vocmine.topics.bertopic.v1",
    "touchpoints": "vocmine.touchpoints.embedding.v1",
    "drivers": "vocmine.drivers.impact.v1",
}

#: Named starting points (``preset = "fast"`` in TOML, ``--preset fast`` on the CLI): stage
#: components that replace the defaults; keys given beside the preset still win.
#:
#: * ``default``: the contextual encoder (multilingual-e5-small) for every stage, learned aspect terms.
#: * ``fast``: the distilled static embedder for sentiment, topics and touchpoints and sentence-level
#:   categories for aspects (no aspect terms): the throughput tier for batch scoring on CPU, about
#:   an order of magnitude faster with lower accuracy (figures in ``benchmarks/results``).
PRESETS: dict[str, dict[str, str]] = {
    "default": {},
    "fast": {"embedder": "vocmine.embed.static.v1", "sentiment": "vocmine.sentiment.e5_head.v1",
             "aspects": "vocmine.aspects.sentence_categories.v1"},
}


@dataclass(frozen=True)
class ComponentConfig:
    """A registered component name plus its keyword parameters."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:  # params is a dict; hash on its sorted repr
        return hash((self.name, repr(sorted(self.params.items()))))


def _component(stage: str) -> Any:
    return field(default_factory=lambda: ComponentConfig(_DEFAULTS[stage]))


@dataclass(frozen=True)
class PipelineConfig:
    """Everything that determines a pipeline run.

    Attributes:
        seed: random seed for every stochastic step (same input + seed -> same output).
        on_error: ``"collect"`` (bad rows go to ``result.errors``) or ``"raise"``.
        max_text_chars: texts longer than this are rejected as input errors.
        mask_pii: replace URLs, e-mails and phone numbers before modelling.
        rating_scale: ``"auto"``, ``"stars5"``, ``"nps10"``, ``"csat"`` or ``"ces"``.
        period: trend period for drivers: ``"D"``, ``"W"`` or ``"M"``.
        batch_size: texts per model batch.
        device: ``"auto"``, ``"cpu"`` or ``"cuda"``.
        label_lang: language used for labels in summaries.
        domain: ``"default"`` or a domain preset (``"hospitality"``, ``"ecommerce"``,
            ``"banking_telecom"``): the aspect categories and journey touchpoints of that domain,
            given as ``taxonomy`` to every aspects/touchpoints component that takes one (an
            explicit ``taxonomy`` param wins).
        embedder ... drivers: the component of each stage.
    """

    seed: int = 0
    on_error: str = "collect"
    max_text_chars: int = 20_000
    mask_pii: bool = False
    rating_scale: str = "auto"
    period: str = "M"
    batch_size: int = 32
    device: str = "auto"
    label_lang: str = "en"
    domain: str = "default"
    embedder: ComponentConfig = _component("embedder")
    lang: ComponentConfig = _component("lang")
    sentiment: ComponentConfig = _component("sentiment")
    aspects: ComponentConfig = _component("aspects")
    topics: ComponentConfig = _component("topics")
    touchpoints: ComponentConfig = _component("touchpoints")
    drivers: ComponentConfig = _component("drivers")

    def __post_init__(self) -> None:
        checks = {
            "on_error": (self.on_error, ("collect", "raise")),
            "rating_scale": (self.rating_scale, ("auto", "stars5", "nps10", "csat", "ces")),
            "period": (self.period, ("D", "W", "M")),
            "device": (self.device, ("auto", "cpu", "cuda")),
            "label_lang": (self.label_lang, ("en", "ru", "pl", "zh")),
            "domain": (self.domain, tuple(_domains())),
        }
        for key, (value, allowed) in checks.items():
            if value not in allowed:
                raise ConfigError(f"[E004] Config {key}={value!r} is invalid. Expected one of {list(allowed)}.")
        for key in ("max_text_chars", "batch_size"):
            value = getattr(self, key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"[E004] Config {key}={value!r} is invalid. Expected a positive integer.")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise ConfigError(f"[E004] Config seed={self.seed!r} is invalid. Expected an integer.")

    def component(self, stage: str) -> ComponentConfig:
        """Return the component configured for ``stage`` (one of ``STAGES``)."""
        if stage not in STAGES:
            raise ConfigError(f"[E004] Unknown stage {stage!r}. Expected one of {list(STAGES)}.")
        value: ComponentConfig = getattr(self, stage)
        return value

    def with_stage(self, stage: str, name: str, **params: Any) -> PipelineConfig:
        """Return a copy with ``stage`` set to component ``name`` with ``params``."""
        self.component(stage)
        changes: dict[str, Any] = {stage: ComponentConfig(name, dict(params))}
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON/TOML-serialisable dict (inverse of ``from_dict``)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PipelineConfig:
        """Build a config from a plain dict; stages may be a name or ``{name, params}``.

        A ``preset`` key (a name in ``PRESETS``) fills the stages it names; the other keys win.

        Examples:
            >>> PipelineConfig.from_dict({"preset": "fast", "seed": 1}).embedder.name
            'vocmine.embed.static.v1'
        """
        if not isinstance(data, dict):
            raise ConfigError(f"[E004] Config must be a table/dict, got {type(data).__name__}.")
        if "preset" in data:
            data = {**_preset(data["preset"]), **{k: v for k, v in data.items() if k != "preset"}}
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"[E004] Unknown config key(s) {unknown}. Known keys: {sorted(known)}.")
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key in STAGES:
                kwargs[key] = _parse_component(key, value)
            else:
                kwargs[key] = value
        return cls(**kwargs)

    @classmethod
    def preset(cls, name: str, **changes: Any) -> PipelineConfig:
        """The config of preset ``name`` (see ``PRESETS``) with ``changes`` applied.

        Examples:
            >>> PipelineConfig.preset("fast").aspects.name
            'vocmine.aspects.sentence_categories.v1'
        """
        return cls.from_dict({"preset": name, **changes})

    @classmethod
    def from_toml(cls, path: str | Path, *, preset: str | None = None) -> PipelineConfig:
        """Load a config from a TOML file.

        Examples:
            >>> import tempfile, pathlib
            >>> p = pathlib.Path(tempfile.mkdtemp()) / "cfg.toml"
            >>> _ = p.write_text('seed = 3\\n[topics]\\nname = "vocmine.topics.null.v1"\\n')
            >>> PipelineConfig.from_toml(p).topics.name
            'vocmine.topics.null.v1'
        """
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"[E004] Config file {str(p)!r} does not exist.") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"[E004] Config file {str(p)!r} is not valid TOML: {exc}.") from exc
        if preset is not None:
            data.setdefault("preset", preset)
        return cls.from_dict(data)


def _domains() -> list[str]:
    from vocmine.resources._taxonomy import available_taxonomies

    return available_taxonomies("categories")


def _preset(name: Any) -> dict[str, str]:
    if not isinstance(name, str) or name not in PRESETS:
        raise ConfigError(f"[E004] Unknown preset {name!r}. Expected one of {sorted(PRESETS)}.")
    return PRESETS[name]


def _parse_component(stage: str, value: Any) -> ComponentConfig:
    if isinstance(value, ComponentConfig):
        return value
    if isinstance(value, str):
        return ComponentConfig(value)
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        extra = sorted(set(value) - {"name", "params"})
        if extra:
            raise ConfigError(f"[E004] Stage [{stage}] has unknown key(s) {extra}; use 'name' and 'params'.")
        params = value.get("params", {})
        if not isinstance(params, dict):
            raise ConfigError(f"[E004] Stage [{stage}] params must be a table, got {type(params).__name__}.")
        return ComponentConfig(value["name"], dict(params))
    raise ConfigError(
        f"[E004] Stage {stage!r} must be a component name or a table with 'name' (and 'params'); got {value!r}."
    )
