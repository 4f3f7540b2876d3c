"""The intruder of the whole-report disclosure control: bounds of hidden cells over the
linear equations of the published tables (:mod:`cape_study.privacy.linked`), and the
question :func:`cape_study.privacy.linked.protect` asks of each small hidden cell, whether
it is :func:`protected`, answered with as few linear programmes as possible.

**Bounds.** The least and greatest value of a cell ``q x`` over ``low <= A x <= high,
x >= 0`` are two linear programmes (HiGHS, through highspy). Only the objective changes
from one cell to the next, so the last optimal basis stays primal feasible and the primal
simplex starts from it (the dual simplex, HiGHS's default, starts far from it: on the demo
report about thirty times the iterations). Presolve is off: 01's models of the demo
are solved about fourteen times each, and their solves take about a sixth less CPU
time without it.

**Unknowns forced to 0 are left out.** A published zero (a row bounded above by 0 whose
unknowns, all at least 0, enter it positively) makes each of its unknowns 0, and so does
the agreement of two groups of dimensions (mine less theirs = 0) once every one of theirs
is (:func:`_forced_zero`, repeated until nothing more is found): the model holds only the
other unknowns, which leaves every bound as it was. On the demo's report after ``01``
about three fifths of the (merged) unknowns (structural zeros of the tables at fixed times, zero
cells of small tables) go, and a bound takes about a third of the time. Where such a row
is relaxed or given other bounds (a published zero hidden), the unknowns it forced come
back (after the others, whose positions stay; every table found so far gives them 0, so
it stays a witness) and the model is built again.

**Whether a cell is protected** needs less than its bounds: a cell keeps every value from
1 to ``threshold - 1`` when *some* published-consistent table gives it at most 1 and
*some* gives it at least ``threshold - 1`` (the feasible set is convex, so every value
between is feasible too). Every table the solver finds is such a witness for every cell
at once. :meth:`Intruder.protected` first looks for witnesses for all the cells together
(the least total of the cells still lacking a low witness; the greatest total of those
still lacking a high one, each counted up to ``threshold - 1`` so that no cell can make
the total unbounded), and solves a cell's own bounds only where no witness is found. The
answer is the one :func:`protected` gives on the exact bounds: a witness only ever proves
what an exact bound would (the least value is at most any witness, the greatest at
least), and where none is found the bound is solved.

**Whether a cell is at least so wide** (a hidden cell that is not small,
:func:`cape_study.privacy.linked.wide`) is answered the same way: two tables found so far
whose values of the cell differ by the width prove it (:meth:`Intruder.spans`); only
where they do not are its bounds solved. Two bounds need no solve: the least value of a
cell that a table found gives 0 is 0 (no unknown or entry is negative), and after one
bound is solved, a cell whose reduced costs and duals are 0 wherever a column or row is
not fixed has the same value in every table (:meth:`Intruder._constant`: the basis is
optimal in either sense, and the other solve would stop at once at the same table).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

__all__ = ["Intruder", "mark_bounds", "protected"]

#: Tolerance of the comparisons with the bounds (HiGHS's are 1e-7).
_EPS = 1e-6
#: The most tables found that an intruder keeps for :meth:`Intruder.spans`, and the most
#: values of them (tables times unknowns).
_TABLES, _TABLE_ENTRIES = 256, 2_000_000


def mark_bounds(marked: np.ndarray, threshold: int) -> tuple[np.ndarray, np.ndarray]:
    """What the marks of hidden cells tell a reader: a cell marked small is from 1 to
    ``threshold - 1``; a cell with the mark of any hidden count may be anything."""
    marked = np.asarray(marked, bool)
    low = np.where(marked, 1.0, 0.0)
    high = np.where(marked, float(threshold - 1), np.inf)
    return low, high


def protected(low: float, high: float, *, threshold: int, marked: bool = True) -> bool:
    """Whether a small hidden cell with feasible interval ``[low, high]`` (found knowing
    the marks) is protected: it keeps every value from 1 to ``threshold - 1``, so no one
    can narrow it below what "a count under the threshold" says (a cell inside a box
    marked small, a region with 1 to 4 cases, can then be 0 to 4, as it should); or, for
    a cell not ``marked`` small, its interval is at least ``threshold`` wide, so no one
    can tell whether it is small (a period whose years are marked 1 to 4 each is at least
    their number: 3 to 9 hides a 4)."""
    if low <= 1 + _EPS and high >= threshold - 1 - _EPS:
        return True
    return not marked and high - low >= threshold - _EPS


class Intruder:
    """Bounds of cells over ``low <= a x <= high, x >= 0``: one HiGHS model whose objective
    changes from solve to solve (each starts from the last basis).

    ``queries`` (a row per cell, over the columns of ``a``) are the cells
    :meth:`protected` answers for; ``cap`` the value up to which each counts in the search
    for high witnesses (``threshold - 1``). They add a column ``y`` per query, ``0 <= y <=
    cap``, and a row ``y - q x <= 0``, which ``y = 0`` always satisfies: the bounds of any
    cell are those of ``a`` alone. ``columns`` are bounds of ``x`` other than ``x >= 0``
    (lower, upper); without them, unknowns whose columns are equal in ``a`` and
    ``queries`` are merged (:func:`_distinct_columns`), so a row given to
    :meth:`interval` must be one of ``a``'s or ``queries``'s. ``merged`` is that merging
    made once for ``a`` (:func:`merge`), for an ``a`` asked again with other bounds or
    queries that are rows of ``a``: their columns are equal where ``a``'s are."""

    def __init__(
        self,
        a: sparse.csr_array,
        low: np.ndarray,
        high: np.ndarray,
        queries: sparse.csr_array | None = None,
        cap: float = 0.0,
        columns: tuple[np.ndarray, np.ndarray] | None = None,
        merged: tuple[np.ndarray, sparse.csr_array] | None = None,
    ) -> None:
        import highspy

        self._highspy = highspy
        n = self._width = a.shape[1]
        q = sparse.csr_array((0, n)) if queries is None else sparse.csr_array(queries)
        reps = np.arange(n)
        if columns is None and merged is not None:
            # the caller's merging of a (queries are rows of a): see merge()
            reps, a = merged
            q, n = q[:, reps], len(reps)
        elif columns is None:
            # combinations no row tells apart are one unknown: their total
            reps = _distinct_columns(sparse.vstack([a, q], format="csc"))
            a, q, n = sparse.csr_array(a)[:, reps], q[:, reps], len(reps)
        k = q.shape[0]
        inf = highspy.kHighsInf
        col_low, col_high = columns if columns is not None else (np.zeros(n), np.full(n, inf))
        self._col_low = np.asarray(col_low, float)
        self._col_high = np.where(np.isinf(col_high), inf, col_high).astype(float)
        self._nonnegative = bool(np.all(self._col_low >= 0))
        self._low = np.asarray(low, dtype=float).copy()  # the bounds of a's rows
        self._high = np.asarray(high, dtype=float).copy()
        self._a, self._all_q, self._all_reps, self._cap = sparse.csr_array(a), q, reps, cap
        # unknowns in a published zero are zero: left out of the model (see the module)
        self._alive, self._zero = np.arange(n), []
        if columns is None:
            self._alive, self._zero = _forced_zero(self._a, self._low, self._high)
        self._k = k
        self._build()
        n = self._n
        self.lowest = np.full(k, np.inf)  # the least value of each query seen in a witness
        self.highest = np.full(k, -np.inf)  # and the greatest
        self._peak = np.full(n, -np.inf)  # the greatest value of each column seen so far
        self._exact: dict[int, float] = {}  # greatest values solved since the last relax
        self._ceiling: dict[int, float] = {}  # and totals bounding a column's from above
        # the last tables found (a ring of rows), for :meth:`spans`
        self._tables = np.zeros((max(8, min(_TABLES, _TABLE_ENTRIES // max(n, 1))), n))
        self._found = 0  # tables found so far (those kept: the last len(self._tables))
        self._last = np.zeros(n)  # the last table found

    def _build(self) -> None:
        """The HiGHS model of the unknowns ``self._alive`` (x, in that order) and a
        column ``y`` per query, with the rows' bounds as they are now."""
        highspy, inf = self._highspy, self._highspy.kHighsInf
        alive, k = self._alive, self._k
        a, q = self._a[:, alive], self._all_q[:, alive]
        n = len(alive)
        full = sparse.vstack(
            [
                sparse.hstack([a, sparse.csr_array((a.shape[0], k))]),
                sparse.hstack([-q, sparse.identity(k, format="csr")]),
            ],
            format="csc",
        )
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n + k, full.shape[0]
        lp.col_cost_ = np.zeros(n + k)
        lp.col_lower_ = np.concatenate([self._col_low[alive], np.zeros(k)])
        lp.col_upper_ = np.concatenate([self._col_high[alive], np.full(k, float(self._cap))])
        lp.row_lower_ = np.concatenate([self._low, np.full(k, -inf)])
        upper = np.where(np.isinf(self._high), inf, self._high)
        lp.row_upper_ = np.concatenate([upper, np.zeros(k)])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = full.indptr
        lp.a_matrix_.index_ = full.indices
        lp.a_matrix_.value_ = full.data.astype(float)
        self._h = highspy.Highs()
        self._h.setOptionValue("output_flag", False)
        self._h.setOptionValue("presolve", "off")  # from the last basis: see the module
        self._h.setOptionValue("simplex_strategy", 4)  # primal simplex: see the module
        self._h.passModel(lp)
        self._n, self._q, self._reps = n, sparse.csr_array(q), self._all_reps[alive]
        self._fixed = np.asarray(lp.col_lower_) == np.asarray(lp.col_upper_)  # columns
        self._solution = None  # the last optimal solve's (:meth:`_constant`)
        # the column of the model of each unknown of a (-1: merged into another, or 0)
        self._where = np.full(self._width, -1, dtype=np.int64)
        self._where[self._reps] = np.arange(n)
        self._columns = np.arange(n + k, dtype=np.int32)

    def _revive(self) -> None:
        """After rows' bounds were relaxed: the unknowns of a zero whose bound is no
        longer 0 back in the model, after the others (whose positions stay), which every
        table found so far gives 0; the model is built again (its basis lost)."""
        alive, self._zero = _forced_zero(self._a, self._low, self._high)
        back = np.setdiff1d(alive, self._alive)
        self._alive = np.concatenate([self._alive, back])
        extra = len(back)
        self._build()
        self._tables = np.hstack([self._tables, np.zeros((len(self._tables), extra))])
        self._peak = np.concatenate([self._peak, np.full(extra, 0.0 if self._found else -np.inf)])
        self._last = np.concatenate([self._last, np.zeros(extra)])

    def _solve(self, cost: np.ndarray, sense) -> float:
        """The optimum of ``cost`` over the columns (x, then y); +inf or -inf where
        unbounded. Every optimal table found is kept as a witness."""
        highspy, h = self._highspy, self._h
        h.changeColsCost(len(cost), self._columns, cost)
        h.changeObjectiveSense(sense)
        h.run()
        status = h.getModelStatus()
        self._solution = None
        if status == highspy.HighsModelStatus.kOptimal:
            self._solution = h.getSolution()
            x = np.asarray(self._solution.col_value[: self._n])
            self._last = x
            np.maximum(self._peak, x, out=self._peak)
            self._keep(x)
            if self._k:
                values = self._q @ x
                np.minimum(self.lowest, values, out=self.lowest)
                np.maximum(self.highest, values, out=self.highest)
            return h.getInfo().objective_function_value
        if status in (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            # nothing limits the objective in its direction
            return np.inf if sense == highspy.ObjSense.kMaximize else -np.inf
        raise ValueError(f"the published tables are inconsistent ({status})")

    def _constant(self) -> bool:
        """Whether the objective of the last solve (optimal) has its value for every
        feasible table: its reduced costs are 0 on every column and its duals 0 on every
        row whose bounds differ (an equation's dual may be anything), so the objective is
        a combination of equations, and the last basis is optimal in either sense (the
        other sense's solve would stop at once, at the same table)."""
        if self._solution is None:
            return False
        col = np.asarray(self._solution.col_dual)
        row = np.asarray(self._solution.row_dual)
        free = np.concatenate([self._low != self._high, np.ones(self._k, bool)])
        return not col[~self._fixed].any() and not row[free].any()

    def _keep(self, x: np.ndarray) -> None:
        """Keep the table ``x`` among the last ones found (not again if it was the last)."""
        size = len(self._tables)
        if self._found and np.array_equal(self._tables[(self._found - 1) % size], x):
            return
        self._tables[self._found % size] = x
        self._found += 1

    def _dense(self, row: sparse.csr_array) -> np.ndarray:
        """``row`` (one row over the unknowns of ``a``) over the columns of the model:
        ``row.toarray().ravel()[self._reps]``, without the dense row of every unknown."""
        if not isinstance(row, sparse.csr_array):
            row = sparse.csr_array(row)
        where = self._where[row.indices]
        kept = where >= 0
        return np.bincount(where[kept], weights=row.data[kept], minlength=self._n).astype(float)

    def _query(self, i: int) -> np.ndarray:
        """Query ``i``'s row over the columns of the model (``self._q[[i]]`` dense)."""
        span = slice(self._q.indptr[i], self._q.indptr[i + 1])
        return np.bincount(
            self._q.indices[span], weights=self._q.data[span], minlength=self._n
        ).astype(float)

    def _cost(self, row: np.ndarray | None = None, y: np.ndarray | None = None) -> np.ndarray:
        cost = np.zeros(self._n + self._k)
        if row is not None:
            cost[: self._n] = row
        if y is not None:
            cost[self._n :] = y
        return cost

    def interval(self, row: sparse.csr_array) -> tuple[float, float]:
        """The smallest and largest value of ``row @ x``."""
        cost = self._cost(self._dense(row))
        sense = self._highspy.ObjSense
        return self._solve(cost, sense.kMinimize), self._solve(cost, sense.kMaximize)

    def spans(self, row: sparse.csr_array, width: float, *, or_below: float | None = None) -> bool:
        """Whether the values of ``row @ x`` span at least ``width`` (less 1e-6): the
        largest less the smallest, as :meth:`interval` gives them; with ``or_below``, also
        whether the largest is at most ``or_below`` (as ``interval(row)[1] <= or_below``,
        without solving the bounds again). The tables found so far answer first (two
        whose values differ by ``width`` prove it: the largest value is at least the one,
        the smallest at most the other); then the smallest value is solved, then the
        largest, each only while the answer is open, so the answer is the one the exact
        bounds give. A row that adds up only unknowns forced to 0 (none left in the
        model) is 0: its bounds are 0 and 0 without a solve."""
        dense = self._dense(row)
        columns = np.flatnonzero(dense)
        if not len(columns):
            return width <= _EPS or (or_below is not None and or_below >= 0)

        def values() -> np.ndarray:
            return self._tables[: min(self._found, len(self._tables)), columns] @ dense[columns]

        def spread() -> float:
            found = values()
            return found.max() - found.min() if len(found) else -np.inf

        if spread() >= width - _EPS:
            return True
        sense = self._highspy.ObjSense
        cost = self._cost(dense)
        found = values()
        solved = False
        if self._nonnegative and np.all(dense[columns] > 0) and len(found) and found.min() <= 0:
            # no value is below 0 (unknowns and entries at least 0) and a table found
            # gives 0: the smallest value is 0, as its solve would find
            low = 0.0
        else:
            low, solved = self._solve(cost, sense.kMinimize), True  # a table found is kept
        if low == -np.inf or spread() >= width - _EPS:
            return True
        # a value the same in every table: the largest is the least, without a solve
        high = low if solved and self._constant() else self._solve(cost, sense.kMaximize)
        return high - low >= width - _EPS or (or_below is not None and high <= or_below)

    def relax(self, row: int, low: float, high: float) -> None:
        """Set the bounds of row ``row`` of ``a`` to ``low`` and ``high``, which must
        contain the old ones (a published cell hidden): every table found so far stays
        feasible, so it stays a witness, and the last basis a start."""
        inf = self._highspy.kHighsInf
        self._low[row], self._high[row] = low, high
        if row in set(self._zero):
            self._revive()  # the model built again with the rows' bounds as they are
        else:
            self._h.changeRowBounds(int(row), float(low), inf if np.isinf(high) else float(high))
        self._exact.clear()
        self._ceiling.clear()

    def rebound(self, low: np.ndarray, high: np.ndarray) -> None:
        """Set the bounds of every row of ``a`` to ``low`` and ``high`` (the same
        equations, other published values or marks), keeping the last basis as a start.
        Tables found so far stay witnesses only where every new interval contains the
        old one; otherwise they are forgotten."""
        low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
        changed = np.flatnonzero((low != self._low) | (high != self._high))
        if not len(changed):
            return
        if not (np.all(low[changed] <= self._low[changed]) and np.all(high >= self._high)):
            self.lowest[:], self.highest[:], self._peak[:] = np.inf, -np.inf, -np.inf
            self._found = 0
        inf = self._highspy.kHighsInf
        self._low[changed], self._high[changed] = low[changed], high[changed]
        if np.isin(changed, self._zero).any():
            self._revive()  # the model built again with the rows' bounds as they are
        else:
            self._h.changeRowsBounds(
                len(changed),
                changed.astype(np.int32),
                low[changed],
                np.where(np.isinf(high[changed]), inf, high[changed]),
            )
        self._exact.clear()
        self._ceiling.clear()

    def parts(self, row: sparse.csr_array) -> np.ndarray:
        """The columns of the model (unknowns merged as they are) that ``row`` (one of
        ``a``'s or ``queries``'s) adds up."""
        return np.flatnonzero(self._dense(row))

    def extreme(self, column: int, *, largest: bool) -> float:
        """The smallest (or ``largest``) value of ``x[column]``, a column of the model
        (with ``columns``, those of ``a``; else the merged ones, see :meth:`parts`)."""
        cost = np.zeros(self._n + self._k)
        cost[column] = 1.0
        sense = self._highspy.ObjSense
        return self._solve(cost, sense.kMaximize if largest else sense.kMinimize)

    def peaks_between(self, columns: np.ndarray, low: float, high: float) -> bool:
        """Whether the greatest value of some column of ``columns`` (as for
        :meth:`extreme`) lies strictly between ``low`` and ``high``, as on the exact
        greatest values, with few solves. A column that a table found so far gives
        ``high`` or more peaks there or above. The columns left are asked in groups (all
        of them first): where the greatest total of a group is at most ``low`` (less
        1e-6), so is the greatest value of each of its columns (none is negative);
        otherwise the total's table is a further witness, the columns it gives more than
        ``low`` have their greatest value solved one by one (kept, like the totals, until
        the next :meth:`relax`), and the others are asked again together (halved where
        the table gives none of them more). Columns whose lower bound may be negative
        are solved one by one. On the demo's 03_models most such columns are structural
        zeros (cases without a suspect, say), which a few totals clear: 949 greatest
        values solved one by one become about 390 solves."""
        todo = [
            column
            for column in dict.fromkeys(np.asarray(columns, dtype=int).tolist())
            if self._peak[column] < high and self._ceiling.get(column, np.inf) > low - _EPS
        ]
        if any(low < self._exact[c] < high for c in todo if c in self._exact):
            return True
        sense = self._highspy.ObjSense
        groups = [[c for c in todo if c not in self._exact]]
        while groups:
            group = [c for c in groups.pop() if self._peak[c] < high]
            if len(group) == 1 or (group and not self._nonnegative):
                column = group[0]
                self._exact[column] = self.extreme(column, largest=True)
                if low < self._exact[column] < high:
                    return True
                groups.append(group[1:])
                continue
            if not group:
                continue
            cost = np.zeros(self._n + self._k)
            cost[group] = 1.0
            total = self._solve(cost, sense.kMaximize)  # its table is kept as a witness
            if total <= low - _EPS:
                for column in group:
                    self._ceiling[column] = min(self._ceiling.get(column, np.inf), total)
                continue
            # the columns the total's table gives more than low cannot be cleared so: each
            # is solved; the others are asked again together (halved if none is)
            group = [c for c in group if self._peak[c] < high]
            above = [c for c in group if self._last[c] > low] if total < np.inf else []
            if above:
                groups += [[c for c in group if self._last[c] <= low], *([c] for c in above[::-1])]
            else:
                half = (len(group) + 1) // 2
                groups += [group[half:], group[:half]]  # the first half next
        return False

    def protected(
        self, which: np.ndarray, marked: np.ndarray, threshold: int, *, until: bool = False
    ) -> np.ndarray:
        """Whether each query ``which`` (with its ``marked``) is :func:`protected`, as on
        its exact bounds, solving bounds only where no witness answers (see the module).
        With ``until``, the answer stops at the first query that is not: those after it
        are left unanswered (True)."""
        which = np.asarray(which, dtype=int)
        marked = np.asarray(marked, bool)
        sense = self._highspy.ObjSense
        top = threshold - 1 - _EPS
        # witnesses for all the cells together, while a round finds new ones
        for side in ("low", "high"):
            lacking = None
            while True:
                if side == "low":
                    need = which[self.lowest[which] > 1 + _EPS]
                else:
                    need = which[self.highest[which] < top]
                if not len(need) or (lacking is not None and len(need) >= lacking):
                    break
                lacking = len(need)
                if side == "low":
                    self._solve(
                        self._cost(row=np.asarray(self._q[need].sum(axis=0)).ravel()),
                        sense.kMinimize,
                    )
                else:
                    y = np.zeros(self._k)
                    y[need] = 1.0
                    self._solve(self._cost(y=y), sense.kMaximize)
        result = np.zeros(len(which), bool)
        for j, (i, is_marked) in enumerate(zip(which, marked, strict=True)):
            if until and j and not result[j - 1]:
                result[j:] = True
                break
            low, high = self.lowest[i], self.highest[i]
            if low <= 1 + _EPS and high >= top:
                result[j] = True  # both witnessed
                continue
            cost = self._cost(self._query(i))
            exact_low = exact_high = False
            if low > 1 + _EPS:
                low, exact_low = self._solve(cost, sense.kMinimize), True
                if is_marked and low > 1 + _EPS:
                    continue  # narrowed from below; marked small, no width makes up for it
            if high < top and exact_low and self._constant():
                high, exact_high = low, True  # its value is the same in every table
            elif high < top:
                high, exact_high = self._solve(cost, sense.kMaximize), True
            if low <= 1 + _EPS and high >= top:
                result[j] = True
                continue
            if is_marked:
                continue
            # not marked small: an interval at least threshold wide also protects it
            if not exact_low and exact_high and self._constant():
                low, exact_low = high, True  # as above, the other way round
            elif not exact_low:
                low = self._solve(cost, sense.kMinimize)
            if not exact_high:
                high = self._solve(cost, sense.kMaximize)
            result[j] = protected(low, high, threshold=threshold, marked=False)
        return result


def merge(a: sparse.csr_array) -> tuple[np.ndarray, sparse.csr_array]:
    """The merging of equal columns :class:`Intruder` makes of ``a`` (the first of each
    group of equal columns, and ``a`` over them), for its ``merged``."""
    reps = _distinct_columns(sparse.csc_array(a))
    return reps, sparse.csr_array(a)[:, reps]


def _forced_zero(
    a: sparse.csr_array, low: np.ndarray, high: np.ndarray
) -> tuple[np.ndarray, list[int]]:
    """The columns of ``a`` (unknowns at least 0) that some rows force to 0, and those
    rows: a row bounded above by 0 whose entries (of columns not yet forced) are all
    positive, or bounded below by 0 whose entries are all negative, forces each of its
    columns to 0; repeated while that finds more (the agreement of two groups of
    dimensions, mine less theirs = 0, forces mine to 0 once theirs are). Returns the
    columns left (ascending) and the rows used."""
    a = sparse.csr_array(a)
    n = a.shape[1]
    rows_of = np.repeat(np.arange(a.shape[0]), np.diff(a.indptr))
    positive = a.data > 0
    dead = np.zeros(n, bool)
    used = np.zeros(a.shape[0], bool)
    while True:
        alive = ~dead[a.indices]
        count = np.bincount(rows_of[alive], minlength=a.shape[0])
        plus = np.bincount(rows_of[alive & positive], minlength=a.shape[0])
        minus = count - plus
        forcing = (
            (count > 0)
            & ~used
            & (((high <= 0) & (low <= 0) & (minus == 0)) | ((low >= 0) & (high >= 0) & (plus == 0)))
        )
        if not forcing.any():
            break
        used |= forcing
        dead[a.indices[forcing[rows_of]]] = True
    return np.flatnonzero(~dead), np.flatnonzero(used).tolist()


def _distinct_columns(matrix: sparse.csc_array) -> np.ndarray:
    """The first of each group of equal columns of ``matrix``. Unknowns with equal
    columns enter every row alike, so the bounds of any row over ``x >= 0`` are those
    over one unknown per group (their total).

    Columns are grouped by their number of entries and two random hashes of their
    (row, value) entries, and each column is then compared entry by entry with the first
    of its group: the groups are exact (a chance collision of hashes is split by
    :func:`_distinct_columns_slowly`)."""
    matrix = sparse.csc_array(matrix)
    matrix.sum_duplicates()
    matrix.sort_indices()
    n = matrix.shape[1]
    if not n:
        return np.zeros(0, dtype=np.int64)
    indptr = matrix.indptr.astype(np.int64)
    rows = matrix.indices.astype(np.int64)
    values = np.ascontiguousarray(matrix.data, dtype=float).view(np.uint64)
    sizes = np.diff(indptr)
    rng = np.random.default_rng(0)
    keys = [sizes.astype(np.uint64)]
    for _ in range(2):
        weights = rng.integers(1, 2**63, size=matrix.shape[0], dtype=np.uint64) | np.uint64(1)
        mix = rng.integers(1, 2**63, dtype=np.uint64) | np.uint64(1)
        with np.errstate(over="ignore"):
            entry = weights[rows] * ((values ^ (values >> np.uint64(29))) * mix | np.uint64(1))
            total = np.concatenate([np.zeros(1, np.uint64), np.cumsum(entry, dtype=np.uint64)])
            keys.append(total[indptr[1:]] - total[indptr[:-1]])
    order = np.lexsort(keys[::-1])  # stable: a group's first column comes first
    starts = np.ones(n, bool)
    starts[1:] = np.any([np.diff(k[order]) != 0 for k in keys], axis=0)
    first = order[starts]
    group = np.empty(n, np.int64)
    group[order] = np.cumsum(starts) - 1
    # every column against the first of its group, entry by entry
    column = np.repeat(np.arange(n), sizes)
    rep = first[group][column]
    mine = np.arange(len(rows))
    theirs = indptr[rep] + (mine - indptr[column])
    if not (np.array_equal(rows[mine], rows[theirs]) and np.array_equal(values, values[theirs])):
        return _distinct_columns_slowly(matrix)
    return np.sort(first).astype(np.int64)


def _distinct_columns_slowly(matrix: sparse.csc_array) -> np.ndarray:
    """:func:`_distinct_columns` by comparing every column's entries as a whole (a
    sorted, summed ``matrix``)."""
    seen: dict[tuple[bytes, bytes], int] = {}
    first = []
    for j in range(matrix.shape[1]):
        span = slice(matrix.indptr[j], matrix.indptr[j + 1])
        key = (matrix.indices[span].tobytes(), matrix.data[span].tobytes())
        if key not in seen:
            seen[key] = j
            first.append(j)
    return np.asarray(first, dtype=np.int64)
