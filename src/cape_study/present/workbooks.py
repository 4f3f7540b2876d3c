"""A step's workbook of tables: a first sheet saying what it is, then one sheet per table
shown with a name, as the page shows it (:func:`write_workbook`; the notebook helpers'
:func:`cape_study.notebook.finish` writes it).

A cell hidden by disclosure control holds the page's mark (``..`` a small count, ``x``
any hidden count), and the legend of the marks (:func:`legend_lines`) is on the first
sheet and under every table that has one. Numbers are written as numbers, with number
formats; document and archive times are fixed, so the same tables give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from cape_study.data.codebook import codebook_or_default
from cape_study.paths import PATH_PARAMETERS
from cape_study.present.display import (
    NOT_ESTIMABLE,
    SMALL_MARK,
    SUPPRESSED,
    Count,
    Numbers,
    marks_in,
)
from cape_study.present.labels import (
    HIDDEN_LEGEND,
    OFFENCE_STEPS,
    SYNTHETIC_MARK,
    TABLE_NAMES,
    WORKBOOK_ABOUT,
    column_label,
)
from cape_study.stats.legal import known_changes

__all__ = ["legend_lines", "table_name", "write_workbook"]

#: Fixed times for the workbook's document properties and zip entries (the zip epoch).
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def legend_lines(lang: str, threshold: int) -> list[tuple[str, str]]:
    """Each mark of a hidden cell with what it means, in ``lang`` (``HIDDEN_LEGEND``)."""
    words = HIDDEN_LEGEND.get(lang, HIDDEN_LEGEND["en"])
    n = {"n": threshold, "m": threshold - 1}
    return [(SMALL_MARK, words["small"].format(**n)), (SUPPRESSED, words["any"].format(**n))]


def table_name(name: str, lang: str) -> str:
    """The name of a table shown under ``name`` (the English name a notebook gives it) in
    ``lang`` (:data:`~cape_study.present.labels.TABLE_NAMES`), the codes in a name built
    from codes labelled in ``lang``; the name as given when ``lang`` has none for it."""
    names = TABLE_NAMES.get(lang, {})
    if name in names:
        return names[name]
    for key in TABLE_NAMES["sv"]:  # the keys are the English names
        found = "{" in key and _pattern(key).fullmatch(name)
        if found:
            values = {k: _field(k, v, lang) for k, v in found.groupdict().items()}
            return names.get(key, key).format(**values)
    return name


def _pattern(key: str) -> re.Pattern:
    """A name with ``{fields}`` as a pattern that matches it with any values."""
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+)", re.escape(key)))


def _field(kind: str, value: str, lang: str) -> str:
    """A code in a table's name, labelled (see ``TABLE_NAMES``)."""
    book = codebook_or_default()
    if kind == "group":
        return _lower_first(column_label(value, lang, book))
    if kind == "scheme" and value in book.schemes:
        return book.scheme(value).label(lang)
    if kind == "country" and value in book.codes("country"):
        return book.label("country", value, lang)
    if kind in ("row", "col"):
        return OFFENCE_STEPS.get(lang, OFFENCE_STEPS["en"]).get(value, value)
    if kind == "change" and value in known_changes():
        change = known_changes()[value]
        return f"{change.date.isoformat()}, {change.label.get(lang) or change.label['en']}"
    return value


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def write_workbook(
    path: Path,
    tables: Mapping[str, pd.DataFrame],
    *,
    step: str,
    title: str,
    parameters: Mapping[str, Any],
    metadata: Mapping[str, Any],
    published: bool = True,
) -> Path:
    """Write ``tables`` (name -> table as shown) to one ``.xlsx`` workbook at ``path``,
    in one rename, after a sheet saying what it is.

    Sheet names are short and numbered, ``T1 Cases by sector`` (no ``[]:*?/\\``, at
    most 31 characters, cut with ``…``), in the run's language (:func:`table_name`); the
    first sheet lists each sheet's full table name and the legend of the marks of hidden
    cells. A share, estimate or ratio cell
    (:class:`~cape_study.present.display.Numbers`) is written as numbers with number
    formats, its count, estimate and interval bounds each in its own column (headed
    ``<column>: lower limit`` and so on). A cell hidden by disclosure control holds its
    mark as on the page (``..`` a small count, ``x`` any hidden count; a missing value
    ``x``), in every column of a split cell, and a table with a mark has the legend under
    it; a count cell
    (:class:`~cape_study.present.display.Count`) is written as its number, whole numbers
    with a thousands format, other text as text. The labels of the first sheet follow
    ``parameters["lang"]``. A synthetic run's sheets each start with the synthetic-data
    warning in red, and print it in their page header, so that it goes with a copied or
    printed table. Document and archive times are fixed, so the same tables give the
    same bytes.
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    lang = parameters.get("lang", "en")
    words = {**WORKBOOK_ABOUT["en"], **WORKBOOK_ABOUT.get(lang, {})}  # English for a gap
    legend = legend_lines(lang, int(parameters["min_cell_count"]))
    names = [table_name(name, lang) for name in tables]
    sheet_names = _sheet_names(names)
    bold = Font(bold=True)

    def value(cell: Any) -> Any:
        if cell is None or (not isinstance(cell, str | list | tuple) and pd.isna(cell)):
            return SUPPRESSED
        if isinstance(cell, str):
            if isinstance(cell, Count):
                return cell.value
            return ILLEGAL_CHARACTERS_RE.sub("", cell)
        if hasattr(cell, "item"):  # numpy scalars
            return cell.item()
        return cell if isinstance(cell, int | float | bool) else str(cell)

    book = Workbook()
    about = book.active
    about.title = words["sheet"]
    unknown = words["unknown"]
    rows: list[tuple[Any, ...]] = [
        (words["what"], words["text"].format(step=step, title=title)),
        (words["run"], words["published" if published else "lab"]),
    ]
    if metadata.get("synthetic"):
        rows.append((words["warning"], words["synthetic"]))
    rows += [
        (words["case"], str(metadata.get("label") or words["no_label"])),
        (words["codebook"], str(metadata.get("codebook_version", unknown))),
        (words["cutoff"], str(metadata.get("data_cutoff", unknown))),
        (),
        (words["parameters"],),
        *((name, _parameter(v)) for name, v in parameters.items() if name not in PATH_PARAMETERS),
        (),
        (words["marks"],),
        *legend,
        (NOT_ESTIMABLE, words["dash"]),
        (),
        (words["sheets"],),
        *zip(sheet_names, names, strict=True),
    ]
    for row in rows:
        about.append(row)
        if len(row) == 1 or row[:1] == (words["warning"],):
            about.cell(about.max_row, 1).font = bold
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 100

    synthetic = bool(metadata.get("synthetic"))
    for sheet_name, table in zip(sheet_names, tables.values(), strict=True):
        sheet = book.create_sheet(sheet_name)
        if synthetic:  # above the table and on every printed page
            sheet.append([words["synthetic"]])
            sheet.cell(1, 1).font = Font(bold=True, color="B00020")
            sheet.oddHeader.center.text = SYNTHETIC_MARK.get(lang, SYNTHETIC_MARK["en"])
        columns = table.columns
        levels = columns.nlevels
        parts = [_column_parts(table.iloc[:, j]) for j in range(len(columns))]
        for level in range(levels):
            heads = [
                _part_head(c[level] if levels > 1 else c, key, keys, words, level == levels - 1)
                for c, keys in zip(columns, parts, strict=True)
                for key in keys
            ]
            # A spanning heading is written once, over its first column.
            shown = [
                h if i == 0 or heads[i - 1] != h or level == levels - 1 else None
                for i, h in enumerate(heads)
            ]
            sheet.append([None if h is None else str(h) for h in shown])
            for cell in sheet[sheet.max_row]:
                cell.font = bold
        written: set[str] = set()
        for record in table.itertuples(index=False):
            cells = [
                pair
                for cell, keys in zip(record, parts, strict=True)
                for pair in _split(cell, keys, value)
            ]
            sheet.append([v for v, _ in cells])
            for cell, (v, number_format) in zip(sheet[sheet.max_row], cells, strict=True):
                if isinstance(v, str):
                    if v.startswith("="):
                        cell.data_type = "s"  # text, never a formula
                    elif v in (SMALL_MARK, SUPPRESSED):
                        written.add(v)
                elif number_format:
                    cell.number_format = number_format
                elif isinstance(v, int) and not isinstance(v, bool):
                    cell.number_format = "#,##0"
        shown = set(marks_in(table)) | written
        if shown:
            sheet.append([])
            for mark, text in legend:
                if mark in shown:
                    sheet.append([mark, text])
        sheet.freeze_panes = sheet.cell(levels + 1 + synthetic, 1)
        for column in sheet.iter_cols(min_row=1 + synthetic):
            width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width, 8), 60) + 2

    book.properties.creator = "cape-study"
    buffer = io.BytesIO()
    book.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(_fixed_times(buffer.getvalue()))
        os.replace(tmp, path)
    except BaseException:  # a full disk: no half-written workbook is left
        tmp.unlink(missing_ok=True)
        raise
    return path


def _parameter(value: Any) -> Any:
    """A parameter's value for a cell: a list as its items, separated by commas."""
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return value if isinstance(value, str | int | float | bool) else str(value)


def _sheet_names(names: list[str]) -> list[str]:
    """Short, valid, unique Excel sheet names for ``names``: ``T1 Cases by sector``,
    numbered in order, cut to 31 characters with ``…`` (the About sheet lists each full
    name). The number keeps them unique however they are cut, and apart from the About
    sheet."""
    out = []
    for i, name in enumerate(names, start=1):
        base = " ".join(re.sub(r"[\[\]:*?/\\]", " ", name).split()).strip("'")
        candidate = f"T{i} {base}".rstrip()
        if len(candidate) > 31:
            candidate = candidate[:30].rstrip() + "…"
        out.append(candidate)
    return out


_PARTS = ("count", "estimate", "lower", "upper")


def _column_parts(column: pd.Series) -> list[str | None]:
    """The parts (:class:`~cape_study.present.display.Numbers`) a table column's cells
    carry, in the order count, estimate, lower, upper; ``[None]`` for a column of plain
    cells (one workbook column)."""
    keys = {key for cell in column if isinstance(cell, Numbers) for key, _, _ in cell.parts}
    return [k for k in _PARTS if k in keys] or [None]


def _part_head(
    head: Any, key: str | None, keys: list[str | None], words: Mapping[str, str], last: bool
) -> Any:
    """The heading of one part of a column: the column's own, with the part's name on
    the last heading row when the column is written as several."""
    if not last or len(keys) == 1 or key is None:
        return head
    return f"{head}: {words[key]}"


def _split(cell: Any, keys: list[str | None], value: Any) -> list[tuple[Any, str | None]]:
    """A table cell as workbook cells ``(value, number format)``, one per part in
    ``keys``: a :class:`~cape_study.present.display.Numbers` cell's numbers (a hidden
    one as :data:`SUPPRESSED`, a part it lacks blank), a mark in every part, other text
    in the first."""
    if keys == [None]:
        return [(value(cell), None)]
    if isinstance(cell, Numbers):
        have = {key: (v, f) for key, v, f in cell.parts}
        out: list[tuple[Any, str | None]] = []
        for key in keys:
            if key not in have:
                out.append((None, None))
            else:
                v, number_format = have[key]
                out.append((SUPPRESSED, None) if v is None else (v, number_format))
        return out
    shown = value(cell)
    if shown in (SMALL_MARK, SUPPRESSED, NOT_ESTIMABLE):
        return [(shown, None)] * len(keys)
    return [(shown, None)] + [(None, None)] * (len(keys) - 1)


def _fixed_times(xlsx: bytes) -> bytes:
    """The workbook with its document times and every zip entry's time fixed."""
    stamp = dt.datetime(*_FIXED_TIME).isoformat() + "Z"
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data
                )
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, data)
    return out.getvalue()
