"""Language identification accuracy and speed on every labelled evaluation set.

Each set's language is the prefix of its folder name (``ru_rusentiment`` -> ru).
Up to ``--per-set`` texts are sampled per set with a fixed seed; a text is
"long" when its normalised form (``vocmine.preprocess.normalize``) has at least
20 characters. Besides raw accuracy the script reports accuracy on the
"script-consistent" subset, which drops texts that cannot be in the labelled
language by their letters alone (Russian-labelled texts with Cyrillic letters
outside the Russian alphabet, e.g. Mongolian or Ukrainian tweets; Chinese
texts with fewer Han characters than other letters; Polish/English texts that
are not mostly Latin). Other-language robustness is measured on spaCy's
example sentences for non-target languages (they should come out ``"und"``).

Configurations compared: ``default`` (the shipped LinguaDetector: targets plus
32 other languages, prior 0.1), ``targets_only`` (lingua over ru/zh/pl/en
only: what the broader language set costs on our four languages) and
``low_accuracy`` (lingua's trigram mode, low memory).

Run: ``python benchmarks/langid.py [--per-set 2000] [--seed 0]``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import resource
import sys
import time
from collections import Counter, defaultdict
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import eval_path, write_result  # noqa: E402
from vocmine.lang import DEFAULT_OTHER_LANGUAGES, LinguaDetector  # noqa: E402
from vocmine.preprocess import normalize  # noqa: E402

MIN_LEN = 20
TARGETS = ("ru", "zh", "pl", "en")
OTHER_EXAMPLE_LANGS = (
    "uk", "bg", "mk", "sr", "de", "cs", "sk", "sl", "hr", "fr", "es", "it", "pt", "nl", "sv", "da",
    "nb", "fi", "lt", "lv", "hu", "ro", "tr", "ca", "id", "vi", "ja", "ko", "ar", "he", "el", "hi",
    "ky", "tt", "az", "sq",
)  # fmt: skip

_RU = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
_URLISH = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+|[@#]\w+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def script_consistent(text: str, lang: str) -> bool:
    """Whether the letters of ``text`` can belong to ``lang`` at all."""
    letters = [c for c in _URLISH.sub(" ", text) if c.isalpha()]
    if not letters:
        return False
    if lang == "ru":
        cyr = [c.lower() for c in letters if "\u0400" <= c <= "\u04ff"]
        return len(cyr) * 2 >= len(letters) and all(c in _RU for c in cyr)
    if lang == "zh":
        return len(_HAN.findall(text)) * 2 >= len(letters)
    return sum(1 for c in letters if c < "\u0250") >= 0.9 * len(letters)


def load_sets(per_set: int, seed: int) -> dict[str, list[str]]:
    base = eval_path("")
    out = {}
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        frames = [pd.read_json(f, lines=True) for f in sorted(folder.glob("*.jsonl.gz"))]
        texts = pd.concat(frames)["text"].astype(str)
        texts = texts[texts.str.strip() != ""]
        out[folder.name] = texts.sample(n=min(per_set, len(texts)), random_state=seed).tolist()
    return out


def other_examples() -> dict[str, list[str]]:
    out = {}
    for code in OTHER_EXAMPLE_LANGS:
        try:
            out[code] = list(importlib.import_module(f"spacy.lang.{code}.examples").sentences)
        except (ImportError, AttributeError):
            continue
    return out


def score_config(
    name: str, detector: LinguaDetector, sets: dict[str, list[str]], others: dict[str, list[str]]
) -> dict[str, Any]:
    warm = [texts[0] for texts in sets.values()] + [s[0] for s in others.values()]
    t0 = time.perf_counter()
    detector.detect(warm)
    warmup_s = time.perf_counter() - t0

    per_set: dict[str, Any] = {}
    pooled: dict[str, Counter[str]] = defaultdict(Counter)
    total_n, total_s, total_cpu = 0, 0.0, 0.0
    for set_name, texts in sets.items():
        gold = set_name[:2]
        t0, c0 = time.perf_counter(), time.process_time()
        guesses = detector.detect(texts)
        elapsed = time.perf_counter() - t0
        total_cpu += time.process_time() - c0
        total_n += len(texts)
        total_s += elapsed
        lengths = [len(normalize(t)) for t in texts]
        long_ok = [g.lang == gold for g, n in zip(guesses, lengths) if n >= MIN_LEN]
        short_ok = [g.lang == gold for g, n in zip(guesses, lengths) if n < MIN_LEN]
        clean_ok = [
            g.lang == gold
            for g, n, t in zip(guesses, lengths, texts)
            if n >= MIN_LEN and script_consistent(t, gold)
        ]
        errors = [
            {"pred": g.lang, "score": round(g.score, 3), "text": t[:160]}
            for g, n, t in zip(guesses, lengths, texts)
            if n >= MIN_LEN and g.lang != gold
        ]
        per_set[set_name] = {
            "lang": gold,
            "n": len(texts),
            "n_long": len(long_ok),
            "acc_long": sum(long_ok) / len(long_ok) if long_ok else None,
            "n_short": len(short_ok),
            "acc_short": sum(short_ok) / len(short_ok) if short_ok else None,
            "n_long_script_consistent": len(clean_ok),
            "acc_long_script_consistent": sum(clean_ok) / len(clean_ok) if clean_ok else None,
            "und_share": sum(g.lang == "und" for g in guesses) / len(guesses),
            "predicted": dict(Counter(g.lang for g in guesses)),
            "texts_per_s": len(texts) / elapsed,
            "errors_long": errors[:25],
            "n_errors_long": len(errors),
        }
        c = pooled[gold]
        c["n_long"] += len(long_ok)
        c["ok_long"] += sum(long_ok)
        c["n_short"] += len(short_ok)
        c["ok_short"] += sum(short_ok)
        c["n_clean"] += len(clean_ok)
        c["ok_clean"] += sum(clean_ok)
        c["und"] += sum(g.lang == "und" for g in guesses)
        c["n"] += len(texts)

    per_lang = {
        lang: {
            "n_long": c["n_long"],
            "acc_long": c["ok_long"] / c["n_long"] if c["n_long"] else None,
            "n_short": c["n_short"],
            "acc_short": c["ok_short"] / c["n_short"] if c["n_short"] else None,
            "acc_long_script_consistent": c["ok_clean"] / c["n_clean"] if c["n_clean"] else None,
            "und_share": c["und"] / c["n"],
        }
        for lang, c in sorted(pooled.items())
    }
    other = {}
    for code, sents in others.items():
        g = detector.detect(sents)
        other[code] = {
            "n": len(sents),
            "und_rate": sum(x.lang == "und" for x in g) / len(g),
            "predicted": dict(Counter(x.lang for x in g)),
        }
    und_rates = [v["und_rate"] for v in other.values()]
    return {
        "config": name,
        "warmup_s": warmup_s,
        "n_texts": total_n,
        "seconds": total_s,
        "texts_per_s": total_n / total_s,
        "ms_per_1000_texts": 1000 * total_s / total_n * 1000,
        "cpu_seconds": total_cpu,
        "cpu_ms_per_1000_texts": 1000 * total_cpu / total_n * 1000,
        "per_language": per_lang,
        "per_set": per_set,
        "other_languages": {"mean_und_rate": sum(und_rates) / len(und_rates), "per_language": other},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-set", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--configs", default="default,targets_only,low_accuracy")
    args = parser.parse_args(argv)

    sets = load_sets(args.per_set, args.seed)
    others = other_examples()
    configs = {
        "default": LinguaDetector(),
        "targets_only": LinguaDetector(others=()),
        "low_accuracy": LinguaDetector(low_accuracy=True),
    }
    results = {}
    for name in args.configs.split(","):
        det = configs[name]
        res = score_config(name, det, sets, others)
        res["maxrss_mb_after"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results[name] = res
        print(f"\n== {name}: {det!r}")
        print(
            f"   {res['n_texts']} texts in {res['seconds']:.1f}s wall = {res['ms_per_1000_texts']:.0f} ms / 1000 texts; "
            f"CPU {res['cpu_ms_per_1000_texts']:.0f} ms / 1000 texts "
            f"(warm-up {res['warmup_s']:.1f}s, max RSS so far {res['maxrss_mb_after']:.0f} MB)"
        )
        print(f"   {'lang':4s} {'acc>=20':>8s} {'n':>6s} {'acc<20':>8s} {'n':>6s} {'clean>=20':>9s} {'und':>6s}")
        for lang, v in res["per_language"].items():
            acc_s = f"{v['acc_short']:.4f}" if v["acc_short"] is not None else "-"
            print(
                f"   {lang:4s} {v['acc_long']:8.4f} {v['n_long']:6d} {acc_s:>8s} {v['n_short']:6d} "
                f"{v['acc_long_script_consistent']:9.4f} {v['und_share']:6.3f}"
            )
        for set_name, v in res["per_set"].items():
            acc_s = f"{v['acc_short']:.3f}" if v["acc_short"] is not None else "-"
            print(
                f"   {set_name:38s} long {v['acc_long']:.4f} (n={v['n_long']},"
                f" clean {v['acc_long_script_consistent']:.4f}) short {acc_s} (n={v['n_short']}) und {v['und_share']:.3f} {v['texts_per_s']:.0f} texts/s"
            )
        o = res["other_languages"]
        print(f"   other languages (spaCy examples): mean und rate {o['mean_und_rate']:.3f}")
        print("   " + " ".join(f"{k}={v['und_rate']:.2f}" for k, v in o["per_language"].items()))

    payload = {
        "config": {
            "seed": args.seed,
            "per_set": args.per_set,
            "min_len_long": MIN_LEN,
            "length": "len(vocmine.preprocess.normalize(text))",
            "text_field": "text (every set)",
            "sample": "pandas.Series.sample(n=min(per_set, len), random_state=seed) after dropping blank texts",
            "sample_sizes": {k: len(v) for k, v in sets.items()},
            "default_other_languages": list(DEFAULT_OTHER_LANGUAGES),
            "other_language_examples": "spacy.lang.<code>.examples.sentences",
            "detectors": {k: repr(configs[k]) for k in results},
            "timing": "wall and process CPU time of detect() per set, after a warm-up call that loads the models; "
            "lingua uses up to 2 threads",
            "cpu_count": os.cpu_count(),
        },
        "packages": {
            pkg: metadata.version(pkg) for pkg in ("lingua-language-detector", "spacy") if _installed(pkg)
        },
        "results": results,
    }
    path = write_result("langid", payload)
    print(f"\nwrote {path}")
    return 0


def _installed(pkg: str) -> bool:
    try:
        metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
