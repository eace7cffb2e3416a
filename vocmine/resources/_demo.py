"""The bundled multilingual demo feedback (RU / ZH / PL / EN), as package data.

``vocmine/resources/demo/feedback.csv.gz`` holds about 2,400 customer-feedback rows built by
``scripts/build_demo.py`` from permissively licensed public sets and text written for vocmine;
``DATA.md`` (repository root) and ``demo/ATTRIBUTION.md`` give sources and licences. The file
as a whole is licensed CC BY-SA 4.0 because it contains Allegro Reviews (KLEJ) rows.

Columns: ``feedback_id``, ``text``, ``rating`` (float, NaN when missing), ``rating_scale``
(``"stars5"`` 1-5 or ``"nps10"`` 0-10, ``""`` when there is no rating), ``touchpoint`` (a
default-taxonomy id for about 40 % of rows, ``""`` otherwise), ``channel`` (``app_review``,
``survey``, ``support_ticket``, ``chat``), ``created_at`` (ISO date in 2024) and ``source``.
There is no language column: detecting it is the library's job.

A few rows are broken on purpose so the demo exercises error collection: an empty text, a
whitespace-only text, a second row reusing an existing ``feedback_id``, one text of 32,040
characters, an emoji-only and a URL-only text (``source == "vocmine_bad_rows"``).

Examples:
    >>> from vocmine.resources import load_demo
    >>> df = load_demo()
    >>> len(df) >= 2000
    True
    >>> sorted(df["rating_scale"].unique())
    ['', 'nps10', 'stars5']
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["DEMO_COLUMNS", "load_demo"]

#: Columns of the demo frame, in file order.
DEMO_COLUMNS: tuple[str, ...] = (
    "feedback_id",
    "text",
    "rating",
    "rating_scale",
    "touchpoint",
    "channel",
    "created_at",
    "source",
)


def load_demo() -> pd.DataFrame:
    """Load the bundled demo feedback as a DataFrame.

    Text cells are read verbatim: an empty text stays ``""`` (not NaN) and whitespace is
    kept, so the deliberately bad rows reach the pipeline's input validation unchanged.
    Only ``rating`` is numeric (float, NaN when missing); every other column is a string.

    Returns:
        One row per feedback record with the columns in ``DEMO_COLUMNS``.

    Examples:
        >>> from vocmine.resources import load_demo
        >>> df = load_demo()
        >>> list(df.columns) == list(DEMO_COLUMNS)
        True
        >>> set(df.loc[df["rating_scale"] == "stars5", "rating"]) <= {1.0, 2.0, 3.0, 4.0, 5.0}
        True
    """
    import pandas as pd

    path = resources.files("vocmine.resources").joinpath("demo").joinpath("feedback.csv.gz")
    with path.open("rb") as fh:
        df = pd.read_csv(
            fh,
            compression="gzip",
            encoding="utf-8",
            dtype={col: str for col in DEMO_COLUMNS if col != "rating"},
            keep_default_na=False,
            na_values={"rating": [""]},
        )
    df["rating"] = df["rating"].astype(float)
    return df[list(DEMO_COLUMNS)]
