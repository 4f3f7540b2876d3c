"""Disclosure control over the whole report: count tables linked by what they count.

Each table of a report is protected on its own by :func:`cape_study.privacy.disclosure.suppress`,
but tables of the same cases are linked: the intake table of cases by year and country and
the attrition funnel by period publish the same cases, so a hidden year can be the period
total minus the other years. This module states what every published count table says as
linear equations over one set of unknown counts and bounds every hidden cell as an
intruder would who knows all of them (Hundepool et al., *Statistical Disclosure Control*,
Wiley 2012, sect. 4.3.1 and 4.4.6, linked tables; de Wolf and Giessing, "Adjusting the
tau-argus modular approach to deal with linked tables", *Data & Knowledge Engineering* 68,
2009).

**Cells as boxes.** A registered cell counts the units whose characteristics fall in one
box: a code per categorical dimension (``country``, ``police_region``, ``sector`` ...; the
label ``"all"`` is every code), a range of years for a dimension of years (a year, or a
period such as ``"2013–2016"``: periods of different tables must nest or coincide, which
holds for periods of whole calendar years), and for a nested dimension such as the stage
a case reached, every stage from the given one on (a case that reached prosecution also
reached investigation). A dimension a table does not have is not restricted.

**The intruder's equations.** The unknowns are the counts of units in every combination
of the dimensions' classes. Since a report's tables share a few dimensions (country and
stage) and differ in one more (year, region, sector ...), the combinations need only be
counted per group of dimensions that some table uses together (a clique), with the
cliques agreeing on the counts over the dimensions they share. For cliques that form a
decomposable model (running intersection), every set of consistent clique tables is the
margin of some full table (Dobra and Fienberg, "Bounds for cell entries in contingency
tables given marginal totals and decomposable graphs", *PNAS* 97, 2000), so the bounds are
those of the full cross-classification, found with far fewer unknowns. Each published cell
is an equation; counts are non-negative; the feasible interval of a hidden cell is its
minimum and maximum by linear programming (HiGHS, through highspy; the linear bounds
contain the integer ones).

**Protection.** Tables are registered one after the other (within a notebook run and, through
a saved registry, after the steps before it). The intruder also reads the marks: a cell
marked small is from 1 to the threshold less one (:func:`mark_bounds`). When a table is
added, every small hidden cell of every table registered so far must keep every value from
1 to the threshold less one feasible, or, if not marked small, an interval at least the
threshold wide (:func:`protected`: no one can narrow it below what "under the threshold"
says); while one does not, a further cell of the new table is hidden
(the smallest non-zero published cell covering the largest share of the exposed cell's
box), since earlier tables are already published. Then the new table's small cells get the
small mark where that keeps every such cell protected (:func:`mark`); the others the mark
of any hidden count.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from cape_study.privacy.intruder import Intruder, mark_bounds, protected

__all__ = [
    "Dimension",
    "LinkedTable",
    "exposed",
    "feasible_intervals",
    "mark",
    "mark_bounds",
    "protect",
    "protected",
]

_YEARS = re.compile(r"^\s*(\d{4})\s*-\s*(\d{4})\s*$")
_DAY = re.compile(r"^(\d{4})(?:-(\d{2})-(\d{2}))?$")
#: The ends of an open span of dates (``"–2018-06-30"``, ``"2018-07-01–"``).
_FIRST, _LAST = dt.date.min.toordinal(), dt.date.max.toordinal()
ALL = "all"


@dataclass(frozen=True)
class Dimension:
    """How a dimension's values are read: ``"code"`` (categorical, ``"all"`` = every
    code; ``order``, if given, lists every code, also those no table shows), ``"years"``
    (a span of dates: a year, a period ``"2013–2016"``, or days ``"2018-07-01–2019-12-31"``,
    either end open: ``"–2018-06-30"`` is every day before 1 July 2018), ``"nested"``
    (a value stands for itself and every later value of ``order``) or ``"sets"`` (the
    classes are ``order``; ``members`` gives each further value as the set of classes
    it stands for: a stage reached is every course that reached it)."""

    kind: str = "code"
    order: tuple[str, ...] = ()
    members: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in {"code", "years", "nested", "sets"}:
            raise ValueError(f"dimension kind {self.kind!r}; known: code, years, nested, sets")
        if self.kind in {"nested", "sets"} and not self.order:
            raise ValueError(f"a {self.kind} dimension needs its order")
        unknown = {c for _, classes in self.members for c in classes} - set(self.order)
        if unknown:
            raise ValueError(f"members name classes not in the order: {sorted(unknown)}")

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "order": list(self.order),
            "members": {value: list(classes) for value, classes in self.members},
        }

    @classmethod
    def from_json(cls, spec: Mapping) -> Dimension:
        members = tuple((v, tuple(c)) for v, c in spec.get("members", {}).items())
        return cls(spec["kind"], tuple(spec["order"]), members)


@dataclass
class LinkedTable:
    """One published count table: a row per cell, its dimensions, the count (missing
    where hidden), which hidden cells are small (hidden for their own sake, the cells
    to protect; the other hidden cells protect them) and which are ``marked`` as small
    (the mark of a small count, which tells a reader it is from 1 to the threshold less
    one; the other hidden cells carry the mark of any hidden count).

    ``dims`` maps a column of ``cells`` to the dimension it holds; ``fixed`` gives
    dimensions that hold one value for the whole table."""

    name: str
    cells: pd.DataFrame
    count: str
    dims: Mapping[str, str]
    small: Sequence[bool] = ()
    fixed: Mapping[str, str] = field(default_factory=dict)
    unit: str = "cases"
    marked: Sequence[bool] = ()

    def __post_init__(self) -> None:
        self._hidden = self.cells[self.count].isna().to_numpy()
        self.small = np.asarray(self.small if len(self.small) else self._hidden & False, bool)
        self.marked = np.asarray(self.marked if len(self.marked) else self._hidden & False, bool)
        columns = list(self.dims)
        self._records = [
            {
                "cell": {
                    **{self.dims[c]: str(v) for c, v in zip(columns, row[:-1], strict=True)},
                    **{d: str(v) for d, v in self.fixed.items()},
                },
                "count": None if hidden else int(row[-1]),
                "small": bool(small),
                "marked": bool(marked),
            }
            for row, hidden, small, marked in zip(
                self.cells[[*columns, self.count]].itertuples(index=False, name=None),
                self._hidden,
                self.small,
                self.marked,
                strict=True,
            )
        ]

    @property
    def dimensions(self) -> frozenset[str]:
        return frozenset(self.dims.values()) | frozenset(self.fixed)

    def hidden(self) -> np.ndarray:
        return self._hidden

    def records(self) -> list[dict]:
        """The cells as plain records (dimension -> value; ``count``, None where hidden;
        ``small``; ``marked``: shown with the mark of a small count), the form a registry
        is saved in: only what the table publishes."""
        return self._records


def _day(text: str, value: str, *, first: bool) -> int:
    match = _DAY.match(text.strip())
    if not match:
        raise ValueError(
            f"{value!r} is not a year, a period such as '2013–2016' or a span of days "
            "such as '2018-07-01–2019-12-31'"
        )
    year, month, day = match.groups()
    if month is None:
        return dt.date(int(year), 1 if first else 12, 1 if first else 31).toordinal()
    return dt.date(int(year), int(month), int(day)).toordinal()


def _years(value: str) -> tuple[int, int]:
    """The first and last day (ordinals) of a year, period or span of days."""
    text = str(value).strip()
    hyphen = _YEARS.match(text)
    if hyphen:
        low, high = hyphen.groups()
    elif "–" in text:
        low, _, high = text.partition("–")
    else:
        low = high = text
    if not low.strip() and not high.strip():
        raise ValueError(f"{value!r}: a span of dates needs at least one end")
    lo = _day(low, text, first=True) if low.strip() else _FIRST
    hi = _day(high, text, first=False) if high.strip() else _LAST
    if lo > hi:
        raise ValueError(f"{value!r} ends before it begins")
    return lo, hi


class _Space:
    """The classes of every dimension, and each cell's box as class indices."""

    def __init__(self, cells: list[dict], dimensions: Mapping[str, Dimension]) -> None:
        self.dimensions = dimensions
        self.classes: dict[str, list] = {}
        for dim, spec in dimensions.items():
            values = {c[dim] for c in cells if dim in c and c[dim] != ALL}
            if spec.kind in {"nested", "sets"} or spec.order:
                self.classes[dim] = list(spec.order)
            elif spec.kind == "years":
                ranges = sorted({_years(v) for v in values})
                cuts = sorted({lo for lo, _ in ranges} | {hi + 1 for _, hi in ranges})
                self.classes[dim] = list(itertools.pairwise(cuts))
            else:
                self.classes[dim] = sorted(values)

    def box(self, cell: dict, dim: str) -> list[int]:
        classes = self.classes[dim]
        value = cell.get(dim, ALL)
        if value == ALL:
            return list(range(len(classes)))
        spec = self.dimensions[dim]
        if spec.kind == "sets":
            members = dict(spec.members)
            if value in members:
                return [classes.index(c) for c in members[value]]
            if value not in classes:
                raise ValueError(f"{dim} {value!r} is not one of {[*classes, *members]}")
            return [classes.index(value)]
        if spec.kind == "nested":
            if value not in spec.order:
                raise ValueError(f"{dim} {value!r} is not one of {list(spec.order)}")
            return list(range(spec.order.index(value), len(classes)))
        if spec.kind == "years":
            lo, hi = _years(value)
            return [k for k, (a, b) in enumerate(classes) if lo <= a and b - 1 <= hi]
        return [classes.index(value)]


def _declared(
    tables: Sequence[LinkedTable], dimensions: Mapping[str, Dimension]
) -> dict[str, Dimension]:
    """Every dimension of ``tables``, categorical unless declared otherwise."""
    return {d: dimensions.get(d, Dimension()) for t in tables for d in sorted(t.dimensions)}


def _cliques(dim_sets: list[frozenset[str]]) -> list[tuple[str, ...]]:
    """The maximal dimension sets, ordered so that each one's intersection with those
    before it lies in one of them (running intersection); otherwise one merged clique."""
    maximal = sorted(
        {s for s in dim_sets if not any(s < t for t in dim_sets)},
        key=lambda s: (-len(s), sorted(s)),
    )
    for j in range(1, len(maximal)):
        before = frozenset().union(*maximal[:j])
        if not any(maximal[j] & before <= maximal[i] for i in range(j)):
            return [tuple(sorted(frozenset().union(*maximal)))]
    return [tuple(sorted(s)) for s in maximal]


class _System:
    """The intruder's equations for ``tables``: the cliques' agreement on shared
    dimensions, and a row per cell of every table (an equation where it is published)."""

    def __init__(self, tables: Sequence[LinkedTable], dimensions: Mapping[str, Dimension]):
        records = [t.records() for t in tables]
        dimensions = _declared(tables, dimensions)
        space = _Space([r["cell"] for rs in records for r in rs], dimensions)
        cliques = _cliques([t.dimensions for t in tables])
        offsets, shapes = [], []
        size = 0
        for clique in cliques:
            shape = tuple(len(space.classes[d]) for d in clique)
            offsets.append(size)
            shapes.append(shape)
            size += int(np.prod(shape)) if shape else 1
        if size > 200_000:
            raise ValueError(
                f"the linked tables span {size:,} combinations; register fewer dimensions"
            )

        def entries(k: int, boxes: Mapping[str, list[int]]) -> np.ndarray:
            clique, shape = cliques[k], shapes[k]
            mask = np.ones(shape, dtype=bool)
            for axis, dim in enumerate(clique):
                keep = np.zeros(shape[axis], dtype=bool)
                keep[boxes.get(dim, slice(None))] = True
                mask &= keep.reshape([-1 if a == axis else 1 for a in range(len(shape))])
            return offsets[k] + np.flatnonzero(mask.ravel())

        def matrix(rows: list[tuple[np.ndarray, np.ndarray]]) -> sparse.csr_array:
            if not rows:
                return sparse.csr_array((0, size))
            data = np.concatenate([v for _, v in rows])
            cols = np.concatenate([c for c, _ in rows])
            ptr = np.concatenate([[0], np.cumsum([len(c) for c, _ in rows])])
            return sparse.csr_array((data, cols, ptr), shape=(len(rows), size))

        agree = []
        for j in range(1, len(cliques)):
            shared = [d for d in cliques[j] if d in frozenset().union(*cliques[:j])]
            parent = next(i for i in range(j) if set(shared) <= set(cliques[i]))
            for combo in itertools.product(*(range(len(space.classes[d])) for d in shared)):
                boxes = {d: [c] for d, c in zip(shared, combo, strict=True)}
                mine, theirs = entries(j, boxes), entries(parent, boxes)
                agree.append(
                    (
                        np.concatenate([mine, theirs]),
                        np.concatenate([np.ones(len(mine)), -np.ones(len(theirs))]),
                    )
                )
        self.agree = matrix(agree)
        self.size = size
        self.cells = []
        self.clique = []
        self._entries, self._space, self._records = entries, space, records
        for table, recs in zip(tables, records, strict=True):
            k = next(i for i, c in enumerate(cliques) if table.dimensions <= set(c))
            self.clique.append(k)
            rows = []
            for r in recs:
                cols = entries(k, {d: space.box(r["cell"], d) for d in table.dimensions})
                rows.append((cols, np.ones(len(cols))))
            self.cells.append(matrix(rows))

    def equations(
        self, tables: Sequence[LinkedTable], threshold: int | None = None
    ) -> tuple[sparse.csr_array, np.ndarray, np.ndarray]:
        """``A``, ``lower`` and ``upper`` for the cells of ``tables`` (the tables of this
        system, with perhaps more cells hidden), a row per cell in order: a published cell
        is an equation; with ``threshold``, a hidden cell is what its mark says
        (:func:`mark_bounds`), else only that it is not negative."""
        parts = [self.agree, *self.cells]
        low, high = [np.zeros(self.agree.shape[0])], [np.zeros(self.agree.shape[0])]
        for table in tables:
            hidden = table.hidden()
            values = table.cells[table.count].to_numpy(dtype=float, na_value=np.nan)
            a, b = mark_bounds(np.asarray(table.marked, bool), threshold or 1)
            if threshold is None:
                a, b = np.zeros(len(hidden)), np.full(len(hidden), np.inf)
            low.append(np.where(hidden, a, values))
            high.append(np.where(hidden, b, values))
        return sparse.vstack(parts, format="csr"), np.concatenate(low), np.concatenate(high)

    def box(self, table: int, cell: int, clique: int) -> np.ndarray:
        """The unknowns of clique ``clique`` that cell ``cell`` of table ``table`` adds
        up (its box in a clique, perhaps not its own, that holds its dimensions)."""
        record = self._records[table][cell]["cell"]
        dims = [d for d in record if d in self._space.classes]
        return self._entries(clique, {d: self._space.box(record, d) for d in dims})

    def row(self, table: int, cell: int) -> int:
        """The row of :meth:`equations` that holds cell ``cell`` of table ``table``."""
        return self.agree.shape[0] + sum(rows.shape[0] for rows in self.cells[:table]) + cell


def feasible_intervals(
    tables: Sequence[LinkedTable],
    dimensions: Mapping[str, Dimension],
    threshold: int | None = None,
) -> list[list[tuple[float, float] | None]]:
    """The smallest and largest value of every hidden cell that every published cell of
    ``tables`` allows (None for a published cell), per table and cell; with
    ``threshold``, also what the hidden cells' marks say (:func:`mark_bounds`)."""
    system = _System(tables, dimensions)
    intruder = Intruder(*system.equations(tables, threshold))
    return [
        [intruder.interval(rows[[i]]) if hidden else None for i, hidden in enumerate(t.hidden())]
        for t, rows in zip(tables, system.cells, strict=True)
    ]


def protect(
    tables: Sequence[LinkedTable],
    new: LinkedTable,
    truth: pd.Series,
    dimensions: Mapping[str, Dimension],
    *,
    threshold: int,
) -> tuple[list[int], list[str]]:
    """Hide further cells of ``new`` until, knowing ``tables`` and ``new`` and what the
    hidden cells' marks say (:func:`mark_bounds`; ``new`` with the mark of any hidden
    count), every small hidden cell is :func:`protected`.

    ``truth`` holds the true counts of ``new`` (the choice prefers small non-zero cells).
    Hiding a cell only removes an equation, so an interval found wide enough stays so:
    each hidden cell is checked once, and again (after each cell hidden, all of them at
    once) only while it is exposed: the cells hidden are those of checking one cell at a
    time in order. Returns the
    positions of the cells hidden here and the names of tables with a hidden cell that
    stays exposed (empty when all are protected).
    """
    linked = [t for t in tables if t.unit == new.unit]
    cells = new.cells.copy()
    cells[new.count] = cells[new.count].astype("Int64")
    values = truth.reset_index(drop=True)
    last = len(linked)
    queue = [
        (t, int(i))
        for t, table in enumerate(linked)
        if _nested(table, new)
        for i in np.flatnonzero(table.small)
    ]
    queue += [(last, int(i)) for i in np.flatnonzero(new.small)]
    added: list[int] = []
    exposed: set[str] = set()
    system = _System([*linked, new], dimensions)
    current = LinkedTable(new.name, cells, new.count, new.dims, new.small, new.fixed, new.unit)
    intruder = _intruder(system, [*linked, current], queue, threshold)
    marked = [bool([*linked, current][t].marked[i]) for t, i in queue]
    todo = _still_exposed(intruder, list(range(len(queue))), marked, threshold)
    while todo:
        everything = [*linked, current]
        t, i = queue[todo[0]]
        shown = [j for j in range(len(cells)) if pd.notna(cells.at[j, new.count])]
        candidates = [j for j in shown if values[j] > 0] or shown
        if not candidates:
            exposed.add(everything[t].name)
            todo.pop(0)
            continue
        target = everything[t].records()[i]["cell"]
        own = current.records()
        declared = _declared(everything, dimensions)
        space = _Space([target, *(r["cell"] for r in own)], declared)

        def overlap(j: int, target=target, own=own, space=space, declared=declared) -> float:
            """The share of the exposed cell's box that cell ``j`` covers."""
            share = 1.0
            for d in declared:
                mine, theirs = set(space.box(own[j]["cell"], d)), set(space.box(target, d))
                share *= len(mine & theirs) / max(len(theirs), 1)
            return share

        choice = max(candidates, key=lambda j: (overlap(j), -int(values[j])))
        cells.at[choice, new.count] = pd.NA
        added.append(choice)
        current = LinkedTable(new.name, cells, new.count, new.dims, new.small, new.fixed, new.unit)
        # hiding the cell turns its equation into the bound of a hidden count: every table
        # found so far stays feasible, so the model and its witnesses are kept
        intruder.relax(system.row(last, choice), 0.0, np.inf)
        if not _still_exposed(intruder, todo[:1], marked, threshold):
            todo = _still_exposed(intruder, todo[1:], marked, threshold)
    return added, sorted(exposed)


def _intruder(
    system: _System,
    tables: Sequence[LinkedTable],
    cells: Sequence[tuple[int, int]],
    threshold: int,
) -> Intruder:
    """The intruder who knows every published cell of ``tables`` (the tables of
    ``system`` as they are now) and what every mark says, asked about ``cells``."""
    queries = sparse.vstack(
        [system.cells[t][[i]] for t, i in cells] or [sparse.csr_array((0, system.size))],
        format="csr",
    )
    return Intruder(*system.equations(tables, threshold), queries, threshold - 1)


def _still_exposed(
    intruder: Intruder, which: list[int], marked: Sequence[bool], threshold: int
) -> list[int]:
    """The queries ``which`` of ``intruder`` that are not :func:`protected`, in order."""
    if not which:
        return []
    safe = intruder.protected(np.asarray(which), np.asarray(marked, bool)[which], threshold)
    return [q for q, ok in zip(which, safe, strict=True) if not ok]


def _exposed_cells(
    system: _System,
    tables: Sequence[LinkedTable],
    cells: Sequence[tuple[int, int]],
    threshold: int,
) -> list[tuple[int, int]]:
    """The ``(table, cell)`` of ``cells`` (small hidden cells of ``tables``, the tables of
    ``system`` as they are now) that are not :func:`protected`, in their order, from an
    intruder who knows every published cell and what every mark says."""
    marked = [bool(tables[t].marked[i]) for t, i in cells]
    intruder = _intruder(system, tables, cells, threshold)
    return [cells[q] for q in _still_exposed(intruder, list(range(len(cells))), marked, threshold)]


def _nested(table: LinkedTable, new: LinkedTable) -> bool:
    """Whether ``table``'s dimensions lie within ``new``'s or contain them: the earlier
    tables whose small cells :func:`protect` and :func:`mark` check again when ``new``
    is added. (A table in another group of dimensions is reached only through the
    margins the two share, which the report's tables mostly publish; :func:`exposed`
    checks every table of the report at the end.)"""
    return table.dimensions <= new.dimensions or new.dimensions <= table.dimensions


def exposed(
    tables: Sequence[LinkedTable], dimensions: Mapping[str, Dimension], *, threshold: int
) -> list[str]:
    """The names of ``tables`` with a small hidden cell that is not :func:`protected`
    from an intruder who knows every published cell of the tables of its unit and what
    every mark says (empty when every one is)."""
    found = []
    for unit in dict.fromkeys(t.unit for t in tables):
        mine = [t for t in tables if t.unit == unit]
        cells = [(t, int(i)) for t, table in enumerate(mine) for i in np.flatnonzero(table.small)]
        bad = {t for t, _ in _exposed_cells(_System(mine, dimensions), mine, cells, threshold)}
        found += [table.name for t, table in enumerate(mine) if t in bad]
    return found


def mark(
    tables: Sequence[LinkedTable],
    new: LinkedTable,
    dimensions: Mapping[str, Dimension],
    *,
    threshold: int,
) -> np.ndarray:
    """Which of ``new``'s cells ``new.marked`` offers may carry the mark of a small count,
    given ``tables`` as published: every small hidden cell of them and of ``new`` stays
    :func:`protected`. A marked cell that is not is given the mark of any hidden count,
    and the check repeats; when a cell of another table, or an unmarked one, is exposed,
    no cell of ``new`` is marked small (as :func:`protect` left it, which protects them)."""
    linked = [t for t in tables if t.unit == new.unit]
    marked = np.asarray(new.marked, bool).copy()
    system = _System([*linked, new], dimensions)
    while marked.any():
        current = LinkedTable(
            new.name, new.cells, new.count, new.dims, new.small, new.fixed, new.unit, marked
        )
        everything = [*linked, current]
        cells = [
            (t, int(i))
            for t, table in enumerate(everything)
            if t == len(linked) or _nested(table, new)
            for i in np.flatnonzero(table.small)
        ]
        # a cell of another table, or one not marked, exposed: no cell is marked small;
        # those are asked first, up to the first exposed one
        fatal = [q for q, (t, i) in enumerate(cells) if t != len(linked) or not marked[i]]
        intruder = _intruder(system, everything, cells, threshold)
        flags = np.asarray([bool(everything[t].marked[i]) for t, i in cells])
        if (
            fatal
            and not intruder.protected(np.asarray(fatal), flags[fatal], threshold, until=True).all()
        ):
            return np.zeros(len(marked), bool)
        rest = [q for q in range(len(cells)) if q not in set(fatal)]
        demote = [cells[q][1] for q in _still_exposed(intruder, rest, flags, threshold)]
        demote = demote or _narrowed_parts(system, everything, cells, intruder, threshold)
        if not demote:
            break
        marked[demote] = False
    return marked


def _narrowed_parts(
    system: _System,
    tables: Sequence[LinkedTable],
    cells: Sequence[tuple[int, int]],
    intruder: Intruder,
    threshold: int,
) -> list[int]:
    """The marked cells of the new table (the last of ``tables``) to give the mark of any
    hidden count: those with a part (a combination of classes) that may hold cases but
    not ``threshold - 1`` of them, and those that overlap a marked cell of an earlier
    table with such a part. A later table may publish the part as a cell (the cases closed
    at a stage are those that reached it less those that went on or are still open):
    hidden and small there, the marks would bound it below ``threshold - 1``, all that
    table's cells hidden or not."""
    new = len(tables) - 1
    mine = [i for t, i in cells if t == new and tables[t].marked[i]]
    demote: set[int] = set()
    for t, i in cells:
        if not tables[t].marked[i] or (t == new and i in demote):
            continue
        # the box in the new table's group of dimensions, where its marks may split it
        if tables[t].dimensions <= tables[new].dimensions:
            box = system.box(t, i, system.clique[new])
            ones = (np.ones(len(box)), (np.zeros(len(box), int), box))
            row = sparse.csr_array(ones, shape=(1, system.size))
        else:
            row = system.cells[t][[i]]
            box = row.indices
        if not any(
            0.5 < intruder.extreme(c, largest=True) < threshold - 1 - 1e-6
            for c in intruder.parts(row)
        ):
            continue
        if t == new:
            demote.add(i)
        else:
            demote |= {j for j in mine if set(box) & set(system.cells[new][[j]].indices)}
    return sorted(demote)
