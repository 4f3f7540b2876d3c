"""How numbers, intervals, dates and hidden cells read in the report, per language.

Numbers are formatted with Babel's CLDR locale data (``sv`` as sv_SE, ``en`` as en_GB,
``fi`` as fi_FI): ``5 588`` and ``71,6 %`` in Swedish and Finnish (a no-break space
groups the thousands and stands before the percent sign), ``5,588`` and ``71.6%`` in
English; an interval is ``1,22–5 588``. The language is the run's ``lang``, set once per
notebook by :func:`use_language` (``notebook.check_parameters`` calls it); each function
also takes ``lang=`` to override it.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers

import pandas as pd
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from pandas.io.formats.style import Styler

from cape_study.present import export
from cape_study.present.labels import DURATION_WORDS
from cape_study.privacy.disclosure import HIDDEN, SMALL

__all__ = [
    "LOCALES",
    "MONTH_DAYS",
    "NOT_ESTIMABLE",
    "SMALL_MARK",
    "SUPPRESSED",
    "Count",
    "Nothing",
    "Numbers",
    "all_hidden",
    "count_cells",
    "count_share_cell",
    "date",
    "duration",
    "estimate_cell",
    "hidden_marks",
    "interval",
    "language",
    "number",
    "p_cell",
    "percent",
    "ratio_cell",
    "ratio_interval_cell",
    "score_cell",
    "share_cell",
    "show",
    "use_language",
]

#: The CLDR locale each report language is formatted in.
LOCALES = {"sv": "sv_SE", "en": "en_GB", "fi": "fi_FI"}

_language = {"lang": "en"}


def use_language(lang: str) -> None:
    """Format numbers, percentages and dates in ``lang`` (sv, en or fi) from now on."""
    if lang not in LOCALES:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LOCALES)}")
    _language["lang"] = lang


def language() -> str:
    """The language numbers are formatted in now (see :func:`use_language`)."""
    return _language["lang"]


def _locale(lang: str | None) -> str:
    return LOCALES[lang or _language["lang"]]


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def number(value: float, decimals: int = 0, lang: str | None = None) -> str:
    """A number with ``decimals`` decimals and grouped thousands: ``5 588`` (sv), ``5,588``
    (en); ``1,22`` (sv) with two decimals."""
    return format_decimal(value, format=_pattern(decimals), locale=_locale(lang))


def percent(p: float, decimals: int = 1, lang: str | None = None) -> str:
    """A share as a percentage: ``71,6 %`` (sv, fi), ``71.6%`` (en)."""
    loc = Locale.parse(_locale(lang))
    pattern = loc.percent_formats[None].pattern.replace("#,##0", _pattern(decimals))
    return format_percent(p, format=pattern, locale=loc)


def interval(low: float, high: float, decimals: int = 2, lang: str | None = None) -> str:
    """An interval of two numbers with an en dash: ``1,22–5 588`` (sv), ``1.22–5,588`` (en).

    A bound of 100 or more is written without decimals, as :func:`ratio_cell` does."""
    return f"{_bound(low, decimals, lang)}–{_bound(high, decimals, lang)}"


def _bound(value: float, decimals: int, lang: str | None) -> str:
    if pd.isna(value):
        return SUPPRESSED
    if math.isinf(value):
        return "∞"
    return number(value, 0 if abs(value) >= 100 else decimals, lang)


def date(value: dt.date | pd.Timestamp | str, lang: str | None = None) -> str:
    """A date as the language writes it: ``31 dec. 2024`` (sv), ``31 Dec 2024`` (en),
    ``31.12.2024`` (fi)."""
    day = pd.Timestamp(value).date()
    return format_date(day, format="medium", locale=_locale(lang))


#: How a hidden cell is shown: any count (or a share, estimate or score computed from
#: one) hidden by disclosure control, to protect a small count or because it is small;
#: it may be any number (Statistics Canada's sign for a figure suppressed for
#: confidentiality; the Nordic offices have one sign for every figure not published).
SUPPRESSED = "x"

#: How a count hidden because it is small (from 1 to the threshold less one) is shown,
#: where saying so narrows no hidden count (:func:`cape_study.privacy.disclosure.suppress`):
#: ``..``, the sign Statistics Sweden and Statistics Finland give a figure not published.
SMALL_MARK = ".."

#: Shown for a score that cannot be computed (no prediction, or no positive case).
NOT_ESTIMABLE = "–"


class Count(str):
    """A count as a table cell shows it (``1,234``; ``1 234`` in Swedish), carrying the
    number itself in :attr:`value`: the step's workbook writes the number, not the text."""

    value: int

    def __new__(cls, value: int) -> Count:
        cell = super().__new__(cls, number(int(value)))
        cell.value = int(value)
        return cell


#: Excel number formats of the parts of a :class:`Numbers` cell.
PERCENT_FORMAT = "0.0%"
COUNT_FORMAT = "#,##0"
DECIMAL_FORMAT = "0.00"


class Numbers(str):
    """A cell showing numbers as text (a share with its interval, ``12.3% (4.5%–20.1%)``),
    carrying the numbers themselves in :attr:`parts`: ``(part, value, number format)``
    with ``part`` one of ``count``, ``estimate``, ``lower``, ``upper`` and ``value`` None
    when hidden. The step's workbook writes each part in its own column, as a number."""

    parts: tuple[tuple[str, float | int | str | None, str], ...]

    def __new__(
        cls, text: str, parts: tuple[tuple[str, float | int | str | None, str], ...]
    ) -> Numbers:
        cell = super().__new__(cls, text)
        cell.parts = tuple(parts)
        return cell

    def __getnewargs__(self) -> tuple[str, tuple[tuple[str, float | int | str | None, str], ...]]:  # type: ignore[override]
        return (str(self), self.parts)


def _num(value: float) -> float | str | None:
    """A part's value: None for a missing one, ``∞`` for an infinite one."""
    if value is None or pd.isna(value):
        return None
    return "∞" if math.isinf(float(value)) else float(value)


def hidden_marks(table: pd.DataFrame) -> list[str]:
    """The mark of each row's hidden count in a table from
    :func:`~cape_study.privacy.disclosure.suppress` (its ``hidden`` column):
    :data:`SMALL_MARK` for a count marked small, else :data:`SUPPRESSED`."""
    if HIDDEN not in table:
        return [SUPPRESSED] * len(table)
    return [SMALL_MARK if h == SMALL else SUPPRESSED for h in table[HIDDEN].fillna("")]


def count_cells(values: pd.Series, marks: list[str] | None = None) -> list[str]:
    """Counts as :class:`Count` cells (``1,234``), a hidden (missing) count as its mark
    (``marks``, one per value, from :func:`hidden_marks`; default :data:`SUPPRESSED`)."""
    marks = marks if marks is not None else [SUPPRESSED] * len(values)
    return [m if pd.isna(v) else Count(v) for v, m in zip(values, marks, strict=True)]


def share_cell(p: float, low: float, high: float) -> str:
    """A share with its interval, ``12.3% (4.5%–20.1%)``, ``12,3 % (4,5 %–20,1 %)`` in
    Swedish; hidden as :data:`SUPPRESSED`."""
    if pd.isna(p):
        return SUPPRESSED
    return Numbers(f"{percent(p)} ({percent(low)}–{percent(high)})", _share_numbers(p, low, high))


def _share_numbers(
    p: float, low: float, high: float
) -> tuple[tuple[str, float | str | None, str], ...]:
    """The numbers of a share with its interval, as a workbook cell holds them."""
    return (
        ("estimate", _num(p), PERCENT_FORMAT),
        ("lower", _num(low), PERCENT_FORMAT),
        ("upper", _num(high), PERCENT_FORMAT),
    )


def count_share_cell(
    count: object, p: float, low: float, high: float, mark: str = SUPPRESSED
) -> str:
    """A count with its share and interval, ``12 (3.4%; 1.2%–7.0%)``; hidden if either
    is, as ``mark`` when the count is (:func:`hidden_marks`), else :data:`SUPPRESSED`."""
    if pd.isna(count):
        return mark
    if pd.isna(p):
        return SUPPRESSED
    text = f"{number(int(count))} ({percent(p)}; {percent(low)}–{percent(high)})"
    return Numbers(text, (("count", int(count), COUNT_FORMAT), *_share_numbers(p, low, high)))


def estimate_cell(p: float) -> str:
    """A share without an interval, ``12.3%``; hidden as :data:`SUPPRESSED`."""
    if pd.isna(p):
        return SUPPRESSED
    return Numbers(percent(p), (("estimate", _num(p), PERCENT_FORMAT),))


def score_cell(value: float, suppressed: bool) -> str:
    """A score with two decimals; :data:`SUPPRESSED` if hidden, :data:`NOT_ESTIMABLE` if missing."""
    if suppressed:
        return SUPPRESSED
    if pd.isna(value):
        return NOT_ESTIMABLE
    return Numbers(number(value, 2), (("estimate", _num(value), DECIMAL_FORMAT),))


def ratio_cell(value: float) -> str:
    """An odds or hazard ratio: two decimals below 100, whole above, ``∞`` if infinite."""
    if pd.isna(value):
        return SUPPRESSED
    return Numbers(_bound(value, 2, None), (("estimate", _num(value), DECIMAL_FORMAT),))


def ratio_interval_cell(value: float, low: float, high: float) -> str:
    """An odds or hazard ratio with its interval, ``2.10 (1.05–4.20)``, as
    :func:`ratio_cell` writes each number."""
    text = f"{ratio_cell(value)} ({ratio_cell(low)}–{ratio_cell(high)})"
    return Numbers(
        text,
        (
            ("estimate", _num(value), DECIMAL_FORMAT),
            ("lower", _num(low), DECIMAL_FORMAT),
            ("upper", _num(high), DECIMAL_FORMAT),
        ),
    )


def p_cell(value: float) -> str:
    """A p-value with three decimals, ``<0.001`` (``<0,001``) below that, blank if missing."""
    if pd.isna(value):
        return ""
    return "<" + number(0.001, 3) if value < 0.001 else number(value, 3)


#: Days in a month on average (a year of 365.25 days over 12).
MONTH_DAYS = 30.4375


def duration(days: float, lang: str) -> str:
    """A time in days as whole years when it is one, else as months (of
    :data:`MONTH_DAYS` days)."""
    words = DURATION_WORDS[lang]
    if days % 365 == 0:
        n = int(days // 365)
        return f"{n} {words['years' if n != 1 else 'year']}"
    return f"{round(days / MONTH_DAYS)} {words['months']}"


def show(table: pd.DataFrame, name: str | None = None) -> Styler | Nothing:
    """A table for the report: no index column, full-length text, suppressed cells marked.

    A table whose every cell is hidden (:func:`all_hidden`) is not shown when the
    connected source takes it (:func:`cape_study.present.export.hidden_table`: inside
    ``notebook.section``, which says it in one sentence); :class:`Nothing` is returned.

    With a ``name``, the table is also kept for the step's workbook of tables
    (:func:`cape_study.present.export.record_table`: in a step's notebook,
    ``notebook.Session.record_table``, written by ``notebook.finish``). Numbers in numeric
    columns are shown as the language writes them, as :class:`Count` cells are.
    """
    if name is not None:
        export.record_table(name, table)
    if all_hidden(table) and export.hidden_table(name):
        return Nothing()
    styled = (
        table.style.hide(axis="index")
        .format(na_rep=SUPPRESSED, formatter=_numeric_cell)
        .set_properties(**{"text-align": "left"})
    )
    legend = export.legend(marks_in(table))
    if legend:
        styled = styled.set_caption(legend).set_table_styles(
            [{"selector": "caption", "props": "caption-side: bottom; text-align: left;"}],
            overwrite=False,
        )
    return styled


class Nothing:
    """What :func:`show` gives for a table said in a section's one sentence instead:
    displayed, it shows nothing."""

    def _ipython_display_(self) -> None:
        return None


def _hidden_cell(cell: object) -> bool | None:
    """True for a hidden cell (a mark, a missing value, numbers all hidden), False for
    a shown number, None for a label (other text)."""
    if isinstance(cell, Numbers):
        return all(value is None for _, value, _ in cell.parts)
    if isinstance(cell, Count):
        return False
    if isinstance(cell, str):
        hidden = cell in (SMALL_MARK, SUPPRESSED) or cell.startswith(SUPPRESSED + " ")
        return True if hidden else None
    if cell is None or (not isinstance(cell, list | tuple) and pd.isna(cell)):
        return True
    if isinstance(cell, numbers.Real) and not isinstance(cell, bool):
        return False
    return None


def all_hidden(table: pd.DataFrame) -> bool:
    """Whether a shown table holds hidden cells and no number at all: every count,
    share or estimate in it is hidden (labels aside), so that it shows nothing."""
    kinds = {_hidden_cell(c) for c in table.astype(object).to_numpy().ravel()}
    return True in kinds and False not in kinds


def marks_in(table: pd.DataFrame) -> list[str]:
    """The marks of hidden cells a shown table holds (a missing value shows as
    :data:`SUPPRESSED`), in the order :data:`SMALL_MARK`, :data:`SUPPRESSED`."""
    cells = table.astype(object).to_numpy().ravel()
    found = set()
    for cell in cells:
        if isinstance(cell, str):
            if cell in (SMALL_MARK, SUPPRESSED) or cell.startswith(SUPPRESSED + " "):
                found.add(SMALL_MARK if cell == SMALL_MARK else SUPPRESSED)
        elif cell is None or (not isinstance(cell, list | tuple) and pd.isna(cell)):
            found.add(SUPPRESSED)
    return [m for m in (SMALL_MARK, SUPPRESSED) if m in found]


def _numeric_cell(value: object) -> object:
    if isinstance(value, bool | str) or not isinstance(value, numbers.Real):
        return value
    if pd.isna(value):
        return SUPPRESSED
    if isinstance(value, numbers.Integral) or float(value).is_integer():
        return number(value)
    return number(value, 2)
