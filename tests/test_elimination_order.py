"""The order search of the intruder's groups of dimensions
(:func:`cape_study.privacy.equations._cliques` and
:func:`~cape_study.privacy.equations.elimination_order`) against brute force over every
elimination order of small graphs, and the bounds of linked tables whose groups need the
search against a linear programme over their full cross-classification (scipy's
linprog)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from cape_study.privacy.equations import _cliques, elimination_order
from cape_study.privacy.linked import Dimension, LinkedTable, feasible_intervals


def _eliminate(sets: list[frozenset[str]], order: tuple[str, ...]) -> tuple[int, set]:
    """Written apart from the module: the edges eliminating ``order`` adds, and the
    maximal groups (a dimension with its neighbours not yet eliminated)."""
    edges = {frozenset(p) for s in sets for p in itertools.combinations(sorted(s), 2)}
    fill, groups, left = 0, [], set(order)
    for d in order:
        near = {e for e in left - {d} if frozenset((d, e)) in edges}
        for a, b in itertools.combinations(sorted(near), 2):
            if frozenset((a, b)) not in edges:
                edges.add(frozenset((a, b)))
                fill += 1
        groups.append(frozenset(near | {d}))
        left.discard(d)
    return fill, {g for g in groups if not any(g < h for h in groups)}


def _random_sets(seed: int) -> list[frozenset[str]]:
    rng = np.random.default_rng(seed)
    names = "abcdef"[: int(rng.integers(3, 7))]
    return [
        frozenset(rng.choice(list(names), size=int(rng.integers(2, 4)), replace=False))
        for _ in range(int(rng.integers(3, 7)))
    ]


def _valid(sets: list[frozenset[str]], cliques: list[tuple[str, ...]]) -> bool:
    """Every set within a clique, and each clique's intersection with those before it
    within one of them (checked here, not by the module)."""
    groups = [set(c) for c in cliques]
    if not all(any(s <= g for g in groups) for s in sets):
        return False
    for j in range(1, len(groups)):
        before = set().union(*groups[:j])
        if not any(groups[j] & before <= groups[i] for i in range(j)):
            return False
    return True


@pytest.mark.parametrize("seed", range(60))
def test_the_order_search_finds_a_valid_decomposition_as_small_as_brute_force_on_chordal_graphs(
    seed: int,
) -> None:
    sets = _random_sets(seed)
    dims = sorted(set().union(*sets))
    sizes = {d: 2 + i for i, d in enumerate(dims)}
    every = {order: _eliminate(sets, order) for order in itertools.permutations(dims)}
    least = min(fill for fill, _ in every.values())
    fill, _ = _eliminate(sets, tuple(elimination_order(sets, sizes)))
    cliques = _cliques(sets, sizes)
    assert _valid(sets, cliques)
    assert fill == least  # on these small graphs min-fill finds the least fill-in
    if least == 0:  # chordal: the graph's maximal cliques (the one answer)
        assert {frozenset(c) for c in cliques} == next(g for f, g in every.values() if f == 0)


@pytest.mark.parametrize(("n", "least"), [(4, 1), (5, 2), (6, 3)])
def test_a_cycle_gets_its_least_fill_in(n: int, least: int) -> None:
    dims = [f"d{i}" for i in range(n)]
    cycle = [frozenset((dims[i], dims[(i + 1) % n])) for i in range(n)]
    orders = itertools.permutations(dims)
    assert min(_eliminate(cycle, order)[0] for order in orders) == least
    assert _eliminate(cycle, tuple(elimination_order(cycle)))[0] == least
    assert _valid(cycle, _cliques(cycle))


def test_groups_that_have_running_intersection_in_the_first_order_are_kept_as_they_are() -> None:
    # the order tried before the search (largest first, then by name): the same unknowns
    sets = [frozenset("ab"), frozenset("bc"), frozenset("cd"), frozenset("b")]
    assert _cliques(sets) == [("a", "b"), ("b", "c"), ("c", "d")]


def test_a_tree_the_first_order_misses_is_not_merged_into_one_group() -> None:
    # sorted by name, {x, y} comes last and meets {a, y} and {b, x} in no one of them;
    # the graph is a path (a-y-x-b): three groups of two, in a junction tree's order
    sets = [frozenset("bx"), frozenset("ay"), frozenset("xy")]
    cliques = _cliques(sets)
    assert sorted(cliques) == [("a", "y"), ("b", "x"), ("x", "y")]
    assert _valid(sets, cliques)


def _full_bounds(tables: list[list[tuple[dict, int | None]]], dims: list[str]) -> list:
    """Each hidden cell's least and greatest value by linprog over the full
    cross-classification of ``dims`` (classes 0 and 1 each; "all" every class)."""
    combos = list(itertools.product((0, 1), repeat=len(dims)))

    def row(cell: dict) -> np.ndarray:
        return np.array(
            [
                all(cell.get(d, "all") in ("all", str(c[k])) for k, d in enumerate(dims))
                for c in combos
            ],
            float,
        )

    published = [(row(c), v) for t in tables for c, v in t if v is not None]
    a_eq = np.array([r for r, _ in published])
    b_eq = np.array([v for _, v in published], float)
    out = []
    for t in tables:
        for cell, value in t:
            if value is None:
                r = row(cell)
                lo = linprog(r, A_eq=a_eq, b_eq=b_eq)
                hi = linprog(-r, A_eq=a_eq, b_eq=b_eq)
                top = np.inf if hi.status == 3 else round(-hi.fun, 6)
                out.append((round(lo.fun, 6), top))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_tables_around_a_cycle_of_dimensions_keep_the_bounds_of_the_full_table(seed: int) -> None:
    # tables of a by b, b by c, c by d and d by a: no order of the four has running
    # intersection (the one merged group before the search); the search's two groups of
    # three give every hidden cell the bounds of the full 2x2x2x2 table
    dims = ["a", "b", "c", "d"]
    rng = np.random.default_rng(seed)
    full = rng.integers(0, 6, size=(2,) * 4)
    pairs = [("a", "b"), ("b", "c"), ("c", "d"), ("d", "a")]
    tables, linked = [], []
    for k, (x, y) in enumerate(pairs):
        cells = []
        for i, j in itertools.product((0, 1), repeat=2):
            index = [slice(None)] * 4
            index[dims.index(x)], index[dims.index(y)] = i, j
            cells.append(({x: str(i), y: str(j)}, int(full[tuple(index)].sum())))
        hide = rng.choice(4, size=2, replace=False)
        cells = [(c, None if n in hide else v) for n, (c, v) in enumerate(cells)]
        tables.append(cells)
        frame = pd.DataFrame([c for c, _ in cells])
        frame["n"] = pd.array([v for _, v in cells], dtype="Int64")
        linked.append(LinkedTable(f"t{k}", frame, "n", {x: x, y: y}))
    ours = [
        (round(lo, 6), round(hi, 6))
        for table in feasible_intervals(linked, {d: Dimension("code", ("0", "1")) for d in dims})
        for bound in table
        if bound is not None
        for lo, hi in [bound]
    ]
    assert ours == _full_bounds(tables, dims)
    assert _cliques([t.dimensions for t in linked]) != [tuple(dims)]
