"""The problem table: where each problem in a case file is and what was expected.

Every check of a case file (reading, parsing, the schema's rules, the documents)
reports into one table with the columns of :data:`PROBLEM_COLUMNS`: where the problem
is (file, sheet, row, column), the value found and what was expected.
:func:`format_problems` prints it as aligned plain text.
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "PROBLEM_COLUMNS",
    "ProblemList",
    "Source",
    "cause_of",
    "format_problems",
    "invisible_characters",
    "problem_causes",
    "problems_frame",
    "show_value",
    "summarise_problems",
    "write_problems",
]

PROBLEM_COLUMNS = ["file", "sheet", "row", "column", "value", "expected"]


@dataclass(frozen=True)
class Source:
    """Where a table was read from, to name it in problems.

    Loaders set each table's index to the row number a person sees in the file or
    sheet (the header is row 1), so problems report that row.
    """

    file: str
    sheet: str = ""


#: Characters that cannot be seen but make two ids differ, by the name a person knows.
INVISIBLE = {
    "\x00": "NUL",
    "\u00ad": "soft hyphen",
    "\u200b": "zero-width space",
    "\u200c": "zero-width non-joiner",
    "\u200d": "zero-width joiner",
    "\u2060": "word joiner",
    "\ufeff": "byte-order mark (BOM)",
    "\u00a0": "no-break space",
}


def invisible_characters(text: str) -> list[str]:
    """Names of the invisible or control characters in ``text`` (e.g. ``NUL (U+0000)``)."""
    if text.isprintable():
        # no character of category Cc or Cf (Python's unprintable "Other"), and none of
        # INVISIBLE (each Cc, Cf or the no-break space, an unprintable separator)
        return []
    names = []
    for ch in dict.fromkeys(text):
        if ch in INVISIBLE:
            names.append(f"{INVISIBLE[ch]} (U+{ord(ch):04X})")
        elif unicodedata.category(ch) in {"Cc", "Cf"}:
            names.append(f"{unicodedata.name(ch, 'control character')} (U+{ord(ch):04X})")
    return names


def show_value(value: object) -> str:
    """A cell's value as a problem shows it: blank for missing, dates without a time,
    invisible characters written as <U+XXXX>, at most 60 characters."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    text = str(value)
    if invisible_characters(text):
        text = "".join(
            f"<U+{ord(c):04X}>" if c in INVISIBLE or unicodedata.category(c) in {"Cc", "Cf"} else c
            for c in text
        )
    return text if len(text) <= 60 else text[:57] + "..."


def cause_of(problem: dict) -> str:
    """What a problem is about, without its row and value: problems with the same
    cause (file, sheet, column, what was expected) are shown together."""
    where = problem["file"] + (f", sheet {problem['sheet']}" if problem.get("sheet") else "")
    if problem.get("column"):
        where += f", column {problem['column']}"
    return f"{where}: expected {problem['expected']}"


def problems_frame(rows: list[dict] | None = None) -> pd.DataFrame:
    """A problem table (possibly empty) with the standard columns, sorted by place."""
    frame = pd.DataFrame(rows or [], columns=PROBLEM_COLUMNS)
    frame["row"] = pd.array(frame["row"], dtype="Int64")
    return frame.sort_values(
        ["file", "sheet", "row", "column"], kind="stable", na_position="first"
    ).reset_index(drop=True)


@dataclass
class ProblemList:
    """Problem rows as they are found (``add`` one at a time)."""

    rows: list[dict] = field(default_factory=list)

    def add(
        self,
        source: Source,
        row: object,
        column: str,
        value: object,
        expected: str,
        check: str = "",
    ) -> None:
        self.rows.append(
            {
                "file": source.file,
                "sheet": source.sheet,
                "row": row,
                "column": column,
                "value": show_value(value),
                "expected": expected,
                "check": check,
            }
        )


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


def summarise_problems(
    problems: pd.DataFrame,
    follow_ons: pd.DataFrame | None = None,
    *,
    causes: int = 12,
    examples: int = 3,
    values: bool = True,
) -> str:
    """The problems grouped by cause, at most a screenful: the causes that make others
    follow (a missing table or column) first, then the rest in file order; for each,
    its count and a few examples (row and value); for a cause that others follow
    from, their number instead of their lines.

    ``follow_ons`` is a problem table with a ``follows_from`` column holding the
    :func:`cause_of` text of the problem each follows from. Without ``values`` the
    examples name rows only (for a page that is kept: values quote the case file).
    """
    if problems.empty:
        return "no problems"
    keyed = problems.assign(_cause=[cause_of(r) for r in problems.to_dict("records")])
    counts = (
        follow_ons["follows_from"].value_counts().to_dict()
        if follow_ons is not None and len(follow_ons)
        else {}
    )
    order = list(dict.fromkeys(keyed["_cause"]))
    order.sort(
        key=lambda c: (c not in counts, not keyed.loc[keyed["_cause"] == c, "row"].isna().all())
    )
    lines = []
    for cause in order[:causes]:
        rows = keyed[keyed["_cause"] == cause]
        lines.append(f"* {cause}" + (f"  [{len(rows):,} rows]" if len(rows) > 1 else ""))
        shown = [
            (f"row {r['row']}" if pd.notna(r["row"]) else "")
            + (f": {show_value(r['value'])!r}" if values and show_value(r["value"]) else "")
            for r in rows.head(examples).to_dict("records")
        ]
        shown = [s for s in shown if s]
        if shown:
            more = f", and {len(rows) - examples:,} more" if len(rows) > examples else ""
            lines.append(f"    {'; '.join(shown)}{more}")
        if cause in counts:
            lines.append(f"    and {counts[cause]:,} foreign-key problem(s) that follow from it")
    if len(order) > causes:
        rest = keyed[keyed["_cause"].isin(order[causes:])]
        lines.append(f"* and {len(order) - causes} more cause(s), {len(rest):,} problem(s)")
    return "\n".join(lines)


def problem_causes(
    problems: pd.DataFrame, follow_ons: pd.DataFrame | None = None, rows: int = 5
) -> pd.DataFrame:
    """One row per cause (:func:`cause_of`), without the values the case file holds:
    ``cause``, ``problems`` (how many), ``rows`` (the first few row numbers) and
    ``follow_ons`` (the problems elsewhere that follow from it), in the order of
    :func:`summarise_problems`. For a page or a message that is kept."""
    columns = ["cause", "problems", "rows", "follow_ons"]
    if problems.empty:
        return pd.DataFrame(columns=columns)
    causes = [cause_of(r) for r in problems.to_dict("records")]
    counts = (
        follow_ons["follows_from"].value_counts().to_dict()
        if follow_ons is not None and len(follow_ons)
        else {}
    )
    out = []
    for cause in dict.fromkeys(causes):
        mine = problems[[c == cause for c in causes]]
        numbers = [str(r) for r in mine["row"].dropna().head(rows)]
        more = ", ..." if mine["row"].notna().sum() > rows else ""
        out.append([cause, len(mine), ", ".join(numbers) + more, counts.get(cause, 0)])
    frame = pd.DataFrame(out, columns=columns)
    first = frame["follow_ons"] > 0
    return pd.concat([frame[first], frame[~first]], ignore_index=True)


def write_problems(
    problems: pd.DataFrame, follow_ons: pd.DataFrame | None, path: str | os.PathLike[str]
) -> Path:
    """Write the whole problem table (and the problems that follow from others) to a
    .csv or .xlsx file; it quotes values from the case file, so keep it with the case
    file, not with the report."""
    path = Path(path)
    table = pd.concat(
        [problems.assign(follows_from=""), follow_ons if follow_ons is not None else None]
    )
    table["value"] = [show_value(v) for v in table["value"]]
    if path.suffix.lower() == ".xlsx":
        table.to_excel(path, index=False, sheet_name="problems")
    else:
        table.to_csv(path, index=False, encoding="utf-8")
    return path
