"""The feedback ids a batch run has accepted so far, 16 bytes each.

Duplicate ids must be rejected across chunks, so every accepted id is remembered. A
Python set of a million id strings costs ~90 MB; here each id is a 128-bit BLAKE2b
digest in sorted numpy runs (16 MB per million; a false "duplicate" needs two of
them to collide, about 1e-26 at a billion ids). The current chunk's ids sit in a small
set until ``commit``; membership of a whole chunk is looked up at once (``prefetch``).

Examples:
    >>> ids = SeenIds()
    >>> ids.add("a"); ids.commit(); ids.prefetch(["a", "b"])
    >>> "a" in ids, "b" in ids, len(ids)
    (True, False, 1)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

__all__ = ["SeenIds"]

_MAX_RUNS = 8  # sorted runs kept before they are merged into one


def _digests(keys: Iterable[str]) -> np.ndarray:
    raw = b"".join(hashlib.blake2b(k.encode("utf-8", "surrogatepass"), digest_size=16).digest() for k in keys)
    return np.frombuffer(raw, dtype="V16")


class SeenIds:
    """A set of id strings for ``vocmine.schema.validate_frame`` (``in`` and ``add``)."""

    def __init__(self) -> None:
        self._runs: list[np.ndarray] = []
        self._new: set[str] = set()
        self._known: dict[str, bool] = {}

    def __len__(self) -> int:
        return sum(r.size for r in self._runs) + len(self._new)

    def _in_runs(self, digests: np.ndarray) -> np.ndarray:
        found = np.zeros(digests.size, dtype=bool)
        for run in self._runs:
            at = np.minimum(np.searchsorted(run, digests), run.size - 1)
            found |= run[at] == digests
        return found

    def prefetch(self, keys: Iterable[str]) -> None:
        """Look up a chunk's ids in one vectorised pass (``in`` then answers from memory)."""
        keys = [str(k) for k in keys]
        self._known = dict(zip(keys, self._in_runs(_digests(keys)).tolist()))

    def __contains__(self, key: object) -> bool:
        key = str(key)
        if key in self._new:
            return True
        hit = self._known.get(key)
        return bool(self._in_runs(_digests([key]))[0]) if hit is None else hit

    def add(self, key: str) -> None:
        self._new.add(str(key))

    def commit(self) -> None:
        """Fold the ids added since the last commit into the sorted runs."""
        if self._new:
            self._runs.append(np.sort(_digests(sorted(self._new))))
        if len(self._runs) > _MAX_RUNS:
            self._runs = [np.sort(np.concatenate(self._runs))]
        self._new, self._known = set(), {}
