"""Lazy validation of the typed tables into one problem table.

The schemas of :func:`cape_study.data.schema.build_schemas` run lazily over each table;
every failure becomes a row of the problem table
(:data:`~cape_study.data.problems.PROBLEM_COLUMNS`): where it is (file, sheet, row,
column), the value as written in the file and what was expected, worded from the
check's :class:`~cape_study.data.schema.Rule`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import sys

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from cape_study.data.codebook import Codebook
from cape_study.data.problems import ProblemList, Source, show_value
from cape_study.data.schema import Rule, build_schemas

__all__ = ["validate_tables"]


def validate_tables(
    codebook: Codebook,
    typed: dict[str, pd.DataFrame],
    raw: dict[str, pd.DataFrame],
    sources: dict[str, Source],
    data_cutoff: dt.date,
    skip: set[tuple[str, object, str]] | None = None,
) -> list[dict]:
    """Check typed tables against their schemas lazily; return every problem found.

    ``raw`` supplies the values as written in the file for the problem table;
    ``skip`` lists (table, row, column) cells (row ``None`` for a whole column)
    already reported, so that a cell that could not be parsed or a missing column is
    not reported again as missing.
    """
    skip = skip or set()
    _checks_without_hypothesis()
    schemas, rules = build_schemas(codebook, typed, data_cutoff)
    out = ProblemList()
    for tname, schema in schemas.items():
        try:
            schema.validate(typed[tname], lazy=True)
        except SchemaErrors as exc:
            _collect(exc.failure_cases, tname, schema, rules, raw[tname], sources[tname], skip, out)
    return out.rows


def _checks_without_hypothesis() -> None:
    """Load pandera's pandas checks without hypothesis.

    pandera registers its pandas checks on the first validation, and imports with them
    its strategies for generating data, which import hypothesis when it is installed
    (a test dependency: about 1 s of intake's time); validation never generates data.
    So they are loaded with hypothesis out of sight, as when it is not installed,
    unless hypothesis is already imported (in the tests, which use it themselves).
    """
    if "hypothesis" in sys.modules or "pandera.strategies.base_strategies" in sys.modules:
        return
    sys.modules["hypothesis"] = None  # type: ignore[assignment]  # import fails
    try:
        importlib.import_module("pandera.backends.pandas.builtin_checks")
    finally:
        if sys.modules.get("hypothesis", 0) is None:
            del sys.modules["hypothesis"]


def _collect(
    failures: pd.DataFrame,
    tname: str,
    schema: pa.DataFrameSchema,
    rules: dict[str, Rule],
    raw: pd.DataFrame,
    source: Source,
    skip: set[tuple[str, object, str]],
    out: ProblemList,
) -> None:
    unique = list(schema.unique or [])
    seen: set[tuple[object, str, str]] = set()
    for failure in failures.itertuples(index=False):
        row = failure.index
        check = str(failure.check)
        if check in rules:
            rule = rules[check]
        elif check == "not_nullable":
            rule = Rule(failure.column, "a value (required)")
        elif check == "field_uniqueness":
            rule = Rule(failure.column, "a value that appears only once in the column")
        elif check == "multiple_fields_uniqueness":
            rule = Rule(
                ", ".join(unique), "a combination that appears only once: " + ", ".join(unique)
            )
        else:
            rule = Rule(failure.column or "", f"to pass check {check}")
        if row is None or (isinstance(row, float) and np.isnan(row)):
            row = None
        cells = unique if check == "multiple_fields_uniqueness" else [rule.column]
        if any((tname, r, c) in skip for c in cells for r in (row, None)):
            continue
        if (row, rule.column, rule.expected) in seen:
            continue
        seen.add((row, rule.column, rule.expected))
        if rule.column in raw.columns and row in raw.index:
            value = raw.at[row, rule.column]
        elif rule.column == ", ".join(unique) and row in raw.index:
            value = " | ".join(show_value(raw.at[row, c]) for c in unique if c in raw.columns)
        else:
            value = failure.failure_case
        out.add(source, row, rule.column, value, rule.expected, check)
