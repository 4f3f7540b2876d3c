"""Reading a case file's cells faster (issue 22) gives exactly what the plain code gives:
a column of text cells is parsed by its distinct values (cells._parse_column), compared
here with parsing cell by cell (cells._parse_cells) on arbitrary columns; an id without
unprintable characters is not searched character by character; a CSV file whose text
holds no lost letter is not searched cell by cell."""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import write_case_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cape_study.data import cells
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
