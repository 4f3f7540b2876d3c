"""The case file beside the public statistics linked with the report's other tables
(cape_study.stats.public_links): every cell is the box of cases it counts on synthetic
case files; the bounds an intruder finds through the groupings of offences and sectors
and their structural zeros are those of a brute-force linear programme over the full
cross-classification (scipy's linprog, written without the module's dimensions or
groups); and with 01's tables of a synthetic case file no hidden count is narrowed."""

from __future__ import annotations

import datetime as dt
import itertools
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog
from test_linked import _demo_tables

from cape_study.data.codebook import codebook_or_default
from cape_study.data.loaders import load_case_file
from cape_study.privacy.disclosure import Disclosure
from cape_study.privacy.linked import Dimension, LinkedTable, exposed, feasible_intervals
from cape_study.stats import public_links, public_statistics
from cape_study.stats.case_status import STAGE_ORDER
from cape_study.stats.funnel import COURSE
from cape_study.stats.model_links import reported_classes
from cape_study.synth import SynthSpec, write_synthetic_case_file

SIDES = [c.case_file for c in public_statistics.load_comparisons()]
#: the shipped comparisons and two that need finer groups: Finland's aggravated
#: trafficking (an offence within its family) and a share without begging cases
FINER = [
    *SIDES,
    public_statistics.CaseFileSide(
        country="FI",
        offences=("torkea_ihmiskauppa",),
        count="reported",
        dated="report",
        period=(dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
    ),
    public_statistics.CaseFileSide(
        country="SE",
        offences=("manniskohandel",),
        exclude_sectors=("begging",),
        count="judged",
        of="reported",
        dated="report",
        period=(dt.date(2012, 1, 1), dt.date(2020, 12, 31)),
    ),
]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A synthetic case file of 80 cases (its folder and the case file read)."""
    folder = write_synthetic_case_file(
        tmp_path_factory.mktemp("casefile") / "casefile",
        SynthSpec(80, 3),
        command="test",
        progress=None,
    )
    return folder, load_case_file(folder, read_documents=False, data_cutoff="2024-12-31")


def test_every_box_holds_its_cell_count(synthetic) -> None:
    # the registration is true: each count, denominator and complement is the number of
    # cases in its box (link_comparison refuses a table where one is not), and every
    # case lies in the group of its class of offence and sector and in no other
    _, case = synthetic
    truth = public_statistics.compare(case.cases, case.events, sampling_frame="police_reports")
    cases = public_links.CaseBoxes.of_case(case, FINER)
    for side, row in zip(SIDES, truth.itertuples(), strict=True):
        boxes = public_links.boxes(side)
        assert cases.count(boxes["count"]) == row.case_count, row.id
        if side.of:
            assert cases.count(boxes["total"]) == row.case_total, row.id
            complement = row.case_total - row.case_count
            assert cases.count(boxes["complement"]) == complement, row.id
    frame = cases.frame
    for group, fine in ((public_links.OFFENCES, "reported"), (public_links.SECTORS, "sector")):
        if group not in frame:
            continue
        assert all(c in g.split("+") for c, g in zip(frame[fine], frame[group], strict=True))
    zeros = [z for cells in cases.zeros().values() for z in cells]
    assert zeros and all(cases.count(z) == 0 for z in zeros)


def test_the_groupings_and_boxes_of_the_comparisons() -> None:
    sides = {c.id: c.case_file for c in public_statistics.load_comparisons()}
    frame = pd.DataFrame(
        {
            "country": ["SE"],
            "reported": ["trafficking:other"],
            "sector": ["begging"],
            "stage": ["reported:open"],
            "report_date": [pd.Timestamp("2019-05-01")],
        }
    )
    frame = pd.concat([frame, frame.assign(sector="cleaning")])
    # the shipped comparisons: every offence, every sector (no grouping, no tie)
    shipped = public_links.CaseBoxes(frame, SIDES)
    assert public_links.OFFENCES not in shipped.dimensions
    assert public_links.SECTORS not in shipped.dimensions and not shipped.zeros()
    # a family of offences within each country: two groups
    family = public_links.CaseBoxes(
        frame, [*SIDES, FINER[-1].model_copy(update={"exclude_sectors": ()})]
    )
    assert family.dimensions[public_links.OFFENCES].order == (
        "economic+exploitation+other+work_environment",
        "torkea_ihmiskauppa+trafficking:other",
    )
    # an offence within its family and a sector left out: finer groups
    cases = public_links.CaseBoxes(frame, FINER)
    offences = cases.dimensions[public_links.OFFENCES]
    assert offences.order == (
        "economic+exploitation+other+work_environment",
        "torkea_ihmiskauppa",
        "trafficking:other",
    )
    assert offences.classes_of("trafficking") == ("torkea_ihmiskauppa", "trafficking:other")
    assert cases.dimensions[public_links.SECTORS].order == ("begging", "cleaning")
    assert cases.dimensions[public_links.SECTORS].classes_of("other_than:begging") == ("cleaning",)
    aggravated = public_links.boxes(FINER[-2])["count"]
    assert aggravated[public_links.OFFENCES] == "torkea_ihmiskauppa"
    assert aggravated["year"] == "2023-01-01–2023-12-31"
    court = public_links.boxes(FINER[-1])
    assert court["count"][public_links.SECTORS] == "other_than:begging"
    assert court["count"]["stage"] == "judgment_first_instance"
    assert court["total"]["stage"] == "all"
    # Sweden's människohandel is the trafficking family there, as Finland's two codes
    assert court["count"][public_links.OFFENCES] == "trafficking"
    assert public_links.boxes(sides["se_reports_2018"])["count"][public_links.OFFENCES] == "all"
    convicted = public_links.boxes(sides["se_convictions_2012_2020"])["count"]
    assert convicted["stage"] == "convicted_trafficking|convicted_exploitation"
    assert convicted["year"] == "2012-01-01–2020-12-31"
    assert convicted[public_links.OFFENCES] == convicted[public_links.SECTORS] == "all"
    judged = sides["se_convictions_2012_2020"].model_copy(update={"dated": "judgment"})
    with pytest.raises(ValueError, match="dated by judgment"):
        public_links.boxes(judged)


# -- the bounds against a brute-force linear programme ----------------------------------

_OFFENCES = {
    "SE": ["manniskohandel", "manniskoexploatering", "ocker"],
    "FI": ["ihmiskauppa", "torkea_ihmiskauppa", "kiskonta", "tyoturvallisuusrikos"],
}
_SECTORS = ["begging", "cleaning", "construction"]
_COURSES = [
    "reported:open",
    "reported:closed",
    "prosecuted:closed",
    "judgment_first_instance:convicted_trafficking",
    "judgment_first_instance:convicted_exploitation",
    "judgment_first_instance:acquitted",
]
_YEARS = list(range(2016, 2025))
_FAMILIES = {"trafficking": ("torkea_ihmiskauppa", "trafficking:other")}


class _Unit(NamedTuple):
    """A combination of the brute force, read as a case."""

    country: str
    reported: str
    sector: str
    stage: str
    report_date: pd.Timestamp


def _units(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(40, 90))
    country = rng.choice(["SE", "FI"], n)
    offence = [rng.choice(_OFFENCES[c]) for c in country]
    first, last = dt.date(2016, 1, 1).toordinal(), dt.date(2024, 12, 31).toordinal()
    return pd.DataFrame(
        {
            "country": country,
            "offence": offence,
            "reported": reported_classes(pd.Series(offence, dtype="string")).to_numpy(),
            "sector": rng.choice(_SECTORS, n),
            "stage": rng.choice(_COURSES, n, p=[0.15, 0.35, 0.15, 0.15, 0.1, 0.1]),
            "report_date": [
                pd.Timestamp(dt.date.fromordinal(int(d))) for d in rng.integers(first, last + 1, n)
            ],
        }
    )


def _reached(course: str, stage: str) -> bool:
    return STAGE_ORDER.index(course.split(":")[0]) >= STAGE_ORDER.index(stage)


def _span(lo: dt.date, hi: dt.date) -> str:
    return f"{lo.isoformat()}–{hi.isoformat()}"


def _tables(units: pd.DataFrame, hide: np.random.Generator):
    """01-like funnels (by offence family, sector and year) and the comparison, with
    about a third of the cells hidden (unmarked), as LinkedTables and, per cell, the
    brute force's membership test (written from the comparisons' definitions)."""
    funnel = ("reported", "prosecuted", "judgment_first_instance")
    out = []

    def table(name, cells, dims, tests):
        frame = pd.DataFrame(cells)
        counts = [sum(map(test, units.itertuples(index=False))) for test in tests]
        shown = hide.random(len(cells)) > 0.35
        frame["n"] = pd.array(
            [c if s else pd.NA for c, s in zip(counts, shown, strict=True)], dtype="Int64"
        )
        out.append((LinkedTable(name, frame, "n", {d: d for d in dims}), tests))

    cells, tests = [], []
    for country, family, stage in itertools.product(
        ["SE", "FI"],
        ["trafficking", "exploitation", "economic", "work_environment", "other"],
        funnel,
    ):
        cells.append({"country": country, "reported": family, "stage": stage})
        classes = _FAMILIES.get(family, (family,))
        tests.append(
            lambda u, c=country, k=classes, s=stage: (
                u.country == c and u.reported in k and _reached(u.stage, s)
            )
        )
    table("by offence", cells, ["country", "reported", "stage"], tests)
    cells, tests = [], []
    for country, sector, stage in itertools.product(["SE", "FI"], _SECTORS, funnel):
        cells.append({"country": country, "sector": sector, "stage": stage})
        tests.append(
            lambda u, c=country, x=sector, s=stage: (
                u.country == c and u.sector == x and _reached(u.stage, s)
            )
        )
    table("by sector", cells, ["country", "sector", "stage"], tests)
    cells, tests = [], []
    for country, year, stage in itertools.product(["SE", "FI"], _YEARS, funnel):
        lo, hi = dt.date(year, 1, 1), dt.date(year, 12, 31)
        cells.append({"country": country, "year": _span(lo, hi), "stage": stage})
        tests.append(
            lambda u, c=country, a=lo, b=hi, s=stage: (
                u.country == c and a <= u.report_date.date() <= b and _reached(u.stage, s)
            )
        )
    table("by year", cells, ["country", "year", "stage"], tests)
    book = codebook_or_default(None)
    cells, tests = [], []
    for side in FINER:
        codes = [
            c.code
            for c in book.scheme("offence").codes
            if c.code in side.offences and c.country == side.country
        ]
        classes = set(reported_classes(pd.Series(codes, dtype="string")))
        every = set(COURSE.order)
        courses = {
            "reported": every,
            "prosecuted": {c for c in every if _reached(c, "prosecuted")},
            "judged": {c for c in every if _reached(c, "judgment_first_instance")},
            "convicted": {f"judgment_first_instance:{o}" for o in side.outcomes},
        }[side.count]
        boxes = public_links.boxes(side)
        for part, counted in (("count", courses), ("total", every)):
            if part == "total" and not side.of:
                continue
            cells.append(boxes[part])
            tests.append(
                lambda u, s=side, k=classes, x=counted: (
                    u.country == s.country
                    and (not s.offences or u.reported in k)
                    and u.sector not in s.exclude_sectors
                    and s.period[0] <= u.report_date.date() <= s.period[1]
                    and u.stage in x
                )
            )
    dims = ["country", public_links.OFFENCES, public_links.SECTORS, "year", "stage"]
    table(public_links.NAME, cells, dims, tests)
    return out


def _brute_force(units: pd.DataFrame, tables) -> list[tuple[float, float]]:
    """Bounds of every hidden cell over every combination of country, offence class,
    sector, year and course."""
    classes = ["economic", "exploitation", "other", "work_environment"]
    classes += ["torkea_ihmiskauppa", "trafficking:other"]
    # report dates by the days where some cell's span begins or ends
    cuts = sorted(
        {dt.date(y, 1, 1) for y in [*_YEARS, _YEARS[-1] + 1]}
        | {s.period[0] for s in FINER}
        | {s.period[1] + dt.timedelta(days=1) for s in FINER}
    )
    days = list(itertools.pairwise(cuts))
    # Sweden's cases are never törkeä ihmiskauppa (a Finnish code)
    combos = [
        _Unit(country, reported, sector, course, pd.Timestamp(first))
        for country, reported, sector, (first, _), course in itertools.product(
            ["SE", "FI"], classes, _SECTORS, days, COURSE.order
        )
        if (country, reported) != ("SE", "torkea_ihmiskauppa")
    ]
    rows, values = [], []
    for table, tests in tables:
        for i, test in enumerate(tests):
            rows.append([float(test(unit)) for unit in combos])
            value = table.cells.at[i, "n"]
            values.append(None if pd.isna(value) else int(value))
    # combinations that no cell tells apart are one unknown (their total)
    matrix = np.unique(np.array(rows), axis=1)
    known = [v is not None for v in values]
    a, b = matrix[known], np.array([v for v in values if v is not None], dtype=float)
    out = []
    for row, value in zip(matrix, values, strict=True):
        if value is None:
            low = linprog(row, A_eq=a, b_eq=b, bounds=(0, None)).fun
            top = linprog(-row, A_eq=a, b_eq=b, bounds=(0, None))
            out.append((low, np.inf if top.status == 3 else -top.fun))
    return out


def _ties(units: pd.DataFrame) -> tuple[list[LinkedTable], dict]:
    """The structural zeros of the groupings, as link_comparison registers them."""
    cases = public_links.CaseBoxes(units, FINER)
    ties = []
    for dims, cells in cases.zeros().items():
        frame = pd.DataFrame(cells)
        frame["n"] = pd.array([0] * len(cells), dtype="Int64")
        ties.append(LinkedTable(f"zeros {dims[-1]}", frame, "n", {d: d for d in dims}))
    return ties, cases.dimensions


@pytest.mark.parametrize("seed", [1, 2])
def test_bounds_through_the_groupings_are_those_of_the_full_cross_classification(
    seed: int,
) -> None:
    units = _units(seed)
    tables = _tables(units, np.random.default_rng(100 + seed))
    ties, dimensions = _ties(units)
    dimensions = {**dimensions, "year": Dimension("years")}
    linked = [*ties, *(t for t, _ in tables)]
    found = [b for bounds in feasible_intervals(linked, dimensions) for b in bounds if b]
    expected = _brute_force(units, tables)
    assert len(found) == len(expected) > 5
    for (low, high), (lo, hi) in zip(found, expected, strict=True):
        assert low == pytest.approx(lo, abs=1e-6)
        assert high == pytest.approx(hi, abs=1e-6) or (np.isinf(high) and np.isinf(hi))
    # the ties are what makes them exact: without them some hidden count is wider
    if seed == 2:
        loose = feasible_intervals([t for t, _ in tables], dimensions)
        loose = [b for bounds in loose for b in bounds if b]
        assert any(
            lo < low - 1e-6 or hi > high + 1e-6
            for (lo, hi), (low, high) in zip(loose, found, strict=True)
        )


# -- with 01's tables -------------------------------------------------------------------


@pytest.mark.filterwarnings("error")  # a table left exposed warns: here that fails
def test_no_hidden_count_can_be_narrowed_with_01s_tables(tmp_path: Path, synthetic) -> None:
    # the attack of tests/test_linked.py with the comparison linked after intake's and
    # 01's tables of a synthetic case file (every small hidden cell keeps 1 to 4, every
    # other hidden cell an interval PROTECTION_WIDTH wide)
    folder, case = synthetic
    linked, dimensions = _demo_tables(tmp_path, folder)
    audit = Disclosure()
    audit._linked = {t.name: t for t in linked}
    audit._dimensions.update(dimensions)
    # the shipped comparisons and two with finer groups (of offences and sectors)
    shipped = {c.id: c for c in public_statistics.load_comparisons()}
    comparisons = [
        *shipped.values(),
        shipped["fi_reports_2023"].model_copy(update={"id": "aggravated", "case_file": FINER[-2]}),
        shipped["se_reports_reaching_court"].model_copy(
            update={"id": "not_begging", "case_file": FINER[-1]}
        ),
    ]
    truth = public_statistics.compare(
        case.cases, case.events, sampling_frame="police_reports", comparisons=comparisons
    )
    with warnings.catch_warnings():
        safe = audit.suppress(
            truth,
            "case_count",
            total="case_total",
            threshold=5,
            name=public_links.NAME,
            label=["id"],
            derived=["case_share", "ci_low", "ci_high"],
        )
        out = public_links.link_comparison(
            safe, truth, case, audit=audit, threshold=5, comparisons=comparisons
        )
    assert public_links.NAME in audit._linked
    assert sum(name.startswith(public_links.ZERO_NAME) for name in audit._linked) == 2
    tables = list(audit._linked.values())
    assert any(t.small.any() for t in tables)
    assert not exposed(tables, audit._dimensions, threshold=5)
    # what the table shows is what was registered: a hidden count shows no share, and
    # the one mark of any hidden count
    hidden = out["case_count"].isna()
    assert out.loc[hidden, "case_share"].isna().all()
    assert (out.loc[hidden, "hidden"] == "any").all()
    assert (out.loc[~hidden, "case_count"] == truth.loc[~hidden, "case_count"]).all()


def test_a_comparison_dated_by_judgment_is_not_linked(synthetic) -> None:
    _, case = synthetic
    comparisons = public_statistics.load_comparisons()
    dated = [
        c.model_copy(update={"case_file": c.case_file.model_copy(update={"dated": "judgment"})})
        for c in comparisons
    ]
    truth = public_statistics.compare(
        case.cases, case.events, sampling_frame="police_reports", comparisons=dated
    )
    audit = Disclosure()
    safe = audit.suppress(
        truth, "case_count", total="case_total", threshold=5, name=public_links.NAME
    )
    with pytest.warns(UserWarning, match="not linked .* dated by judgment"):
        out = public_links.link_comparison(
            safe, truth, case, audit=audit, threshold=5, comparisons=dated
        )
    assert public_links.NAME not in audit._linked and out.equals(safe.reset_index(drop=True))
