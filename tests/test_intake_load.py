"""Reading a case file's cells faster (issue 22) gives exactly what the plain code gives:
a column of text cells is parsed by its distinct values (cells._parse_column), compared
here with parsing cell by cell (cells._parse_cells) on arbitrary columns; an id without
unprintable characters is not searched character by character; a CSV file whose text
holds no lost letter is not searched cell by cell."""

from __future__ import annotations

import os
import sys
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import write_case_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cape_study.data import cells, documents, event_rules, reading
from cape_study.data.loaders import check_case_file
from cape_study.data.problems import INVISIBLE, Source, invisible_characters

EXAMPLES = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)

# What people type into cells of each type, and what breaks them.
_PIECES = [
    "", " ", "  ", "2019", "2019-03", "2019-3-1", "2019-02-30", "1/3/2019", "2019-03-01 00:00:00",
    "12", "1 200", "1\u00a0200", "1,200", "-3", "+4", "ca 150", str(2**63), "1", "0", "ja", "NEJ",
    "Kyllä", "SANT", "kanske", "SE-1", "SE 1", "SE-1\u200b", "\ufeffSE-1", "a\x00b", "\u00ad",
    "outcome — label", "convicted", " convicted ", "é", "\t", "x\ny",
]  # fmt: skip
_CELL = st.one_of(
    st.sampled_from(_PIECES),
    st.text(max_size=8),
    st.just(None),
    st.just(np.nan),
    st.just(pd.NA),
)


def _both(values: list, kind: str) -> tuple:
    parse, _, expected = cells._PARSERS[kind]
    column = pd.Series(values, index=range(2, 2 + len(values)), dtype=object)
    source = Source("t.csv")
    fast = cells._parse_column(column, column.index, parse, kind, expected, "c", source)
    slow = cells._parse_cells(column, column.index, parse, kind, expected, "c", source)
    return fast, slow


def _assert_same(values: list, kind: str) -> None:
    fast, slow = _both(values, kind)
    assert fast is not None  # strings and missing cells: the fast path takes them
    assert list(fast[0]) == list(slow[0])
    assert [type(v) for v in fast[0]] == [type(v) for v in slow[0]]
    assert (fast[1] is None) == (slow[1] is None)
    if slow[1] is not None:
        assert list(fast[1]) == list(slow[1])
    assert fast[2] == slow[2]
    assert [type(p[1]) for p in fast[2]] == [type(p[1]) for p in slow[2]]  # rows: int


@pytest.mark.parametrize("kind", sorted(cells._PARSERS))
def test_every_piece_parsed_by_distinct_values_equals_cell_by_cell(kind: str) -> None:
    _assert_same([*_PIECES, None, np.nan, pd.NA, *reversed(_PIECES)], kind)


@EXAMPLES
@given(st.lists(_CELL, max_size=30), st.sampled_from(sorted(cells._PARSERS)))
def test_a_text_column_parsed_by_distinct_values_equals_cell_by_cell(values, kind) -> None:
    _assert_same(values, kind)


def test_a_workbook_column_of_other_values_is_parsed_cell_by_cell() -> None:
    # numbers, dates and NaT keep their types (1 and 1.0 and True are different cells)
    for values in ([1, 1.0, True, "1"], [pd.Timestamp("2019-03-01"), "2019"], ["x", pd.NaT]):
        fast, slow = _both(values, "integer")
        assert fast is None and slow is not None


def test_an_id_without_unprintable_characters_has_no_invisible_ones() -> None:
    # the shortcut (str.isprintable) against the character-by-character search, for
    # every character
    assert all(not c.isprintable() for c in INVISIBLE)
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        if c.isprintable():
            assert c not in INVISIBLE and unicodedata.category(c) not in {"Cc", "Cf"}, code
    assert invisible_characters("SE-1\u200b") == ["zero-width space (U+200B)"]
    assert invisible_characters("SE-1") == []


def test_lost_letters_are_found_in_a_utf8_file_and_only_where_they_are(
    tmp_path: Path, tables
) -> None:
    tables["victims"][1]["name"] = "Anna Kami\ufffdski"  # a letter lost before intake
    folder = write_case_file(tmp_path / "case", tables)
    found = check_case_file(folder, data_cutoff="2024-12-31").problems
    lost = found[found["expected"].str.contains("letters were lost")]
    assert lost[["file", "row", "column", "value"]].values.tolist() == [
        ["victims.csv", 3, "name", ""]
    ]
    tables["victims"][1]["name"] = "Anna Kamiski"
    clean = write_case_file(tmp_path / "clean", tables)
    assert check_case_file(clean, data_cutoff="2024-12-31").ok


def _plain_outcome(folder: Path, posix: str) -> str | bytes:
    """What the documents step found for one path before it looked with one lstat:
    os.path.isfile, then os.path.islink, then open().read()."""
    path = os.path.join(folder, posix)
    if not os.path.isfile(path):
        return "missing"
    if os.path.islink(path):
        return "outside"
    with open(path, "rb") as fh:
        return fh.read()


def test_documents_read_with_one_lstat_as_with_isfile_islink_and_open(tmp_path: Path) -> None:
    case = tmp_path / "case"
    docs = case / "documents"
    (docs / "sub").mkdir(parents=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("outside", encoding="utf-8")
    (docs / "a.txt").write_text("Beslut.\n", encoding="utf-8")
    (docs / "bom.txt").write_bytes(b"\xef\xbb\xbfmed BOM")
    (docs / "latin.txt").write_bytes("Åsa Öberg".encode("cp1252"))
    (docs / "empty.txt").write_bytes(b"")
    (docs / "big.txt").write_bytes(b"x" * 200_000)
    (docs / "sub" / "b.txt").write_text("inne", encoding="utf-8")
    (docs / "link-in.txt").symlink_to(docs / "a.txt")
    (docs / "link-out.txt").symlink_to(secret)
    (docs / "dangling.txt").symlink_to(docs / "gone.txt")
    (docs / "folder.txt").mkdir()
    os.mkfifo(docs / "fifo.txt")
    paths = [
        "a.txt", "bom.txt", "latin.txt", "empty.txt", "big.txt", "sub/b.txt", "link-in.txt",
        "link-out.txt", "dangling.txt", "folder.txt", "fifo.txt", "gone.txt", "a.txt/x.txt",
        "nul\x00.txt",
    ]  # fmt: skip
    frame = pd.DataFrame({"path": pd.array(paths, dtype="string")}, index=range(2, 2 + len(paths)))
    notes: list[str] = []
    texts, problems = documents.document_texts(frame, docs, Source("documents.csv"), notes)
    by_row = {p["row"]: p["expected"] for p in problems}
    for row, posix in zip(frame.index, paths, strict=True):
        plain = _plain_outcome(docs, posix)
        if plain == "missing":
            assert by_row[row].startswith("an existing file"), posix
        elif plain == "outside":
            assert by_row[row] == documents._OUTSIDE, posix
        else:
            assert row not in by_row, posix
            assert texts[row] == documents.decode(plain, posix, []), posix
    assert texts[3] == "med BOM" and texts[4] == "Åsa Öberg" and len(texts[6]) == 200_000
    # every link is refused (inside or out), every path that is no regular file missing
    assert sorted(by_row) == list(range(8, 16))
    assert [by_row[r] == documents._OUTSIDE for r in range(8, 16)] == [True, True] + [False] * 6


def test_the_cells_the_event_rules_loop_over_are_those_iterating_the_column_gives() -> None:
    text = pd.Series(["SE-1", None, "S-1", pd.NA, np.nan, ""], dtype="string")
    assert [type(v) for v in event_rules.cell_values(text)] == [type(v) for v in text]
    assert all(a is b for a, b in zip(event_rules.cell_values(text), text, strict=True))
    dates = pd.Series(pd.to_datetime(["2019-03-01", None]))
    assert event_rules.cell_values(dates) is dates  # other columns as they are


_CSV_CELL = st.one_of(st.none(), st.sampled_from(["x", " ", "#"]))


@EXAMPLES
@given(st.lists(st.lists(_CSV_CELL, min_size=3, max_size=3), max_size=12), st.integers(1, 3))
def test_blank_rows_found_from_the_first_column_as_from_every_column(rows, width) -> None:
    frame = pd.DataFrame([r[:width] for r in rows], columns=range(width), dtype=object)
    frame = frame.where(frame.notna(), np.nan)  # as read_csv leaves a blank cell
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    expected = frame.notna().any(axis=1)
    assert reading._not_blank(frame).tolist() == expected.tolist()
    assert frame[reading._not_blank(frame)].equals(frame[expected])


def test_example_rows_are_found_when_the_text_holds_the_mark(tmp_path: Path, tables) -> None:
    folder = write_case_file(tmp_path / "case", tables)
    path = folder / "cases.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], "# an example row", *lines[1:]]) + "\n", encoding="utf-8")
    result = check_case_file(folder, data_cutoff="2024-12-31")
    assert result.ok
    assert len(result.case_file.cases) == len(tables["cases"])
    assert any("example" in note for note in result.notes)


def _sheets(path: Path) -> list[tuple]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [
            (
                (ws._min_column, ws._min_row, ws._max_column, ws._max_row),
                list(ws.iter_rows(values_only=True)),
            )
            for ws in book.worksheets
        ]
    finally:
        book.close()


@pytest.mark.parametrize("write_only", [False, True])
def test_workbook_sheets_sized_from_their_tops_as_openpyxl_sizes_them(
    tmp_path: Path, write_only: bool
) -> None:
    # a workbook saved normally has a <dimension> before its cells; one written in
    # write-only mode (as synth writes) has none, and its rows are as long as written
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook(write_only=write_only)
    sheet = book.create_sheet("cases") if write_only else book.active
    for row in (["case_id", "report_date", "n"], ["SE-1", dt.datetime(2019, 3, 1), 2], ["SE-2"]):
        sheet.append(row)
    if not write_only:
        sheet["E7"] = "far"
    path = tmp_path / "case.xlsx"
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(next(n for n in archive.namelist() if "worksheets/" in n))
    assert (b"<dimension" in xml) is not write_only
    plain = _sheets(path)
    with reading._sized_from_the_top():
        assert _sheets(path) == plain
    assert _sheets(path) == plain  # openpyxl as it was afterwards
