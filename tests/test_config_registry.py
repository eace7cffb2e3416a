from __future__ import annotations

from pathlib import Path

import pytest

from vocmine import registry
from vocmine.config import STAGES, PipelineConfig
from vocmine.errors import ConfigError


def test_toml_round_trip(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text('seed = 5\nperiod = "W"\n[sentiment]\nname = "vocmine.sentiment.null.v1"\n'
                 '[topics]\nname = "vocmine.topics.bertopic.v1"\nparams = { min_topic_size = 7 }\n', encoding="utf-8")
    cfg = PipelineConfig.from_toml(p)
    assert (cfg.seed, cfg.period, cfg.sentiment.name, cfg.topics.params) == (5, "W", "vocmine.sentiment.null.v1",
                                                                           {"min_topic_size": 7})
    assert PipelineConfig.from_dict(cfg.to_dict()) == cfg


@pytest.mark.parametrize("data, match", [
    ({"seed": "x"}, "seed"), ({"on_error": "ignore"}, "on_error"), ({"colour": 1}, "Unknown config key"),
    ({"topics": 3}, "Stage 'topics'"), ({"topics": {"name": "a", "x": 1}}, "unknown key"),
    ({"batch_size": 0}, "batch_size"),
])
def test_invalid_config(data: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        PipelineConfig.from_dict(data)


def test_bad_toml(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text("seed = = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        PipelineConfig.from_toml(p)
    with pytest.raises(ConfigError, match="does not exist"):
        PipelineConfig.from_toml(tmp_path / "missing.toml")


def test_every_stage_has_a_null_and_a_default() -> None:
    cfg = PipelineConfig()
    for stage in STAGES:
        assert any(".null.v1" in n for n in registry.available(stage)), stage
        assert cfg.component(stage).name in registry.available(stage)


def test_unknown_component_lists_options() -> None:
    with pytest.raises(ConfigError, match=r"\[E005\].*vocmine.sentiment.null.v1"):
        registry.get("vocmine.sentiment.nope.v1")


def test_register_validates_names() -> None:
    with pytest.raises(ConfigError, match="invalid"):
        registry.register("Bad Name", "x:y", stage="sentiment")


def test_create_rejects_bad_params() -> None:
    with pytest.raises(ConfigError, match=r"\[E004\].*Invalid params"):
        registry.create("vocmine.sentiment.null.v1", {"nope": 1})


def test_presets_fill_stages_and_explicit_keys_win(tmp_path: Path) -> None:
    fast = PipelineConfig.preset("fast")
    assert fast.embedder.name == "vocmine.embed.static.v1"
    assert fast.aspects.name == "vocmine.aspects.sentence_categories.v1"
    # the fine-tuned default sentiment needs the transformer encoder: the fast tier uses the frozen-vector head
    assert (PipelineConfig().sentiment.name, fast.sentiment.name) == (
        "vocmine.sentiment.e5_tuned.v1", "vocmine.sentiment.e5_head.v1")
    assert fast.touchpoints == PipelineConfig().touchpoints  # stages the preset does not name keep the default
    assert PipelineConfig.preset("default") == PipelineConfig()
    p = tmp_path / "cfg.toml"
    p.write_text('preset = "fast"\naspects = "vocmine.aspects.null.v1"\n')
    cfg = PipelineConfig.from_toml(p)
    assert (cfg.embedder.name, cfg.aspects.name) == ("vocmine.embed.static.v1", "vocmine.aspects.null.v1")
    # a preset passed beside a file fills only what the file leaves out
    p.write_text('aspects = "vocmine.aspects.null.v1"\n')
    assert PipelineConfig.from_toml(p, preset="fast") == cfg
    assert PipelineConfig.from_dict(cfg.to_dict()) == cfg  # the resolved config round-trips


def test_unknown_preset_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"\[E004\] Unknown preset 'tiny'.*'default', 'fast'"):
        PipelineConfig.preset("tiny")


def test_domain_gives_its_taxonomy_to_the_stages_that_take_one() -> None:
    from vocmine import Pipeline

    pipe = Pipeline(PipelineConfig(domain="hospitality", embedder=PipelineConfig.preset("fast").embedder,
                                   aspects=PipelineConfig.preset("fast").aspects))
    assert pipe.component("aspects").taxonomy == "hospitality"
    linker = pipe.component("touchpoints")
    assert (linker.taxonomy, linker.categories) == ("hospitality", "hospitality")
    explicit = PipelineConfig(domain="hospitality").with_stage(
        "touchpoints", "vocmine.touchpoints.embedding.v1", taxonomy="default")
    assert Pipeline(explicit).component("touchpoints").taxonomy == "default"  # an explicit param wins
    with pytest.raises(ConfigError, match=r"domain='bakery'.*'banking_telecom'"):
        PipelineConfig(domain="bakery")
    assert registry.accepts("vocmine.aspects.terms.v1", "taxonomy")
    assert not registry.accepts("vocmine.aspects.null.v1", "taxonomy")
