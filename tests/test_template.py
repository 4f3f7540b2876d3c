"""The case-file template: made from the codebook, filled in by a script, it validates
without renaming anything and runs through the pipeline."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import VALID_TABLES, copy_demo_project, tree_digest, write_case_file

from cape_study.cli import main
from cape_study.data.codebook import load_codebook
from cape_study.data.headers import CODE_SEPARATOR, column_aliases, normalise, table_aliases
from cape_study.data.loaders import check_case_file

BOOK = load_codebook()
CUTOFF = "2024-12-31"


def fill(template: Path, tables: dict[str, list[dict[str, str]]], out: Path) -> Path:
    """What a research assistant's script (or hand) does: find each table's sheet and
    columns by their headers and append rows below the example row, with codes as
    drop-down entries ("code — label"), yes/no words and dates as typed text."""
    book = openpyxl.load_workbook(template)
    sheets = {table_aliases(BOOK).get(normalise(s.title)): s for s in book.worksheets}
    for tname, rows in tables.items():
        table = BOOK.table(tname)
        sheet = sheets[tname]
        names = [column_aliases(table)[normalise(c.value)] for c in sheet[1]]
        yes_no = sheet.data_validations.dataValidation
        words = {}
        for check in yes_no:
            if check.type == "list" and check.formula1.startswith('"') and "," in check.formula1:
                yes, no = check.formula1.strip('"').split(",")[:2]
                if yes in {"ja", "yes", "kyllä"}:
                    words = {"1": yes, "0": no}
        for row in rows:
            values = []
            for name in names:
                value = row.get(name) or None
                col = table.columns[name]
                if value is not None and col.type == "code":
                    label = BOOK.label(col.scheme, value, "sv")
                    value = f"{value}{CODE_SEPARATOR}{label}"
                elif value is not None and col.type == "boolean":
                    value = words.get(value, value)
                elif value is not None and col.type == "integer":
                    value = int(value)
                values.append(value)
            sheet.append(values)
    book.save(out)
    return out


@pytest.mark.parametrize("lang", ["sv", "en", "fi"])
def test_the_template_is_made_from_the_codebook(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "mall.xlsx"
    assert main(["template", "--lang", lang, "--out", str(path)]) == 0
    book = openpyxl.load_workbook(path)
    tables = table_aliases(BOOK)
    by_table = {
        tables[normalise(s.title)]: s for s in book.worksheets if normalise(s.title) in tables
    }
    assert list(by_table) == list(BOOK.tables)
    for tname, sheet in by_table.items():
        table = BOOK.table(tname)
        header = [c.value for c in sheet[1]]
        assert [column_aliases(table)[normalise(h)] for h in header] == list(table.columns)
        if lang == "sv":
            assert header == [c.label.sv for c in table.columns.values()]
        assert sheet.freeze_panes == "A2"
        assert str(sheet["A2"].value).startswith("#")  # the example row
        checks = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
        for j, (cname, col) in enumerate(table.columns.items()):
            letter = openpyxl.utils.get_column_letter(j + 1)
            if col.type in {"code", "boolean", "date", "integer"}:
                assert f"{letter}2:{letter}5000" in checks, (tname, cname)
            if col.type in {"date", "id", "text"}:  # 00123 stays 00123, 1-2 no date
                assert sheet.column_dimensions[letter].number_format == "@"  # text
    lists = book.worksheets[-1]
    assert lists.sheet_state == "hidden"
    entries = [c.value for c in next(col for col in lists.columns if col[0].value == "country")]
    label = BOOK.label("country", "SE", lang)
    assert f"SE{CODE_SEPARATOR}{label}" in entries
    explain = book.worksheets[-2]
    rows = list(explain.iter_rows(min_row=4, values_only=True))
    assert len(rows) == sum(len(t.columns) for t in BOOK.tables.values())
    assert all(r[4] and r[5] for r in rows)  # definition and allowed values


def test_the_template_refuses_to_overwrite_and_other_suffixes(tmp_path: Path, capsys) -> None:
    path = tmp_path / "mall.xlsx"
    path.write_bytes(b"mine")
    assert main(["template", "--out", str(path)]) == 1
    assert main(["template", "--out", str(tmp_path / "mall.csv")]) == 1
    assert path.read_bytes() == b"mine" and not (tmp_path / "mall.csv").exists()
    assert "--force" in capsys.readouterr().err


def test_a_filled_template_validates_without_renaming_anything(tmp_path: Path) -> None:
    csv = write_case_file(tmp_path / "csv")
    template = tmp_path / "mall.xlsx"
    main(["template", "--lang", "sv", "--out", str(template)])
    folder = tmp_path / "ifylld"
    shutil.copytree(csv / "documents", folder / "documents")
    path = fill(template, VALID_TABLES, folder / "ärendefil.xlsx")
    before = tree_digest(folder)
    result = check_case_file(path, data_cutoff=CUTOFF)
    assert result.ok, result.report()
    assert any("example row 2 skipped" in n for n in result.notes)
    expected = check_case_file(csv, data_cutoff=CUTOFF).case_file
    for name in BOOK.tables:
        got, want = result.case_file.tables[name], expected.tables[name]
        pd.testing.assert_frame_equal(got, want, check_dtype=True)
    assert tree_digest(folder) == before


def test_a_filled_template_runs_through_the_pipeline(tmp_path: Path) -> None:
    """A synthetic case file of 80 cases (both countries, every table), typed into a
    Swedish template by ``fill``, is the pipeline's case file: its intake step reads,
    checks and protects it. (The later steps on small case files are test_scenarios'
    and test_judgment_fixture's; running them here again cost 145 s of CI.)"""
    from cape_study.paths import project
    from cape_study.runner.pipeline import run_pipeline
    from cape_study.synth.generator import write_synthetic_case_file

    root = copy_demo_project(tmp_path)
    source = write_synthetic_case_file(tmp_path / "synthetic", 80, 11)
    tables = {
        p.stem: pd.read_csv(p, dtype=str, keep_default_na=False).to_dict("records")
        for p in sorted(source.glob("*.csv"))
    }
    folder = root / "data" / "raw" / "mall"
    shutil.copytree(source / "documents", folder / "documents")
    shutil.copy(source / "SYNTHETIC", folder / "SYNTHETIC")
    template = tmp_path / "mall.xlsx"
    main(["template", "--lang", "sv", "--out", str(template)])
    fill(template, tables, folder / "ärendefil.xlsx")
    result = run_pipeline(
        project(root),
        overrides={"case_file": "data/raw/mall/ärendefil.xlsx"},
        only=["00_intake"],
        progress=lambda event: None,
    )
    assert result.steps["00_intake"].status == "ran"
