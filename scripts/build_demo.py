"""Build the bundled demo data set ``vocmine/resources/demo/feedback.csv.gz``.

The demo mixes permissively licensed public sets (read from the evaluation-data folder,
never copied wholesale) with feedback written by hand for vocmine (``scripts/demo_src/``).
DATA.md at the repository root documents every source, licence and transformation.

Everything random is drawn from ``numpy.random.default_rng`` seeded with ``SEED`` plus a
per-purpose tag, so the output file is byte-for-byte reproducible::

    python scripts/build_demo.py                  # writes the packaged file
    python scripts/build_demo.py --out /tmp/x.csv.gz --check   # compare with the packaged file

The evaluation data is located through the environment variable ``VOCMINE_EVAL_DATA``,
defaulting to ``../shared/eval_data`` relative to the repository root.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
import sys
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240917
YEAR = 2024
ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "scripts" / "demo_src"
OUT = ROOT / "vocmine" / "resources" / "demo" / "feedback.csv.gz"
COLUMNS = ["feedback_id", "text", "rating", "rating_scale", "touchpoint", "channel", "created_at", "source"]

# Share of rows whose origin determines a touchpoint that keep it in the file; the rest are
# blanked so the library has something to infer (real exports are tagged inconsistently).
TOUCHPOINT_KEEP = 0.6

N_ALLEGRO = 600  # pl_allegro_reviews_klej, train split only, texts <= 1,000 characters
N_UCI = {"amazon": 200, "yelp": 200}  # en_uci_sentiment_sentences (IMDb movie lines skipped)
N_BANKING_PER_INTENT = 11  # en_banking77, train split
N_IT_PER_GROUP = 6  # en_it_service_tickets, texts of 60-400 characters

# banking77 intent -> touchpoint ("" = the intent does not pin down a journey stage).
BANKING_INTENTS = {
    "card_arrival": "delivery",
    "card_delivery_estimate": "delivery",
    "declined_card_payment": "payment",
    "card_payment_not_recognised": "payment",
    "transaction_charged_twice": "payment",
    "pending_card_payment": "payment",
    "card_payment_fee_charged": "payment",
    "declined_transfer": "payment",
    "failed_transfer": "payment",
    "top_up_failed": "payment",
    "request_refund": "returns",
    "Refund_not_showing_up": "returns",
    "activate_my_card": "onboarding",
    "verify_my_identity": "onboarding",
    "unable_to_verify_identity": "onboarding",
    "terminate_account": "renewal_cancellation",
    "card_about_to_expire": "renewal_cancellation",
    "passcode_forgotten": "digital_channels",
    "card_not_working": "product_use",
    "contactless_not_working": "product_use",
    "exchange_rate": "",
    "lost_or_stolen_card": "",
    "compromised_card": "",
}

# Month weights (Jan..Dec) for hand-written themes, so the demo shows trends: an app release
# that crashes in June-August, a payment outage in September, a price rise from April and
# year-end delivery delays. Themes not listed are spread evenly over the year.
MONTH_WEIGHTS = {
    "app_crash": [1, 1, 1, 1, 1, 8, 6, 4, 1, 1, 1, 1],
    "pay_fail": [1, 1, 1, 1, 1, 1, 1, 1, 7, 3, 1, 1],
    "del_late": [3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 5],
    "del_cold_food": [3, 2, 1, 1, 1, 1, 1, 1, 1, 2, 3, 3],
    "ren_price_up": [0, 0, 0, 3, 2, 2, 2, 2, 2, 2, 2, 2],
    "pur_price": [1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2],
    "sup_wait": [4, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3],
}

# Binary gold label -> rating (documented in DATA.md).
STARS_FROM_LABEL = {0: ([1, 2], [0.6, 0.4]), 1: ([4, 5], [0.4, 0.6])}
NPS_FROM_LABEL = {0: (list(range(0, 7)), [1 / 7] * 7), 1: ([8, 9, 10], [0.25, 0.35, 0.4])}


def eval_dir() -> Path:
    """Return the evaluation-data folder (env ``VOCMINE_EVAL_DATA`` or ``../shared/eval_data``)."""
    return Path(os.environ.get("VOCMINE_EVAL_DATA", ROOT.parent / "shared" / "eval_data"))


def rng_for(tag: str) -> np.random.Generator:
    """Independent, reproducible generator per purpose (adding a source never shifts others)."""
    return np.random.default_rng([SEED, zlib.crc32(tag.encode("utf-8"))])


def rows(frame: pd.DataFrame, **const: object) -> list[dict]:
    """Turn a frame into row dicts, adding constant fields."""
    out = frame.to_dict("records")
    for row in out:
        row.update(const)
    return out


def read_jsonl(path: Path) -> pd.DataFrame:
    return pd.read_json(path, lines=True, dtype=False)


def load_written() -> list[dict]:
    """Hand-written feedback (ru/zh/pl/en) with the author's rating, channel and touchpoint."""
    out = []
    for lang in ("ru", "zh", "pl", "en"):
        with open(SRC / f"{lang}_written.jsonl", encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                row["source"] = f"vocmine_written_{lang}"
                out.append(row)
    return out


def _unquote_tsv(text: str) -> str:
    """Undo the CSV quoting left in some KLEJ texts (``"a ""b"" c"`` -> ``a "b" c``)."""
    if len(text) > 1 and text.startswith('"') and text.endswith('"'):
        text = text[1:-1].replace('""', '"')
    return text.strip()


def load_allegro(base: Path) -> list[dict]:
    df = read_jsonl(base / "pl_allegro_reviews_klej" / "data.jsonl.gz")
    df = df[(df["split"] == "train")].copy()
    df["text"] = df["text"].map(_unquote_tsv)
    df = df[df["text"].str.len().between(50, 1000)].drop_duplicates("text")
    idx = rng_for("allegro").choice(len(df), size=N_ALLEGRO, replace=False)
    df = df.iloc[np.sort(idx)]
    return [
        dict(text=r["text"], rating=int(r["rating"]), rating_scale="stars5", channel="app_review",
             touchpoint="product_use", source="pl_allegro_reviews_klej")
        for r in rows(df)
    ]


def load_asap(base: Path) -> list[dict]:
    df = read_jsonl(base / "zh_asap_restaurant_sample" / "data.jsonl.gz")
    df = df.sort_values(["split", "index"], kind="stable")
    out = []
    for r in rows(df):
        # The mirror keeps line breaks as literal backslash sequences; restore real newlines.
        text = re.sub(r"(?:(?:\\+r)?\\+n)+", "\n", r["text"])
        text = re.sub(r"\\+r", "", text).strip()
        out.append(dict(text=text, rating=int(r["star"]), rating_scale="stars5", channel="app_review",
                        touchpoint="", source="zh_asap_restaurant_sample"))
    return out


def load_uci(base: Path) -> list[dict]:
    df = read_jsonl(base / "en_uci_sentiment_sentences" / "data.jsonl.gz")
    df["text"] = df["text"].str.strip()
    out = []
    for domain, n in N_UCI.items():
        part = df[df["domain"] == domain].drop_duplicates("text")
        rng = rng_for(f"uci-{domain}")
        part = part.iloc[np.sort(rng.choice(len(part), size=n, replace=False))]
        # Amazon lines become app-store style star reviews, Yelp lines NPS survey verbatims.
        scale, table = ("stars5", STARS_FROM_LABEL) if domain == "amazon" else ("nps10", NPS_FROM_LABEL)
        channel = "app_review" if domain == "amazon" else "survey"
        for r in rows(part):
            values, probs = table[int(r["label"])]
            rating = int(rng.choice(values, p=probs))
            out.append(dict(text=r["text"], rating=rating, rating_scale=scale, channel=channel,
                            touchpoint="", source="en_uci_sentiment_sentences"))
    return out


def load_banking(base: Path) -> list[dict]:
    df = read_jsonl(base / "en_banking77" / "data.jsonl.gz")
    df = df[df["split"] == "train"].copy()
    df["text"] = df["text"].str.strip()
    out = []
    for intent, touchpoint in BANKING_INTENTS.items():
        part = df[df["label"] == intent].drop_duplicates("text")
        idx = rng_for(f"banking-{intent}").choice(len(part), size=N_BANKING_PER_INTENT, replace=False)
        for r in rows(part.iloc[np.sort(idx)]):
            out.append(dict(text=r["text"], rating=None, rating_scale=None, channel="chat",
                            touchpoint=touchpoint, source="en_banking77"))
    return out


def load_it_tickets(base: Path) -> list[dict]:
    df = read_jsonl(base / "en_it_service_tickets" / "sample5k.jsonl.gz")
    df["text"] = df["text"].str.strip()
    df = df[df["text"].str.len().between(60, 400)].drop_duplicates("text")
    out = []
    for group in sorted(df["label"].unique()):
        part = df[df["label"] == group]
        idx = rng_for(f"it-{group}").choice(len(part), size=N_IT_PER_GROUP, replace=False)
        for r in rows(part.iloc[np.sort(idx)]):
            out.append(dict(text=r["text"], rating=None, rating_scale=None, channel="support_ticket",
                            touchpoint="support", source="en_it_service_tickets"))
    return out


def load_bad_rows() -> list[dict]:
    """Deliberately broken rows that exercise error collection (see DATA.md)."""
    out = []
    with open(SRC / "bad_rows.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            row["text"] = row["text"] * int(row.pop("repeat", 1))
            row["source"] = "vocmine_bad_rows"
            out.append(row)
    return out


def assign_touchpoints(data: list[dict]) -> None:
    """Keep a seeded share of known touchpoints, blank the rest (bad rows keep theirs)."""
    rng = rng_for("touchpoint")
    for row in data:
        keep = rng.random() < TOUCHPOINT_KEEP
        if row.get("touchpoint") and row["source"] != "vocmine_bad_rows" and not keep:
            row["touchpoint"] = ""


def assign_dates(data: list[dict]) -> None:
    """Draw a date in YEAR: fixed month if given, theme-weighted month, else uniform."""
    rng = rng_for("dates")
    uniform = np.full(12, 1 / 12)
    for row in data:
        weights = np.asarray(MONTH_WEIGHTS.get(row.get("theme", ""), uniform), dtype=float)
        month = int(rng.choice(12, p=weights / weights.sum())) + 1
        day_draw = rng.random()
        month = int(row.get("month") or month)
        start = dt.date(YEAR, month, 1)
        n_days = ((dt.date(YEAR + month // 12, month % 12 + 1, 1)) - start).days
        row["created_at"] = (start + dt.timedelta(days=int(day_draw * n_days))).isoformat()


def build() -> pd.DataFrame:
    base = eval_dir()
    if not base.is_dir():
        sys.exit(f"Evaluation data not found at {base}. Set VOCMINE_EVAL_DATA to the eval_data folder.")
    data = (load_written() + load_allegro(base) + load_asap(base) + load_uci(base)
            + load_banking(base) + load_it_tickets(base))
    bad = load_bad_rows()
    assign_touchpoints(data)
    assign_dates(data + bad)
    dup = next(r for r in bad if r["kind"] == "duplicate_id")
    data += [r for r in bad if r is not dup]
    order = rng_for("shuffle").permutation(len(data))
    data = [data[i] for i in order]
    for i, row in enumerate(data, start=1):
        row["feedback_id"] = f"FB-{i:05d}"
    # The duplicate: a second, different row exported under an existing id.
    victim = int(rng_for("duplicate").integers(len(data)))
    dup["feedback_id"] = data[victim]["feedback_id"]
    data.insert(victim + 1, dup)
    df = pd.DataFrame(data)
    df["rating"] = pd.array(df["rating"].tolist(), dtype="Int64")
    for col in ("rating_scale", "touchpoint"):
        df[col] = df[col].fillna("")
    return df[COLUMNS]


def write(df: pd.DataFrame, path: Path) -> None:
    """Write UTF-8 CSV, gzip with a zero timestamp and no file name so bytes are stable."""
    text = df.to_csv(index=False, lineterminator="\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                                compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))


def summary(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    tp = df["touchpoint"].replace("", "(empty)")
    buf.write(f"rows: {len(df)}\n\nby source:\n{df['source'].value_counts().to_string()}\n")
    buf.write(f"\nby touchpoint:\n{tp.value_counts().to_string()}\n")
    buf.write(f"\nby channel x scale:\n{df.groupby(['channel', 'rating_scale']).size().to_string()}\n")
    buf.write(f"\nmissing rating: {int(df['rating'].isna().sum())}\n")
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output path (default: packaged file)")
    parser.add_argument("--check", action="store_true", help="fail unless --out equals the packaged file")
    parser.add_argument("--summary", action="store_true", help="print row counts")
    args = parser.parse_args(argv)
    df = build()
    write(df, args.out)
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes, sha256 {digest[:16]})")
    if args.summary:
        print(summary(df))
    if args.check and args.out.read_bytes() != OUT.read_bytes():
        print(f"MISMATCH: {args.out} differs from {OUT}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
