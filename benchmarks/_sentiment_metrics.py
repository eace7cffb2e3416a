"""Metrics of 3-class sentiment predictions against each evaluation set's labels and views."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from benchmarks._sentiment_data import LABELS, EvalSet

#: Shipped-head training domain of every evaluation set (see MODEL_CARD.md).
DOMAIN = {
    "ru_rusentiment": "written in-style: no real Russian training text; 1,637 written VK-style posts among 4,067 "
                      "written Russian rows (the static tier's head: 790 written feedback sentences only)",
    "ru_rusentitweet": "written in-style: no real Russian training text; 1,049 written tweets among 4,067 written "
                       "Russian rows (the static tier's head: 790 written feedback sentences only)",
    "zh_chnsenticorp_htl": "out: hotel reviews; Chinese training = 300 ASAP restaurant reviews + 640 written sentences",
    "zh_online_shopping_10_cats": "out: product/hotel reviews; no Chinese e-commerce training text",
    "pl_polemo2_klej": "out: medicine/hotel/school reviews (dev_out 'products' is near the Allegro domain)",
    "pl_allegro_reviews_klej": "in: Allegro train split is training data (dev rows removed from it)",
    "en_amazon_review_polarity": "near: UCI's Amazon phone-accessory sentences are training data; full reviews here",
    "en_uci_sentiment_sentences": "in: the other 80% of UCI is training data",
}


def _f1s(y: np.ndarray, p: np.ndarray, classes: list[int]) -> tuple[float, float]:
    f1, support = [], []
    for c in classes:
        tp = np.sum((p == c) & (y == c))
        fp = np.sum((p == c) & (y != c))
        fn = np.sum((p != c) & (y == c))
        f1.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
        support.append(np.sum(y == c))
    f1a, sup = np.array(f1), np.array(support, dtype=float)
    return float(f1a.mean()), float((f1a * sup).sum() / max(sup.sum(), 1))


def three_class(labels: pd.Series, probs: np.ndarray) -> dict[str, Any]:
    """Accuracy, macro-F1 and weighted F1 over rows whose label is one of the 3 classes."""
    keep = labels.isin(LABELS).to_numpy()
    y = np.array([LABELS.index(x) for x in labels[keep]])
    p = probs[keep].argmax(axis=1)
    macro, weighted = _f1s(y, p, [0, 1, 2])
    return {"n": int(keep.sum()), "accuracy": float((y == p).mean()), "macro_f1": macro, "weighted_f1": weighted,
            "pred_share": {lab: float((p == k).mean()) for k, lab in enumerate(LABELS)}}


def binary(labels: pd.Series, probs: np.ndarray) -> dict[str, Any]:
    """Accuracy of sign(P(pos) - P(neg)) on the positive/negative rows (neutral predictions still count)."""
    keep = labels.isin(["negative", "positive"]).to_numpy()
    y = (labels[keep] == "positive").to_numpy().astype(int)
    score = probs[keep, 2] - probs[keep, 0]
    p = (score > 0).astype(int)
    macro, _ = _f1s(y, p, [0, 1])
    return {"n": int(keep.sum()), "accuracy": float((y == p).mean()), "macro_f1": macro,
            "neutral_pred_share": float((probs[keep].argmax(axis=1) == 1).mean())}


def evaluate(es: EvalSet, probs: np.ndarray) -> dict[str, Any]:
    """All views of one evaluation set."""
    df = es.frame
    out: dict[str, Any] = {"n": len(df), "split": es.split, "domain": DOMAIN.get(es.name, "")}
    if es.name.startswith("ru_"):
        out["3class_drop_speech_skip"] = three_class(df["label"], probs)
        out["3class_speech_as_positive"] = three_class(df["label"].replace({"speech": "positive"}), probs)
        out["binary_pos_neg"] = binary(df["label"], probs)
    elif es.name == "pl_polemo2_klej":
        out["binary_pos_neg"] = binary(df["label"], probs)
        out["3class_drop_ambivalent"] = three_class(df["label"], probs)
        out["4to3_ambivalent_as_neutral"] = three_class(df["label"].replace({"ambivalent": "neutral"}), probs)
        for sub in ("dev_in", "dev_out"):
            m = (df["subset"] == sub).to_numpy()
            out[sub] = {"binary_pos_neg": binary(df["label"][m].reset_index(drop=True), probs[m]),
                        "3class_drop_ambivalent": three_class(df["label"][m].reset_index(drop=True), probs[m])}
    elif es.name == "pl_allegro_reviews_klej":
        out["3class_stars"] = three_class(df["label"], probs)
        out["binary_pos_neg"] = binary(df["label"], probs)
    else:
        out["binary"] = binary(df["label"], probs)
        if es.name == "zh_online_shopping_10_cats":
            out["per_category"] = {
                str(c): binary(df["label"][m].reset_index(drop=True), probs[m])["accuracy"]
                for c in sorted(df["category"].unique()) for m in [(df["category"] == c).to_numpy()]
            }
        if es.name == "en_uci_sentiment_sentences":
            out["per_domain"] = {
                str(d): binary(df["label"][m].reset_index(drop=True), probs[m])["accuracy"]
                for d in sorted(df["domain"].unique()) for m in [(df["domain"] == d).to_numpy()]
            }
    return out


def headline(name: str, res: dict[str, Any]) -> dict[str, float]:
    """The one or two figures per set that the targets refer to."""
    if name.startswith("ru_"):
        v = res["3class_drop_speech_skip"]
        return {"3class_macro_f1": v["macro_f1"], "3class_weighted_f1": v["weighted_f1"],
                "binary_acc": res["binary_pos_neg"]["accuracy"]}
    if name == "pl_polemo2_klej":
        return {"binary_acc": res["binary_pos_neg"]["accuracy"],
                "3class_macro_f1": res["3class_drop_ambivalent"]["macro_f1"]}
    if name == "pl_allegro_reviews_klej":
        return {"binary_acc": res["binary_pos_neg"]["accuracy"], "3class_macro_f1": res["3class_stars"]["macro_f1"]}
    return {"binary_acc": res["binary"]["accuracy"]}
