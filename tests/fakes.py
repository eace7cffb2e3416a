"""Deterministic, model-free stand-ins for every stage (like httpx's MockTransport).

They satisfy the stage Protocols so pipeline tests run without weights. They are
test doubles, not product code: the real components live in vocmine/.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from collections.abc import Sequence

import numpy as np

from vocmine.types import (
    DriverInput,
    DriverRecord,
    LangGuess,
    Mention,
    SentimentOutput,
    TopicInfo,
    TopicOutput,
    TouchpointGuess,
)

_CYR = re.compile(r"[\u0400-\u04FF]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_PL = re.compile(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")
_LAT = re.compile(r"[A-Za-z]")


class FakeEmbedder:
    """Hashed character-trigram bag, L2-normalised; counts calls."""

    name = "fake"

    def __init__(self, dim: int = 64) -> None:
        self._dim = dim
        self.calls = 0

    @property
    def dim(self) -> int:
        return self._dim

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for i, text in enumerate(texts):
            s = f"  {text.lower()}  "
            for k in range(len(s) - 2):
                h = int.from_bytes(hashlib.blake2b(s[k : k + 3].encode("utf-8", "surrogatepass"), digest_size=4).digest(), "little")
                out[i, h % self._dim] += 1.0
            norm = np.linalg.norm(out[i])
            out[i] = out[i] / norm if norm else out[i]
        return out


class FakeLanguageDetector:
    def detect(self, texts: Sequence[str]) -> list[LangGuess]:
        out = []
        for x in texts:
            if _HAN.search(x):
                out.append(LangGuess("zh", 0.9))
            elif _CYR.search(x):
                out.append(LangGuess("ru", 0.9))
            elif _PL.search(x):
                out.append(LangGuess("pl", 0.9))
            elif len(_LAT.findall(x)) >= 3:
                out.append(LangGuess("en", 0.8))
            else:
                out.append(LangGuess("und", 0.0))
        return out


_NEG = ("bad", "late", "плохо", "опоздал", "差", "慢", "źle", "spóźn", "broken", "rude")
_POS = ("good", "great", "fast", "хорош", "отлич", "好", "快", "dobr", "super", "love")


class FakeSentiment:
    def predict(self, texts: Sequence[str], *, langs: Sequence[str]) -> SentimentOutput:
        probs = np.zeros((len(texts), 3))
        for i, x in enumerate(texts):
            low = x.lower()
            neg = sum(w in low for w in _NEG)
            pos = sum(w in low for w in _POS)
            probs[i] = (0.8, 0.1, 0.1) if neg > pos else (0.1, 0.1, 0.8) if pos > neg else (0.1, 0.8, 0.1)
        labels = [("negative", "neutral", "positive")[j] for j in probs.argmax(1)]
        return SentimentOutput(labels, probs[:, 2] - probs[:, 0], probs)


_ASPECTS = {"delivery": "DELIVERY", "доставк": "DELIVERY", "配送": "DELIVERY", "dostaw": "DELIVERY",
            "price": "PRICE", "цен": "PRICE", "价格": "PRICE", "cen": "PRICE", "app": "APP_WEBSITE",
            "support": "SUPPORT", "поддержк": "SUPPORT"}


class FakeAspects:
    def __init__(self) -> None:
        self.sentiment = FakeSentiment()

    def extract(self, texts: Sequence[str], *, langs: Sequence[str]) -> list[list[Mention]]:
        out: list[list[Mention]] = []
        polar = self.sentiment.predict(texts, langs=langs)
        for i, x in enumerate(texts):
            found = []
            low = x.lower()
            for term, cat in _ASPECTS.items():
                k = low.find(term)
                if k >= 0:
                    found.append(Mention(k, k + len(term), x[k : k + len(term)], term, cat, 0.9,
                                         polar.labels[i], float(polar.scores[i])))
            out.append(found)
        return out


class FakeTopics:
    """Topic = text length mod 3 (minus 1); 'fitting' records the topic sizes; persistable."""

    def __init__(self, sizes: dict[int, int] | None = None) -> None:
        self.sizes_ = sizes

    def fit(self, texts: Sequence[str], *, langs: Sequence[str], embeddings: np.ndarray | None = None) -> FakeTopics:
        ids = np.array([len(x) % 3 - 1 for x in texts], dtype=np.int64)
        self.sizes_ = {int(k): int((ids == k).sum()) for k in sorted(set(ids.tolist()) - {-1})}
        return self

    def transform(self, texts: Sequence[str], *, langs: Sequence[str], embeddings: np.ndarray | None) -> TopicOutput:
        assert self.sizes_ is not None, "not fitted"
        ids = np.array([len(x) % 3 - 1 for x in texts], dtype=np.int64)
        topics = [TopicInfo(k, n, f"topic {k}", {"en": f"topic {k}"}, {"en": ["w"]}, f"k{k}")
                  for k, n in self.sizes_.items()]
        return TopicOutput(ids, topics)

    def fit_transform(self, texts: Sequence[str], *, langs: Sequence[str], embeddings: np.ndarray | None) -> TopicOutput:
        return self.fit(texts, langs=langs, embeddings=embeddings).transform(texts, langs=langs, embeddings=embeddings)

    def save(self, path: str | Path) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)
        (Path(path) / "sizes.json").write_text(json.dumps(self.sizes_))

    @classmethod
    def load(cls, path: str | Path) -> FakeTopics:
        return cls({int(k): v for k, v in json.loads((Path(path) / "sizes.json").read_text()).items()})


class FakeTouchpoints:
    _MAP = {"DELIVERY": "delivery", "PRICE": "purchase", "APP_WEBSITE": "digital_channels", "SUPPORT": "support"}

    def link(self, texts, *, langs, categories, embeddings):  # type: ignore[no-untyped-def]
        out = []
        for cats in categories:
            tps = [self._MAP[c] for c in cats if c in self._MAP]
            out.append(TouchpointGuess(tps[0], 0.7) if tps else TouchpointGuess("unassigned", 0.0))
        return out


class FakeDrivers:
    """Raw mean difference per driver (no statistics): enough to test plumbing."""

    def rank(self, data: DriverInput) -> list[DriverRecord]:
        recs = []
        y = data.outcome
        for j, name in enumerate(data.names):
            m = data.indicators[:, j] > 0
            if m.all() or not m.any():
                continue
            impact = float(y[m].mean() - y[~m].mean())
            recs.append((name, j, int(m.sum()), impact))
        recs.sort(key=lambda r: (r[3], r[0]))
        return [DriverRecord(name, data.kinds[j], data.touchpoints[j], n, n / len(y), impact, impact - 1,
                             impact + 1, 0.5, 0.5, False, max(0.0, -impact) * n / len(y), rank + 1)
                for rank, (name, j, n, impact) in enumerate(recs)]


def fake_components() -> dict[str, object]:
    """All stages faked."""
    return {"embedder": FakeEmbedder(), "lang": FakeLanguageDetector(), "sentiment": FakeSentiment(),
            "aspects": FakeAspects(), "topics": FakeTopics(), "touchpoints": FakeTouchpoints(),
            "drivers": FakeDrivers()}
