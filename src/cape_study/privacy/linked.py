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

The tables' cells and the intruder's equations are those of :mod:`cape_study.privacy.equations`
(cells as boxes; unknowns per group of dimensions).

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

**Every other hidden cell** (hidden to protect others, a count of any size) must not be
computable either: its feasible interval is kept at least :data:`PROTECTION_WIDTH` wide
(:func:`wide`), by hiding further cells of the new table the same way once the small cells
are protected. Where the new table has no cell left to hide, the table is named in the
warning :meth:`~cape_study.privacy.disclosure.Disclosure.link` gives and
:meth:`~cape_study.privacy.disclosure.Disclosure.verify` refuses the report, as for a
small cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from cape_study.privacy.equations import ALL, Dimension, LinkedTable, Space, declared, system_of
from cape_study.privacy.equations import System as _System
from cape_study.privacy.intruder import Intruder, mark_bounds, protected

__all__ = [
    "PROTECTION_WIDTH",
    "Dimension",
    "LinkedTable",
    "exposed",
    "feasible_intervals",
    "mark",
    "mark_bounds",
    "protect",
    "protected",
    "wide",
]

#: The least width of the feasible interval of a hidden cell that is not small (hidden
#: to protect others), as an intruder who knows every published table and every mark
#: finds it. Statistical offices protect such cells by a protection interval rather
#: than by any positive width (Hundepool et al. 2012, sect. 4.2.2, upper and lower
#: protection levels; tau-argus' "safety range"): a cell known to lie within 0.5 of one
#: value is as disclosed as a published one. Three keeps at least four whole values
#: feasible for every such cell: as many as the small mark itself leaves (1 to 4 under
#: the project's threshold of 5), so a cell hidden to protect others is never known
#: more closely than a cell hidden for its own sake; a wider interval (the threshold)
#: would hide markedly more published counts of the small demo report for little more
#: protection of counts that are not small.
PROTECTION_WIDTH = 3


def wide(low: float, high: float) -> bool:
    """Whether a hidden cell that is not small, with feasible interval ``[low, high]``,
    is protected: at least :data:`PROTECTION_WIDTH` wide (no one can compute it), or a
    zero (``high`` 0: zeros are published, and a zero a reader can tell is one discloses
    no one, such as a hidden zero of intake's cases by sector that a later funnel by
    sector, with no row for it, shows to be 0)."""
    return high - low >= PROTECTION_WIDTH - 1e-6 or high <= 1e-6


def _spans(intruder: Intruder, row: sparse.csr_array) -> bool:
    """:func:`wide` for the cell ``row`` of ``intruder``'s model (the width asked first;
    the largest value, a zero, from the same solves)."""
    return intruder.spans(row, PROTECTION_WIDTH, or_below=1e-6)


def feasible_intervals(
    tables: Sequence[LinkedTable],
    dimensions: Mapping[str, Dimension],
    threshold: int | None = None,
) -> list[list[tuple[float, float] | None]]:
    """The smallest and largest value of every hidden cell that every published cell of
    ``tables`` allows (None for a published cell), per table and cell; with
    ``threshold``, also what the hidden cells' marks say (:func:`mark_bounds`)."""
    system = _System(tables, dimensions)
    intruder = Intruder(*system.equations(tables, threshold), merged=system.merged())
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
    every: bool = False,
    keep: Sequence[bool] | None = None,
) -> tuple[list[int], list[str]]:
    """Hide further cells of ``new`` until, knowing ``tables`` and ``new`` and what the
    hidden cells' marks say (:func:`mark_bounds`; ``new`` with the mark of any hidden
    count), every small hidden cell is :func:`protected`. The cells checked are those of
    the tables in ``new``'s group of dimensions (:func:`_nested`), or with ``every``
    those of every table (for a table tied to others through structural zeros, such as
    the time-to-event tables' days and report dates: :mod:`cape_study.stats.time_links`).
    Cells ``keep`` marks (zeros a reader knows without a row:
    :meth:`~cape_study.privacy.disclosure.Disclosure.link`'s ``present``) are never hidden.

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
    near = [t for t, table in enumerate(linked) if every or _nested(table, new)]
    queue = [(t, int(i)) for t in near for i in np.flatnonzero(linked[t].small)]
    queue += [(last, int(i)) for i in np.flatnonzero(new.small)]
    added: list[int] = []
    exposed: set[str] = set()
    system = system_of([*linked, new], dimensions)
    current = LinkedTable(new.name, cells, new.count, new.dims, new.small, new.fixed, new.unit)
    intruder = _intruder(system, [*linked, current], queue, threshold)
    marked = [bool([*linked, current][t].marked[i]) for t, i in queue]
    todo = _still_exposed(intruder, list(range(len(queue))), marked, threshold)
    everything = [*linked, current]  # a cell hidden changes no cell's box
    own = current.records()
    dims = declared(everything, dimensions)
    shown = cells[new.count].notna().to_numpy()
    # the cells that may be hidden: published, and not a zero a reader knows anyway
    free = shown & ~np.asarray(keep if keep is not None else np.zeros(len(shown)), bool)
    counts = values.tolist()
    shares: dict[tuple[int, int], np.ndarray] = {}

    def hide_for(t: int, i: int) -> int | None:
        """Hide the published cell of the new table that covers most of cell ``i`` of
        table ``t`` (the smallest non-zero on ties); None, and ``t`` exposed, if none is
        left."""
        candidates = [j for j in np.flatnonzero(free).tolist() if counts[j] > 0]
        candidates = candidates or np.flatnonzero(free).tolist()
        if not candidates:
            exposed.add(everything[t].name)
            return None
        if (t, i) not in shares:
            shares[t, i] = _overlaps(everything[t].records()[i]["cell"], own, dims)
        share = shares[t, i]
        choice = max(candidates, key=lambda j: (share[j], -int(counts[j])))
        cells.at[choice, new.count] = pd.NA
        shown[choice] = free[choice] = False
        added.append(choice)
        # hiding the cell turns its equation into the bound of a hidden count: every table
        # found so far stays feasible, so the model and its witnesses are kept
        intruder.relax(system.row(last, choice), 0.0, np.inf)
        return choice

    while todo:
        if hide_for(*queue[todo[0]]) is None:
            todo.pop(0)
            continue
        if not _still_exposed(intruder, todo[:1], marked, threshold):
            todo = _still_exposed(intruder, todo[1:], marked, threshold)
    # then every hidden cell that is not small, those hidden here too: an interval
    # PROTECTION_WIDTH wide (hiding more only widens every interval, the small cells' too)
    pending = _not_small(linked, near)
    pending += [(last, int(i)) for i in np.flatnonzero(~shown & ~np.asarray(new.small, bool))]
    before: dict = {}
    while pending:
        t, i = pending[0]
        if _spans(intruder, system.cell(t, i)) or _published_before(
            [*linked, new], last, t, i, dimensions, threshold, before
        ):
            pending.pop(0)
            continue
        choice = hide_for(t, i)
        if choice is None:
            pending.pop(0)
        else:
            pending.append((last, choice))
    return added, sorted(exposed)


def _published_before(
    tables: Sequence[LinkedTable],
    upto: int,
    t: int,
    i: int,
    dimensions: Mapping[str, Dimension],
    threshold: int,
    cache: dict,
) -> bool:
    """Whether cell ``i`` of ``tables[t]`` is not :func:`wide` already for an intruder
    who knows only the tables before ``tables[upto]`` (and the marks), ``tables[upto]``
    with every cell hidden: then its value was published before that table (a funnel's
    cases reported by sector are intake's cases by sector), and hiding cells of it cannot
    widen the interval. ``cache`` keeps the intruder (under None) and the answers (empty
    at first): hiding cells of ``tables[upto]`` changes no answer."""
    if (t, i) in cache:
        return cache[t, i]
    if None not in cache:
        table = tables[upto]
        cells = table.cells.copy()
        cells[table.count] = pd.array([pd.NA] * len(cells), dtype="Int64")
        blank = LinkedTable(
            table.name, cells, table.count, table.dims, table.small, table.fixed, table.unit
        )
        known = [*tables[:upto], blank]
        system = system_of(known, dimensions)  # protect's: the same cells
        intruder = Intruder(*system.equations(known, threshold), merged=system.merged())
        cache[None] = (system, intruder)
    system, intruder = cache[None]
    cache[t, i] = not _spans(intruder, system.cell(t, i))
    return cache[t, i]


def _narrow(
    system: _System, intruder: Intruder, cells: Sequence[tuple[int, int]]
) -> set[tuple[int, int]]:
    """The ``(table, cell)`` of ``cells`` (hidden cells that are not small) that are not
    :func:`wide` for ``intruder``."""
    return {(t, i) for t, i in cells if not _spans(intruder, system.cell(t, i))}


def _not_small(tables: Sequence[LinkedTable], which: Sequence[int]) -> list[tuple[int, int]]:
    """The hidden cells that are not small of ``tables[t]`` for ``t`` in ``which``, but
    none of a table held up (every cell hidden, none marked small: the place of a later
    table of the same cells, which replaces it; such a table hides its cells wholesale,
    not to protect others, and counts of it published elsewhere disclose no small one)."""
    return [
        (t, int(i))
        for t in which
        if not tables[t].held
        for i in np.flatnonzero(tables[t].hidden() & ~np.asarray(tables[t].small, bool))
    ]


def _overlaps(
    target: Mapping[str, str], own: Sequence[dict], dims: Mapping[str, Dimension]
) -> np.ndarray:
    """The share of ``target``'s box (an exposed cell) that each cell of ``own`` (the new
    table's records) covers, in a space of their classes alone: per dimension, the
    classes the two share over the classes of ``target``, multiplied over the
    dimensions."""
    space = Space([dict(target), *(r["cell"] for r in own)], dims)
    share = np.ones(len(own))
    for d in dims:
        theirs = space.indices(d, target.get(d, ALL))
        ratio: dict[str, float] = {}
        for j, r in enumerate(own):
            value = r["cell"].get(d, ALL)
            if value not in ratio:
                mine = space.indices(d, value)
                ratio[value] = len(np.intersect1d(mine, theirs)) / max(len(theirs), 1)
            share[j] *= ratio[value]
    return share


def _intruder(
    system: _System,
    tables: Sequence[LinkedTable],
    cells: Sequence[tuple[int, int]],
    threshold: int,
) -> Intruder:
    """The intruder who knows every published cell of ``tables`` (the tables of
    ``system`` as they are now) and what every mark says, asked about ``cells``: the one
    ``system`` made last for these cells (:func:`protect`'s, for :func:`mark` of the
    same table) with its rows' bounds set anew, else a new one."""
    a, low, high = system.equations(tables, threshold)
    key = (tuple(cells), threshold)
    if system.intruder is not None and system.intruder[0] == key:
        system.intruder[1].rebound(low, high)
        return system.intruder[1]
    queries = system.cell_rows(cells)
    # the queries are rows of a (cells of the tables): a's merging is theirs too
    merged = system.merged()
    system.intruder = (key, Intruder(a, low, high, queries, threshold - 1, merged=merged))
    return system.intruder[1]


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
    """The names of ``tables`` with a small hidden cell that is not :func:`protected`,
    or another hidden cell that is not :func:`wide` (unless the tables before its own
    publish it, :func:`_published_before`), from an intruder who knows every
    published cell of the tables of its unit and what every mark says (empty when every
    one is)."""
    found = []
    for unit in dict.fromkeys(t.unit for t in tables):
        mine = [t for t in tables if t.unit == unit]
        cells = [(t, int(i)) for t, table in enumerate(mine) for i in np.flatnonzero(table.small)]
        system = system_of(mine, dimensions)
        bad = {t for t, _ in _exposed_cells(system, mine, cells, threshold)}
        intruder = system.intruder[1] if system.intruder else _intruder(system, mine, [], threshold)
        narrow = sorted(_narrow(system, intruder, _not_small(mine, range(len(mine)))))
        caches: dict[int, dict] = {}
        bad |= {
            t
            for t, i in narrow
            if not _published_before(mine, t, t, i, dimensions, threshold, caches.setdefault(t, {}))
        }
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
    no cell of ``new`` is marked small (as :func:`protect` left it, which protects them);
    so too when the marks would narrow a hidden cell that is not small below
    :func:`wide`."""
    linked = [t for t in tables if t.unit == new.unit]
    marked = np.asarray(new.marked, bool).copy()
    if not marked.any():
        return marked
    system = system_of([*linked, new], dimensions)
    last = len(linked)
    cells = [
        (t, int(i))
        for t, table in enumerate([*linked, new])
        if t == last or _nested(table, new)
        for i in np.flatnonzero(table.small)
    ]
    current = LinkedTable(
        new.name, new.cells, new.count, new.dims, new.small, new.fixed, new.unit, marked
    )
    # one model: a mark taken away relaxes its cell's bounds (1 to threshold - 1 to any
    # count), so every table found so far stays a witness
    intruder = _intruder(system, [*linked, current], cells, threshold)
    while marked.any():
        current = LinkedTable(
            new.name, new.cells, new.count, new.dims, new.small, new.fixed, new.unit, marked
        )
        everything = [*linked, current]
        # a cell of another table, or one not marked, exposed: no cell is marked small;
        # those are asked first, up to the first exposed one
        fatal = [q for q, (t, i) in enumerate(cells) if t != last or not marked[i]]
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
        for i in demote:
            intruder.relax(system.row(last, i), 0.0, np.inf)
    # the marks must leave every other hidden cell as wide as it was without them
    others = _not_small(
        [*linked, new], [t for t in range(last + 1) if t == last or _nested([*linked, new][t], new)]
    )
    if marked.any() and others:
        narrowed = _narrow(system, intruder, others)
        if narrowed:
            for i in np.flatnonzero(marked):
                intruder.relax(system.row(last, int(i)), 0.0, np.inf)
            if not narrowed <= _narrow(system, intruder, others):
                return np.zeros(len(marked), bool)
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
            row = system.cell(t, i)
            box = row.indices
        if not intruder.peaks_between(intruder.parts(row), 0.5, threshold - 1 - 1e-6):
            continue
        if t == new:
            demote.add(i)
        else:
            demote |= {j for j in mine if set(box) & set(system.cell(new, j).indices)}
    return sorted(demote)
