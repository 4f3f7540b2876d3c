"""The intruder's equations over a report's linked count tables
(:mod:`cape_study.privacy.linked`): the tables, their cells as boxes, and the linear
equations every published cell gives over one set of unknown counts.

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

from cape_study.privacy.intruder import Intruder, mark_bounds, merge

__all__ = [
    "ALL",
    "Dimension",
    "LinkedTable",
    "Space",
    "System",
    "declared",
    "elimination_order",
    "system_of",
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
    it stands for: a stage reached is every course that reached it; values joined by
    ``"|"`` stand for the union of theirs: ``"convicted_trafficking|acquitted"``)."""

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

    def classes_of(self, value: str) -> tuple[str, ...]:
        """The classes of a ``"sets"`` dimension that ``value`` (a class, a member, or
        values joined by ``"|"``) stands for, in the order's order. ValueError for a
        value that is none of them."""
        members = dict(self.members)
        found: set[str] = set()
        for part in str(value).split("|"):
            if part in members:
                found.update(members[part])
            elif part in self.order:
                found.add(part)
            else:
                raise ValueError(f"{part!r} is not one of {[*self.order, *members]}")
        return tuple(c for c in self.order if c in found)

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
    #: held up for a later table of the same name (every count hidden and unmarked, a
    #: shield: :func:`cape_study.stats.funnel.shield_funnel`), which replaces it
    held: bool = False

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


class Space:
    """The classes of every dimension, and each cell's box as class indices."""

    def __init__(self, cells: list[dict], dimensions: Mapping[str, Dimension]) -> None:
        self.dimensions = dimensions
        self.classes: dict[str, list] = {}
        self._boxes: dict[tuple[str, str], np.ndarray] = {}
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

    def indices(self, dim: str, value: str) -> np.ndarray:
        """The classes of ``dim`` that ``value`` stands for, ascending, without repeats
        (read once per dimension and value)."""
        key = (dim, value)
        if key not in self._boxes:
            self._boxes[key] = np.unique(np.asarray(self._box(dim, value), dtype=np.int64))
        return self._boxes[key]

    def _box(self, dim: str, value: str) -> list[int]:
        classes = self.classes[dim]
        if value == ALL:
            return list(range(len(classes)))
        spec = self.dimensions[dim]
        if spec.kind == "sets":
            try:
                return [classes.index(c) for c in spec.classes_of(value)]
            except ValueError as error:
                raise ValueError(f"{dim} {value!r}: {error}") from None
        if spec.kind == "nested":
            if value not in spec.order:
                raise ValueError(f"{dim} {value!r} is not one of {list(spec.order)}")
            return list(range(spec.order.index(value), len(classes)))
        if spec.kind == "years":
            lo, hi = _years(value)
            return [k for k, (a, b) in enumerate(classes) if lo <= a and b - 1 <= hi]
        return [classes.index(value)]


def declared(
    tables: Sequence[LinkedTable], dimensions: Mapping[str, Dimension]
) -> dict[str, Dimension]:
    """Every dimension of ``tables``, categorical unless declared otherwise."""
    return {d: dimensions.get(d, Dimension()) for t in tables for d in sorted(t.dimensions)}


def _cliques(
    dim_sets: list[frozenset[str]], sizes: Mapping[str, int] | None = None
) -> list[tuple[str, ...]]:
    """Groups of dimensions (cliques) that hold every set of ``dim_sets``, ordered so that
    each one's intersection with those before it lies in one of them (running
    intersection, a decomposable model).

    The maximal sets themselves, largest first, where that order has the property (as
    before an order was searched: the same unknowns); otherwise the cliques of the graph
    of dimensions (an edge joins two dimensions of one set) made chordal by eliminating
    the dimensions in the order :func:`elimination_order` finds, in the order of a
    junction tree (:func:`_junction_order`). Only if that fails (it cannot for a chordal
    graph), one merged clique."""
    maximal = sorted(
        {s for s in dim_sets if not any(s < t for t in dim_sets)},
        key=lambda s: (-len(s), sorted(s)),
    )
    if _running_intersection(maximal):
        return [tuple(sorted(s)) for s in maximal]
    order = elimination_order(maximal, sizes)
    found = _junction_order(_elimination_cliques(maximal, order))
    if _running_intersection(found) and all(any(s <= c for c in found) for s in maximal):
        return [tuple(sorted(c)) for c in found]
    return [tuple(sorted(frozenset().union(*maximal)))]  # pragma: no cover (chordal: never)


def _running_intersection(sets: Sequence[frozenset[str]]) -> bool:
    """Whether each set's intersection with the union of those before it lies in one of
    them."""
    for j in range(1, len(sets)):
        before = frozenset().union(*sets[:j])
        if not any(sets[j] & before <= sets[i] for i in range(j)):
            return False
    return True


def _graph(dim_sets: Sequence[frozenset[str]]) -> dict[str, set[str]]:
    """The graph of dimensions: an edge joins two dimensions of one set."""
    graph: dict[str, set[str]] = {d: set() for s in dim_sets for d in s}
    for s in dim_sets:
        for d in s:
            graph[d] |= s - {d}
    return graph


def elimination_order(
    dim_sets: Sequence[frozenset[str]], sizes: Mapping[str, int] | None = None
) -> list[str]:
    """An order in which to eliminate the dimensions of ``dim_sets`` (greedy minimum
    fill-in: Rose 1972; Kjaerulff, "Triangulation of graphs: algorithms giving small
    total state space", Aalborg 1990): each time the dimension whose neighbours lack the
    fewest edges among themselves, on ties the one whose group (itself and its
    neighbours) spans the fewest combinations of classes (``sizes``, classes per
    dimension; 2 where not given), then by name. Eliminating a dimension joins its
    neighbours. For a chordal graph (every cycle of four or more with a chord, such as
    the graph of a decomposable model) the order adds no edge: a perfect elimination
    order, whose groups are the graph's maximal cliques."""
    graph = {d: set(n) for d, n in _graph(dim_sets).items()}
    size = {d: (sizes or {}).get(d, 2) for d in graph}
    order = []
    while graph:

        def cost(d: str) -> tuple[int, int, str]:
            near = sorted(graph[d])
            fill = sum(1 for i, a in enumerate(near) for b in near[i + 1 :] if b not in graph[a])
            return fill, int(np.prod([size[d], *(size[n] for n in near)])), d

        chosen = min(graph, key=cost)
        near = graph.pop(chosen)
        for a in near:
            graph[a] |= near - {a}
            graph[a].discard(chosen)
        order.append(chosen)
    return order


def _elimination_cliques(
    dim_sets: Sequence[frozenset[str]], order: Sequence[str]
) -> list[frozenset[str]]:
    """The maximal groups of eliminating the dimensions of ``dim_sets`` in ``order``
    (each dimension with its neighbours not yet eliminated): the maximal cliques of the
    chordal graph the elimination makes."""
    graph = {d: set(n) for d, n in _graph(dim_sets).items()}
    groups = []
    for d in order:
        near = graph.pop(d)
        for a in near:
            graph[a] |= near - {a}
            graph[a].discard(d)
        groups.append(frozenset(near | {d}))
    return [g for g in dict.fromkeys(groups) if not any(g < h for h in groups)]


def _junction_order(cliques: Sequence[frozenset[str]]) -> list[frozenset[str]]:
    """``cliques`` in the order a maximum spanning tree of their intersections (Prim)
    adds them, from the one spanning most dimensions: for the maximal cliques of a
    chordal graph a junction tree, whose order has the running intersection property
    (Jensen and Jensen, "Optimal junction trees", UAI 1994)."""
    if not cliques:
        return []
    rest = sorted(cliques, key=lambda c: (-len(c), sorted(c)))
    done = [rest.pop(0)]
    while rest:
        best = max(
            range(len(rest)),
            key=lambda k: (max(len(rest[k] & c) for c in done), len(rest[k]), -k),
        )
        done.append(rest.pop(best))
    return done


class System:
    """The intruder's equations for ``tables``: the cliques' agreement on shared
    dimensions, and a row per cell of every table (an equation where it is published)."""

    def __init__(self, tables: Sequence[LinkedTable], dimensions: Mapping[str, Dimension]):
        records = [t.records() for t in tables]
        dimensions = declared(tables, dimensions)
        space = Space([r["cell"] for rs in records for r in rs], dimensions)
        cliques = _cliques(
            [t.dimensions for t in tables], {d: len(c) for d, c in space.classes.items()}
        )
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

        def entries(k: int, boxes: Mapping[str, np.ndarray]) -> np.ndarray:
            """The unknowns of clique ``k`` in ``boxes`` (classes per dimension, each
            ascending without repeats; a dimension not given is every class), ascending."""
            flat = np.zeros(1, dtype=np.int64)
            for dim, n in zip(cliques[k], shapes[k], strict=True):
                box = boxes.get(dim)
                box = np.arange(n) if box is None else np.asarray(box, dtype=np.int64)
                flat = (flat[:, None] * n + box[None, :]).ravel()
            return offsets[k] + flat

        def matrix(rows: list[tuple[np.ndarray, np.ndarray]]) -> sparse.csr_array:
            if not rows:
                return sparse.csr_array((0, size))
            data = np.concatenate([v for _, v in rows])
            cols = np.concatenate([c for c, _ in rows])
            ptr = np.concatenate([[0], np.cumsum([len(c) for c, _ in rows])])
            return sparse.csr_array((data, cols, ptr), shape=(len(rows), size))

        def by_combo(k: int, shared: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
            """Clique ``k``'s unknowns (ascending) and the combination of classes of
            ``shared`` (numbered as :func:`itertools.product` orders them) each is in."""
            size = int(np.prod(shapes[k])) if shapes[k] else 1
            coords = np.unravel_index(np.arange(size), shapes[k]) if shapes[k] else ()
            combo = np.zeros(size, dtype=np.int64)
            for d in shared:
                combo = combo * len(space.classes[d]) + coords[cliques[k].index(d)]
            return offsets[k] + np.arange(size, dtype=np.int64), combo

        # a row per combination of the classes of the dimensions a clique shares with
        # those before it: its unknowns there (ascending), then its parent's (-1 each),
        # the rows in the order of the cliques and of the combinations
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        rows = 0
        for j in range(1, len(cliques)):
            shared = [d for d in cliques[j] if d in frozenset().union(*cliques[:j])]
            parent = next(i for i in range(j) if set(shared) <= set(cliques[i]))
            combos = int(np.prod([len(space.classes[d]) for d in shared]))
            for side, k in ((0, j), (1, parent)):
                unknowns, combo = by_combo(k, shared)
                kept = combo < combos  # every one, unless some dimension has no class
                parts.append(
                    (rows + combo[kept], np.full(kept.sum(), side), unknowns[kept], 1.0 - 2 * side)
                )
            rows += combos
        if parts:
            row_of = np.concatenate([p[0] for p in parts])
            side_of = np.concatenate([p[1] for p in parts])
            cols = np.concatenate([p[2] for p in parts])
            data = np.concatenate([np.full(len(p[0]), p[3]) for p in parts])
            order = np.lexsort((cols, side_of, row_of))
            ptr = np.concatenate([[0], np.cumsum(np.bincount(row_of, minlength=rows))])
            self.agree = sparse.csr_array((data[order], cols[order], ptr), shape=(rows, size))
        else:
            self.agree = matrix([])
        #: the last intruder asked about some cells over these equations, with its key
        #: (:func:`cape_study.privacy.linked._intruder`)
        self.intruder: tuple[tuple, Intruder] | None = None
        self.size = size
        self.cells = []
        self.clique = []
        self._entries, self._space, self._records = entries, space, records
        self._cell_rows: dict[tuple[int, int], sparse.csr_array] = {}
        self._matrix: sparse.csr_array | None = None
        self._merged: tuple[np.ndarray, sparse.csr_array] | None = None
        self._all_cells: sparse.csr_array | None = None
        self._first_cell = np.zeros(0, dtype=np.int64)
        made: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}  # a box met again
        for table, recs in zip(tables, records, strict=True):
            dims = sorted(table.dimensions)
            k = next(i for i, c in enumerate(cliques) if set(dims) <= set(c))
            self.clique.append(k)
            rows = []
            for r in recs:
                cell = r["cell"]
                key = (k, *((d, cell.get(d, ALL)) for d in dims))
                if key not in made:
                    cols = entries(k, {d: space.indices(d, cell.get(d, ALL)) for d in dims})
                    made[key] = (cols, np.ones(len(cols)))
                rows.append(made[key])
            self.cells.append(matrix(rows))

    def equations(
        self, tables: Sequence[LinkedTable], threshold: int | None = None
    ) -> tuple[sparse.csr_array, np.ndarray, np.ndarray]:
        """``A``, ``lower`` and ``upper`` for the cells of ``tables`` (the tables of this
        system, with perhaps more cells hidden), a row per cell in order: a published cell
        is an equation; with ``threshold``, a hidden cell is what its mark says
        (:func:`mark_bounds`), else only that it is not negative."""
        if self._matrix is None:
            self._matrix = sparse.vstack([self.agree, *self.cells], format="csr")
        low, high = [np.zeros(self.agree.shape[0])], [np.zeros(self.agree.shape[0])]
        for table in tables:
            hidden = table.hidden()
            values = table.cells[table.count].to_numpy(dtype=float, na_value=np.nan)
            a, b = mark_bounds(np.asarray(table.marked, bool), threshold or 1)
            if threshold is None:
                a, b = np.zeros(len(hidden)), np.full(len(hidden), np.inf)
            low.append(np.where(hidden, a, values))
            high.append(np.where(hidden, b, values))
        return self._matrix, np.concatenate(low), np.concatenate(high)

    def merged(self) -> tuple[np.ndarray, sparse.csr_array]:
        """The merging of equal columns of :meth:`equations`' ``A``
        (:func:`cape_study.privacy.intruder.merge`), made once: an intruder asked about
        cells of these tables (rows of ``A``) is given it as ``merged``."""
        if self._merged is None:
            self._merged = merge(self.equations([])[0])
        return self._merged

    def box(self, table: int, cell: int, clique: int) -> np.ndarray:
        """The unknowns of clique ``clique`` that cell ``cell`` of table ``table`` adds
        up (its box in a clique, perhaps not its own, that holds its dimensions)."""
        record = self._records[table][cell]["cell"]
        dims = [d for d in record if d in self._space.classes]
        return self._entries(clique, {d: self._space.indices(d, record[d]) for d in dims})

    def cell(self, table: int, cell: int) -> sparse.csr_array:
        """The row (over the unknowns) of cell ``cell`` of table ``table``:
        ``self.cells[table][[cell]]``, kept once made (the system's cells never change)."""
        key = (table, cell)
        if key not in self._cell_rows:
            rows = self.cells[table]
            span = slice(rows.indptr[cell], rows.indptr[cell + 1])
            self._cell_rows[key] = sparse.csr_array(
                (rows.data[span], rows.indices[span], np.array([0, span.stop - span.start])),
                shape=(1, rows.shape[1]),
            )
        return self._cell_rows[key]

    def cell_rows(self, cells: Sequence[tuple[int, int]]) -> sparse.csr_array:
        """The rows of ``cells`` (``(table, cell)``), in order: those of :meth:`cell`
        stacked, taken from all the tables' cells at once."""
        if self._all_cells is None:
            self._all_cells = sparse.vstack(self.cells, format="csr")
            self._first_cell = np.cumsum([0, *(rows.shape[0] for rows in self.cells)])
        if not cells:
            return sparse.csr_array((0, self.size))
        which = [int(self._first_cell[t]) + int(i) for t, i in cells]
        return self._all_cells[which]

    def row(self, table: int, cell: int) -> int:
        """The row of :meth:`equations` that holds cell ``cell`` of table ``table``."""
        return self.agree.shape[0] + sum(rows.shape[0] for rows in self.cells[:table]) + cell


#: The last :class:`System` built by :func:`system_of`, with its key.
_last: list[tuple[tuple, System]] = []


def system_of(tables: Sequence[LinkedTable], dimensions: Mapping[str, Dimension]) -> System:
    """:class:`System` of ``tables``, kept until tables of other cells are asked for: a
    system depends only on the tables' cells and dimensions (not on what they publish),
    so :func:`cape_study.privacy.linked.protect` and
    :func:`~cape_study.privacy.linked.mark` of one table share it."""
    key = (
        tuple(
            (t.dimensions, tuple(tuple(sorted(r["cell"].items())) for r in t.records()))
            for t in tables
        ),
        tuple(sorted(declared(tables, dimensions).items())),
    )
    if not _last or _last[0][0] != key:
        _last[:] = [(key, System(tables, dimensions))]
    return _last[0][1]
