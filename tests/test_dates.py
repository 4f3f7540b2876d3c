"""Real records as researchers type them: dates known to the month or year, Excel's
serial dates, semicolon CSV files, a column named twice, a formula without its result,
a codebook version typed as a number; one data cut-off default everywhere."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
from conftest import write_case_file
from test_reading import as_workbook, check, refused

from cape_study.cli import _parser as build_parser
from cape_study.data.cells import period_end
from cape_study.paths import DEFAULT_DATA_CUTOFF
from cape_study.runner.params import PARAMETER_SETS
from cape_study.stats.attrition import day_precise_times, event_times


def test_month_and_year_dates_are_read_with_their_precision(case_dir: Path, tables) -> None:
    tables["cases"][0]["report_date"] = "2019-03"
    tables["cases"][1]["report_date"] = "2020"
    # the report was in March 2019: an investigation dated only "2019" may follow it
    tables["events"][1]["date"] = "2019"
    write_case_file(case_dir, tables)
    result = check(case_dir)
    assert result.ok, result.report()
    cases = result.case_file.cases.set_index("case_id")
    assert cases.loc["SE-1", "report_date"] == pd.Timestamp("2019-03-01")
    assert cases["report_date_precision"].tolist() == ["month", "year", "day"]
    events = result.case_file.events
    assert events.loc[1, "date_precision"] == "year"
    assert events.loc[0, "date_precision"] == "day"


def test_a_period_that_ends_before_the_report_is_out_of_order(case_dir: Path, tables) -> None:
    tables["events"][1]["date"] = "2018"  # reported 2019-03-01
    tables["events"][2]["date"] = "2019-02"  # suspect notified before the report
    write_case_file(case_dir, tables)
    result, _ = refused(case_dir)
    problems = result.problems
    assert set(problems["row"]) == {3, 4}
    assert set(problems.loc[problems["row"] == 3, "expected"]) == {
        "a date on or after the case's report_date",
        "a date not before the dates of the case's earlier stages",
    }


def test_period_end() -> None:
    dates = pd.Series(pd.to_datetime(["2019-02-01", "2019-02-01", "2019-01-01", "2019-05-07"]))
    precision = pd.Series(["month", "year", None, "day"], dtype="string")
    assert period_end(dates, precision).dt.strftime("%Y-%m-%d").tolist() == [
        "2019-02-28",
        "2019-12-31",
        "2019-01-01",
        "2019-05-07",
    ]


def test_an_impossible_date_names_the_forms_allowed(case_dir: Path, tables) -> None:
    tables["cases"][0]["report_date"] = "2019-13"
    write_case_file(case_dir, tables)
    result, _ = refused(case_dir)
    row = result.problems.iloc[0]
    assert (row["file"], row["row"], row["column"]) == ("cases.csv", 2, "report_date")
    assert "YYYY-MM or YYYY when only the month or year is known" in row["expected"]


def test_excel_serial_dates_and_years_in_a_workbook(case_dir: Path, tables) -> None:
    tables["cases"][1]["report_date"] = 43997  # 2020-06-15 as Excel counts days
    tables["cases"][2]["report_date"] = 2021  # a year typed into a number cell
    result = check(as_workbook(case_dir, tables))
    assert result.ok, result.report()
    cases = result.case_file.cases.set_index("case_id")
    assert cases.loc["SE-2", "report_date"] == pd.Timestamp("2020-06-15")
    assert cases.loc["SE-2", "report_date_precision"] == "day"
    assert cases.loc["FI-1", "report_date_precision"] == "year"


def test_a_formula_without_its_result_is_refused_naming_the_cell(case_dir: Path, tables) -> None:
    tables["cases"][0]["n_victims"] = "=1+1"  # openpyxl saves formulas without results
    result, _ = refused(as_workbook(case_dir, tables))
    row = result.problems.iloc[0]
    assert len(result.problems) == 1
    assert (row["sheet"], row["row"], row["column"], row["value"]) == (
        "cases",
        2,
        "n_victims",
        "=1+1",
    )
    assert "cell H2 holds a formula whose result was never saved" in row["expected"]


def test_a_semicolon_csv_file_is_read_with_a_note(case_dir: Path) -> None:
    for path in case_dir.glob("*.csv"):
        rows = list(csv.reader(path.open(encoding="utf-8")))
        with path.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh, delimiter=";").writerows(rows)
    result = check(case_dir)
    assert result.ok, result.report()
    assert len(result.case_file.events) > 5
    assert any("cases.csv: read with ';' as the separator" in n for n in result.notes)


def test_a_column_named_twice_is_one_located_problem(case_dir: Path) -> None:
    path = case_dir / "cases.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("sector", "country")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result, _ = refused(case_dir)
    twice = result.problems[result.problems["column"] == "country"].iloc[0]
    assert twice["row"] == 1
    assert "country is in columns C and F" in twice["expected"]


def test_a_codebook_version_typed_as_a_number_is_a_located_problem(case_dir: Path, tables) -> None:
    tables["codings"][0]["codebook_version"] = "1,0"
    tables["codings"][1]["codebook_version"] = 1
    result, _ = refused(as_workbook(case_dir, tables))
    versions = result.problems[result.problems["column"] == "codebook_version"]
    assert versions["row"].tolist() == [2, 3]
    assert versions["sheet"].eq("codings").all()
    assert versions["expected"].str.contains("a number such as 1 or 1,0 is not a version").all()


def test_validate_and_run_share_the_data_cut_off_default() -> None:
    validate = build_parser().parse_args(["validate", "x"])
    intake = PARAMETER_SETS["intake"].model_fields["data_cutoff"].default
    assert validate.data_cutoff == DEFAULT_DATA_CUTOFF == intake.isoformat()


def test_time_to_event_uses_day_precise_dates_only(case_dir: Path, tables) -> None:
    tables["cases"][2]["report_date"] = "2021-02"
    write_case_file(case_dir, tables)
    case = check(case_dir).case_file
    times = event_times(case.cases, case.events, dt.date(2024, 12, 31))
    assert times.set_index("case_id")["day_precise"].to_dict() == {
        "SE-1": True,
        "SE-2": True,
        "FI-1": False,
    }
    kept, left_out = day_precise_times(times)
    assert kept["case_id"].tolist() == ["SE-1", "SE-2"] and left_out == 1
