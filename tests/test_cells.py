"""Cells typed the way people type them (cape_study.data.cells): what is certain is read,
what is not is a located problem, never a guess."""

from __future__ import annotations

import pandas as pd

from cape_study.data.cells import parse_table
from cape_study.data.codebook import load_codebook
from cape_study.data.problems import Source

BOOK = load_codebook()


def _parse(column: str, values: list) -> tuple[list, list]:
    raw = pd.DataFrame({column: values}, index=range(3, 3 + len(values)))
    typed, problems = parse_table(raw, BOOK.table("cases"), Source("case.xlsx", "cases"))
    return typed[column].tolist(), [(p["row"], p["value"]) for p in problems]


def test_dates_typed_without_leading_zeros_are_read_and_day_month_orders_are_refused():
    values, problems = _parse(
        "report_date", ["2019-3-1", "2019-3", "1/3/2019", "1.3.2019", "2019-02-30"]
    )
    assert values[:2] == [pd.Timestamp("2019-03-01")] * 2
    assert [p[0] for p in problems] == [5, 6, 7]  # ambiguous, and a day that does not exist
    raw = pd.DataFrame({"report_date": ["1/3/2019"]}, index=[3])
    _, found = parse_table(raw, BOOK.table("cases"), Source("case.xlsx", "cases"))
    assert "order of day and month" in found[0]["expected"]


def test_thousands_set_apart_by_spaces_are_read_but_commas_and_points_are_not():
    values, problems = _parse("n_victims", ["1 200", "1\u00a0200", "12", "1,200", "1.200", "2,0"])
    assert values[:3] == [1200, 1200, 12]
    assert [p[0] for p in problems] == [6, 7, 8]


def test_yes_and_no_in_the_languages_and_as_excel_writes_them():
    words = ["Kyllä", "Ja ", "JA", "SANT", "TOSI", "ei", "Nej", "FALSKT", "EPÄTOSI", "kanske"]
    values, problems = _parse("interpreter_needed", words)
    assert values[:9] == [True] * 5 + [False] * 4
    assert problems == [(12, "kanske")]
