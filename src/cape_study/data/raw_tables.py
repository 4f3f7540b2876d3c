"""The tables of a case file as read (:class:`RawTables`), and one table made from the
non-blank rows of a sheet or CSV file (:func:`add_table`): its header row found (a title
above it skipped), its columns named by the codebook's names or labels, example rows
skipped, and what cannot be read reported into the problem table. The file formats are
read by :mod:`cape_study.data.reading`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cape_study.data.codebook import Codebook
from cape_study.data.headers import (
    EXAMPLE_MARK,
    HEADER_SEARCH_ROWS,
    column_aliases,
    find_header,
    normalise,
)
from cape_study.data.problems import Source, cause_of

__all__ = ["RawTables", "add_table", "column_letter", "is_blank"]


@dataclass
class RawTables:
    """The tables as read (cells as written; index = the row number in the file)."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    documents_dir: Path | None = None
    workbook: bool = False
    #: the workbook's sheet names, in order
    sheets: list[str] = field(default_factory=list)
    #: each table's header row number
    header_rows: dict[str, int] = field(default_factory=dict)
    #: (table, row, column) cells already reported; row None stands for a whole column
    reported: set[tuple[str, object, str]] = field(default_factory=set)
    #: (table, column) that could not be read -> the cause (a problem's description)
    broken: dict[tuple[str, str], str] = field(default_factory=dict)

    def problem(
        self,
        file: str,
        expected: str,
        *,
        sheet: str = "",
        row: object = None,
        column: str = "",
        value: object = "",
        breaks: tuple[str, list[str]] | None = None,
    ) -> None:
        """Add a problem; ``breaks`` = (table, columns) that cannot be used because of it."""
        record = {
            "file": file,
            "sheet": sheet,
            "row": row,
            "column": column,
            "value": value,
            "expected": expected,
        }
        self.problems.append(record)
        if breaks is not None:
            table, columns = breaks
            for c in columns:
                self.broken.setdefault((table, c), cause_of(record))

    def is_broken(self, name: str) -> bool:
        """Whether a column of table ``name`` could not be read."""
        return any(t == name for t, _ in self.broken)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or not str(value).strip()


def _rows(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"row {numbers[0]}"
    return f"rows {numbers[0]}-{numbers[-1]}"


def _shown_row(row: list[object]) -> str:
    text = ", ".join(str(v).strip() for v in row if not is_blank(v))
    return text if len(text) <= 60 else text[:57] + "..."


#: What the first cell of a total row says, in the project's languages (normalised).
_TOTALS = {
    "total",
    "totalt",
    "totals",
    "grandtotal",
    "sum",
    "summa",
    "summatotalt",
    "yhteensä",
    "yht",
}


def add_table(
    grid: list[list[object]],
    numbers: list[int],
    name: str,
    source: Source,
    codebook: Codebook,
    raw: RawTables,
) -> None:
    """Make one table from its non-blank rows: find the header, name the columns,
    skip example rows, report rows longer than the header."""
    table = codebook.table(name)
    where = f"{source.file}{' sheet ' + source.sheet if source.sheet else ''}"
    everything = (name, list(table.columns))
    if not grid:
        raw.problem(
            source.file,
            f"a header row with the columns of table {name}; the "
            f"{'sheet' if source.sheet else 'file'} is empty",
            sheet=source.sheet,
            breaks=everything,
        )
        return
    h = find_header(grid, table)
    if h is None:
        raw.problem(
            source.file,
            f"a header row with the column names of table {name} (such as "
            f"{', '.join(list(table.columns)[:3])}) in the first {HEADER_SEARCH_ROWS} rows; "
            "none found",
            sheet=source.sheet,
            row=numbers[0],
            value=_shown_row(grid[0]),
            breaks=everything,
        )
        return
    if h:
        raw.notes.append(
            f"{where}: {_rows(numbers[:h])} above the header (row {numbers[h]}) skipped as a title"
        )
    aliases = column_aliases(table)
    header, renamed = [], []
    for v in grid[h]:
        text = "" if is_blank(v) else str(v).strip()
        column = aliases.get(normalise(text), text) if text else ""
        if column != text:
            renamed.append(f"{text}={column}")
        header.append(column)
    width = len(header)
    while (
        width
        and not header[width - 1]
        and all(len(r) < width or is_blank(r[width - 1]) for r in grid[h + 1 :])
    ):
        width -= 1
    header = header[:width]
    keep = _single_columns(header, name, source, numbers[h], raw)
    body, index, examples = [], [], []
    for number, row in zip(numbers[h + 1 :], grid[h + 1 :], strict=True):
        first = row[0] if row else None
        if isinstance(first, str) and first.strip().startswith(EXAMPLE_MARK):
            examples.append(number)
            continue
        said = next((str(v).strip() for v in row if not is_blank(v)), "")
        if normalise(said) in _TOTALS:
            raw.problem(
                source.file,
                "one row per record, no total row (totals are counted from the rows): "
                "delete this row",
                sheet=source.sheet,
                row=number,
                value=_shown_row(row),
            )
            continue
        extra = [v for v in row[width:] if not is_blank(v)]
        if extra:
            raw.problem(
                source.file,
                f"at most {width} values, one per column of the header; this row has "
                f"{width + len(extra)} (a comma or separator too many?)",
                sheet=source.sheet,
                row=number,
                value=_shown_row(extra),
            )
            raw.reported.update((name, number, c) for c in header)
        cells = list(row[:width]) + [None] * (width - len(row))
        body.append([cells[i] for i in keep])
        index.append(number)
    said = []
    if (source.sheet and source.sheet != name) or (
        not source.sheet and source.file != f"{name}.csv"
    ):
        said.append(f"read as table {name}")
    if renamed:
        said.append(f"columns read as {', '.join(renamed)}")
    if examples:
        said.append(f"example {_rows(examples)} skipped (first cell starts with {EXAMPLE_MARK})")
    if said:
        raw.notes.append(f"{where}: {'; '.join(said)}")
    raw.tables[name] = pd.DataFrame(
        body, columns=[header[i] for i in keep], dtype=object, index=pd.Index(index, dtype="int64")
    )
    raw.sources[name] = source
    raw.header_rows[name] = numbers[h]


def _single_columns(
    header: list[str], name: str, source: Source, row: int, raw: RawTables
) -> list[int]:
    """The positions of the columns to keep: a column named twice (or more) in the
    header is a problem naming its places, and only its first place is kept, as a
    column that cannot be used (which of the two holds the data is not known)."""
    places: dict[str, list[int]] = {}
    for i, column in enumerate(header):
        if column:
            places.setdefault(column, []).append(i)
    for column, at in places.items():
        if len(at) > 1:
            letters = " and ".join(column_letter(i + 1) for i in at)
            raw.problem(
                source.file,
                f"each column once in the header; {column} is in columns {letters} "
                f"(the {_and(_ordinal(i + 1) for i in at)}): remove or rename one",
                sheet=source.sheet,
                row=row,
                column=column,
                value=column,
                breaks=(name, [column]),
            )
            raw.reported.add((name, None, column))
    return [i for i, column in enumerate(header) if not column or places[column][0] == i]


def column_letter(n: int) -> str:
    """The spreadsheet letters of the ``n``-th column (1 = A, 27 = AA)."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _and(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
