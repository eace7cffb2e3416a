"""Customer-experience taxonomies (aspect categories, journey touchpoints) as package data.

One loader serves both kinds. A taxonomy is a YAML file with ``kind`` and a list of
``items``; each item has an ``id``, per-language ``names``, ``descriptions`` and seed
``examples`` (prototypes for embedding similarity, not keywords), plus for categories a
default ``touchpoint`` and for touchpoints an optional list of evidence ``categories``.
Built-in presets live in ``vocmine/resources`` (``categories.yaml`` with its domain subsets in
``category_presets.yaml``, ``touchpoints/<preset>.yaml``); users pass a preset name or a path
to their own file.

Examples:
    >>> from vocmine.resources import load_taxonomy
    >>> cats = load_taxonomy("default", kind="categories")
    >>> cats.get("DELIVERY").touchpoint
    'delivery'
    >>> cats.label("DELIVERY", "ru")
    'Доставка'
    >>> load_taxonomy("hospitality", kind="touchpoints").ids[:2]
    ('booking', 'location_access')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from vocmine.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping

__all__ = [
    "TaxonomyItem", "Taxonomy", "load_taxonomy", "available_taxonomies", "taxonomy_specs", "KINDS", "OTHER", "UNASSIGNED",
]

#: Id given to an aspect that matches no category (reserved; not allowed in a file).
OTHER = "OTHER"
#: Id given to a document that matches no touchpoint (reserved; not allowed in a file).
UNASSIGNED = "unassigned"

#: Per kind: the id pattern, the reserved fallback id and its labels.
_KIND_SPEC: dict[str, tuple[re.Pattern[str], str, dict[str, str]]] = {
    "categories": (
        re.compile(r"^[A-Z][A-Z0-9_]*$"),
        OTHER,
        {"en": "Other", "ru": "Другое", "pl": "Inne", "zh": "其他"},
    ),
    "touchpoints": (
        re.compile(r"^[a-z][a-z0-9_]*$"),
        UNASSIGNED,
        {"en": "Unassigned", "ru": "Не определено", "pl": "Nieprzypisane", "zh": "未分配"},
    ),
}
KINDS: tuple[str, ...] = tuple(_KIND_SPEC)
_ID_STYLE = {"categories": "UPPER_SNAKE_CASE", "touchpoints": "lower_snake_case"}
_TOP_KEYS = {"kind", "version", "languages", "items"}
_ITEM_KEYS = {
    "categories": {"id", "names", "descriptions", "examples", "touchpoint"},
    "touchpoints": {"id", "names", "descriptions", "examples", "categories"},
}
_LANG = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class TaxonomyItem:
    """One category or touchpoint.

    Attributes:
        id: stable identifier (``DELIVERY`` for categories, ``delivery`` for touchpoints).
        names: short label per language code.
        descriptions: one-sentence description per language code.
        examples: seed phrases per language code (embedding prototypes, not keywords).
        touchpoint: a category's default journey touchpoint id (``None`` for touchpoints).
        categories: category ids that are evidence for a touchpoint; listing a category
            overrides its default ``touchpoint`` (empty for categories).
    """

    id: str
    names: Mapping[str, str]
    descriptions: Mapping[str, str] = field(default_factory=dict)
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    touchpoint: str | None = None
    categories: tuple[str, ...] = ()

    def texts(self) -> list[str]:
        """Every name, description and example in every language (the prototype texts).

        Examples:
            >>> TaxonomyItem("X", {"en": "x"}, {"en": "an x"}, {"en": ("x1",)}).texts()
            ['x', 'an x', 'x1']
        """
        out = list(self.names.values()) + list(self.descriptions.values())
        for phrases in self.examples.values():
            out.extend(phrases)
        return out


@dataclass(frozen=True)
class Taxonomy:
    """An ordered, immutable set of taxonomy items of one ``kind``.

    Attributes:
        items: the items in file order.
        kind: ``"categories"`` or ``"touchpoints"``.
        source: the preset name or file path it was loaded from.
    """

    items: tuple[TaxonomyItem, ...]
    kind: str
    source: str = ""

    @property
    def ids(self) -> tuple[str, ...]:
        """Item ids in file order."""
        return tuple(item.id for item in self.items)

    @property
    def fallback(self) -> str:
        """The reserved id for "no match" (``"OTHER"`` or ``"unassigned"``)."""
        return _KIND_SPEC[self.kind][1]

    def get(self, item_id: str) -> TaxonomyItem:
        """Return the item with this id.

        Raises:
            ConfigError: no item has this id.

        Examples:
            >>> load_taxonomy("default", kind="touchpoints").get("support").id
            'support'
        """
        for item in self.items:
            if item.id == item_id:
                return item
        raise ConfigError(
            f"[E004] Unknown {self.kind} id {item_id!r} in taxonomy {self.source!r}. "
            f"Expected one of {list(self.ids)}. Use an id from the taxonomy."
        )

    def label(self, item_id: str, lang: str = "en") -> str:
        """Human label of an id in ``lang``, falling back to English, then any, then the id.

        The reserved fallback id (``OTHER`` / ``unassigned``) has built-in labels.

        Examples:
            >>> cats = load_taxonomy("default", kind="categories")
            >>> cats.label("PRICE", "zh"), cats.label("PRICE", "xx"), cats.label("OTHER", "pl")
            ('价格', 'Price and value', 'Inne')
        """
        if item_id == self.fallback:
            names: Mapping[str, str] = _KIND_SPEC[self.kind][2]
        else:
            names = self.get(item_id).names
        return names.get(lang) or names.get("en") or next(iter(names.values()), item_id)


def available_taxonomies(kind: str = "touchpoints") -> list[str]:
    """Names of the built-in presets of one kind.

    Examples:
        >>> available_taxonomies("touchpoints")
        ['banking_telecom', 'default', 'ecommerce', 'hospitality']
        >>> available_taxonomies("categories")
        ['banking_telecom', 'default', 'ecommerce', 'hospitality']
    """
    _check_kind(kind)
    if kind == "categories":
        return sorted(["default", *_category_presets()])
    folder = resources.files("vocmine.resources").joinpath("touchpoints")
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_taxonomy(name_or_path: str | Path | Taxonomy, kind: str = "categories") -> Taxonomy:
    """Load a built-in preset by name or a user YAML file by path, and validate it.

    Args:
        name_or_path: a preset name (see :func:`available_taxonomies`), a path to a
            ``.yaml``/``.yml`` file with the same schema as the built-in files, or an
            already loaded ``Taxonomy`` (returned as is after checking its kind).
        kind: ``"categories"`` or ``"touchpoints"``.

    Returns:
        The validated, immutable taxonomy (presets are cached).

    Raises:
        ConfigError: ``[E004]`` unknown preset, unreadable file, or a schema error that
            names the file and the offending field.

    Examples:
        >>> tps = load_taxonomy("default", kind="touchpoints")
        >>> len(tps.items), tps.items[0].id
        (10, 'discovery')
        >>> sorted(tps.get("delivery").names)
        ['en', 'pl', 'ru', 'zh']
    """
    _check_kind(kind)
    if isinstance(name_or_path, Taxonomy):
        if name_or_path.kind != kind:
            raise ConfigError(
                f"[E004] Expected a {kind} taxonomy, got a {name_or_path.kind} one ({name_or_path.source!r}). "
                f"Load it with kind={name_or_path.kind!r} or pass a {kind} taxonomy."
            )
        return name_or_path
    is_path = isinstance(name_or_path, Path) or str(name_or_path).endswith((".yaml", ".yml")) or (
        "/" in str(name_or_path) or "\\" in str(name_or_path)
    )
    if is_path:
        path = Path(name_or_path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"[E004] Cannot read {kind} taxonomy file '{path}': {exc}. "
                "Pass an existing UTF-8 YAML file or a preset name."
            ) from None
        return _parse(text, kind, str(path))
    return _load_preset(str(name_or_path), kind)


@lru_cache(maxsize=16)
def _load_preset(name: str, kind: str) -> Taxonomy:
    presets = available_taxonomies(kind)
    if name not in presets:
        raise ConfigError(
            f"[E004] Unknown {kind} taxonomy preset {name!r}. Expected one of {presets} "
            "or a path to a .yaml file."
        )
    root = resources.files("vocmine.resources")
    if kind == "categories":
        full = _parse(root.joinpath("categories.yaml").read_text(encoding="utf-8"), kind, "default")
        if name == "default":
            return full
        keep = set(_category_presets()[name])
        return Taxonomy(tuple(item for item in full.items if item.id in keep), kind, name)
    return _parse(root.joinpath("touchpoints").joinpath(f"{name}.yaml").read_text(encoding="utf-8"), kind, name)


@lru_cache(maxsize=1)
def _category_presets() -> dict[str, tuple[str, ...]]:
    """Domain presets of the categories: name -> the category ids it keeps (``category_presets.yaml``)."""
    import yaml

    text = resources.files("vocmine.resources").joinpath("category_presets.yaml").read_text(encoding="utf-8")
    return {str(name): tuple(ids) for name, ids in yaml.safe_load(text).items()}


def taxonomy_specs(config: dict[str, Any] | None) -> dict[str, str]:
    """The taxonomies (preset name or YAML path) a result's touchpoints and categories come from.

    Read from the result's config: the ``taxonomy`` param of the touchpoints and aspects
    components, else the config's ``domain``, else ``"default"``.

    Examples:
        >>> taxonomy_specs({"touchpoints": {"name": "x", "params": {"taxonomy": "banking"}}})
        {'touchpoints': 'banking', 'categories': 'default'}
    """
    cfg = config or {}
    domain = cfg.get("domain")
    fallback = domain if isinstance(domain, str) and domain.strip() else "default"
    out = {}
    for kind, stage in (("touchpoints", "touchpoints"), ("categories", "aspects")):
        comp = cfg.get(stage)
        params = comp.get("params") if isinstance(comp, dict) else None
        spec = params.get("taxonomy") if isinstance(params, dict) else None
        out[kind] = str(spec) if isinstance(spec, str) and spec.strip() else fallback
    return out


def _check_kind(kind: str) -> None:
    if kind not in _KIND_SPEC:
        raise ConfigError(f"[E004] Taxonomy kind {kind!r} is invalid. Expected one of {list(KINDS)}.")


def _parse(text: str, kind: str, source: str) -> Taxonomy:
    import yaml

    def fail(where: str, problem: str) -> ConfigError:
        return ConfigError(f"[E004] Invalid {kind} taxonomy '{source}', field '{where}': {problem}")

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise fail("<file>", f"not valid YAML ({exc}). Fix the YAML syntax.") from None
    if not isinstance(data, dict):
        raise fail("<file>", f"expected a mapping with 'kind' and 'items', got {type(data).__name__}.")
    extra = sorted(set(data) - _TOP_KEYS)
    if extra:
        raise fail("<file>", f"unknown keys {extra}; allowed {sorted(_TOP_KEYS)}.")
    if data.get("kind", kind) != kind:
        raise fail("kind", f"expected {kind!r}, got {data.get('kind')!r}. Load it with kind={data.get('kind')!r}.")
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise fail("items", f"expected a non-empty list of items, got {type(raw_items).__name__}.")
    pattern, reserved, _ = _KIND_SPEC[kind]
    items: list[TaxonomyItem] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_items):
        where = f"items[{i}]"
        if not isinstance(raw, dict):
            raise fail(where, f"expected a mapping, got {type(raw).__name__}.")
        extra = sorted(set(raw) - _ITEM_KEYS[kind])
        if extra:
            raise fail(where, f"unknown keys {extra}; allowed {sorted(_ITEM_KEYS[kind])}.")
        item_id = raw.get("id")
        if not isinstance(item_id, str) or not pattern.match(item_id):
            raise fail(f"{where}.id", f"expected a {_ID_STYLE[kind]} string, got {item_id!r}.")
        where = f"items[{i}] ({item_id})"
        if item_id == reserved:
            raise fail(f"{where}.id", f"{reserved!r} is reserved for 'no match'. Rename the item.")
        if item_id in seen:
            raise fail(f"{where}.id", "duplicate id. Ids must be unique.")
        seen.add(item_id)
        names = _lang_map(raw.get("names"), f"{where}.names", fail, required=True)
        descriptions = _lang_map(raw.get("descriptions", {}), f"{where}.descriptions", fail)
        examples = _lang_lists(raw.get("examples", {}), f"{where}.examples", fail)
        touchpoint = raw.get("touchpoint")
        tp_pattern, cat_pattern = _KIND_SPEC["touchpoints"][0], _KIND_SPEC["categories"][0]
        if touchpoint is not None and not (isinstance(touchpoint, str) and tp_pattern.match(touchpoint)):
            raise fail(f"{where}.touchpoint", f"expected a lower_snake_case touchpoint id or null, got {touchpoint!r}.")
        cats = raw.get("categories", [])
        if not isinstance(cats, list) or not all(isinstance(c, str) and cat_pattern.match(c) for c in cats):
            raise fail(f"{where}.categories", f"expected a list of UPPER_SNAKE_CASE category ids, got {cats!r}.")
        items.append(TaxonomyItem(item_id, names, descriptions, examples, touchpoint, tuple(cats)))
    return Taxonomy(tuple(items), kind, source)


def _lang_map(value: Any, where: str, fail: Any, *, required: bool = False) -> Mapping[str, str]:
    if not isinstance(value, dict) or (required and not value):
        raise fail(where, f"expected a non-empty mapping language -> text, e.g. {{en: Delivery}}, got {value!r}.")
    for lang, text in value.items():
        if not (isinstance(lang, str) and _LANG.match(lang)):
            raise fail(where, f"expected ISO 639-1 language codes as keys, got {lang!r}.")
        if not isinstance(text, str) or not text.strip():
            raise fail(f"{where}.{lang}", f"expected a non-empty string, got {text!r}.")
    return MappingProxyType({k: v.strip() for k, v in value.items()})


def _lang_lists(value: Any, where: str, fail: Any) -> Mapping[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise fail(where, f"expected a mapping language -> list of phrases, got {value!r}.")
    out: dict[str, tuple[str, ...]] = {}
    for lang, phrases in value.items():
        if not (isinstance(lang, str) and _LANG.match(lang)):
            raise fail(where, f"expected ISO 639-1 language codes as keys, got {lang!r}.")
        if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
            raise fail(f"{where}.{lang}", f"expected a list of non-empty strings, got {phrases!r}.")
        out[lang] = tuple(p.strip() for p in phrases)
    return MappingProxyType(out)
