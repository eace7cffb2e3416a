"""Averaging fine-tuning runs that share a start head (the shipped default is such an average)."""

from __future__ import annotations

import numpy as np
import pytest

from vocmine.errors import ConfigError
from vocmine.sentiment import SentimentHead, average_tuned

CONFIG = {"n_layers": 1, "start": 11, "epochs": 1, "lr": 1e-4}


def member(seed: int, *, config: dict | None = None, dim: int = 4) -> tuple[dict[str, np.ndarray], SentimentHead]:
    rng = np.random.default_rng(seed)
    arrays = {"top.0.w": rng.normal(size=(dim, dim)).astype(np.float16),
              "top.0.b": rng.normal(size=dim).astype(np.float16)}
    head = SentimentHead([rng.normal(size=(dim, 3)).astype(np.float32)], [rng.normal(size=3).astype(np.float32)],
                         activation="relu", mean=np.zeros(dim, np.float32), scale=np.ones(dim, np.float32),
                         meta={"embedder": "enc", "tune_config": {**(config or CONFIG), "random_state": seed}})
    return arrays, head


def test_the_average_is_the_elementwise_mean_and_keeps_dtypes_and_seeds() -> None:
    members = [member(s) for s in (1, 2, 3)]
    arrays, head = average_tuned(members)
    for k in ("top.0.w", "top.0.b"):
        expected = np.mean([m[0][k].astype(np.float64) for m in members], axis=0)
        assert arrays[k].dtype == np.float16
        np.testing.assert_allclose(arrays[k].astype(np.float64), expected, atol=2e-3)
    np.testing.assert_allclose(head.weights[0], np.mean([m[1].weights[0] for m in members], axis=0), rtol=1e-6)
    assert head.meta["tune_config"]["random_state"] == [1, 2, 3]
    assert head.meta["tune_config"]["lr"] == CONFIG["lr"] and head.meta["embedder"] == "enc"


def test_one_member_is_returned_unchanged() -> None:
    (arrays, head), = [member(7)]
    avg_arrays, avg_head = average_tuned([(arrays, head)])
    assert all(np.array_equal(avg_arrays[k], arrays[k]) for k in arrays)
    assert np.array_equal(avg_head.weights[0], head.weights[0]) and np.array_equal(avg_head.biases[0], head.biases[0])


@pytest.mark.parametrize(
    "other",
    [member(2, config={**CONFIG, "lr": 3e-5}), member(2, dim=5)],
    ids=["another-configuration", "another-shape"],
)
def test_members_that_did_not_start_alike_are_refused(other: tuple[dict[str, np.ndarray], SentimentHead]) -> None:
    with pytest.raises(ConfigError, match=r"E004.*member 1"):
        average_tuned([member(1), other])


def test_no_members_is_an_error_naming_the_fix() -> None:
    with pytest.raises(ConfigError, match=r"E004.*tune_top_layers"):
        average_tuned([])


def test_a_head_saved_and_read_back_by_a_string_path(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from vocmine.sentiment import load_head, save_head

    _, head = member(3)
    save_head(head, tmp_path / "h.npz")
    back = load_head(str(tmp_path / "h.npz"))
    assert np.array_equal(back.weights[0], head.weights[0])


def test_a_missing_head_file_names_the_fix(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from vocmine.errors import ModelNotFoundError
    from vocmine.sentiment import load_head

    with pytest.raises(ModelNotFoundError, match=r"E008.*nope\.npz.*train_sentiment"):
        load_head(tmp_path / "nope.npz")
