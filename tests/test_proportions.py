"""Proportion intervals, checked against Newcombe's (1998) published tables."""

from __future__ import annotations

import pandas as pd
import pytest

from cape_study.stats.proportions import add_proportion, difference_ci, proportion_ci


# Newcombe (1998), Statistics in Medicine 17:857-872, Table I: method 3 (Wilson score)
# and method 5 (Clopper-Pearson exact), to four decimals.
@pytest.mark.parametrize(
    ("s", "n", "wilson", "exact"),
    [
        (81, 263, (0.2553, 0.3662), (0.2527, 0.3676)),
        (15, 148, (0.0624, 0.1605), (0.0578, 0.1617)),
        (0, 20, (0.0, 0.1611), (0.0, 0.1684)),
        (1, 29, (0.0061, 0.1718), (0.0009, 0.1776)),
    ],
)
def test_intervals_match_newcombe_1998(s, n, wilson, exact) -> None:
    assert proportion_ci(s, n, 0.95, "wilson") == pytest.approx(wilson, abs=5e-5)
    assert proportion_ci(s, n, 0.95, "clopper_pearson") == pytest.approx(exact, abs=5e-5)


def test_interval_is_missing_without_trials_and_methods_are_named() -> None:
    low, high = proportion_ci(pd.Series([0, 3]), pd.Series([0, 10]))
    assert pd.isna(low[0]) and pd.isna(high[0]) and 0 < low[1] < 0.3 < high[1]
    with pytest.raises(ValueError, match="known: wilson"):
        proportion_ci(1, 2, method="wald")


# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (hybrid
# score), examples (a) 56/70 - 48/80, (b) 9/10 - 3/10 and (g) 10/10 - 0/20.
@pytest.mark.parametrize(
    ("a", "b", "interval"),
    [
        ((56, 70), (48, 80), (0.0524, 0.3339)),
        ((9, 10), (3, 10), (0.1705, 0.8090)),
        ((10, 10), (0, 20), (0.6791, 1.0)),
    ],
)
def test_difference_matches_newcombe_1998(a, b, interval) -> None:
    low, high = difference_ci(*a, *b, 0.95)
    assert (round(low, 4), round(high, 4)) == interval


def test_add_proportion_adds_the_share_and_its_interval() -> None:
    table = pd.DataFrame({"hits": [81, 0, 0], "n": [263, 20, 0]})
    out = add_proportion(table, "hits", "n", 0.95, "wilson")
    assert out["proportion"].iloc[0] == 81 / 263 and out["proportion"].iloc[1] == 0
    assert pd.isna(out["proportion"].iloc[2]) and pd.isna(out["ci_low"].iloc[2])
    assert (round(out["ci_low"].iloc[0], 4), round(out["ci_high"].iloc[0], 4)) == (0.2553, 0.3662)
    assert out["ci_method"].eq("wilson").all() and out["confidence"].eq(0.95).all()
