"""Table schemas derived from the codebook, and lazy validation into one problem table.

Validation runs in two passes over each table, both driven by the codebook's
``tables`` section:

1. **Parse** (:mod:`cape_study.data.cells`, :func:`parse_table`). Every cell is
   converted to its declared type; a cell that cannot be converted is a problem and
   becomes missing.
2. **Check.** A pandera :class:`~pandera.api.pandas.container.DataFrameSchema` per
   table, built by :func:`build_schemas`, checks the typed tables lazily: required
   values, allowed codes, unique identifiers and key combinations, value bounds,
   foreign keys between tables, and the rules that tie columns together (a stage's
   required columns, a conviction's offence family, the date an offence came into
   force, a region and offence belonging to the case's country, no event before the
   report or after the data cut-off, and stage dates in stage order).

Every failure becomes a row of one problem table with the columns of
:data:`PROBLEM_COLUMNS`: where it is (file, sheet, row, column), the value found
and what was expected (:func:`cape_study.data.validation.validate_tables`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from cape_study.data.cells import DTYPES, parse_table
from cape_study.data.codebook import Codebook, Column, Table
from cape_study.data.event_rules import (
    JUDGMENTS,
    cell_values,
    charged,
    date_end,
    judged,
    lower_instance,
    outcome_stage,
    pending_last,
    same_case,
    stage_order,
)
from cape_study.data.problems import PROBLEM_COLUMNS, Source, problems_frame
from cape_study.data.victims import identified_victims

__all__ = [
    "PROBLEM_COLUMNS",
    "Rule",
    "Source",
    "build_schemas",
    "parse_table",
    "problems_frame",
]


# -- pass 2: check ----------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    """What a named check is about: the column and what was expected there."""

    column: str
    expected: str


class _SchemaBuilder:
    """Builds one table's pandera schema and remembers what each check means."""

    def __init__(
        self, codebook: Codebook, tables: dict[str, pd.DataFrame], data_cutoff: dt.date
    ) -> None:
        self.codebook = codebook
        self.tables = tables
        self.cutoff = pd.Timestamp(data_cutoff)
        self.rules: dict[str, Rule] = {}

    def _check(
        self,
        key: str,
        column: str,
        expected: str,
        fn: Callable[[pd.Series | pd.DataFrame], pd.Series | bool],
    ) -> pa.Check:
        self.rules[key] = Rule(column, expected)
        return pa.Check(fn, name=key, error=key)

    def column_checks(self, tname: str, cname: str, col: Column) -> list[pa.Check]:
        key = f"{tname}.{cname}"
        checks = []
        if col.type == "code":
            codes = self.codebook.codes(col.scheme)
            checks.append(
                self._check(
                    f"{key}:code",
                    cname,
                    _one_of(col.scheme, codes),
                    lambda s, c=frozenset(codes): s.isin(c),
                )
            )
        elif col.type == "country":
            checks.append(
                self._check(
                    f"{key}:country",
                    cname,
                    "an ISO 3166-1 alpha-2 country code such as SE, or XX",
                    lambda s: s.str.fullmatch(r"[A-Z]{2}"),
                )
            )
        elif col.type == "scheme_name":
            names = self.codebook.codeable_schemes
            checks.append(
                self._check(
                    f"{key}:scheme",
                    cname,
                    f"one of the codeable schemes: {', '.join(names)}",
                    lambda s, c=frozenset(names): s.isin(c),
                )
            )
        if cname == "codebook_version":
            checks.append(
                self._check(
                    f"{key}:version",
                    cname,
                    f"a codebook version written as text, such as {self.codebook.version} "
                    "(a number such as 1 or 1,0 is not a version: format the cell as text "
                    "and write the version with a point)",
                    lambda s: s.str.fullmatch(r"\d+\.\d+"),
                )
            )
        if col.min is not None:
            checks.append(
                self._check(
                    f"{key}:min",
                    cname,
                    f"a number of at least {col.min}",
                    lambda s, m=col.min: s >= m,
                )
            )
        if col.max is not None:
            checks.append(
                self._check(
                    f"{key}:max",
                    cname,
                    f"a number of at most {col.max}",
                    lambda s, m=col.max: s <= m,
                )
            )
        targets = [r for r in col.references if r.split(".")[0] in self.tables]
        if targets:
            keys: set[str] = set()
            for ref in targets:
                rt, rc = ref.split(".")
                keys.update(self.tables[rt][rc].dropna().astype(str))
            where = " or ".join(f"{r.split('.')[1]} in table {r.split('.')[0]}" for r in targets)
            checks.append(
                self._check(
                    f"{key}:fk",
                    cname,
                    f"an existing {where}",
                    lambda s, k=frozenset(keys): s.isin(k),
                )
            )
        return checks

    def table_checks(self, tname: str, table: Table) -> list[pa.Check]:
        checks = []
        for cname, col in table.columns.items():
            if col.type == "scheme_code":
                checks.append(
                    self._check(
                        f"{tname}.{cname}:scheme_code",
                        cname,
                        f"a code of the scheme named in column {col.scheme_column}",
                        lambda d, c=cname, s=col.scheme_column: self._in_named_scheme(d, c, s),
                    )
                )
            if col.type == "code":
                checks += self._code_rules(tname, table, cname, col)
            if col.type == "date":
                checks.append(
                    self._check(
                        f"{tname}.{cname}:cutoff",
                        cname,
                        f"a date on or before the data cut-off {self.cutoff.date()}",
                        lambda d, c=cname: d[c].isna() | (d[c] <= self.cutoff),
                    )
                )
        if tname == "events":
            checks.append(
                self._check(
                    "events.date:after_report",
                    "date",
                    "a date on or after the case's report_date",
                    lambda d: _not_before(date_end(d, "date"), self._case_value(d, "report_date")),
                )
            )
            checks.append(
                self._check(
                    "events.date:stage_order",
                    "date",
                    "a date not before the dates of the case's earlier stages",
                    lambda d: stage_order(d, self.codebook.scheme("stage").ranked_codes),
                )
            )
            checks.append(
                self._check(
                    "events.stage:lower_instance",
                    "stage",
                    "a judgment of the instance below for the same suspect (an appeal "
                    "needs a first-instance judgment row, a supreme court judgment an "
                    "appeal row; give its outcome as unknown when the source does not)",
                    lower_instance,
                )
            )
            checks.append(
                self._check(
                    "events.outcome:stage",
                    "outcome",
                    "an outcome only at a judgment stage, or pending at prosecuted (the "
                    "charging decision pending)",
                    outcome_stage,
                )
            )
            checks.append(
                self._check(
                    "events.outcome:pending_last",
                    "outcome",
                    "pending only on the last decision recorded for the suspect and offence "
                    "(a later stage's row says the decision was taken: give its outcome, or "
                    "unknown)",
                    lambda d: pending_last(d, self.codebook.scheme("stage").ranked_codes),
                )
            )
            checks.append(
                self._check(
                    "events.suspect_id:judged_person",
                    "suspect_id",
                    "a suspect_id: a judgment concerns a defendant, and the case has suspects",
                    self._judged_person,
                )
            )
        if tname == "elements":
            checks += self._element_checks()
        if tname == "sanctions":
            checks += self._sanction_checks()
        if tname in ("sanctions", "offence_victims", "elements"):
            checks += self._case_links(tname, table)
        if tname == "sample":
            checks.append(
                self._check(
                    "sample.sampling_frame:one_row",
                    "sampling_frame",
                    "one row describing the whole case file (a case file has one sampling "
                    "frame and one codebook version); only the first row would be read",
                    lambda d: pd.Series(range(len(d)), index=d.index) == 0,
                )
            )
        if tname == "cases" and "victims" in self.tables:
            checks.append(
                self._check(
                    "cases.n_victims:victim_rows",
                    "n_victims",
                    "the number of the case's rows in the victims table that are not potential "
                    "victims (or blank when not known)",
                    self._victim_rows,
                )
            )
        return checks

    _JUDGMENTS = JUDGMENTS

    def _case_links(self, tname: str, table: Table) -> list[pa.Check]:
        """The suspect and victim a row names belong to the row's case; an offence
        linked to victims is one the suspect was reported or charged with."""
        checks = [
            self._check(
                f"{tname}.{column}:same_case",
                column,
                f"a {column} of the row's case (table {owners} gives it another case_id)",
                lambda d, c=column, o=owners: same_case(d, c, self.tables.get(o)),
            )
            for column, owners in (("suspect_id", "suspects"), ("victim_id", "victims"))
            if column in table.columns
        ]
        if tname == "offence_victims":
            checks.append(
                self._check(
                    "offence_victims.offence:charged",
                    "offence",
                    "an offence the events table has a row of, for the same case_id and suspect_id",
                    lambda d: charged(self.tables.get("events"), d),
                )
            )
        return checks

    def _judgment_stage(self, tname: str) -> pa.Check:
        return self._check(
            f"{tname}.stage:judgment",
            "stage",
            "a judgment instance: " + ", ".join(self._JUDGMENTS),
            lambda d: d["stage"].isna() | d["stage"].isin(self._JUDGMENTS),
        )

    def _sanction_checks(self) -> list[pa.Check]:
        """A sanction row names a judgment instance that the events table has a
        judgment row of, for the same case and defendant."""
        checks = [self._judgment_stage("sanctions")]
        events = self.tables.get("events")
        keys = ["case_id", "suspect_id", "stage"]
        if events is not None and set(keys) <= set(events.columns):
            checks.append(
                self._check(
                    "sanctions.stage:judged",
                    "stage",
                    "an instance the events table has a judgment row of, with the same "
                    "case_id and suspect_id",
                    lambda d: judged(events, d, keys),
                )
            )
        return checks

    def _element_checks(self) -> list[pa.Check]:
        """An element row names a judgment instance, an element of its offence, and a
        judgment row of the events table for the same case, defendant, instance and
        offence."""
        belongs = self.codebook.element_offences()
        pairs = frozenset((e, o) for e, offences in belongs.items() for o in offences)
        checks = [
            self._judgment_stage("elements"),
            self._check(
                "elements.element:offence",
                "element",
                "an element of the row's offence (the legal_element scheme names the "
                "offences of each element)",
                lambda d: pd.Series(
                    [
                        pd.isna(e) or pd.isna(o) or (e, o) in pairs
                        for e, o in zip(
                            cell_values(d["element"]), cell_values(d["offence"]), strict=True
                        )
                    ],
                    index=d.index,
                    dtype=bool,
                ),
            ),
        ]
        events = self.tables.get("events")
        keys = ["case_id", "suspect_id", "stage", "offence"]
        if events is not None and set(keys) <= set(events.columns):
            checks.append(
                self._check(
                    "elements.offence:judged",
                    "offence",
                    "an offence the events table has a judgment row for, with the same "
                    "case_id, suspect_id and instance (stage)",
                    lambda d: judged(events, d, keys),
                )
            )
        return checks

    def _judged_person(self, d: pd.DataFrame) -> pd.Series:
        """False for a judgment row without a suspect in a case that has suspects
        (n_suspects of 1 or more, or rows in the suspects table)."""
        with_suspects = set()
        cases = self.tables.get("cases")
        if cases is not None and "n_suspects" in cases:
            with_suspects |= set(cases.loc[(cases["n_suspects"] > 0).fillna(False), "case_id"])
        suspects = self.tables.get("suspects")
        if suspects is not None and "case_id" in suspects:
            with_suspects |= set(suspects["case_id"].dropna())
        judged = d["stage"].isin(self._JUDGMENTS).fillna(False)
        blank = d["suspect_id"].isna()
        return ~(judged & blank & d["case_id"].isin(with_suspects)).astype(bool)

    def _victim_rows(self, d: pd.DataFrame) -> pd.Series:
        """False where n_victims differs from the case's victim rows (potential victims
        aside) in a case that lists its victims at all."""
        victims = identified_victims(self.tables["victims"])
        rows = victims.groupby("case_id").size()
        listed = d["case_id"].map(rows)
        return (d["n_victims"].isna() | listed.isna() | (d["n_victims"] == listed)).astype(bool)

    def _code_rules(self, tname: str, table: Table, cname: str, col: Column) -> list[pa.Check]:
        """Rules carried by code attributes: requires, family, in force, country."""
        scheme = self.codebook.scheme(col.scheme)
        checks = []
        for code in scheme.codes:
            for req in code.requires:
                if req in table.columns:
                    checks.append(
                        self._check(
                            f"{tname}.{req}:required_by_{cname}_{code.code}",
                            req,
                            f"a value: {cname} {code.code} requires {req}",
                            lambda d, c=cname, v=code.code, r=req: (
                                (d[c] != v).fillna(True) | d[r].notna()
                            ),
                        )
                    )
        families = {c.code: c.family for c in scheme.codes if c.family}
        if col.scheme == "outcome" and families and "offence" in table.columns:
            # an offence family without an outcome code of its own is convicted_other's
            own = set(families.values())
            offence_family = {
                k: v if v in own else "other"
                for k, v in self._attribute_map("offence", "family").items()
            }
            checks.append(
                self._check(
                    f"{tname}.{cname}:family",
                    cname,
                    "an outcome that matches the offence's family ("
                    + ", ".join(f"{k} for {v}" for k, v in families.items())
                    + " and the families without an outcome of their own)",
                    lambda d, c=cname, f=families: _matches(
                        d[c].map(f), d["offence"].map(offence_family)
                    ),
                )
            )
        in_force = {c.code: pd.Timestamp(c.in_force_from) for c in scheme.codes if c.in_force_from}
        date_col = (
            "date"
            if "date" in table.columns
            else ("report_date" if "report_date" in table.columns else None)
        )
        if in_force and date_col:
            checks.append(
                self._check(
                    f"{tname}.{cname}:in_force",
                    cname,
                    "an offence in force on the date ("
                    + ", ".join(f"{k} from {v.date()}" for k, v in in_force.items())
                    + ")",
                    lambda d, c=cname, f=in_force, dc=date_col: _not_before(
                        date_end(d, dc), d[c].map(f)
                    ),
                )
            )
        countries = {c.code: c.country for c in scheme.codes if c.country}
        if countries and col.scheme != "country":
            checks.append(
                self._check(
                    f"{tname}.{cname}:country",
                    cname,
                    "a code that belongs to the case's country",
                    lambda d, c=cname, m=countries: _matches(d[c].map(m), self._country(d)),
                )
            )
        return checks

    def _country(self, d: pd.DataFrame) -> pd.Series:
        """The case's country for each row; missing where it is not a valid code."""
        country = d["country"] if "country" in d else self._case_value(d, "country")
        return country.where(country.isin(self.codebook.codes("country")))

    def _attribute_map(self, scheme: str, attribute: str) -> dict[str, str]:
        return {
            c.code: getattr(c, attribute)
            for c in self.codebook.scheme(scheme).codes
            if getattr(c, attribute)
        }

    def _in_named_scheme(self, d: pd.DataFrame, column: str, scheme_column: str) -> pd.Series:
        ok = pd.Series(True, index=d.index)
        for name in self.codebook.codeable_schemes:
            rows = (d[scheme_column] == name).fillna(False).astype(bool)
            ok[rows] = d.loc[rows, column].isin(self.codebook.codes(name)).to_numpy(bool)
        return ok

    def _case_value(self, d: pd.DataFrame, column: str) -> pd.Series:
        cases = self.tables.get("cases")
        if cases is None or column not in cases:
            return pd.Series(pd.NA, index=d.index)
        lookup = cases.drop_duplicates("case_id").set_index("case_id")[column]
        return d["case_id"].map(lookup)

    def build(self, tname: str, table: Table) -> pa.DataFrameSchema:
        columns = {}
        for cname, col in table.columns.items():
            columns[cname] = pa.Column(
                DTYPES[col.type],
                checks=self.column_checks(tname, cname, col),
                nullable=not col.required,
                unique=col.unique,
                required=True,
            )
            if col.required:
                self.rules[f"{tname}.{cname}:required"] = Rule(cname, "a value (required)")
        unique = [list(u) for u in table.unique_together]
        return pa.DataFrameSchema(
            columns,
            checks=self.table_checks(tname, table),
            unique=unique[0] if unique else None,
            name=tname,
        )


def _one_of(scheme: str, codes: list[str]) -> str:
    shown = ", ".join(codes) if len(codes) <= 12 else ", ".join(codes[:12]) + ", ..."
    return f"a code of scheme {scheme}: {shown}"


def _matches(left: pd.Series, right: pd.Series) -> pd.Series:
    """True where either side is missing or both are equal."""
    left = left.astype(object)
    right = right.astype(object)
    return left.isna() | right.isna() | (left == right)


def _not_before(dates: pd.Series, bound: pd.Series) -> pd.Series:
    bound = pd.to_datetime(bound)
    return (dates.isna() | bound.isna() | (dates >= bound)).astype(bool)


def build_schemas(
    codebook: Codebook, tables: dict[str, pd.DataFrame], data_cutoff: dt.date
) -> tuple[dict[str, pa.DataFrameSchema], dict[str, Rule]]:
    """Build a pandera schema for each table present, from the codebook.

    Parameters
    ----------
    codebook
        The codebook whose ``tables`` section declares the intake format.
    tables
        The typed tables read so far; foreign-key and cross-table checks use them
        (a reference to an absent optional table is not checked).
    data_cutoff
        No date may fall after it.

    Returns
    -------
    (schemas, rules)
        A schema per table, and what each named check means (the column it is
        about and what was expected), used to word the problem table.
    """
    builder = _SchemaBuilder(codebook, tables, data_cutoff)
    schemas = {t: builder.build(t, codebook.table(t)) for t in tables}
    return schemas, builder.rules
