"""Cells to types: the first pass of validation (:mod:`cape_study.data.schema` is the second).

Every cell arrives as text (CSV) or as a spreadsheet value (xlsx) and is converted to
the type the codebook declares: dates, integers, booleans
(``1/0``, ``true/false``, ``yes/no``, ``ja/nej``, ``kyllä/ei``, and Excel's
``SANT/FALSKT``, ``TOSI/EPÄTOSI``), codes (a template's
drop-down entry ``code — label`` is read as its code) and identifiers (without spaces
or invisible characters; an invisible one is named in the problem). A cell that cannot
be converted is a problem and becomes missing.

Dates carry a precision. Real records often give only the month or the year ("offence
period 2017", "judgment November 2019"), so a date cell may hold ``YYYY-MM-DD`` (day;
``2019-3-1`` too), ``YYYY-MM`` (month) or ``YYYY`` (year). The typed column holds the
first day of that period, and a companion column ``<column>_precision``
(:func:`precision_column`) holds
``day``, ``month`` or ``year``; :func:`period_end` gives the period's last day, so that
checks compare periods rather than their first days. A spreadsheet date is
day-precise; a spreadsheet number in a date column is an Excel serial date (days
since 1899-12-30) when it is above 2100, and a year when it is a whole number from 1900
to 2100 (a year typed into a cell Excel did not turn into a date).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from cape_study.data.codebook import Table
from cape_study.data.headers import CODE_SEPARATOR
from cape_study.data.problems import ProblemList, Source, invisible_characters

__all__ = ["DTYPES", "PRECISIONS", "parse_table", "period_end", "precision_column"]

# the last two of each: TRUE and FALSE as Swedish and Finnish Excel write them in a CSV
_TRUE = {"1", "true", "yes", "ja", "y", "t", "kyllä", "sant", "tosi"}
_FALSE = {"0", "false", "no", "nej", "n", "f", "ei", "falskt", "epätosi"}
_ID = re.compile(r"^\S+$")
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})( 00:00:00)?)?)?$")
#: a whole number with its thousands set apart by spaces (1 200, 1\u00a0200 as Excel in
#: Swedish or Finnish writes it); 1,200 and 1.200 stay unread: 1.2 or 1200?
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+")
#: A date's precision, finest first.
PRECISIONS = ("day", "month", "year")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_YEARS = (1900, 2100)
_LAST_SERIAL = 2958465  # 9999-12-31


_BLANK, _UNSEEN = object(), object()


def _is_blank(value: object) -> bool:
    return (
        value is None
        or value is pd.NA
        or (isinstance(value, float) and np.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def precision_column(column: str) -> str:
    """The name of the column that holds the precision of date column ``column``."""
    return f"{column}_precision"


def period_end(dates: pd.Series, precision: pd.Series) -> pd.Series:
    """The last day of each date's period: the date itself, its month's or its year's end.

    ``dates`` holds each period's first day (as :func:`parse_table` writes them) and
    ``precision`` ``day``, ``month``, ``year`` or missing (read as ``day``).
    """
    dates = pd.to_datetime(dates)
    precision = precision.astype("string").reindex(dates.index)
    end = dates.copy()
    month = (precision == "month").fillna(False).to_numpy(bool)
    year = (precision == "year").fillna(False).to_numpy(bool)
    end[month] = dates[month] + pd.offsets.MonthEnd(0)
    end[year] = dates[year] + pd.offsets.YearEnd(0)
    return end


def _parse_date(value: object) -> tuple[dt.datetime, str] | None:
    if isinstance(value, dt.datetime):
        return (value, "day") if value.time() == dt.time(0) else None
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0)), "day"
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if number.is_integer() and _YEARS[0] <= number <= _YEARS[1]:
            return dt.datetime(int(number), 1, 1), "year"
        if number.is_integer() and _YEARS[1] < number <= _LAST_SERIAL:
            return _EXCEL_EPOCH + dt.timedelta(days=int(number)), "day"
        return None
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.match(value.strip())
    if match is None:
        return None
    year, month, day = match.group(1), match.group(2), match.group(3)
    try:
        parsed = dt.datetime(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return parsed, "day" if day else "month" if month else "year"


def _parse_integer(value: object) -> int | None:
    number = _whole_number(value)
    # beyond a 64-bit integer (a long number pasted into a count): not a count, and
    # pandas' Int64 column would fail on it with an OverflowError
    return number if number is not None and -(2**63) <= number < 2**63 else None


def _whole_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        return int(value.strip())
    if isinstance(value, str) and _GROUPED.fullmatch(value.strip()):
        return int(re.sub(r"\s", "", value))
    return None


def _parse_boolean(value: object) -> bool | None:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        token = value.strip().lower()
        if token in _TRUE:
            return True
        if token in _FALSE:
            return False
    return None


def _parse_text(value: object) -> str | None:
    if isinstance(value, dt.datetime | dt.date):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_code(value: object) -> str | None:
    """A code, or a template's drop-down entry ``code — label`` read as its code."""
    text = _parse_text(value)
    if text is not None and CODE_SEPARATOR in text:
        text = text.split(CODE_SEPARATOR, 1)[0].strip()
    return text


def _parse_id(value: object) -> str | None:
    text = _parse_text(value)
    if text is None or not _ID.match(text) or invisible_characters(text):
        return None
    return text


def _invisible(value: object) -> str | None:
    """What is expected of an id holding invisible characters, naming them."""
    names = invisible_characters(value) if isinstance(value, str) else []
    if not names:
        return None
    return f"an identifier without invisible characters; it holds {', '.join(names)}"


_PARSERS: dict[str, tuple[Callable[[object], object], str, str]] = {
    # type: (parser, pandas dtype, what is expected)
    "id": (_parse_id, "string", "an identifier without spaces"),
    "text": (_parse_text, "string", "text"),
    "date": (
        _parse_date,
        "datetime64[ns]",
        "a date written YYYY-MM-DD, or YYYY-MM or YYYY when only the month or year is known "
        "(1/3/2019 and 1.3.2019 are not read: the order of day and month is not certain)",
    ),
    "integer": (
        _parse_integer,
        "Int64",
        "a whole number (leave the cell blank when it is not known; no 'ca', '>' or ranges)",
    ),
    "boolean": (_parse_boolean, "boolean", "1/0, true/false, yes/no, ja/nej or kyllä/ei"),
    "code": (_parse_code, "string", "a code"),
    "country": (_parse_text, "string", "a country code"),
    "scheme_name": (_parse_text, "string", "a scheme name"),
    "scheme_code": (_parse_text, "string", "a code"),
}


_Found = list[tuple[Source, object, str, object, str, str]]
#: Types of the cells that _is_blank reads as blank when pandas reads them as missing.
_MISSING_TYPES = frozenset({type(None), float, np.float64, type(pd.NA)})


def _problem(
    source: Source, row: object, name: str, value: object, kind: str, expected: str
) -> tuple[Source, object, str, object, str, str]:
    invisible = _invisible(value) if kind == "id" else None
    return (source, row, name, value, invisible or expected, "invisible" if invisible else "")


def _parse_cells(
    column: pd.Series,
    index: pd.Index,
    parse: Callable[[object], object],
    kind: str,
    expected: str,
    name: str,
    source: Source,
) -> tuple[list, list | None, _Found]:
    """A column's cells parsed one by one (each distinct value, by type, once): any cells."""
    seen: dict[tuple[type, object], object] = {}
    values: list = []
    found: _Found = []
    for row, value in zip(index, column, strict=True):
        key = (type(value), value)
        parsed = seen.get(key, _UNSEEN)
        if parsed is _UNSEEN:
            parsed = seen[key] = _BLANK if _is_blank(value) else parse(value)
        if parsed is _BLANK:
            values.append(None)
            continue
        if parsed is None:
            found.append(_problem(source, row, name, value, kind, expected))
        values.append(parsed)
    if kind != "date":
        return values, None, found
    pairs = [v if isinstance(v, tuple) else (None, None) for v in values]
    return [p[0] for p in pairs], [p[1] for p in pairs], found


def _parse_column(
    column: pd.Series,
    index: pd.Index,
    parse: Callable[[object], object],
    kind: str,
    expected: str,
    name: str,
    source: Source,
) -> tuple[np.ndarray, np.ndarray | None, _Found] | None:
    """A column of text cells (every cell a string or missing, as a CSV file is read)
    parsed by its distinct values: each is parsed once and the column taken from them,
    what :func:`_parse_cells` gives cell by cell. ``None`` for any other column (a
    workbook's numbers, dates and booleans keep their types there)."""
    cells = column.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(cells, skipna=True) not in ("string", "empty"):
        return None
    codes, distinct = pd.factorize(cells)
    missing = codes == -1
    if not set(map(type, cells[missing])) <= _MISSING_TYPES:
        return None  # a missing value of another kind (NaT ...): cell by cell
    parsed = np.empty(len(distinct) + 1, dtype=object)  # the last: missing cells' None
    bad = np.zeros(len(distinct) + 1, dtype=bool)
    if parse in (_parse_text, _parse_id) and set(map(type, distinct)) <= {str}:
        # free text and ids (most of a column's values distinct): what _is_blank,
        # _parse_text and _parse_id do to a str, without a call for each
        for i, text in enumerate([v.strip() for v in distinct]):
            if not text:
                continue  # blank
            if parse is _parse_id and not (_ID.match(text) and not invisible_characters(text)):
                bad[i] = True
            else:
                parsed[i] = text
    else:
        for i, value in enumerate(distinct):
            if not _is_blank(value):
                parsed[i] = parse(value)
                bad[i] = parsed[i] is None
    precision = None
    if kind == "date":  # (date, precision) pairs, or None
        pairs = parsed
        parsed = np.empty(len(pairs), dtype=object)
        precision = np.empty(len(pairs), dtype=object)
        for i, pair in enumerate(pairs):
            parsed[i], precision[i] = pair if isinstance(pair, tuple) else (None, None)
        precision = precision[codes]
    values = parsed[codes]  # code -1 (missing) takes the last entry, None
    found: _Found = []
    if bad.any():
        where = np.flatnonzero(bad[codes])
        rows = index[where].tolist()
        found = [
            _problem(source, row, name, cells[i], kind, expected)
            for row, i in zip(rows, where.tolist(), strict=True)
        ]
    return values, precision, found


def parse_table(raw: pd.DataFrame, table: Table, source: Source) -> tuple[pd.DataFrame, list[dict]]:
    """Convert a raw table's cells to the types the codebook declares.

    Parameters
    ----------
    raw
        The table as read: cells are strings, spreadsheet values or missing; the
        index is the row number in the file. Only columns declared in ``table`` are
        converted (others are reported by the loader).
    table
        The codebook's declaration of the table.
    source
        Where the table came from, for problems.

    Returns
    -------
    (typed, problems)
        The typed table (same index; unparseable cells are missing) and one problem
        row per cell that could not be converted. Each date column is followed by its
        precision column (:func:`precision_column`): ``day``, ``month`` or ``year``,
        missing where the date is.
    """
    problems = ProblemList()
    typed = {}
    for name, col in table.columns.items():
        parse, dtype, expected = _PARSERS[col.type]
        if name not in raw.columns:
            typed[name] = pd.Series(pd.NA, index=raw.index, dtype=dtype)
            if col.type == "date":
                typed[precision_column(name)] = pd.Series(pd.NA, index=raw.index, dtype="string")
            continue
        # A column repeats its values (codes, dates, booleans): each distinct value, by
        # type, is looked at once.
        args = (raw[name], raw.index, parse, col.type, expected, name, source)
        values, precision, found = _parse_column(*args) or _parse_cells(*args)
        for problem in found:
            problems.add(*problem)
        typed[name] = pd.Series(values, index=raw.index, dtype=object).astype(dtype)
        if precision is not None:
            typed[precision_column(name)] = pd.Series(precision, index=raw.index, dtype="string")
    return pd.DataFrame(typed, index=raw.index), problems.rows


#: The pandas dtype of each column type.
DTYPES = {name: dtype for name, (_, dtype, _) in _PARSERS.items()}
