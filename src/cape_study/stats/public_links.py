"""The case file beside the public statistics (``01_attrition``,
:func:`cape_study.stats.public_statistics.compare`) linked with the report's other tables
(:mod:`cape_study.privacy.linked`).

Each count the comparison publishes is the number of cases in one box of:

* ``country``;
* ``year``, the report date: the comparison's period as a span of days (every
  comparison is dated by report: the cases reported in the period);
* ``stage``, the course (:data:`cape_study.stats.funnel.COURSE`): prosecuted and judged
  are the stages reached, convicted the final outcomes counted
  (``convicted_trafficking|convicted_exploitation``: either);
* :data:`OFFENCES`, the offence reported in a few groups of ``reported``'s classes
  (:func:`cape_study.stats.model_links.reported_dimension`, as ``03`` registers it): the
  coarsest groups in which every comparison's offence codes are, within its country, a
  union of groups (none on the shipped comparisons, which count every offence);
* :data:`SECTORS`, the sector in the coarsest groups in which every comparison's
  excluded sectors are a group (none on the shipped comparisons).

The groupings are dimensions of their own, tied to ``reported`` and ``sector`` by the
structural zeros an intruder knows (a case of one class of ``reported`` is in its group
and no other), registered as published zeros (:data:`ZERO_NAME`) over ``country``,
``stage`` and the finer dimension. The groups of dimensions
(:func:`cape_study.privacy.equations._cliques`) are then the comparison's own (country,
course, report date and the groupings: 2 x 16 x 18 x 2 = 1,152 combinations on the demo
for the trafficking family and the rest) beside one per tie (country, course, offence
class and group: 384), joined through the course, where ``reported`` itself in the
comparison's group would need 2 x 16 x 18 x 6 = 3,456 (and with ``sector``, 27,648).
Every set of tables consistent over those groups is the margin of a full
cross-classification (a decomposable model), so the bounds are those of the full one:
exact, not a relaxation (``tests/test_public_links.py`` checks
them against a linear programme over the full cross-classification). Each grouping of
offences or sectors crossed with report dates and courses still makes every later
table's check slower (README), which is why the shipped comparisons count every offence
and sector: their boxes lie in the report's group of country, report date and course
and add no unknown.

A share's denominator (the cases reported in the period) is registered where the table
publishes it, beside a published count; where the count is hidden because the cases
not counted are few, those cases (the complement, a set of courses) are registered as a
hidden small count, which no combination of tables may narrow either. The comparison
shows every hidden count with the one mark of a hidden count: none is registered as
marked small.

Every box is counted over the case file and compared with its cell's count: a table
whose boxes do not hold its counts (a case file or comparison the rules above do not
describe), or a comparison dated by judgment, is not linked, with a warning, and is
named among the step's unlinked tables.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from cape_study.data.codebook import codebook_or_default
from cape_study.data.loaders import CaseFile
from cape_study.privacy.disclosure import ANY, HIDDEN, Disclosure
from cape_study.privacy.equations import _years
from cape_study.privacy.linked import Dimension
from cape_study.stats.case_status import STAGE_ORDER
from cape_study.stats.course import course_classes
from cape_study.stats.funnel import COURSE
from cape_study.stats.model_links import reported_classes, reported_dimension
from cape_study.stats.public_statistics import (
    CaseFileSide,
    Comparison,
    comparison_status,
    load_comparisons,
)

__all__ = [
    "NAME",
    "OFFENCES",
    "SECTORS",
    "ZERO_NAME",
    "CaseBoxes",
    "boxes",
    "link_comparison",
]

ALL = "all"
#: The table's name in the report's registry.
NAME = "case file beside public statistics"
#: The name of the registered structural zeros that tie the groupings to their classes.
ZERO_NAME = "structural zeros: offence and sector groups"
#: The dimension of the offence reported in the comparisons' groups.
OFFENCES = "reported_group"
#: The dimension of the sector in the comparisons' groups.
SECTORS = "sector_group"
_LAST = STAGE_ORDER[-1]
#: What a comparison counts, as a course (None: every case).
_STEP = {"reported": None, "prosecuted": "prosecuted", "judged": _LAST}


def _span(period: Sequence) -> str:
    """A comparison's period as a span of days (a value of ``year``)."""
    return f"{period[0].isoformat()}–{period[1].isoformat()}"


def _excluded(sectors: Iterable[str]) -> str:
    """The value of :data:`SECTORS` for every sector but ``sectors``."""
    return "other_than:" + "+".join(sorted(sectors))


def _groups(classes: Sequence[str], sets: Iterable[Iterable[str]]) -> list[tuple[str, ...]]:
    """The coarsest partition of ``classes`` in which each of ``sets`` is a union of
    parts (classes in the same sets go together), in the order of ``classes``."""
    sets = [frozenset(s) for s in sets]
    parts: dict[tuple[bool, ...], list[str]] = {}
    for c in classes:
        parts.setdefault(tuple(c in s for s in sets), []).append(c)
    return [tuple(p) for p in parts.values()]


def _group_name(part: Sequence[str]) -> str:
    return part[0] if len(part) == 1 else "+".join(part)


def _grouping(classes: Sequence[str], values: Mapping[str, Iterable[str]]) -> Dimension:
    """A ``"sets"`` dimension of the groups of ``classes`` that ``values`` (name -> its
    classes) need, each value a member (a group's name is its class, or its classes
    joined by ``+``)."""
    parts = _groups(classes, values.values())
    names = [_group_name(p) for p in parts]
    members = []
    for value, inside in values.items():
        inside = set(inside)
        mine = tuple(n for n, p in zip(names, parts, strict=True) if set(p) <= inside)
        if value not in names:
            members.append((value, mine))
    return Dimension("sets", tuple(names), tuple(members))


def _reported(side: CaseFileSide) -> str | None:
    """The value of ``reported`` whose offence codes of the side's country are the
    side's, the widest where several are (None where no offences are given; ValueError
    where no value is theirs)."""
    if not side.offences:
        return None
    book = codebook_or_default(None)
    mine = [c.code for c in book.scheme("offence").codes if c.country in {side.country, None}]
    classes = dict(zip(mine, reported_classes(pd.Series(mine, dtype="string")), strict=True))
    wanted = set(side.offences) & set(mine)
    dimension = reported_dimension()
    found = [
        value
        for value in (*dimension.order, *dict(dimension.members))
        if {code for code in mine if classes[code] in dimension.classes_of(value)} == wanted
    ]
    if found:  # the widest (Sweden's trafficking is the family, as Finland's)
        return max(found, key=lambda value: len(dimension.classes_of(value)))
    raise ValueError(f"offences {list(side.offences)} are no class or member of 'reported'")


def boxes(side: CaseFileSide) -> dict[str, dict[str, str]]:
    """The boxes of a comparison's ``count``, ``total`` (the cases reported in the
    period) and ``complement`` (the cases of ``total`` not counted, where something is
    counted), each over every dimension of the table (``all`` where not restricted).
    ValueError for a comparison dated by judgment, or whose offences are no value of
    ``reported``."""
    if side.dated != "report":
        raise ValueError("a comparison dated by judgment is no box of report dates")
    reported = _reported(side)
    total = {
        "country": side.country,
        OFFENCES: reported or ALL,
        SECTORS: _excluded(side.exclude_sectors) if side.exclude_sectors else ALL,
        "year": _span(side.period),
        "stage": ALL,
    }
    step = "|".join(side.outcomes) if side.count == "convicted" else _STEP[side.count]
    out = {"count": {**total, "stage": step or ALL}, "total": total}
    if step:
        inside = set(COURSE.classes_of(step))
        out["complement"] = {
            **total,
            "stage": "|".join(c for c in COURSE.order if c not in inside),
        }
    return out


class CaseBoxes:
    """Every case by the dimensions of the comparison and its ties, and the dimensions
    the comparisons ``sides`` need: ``frame`` has a row per case with ``country``,
    ``reported`` (a class of :func:`~cape_study.stats.model_links.reported_dimension`),
    ``sector``, ``stage`` (a course, a class of
    :data:`~cape_study.stats.funnel.COURSE`) and ``report_date``
    (:meth:`of_case` from a case file)."""

    def __init__(self, frame: pd.DataFrame, sides: Sequence[CaseFileSide]) -> None:
        self.frame = frame[["country", "reported", "sector", "stage"]].astype("string")
        self.frame = self.frame.reset_index(drop=True)
        report = pd.to_datetime(frame["report_date"].reset_index(drop=True))
        self.report_day = np.asarray(
            [d.toordinal() if pd.notna(d) else -1 for d in report.dt.date], dtype=np.int64
        )
        reported = reported_dimension()
        offences = {v: reported.classes_of(v) for v in map(_reported, sides) if v}
        #: the sectors of the case file (the classes of 01's ``sector``)
        self.sectors = tuple(sorted(self.frame["sector"].dropna().unique()))
        excluded = {_excluded(s.exclude_sectors): s.exclude_sectors for s in sides}
        excluded = {
            v: [c for c in self.sectors if c not in set(out)] for v, out in excluded.items() if out
        }
        self.dimensions: dict[str, Dimension] = {"stage": COURSE, "reported": reported}
        if offences:
            self.dimensions[OFFENCES] = _grouping(reported.order, offences)
            self.frame[OFFENCES] = self._group(self.frame["reported"], self.dimensions[OFFENCES])
        if excluded:
            self.dimensions[SECTORS] = _grouping(self.sectors, excluded)
            self.frame[SECTORS] = self._group(self.frame["sector"], self.dimensions[SECTORS])

    @classmethod
    def of_case(cls, case: CaseFile, sides: Sequence[CaseFileSide]) -> CaseBoxes:
        """The cases of ``case`` as :func:`~cape_study.stats.public_statistics.compare`
        counts them."""
        status = comparison_status(case.cases, case.events).reset_index(drop=True)
        frame = pd.DataFrame(
            {
                "country": status["country"].astype("string").to_numpy(),
                "reported": reported_classes(status["offence_reported"]).to_numpy(),
                "sector": status["sector"].astype("string").to_numpy(),
                "stage": course_classes(status, STAGE_ORDER).to_numpy(),
                "report_date": status["report_date"].to_numpy(),
            }
        )
        return cls(frame, sides)

    @staticmethod
    def _group(values: pd.Series, grouping: Dimension) -> list[str | None]:
        """Each value's group (a class of ``grouping``, named by its classes)."""
        where = {c: name for name in grouping.order for c in name.split("+")}
        return [where.get(v) if pd.notna(v) else None for v in values]

    def count(self, box: Mapping[str, str]) -> int:
        """The number of cases in ``box``."""
        inside = np.ones(len(self.frame), bool)
        for dim, value in box.items():
            if value == ALL:
                continue
            if dim == "year":
                lo, hi = _years(value)
                inside &= (self.report_day >= lo) & (self.report_day <= hi)
            elif dim in self.dimensions and self.dimensions[dim].kind == "sets":
                classes = list(self.dimensions[dim].classes_of(value))
                inside &= self.frame[dim].isin(classes).fillna(False).to_numpy(bool)
            else:
                inside &= (self.frame[dim] == value).fillna(False).to_numpy(bool)
        return int(inside.sum())

    def zeros(self) -> dict[tuple[str, ...], list[dict[str, str]]]:
        """The structural zeros that tie each grouping to its classes, by the dimensions
        of their table: for every class, the groups it is not in (over every country and
        course, which puts the tie in one group of dimensions with the course); with the
        offences, the classes a country's codes never fall in."""
        out = {}
        for grouping, fine, classes in (
            (OFFENCES, "reported", self.dimensions["reported"].order),
            (SECTORS, "sector", self.sectors),
        ):
            if grouping not in self.dimensions:
                continue
            names = self.dimensions[grouping].order
            cells = []
            for c in classes:
                wrong = [n for n in names if c not in n.split("+")]
                if wrong:
                    cells.append({"country": ALL, "stage": ALL, fine: c, grouping: "|".join(wrong)})
            if fine == "reported":
                cells += self._foreign()
            out[("country", "stage", fine, grouping)] = cells
        return out

    def _foreign(self) -> list[dict[str, str]]:
        """The classes of ``reported`` no offence code of a country of the case file
        falls in (Sweden's cases are never törkeä ihmiskauppa, a Finnish code): zeros an
        intruder knows, which make a box of a family within a country the same whether
        it names the family or only the country's classes of it."""
        codes = codebook_or_default(None).scheme("offence").codes
        cells = []
        for country in sorted(self.frame["country"].dropna().unique()):
            mine = [c.code for c in codes if c.country in {country, None}]
            possible = set(reported_classes(pd.Series(mine, dtype="string")).dropna())
            cells += [
                {"country": country, "stage": ALL, "reported": c, OFFENCES: ALL}
                for c in self.dimensions["reported"].order
                if c not in possible
            ]
        return cells


def link_comparison(
    safe: pd.DataFrame,
    truth: pd.DataFrame,
    case: CaseFile,
    *,
    audit: Disclosure,
    threshold: int,
    name: str = NAME,
    comparisons: Sequence[Comparison] | None = None,
) -> pd.DataFrame:
    """The comparison ``safe`` (:func:`cape_study.stats.public_statistics.compare` after
    :meth:`Disclosure.suppress` of ``case_count`` with ``total="case_total"``, recorded in
    ``audit`` under ``name``), protected against and linked with the report's other
    tables; ``truth`` is the comparison before suppression, ``case`` its case file.
    Counts hidden here (reason ``secondary (report)``) lose their shares and intervals;
    a table that cannot be linked (the module's introduction) is returned as it is,
    with a warning."""
    comparisons = list(load_comparisons() if comparisons is None else comparisons)
    sides = {c.id: c.case_file for c in comparisons}
    safe = safe.reset_index(drop=True)
    truth = truth.reset_index(drop=True)

    def refuse(reason: str) -> pd.DataFrame:
        warnings.warn(
            f"table {name!r} is not linked with the report's other tables: {reason}",
            stacklevel=3,
        )
        return safe

    mine = [sides[str(x)] for x in safe["id"]]
    try:
        found = [boxes(side) for side in mine]
    except ValueError as error:
        return refuse(str(error))
    cases = CaseBoxes.of_case(case, mine)
    rows = []  # [row of safe, column or None for a complement, box, shown, true count]
    for i, (side, box) in enumerate(zip(mine, found, strict=True)):
        count, shown = int(truth.at[i, "case_count"]), pd.notna(safe.at[i, "case_count"])
        rows.append([i, "case_count", box["count"], shown, count])
        if side.of:
            total = int(truth.at[i, "case_total"])
            if shown:
                published = pd.notna(safe.at[i, "case_total"])
                rows.append([i, "case_total", box["total"], published, total])
            elif "complement" in box and 0 < total - count < threshold:
                rows.append([i, None, box["complement"], False, total - count])
    wrong = [r for r in rows if cases.count(r[2]) != r[4]]
    if wrong:
        i, column, box, _, _ = wrong[0]
        return refuse(
            f"cell {safe.at[i, 'id']} ({column or 'cases not counted'}) does not count the "
            f"cases of its box {box}"
        )
    dims = sorted({d for r in rows for d, v in r[2].items()})
    dims = [d for d in dims if d not in {OFFENCES, SECTORS} or d in cases.dimensions]
    for r in rows:
        r[2] = {d: r[2].get(d, ALL) for d in dims}
    for zero_dims, cells in cases.zeros().items():
        zeros = [[None, None, z, True, 0] for z in cells if cases.count(z) == 0]
        _link(audit, f"{ZERO_NAME} ({zero_dims[-1]})", zeros, cases, threshold)
    recorded = audit.records(name)
    out = safe.copy()
    while rows:
        hidden = _link(audit, name, rows, cases, threshold)
        for r, now in zip(rows, hidden, strict=True):
            if r[3] and now:  # hidden here
                r[3] = False
                out.at[r[0], r[1]] = pd.NA
                out.at[r[0], "suppressed"] = True
                for column in ("case_share", "ci_low", "ci_high"):
                    out.at[r[0], column] = np.nan
                recorded.append(
                    {
                        "table": name,
                        "cell": {"id": str(out.at[r[0], "id"])},
                        "column": r[1],
                        "reason": "secondary (report)",
                        "threshold": threshold,
                    }
                )
        # a share's denominator is published only beside its count
        alone = [
            t
            for t in rows
            if t[1] == "case_total"
            and t[3]
            and not any(c[0] == t[0] and c[1] == "case_count" and c[3] for c in rows)
        ]
        if not alone:
            break
        for t in alone:
            t[3] = False
    # the table shows one mark for any hidden count, as registered
    out[HIDDEN] = out[HIDDEN].mask(out["case_count"].isna(), ANY)
    audit.record(name, recorded)
    return out


def _link(
    audit: Disclosure, name: str, rows: list[list], cases: CaseBoxes, threshold: int
) -> list[bool]:
    """Link ``rows`` (row, column, box, shown, true count) as table ``name``, every
    hidden count unmarked (the comparison shows one mark for any hidden count); which
    rows are hidden after."""
    dims = sorted({d for r in rows for d in r[2]})
    frame = pd.DataFrame({f"_{d}": [r[2].get(d, ALL) for r in rows] for d in dims})
    truth = pd.Series([r[4] for r in rows], dtype="Int64")
    frame["cases"] = truth.where(pd.Series([bool(r[3]) for r in rows]))
    frame[HIDDEN] = pd.Series(pd.NA, index=frame.index, dtype="string").mask(
        frame["cases"].isna(), ANY
    )
    frame["_cell"] = [f"{r[0]}:{r[1]}" for r in rows]
    linked = audit.link(
        name,
        frame,
        truth,
        count="cases",
        dims={f"_{d}": d for d in dims},
        threshold=threshold,
        dimensions={d: cases.dimensions[d] for d in dims if d in cases.dimensions},
        label=["_cell"],
    )
    return linked["cases"].isna().tolist()
