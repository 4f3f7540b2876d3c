"""The problem table: where each problem in a case file is and what was expected.

Every check of a case file (reading, parsing, the schema's rules, the documents)
reports into one table with the columns of :data:`PROBLEM_COLUMNS`: where the problem
is (file, sheet, row, column), the value found and what was expected.
:func:`format_problems` prints it as aligned plain text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["PROBLEM_COLUMNS", "Source", "format_problems", "problems_frame", "show_value"]

PROBLEM_COLUMNS = ["file", "sheet", "row", "column", "value", "expected"]


@dataclass(frozen=True)
class Source:
    """Where a table was read from, to name it in problems.

    Loaders set each table's index to the row number a person sees in the file or
    sheet (the header is row 1), so problems report that row.
    """

    file: str
    sheet: str = ""


def show_value(value: object) -> str:
    """A cell's value as a problem shows it: blank for missing, dates without a time,
    at most 60 characters."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def problems_frame(rows: list[dict] | None = None) -> pd.DataFrame:
    """A problem table (possibly empty) with the standard columns, sorted by place."""
    frame = pd.DataFrame(rows or [], columns=PROBLEM_COLUMNS)
    frame["row"] = pd.array(frame["row"], dtype="Int64")
    return frame.sort_values(
        ["file", "sheet", "row", "column"], kind="stable", na_position="first"
    ).reset_index(drop=True)


def format_problems(problems: pd.DataFrame) -> str:
    """The problem table as aligned plain text, one line per problem."""
    shown = problems.astype(object).where(problems.notna(), "").astype(str)
    columns = [c for c in shown.columns if c == "expected" or shown[c].str.len().any()]
    widths = {c: max(len(c), *shown[c].str.len()) if len(shown) else len(c) for c in columns}

    def line(values: dict[str, str]) -> str:
        return "  ".join(values[c].ljust(widths[c]) for c in columns).rstrip()

    rows = [line({c: c for c in columns}), line({c: "-" * widths[c] for c in columns})]
    rows += [line(r) for r in shown[columns].to_dict("records")]
    return "\n".join(rows)
