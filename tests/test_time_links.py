"""01_attrition's time-to-event tables linked with the report's other tables
(cape_study.stats.time_links): the classes of days, the structural zeros of days and
report dates checked against a brute-force linear programme over exact report dates and
days, every box holding its cell's count, and an attack that recovers a hidden count of
the tables protected on their own and none once they are linked."""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog
from test_linked import _demo_tables, _protected, _small_cells

from cape_study.data.loaders import load_case_file
from cape_study.privacy.disclosure import Disclosure
from cape_study.privacy.linked import Dimension, LinkedTable, exposed, feasible_intervals
from cape_study.stats import attrition, survival
from cape_study.stats.time_links import (
    END,
    ENDS,
    LEFT_OUT,
    ZEROS,
    TimeClasses,
    _classes,
    days_dimension,
    zero_boxes,
)
from cape_study.synth import SynthSpec, write_synthetic_case_file

HORIZONS = [90, 180, 365, 730, 1095, 1825]


def test_days_are_cut_at_each_horizon_and_the_day_after() -> None:
    spec = days_dimension([90, 180])
    assert spec.order == ("0–89", "90", "91–179", "180", "181–")
    members = dict(spec.members)
    assert members["to:90"] == ("0–89", "90")
    assert members["from:90"] == ("90", "91–179", "180", "181–")
    assert members["to:180"] == ("0–89", "90", "91–179", "180")
    assert members["from:0"] == spec.order
    # consecutive horizons leave no empty class between them
    assert days_dimension([90, 91]).order == ("0–89", "90", "91", "92–")
    with pytest.raises(ValueError, match="whole days"):
        days_dimension([90.5])


# -- the structural zeros against exact dates ------------------------------------------

START = dt.date(2024, 1, 1).toordinal()
CUTOFF = START + 30  # reports on 31 days, the cut-off the last
#: the classes of report dates the tables cut (the first open: every day before)
SPANS = [(dt.date.min.toordinal(), START + 10), (START + 10, START + 20), (START + 20, CUTOFF + 1)]
SMALL_HORIZONS = [5, 12, 20]


def _iso(day: int) -> str:
    return dt.date.fromordinal(day).isoformat()


def _population(seed: int) -> pd.DataFrame:
    """Cases with an exact report day and days followed: open ones to the cut-off,
    ended ones at most that long."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(12, 30))
    report = rng.integers(START, CUTOFF + 1, n)
    ended = rng.random(n) < 0.6
    days = np.where(ended, [int(rng.integers(0, CUTOFF - r + 1)) for r in report], CUTOFF - report)
    return pd.DataFrame({"report": report, "days": days, "ended": ended})


def _published(units: pd.DataFrame, rng) -> tuple[list[LinkedTable], list[tuple]]:
    """Cases and open cases by span of report dates, at risk and events at each horizon,
    about a third hidden; with each cell's test of a unit (report, days, ended)."""
    rows = []  # (table, box, test)
    for k, (lo, hi) in enumerate(SPANS):
        span = f"{_iso(lo) if k else ''}–{_iso(hi - 1)}"
        rows.append(("by span", {"year": span}, lambda r, d, e, lo=lo, hi=hi: lo <= r < hi))
        rows.append(
            (
                "open by span",
                {"year": span, "end": "open"},
                lambda r, d, e, lo=lo, hi=hi: lo <= r < hi and not e,
            )
        )
    for h in SMALL_HORIZONS:
        rows.append(("at risk", {"days": f"from:{h}"}, lambda r, d, e, h=h: d >= h))
        rows.append(
            (
                "events",
                {"days": f"to:{h}", "end": "ended"},
                lambda r, d, e, h=h: d <= h and e,
            )
        )
    tables, cells = [], []
    for name in dict.fromkeys(t for t, _, _ in rows):
        mine = [(box, test) for t, box, test in rows if t == name]
        frame = pd.DataFrame(
            [{d: box.get(d, "all") for d in ("year", "days", "end")} for box, _ in mine]
        )
        truth = [sum(test(*u) for u in units.itertuples(index=False)) for _, test in mine]
        hide = rng.random(len(mine)) < 0.35
        frame["n"] = pd.array(
            [pd.NA if h else v for v, h in zip(truth, hide, strict=True)], dtype="Int64"
        )
        tables.append(LinkedTable(name, frame, "n", {d: d for d in ("year", "days", "end")}))
        cells += [
            (test, None if h else v) for (_, test), v, h in zip(mine, truth, hide, strict=True)
        ]
    return tables, cells


def _exact_bounds(cells: list[tuple]) -> list[tuple[float, float]]:
    """The bounds of each hidden cell by linear programming over every report day, days
    followed and end, with only the combinations the rule allows (no zeros needed)."""
    units = [
        (r, d, e)
        for r in range(START, CUTOFF + 1)
        for e in (False, True)
        for d in (range(CUTOFF - r + 1) if e else [CUTOFF - r])
    ]
    rows = [[float(bool(test(*u))) for u in units] for test, _ in cells]
    a = np.array([r for r, (_, v) in zip(rows, cells, strict=True) if v is not None])
    b = np.array([v for _, v in cells if v is not None], dtype=float)
    out = []
    for row, (_, value) in zip(rows, cells, strict=True):
        if value is None:
            low = linprog(np.array(row), A_eq=a, b_eq=b, bounds=(0, None)).fun
            top = linprog(-np.array(row), A_eq=a, b_eq=b, bounds=(0, None))
            out.append((low, np.inf if top.status == 3 else -top.fun))
    return out


def _zeros(horizons) -> LinkedTable:
    boxes = zero_boxes(_classes(horizons), CUTOFF, SPANS)
    frame = pd.DataFrame(
        [{d: b.get(d, "all") for d in ("year", "days", "end")} for b in boxes]
    ).assign(n=pd.array([0] * len(boxes), dtype="Int64"))
    return LinkedTable("zeros", frame, "n", {d: d for d in ("year", "days", "end")})


@pytest.mark.parametrize("seed", range(6))
def test_the_zeros_over_the_published_spans_give_the_bounds_of_exact_dates(seed: int) -> None:
    # The intruder who knows every report day and the days each case was followed (open:
    # exactly to the cut-off; ended: at most so) bounds each hidden cell as the linked
    # tables with the structural zeros over the published spans of report dates do
    # (README: every count of a span can be placed at a day of it that the rule allows).
    units = _population(seed)
    tables, cells = _published(units, np.random.default_rng(50 + seed))
    dims = {"end": END, "days": days_dimension(SMALL_HORIZONS), "year": Dimension("years")}
    ours = [
        b
        for bounds in feasible_intervals([*tables, _zeros(SMALL_HORIZONS)], dims)
        for b in bounds
        if b
    ]
    assert np.allclose(ours, _exact_bounds(cells), atol=1e-6)


def test_without_the_zeros_an_intruder_is_underestimated() -> None:
    # the zeros are needed: without them the linked bounds are wider than exact dates
    # allow for some hidden cell (an intruder who knows the rule narrows it further)
    dims = {"end": END, "days": days_dimension(SMALL_HORIZONS), "year": Dimension("years")}
    wider = 0
    for seed in range(6):
        tables, cells = _published(_population(seed), np.random.default_rng(50 + seed))
        ours = [b for bounds in feasible_intervals(tables, dims) for b in bounds if b]
        exact = _exact_bounds(cells)
        wider += sum(
            (lo < e_lo - 1e-6) or (hi > e_hi + 1e-6)
            for (lo, hi), (e_lo, e_hi) in zip(ours, exact, strict=True)
        )
    assert wider > 0


# -- a small synthetic case file ------------------------------------------------------


def _at_horizons(case):
    times, _ = attrition.day_precise_times(
        attrition.event_times(case.cases, case.events, case.data_cutoff)
    )
    options = dict(by="country", confidence=0.95)
    return {
        "still open": survival.kaplan_meier(times, "days", "ended", times=HORIZONS, **options),
        "cumulative incidence": survival.cumulative_incidence(
            times, "days", "event", causes=["prosecuted", "closed"], times=HORIZONS, **options
        ),
    }


def _alone(classes: TimeClasses, tables: dict, linked, dimensions) -> list[LinkedTable]:
    """The tables at fixed times protected each on its own (as published before they
    were linked), as the linked tables an intruder reads, with what the intruder knows
    of days, ends, report dates and courses (the zeros)."""
    known = Disclosure()
    known._linked = {t.name: t for t in linked}
    known._dimensions.update(dimensions)
    classes.link_zeros(known, threshold=5)
    out = [known._linked[ENDS], known._linked[ZEROS]]
    scratch = Disclosure()
    for name, table in tables.items():
        safe = survival.suppress_at_times(table, scratch, threshold=5, name=name)
        for column, part in (("cumulative_events", "events"), ("at_risk", "at risk")):
            cells = classes._frame(classes.boxes(table, column))
            cells["cases"] = safe[column].astype("Int64").to_numpy()
            values = table[column].to_numpy()
            small = cells["cases"].isna().to_numpy() & (values > 0) & (values < 5)
            dims = {d: d for d in cells.columns if d != "cases"}
            out.append(LinkedTable(f"{name}: {part}", cells, "cases", dims, small))
    return out


def _linked(linked, dimensions, classes: TimeClasses, tables: dict) -> Disclosure:
    audit = Disclosure()
    audit._linked = {t.name: t for t in linked}
    audit._dimensions.update(dimensions)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a table left unlinked or exposed warns
        assert classes.link_left_out(audit, threshold=5) is None
        classes.link_zeros(audit, threshold=5)
        for name, table in tables.items():
            out = classes.suppress_at_times(table, audit, threshold=5, name=name)
            estimate = "cif" if "cif" in out else "survival"
            hidden = out[["at_risk", "cumulative_events"]].isna().any(axis=1)
            # an estimate is hidden with either count of its row
            assert out.loc[hidden, [estimate, "ci_low", "ci_high", "std_error"]].isna().all().all()
            assert (out["hidden"].notna() == hidden).all()
    audit.verify(threshold=5)
    return audit


def _case(tmp: Path, cases: int, seed: int = 1):
    """A synthetic case file, 01's linked tables of it (as the notebooks link them:
    tests/test_linked.py) and its classes."""
    folder = write_synthetic_case_file(
        tmp / "casefile", SynthSpec(cases, seed), command="test", progress=None
    )
    linked, dimensions = _demo_tables(tmp, folder)
    case = load_case_file(folder, data_cutoff="2024-12-31", read_documents=False)
    # 8 cases reported on a date known only to the month (left out of the estimates)
    cases = case.cases.copy()
    cases["report_date_precision"] = pd.Series("day", index=cases.index, dtype="string")
    cases.loc[cases.index[:8], "report_date_precision"] = "month"
    case = dataclasses.replace(case, cases=cases)
    return case, linked, dimensions, TimeClasses(case, HORIZONS)


@pytest.fixture(scope="module")
def sixty(tmp_path_factory: pytest.TempPathFactory):
    return _case(tmp_path_factory.mktemp("sixty"), 60, 1)


def test_every_box_holds_its_cell_count(sixty) -> None:
    # each cell is the number of cases in its box, counted here from the event times
    # directly (at risk: days >= h; events: ended, of the cause, days <= h)
    case, _, _, classes = sixty
    times = attrition.event_times(case.cases, case.events, case.data_cutoff)
    tables = _at_horizons(case)
    for table in tables.values():
        for column in ("at_risk", "cumulative_events"):
            boxes = classes.boxes(table, column)
            for box, row in zip(boxes, table.itertuples(index=False), strict=True):
                mine = times[(times["country"] == row.country) & times["day_precise"]]
                if column == "at_risk":
                    expected = (mine["days"] >= row.time).sum()
                else:
                    cause = getattr(row, "cause", None)
                    ended = mine["event"] == cause if cause else mine["ended"]
                    expected = (ended & (mine["days"] <= row.time)).sum()
                assert classes.count(box) == expected == getattr(row, column)


def test_a_small_synthetic_file_is_protected_only_when_linked(sixty) -> None:
    # 60 cases (seed 1): protected alone, the tables at fixed times pin hidden counts of
    # 01's funnels (the cumulative prosecutions by five years are the funnel's
    # prosecutions), of the offence flows and of their own (a cause's events = the events
    # of any cause, which still open publishes, less the other cause's); linked, nothing
    # can be narrowed (the demo report: tests/test_linked.py). 8 of the cases are dated
    # to the month: the tables count the cases dated to the day (precision "precise"),
    # the note's count of the others is linked too (8, shown)
    case, linked, dimensions, classes = sixty
    assert "precision" in classes.dims and classes.count({"precision": "rough"}) == 8
    tables = _at_horizons(case)
    everything = {**dimensions, **classes.dimensions}
    found = exposed(
        [*linked, *_alone(classes, tables, linked, dimensions)], everything, threshold=5
    )
    assert {"stage funnel", "cumulative incidence: events"} <= set(found)
    audit = _linked(linked, dimensions, classes, tables)
    assert {ZEROS, ENDS, "still open: at risk", "cumulative incidence: events"} <= set(
        audit._linked
    )
    assert audit._linked[LEFT_OUT].cells["cases"].tolist() == [8]
    cells = _small_cells(list(audit._linked.values()), audit._dimensions)
    assert cells and all(_protected(*cell) for cell in cells)
