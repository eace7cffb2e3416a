"""Driver ranking: which issues move the score, by how much, how surely, and the trend.

Examples:
    >>> from vocmine.drivers import nps
    >>> nps([10, 9, 8, 3])
    25.0
"""

from __future__ import annotations

from vocmine.drivers._audit_sample import audit_sample
from vocmine.drivers._evidence import select_evidence
from vocmine.drivers._impact import benjamini_hochberg
from vocmine.drivers._outcome import OUTCOME_SCALES, nps, nps_points, to_outcome
from vocmine.drivers._ranker import ImpactRanker
from vocmine.drivers._rows import collapse_rows
from vocmine.drivers._trend import emerging_test, period_labels, trend_table

__all__ = [
    "ImpactRanker",
    "OUTCOME_SCALES",
    "audit_sample",
    "benjamini_hochberg",
    "collapse_rows",
    "emerging_test",
    "nps",
    "nps_points",
    "period_labels",
    "select_evidence",
    "to_outcome",
    "trend_table",
]
