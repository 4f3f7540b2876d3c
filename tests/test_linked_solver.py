"""The solving machinery of the whole-report protection against independent brute force:
which unknowns merge (equal columns), which columns peak in a range, and the cells
:func:`cape_study.privacy.linked.protect` hides, replayed by a plain greedy over the full
cross-classification with a linear programme per bound (scipy's linprog, no witnesses,
no model kept between bounds)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.optimize import linprog

from cape_study.privacy.equations import system_of
from cape_study.privacy.intruder import Intruder, _distinct_columns
from cape_study.privacy.linked import (
    PROTECTION_WIDTH,
    Dimension,
    LinkedTable,
    _exposed_cells,
    feasible_intervals,
    protect,
    protected,
)

STAGES = ("reported", "prosecuted", "judged")
DIMENSIONS = {"year": Dimension("years"), "stage": Dimension("nested", STAGES)}
THRESHOLD = 5


@pytest.mark.parametrize("seed", range(20))
def test_merged_unknowns_are_the_first_of_each_group_of_equal_columns(seed: int) -> None:
    rng = np.random.default_rng(seed)
    base = rng.choice([0.0, 0.0, 1.0, -1.0], size=(int(rng.integers(1, 12)), 8))
    dense = base[:, rng.integers(0, 8, size=int(rng.integers(1, 40)))]
    columns = [tuple(c) for c in dense.T]
    expected = [j for j, c in enumerate(columns) if columns.index(c) == j]
    assert _distinct_columns(sparse.csc_array(dense)).tolist() == expected


def _random_lp(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = (rng.random((6, 9)) < 0.4).astype(float)
    a[:, rng.integers(0, 9)] = 0.0  # a column no row bounds
    x = rng.integers(0, 6, 9).astype(float)
    low, high = a @ x, a @ x
    loose = rng.random(6) < 0.5
    low[loose] -= rng.integers(0, 4, loose.sum())
    high[loose] += rng.integers(0, 4, loose.sum())
    return a, np.maximum(low, 0), high


@pytest.mark.parametrize("seed", range(12))
def test_a_column_peaks_in_a_range_as_its_exact_greatest_value_says(seed: int) -> None:
    a, low, high = _random_lp(seed)
    intruder = Intruder(sparse.csr_array(a), low, high, columns=(np.zeros(9), np.full(9, np.inf)))
    peaks = []
    for j in range(9):
        top = linprog(-np.eye(9)[j], A_ub=np.vstack([a, -a]), b_ub=np.r_[high, -low])
        peaks.append(np.inf if top.status == 3 else -top.fun)
    rng = np.random.default_rng(seed)
    intruder.extreme(int(rng.integers(0, 9)), largest=True)  # a witness to start from
    for _ in range(10):
        columns = rng.choice(9, size=int(rng.integers(1, 5)), replace=False)
        lo, hi = sorted(rng.uniform(0, 8, 2))
        assert intruder.peaks_between(columns, lo, hi) == any(lo < peaks[c] < hi for c in columns)


def _peaks(a: np.ndarray, low: np.ndarray, high: np.ndarray) -> list[float]:
    """The greatest value of each column by scipy's linprog (inf where unbounded)."""
    finite = np.isfinite(high)
    peaks = []
    for j in range(a.shape[1]):
        top = linprog(
            -np.eye(a.shape[1])[j], A_ub=np.vstack([a[finite], -a]), b_ub=np.r_[high[finite], -low]
        )
        peaks.append(np.inf if top.status == 3 else -top.fun)
    return peaks


@pytest.mark.parametrize("seed", range(12))
def test_many_columns_mostly_zero_peak_in_a_range_as_their_exact_greatest_values_say(
    seed: int,
) -> None:
    # structural zeros (a published zero over some columns) are cleared by totals of
    # groups, the others by witnesses or their own bound: the answer stays the exact one,
    # also after a published cell is hidden (what was cleared may no longer be)
    rng = np.random.default_rng(seed)
    n = 30
    a = (rng.random((10, n)) < 0.25).astype(float)
    x = rng.integers(0, 7, n).astype(float)
    zero = rng.random(n) < 0.6
    x[zero] = 0.0
    a = np.vstack([a, zero.astype(float)])  # the zeros' total, published as 0
    low = high = a @ x
    low, high = low.copy(), high.copy()
    loose = np.flatnonzero(rng.random(len(low) - 1) < 0.3)
    high[loose] += rng.integers(0, 4, len(loose))
    intruder = Intruder(sparse.csr_array(a), low, high, columns=(np.zeros(n), np.full(n, np.inf)))
    for round_ in range(3):
        peaks = _peaks(a, low, high)
        for _ in range(12):
            columns = rng.choice(n, size=int(rng.integers(1, n)), replace=False)
            lo, hi = (0.5, 4 - 1e-6) if rng.random() < 0.5 else sorted(rng.uniform(0, 8, 2))
            expected = any(lo < peaks[c] < hi for c in columns)
            assert intruder.peaks_between(columns, lo, hi) == expected, (round_, columns, lo, hi)
        r = int(rng.integers(0, len(low)))
        low, high = low.copy(), high.copy()
        low[r], high[r] = 0.0, np.inf
        intruder.relax(r, 0.0, np.inf)


def _bound(a: np.ndarray, low: np.ndarray, high: np.ndarray, row: np.ndarray, sign: int) -> float:
    """The least (``sign`` 1) or greatest (-1) value of ``row @ x`` by scipy's linprog."""
    finite = np.isfinite(high)
    found = linprog(sign * row, A_ub=np.vstack([a[finite], -a]), b_ub=np.r_[high[finite], -low])
    return -sign * np.inf if found.status == 3 else sign * found.fun


def _exact_width(a: np.ndarray, low: np.ndarray, high: np.ndarray, row: np.ndarray) -> float:
    return _bound(a, low, high, row, -1) - _bound(a, low, high, row, 1)


@pytest.mark.parametrize("seed", range(12))
def test_a_cell_spans_a_width_as_its_exact_bounds_say(seed: int) -> None:
    # the tables found before answer where they can: the answer must stay the exact one,
    # also after a row's bounds are relaxed (tables kept) or tightened (tables forgotten)
    a, low, high = _random_lp(seed)
    intruder = Intruder(sparse.csr_array(a), low, high, columns=(np.zeros(9), np.full(9, np.inf)))
    rng = np.random.default_rng(seed)
    for round_ in range(3):
        for _ in range(12):
            row = (rng.random(9) < 0.4).astype(float)
            width = float(rng.integers(1, 6))
            exact = _exact_width(a, low, high, row)
            spans = intruder.spans(sparse.csr_array(row[None, :]), width)
            assert spans == (exact >= width - 1e-6), (round_, row, width, exact)
        r = int(rng.integers(0, len(low)))
        if round_ == 0:  # a published cell hidden
            low, high = low.copy(), high.copy()
            low[r], high[r] = 0.0, np.inf
            intruder.relax(r, 0.0, np.inf)
        else:  # other values: a row pinned to a value its interval held
            low, high = low.copy(), high.copy()
            top = _bound(a, low, high, a[r], -1)
            low[r] = high[r] = float(np.floor(top)) if np.isfinite(top) else low[r]
            intruder.rebound(low, high)


@pytest.mark.parametrize("seed", range(12))
def test_unknowns_forced_to_zero_are_left_out_and_come_back_when_their_zero_is_hidden(
    seed: int,
) -> None:
    # published zeros force their unknowns to 0, and an agreement (mine less theirs = 0)
    # whose other side is forced forces its own: the model leaves them out, and the
    # bounds and widths stay the exact ones, also once such a zero is hidden (they come
    # back) or the rows are given other bounds
    rng = np.random.default_rng(seed)
    n = 24
    a = (rng.random((8, n)) < 0.3).astype(float)
    x = rng.integers(0, 6, n).astype(float)
    zero = np.flatnonzero(rng.random(n) < 0.5)
    x[zero] = 0.0
    theirs, mine = zero[: len(zero) // 2], zero[len(zero) // 2 :]
    published = np.zeros((2, n))
    published[0, theirs[: len(theirs) // 2 + 1]] = 1.0
    published[1, theirs[len(theirs) // 2 :]] = 1.0
    agree = np.zeros((1, n))
    agree[0, mine], agree[0, theirs] = 1.0, -1.0
    a = np.vstack([a, published, agree])
    low, high = (a @ x).copy(), (a @ x).copy()
    loose = np.flatnonzero(rng.random(8) < 0.4)
    high[loose] += rng.integers(1, 4, len(loose))
    queries = (rng.random((10, n)) < 0.35).astype(float)
    intruder = Intruder(sparse.csr_array(a), low, high, sparse.csr_array(queries))
    assert intruder._n < len(_distinct_columns(sparse.csc_array(np.vstack([a, queries]))))
    for round_ in range(4):
        for row in queries:
            got = intruder.interval(sparse.csr_array(row[None, :]))
            exact = (_bound(a, low, high, row, 1), _bound(a, low, high, row, -1))
            assert np.allclose(got, exact, atol=1e-6), (round_, got, exact)
            width = float(rng.integers(1, 5))
            spans = intruder.spans(sparse.csr_array(row[None, :]), width)
            assert spans == (exact[1] - exact[0] >= width - 1e-6)
        low, high = low.copy(), high.copy()
        if round_ == 0:  # other bounds, the agreement's among them
            high[[0, 10]] = high[[0, 10]] + 1.0
            intruder.rebound(low, high)
        else:  # a zero hidden: the unknowns it forced may be anything again
            r = 7 + round_
            low[r], high[r] = 0.0, np.inf
            intruder.relax(r, 0.0, np.inf)


# -- protect against a plain greedy -------------------------------------------------


def _units(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 50))
    return pd.DataFrame(
        {
            "year": rng.choice([2013, 2014, 2015, 2016], n),
            "end": rng.choice(len(STAGES), n, p=[0.5, 0.3, 0.2]),
        }
    )


def _members(cell: dict, combo: tuple[int, int]) -> bool:
    year, end = combo
    if "year" in cell:
        lo, _, hi = str(cell["year"]).partition("–")
        if not int(lo) <= year <= int(hi or lo):
            return False
    return "stage" not in cell or end >= STAGES.index(cell["stage"])


COMBOS = list(itertools.product([2013, 2014, 2015, 2016], range(len(STAGES))))


def _greedy(years: list[dict], funnel: list[dict], truth: list[int]) -> list[int]:
    """Protect's rule, written plainly: while a small hidden cell (of the years, marked
    as they are, or of the funnel, none marked) lacks 1..4 (or, unmarked, a width of 5),
    hide the published funnel cell covering the largest share of its box (then the
    smallest non-zero), re-checking the first exposed cell after each hide and the rest
    once it is protected; then the same while a hidden cell that is not small is
    narrower than PROTECTION_WIDTH, unless the years alone pin it."""
    rows = [[float(_members(c["cell"], k)) for k in COMBOS] for c in [*years, *funnel]]
    published = [c["count"] for c in years] + list(truth)
    hidden = [c["count"] is None for c in years] + [c["count"] is None for c in funnel]
    marks = [c["marked"] for c in years] + [False] * len(funnel)
    small = [c["small"] for c in years] + [c["small"] for c in funnel]

    def bounds_of(q: int, blank: bool = False) -> list[float]:
        """The least and greatest value of cell ``q`` over every published cell and mark
        (``blank``: the funnel's cells all hidden)."""
        eq = [i for i, h in enumerate(hidden) if not h and not (blank and i >= first)]
        small_marked = [i for i, h in enumerate(hidden) if h and marks[i]]  # 1 to 4
        a_ub = [rows[i] for i in small_marked] + [[-v for v in rows[i]] for i in small_marked]
        b_ub = [THRESHOLD - 1.0] * len(small_marked) + [-1.0] * len(small_marked)
        bounds = []
        for sign in (1, -1):
            res = linprog(
                sign * np.array(rows[q]),
                A_eq=np.array([rows[i] for i in eq]) if eq else None,
                b_eq=np.array([published[i] for i in eq], float) if eq else None,
                A_ub=np.array(a_ub) if a_ub else None,
                b_ub=np.array(b_ub) if b_ub else None,
            )
            bounds.append(np.inf if res.status == 3 else sign * res.fun)
        return bounds

    def exposed(q: int) -> bool:
        """Not :func:`protected` by its bounds over every published cell and mark."""
        return not protected(*bounds_of(q), threshold=THRESHOLD, marked=marks[q])

    def narrow(q: int) -> bool:
        """A hidden cell not small, narrower than PROTECTION_WIDTH, not because the years
        alone publish it."""
        low, high = bounds_of(q)
        if high - low >= PROTECTION_WIDTH - 1e-6:
            return False
        low, high = bounds_of(q, blank=True)
        return high - low >= PROTECTION_WIDTH - 1e-6

    first = len(years)

    def hide_for(q: int) -> bool:
        """Hide the published funnel cell covering the largest share of cell ``q``'s box
        (then the smallest non-zero); False when none is left."""
        target = rows[q]
        shown = [j for j in range(len(funnel)) if not hidden[first + j]]
        candidates = [j for j in shown if truth[j] > 0] or shown
        if not candidates:
            return False

        def share(j: int) -> float:
            both = sum(x and y for x, y in zip(rows[first + j], target, strict=True))
            return both / sum(target)

        choice = max(candidates, key=lambda j: (share(j), -truth[j]))
        hidden[first + choice] = True
        added.append(choice)
        return True

    queue = [i for i in range(len(hidden)) if small[i]]
    todo = [q for q in queue if exposed(q)]
    added: list[int] = []
    while todo:
        if not hide_for(todo[0]):
            todo.pop(0)
        elif not exposed(todo[0]):
            todo = [q for q in todo[1:] if exposed(q)]
    # then every hidden cell that is not small, those just hidden too
    pending = [i for i in range(len(hidden)) if hidden[i] and not small[i]]
    while pending:
        if not narrow(pending[0]) or not hide_for(pending[0]):
            pending.pop(0)
        else:
            pending.append(first + added[-1])
    return added


@pytest.mark.parametrize("seed", range(24))  # 14 of them hide 1 or 2 cells
def test_protect_hides_the_cells_a_plain_greedy_hides(seed: int) -> None:
    units = _units(seed)
    rng = np.random.default_rng(50 + seed)
    by_year = units.groupby("year").size().reindex([2013, 2014, 2015, 2016], fill_value=0)
    year_cells = [{"year": str(y), "n": int(n)} for y, n in by_year.items()]
    small_years = [0 < c["n"] < THRESHOLD or rng.random() < 0.3 for c in year_cells]
    hide_years = [s or rng.random() < 0.2 for s in small_years]
    marked = [
        h and 0 < c["n"] < THRESHOLD and rng.random() < 0.7
        for c, h in zip(year_cells, hide_years, strict=True)
    ]
    years_table = LinkedTable(
        "years",
        pd.DataFrame(
            {
                "year": [c["year"] for c in year_cells],
                "n": pd.array(
                    [None if h else c["n"] for c, h in zip(year_cells, hide_years, strict=True)],
                    dtype="Int64",
                ),
            }
        ),
        "n",
        {"year": "year"},
        small=np.array(
            [
                s and h and c["n"] > 0
                for s, h, c in zip(small_years, hide_years, year_cells, strict=True)
            ]
        ),
        marked=np.array(marked),
    )
    periods = {"2013–2014": (2013, 2014), "2015–2016": (2015, 2016)}
    funnel_rows = [
        {"period": p, "stage": s,
         "n": int(((units["year"].between(*span)) & (units["end"] >= k)).sum())}
        for p, span in periods.items() for k, s in enumerate(STAGES)
    ]  # fmt: skip
    truth = [r["n"] for r in funnel_rows]
    small = np.array([0 < n < THRESHOLD for n in truth])
    frame = pd.DataFrame(funnel_rows)
    frame["n"] = pd.array(
        [None if s else n for s, n in zip(small, truth, strict=True)], dtype="Int64"
    )
    new = LinkedTable("funnel", frame, "n", {"period": "year", "stage": "stage"}, small=small)
    added, _ = protect([years_table], new, pd.Series(truth), DIMENSIONS, threshold=THRESHOLD)
    records = years_table.records()
    funnel = [
        {
            "cell": {"year": r["period"], "stage": r["stage"]},
            "count": None if s else r["n"],
            "small": bool(s),
        }
        for r, s in zip(funnel_rows, small, strict=True)
    ]
    assert added == _greedy(records, funnel, truth)


@pytest.mark.parametrize("seed", range(60))
def test_a_model_asked_again_with_other_marks_answers_as_a_new_one(seed: int) -> None:
    # protect and mark of one table share the system and its HiGHS model: the second
    # asks with other bounds (marks added: witnesses forgotten; taken away: kept). Each
    # answer is protected() on exact bounds, however the marks changed before it.
    units = _units(seed)
    rng = np.random.default_rng(300 + seed)
    by_year = units.groupby("year").size().reindex([2013, 2014, 2015, 2016], fill_value=0)
    frame = pd.DataFrame({"year": [str(y) for y in by_year.index], "n": by_year.to_numpy()})
    hide = rng.random(4) < 0.6
    small = hide & (frame["n"] > 0).to_numpy()
    shown = frame.assign(n=frame["n"].astype("Int64").mask(hide))
    funnel = pd.DataFrame(
        [
            {
                "period": p,
                "stage": s,
                "n": int((units["year"].between(*span) & (units["end"] >= k)).sum()),
            }
            for p, span in {"2013–2014": (2013, 2014), "2015–2016": (2015, 2016)}.items()
            for k, s in enumerate(STAGES)
        ]
    )
    f_hide = rng.random(len(funnel)) < 0.4
    f_small = f_hide & (funnel["n"] > 0).to_numpy()
    f_shown = funnel.assign(n=funnel["n"].astype("Int64").mask(f_hide))
    for _ in range(4):
        marks = small & (frame["n"] < THRESHOLD).to_numpy() & (rng.random(4) < 0.6)
        tables = [
            LinkedTable("years", shown, "n", {"year": "year"}, small, marked=marks),
            LinkedTable("funnel", f_shown, "n", {"period": "year", "stage": "stage"}, f_small),
        ]
        cells = [(t, int(i)) for t, table in enumerate(tables) for i in np.flatnonzero(table.small)]
        exact = feasible_intervals(tables, DIMENSIONS, threshold=THRESHOLD)
        wanted = [
            (t, i)
            for t, i in cells
            if not protected(*exact[t][i], threshold=THRESHOLD, marked=bool(tables[t].marked[i]))
        ]
        assert _exposed_cells(system_of(tables, DIMENSIONS), tables, cells, THRESHOLD) == wanted


def test_values_joined_by_a_bar_stand_for_the_union_of_their_classes() -> None:
    # a "sets" value "a|c" is the classes of a and c: a table of it bounds a hidden
    # class exactly as a table of a member declared for the same classes
    union = Dimension("sets", ("a", "b", "c"), (("a_or_c", ("a", "c")),))
    assert union.classes_of("c|a") == ("a", "c")
    assert union.classes_of("a_or_c|b") == ("a", "b", "c")
    with pytest.raises(ValueError, match="'d' is not one of"):
        union.classes_of("a|d")

    def bounds(value: str) -> list:
        whole = pd.DataFrame({"kind": ["all", value], "n": pd.array([9, 6], dtype="Int64")})
        parts = pd.DataFrame({"kind": ["a", "b", "c"], "n": pd.array([pd.NA, 3, pd.NA])})
        tables = [
            LinkedTable("whole", whole, "n", {"kind": "kind"}),
            LinkedTable("parts", parts.astype({"n": "Int64"}), "n", {"kind": "kind"}),
        ]
        return feasible_intervals(tables, {"kind": union})[1]

    # all 9, a and c 6, b 3: a and c are each 0 to 6, by either name of the union
    assert bounds("a|c") == bounds("a_or_c") == [(0.0, 6.0), None, (0.0, 6.0)]
