"""Label mappings (as data) and fixed, seeded samples for ``benchmarks/touchpoints.py``.

Gold categories of each dataset are mapped to vocmine category ids by the first matching
glob (``None`` = no counterpart, the label is dropped). ``MERGE`` maps our ids onto the
id they count as in a dataset whose scheme lumps them together (SemEval's SERVICE covers
both staff and waiting; SentiRuEval's Food covers drinks). Only ids that a dataset can
express are scored there; predictions of other ids are counted separately as off-scheme.
"""

from __future__ import annotations

import fnmatch
import re

import pandas as pd

from benchmarks._common import eval_path

SEED = 0

SEMEVAL16_RESTAURANTS = [
    ("FOOD#PRICES", "PRICE"), ("DRINKS#PRICES", "PRICE"), ("RESTAURANT#PRICES", "PRICE"), ("FOOD#*", "FOOD"),
    ("DRINKS#*", "DRINKS"), ("SERVICE#*", "STAFF"), ("AMBIENCE#*", "AMBIENCE"), ("LOCATION#*", "LOCATION"),
    ("RESTAURANT#*", None),
]
SEMEVAL16_LAPTOPS = [
    ("*#PRICE", "PRICE"), ("BATTERY#*", "BATTERY"), ("POWER_SUPPLY#*", "BATTERY"), ("DISPLAY#*", "SCREEN"),
    ("SUPPORT#*", "SUPPORT"), ("WARRANTY#*", "RETURNS_REFUNDS"), ("SHIPPING#*", "DELIVERY"), ("OS#*", "SOFTWARE"),
    ("SOFTWARE#*", "SOFTWARE"), ("*#OPERATION_PERFORMANCE", "PERFORMANCE"), ("LAPTOP#QUALITY", "PRODUCT_QUALITY"),
    ("*", None),
]
SEMEVAL16_PHONES_CAMERAS = [
    ("*#PRICE", "PRICE"), ("DISPLAY#*", "SCREEN"), ("BATTERY#*", "BATTERY"), ("POWER_SUPPLY#*", "BATTERY"),
    ("PHOTO#*", "CAMERA"), ("FOCUS#*", "CAMERA"), ("LENS#*", "CAMERA"), ("CAMERA#OPERATION_PERFORMANCE", "CAMERA"),
    ("CAMERA#QUALITY", "CAMERA"), ("CAMERA#GENERAL", "CAMERA"), ("SOFTWARE#*", "SOFTWARE"), ("OS#*", "SOFTWARE"),
    ("PHONE#OPERATION_PERFORMANCE", "PERFORMANCE"), ("CPU#*", "PERFORMANCE"), ("MEMORY#*", "PERFORMANCE"),
    ("PHONE#QUALITY", "PRODUCT_QUALITY"), ("PHONE#CONNECTIVITY", "NETWORK_COVERAGE"), ("SUPPORT#*", "SUPPORT"),
    ("*", None),
]
ASAP = [
    ("dish_*", "FOOD"), ("environment_cleaness", "CLEANLINESS"), ("environment_*", "AMBIENCE"),
    ("location_*", "LOCATION"), ("service_parking_convenience", "LOCATION"), ("price_*", "PRICE"),
    ("service_serving_speed", "WAITING_TIME"), ("service_wait_time", "WAITING_TIME"),
    ("service_waiters_attitude", "STAFF"),
]
SENTIRUEVAL = [("Food", "FOOD"), ("Service", "STAFF"), ("Interior", "AMBIENCE"), ("Price", "PRICE"), ("*", None)]

MERGE = {
    "semeval16_restaurants": {"WAITING_TIME": "STAFF", "SUPPORT": "STAFF"},
    "semeval16_laptops": {"STAFF": "SUPPORT"},
    "semeval16_phones_cameras": {},
    "asap": {"DRINKS": "FOOD", "SUPPORT": "STAFF"},
    "sentirueval": {"DRINKS": "FOOD", "WAITING_TIME": "STAFF", "SUPPORT": "STAFF"},
}

#: (dataset folder, lang, rules, merge key, train sample, test sample or None = all)
SENTENCE_SETS = [
    ("en_semeval16_restaurants_absa", "en", SEMEVAL16_RESTAURANTS, "semeval16_restaurants", 600, None),
    ("ru_semeval16_restaurants_absa", "ru", SEMEVAL16_RESTAURANTS, "semeval16_restaurants", 300, 500),
    ("en_semeval16_laptops_absa", "en", SEMEVAL16_LAPTOPS, "semeval16_laptops", 300, 500),
    ("zh_semeval16_phones_cameras_absa", "zh", SEMEVAL16_PHONES_CAMERAS, "semeval16_phones_cameras", 300, 800),
]

#: BANKING77 intent -> touchpoint, per journey preset (ambiguous intents are left out).
_TOP_UPS = ["automatic_top_up", "pending_top_up", "top_up_failed", "top_up_limits", "top_up_reverted",
            "topping_up_by_card", "top_up_by_cash_or_cheque", "verify_top_up"]
_TRANSFERS = ["pending_transfer", "failed_transfer", "declined_transfer", "transfer_timing", "transfer_into_account",
              "transfer_not_received_by_recipient", "cancel_transfer", "receiving_money", "beneficiary_not_allowed",
              "balance_not_updated_after_bank_transfer", "balance_not_updated_after_cheque_or_cash_deposit"]
_CARD_PAYMENTS = ["declined_card_payment", "pending_card_payment", "pending_cash_withdrawal",
                  "declined_cash_withdrawal", "apple_pay_or_google_pay", "wrong_amount_of_cash_received"]
_FEES = ["card_payment_fee_charged", "transfer_fee_charged", "top_up_by_bank_transfer_charge", "top_up_by_card_charge",
         "exchange_charge", "cash_withdrawal_charge", "exchange_rate", "card_payment_wrong_exchange_rate",
         "wrong_exchange_rate_for_cash_withdrawal", "extra_charge_on_statement", "transaction_charged_twice"]
_IDENTITY = ["verify_my_identity", "unable_to_verify_identity", "why_verify_identity", "age_limit",
             "verify_source_of_funds", "activate_my_card"]
_REFUNDS = ["Refund_not_showing_up", "request_refund", "reverted_card_payment?"]
_DIGITAL = ["passcode_forgotten", "edit_personal_details", "exchange_via_app"]
_CARD_USE = ["card_not_working", "contactless_not_working", "virtual_card_not_working", "card_swallowed", "atm_support",
             "disposable_card_limits"]
BANKING77 = {
    "default": {
        "delivery": ["card_arrival", "card_delivery_estimate"], "onboarding": _IDENTITY,
        "purchase": ["order_physical_card", "getting_spare_card", "getting_virtual_card",
                     "get_disposable_virtual_card"],
        "payment": _TOP_UPS + _TRANSFERS + _CARD_PAYMENTS + _FEES, "returns": _REFUNDS,
        "renewal_cancellation": ["terminate_account"], "digital_channels": _DIGITAL, "product_use": _CARD_USE,
    },
    "banking_telecom": {
        "onboarding": _IDENTITY,
        "cards": ["card_arrival", "card_delivery_estimate", "order_physical_card", "get_physical_card",
                  "getting_spare_card", "getting_virtual_card", "get_disposable_virtual_card", "card_about_to_expire",
                  "card_linking", "visa_or_mastercard", "card_acceptance", *_CARD_USE],
        "payments_transfers": _TOP_UPS + _TRANSFERS + _CARD_PAYMENTS, "fees_billing": _FEES,
        "security_fraud": ["compromised_card", "lost_or_stolen_card", "lost_or_stolen_phone",
                           "card_payment_not_recognised", "cash_withdrawal_not_recognised",
                           "direct_debit_payment_not_recognised", "pin_blocked"],
        "digital_channels": _DIGITAL, "disputes_refunds": _REFUNDS, "renewal_cancellation": ["terminate_account"],
    },
}


def map_category(cat: str, rules: list[tuple[str, str | None]]) -> str | None:
    """First glob in ``rules`` matching ``cat`` gives our id (``None``: no counterpart)."""
    for pattern, ours in rules:
        if fnmatch.fnmatchcase(cat, pattern):
            return ours
    return None


def _read(name: str, file: str = "data.jsonl.gz") -> pd.DataFrame:
    return pd.read_json(eval_path(name) / file, lines=True)


def sentence_set(name: str, rules: list, n_train: int, n_test: int | None) -> pd.DataFrame:
    """SemEval-16 sentences with mapped gold sets; seeded samples of the official splits."""
    df = _read(name)
    df["gold"] = [frozenset(m for m in (map_category(o["category"], rules) for o in ops) if m) for ops in df.opinions]
    parts = []
    for split, n in (("train", n_train), ("test", n_test)):
        part = df[df.split == split]
        parts.append(part.sample(n=n, random_state=SEED) if n and len(part) > n else part)
    return pd.concat(parts)[["text", "gold", "split"]].reset_index(drop=True)


_SENT = re.compile(r"(?<=[。！？!?；;\n])|\\n|(?<=[.])\s+")


def asap_reviews(n: int = 100) -> pd.DataFrame:
    """ASAP reviews (zh) split into sentences; gold = mapped review-level categories."""
    df = _read("zh_asap_restaurant_sample").sample(n=n, random_state=SEED).reset_index(drop=True)
    df["gold"] = [frozenset(m for m in (map_category(c, ASAP) for c in a) if m) for a in df.aspects]
    df["sents"] = [[s.strip() for s in _SENT.split(t.replace("\\\\n", "\n")) if s and len(s.strip()) >= 4]
                   for t in df.text]
    return df


def term_set(n_train: int = 1000, n_test: int = 1500) -> pd.DataFrame:
    """Aspect terms with their sentence and mapped gold (None = the dataset's 'general' class)."""
    rows = []
    for name in ("en_semeval16_restaurants_absa", "ru_semeval16_restaurants_absa"):
        df = _read(name)
        for text, ops, split in zip(df.text, df.opinions, df.split):
            for o in ops:
                if o.get("target") and o["target"] != "NULL":
                    gold = map_category(o["category"], SEMEVAL16_RESTAURANTS)
                    rows.append((o["target"], text, gold, name[:2], split, "semeval16_restaurants"))
    df = _read("ru_sentirueval2015_restaurants_absa")
    for text, aspects, split in zip(df.text, df.aspects, df.split):
        for a in aspects:
            if a.get("type") != "explicit":
                continue
            s, e = a["start"], a["end"]
            left = max(text.rfind(".", 0, s), text.rfind("!", 0, s), text.rfind("?", 0, s)) + 1
            ends = [p for p in (text.find(".", e), text.find("!", e), text.find("?", e)) if p >= 0]
            ctx = text[left : (min(ends) + 1) if ends else len(text)].strip()
            rows.append((a["term"], ctx, map_category(a["category"], SENTIRUEVAL), "ru", split, "sentirueval"))
    out = pd.DataFrame(rows, columns=["term", "context", "gold", "lang", "split", "source"])
    out = out.drop_duplicates(["term", "context", "source"]).reset_index(drop=True)
    return pd.concat([out[out.split == "train"].sample(n_train, random_state=SEED),
                      out[out.split == "test"].sample(n_test, random_state=SEED)]).reset_index(drop=True)


def banking_set(preset: str, n_train: int = 1500) -> pd.DataFrame:
    """BANKING77 queries whose intent maps to a touchpoint of ``preset``: a train sample and all of test."""
    df = _read("en_banking77")
    inverse = {intent: tp for tp, intents in BANKING77[preset].items() for intent in intents}
    df["gold"] = df.label.map(inverse)
    df = df[df.gold.notna()]
    return pd.concat([df[df.split == "train"].sample(n=n_train, random_state=SEED),
                      df[df.split == "test"]]).reset_index(drop=True)
