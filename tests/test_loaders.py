"""Reading and validating case files: the valid path and every kind of bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import COLUMNS, tree_digest, write_case_file

from cape_study.data.loaders import (
    SYNTHETIC_MARKER,
    check_case_file,
    load_case_file,
    read_processed,
    write_processed,
)
from cape_study.errors import CaseFileError

CUTOFF = "2024-12-31"


def check(path: Path, **kwargs):
    return check_case_file(path, data_cutoff=kwargs.pop("data_cutoff", CUTOFF), **kwargs)


def problems_of(path: Path, **kwargs) -> pd.DataFrame:
    result = check(path, **kwargs)
    assert not result.ok, "expected problems, found none"
    assert result.case_file is None
    return result.problems


def only(problems: pd.DataFrame, **where) -> pd.DataFrame:
    mask = pd.Series(True, index=problems.index)
    for key, value in where.items():
        mask &= problems[key].astype(object) == value
    return problems[mask]


def write_workbook(path: Path, tables: dict[str, list[dict[str, str]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in tables.items():
        sheet = book.create_sheet(name)
        sheet.append(COLUMNS[name])
        for row in rows:
            sheet.append([row.get(c) or None for c in COLUMNS[name]])
    book.save(path)
    return path


# -- the valid case file ----------------------------------------------------------------
def test_valid_csv_case_file_is_typed(case_dir: Path) -> None:
    result = check(case_dir)
    assert result.ok, result.problems.to_string()
    cf = result.case_file
    assert len(cf.cases) == 3 and len(cf.events) == 11 and len(cf.codings) == 4
    assert str(cf.cases["report_date"].dtype).startswith("datetime64")
    assert cf.cases["n_victims"].dtype == "Int64"
    assert cf.victims["left_country"].dtype == "boolean"
    assert pd.isna(cf.victims.loc[3, "left_country"])  # blank = unknown
    assert isinstance(cf.events["stage"].dtype, pd.CategoricalDtype)
    assert cf.events["stage"].cat.ordered
    assert list(cf.events["stage"].cat.categories[:2]) == ["reported", "investigation_opened"]
    assert cf.documents.set_index("doc_id").loc["D-1", "text"].startswith("Anmälan")
    assert "Åsele" in cf.documents.set_index("doc_id").loc["D-1", "text"]
    assert cf.synthetic is False


def test_workbook_reads_like_the_csv_folder(tmp_path: Path, tables) -> None:
    folder = write_case_file(tmp_path / "csv")
    book_dir = tmp_path / "xlsx"
    book_dir.mkdir()
    shutil.copytree(folder / "documents", book_dir / "documents")
    workbook = write_workbook(book_dir / "casefile.xlsx", tables)
    from_csv = check(folder).case_file
    for path in (workbook, book_dir):  # the workbook itself, or a folder holding only it
        from_xlsx = check(path).case_file
        assert from_xlsx is not None
        for name in ("cases", "events", "victims", "codings"):
            pd.testing.assert_frame_equal(from_xlsx.tables[name], from_csv.tables[name])


def test_workbook_problems_name_sheet_and_row(tmp_path: Path, tables) -> None:
    tables["victims"][2]["sex"] = "woman"
    (tmp_path / "documents").mkdir()
    workbook = write_workbook(tmp_path / "casefile.xlsx", tables)
    problems = problems_of(workbook)
    hit = only(problems, sheet="victims", column="sex")
    assert hit["row"].tolist() == [4] and hit["file"].tolist() == ["casefile.xlsx"]
    assert hit["value"].tolist() == ["woman"]


def test_synthetic_marker_is_detected(case_dir: Path) -> None:
    (case_dir / SYNTHETIC_MARKER).write_text("synthetic\n", encoding="utf-8")
    assert check(case_dir).case_file.synthetic is True


def test_docx_and_pdf_documents_are_read(case_dir: Path, tables) -> None:
    import docx
    from fpdf import FPDF

    doc = docx.Document()
    doc.add_paragraph("Hovrättens dom: den tilltalade frikänns från åtalet för ocker.")
    doc.save(case_dir / "documents" / "D-3.docx")
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Tingsratten dom: fallande for manniskohandel.")
    pdf.output(str(case_dir / "documents" / "D-4.pdf"))
    tables["documents"] += [
        {
            "doc_id": "D-3",
            "case_id": "SE-1",
            "doc_type": "judgment_appeal",
            "date": "2020-05-01",
            "language": "sv",
            "path": "D-3.docx",
        },
        {
            "doc_id": "D-4",
            "case_id": "SE-1",
            "doc_type": "judgment_first_instance",
            "date": "2019-12-01",
            "language": "sv",
            "path": "D-4.pdf",
        },
    ]
    write_case_file(case_dir, tables)
    texts = check(case_dir).case_file.documents.set_index("doc_id")["text"]
    assert "frikänns" in texts["D-3"]
    assert "manniskohandel" in texts["D-4"]


# -- bad input: each gives a clear problem and writes nothing -----------------------------
def assert_nothing_written(folder: Path, before: dict[str, str]) -> None:
    assert tree_digest(folder) == before


def test_path_that_does_not_exist(tmp_path: Path) -> None:
    problems = problems_of(tmp_path / "nowhere")
    assert len(problems) == 1
    assert "does not exist" in problems.loc[0, "expected"]
    with pytest.raises(CaseFileError, match="does not exist"):
        load_case_file(tmp_path / "nowhere")


def test_unreadable_file_is_a_problem_not_a_traceback(case_dir: Path, monkeypatch) -> None:
    original = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self.name == "events.csv":
            raise PermissionError(13, "Permission denied", str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    problems = problems_of(case_dir)
    assert problems["file"].str.endswith("events.csv").all()
    assert "a file this user can read (Permission denied)" in problems["expected"].tolist()


def test_missing_table(case_dir: Path) -> None:
    (case_dir / "victims.csv").unlink()
    before = tree_digest(case_dir)
    problems = problems_of(case_dir)
    assert problems["expected"].str.contains("a file victims.csv").any()
    assert_nothing_written(case_dir, before)


def test_optional_table_may_be_missing(case_dir: Path, tables) -> None:
    (case_dir / "suspects.csv").unlink()
    result = check(case_dir)
    assert result.ok, result.problems.to_string()
    assert result.case_file.suspects.empty
    assert list(result.case_file.suspects.columns) == COLUMNS["suspects"]


def test_missing_column(case_dir: Path) -> None:
    frame = pd.read_csv(case_dir / "cases.csv", dtype=str).drop(columns="sector")
    frame.to_csv(case_dir / "cases.csv", index=False)
    problems = problems_of(case_dir)
    hit = only(problems, file="cases.csv", column="sector")
    assert len(hit) == 1, "a missing column is reported once, not once per row"
    assert hit.iloc[0]["row"] == 1 and "required" in hit.iloc[0]["expected"]


def test_unknown_column(case_dir: Path) -> None:
    frame = pd.read_csv(case_dir / "cases.csv", dtype=str).assign(notes="x")
    frame.to_csv(case_dir / "cases.csv", index=False)
    hit = only(problems_of(case_dir), file="cases.csv", column="notes")
    assert "a column of table cases" in hit.iloc[0]["expected"]


def test_unknown_code_names_file_row_column(case_dir: Path, tables) -> None:
    tables["cases"][1]["sector"] = "fishing"
    write_case_file(case_dir, tables)
    problems = problems_of(case_dir)
    assert len(problems) == 1
    p = problems.iloc[0]
    assert (p["file"], p["row"], p["column"], p["value"]) == ("cases.csv", 3, "sector", "fishing")
    assert "a code of scheme sector" in p["expected"] and "construction" in p["expected"]


def test_duplicate_id(case_dir: Path, tables) -> None:
    tables["victims"][3]["victim_id"] = "V-1"
    write_case_file(case_dir, tables)
    hit = only(problems_of(case_dir), file="victims.csv", column="victim_id")
    assert sorted(hit["row"].tolist()) == [2, 5]
    assert hit["expected"].str.contains("only once").all()


def test_duplicate_event_combination(case_dir: Path, tables) -> None:
    tables["events"].append(dict(tables["events"][3]))
    write_case_file(case_dir, tables)
    hit = only(problems_of(case_dir), file="events.csv")
    assert sorted(hit["row"].tolist()) == [5, 13]
    assert hit["column"].str.contains("suspect_id").all()


def test_orphan_foreign_keys(case_dir: Path, tables) -> None:
    tables["events"][0]["case_id"] = "SE-99"
    tables["events"][2]["suspect_id"] = "S-99"
    tables["codings"][0]["unit_id"] = "D-99"
    write_case_file(case_dir, tables)
    problems = problems_of(case_dir)
    assert (
        only(problems, file="events.csv", row=2, column="case_id")["expected"]
        .str.contains("an existing case_id in table cases")
        .all()
    )
    assert len(only(problems, file="events.csv", row=4, column="suspect_id")) == 1
    unit = only(problems, file="codings.csv", row=2, column="unit_id")
    assert "case_id in table cases or doc_id in table documents" in unit.iloc[0]["expected"]


def test_unparseable_date_and_number(case_dir: Path, tables) -> None:
    tables["cases"][0]["report_date"] = "1 mars 2019"
    tables["cases"][1]["n_victims"] = "ca 150"
    tables["cases"][2]["report_date"] = "2021-02-30"
    write_case_file(case_dir, tables)
    problems = problems_of(case_dir)
    dates = only(problems, column="report_date")
    assert dates["row"].tolist() == [2, 4]
    assert dates["expected"].str.startswith("a date written YYYY-MM-DD, or YYYY-MM or YYYY").all()
    (expected,) = only(problems, column="n_victims")["expected"].tolist()
    # An estimate written as people write one: the message says what to do instead.
    assert expected.startswith("a whole number") and "blank when it is not known" in expected


def test_negative_count(case_dir: Path, tables) -> None:
    tables["cases"][0]["n_suspects"] = "-1"
    write_case_file(case_dir, tables)
    hit = only(problems_of(case_dir), column="n_suspects")
    assert hit["expected"].tolist() == ["a number of at least 0"]


def test_dates_out_of_order(case_dir: Path, tables) -> None:
    tables["events"][5]["date"] = "2019-08-15"  # judgment before the prosecution (09-01)
    tables["events"][9]["date"] = "2020-01-01"  # closed before SE-2 was reported
    write_case_file(case_dir, tables)
    problems = problems_of(case_dir)
    order = only(problems, file="events.csv", row=7, column="date")
    assert order["expected"].str.contains("earlier stages").all()
    before = only(problems, file="events.csv", row=11, column="date")
    assert before["expected"].str.contains("report_date").all()


def test_events_after_the_cutoff(case_dir: Path) -> None:
    problems = problems_of(case_dir, data_cutoff="2020-12-31")
    after = problems[problems["expected"].str.contains("cut-off 2020-12-31")]
    # FI-1 is reported in 2021: its case row, its event row; SE-2's closure is in 2020.
    places = set(zip(after["file"], after["row"], strict=True))
    assert {("cases.csv", 4), ("events.csv", 12)} <= places


def test_rules_carried_by_codes(case_dir: Path, tables) -> None:
    tables["events"][7]["closure_reason"] = ""  # closed needs a reason
    tables["events"][5]["outcome"] = "convicted_other"  # but the offence is trafficking
    tables["cases"][0]["offence_reported"] = "manniskoexploatering"  # 2019-03-01: in force
    tables["cases"].append(dict(tables["cases"][0], case_id="SE-3", report_date="2017-01-01"))
    tables["cases"][2]["police_region"] = "se_nord"  # a Swedish region for a Finnish case
    write_case_file(case_dir, tables)
    problems = problems_of(case_dir)
    assert (
        only(problems, file="events.csv", row=9, column="closure_reason")["expected"]
        .str.contains("closed requires closure_reason")
        .all()
    )
    assert (
        only(problems, file="events.csv", row=7, column="outcome")["expected"]
        .str.contains("family")
        .all()
    )
    force = only(problems, file="cases.csv", column="offence_reported")
    assert force["row"].tolist() == [5] and "2018-07-01" in force.iloc[0]["expected"]
    assert (
        only(problems, file="cases.csv", row=4, column="police_region")["expected"]
        .str.contains("country")
        .all()
    )


def test_coding_code_must_belong_to_its_scheme(case_dir: Path, tables) -> None:
    tables["codings"][2]["code"] = "victim_left_country"  # a barrier under ilo_indicator
    tables["codings"][3]["scheme"] = "sector"  # not a codeable scheme
    write_case_file(case_dir, tables)
    problems = problems_of(case_dir)
    assert only(problems, row=4, column="code")["expected"].str.contains("scheme named").all()
    assert only(problems, row=5, column="scheme")["expected"].str.contains("codeable").all()


def test_latin1_csv_is_detected_and_read(tmp_path: Path, tables) -> None:
    tables["codings"][0]["coder"] = "Åsa_Öberg_Ärlig"
    folder = write_case_file(tmp_path / "latin1", tables, encoding="latin-1")
    result = check(folder)
    assert result.ok, result.problems.to_string()
    assert "Åsa_Öberg_Ärlig" in set(result.case_file.codings["coder"])
    assert any("codings.csv is not UTF-8" in note for note in result.notes)


def test_empty_file(case_dir: Path) -> None:
    (case_dir / "events.csv").write_bytes(b"")
    problems = problems_of(case_dir)
    hit = only(problems, file="events.csv")
    assert len(hit) == 1 and "the file is empty" in hit.iloc[0]["expected"]


def test_header_only_cases_table(case_dir: Path) -> None:
    (case_dir / "cases.csv").write_text(",".join(COLUMNS["cases"]) + "\n", encoding="utf-8")
    problems = problems_of(case_dir)
    (expected,) = only(problems, file="cases.csv")["expected"]
    assert expected.startswith("at least one case")


@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
def test_unreadable_document(case_dir: Path, tables, suffix: str) -> None:
    (case_dir / "documents" / f"D-9{suffix}").write_bytes(b"this is not a real document")
    tables["documents"].append(
        {
            "doc_id": "D-9",
            "case_id": "SE-1",
            "doc_type": "other",
            "date": "2019-04-01",
            "language": "sv",
            "path": f"D-9{suffix}",
        }
    )
    write_case_file(case_dir, tables)
    before = tree_digest(case_dir)
    problems = problems_of(case_dir)
    hit = only(problems, file=f"documents/D-9{suffix}")
    assert len(hit) == 1
    assert ("Word .docx" if suffix == ".docx" else "readable PDF") in hit.iloc[0]["expected"]
    assert_nothing_written(case_dir, before)


def test_missing_and_escaping_document_paths(case_dir: Path, tables) -> None:
    tables["documents"][0]["path"] = "missing.txt"
    tables["documents"][1]["path"] = "../cases.csv"
    write_case_file(case_dir, tables)
    problems = only(problems_of(case_dir), file="documents.csv", column="path")
    assert problems["expected"].tolist() == [
        "an existing file under documents/",
        "a path inside the documents/ folder",
    ]


def test_broken_case_file_lists_every_problem_at_once(case_dir: Path, tables) -> None:
    tables["cases"][0]["country"] = "NO"
    tables["cases"][1]["report_date"] = "15/06/2020"
    tables["events"][1]["stage"] = "investigated"
    tables["victims"][0]["age_band"] = "30"
    tables["codings"][1]["present"] = "maybe"
    write_case_file(case_dir, tables)
    problems = problems_of(case_dir)
    found = set(zip(problems["file"], problems["column"], strict=True))
    assert {
        ("cases.csv", "country"),
        ("cases.csv", "report_date"),
        ("events.csv", "stage"),
        ("victims.csv", "age_band"),
        ("codings.csv", "present"),
    } <= found


def test_load_case_file_raises_with_the_problem_table(case_dir: Path, tables) -> None:
    tables["cases"][1]["sector"] = "fishing"
    write_case_file(case_dir, tables)
    with pytest.raises(CaseFileError) as info:
        load_case_file(case_dir, data_cutoff=CUTOFF)
    assert "fishing" in str(info.value)
    assert len(info.value.problems) == 1


# -- processed data ---------------------------------------------------------------------
def test_write_and_read_processed_round_trip(case_dir: Path, tmp_path: Path) -> None:
    cf = load_case_file(case_dir, data_cutoff=CUTOFF)
    out = tmp_path / "processed"
    written = write_processed(cf, out)
    assert {p.name for p in written} == {f"{t}.parquet" for t in cf.TABLES} | {"metadata.json"}
    back = read_processed(out)
    for name in cf.TABLES:
        pd.testing.assert_frame_equal(back.tables[name], cf.tables[name])
    assert back.data_cutoff == cf.data_cutoff and back.synthetic == cf.synthetic


def test_write_processed_replaces_previous_output_atomically(
    case_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    cf = load_case_file(case_dir, data_cutoff=CUTOFF)
    out = tmp_path / "processed"
    write_processed(cf, out)
    before = tree_digest(out)

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", explode)
    with pytest.raises(OSError, match="disk full"):
        write_processed(cf, out)
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["casefile", "processed"]


def test_parsing_each_distinct_value_once_equals_parsing_every_cell() -> None:
    import datetime as dt

    import numpy as np

    from cape_study.data import cells as schema
    from cape_study.data.codebook import load_codebook

    table = load_codebook().table("victims")
    cells = [1, 1.0, True, "1", " 1 ", "ja", "no", 0, False, None, np.nan, pd.NA, " ", "x y"]
    cells += [dt.datetime(2020, 1, 2), dt.date(2020, 1, 2), "2020-01-02", "2020-13-01", 2.5]
    rows = [cells[(i * 7) % len(cells)] for i in range(200)]
    raw = pd.DataFrame(
        {name: pd.Series(rows, dtype=object) for name in table.columns},
        index=pd.RangeIndex(2, 202),
    )
    typed, problems = schema.parse_table(raw, table, schema.Source("victims.csv"))
    for name, col in table.columns.items():
        parse, dtype, _ = schema._PARSERS[col.type]
        one_by_one = [None if schema._is_blank(v) else parse(v) for v in raw[name]]
        reference = pd.Series(one_by_one, index=raw.index, dtype=object).astype(dtype)
        pd.testing.assert_series_equal(typed[name], reference, check_names=False)
        failed = [
            row for row, v in raw[name].items() if not schema._is_blank(v) and parse(v) is None
        ]
        assert [p["row"] for p in problems if p["column"] == name] == failed
