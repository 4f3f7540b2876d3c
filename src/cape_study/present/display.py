"""How numbers, intervals and hidden cells read in the report's tables."""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from cape_study.data.codebook import Language
from cape_study.present import export
from cape_study.present.labels import DURATION_WORDS

__all__ = [
    "NOT_ESTIMABLE",
    "SUPPRESSED",
    "Count",
    "count_cells",
    "count_share_cell",
    "duration",
    "estimate_cell",
    "p_cell",
    "ratio_cell",
    "score_cell",
    "share_cell",
    "show",
]


#: How a suppressed cell is shown.
SUPPRESSED = "·"

#: Shown for a score that cannot be computed (no prediction, or no positive case).
NOT_ESTIMABLE = "–"


class Count(str):
    """A count as a table cell shows it (``1,234``), carrying the number itself in
    :attr:`value`: the step's workbook writes the number, not the text."""

    value: int

    def __new__(cls, value: int) -> Count:
        cell = super().__new__(cls, f"{int(value):,}")
        cell.value = int(value)
        return cell


def count_cells(values: pd.Series) -> list[str]:
    """Counts as :class:`Count` cells (``1,234``), a hidden (missing) count as
    :data:`SUPPRESSED`."""
    return [SUPPRESSED if pd.isna(v) else Count(v) for v in values]


def share_cell(p: float, low: float, high: float) -> str:
    """A share with its interval, ``12.3% (4.5%–20.1%)``; hidden as :data:`SUPPRESSED`."""
    if pd.isna(p):
        return SUPPRESSED
    return f"{p:.1%} ({low:.1%}–{high:.1%})"


def count_share_cell(count: object, p: float, low: float, high: float) -> str:
    """A count with its share and interval, ``12 (3.4%; 1.2%–7.0%)``; hidden if either is."""
    if pd.isna(count) or pd.isna(p):
        return SUPPRESSED
    return f"{int(count):,} ({p:.1%}; {low:.1%}–{high:.1%})"


def estimate_cell(p: float) -> str:
    """A share without an interval, ``12.3%``; hidden as :data:`SUPPRESSED`."""
    return SUPPRESSED if pd.isna(p) else f"{p:.1%}"


def score_cell(value: float, suppressed: bool) -> str:
    """A score with two decimals; :data:`SUPPRESSED` if hidden, :data:`NOT_ESTIMABLE` if missing."""
    if suppressed:
        return SUPPRESSED
    return NOT_ESTIMABLE if pd.isna(value) else f"{value:.2f}"


def ratio_cell(value: float) -> str:
    """An odds or hazard ratio: two decimals below 100, whole above, ``∞`` if infinite."""
    if pd.isna(value):
        return SUPPRESSED
    if value == float("inf"):
        return "∞"
    return f"{value:,.0f}" if value >= 100 else f"{value:.2f}"


def p_cell(value: float) -> str:
    """A p-value with three decimals, ``<0.001`` below that, blank if missing."""
    return "" if pd.isna(value) else ("<0.001" if value < 0.001 else f"{value:.3f}")


def duration(days: float, lang: Language) -> str:
    """A time in days as whole years when it is one, else as months (of 30.4375 days)."""
    words = DURATION_WORDS[lang]
    if days % 365 == 0:
        n = int(days // 365)
        return f"{n} {words['years' if n != 1 else 'year']}"
    return f"{round(days / 30.4375)} {words['months']}"


def show(table: pd.DataFrame, name: str | None = None) -> Styler:
    """A table for the report: no index column, full-length text, suppressed cells marked.

    With a ``name``, the table is also kept for the step's workbook of tables
    (:func:`cape_study.present.export.record_table`: in a step's notebook,
    ``notebook.Session.record_table``, written by ``notebook.finish``). Numbers in numeric
    columns are shown with a thousands separator, as :class:`Count` cells are.
    """
    if name is not None:
        export.record_table(name, table)
    return (
        table.style.hide(axis="index")
        .format(na_rep=SUPPRESSED, thousands=",")
        .set_properties(**{"text-align": "left"})
    )
