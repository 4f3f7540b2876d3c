"""Small-cell suppression: hand-worked tables, an intruder's attack on the published
tables and their margins (which must fail), rounding, rates, and an audit that never
holds the values."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cape_study.privacy.disclosure import (
    AUDIT_MIMETYPE,
    Disclosure,
    suppress,
)


def test_funnel_primary_and_complement(protection: Disclosure) -> None:
    table = pd.DataFrame(
        {
            "stage": ["reported", "prosecuted", "convicted", "appealed"],
            "reached": [10, 3, 0, 8],
            "n_cases": [10, 10, 10, 10],
        }
    )
    table["proportion"] = table["reached"] / table["n_cases"]
    out = protection.suppress(
        table, "reached", total="n_cases", threshold=5, name="funnel", derived=["proportion"]
    )
    assert out["suppressed"].tolist() == [False, True, False, True]
    assert out["reached"].isna().tolist() == [False, True, False, True]
    assert out["proportion"].isna().tolist() == [False, True, False, True]
    assert protection.audit()["reason"].tolist() == ["primary", "complement"]
    assert protection.audit()["cell"].tolist() == [{"stage": "prosecuted"}, {"stage": "appealed"}]


def test_small_denominator_hides_the_whole_line() -> None:
    table = pd.DataFrame(
        {"stage": ["reported", "prosecuted"], "reached": [3, 0], "n_cases": [3, 3]}
    )
    out = suppress(table, "reached", total="n_cases", threshold=5, name="tiny")
    assert out["n_cases"].isna().all() and out["reached"].isna().tolist() == [True, False]


def test_secondary_suppression_protects_margins(protection: Disclosure) -> None:
    # sector x outcome with published row and column totals; X/B = 2 is primary.
    table = pd.DataFrame(
        {
            "sector": ["X", "X", "X", "Y", "Y", "Y"],
            "outcome": ["A", "B", "C"] * 2,
            "n": [10, 2, 8, 6, 7, 9],
        }
    )
    out = protection.suppress(table, "n", threshold=5, name="cross", keys=["sector", "outcome"])
    hidden = set(
        zip(
            out.loc[out["suppressed"], "sector"], out.loc[out["suppressed"], "outcome"], strict=True
        )
    )
    assert hidden == {("X", "B"), ("X", "C"), ("Y", "B"), ("Y", "C")}
    # No row or column is left with a single hidden cell that subtraction would reveal.
    for key in ("sector", "outcome"):
        assert (out.groupby(key)["suppressed"].sum() != 1).all()
    reasons = {
        (r["cell"]["sector"], r["cell"]["outcome"]): r["reason"]
        for r in protection.audit().to_dict("records")
    }
    assert reasons[("X", "B")] == "primary"
    assert reasons[("Y", "C")].startswith("secondary")


def test_zeros_and_large_counts_are_published(protection: Disclosure) -> None:
    table = pd.DataFrame({"g": ["a", "b"], "n": [0, 50]})
    out = protection.suppress(table, "n", threshold=5, name="t")
    assert not out["suppressed"].any() and protection.audit().empty


def test_audit_never_records_values_and_is_published_as_json(
    capsys, protection: Disclosure
) -> None:
    table = pd.DataFrame({"g": ["a", "b"], "n": [4, 50]})
    protection.suppress(table, "n", threshold=5, name="t")
    record = protection.audit().iloc[0].to_dict()
    assert set(record) == {"table", "cell", "column", "reason", "threshold"}
    assert 4 not in record.values() and "4" not in json.dumps(record["cell"])
    from IPython.core.formatters import DisplayFormatter  # noqa: F401  (IPython is present)

    shown = []
    import IPython.display

    original = IPython.display.display
    IPython.display.display = lambda obj, raw=False: shown.append(obj)
    try:
        protection.publish()
    finally:
        IPython.display.display = original
    assert shown[0][AUDIT_MIMETYPE] == [record]
    assert "1 cell(s) suppressed in 1 table(s) (t)" in shown[0]["text/markdown"]


def test_bad_arguments_name_the_problem() -> None:
    table = pd.DataFrame({"g": ["a"], "n": [1]})
    with pytest.raises(ValueError, match=r"no column\(s\) \['count'\]"):
        suppress(table, "count", threshold=5, name="t")
    with pytest.raises(ValueError, match="at least 1"):
        suppress(table, "n", threshold=0, name="t")


# -- an intruder's attack on the published tables --------------------------------------
def _attack(
    truth: pd.DataFrame, published: pd.DataFrame, count: str, keys: list[str], threshold: int = 5
) -> dict[int, tuple[float, float]]:
    """Bound every hidden cell by integer programming over *all* cells: published cells
    fixed, every line total along every key known (summed from the true table; a total
    from 1 to threshold - 1 would itself be suppressed, so only that it is small),
    hidden cells non-negative. Written independently of the module's own audit."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = len(truth)
    true = truth[count].to_numpy(dtype=float)
    shown = published[count]
    rows, low_sum, high_sum = [], [], []
    for key in keys:
        others = [k for k in keys if k != key]
        groups = truth.groupby(others).indices if others else {(): np.arange(n)}
        for members in groups.values():
            if len(members) == 1:
                continue  # a one-cell line's total is the cell itself
            row = np.zeros(n)
            row[members] = 1
            rows.append(row)
            total = true[members].sum()
            small = 0 < total < threshold
            low_sum.append(1 if small else total)
            high_sum.append(threshold - 1 if small else total)
    low = np.where(shown.isna(), 0.0, shown.fillna(0).to_numpy(float))
    high = np.where(shown.isna(), np.inf, shown.fillna(0).to_numpy(float))
    found = {}
    for i in np.flatnonzero(shown.isna().to_numpy()):
        if not rows:  # no line of two cells or more: nothing bounds the hidden cells
            found[int(i)] = (0.0, np.inf)
            continue
        ends = []
        for sign in (1, -1):
            c = np.zeros(n)
            c[i] = sign
            res = milp(
                c,
                constraints=LinearConstraint(np.array(rows), low_sum, high_sum),
                bounds=Bounds(low, high),
                integrality=np.ones(n),
            )
            assert res.success
            ends.append(sign * res.fun)
        found[int(i)] = (ends[0], ends[1])
    return found


def _grid(values: list[list[int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"row": f"r{i}", "col": f"c{j}", "n": v}
            for i, line in enumerate(values)
            for j, v in enumerate(line)
        ]
    )


BRIDGE = [
    [3, 2, 2, 9, 8],
    [2, 3, 9, 8, 9],
    [9, 8, 3, 2, 9],
    [8, 9, 2, 3, 8],
    [9, 9, 9, 9, 9],
]


def test_the_line_heuristic_alone_leaves_a_bridge_recoverable() -> None:
    # Two blocks of hidden cells joined by one hidden cell: every line has at least
    # two hidden cells, yet the bridge (r0, c2) follows exactly from the rows of the
    # first block minus its columns.
    from cape_study.privacy import secondary

    truth = _grid(BRIDGE)
    reason = pd.Series(pd.NA, index=truth.index, dtype="string")
    reason[truth["n"] < 4] = "primary"
    lines = secondary.lines_of(truth, ["row", "col"])
    secondary.secondary(truth["n"].astype("Int64"), reason, lines)
    published = truth.assign(n=truth["n"].astype("Int64").mask(reason.notna()))
    attacked = _attack(truth, published, "n", ["row", "col"], threshold=4)
    bridge = int(truth.index[(truth["row"] == "r0") & (truth["col"] == "c2")][0])
    assert attacked[bridge] == (2, 2)
    assert secondary._exposed(
        truth["n"].to_numpy(float), reason.notna().to_numpy(), lines, threshold=4
    ) == [bridge]


def test_the_audit_protects_the_bridge(protection: Disclosure) -> None:
    truth = _grid(BRIDGE)
    out = protection.suppress(truth, "n", threshold=4, name="bridge", keys=["row", "col"])
    attacked = _attack(truth, out, "n", ["row", "col"], threshold=4)
    for low, high in attacked.values():
        assert high - low >= 1
    assert any(r["reason"].startswith("secondary") for r in protection.audit().to_dict("records"))


def test_nested_keys_with_one_cell_lines() -> None:
    # Regions belong to one country each: along "country" every line is a single cell,
    # whose total is the cell itself and not published apart.
    table = pd.DataFrame(
        {
            "country": ["SE", "SE", "SE", "FI", "FI"],
            "region": ["north", "south", "west", "helsinki", "oulu"],
            "n": [12, 3, 20, 9, 14],
        }
    )
    out = suppress(table, "n", threshold=5, name="regions", keys=["country", "region"])
    assert out["suppressed"].tolist() == [True, True, False, False, False]
    for low, high in _attack(table, out, "n", ["country", "region"]).values():
        assert high - low >= 1


@pytest.mark.parametrize("seed", range(12))
def test_no_suppressed_cell_can_be_recovered_from_the_margins(seed: int) -> None:
    rng = np.random.default_rng(seed)
    dims = [int(rng.integers(2, 6)), int(rng.integers(2, 6))] + (
        [int(rng.integers(2, 4))] if seed % 3 == 0 else []
    )
    keys = ["a", "b", "c"][: len(dims)]
    grid = pd.MultiIndex.from_product(
        [[f"{k}{i}" for i in range(d)] for k, d in zip(keys, dims, strict=True)]
    )
    truth = grid.to_frame(index=False, name=keys)
    truth["n"] = rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 30], size=len(truth))
    out = suppress(truth, "n", threshold=5, name=f"random {seed}", keys=keys)
    shown = out["n"].dropna()
    assert not ((shown > 0) & (shown < 5)).any()
    for key in keys:
        others = [k for k in keys if k != key]
        assert (out.groupby(others)["suppressed"].sum() != 1).all()
    for cell, (low, high) in _attack(truth, out, "n", keys).items():
        # A hidden zero may be pinned down (zeros are published anyway); a count not.
        assert high - low >= 1 or truth["n"][cell] == 0


def test_rounding_to_base_five_after_suppression(protection: Disclosure) -> None:
    table = pd.DataFrame({"g": list("abcdef"), "n": [0, 3, 7, 12, 13, 100]})
    out = protection.suppress(table, "n", threshold=5, name="rounded", rounding=5)
    assert out["n"].tolist() == [0, pd.NA, 5, 10, 15, 100]
    records = protection.audit().to_dict("records")
    assert [r["reason"] for r in records] == ["primary", "rounded to base 5"]
    assert records[1]["cell"] == {}
    shown = []
    import IPython.display

    original = IPython.display.display
    IPython.display.display = lambda obj, raw=False: shown.append(obj)
    try:
        protection.publish()
    finally:
        IPython.display.display = original
    assert "1 cell(s) suppressed in 1 table(s) (rounded)" in shown[0]["text/markdown"]
    assert "Counts rounded in: rounded" in shown[0]["text/markdown"]
    with pytest.raises(ValueError, match="rounding"):
        protection.suppress(table, "n", threshold=5, name="t", rounding=0)


def test_rates_with_a_small_numerator_denominator_or_complement_are_hidden(
    protection: Disclosure,
) -> None:
    table = pd.DataFrame(
        {
            "region": ["north", "south", "east", "west", "centre", "coast"],
            "convicted": [2, 10, 0, 48, 30, 0],
            "cases": [50, 3, 30, 50, 100, 0],
        }
    )
    table["rate"] = table["convicted"] / table["cases"]
    out = protection.suppress_rates(
        table,
        ["rate"],
        numerator="convicted",
        denominator="cases",
        threshold=5,
        name="conviction rate",
        complement=True,
    )
    assert out["suppressed"].tolist() == [True, True, False, True, False, True]
    assert out["rate"].isna().tolist() == [True, True, False, True, False, True]
    assert out["convicted"].tolist() == table["convicted"].tolist()  # counts untouched
    reasons = {r["cell"]["region"]: r["reason"] for r in protection.audit().to_dict("records")}
    assert reasons == {
        "north": "rate: small numerator",
        "south": "rate: small denominator",
        "west": "rate: small complement",
        "coast": "rate: small denominator",
    }
    plain = protection.suppress_rates(table, ["rate"], numerator="convicted", threshold=5, name="r")
    assert plain["suppressed"].tolist() == [True, False, False, False, False, False]
    with pytest.raises(ValueError, match="no column"):
        protection.suppress_rates(table, ["share"], numerator="convicted", threshold=5, name="r")


# -- the audit object ----------------------------------------------------------------------
def test_a_table_recorded_twice_is_audited_once(protection: Disclosure) -> None:
    # Re-running a notebook cell by hand replaces the table's record instead of adding it.
    table = pd.DataFrame({"g": ["a", "b", "c"], "n": [4, 50, 2]})
    for _ in range(2):
        protection.suppress(table, "n", threshold=5, name="t")
    protection.suppress_rates(
        table.assign(rate=0.5), ["rate"], numerator="n", threshold=5, name="rates"
    )
    assert protection.audit()["table"].tolist() == ["t", "t", "rates", "rates"]
    protection.suppress(table.assign(n=[40, 50, 20]), "n", threshold=5, name="t")
    assert protection.audit()["table"].tolist() == ["rates", "rates"]
    assert Disclosure().audit().empty  # a new run starts with nothing


def test_without_an_audit_nothing_is_kept_between_calls(protection: Disclosure) -> None:
    suppress(pd.DataFrame({"g": ["a"], "n": [3]}), "n", threshold=5, name="loose")
    assert protection.audit().empty


# -- random small tables (issue 17) -------------------------------------------------------
def test_hidden_cells_alone_in_all_their_lines_need_no_linear_programme() -> None:
    # Every line that holds the hidden cell has only that cell: nothing to subtract from
    # (this raised a linprog error).
    table = pd.DataFrame({"a": ["x", "y"], "b": ["p", "q"], "n": [2, 10]})
    out = suppress(table, "n", threshold=5, name="diagonal", keys=["a", "b"])
    assert out["suppressed"].tolist() == [True, False]


@st.composite
def _small_tables(draw) -> tuple[pd.DataFrame, list[str], int]:
    dims = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    assume(int(np.prod(dims)) <= 24)
    keys = ["a", "b", "c"][: len(dims)]
    grid = pd.MultiIndex.from_product(
        [[f"{k}{i}" for i in range(d)] for k, d in zip(keys, dims, strict=True)]
    )
    truth = grid.to_frame(index=False, name=keys)
    truth["n"] = draw(
        st.lists(
            st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 9, 15, 40]),
            min_size=len(truth),
            max_size=len(truth),
        )
    )
    return truth, keys, draw(st.integers(2, 6))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_small_tables())
def test_random_small_tables_are_protected(drawn) -> None:
    truth, keys, threshold = drawn
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = suppress(truth, "n", threshold=threshold, name="random", keys=keys)
    small = (truth["n"] > 0) & (truth["n"] < threshold)
    assert out.loc[small, "suppressed"].all() and out.loc[small, "n"].isna().all()
    assert out.loc[~out["suppressed"], "n"].tolist() == truth.loc[~out["suppressed"], "n"].tolist()
    exposed = [
        cell
        for cell, (low, high) in _attack(truth, out, "n", keys, threshold=threshold).items()
        if high - low < 1 and truth["n"][cell] != 0
    ]
    if exposed:
        # Only where the line totals alone pin the cell down (hiding every cell would
        # not help), and then the module says so loudly.
        nothing = out.assign(n=pd.Series(pd.NA, index=out.index, dtype="Int64"))
        alone = _attack(truth, nothing, "n", keys, threshold=threshold)
        assert all(alone[cell][1] - alone[cell][0] < 1 for cell in exposed)
        assert any("can still be recovered" in str(w.message) for w in caught)
