from __future__ import annotations

from pathlib import Path

import pytest

from vocmine.errors import ConfigError
from vocmine.resources import OTHER, UNASSIGNED, Taxonomy, available_taxonomies, load_taxonomy

LANGS = {"en", "ru", "pl", "zh"}
PRESETS = ["banking_telecom", "default", "ecommerce", "hospitality"]

GOOD = """\
kind: touchpoints
items:
  - id: shop
    names: {en: Shop, ru: Магазин}
    descriptions: {en: In the shop.}
    examples: {en: [the shop was nice], ru: [хороший магазин]}
    categories: [STAFF]
  - id: web
    names: {en: Website}
"""


def test_presets_are_listed() -> None:
    assert available_taxonomies("touchpoints") == PRESETS
    assert available_taxonomies("categories") == PRESETS


@pytest.mark.parametrize("preset", [p for p in PRESETS if p != "default"])
def test_category_presets_are_domain_subsets_of_the_default(preset: str) -> None:
    full = load_taxonomy("default", kind="categories")
    sub = load_taxonomy(preset, kind="categories")
    assert sub.source == preset and 10 <= len(sub.items) < len(full.items)
    assert [item.id for item in full.items if item.id in sub.ids] == list(sub.ids)  # known ids, file order
    assert all(item is full.get(item.id) or item == full.get(item.id) for item in sub.items)
    for item in sub.items:  # the journey preset of the same name can place every category it keeps
        assert item.touchpoint in load_taxonomy("default", kind="touchpoints").ids
    assert "SUPPORT" in sub.ids and "PRICE" in sub.ids


def test_category_presets_leave_out_what_the_domain_does_not_have() -> None:
    hosp = set(load_taxonomy("hospitality", kind="categories").ids)
    shop = set(load_taxonomy("ecommerce", kind="categories").ids)
    bank = set(load_taxonomy("banking_telecom", kind="categories").ids)
    assert {"FOOD", "ROOM", "CLEANLINESS"} <= hosp and not {"BATTERY", "NETWORK_COVERAGE", "CARDS"} & hosp
    assert {"BATTERY", "SCREEN", "RETURNS_REFUNDS"} <= shop and not {"FOOD", "ROOM", "CARDS"} & shop
    assert {"CARDS", "NETWORK_COVERAGE", "FEES_CHARGES"} <= bank and not {"FOOD", "BATTERY", "ROOM"} & bank


def test_builtin_categories_are_complete_and_multilingual() -> None:
    cats = load_taxonomy("default", kind="categories")
    journey = load_taxonomy("default", kind="touchpoints")
    assert 20 <= len(cats.items) <= 32
    assert len(set(cats.ids)) == len(cats.ids)
    for must in ("DELIVERY", "PRICE", "STAFF", "SUPPORT", "PAYMENT", "APP_WEBSITE", "FOOD", "BATTERY", "SCREEN"):
        assert must in cats.ids
    for item in cats.items:
        assert set(item.names) == set(item.descriptions) == set(item.examples) == LANGS, item.id
        assert all(len(item.examples[lang]) >= 4 for lang in LANGS), item.id
        assert item.touchpoint in journey.ids, item.id
    assert cats.get("DELIVERY").touchpoint == "delivery"
    assert cats.get("RETURNS_REFUNDS").touchpoint == "returns"


@pytest.mark.parametrize("preset", PRESETS)
def test_builtin_journeys_are_complete_and_refer_to_real_categories(preset: str) -> None:
    journey = load_taxonomy(preset, kind="touchpoints")
    cats = set(load_taxonomy("default", kind="categories").ids)
    assert journey.kind == "touchpoints" and len(journey.items) >= 7
    for item in journey.items:
        assert set(item.names) == set(item.descriptions) == set(item.examples) == LANGS, item.id
        assert all(len(item.examples[lang]) >= 3 for lang in LANGS), item.id
        assert set(item.categories) <= cats, item.id
        assert item.touchpoint is None


def test_default_journey_stages() -> None:
    assert load_taxonomy("default", kind="touchpoints").ids == (
        "discovery", "purchase", "payment", "delivery", "onboarding", "product_use", "support", "returns",
        "renewal_cancellation", "digital_channels",
    )


def test_label_falls_back_to_english_then_id_and_knows_the_reserved_ids() -> None:
    cats = load_taxonomy("default", kind="categories")
    assert cats.label("DELIVERY", "zh") == "配送"
    assert cats.label("DELIVERY", "de") == "Delivery"
    assert cats.label(OTHER, "ru") == "Другое"
    journey = load_taxonomy("default", kind="touchpoints")
    assert journey.label(UNASSIGNED, "en") == "Unassigned"
    assert journey.fallback == UNASSIGNED and cats.fallback == OTHER
    with pytest.raises(ConfigError, match=r"\[E004\].*NOPE"):
        cats.label("NOPE", "en")


def test_items_are_immutable() -> None:
    item = load_taxonomy("default", kind="categories").items[0]
    with pytest.raises(TypeError):
        item.names["en"] = "x"  # type: ignore[index]
    with pytest.raises(AttributeError):
        item.id = "X"  # type: ignore[misc]


def test_user_file_by_str_and_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD, encoding="utf-8")
    for arg in (str(path), path):
        tax = load_taxonomy(arg, kind="touchpoints")
        assert tax.ids == ("shop", "web")
        assert tax.get("shop").categories == ("STAFF",)
        assert tax.get("shop").texts() == ["Shop", "Магазин", "In the shop.", "the shop was nice", "хороший магазин"]
        assert tax.label("web", "ru") == "Website"
        assert tax.source == str(path)


def test_loaded_taxonomy_passes_through_and_kind_is_checked() -> None:
    cats = load_taxonomy("default", kind="categories")
    assert load_taxonomy(cats, kind="categories") is cats
    with pytest.raises(ConfigError, match="Expected a touchpoints taxonomy"):
        load_taxonomy(cats, kind="touchpoints")
    with pytest.raises(ConfigError, match="kind 'topics' is invalid"):
        load_taxonomy("default", kind="topics")


def test_unknown_preset_lists_the_options() -> None:
    with pytest.raises(ConfigError, match=r"\[E004\] Unknown touchpoints taxonomy preset 'retail'.*'ecommerce'"):
        load_taxonomy("retail", kind="touchpoints")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[E004\] Cannot read touchpoints taxonomy file '.*nope.yaml'"):
        load_taxonomy(tmp_path / "nope.yaml", kind="touchpoints")


@pytest.mark.parametrize(
    "text, field, problem",
    [
        ("kind: touchpoints\nitems: [\n", "<file>", "not valid YAML"),
        ("- a\n- b\n", "<file>", "expected a mapping"),
        ("kind: touchpoints\nitemz: []\n", "<file>", "unknown keys ['itemz']"),
        ("kind: categories\nitems: [{id: X, names: {en: x}}]\n", "kind", "expected 'touchpoints'"),
        ("items: []\n", "items", "non-empty list"),
        ("items: [shop]\n", "items[0]", "expected a mapping"),
        ("items: [{id: Shop, names: {en: x}}]\n", "items[0].id", "lower_snake_case"),
        ("items: [{names: {en: x}}]\n", "items[0].id", "lower_snake_case"),
        ("items: [{id: unassigned, names: {en: x}}]\n", "items[0] (unassigned).id", "reserved"),
        ("items: [{id: a, names: {en: x}}, {id: a, names: {en: y}}]\n", "items[1] (a).id", "duplicate"),
        ("items: [{id: a, names: {en: x}, colour: red}]\n", "items[0]", "unknown keys ['colour']"),
        ("items: [{id: a}]\n", "items[0] (a).names", "non-empty mapping"),
        ("items: [{id: a, names: {english: x}}]\n", "items[0] (a).names", "language codes"),
        ("items: [{id: a, names: {en: ''}}]\n", "items[0] (a).names.en", "non-empty string"),
        ("items: [{id: a, names: {en: x}, examples: {en: phrase}}]\n", "items[0] (a).examples.en", "list of"),
        ("items: [{id: a, names: {en: x}, examples: {en: [yes, 1]}}]\n", "items[0] (a).examples.en", "list of"),
        ("items: [{id: a, names: {en: x}, categories: [food]}]\n", "items[0] (a).categories", "UPPER_SNAKE"),
        ("items: [{id: a, names: {en: x}, touchpoint: b}]\n", "items[0]", "unknown keys ['touchpoint']"),
    ],
)
def test_schema_errors_name_file_and_field(tmp_path: Path, text: str, field: str, problem: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_taxonomy(path, kind="touchpoints")
    msg = str(info.value)
    assert msg.startswith("[E004] Invalid touchpoints taxonomy")
    assert str(path) in msg and f"field '{field}'" in msg and problem in msg


def test_category_schema_checks_touchpoint_and_id_style(tmp_path: Path) -> None:
    path = tmp_path / "cats.yaml"
    path.write_text("items: [{id: FOOD, names: {en: Food}, touchpoint: Dining}]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"items\[0\] \(FOOD\)\.touchpoint"):
        load_taxonomy(path, kind="categories")
    path.write_text("items: [{id: OTHER, names: {en: Other}}]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="reserved"):
        load_taxonomy(path, kind="categories")
    path.write_text("kind: categories\nitems: [{id: FOOD, names: {en: Food}, touchpoint: null}]\n", encoding="utf-8")
    tax = load_taxonomy(path, kind="categories")
    assert isinstance(tax, Taxonomy) and tax.get("FOOD").touchpoint is None


def test_prototype_vectors_are_cached_on_disk_per_embedder() -> None:
    from tests.fakes import FakeEmbedder
    from vocmine.resources import PrototypeIndex, load_taxonomy

    taxonomy = load_taxonomy("default", kind="touchpoints")
    first, second = FakeEmbedder(), FakeEmbedder()
    a = PrototypeIndex(taxonomy, first).vectors
    b = PrototypeIndex(taxonomy, second).vectors
    assert first.calls == 1 and second.calls == 0
    assert (a == b).all()
