"""Secondary suppression within one table, and the intruder that audits it: the lines
along which counts add up, the heuristic that leaves no line with a single hidden
cell, the linear-programming attack on the pattern, and which hidden cells may carry
the mark of a small count. Used by :func:`cape_study.privacy.disclosure.suppress`, whose
docstring states the rules."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import sparse

from cape_study.privacy.intruder import Intruder

__all__ = ["audited", "lines_of", "marks", "secondary"]


def lines_of(table: pd.DataFrame, keys: list[str]) -> dict[str, pd.Series]:
    """For each key, the line of each cell: its group among cells equal in the other keys."""
    lines = {}
    for key in keys:
        others = [k for k in keys if k != key]
        lines[key] = (
            table.groupby(others, observed=True, dropna=False).ngroup()
            if others
            else pd.Series(0, index=table.index)
        )
    return lines


def _hide_one(
    values: pd.Series,
    reason: pd.Series,
    lines: dict[str, pd.Series],
    key: str | None,
    candidates: list[int],
) -> None:
    """Hide the cheapest of ``candidates`` (cells of a line along ``key``, or any cells
    when ``key`` is None): prefer one whose other lines already hold a hidden cell (so
    one suppression protects two lines), then a non-zero cell, then the smallest."""
    hidden = reason.notna()
    hidden_in = {k: hidden.groupby(lines[k]).sum() for k in lines}

    def cost(i: int) -> tuple[int, bool, int]:
        opens = sum(hidden_in[k][lines[k][i]] == 0 for k in lines if k != key)
        return opens, values[i] == 0, int(values[i])

    reason[min(candidates, key=cost)] = f"secondary ({key or 'audit'})"


def secondary(values: pd.Series, reason: pd.Series, lines: dict[str, pd.Series]) -> None:
    """Hide further cells until no additive line has exactly one hidden cell."""
    while True:
        hidden = reason.notna()
        found = None
        for key, line_of in lines.items():
            per_line = hidden.groupby(line_of).agg(["sum", "size"])
            single = per_line.index[(per_line["sum"] == 1) & (per_line["size"] > 1)]
            if len(single):
                found = key, single[0]
                break
        if found is None:
            return
        key, line = found
        candidates = [i for i in values.index[lines[key] == line] if not hidden[i]]
        _hide_one(values, reason, lines, key, candidates)


def audited(
    values: pd.Series, reason: pd.Series, lines: dict[str, pd.Series], threshold: int, name: str
) -> None:
    """Hide further cells until no hidden non-zero cell's feasible interval is a single
    value. Each round hides one more cell in a line of each exposed cell (unless an
    earlier exposed cell of the round already opened that line; any other cell when
    its lines are all hidden), then repeats the line heuristic."""
    while True:
        hidden = reason.notna()
        truth = values.fillna(0).to_numpy(dtype=float)
        exposed = _exposed(truth, hidden.to_numpy(), lines, threshold)
        if not exposed:
            return
        touched: set[tuple[str, int]] = set()
        for cell in exposed:
            hidden = reason.notna()
            if any((key, lines[key][cell]) in touched for key in lines):
                continue
            choice = [
                (key, [j for j in values.index[lines[key] == lines[key][cell]] if not hidden[j]])
                for key in lines
            ]
            choice = [(key, c) for key, c in choice if c]
            if choice:
                key, candidates = min(choice, key=lambda kc: min(int(values[j]) for j in kc[1]))
                _hide_one(values, reason, lines, key, candidates)
                touched.add((key, lines[key][cell]))
            elif not hidden.all():
                _hide_one(values, reason, lines, None, list(values.index[~hidden]))
                touched.update((key, lines[key][cell]) for key in lines)
        if not touched:
            warnings.warn(
                f"table {name!r}: {len(exposed)} hidden cell(s) can still be recovered from "
                "the line totals, which are themselves disclosive; do not publish them",
                stacklevel=3,
            )
            return
        secondary(values, reason, lines)


def _exposed(
    values: np.ndarray, hidden: np.ndarray, lines: dict[str, pd.Series], threshold: int
) -> list[int]:
    """The hidden non-zero cells whose value an intruder can pin down exactly.

    The intruder knows the published cells, every line total along every key (a total
    from 1 to ``threshold - 1`` only as that: it would be suppressed where published)
    and that counts are whole non-negative numbers. A cell is
    exposed when no feasible table gives it another value: neither its maximum nor its
    minimum differs from the truth. With two keys the constraints are those of a
    transportation problem, whose matrix is totally unimodular, so the linear programme
    already has whole-number optima; with more keys integrality is imposed.
    """
    cells = np.flatnonzero(hidden)
    extreme = _intruder(values, hidden, lines, threshold, np.zeros(len(values), bool))
    if extreme is None:
        return []
    exposed = []
    for k, cell in enumerate(cells):
        truth = values[cell]
        if truth == 0:
            continue  # a zero may be published: pinning it down discloses nothing
        if extreme(k, -1.0) < truth + 1 - 1e-6 and extreme(k, 1.0) > truth - 1 + 1e-6:
            exposed.append(int(cell))
    return exposed


def _intruder(
    values: np.ndarray,
    hidden: np.ndarray,
    lines: dict[str, pd.Series],
    threshold: int,
    marked: np.ndarray,
):
    """``extreme(k, sign)``: the least (sign 1) or greatest (sign -1, negated back) value
    of the ``k``-th hidden cell that the intruder of :func:`_exposed` finds, who also
    reads the marks: a cell ``marked`` small is from 1 to ``threshold - 1``. None when no
    hidden cell shares a line with another cell (nothing to subtract)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    cells = np.flatnonzero(hidden)
    if not len(cells):
        return None
    rows, low_sum, high_sum = [], [], []
    for line_of in lines.values():
        ids = line_of.to_numpy()
        for line in np.unique(ids[cells]):
            member = ids == line
            if member.sum() == 1:
                continue  # the total of a one-cell line is the cell: not published apart
            total = values[member].sum()
            shown = values[member & ~hidden].sum()
            rows.append((ids[cells] == line).astype(float))
            if 0 < total < threshold:  # a small total is only known to be small
                low_sum.append(max(1.0 - shown, 0.0))
                high_sum.append(threshold - 1.0 - shown)
            else:
                low_sum.append(total - shown)
                high_sum.append(total - shown)
    if not rows:
        return None
    a = np.array(rows)
    small = np.asarray(marked, bool)[cells]
    lower = np.where(small, 1.0, 0.0)
    upper = np.where(small, threshold - 1.0, np.inf)

    if len(lines) <= 2:
        # a transportation problem: its linear programme has whole-number optima, solved
        # from cell to cell in one model (cape_study.privacy.intruder)
        lp = Intruder(
            sparse.csr_array(a), np.asarray(low_sum), np.asarray(high_sum), columns=(lower, upper)
        )

    def extreme(k: int, sign: float) -> float:
        if len(lines) <= 2:
            try:
                value = lp.extreme(k, largest=sign < 0)
            except ValueError:
                return values[cells[k]]
            return value if np.isfinite(value) else values[cells[k]]
        c = np.zeros(len(cells))
        c[k] = sign
        res = milp(
            c,
            constraints=LinearConstraint(a, low_sum, high_sum),
            bounds=Bounds(lower, upper),
            integrality=np.ones(len(cells)),
        )
        return sign * res.fun if res.success else values[cells[k]]

    return extreme


def marks(
    values: pd.Series, reason: pd.Series, lines: dict[str, pd.Series], threshold: int
) -> pd.Series:
    """Which hidden cells carry the mark of a small count: the small ones (reason
    ``primary``) whose mark tells the intruder of :func:`_intruder` no more than the
    interval it finds: every value from 1 to ``threshold - 1`` stays feasible; the others
    keep the mark of any hidden count. The most narrowed marked cell loses its mark and
    the check repeats; a cell without the mark that the marks of others pin down takes
    every small mark of the table away (as :func:`audited` left it, protected)."""
    hidden = reason.notna().to_numpy()
    marked = (reason == "primary").fillna(False).to_numpy()
    truth = values.fillna(0).to_numpy(dtype=float)
    cells = np.flatnonzero(hidden)
    while marked.any() and lines:
        extreme = _intruder(truth, hidden, lines, threshold, marked)
        if extreme is None:
            break
        demote = []
        for k, cell in enumerate(cells):
            if reason[cell] != "primary":
                continue
            low, high = extreme(k, 1.0), extreme(k, -1.0)
            if marked[cell]:
                if low > 1 + 1e-6 or high < threshold - 1 - 1e-6:
                    demote.append((high - low, cell))
            elif high - low < 1 - 1e-6:
                return pd.Series(False, index=values.index)
        if not demote:
            break
        marked[min(demote)[1]] = False  # the most narrowed first: that may free the others
    return pd.Series(marked, index=values.index)
