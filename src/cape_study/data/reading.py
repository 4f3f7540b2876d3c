"""Reading a case file's tables as written, before any checking.

A case file is one workbook (``.xlsx`` or ``.xlsm``, one sheet per table) or a folder
of CSV files (one per table), with ``documents/`` beside them. This module finds the
tables (by the codebook's names or labels, :mod:`cape_study.data.headers`), finds each
sheet's header row (skipping a title above it), reads the cells as text or spreadsheet
values and reports what it cannot read into the problem table. Nothing is typed or
checked here; :mod:`cape_study.data.loaders` does that.

Example rows: a row whose first cell starts with ``#`` is not data. The template
(:mod:`cape_study.data.template`) fills one such row per sheet to show what a filled
row looks like; it is skipped, with a note.

When a table cannot be read, or a column is missing, the tables and columns that
follow from it are recorded in :attr:`~cape_study.data.raw_tables.RawTables.broken`, so
that the problems they cause elsewhere (a foreign key that cannot be found) are counted
as following from it. One table is made from a sheet's or file's rows by
:func:`cape_study.data.raw_tables.add_table`.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from cape_study.data.codebook import Codebook, Table
from cape_study.data.documents import DOCUMENTS_DIR, decode
from cape_study.data.headers import (
    EXAMPLE_MARK,
    HEADER_SEARCH_ROWS,
    cell_text,
    column_aliases,
    find_header,
    normalise,
    table_aliases,
)
from cape_study.data.problems import Source
from cape_study.data.raw_tables import RawTables, add_table, column_letter, is_blank
from cape_study.data.template import HELPER_SHEETS

__all__ = [
    "EXAMPLE_MARK",
    "WORKBOOK_SUFFIXES",
    "RawTables",
    "cell_text",
    "csv_separator",
    "read_tables",
]

#: Workbook types read (an .xlsm is read like an .xlsx; its macros are not run).
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


_REPLACED = re.compile("\ufffd")
#: A letter that Windows-1252 cannot hold, written as '?' when the file was saved (Kami?ski).
_QUESTIONED = re.compile(r"[^\W\d_]\?[^\W\d_]|\ufffd")


def _lost_letters(frame: pd.DataFrame, file: str, raw: RawTables, *, windows: bool) -> None:
    """A problem for each cell whose letters were lost in decoding: a replacement
    character (U+FFFD), or, in a file read as Windows-1252, a '?' between letters.
    Names with lost letters cannot be masked reliably, so they stop intake; the value
    is not shown (it may be a name)."""
    pattern = _QUESTIONED if windows else _REPLACED
    for column in frame.columns:
        values = frame[column].dropna().astype(str)
        hits = values[values.str.contains(pattern)]
        for row in hits.index:
            raw.problem(
                file,
                "text as written: letters were lost when the file was saved or decoded "
                "('?' or U+FFFD in place of a letter); save the file as UTF-8",
                row=row,
                column=str(column),
            )


def _read_csv(path: Path, name: str, codebook: Codebook, raw: RawTables) -> None:
    notes = len(raw.notes)
    text = decode(path.read_bytes(), path.name, raw.notes)
    windows = len(raw.notes) > notes
    source = Source(path.name)
    _read_csv_text(text, name, source, codebook, raw)
    # a cell is a piece of the file's text: none has lost letters when the text has none
    if name in raw.tables and (_QUESTIONED if windows else _REPLACED).search(text):
        _lost_letters(raw.tables[name], path.name, raw, windows=windows)


def _read_csv_text(
    text: str, name: str, source: Source, codebook: Codebook, raw: RawTables
) -> None:
    sep = csv_separator(text)
    if sep != ",":
        raw.notes.append(
            f"{source.file}: read with '{sep}' as the separator (as Excel writes CSV files "
            "in Swedish and Finnish settings)"
        )
    try:
        if "\x00" in text:  # pandas' parser would cut a value at a NUL: read row by row
            raise pd.errors.ParserError("NUL")
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
        )
    except pd.errors.EmptyDataError:
        frame = None
    except pd.errors.ParserError:
        # Rows of different lengths: read row by row, so that each is reported.
        rows = [
            (i, r)
            for i, r in enumerate(csv.reader(io.StringIO(text), delimiter=sep), 1)
            if any(c.strip() for c in r)
        ]
        grid: list[list[object]] = [[c if c.strip() else None for c in r] for _, r in rows]
        add_table(grid, [i for i, _ in rows], name, source, codebook, raw)
        return
    if frame is not None:
        # Rows numbered as a spreadsheet shows the file (blank lines count), then blank
        # rows (an empty line, or only separators as Excel writes cleared rows) left out.
        frame.index = pd.RangeIndex(1, len(frame) + 1)
        frame = frame[_not_blank(frame)]
    if frame is None or frame.empty:
        add_table([], [], name, source, codebook, raw)
        return
    # The fast path: the header (and a title above it) found among the first rows, and
    # the body kept as one DataFrame (a case file of 100,000 cases has 10^6 rows).
    # Anything unusual (no header found, a blank header cell, example rows) is read
    # row by row instead.
    top = frame.head(HEADER_SEARCH_ROWS)
    top_grid = top.astype(object).where(top.notna(), None).values.tolist()
    h = find_header(top_grid, codebook.table(name))
    if (
        h is None
        or any(is_blank(v) for v in top_grid[h])
        # a cell is a piece of the text: without the mark in it, no row is an example
        or (EXAMPLE_MARK in text and _examples(frame).iloc[h + 1 :].any())
        or _repeats_a_column(top_grid[h], codebook.table(name))
    ):
        grid = frame.astype(object).where(frame.notna(), None).values.tolist()
        add_table(grid, list(frame.index), name, source, codebook, raw)
        return
    add_table(top_grid[: h + 1], list(frame.index[: h + 1]), name, source, codebook, raw)
    body = frame.iloc[h + 1 :]
    body.columns = raw.tables[name].columns
    raw.tables[name] = body


def _not_blank(frame: pd.DataFrame) -> pd.Series:
    """True for each row with a cell that is not missing (``frame.notna().any(axis=1)``),
    the other columns looked at only where the first cell is missing."""
    keep = frame.iloc[:, 0].notna()
    if len(frame.columns) > 1 and not keep.all():
        rest = (~keep).to_numpy()
        keep[rest] = frame.iloc[rest.nonzero()[0], 1:].notna().any(axis=1).to_numpy()
    return keep


def _examples(frame: pd.DataFrame) -> pd.Series:
    """True for each row whose first cell starts with the example mark."""
    return frame[0].str.lstrip().str.startswith(EXAMPLE_MARK, na=False)


def csv_separator(text: str) -> str:
    """``;`` when the file's first lines are separated by semicolons (what Excel writes
    where the decimal mark is a comma, as in Sweden and Finland), else ``,``: a line
    counts for ``;`` when it holds more semicolons than commas outside quotes."""
    lines = [line for line in text.splitlines()[:20] if line.strip()][:10]
    unquoted = [re.sub(r'"[^"]*"', "", line) for line in lines]
    votes = sum(line.count(";") > line.count(",") for line in unquoted)
    return ";" if lines and votes * 2 > len(lines) else ","


def _repeats_a_column(header: list[object], table: Table) -> bool:
    aliases = column_aliases(table)
    names = [aliases.get(normalise(str(v).strip()), str(v).strip()) for v in header]
    return len(set(names)) < len(names)


def _read_folder(folder: Path, codebook: Codebook, raw: RawTables) -> None:
    csvs = sorted(folder.glob("*.csv"))
    workbooks = sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith("~$")
    )
    if not csvs and len(workbooks) == 1:
        _read_workbook(workbooks[0], codebook, raw)
        return
    if not csvs and len(workbooks) > 1:
        raw.problem(
            str(folder),
            "one workbook (or one CSV file per table); the folder holds "
            f"{len(workbooks)} workbooks: {', '.join(p.name for p in workbooks)}. "
            "Keep one here, or give the workbook's own path",
        )
        return
    if workbooks:
        raw.notes.append(
            f"ignored workbook(s) {', '.join(p.name for p in workbooks)}: "
            "the folder's CSV files were read"
        )
    raw.documents_dir = folder / DOCUMENTS_DIR
    aliases = table_aliases(codebook)
    found: dict[str, Path] = {}
    unknown = []
    for path in csvs:
        name = aliases.get(normalise(path.stem))
        if name is None:
            unknown.append(path.name)
        elif name in found:
            raw.problem(
                str(folder),
                f"one file for table {name}; found {found[name].name} and {path.name}",
                breaks=(name, list(codebook.table(name).columns)),
            )
        else:
            found[name] = path
    for name, path in found.items():
        if not raw.is_broken(name):
            _read_csv(path, name, codebook, raw)
    if unknown:
        raw.notes.append(f"ignored files that are not tables of the codebook: {', '.join(unknown)}")


# A character a workbook stores escaped (ECMA-376 ST_Xstring: ``_x000D_`` for the carriage
# return of a pasted line break, ``_x005F_`` for an underscore), which openpyxl leaves as
# written: a number split by ``-_x000D_`` and a line break would not be read as one.
def _read_workbook(path: Path, codebook: Codebook, raw: RawTables) -> None:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    raw.documents_dir = path.parent / DOCUMENTS_DIR
    raw.workbook = True
    if path.stat().st_size == 0:
        raw.problem(path.name, "an .xlsx workbook; the file is empty")
        return
    try:
        with _sized_from_the_top():
            book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_vba=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raw.problem(path.name, f"an .xlsx workbook that Excel or LibreOffice can open ({exc})")
        return
    aliases = table_aliases(codebook)
    raw.sheets = list(book.sheetnames)
    try:
        found: dict[str, str] = {}
        unknown = []
        for sheet in book.sheetnames:
            name = aliases.get(normalise(sheet))
            if name is None and normalise(sheet) not in HELPER_SHEETS:
                unknown.append(sheet)
            if name is None:
                continue
            if name in found:
                raw.problem(
                    path.name,
                    f"one sheet for table {name}; found sheets {found[name]} and {sheet}",
                    breaks=(name, list(codebook.table(name).columns)),
                )
            else:
                found[name] = sheet
        formulas = _formulas(path, [s for n, s in found.items() if not raw.is_broken(n)])
        for name, sheet in found.items():
            if raw.is_broken(name):
                continue
            numbers, grid, uncached = [], [], []
            for i, r in enumerate(book[sheet].iter_rows(values_only=True)):
                for j, formula in formulas.get((sheet, i + 1), {}).items():
                    if j >= len(r) or r[j] is None:
                        uncached.append((i + 1, j, formula))
                if any(not is_blank(v) for v in r) or any(u[0] == i + 1 for u in uncached):
                    numbers.append(i + 1)
                    grid.append([cell_text(v).strip() if isinstance(v, str) else v for v in r])
            add_table(grid, numbers, name, Source(path.name, sheet), codebook, raw)
            _report_merged(path, book[sheet], name, Source(path.name, sheet), raw)
            _report_uncached(
                uncached, name, codebook.table(name), grid, numbers, Source(path.name, sheet), raw
            )
        if unknown:
            raw.notes.append(
                f"{path.name}: ignored sheets that are not tables of the codebook: "
                f"{', '.join(unknown)}"
            )
    finally:
        book.close()


def _size_from_the_top(sheet) -> None:
    """What openpyxl's ReadOnlyWorksheet._get_size finds (the sheet's <dimension>, which
    comes before its cells, <sheetData>), looking no further than where the cells begin."""
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse

    source = sheet._get_source()
    try:
        for event, element in iterparse(source, events=("start", "end")):
            if element.tag == DATA_TAG:
                return  # the cells begin: the sheet has no dimension
            if event == "end" and element.tag == DIMENSION_TAG:
                boundaries = SheetDimension.from_tree(element).boundaries
                if boundaries is not None:
                    (sheet._min_column, sheet._min_row, sheet._max_column, sheet._max_row) = (
                        boundaries
                    )
                return
    finally:
        source.close()


@contextlib.contextmanager
def _sized_from_the_top() -> Iterator[None]:
    """Open a read-only workbook whose sheets are sized from their tops.

    openpyxl (3.1.5, pinned) sizes each sheet of a read-only workbook as it opens it,
    from the <dimension> element before the cells, but stops looking only at the end
    of the cells: a sheet without one (a workbook written by openpyxl in write-only
    mode, as synth writes them) is parsed whole for nothing, then again for its rows.
    The same size (none) is found at the start of the cells (the 10,000-case workbook
    read in 33.1 CPU s instead of 44.8)."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    original = ReadOnlyWorksheet._get_size
    ReadOnlyWorksheet._get_size = _size_from_the_top  # type: ignore[method-assign]
    try:
        yield
    finally:
        ReadOnlyWorksheet._get_size = original  # type: ignore[method-assign]


def _formulas(path: Path, sheets: list[str]) -> dict[tuple[str, int], dict[int, str]]:
    """The formula cells of ``sheets``, by (sheet, row) and column position (0-based).

    Read only when a worksheet of the file holds a formula at all (``<f>`` in its XML),
    so that a workbook of plain values is opened once."""
    import openpyxl

    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        if not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in names):
            return {}
    with _sized_from_the_top():
        book = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_vba=False)
    found: dict[tuple[str, int], dict[int, str]] = {}
    try:
        for sheet in sheets:
            for i, r in enumerate(book[sheet].iter_rows(values_only=True)):
                cells = {j: v for j, v in enumerate(r) if isinstance(v, str) and v[:1] == "="}
                if cells:
                    found[(sheet, i + 1)] = cells
    finally:
        book.close()
    return found


_MERGED = re.compile(rb'<mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _report_merged(path: Path, sheet, name: str, source: Source, raw: RawTables) -> None:
    """A problem for each range of merged cells below the header row: only its first
    cell holds the value, so the other rows or columns would be read blank."""
    where = getattr(sheet, "_worksheet_path", None)
    if where is None or name not in raw.header_rows:
        return
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(where) if where in archive.namelist() else b""
    for first_col, first, last_col, last in _MERGED.findall(xml):
        top, bottom = int(first), int(last)
        if bottom <= raw.header_rows[name]:
            continue  # a title above the header
        cells = f"{first_col.decode()}{top}:{last_col.decode()}{bottom}"
        raw.problem(
            source.file,
            f"cells not merged; {cells} are merged, so only {first_col.decode()}{top} "
            "holds a value and the other cells would be read blank: unmerge them and "
            "fill in every row",
            sheet=source.sheet,
            row=max(top, raw.header_rows[name] + 1),
            column=cells,
            value="",
        )


def _report_uncached(
    uncached: list[tuple[int, int, str]],
    name: str,
    table: Table,
    grid: list[list[object]],
    numbers: list[int],
    source: Source,
    raw: RawTables,
) -> None:
    """A problem for each formula cell whose result the file does not hold (a file
    written by a program that does not compute formulas): its value is not known."""
    if not uncached or name not in raw.header_rows:
        return
    header = grid[numbers.index(raw.header_rows[name])]
    aliases = column_aliases(table)
    for row, j, formula in uncached:
        if row <= raw.header_rows[name]:
            continue
        written = str(header[j]).strip() if j < len(header) and header[j] is not None else ""
        column = aliases.get(normalise(written), written) or column_letter(j + 1)
        raw.problem(
            source.file,
            f"a value; cell {column_letter(j + 1)}{row} holds a formula whose result was "
            "never saved (the file was written by a program that does not compute "
            "formulas): open and save it in Excel or LibreOffice, or type the value",
            sheet=source.sheet,
            row=row,
            column=column,
            value=formula,
        )
        raw.reported.add((name, row, column))


_READERS: dict[str, Callable[[Path, Codebook, RawTables], None]] = {
    suffix: _read_workbook for suffix in WORKBOOK_SUFFIXES
}


def read_tables(path: Path, codebook: Codebook) -> RawTables:
    """Read every table of the case file at ``path`` as written, with the problems
    found in reading and the columns of each table checked against the codebook."""
    raw = RawTables()
    if not path.exists():
        raw.problem(
            str(path),
            "an existing folder of CSV files or an .xlsx workbook; the path does not exist",
        )
        return raw
    reader = _read_folder if path.is_dir() else _READERS.get(path.suffix.lower())
    if reader is None:
        raw.problem(str(path), f"a folder of CSV files or one of: {', '.join(_READERS)}")
        return raw
    try:
        reader(path, codebook, raw)
    except OSError as exc:
        raw.problem(exc.filename or str(path), f"a file this user can read ({exc.strerror})")
        return raw
    if raw.problems and not raw.tables:
        return raw
    for name, table in codebook.tables.items():
        if name not in raw.tables and table.required and not raw.is_broken(name):
            others = [v for v in (table.label.sv, table.label.en) if v != name]
            if raw.workbook:
                what = f"a sheet named {name} (or {' or '.join(others)}); the sheets are: "
                what += ", ".join(raw.sheets) or "none"
            else:
                what = f"a file {name}.csv (or {'.csv or '.join(others)}.csv)"
            raw.problem(
                str(path.name),
                f"{what} (table {name} is required)",
                breaks=(name, list(table.columns)),
            )
    for name, frame in raw.tables.items():
        _check_columns(name, frame, codebook, raw)
    return raw


def _check_columns(name: str, frame: pd.DataFrame, codebook: Codebook, raw: RawTables) -> None:
    declared = codebook.table(name).columns
    source = raw.sources[name]
    header = raw.header_rows.get(name, 1)
    for c in frame.columns:
        if c not in declared:
            raw.problem(
                source.file,
                f"a column of table {name}: {', '.join(declared)}",
                sheet=source.sheet,
                row=header,
                column=c or "(blank header)",
            )
    missing = [c for c, col in declared.items() if c not in frame.columns]
    raw.reported.update((name, None, c) for c in missing)
    for c in missing:
        if declared[c].required:
            raw.problem(
                source.file,
                f"a column {c} (required in table {name})",
                sheet=source.sheet,
                row=header,
                column=c,
                breaks=(name, [c]),
            )
    # an absent free-text column (a name, a coder's quote) is empty, not unknown: no note
    optional = [c for c in missing if not declared[c].required and declared[c].type != "text"]
    if optional:
        raw.notes.append(
            f"{source.file}{'/' + source.sheet if source.sheet else ''}: "
            f"optional column(s) absent, read as unknown: {', '.join(optional)}"
        )
