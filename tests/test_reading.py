"""Messy case files as people make them: each gives a short message, the real cause
first, with the problems that follow from it counted, and nothing is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import COLUMNS, tree_digest, write_case_file

from cape_study.cli import main
from cape_study.data.documents import NO_TEXT, no_text
from cape_study.data.loaders import check_case_file
from cape_study.stats.textcoding import coding_units, match_keywords

CUTOFF = "2024-12-31"
SCREEN = 25  # lines


def check(path: Path):
    return check_case_file(path, data_cutoff=CUTOFF)


def refused(path: Path):
    """Check a broken case file: it is refused, the report fits a screen, nothing is
    written; returns the result and its report's lines."""
    before = tree_digest(path if path.is_dir() else path.parent)
    result = check(path)
    assert not result.ok and result.case_file is None
    lines = result.report().splitlines()
    assert len(lines) <= SCREEN, "\n".join(lines)
    assert tree_digest(path if path.is_dir() else path.parent) == before
    return result, lines


def workbook(path: Path, tables: dict, names: dict[str, str] | None = None) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in tables.items():
        sheet = book.create_sheet((names or {}).get(name, name))
        sheet.append(COLUMNS[name])
        for row in rows:
            sheet.append([row.get(c) or None for c in COLUMNS[name]])
    book.save(path)
    return path


def as_workbook(case_dir: Path, tables: dict, name: str = "case.xlsx", **kw) -> Path:
    for csv in case_dir.glob("*.csv"):
        csv.unlink()
    return workbook(case_dir / name, tables, **kw)


# -- names ------------------------------------------------------------------------------
def test_a_sheet_named_in_swedish_is_read_as_its_table(case_dir: Path, tables) -> None:
    path = as_workbook(case_dir, tables, names={"cases": "ärenden", "events": "Händelser"})
    result = check(path)
    assert result.ok, result.report()
    assert len(result.case_file.cases) == 3
    assert any("sheet ärenden: read as table cases" in n for n in result.notes)


def test_columns_named_by_their_labels_are_read_and_named_in_a_note(case_dir: Path) -> None:
    cases = (case_dir / "cases.csv").read_text(encoding="utf-8").splitlines()
    cases[0] = cases[0].replace("case_id", "Ärende-id").replace("report_date", "Report date")
    (case_dir / "ärenden.csv").write_text("\n".join(cases) + "\n", encoding="utf-8")
    (case_dir / "cases.csv").unlink()
    result = check(case_dir)
    assert result.ok, result.report()
    (note,) = [n for n in result.notes if n.startswith("ärenden.csv") and "read as table" in n]
    assert "read as table cases" in note
    assert "Ärende-id=case_id" in note and "Report date=report_date" in note


def test_a_sheet_that_is_no_table_is_named_with_the_sheets_found(case_dir: Path, tables) -> None:
    path = as_workbook(case_dir, tables, names={"cases": "Blad1"})
    result, lines = refused(path)
    assert "a sheet named cases (or Ärenden or Cases); the sheets are: Blad1" in lines[1]
    assert "follow from it" in lines[2]  # the foreign keys into cases are counted
    assert len(result.follow_ons) > 0


# -- title rows, ragged rows ------------------------------------------------------------
def test_a_title_row_above_the_header_is_skipped_with_a_note(case_dir: Path, tables) -> None:
    events = case_dir / "events.csv"
    events.write_text("Händelser 2019-2023,,\n" + events.read_text(encoding="utf-8"))
    result = check(case_dir)
    assert result.ok, result.report()
    assert len(result.case_file.events) == 11
    title = "events.csv: row 1 above the header (row 2) skipped as a title"
    assert title in result.notes
    path = as_workbook(case_dir, tables)
    book = openpyxl.load_workbook(path)
    book["victims"].insert_rows(1, 2)
    book["victims"]["A1"] = "Offer i ärendena"
    book.save(path)
    result = check(path)
    assert result.ok, result.report()
    assert "case.xlsx sheet victims: row 1 above the header (row 3) skipped as a title" in (
        result.notes
    )


def test_no_header_row_is_refused_saying_so(case_dir: Path) -> None:
    events = case_dir / "events.csv"
    lines = events.read_text(encoding="utf-8").splitlines()
    events.write_text("\n".join(["a,b,c,d,e,f,g,h", *lines[1:]]) + "\n", encoding="utf-8")
    result, lines = refused(case_dir)
    assert "events.csv: expected a header row with the column names of table events" in lines[1]
    assert "none found" in lines[1] and "row 1: 'a, b, c, d, e, f, g, h'" in lines[2]
    assert len(result.problems) == 1


def test_one_ragged_row_is_one_problem_naming_its_row(case_dir: Path) -> None:
    events = case_dir / "events.csv"
    lines = events.read_text(encoding="utf-8").splitlines()
    lines[3] += ",extra"
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result, report = refused(case_dir)
    assert len(result.problems) == 1 and result.follow_ons.empty
    assert "events.csv: expected at most 8 values" in report[1] and "this row has 9" in report[1]
    assert report[2].strip() == "row 4: 'extra'"


@pytest.mark.parametrize("ragged", [False, True])
def test_rows_after_blank_lines_are_named_as_a_spreadsheet_numbers_them(
    case_dir: Path, ragged: bool
) -> None:
    """Blank lines count as rows (a spreadsheet shows them), and a blank row or one of
    only separators (Excel's cleared row) is no row of the table."""
    cases = case_dir / "cases.csv"
    lines = cases.read_text(encoding="utf-8").splitlines()
    width = lines[0].count(",")
    bad = lines[2].split(",")
    bad[COLUMNS["cases"].index("country")] = "XX"
    lines[2] = ",".join(bad)
    lines[2:2] = ["", "," * width]  # the bad row is now line 5
    if ragged:  # the other reading path: rows of different lengths
        lines.append(lines[1] + ",extra")
    cases.write_text("\n".join([*lines, "", ""]) + "\n", encoding="utf-8")
    _, report = refused(case_dir)
    assert any("column country" in line for line in report), report
    assert "row 5: 'XX'" in "\n".join(report)
    assert not any("expected a value (required)" in line for line in report), report


# -- missing and empty tables -----------------------------------------------------------
def test_a_missing_table_is_one_cause_and_what_follows_is_counted(case_dir: Path) -> None:
    (case_dir / "documents.csv").unlink()
    result, lines = refused(case_dir)
    assert len(result.problems) == 1
    assert "expected a file documents.csv" in lines[1]
    # codings of documents D-1 and D-2 refer to the missing table
    assert lines[2].strip() == "and 2 foreign-key problem(s) that follow from it"
    assert set(result.follow_ons["column"]) == {"unit_id"}


def test_a_header_only_cases_table_is_the_cause_of_the_foreign_key_problems(
    case_dir: Path,
) -> None:
    (case_dir / "cases.csv").write_text(",".join(COLUMNS["cases"]) + "\n", encoding="utf-8")
    result, lines = refused(case_dir)
    assert (
        lines[1] == "* cases.csv: expected at least one case below the header; the table has none"
    )
    assert "follow from it" in lines[3]
    assert len(result.problems) == 1 and len(result.follow_ons) > 10


def test_the_whole_table_is_written_only_when_asked_and_never_under_reports(
    case_dir: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    (case_dir / "documents.csv").unlink()
    out = tmp_path / "problems.csv"
    assert main(["validate", str(case_dir), "--data-cutoff", CUTOFF, "--out", str(out)]) == 1
    table = pd.read_csv(out, keep_default_na=False)
    assert len(table) == 3 and (table["follows_from"] != "").sum() == 2
    from cape_study.paths import ROOT_ENV

    monkeypatch.setenv(ROOT_ENV, str(tmp_path))
    bad = tmp_path / "reports" / "problems.csv"
    assert main(["validate", str(case_dir), "--out", str(bad)]) == 1
    assert "write it outside" in capsys.readouterr().err and not bad.exists()


# -- workbooks --------------------------------------------------------------------------
def test_an_xlsm_workbook_is_read_like_an_xlsx(case_dir: Path, tables) -> None:
    path = as_workbook(case_dir, tables, name="case.xlsm")
    assert check(path).ok
    assert check(case_dir).ok  # the folder holding it


def test_two_workbooks_in_a_folder_is_one_error_naming_both(case_dir: Path, tables) -> None:
    path = as_workbook(case_dir, tables)
    shutil.copy(path, case_dir / "case (2).xlsm")
    (case_dir / "~$case.xlsx").write_bytes(b"Excel's lock file")
    result, lines = refused(case_dir)
    assert len(lines) == 2 and len(result.problems) == 1
    assert "2 workbooks: case (2).xlsm, case.xlsx" in lines[1]


# -- invisible characters ---------------------------------------------------------------
@pytest.mark.parametrize(
    "char, name",
    [
        ("\x00", "NUL (U+0000)"),
        ("\u200b", "zero-width space (U+200B)"),
        ("\u00ad", "soft hyphen (U+00AD)"),
        ("\ufeff", "byte-order mark (BOM) (U+FEFF)"),
    ],
)
def test_an_invisible_character_in_an_id_is_named(case_dir: Path, char: str, name: str) -> None:
    cases = case_dir / "cases.csv"
    cases.write_text(
        cases.read_text(encoding="utf-8").replace("SE-1,", f"SE{char}-1,", 1), encoding="utf-8"
    )
    result, lines = refused(case_dir)
    assert lines[1] == (
        "* cases.csv, column case_id: expected an identifier without invisible characters; "
        f"it holds {name}"
    )
    assert lines[2].strip() == f"row 2: 'SE<U+{ord(char):04X}>-1'"
    assert "follow from it" in lines[3]  # events, victims ... of SE-1
    assert len(result.problems) == 1 and len(result.follow_ons) > 5


# -- documents without text -------------------------------------------------------------
def _image_only_pdf(path: Path) -> None:
    from fpdf import FPDF
    from PIL import Image

    pdf = FPDF()
    pdf.add_page()
    pdf.image(Image.new("RGB", (60, 30), "white"), x=10, y=10, w=60)
    pdf.output(str(path))


def test_documents_without_text_are_listed_counted_and_not_coded(case_dir: Path, tables) -> None:
    (case_dir / "documents" / "D-1.txt").write_text("  \n", encoding="utf-8")
    (case_dir / "documents" / "scans").mkdir()
    _image_only_pdf(case_dir / "documents" / "scans" / "D-2.pdf")
    tables["documents"][1]["path"] = "scans/D-2.pdf"
    write_case_file(case_dir, tables, texts={})
    before = tree_digest(case_dir)
    result = check(case_dir)
    assert result.ok, result.report()
    (note,) = [n for n in result.notes if NO_TEXT in n]
    assert note.startswith(
        f"2 document(s) with {NO_TEXT} (documents/D-1.txt, documents/scans/D-2.pdf)"
    )
    docs = result.case_file.documents
    assert no_text(docs).tolist() == [True, True] + [False] * (len(docs) - 2)
    units = docs.rename(columns={"doc_id": "unit_id"})
    assert set(match_keywords(units)["unit_id"]).isdisjoint({"D-1", "D-2"})
    assert set(coding_units(docs, result.case_file.codings)["unit_id"]).isdisjoint({"D-1", "D-2"})
    assert tree_digest(case_dir) == before


# -- filled the way people fill a workbook ---------------------------------------------
def test_merged_cells_below_the_header_are_a_problem_naming_the_range(case_dir, tables) -> None:
    path = as_workbook(case_dir, tables)
    book = openpyxl.load_workbook(path)
    book["cases"].insert_rows(1)
    book["cases"]["A1"] = "Ärenden"
    book["cases"].merge_cells("A1:D1")  # a merged title above the header is fine
    book["events"].merge_cells("C2:C4")  # one stage typed once for three rows
    book.save(path)
    result, _ = refused(path)
    merged = result.problems[result.problems["column"] == "C2:C4"]
    assert merged[["sheet", "row"]].values.tolist() == [["events", 2]]
    assert "unmerge" in merged["expected"].iloc[0]
    assert not result.problems["column"].astype(str).str.contains("A1:D1").any()


def test_a_total_row_is_one_problem_saying_so(case_dir, tables) -> None:
    path = as_workbook(case_dir, tables)
    book = openpyxl.load_workbook(path)
    sheet = book["cases"]
    last = sheet.max_row + 2  # after a blank row, as people leave one
    sheet.cell(last, 1).value = "Summa:"
    sheet.cell(last, COLUMNS["cases"].index("n_victims") + 1).value = 9
    book.save(path)
    result, _ = refused(path)
    assert result.problems[["sheet", "row"]].values.tolist() == [["cases", last]]
    assert "no total row" in result.problems["expected"].iloc[0]
