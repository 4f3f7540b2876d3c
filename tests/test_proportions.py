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


def _score_cc_limits(s: int, n: int, z: float) -> tuple[float, float]:
    """An independent computation: invert the continuity-corrected score test
    |s/n - p| - 1/(2n) = z sqrt(p (1 - p) / n) numerically (Newcombe 1998, method 4;
    Fleiss, Levin & Paik 2003, section 2.4)."""
    from scipy.optimize import brentq

    p_hat = s / n

    def gap(p: float, side: int) -> float:
        return side * (p_hat - p) - 1 / (2 * n) - z * (p * (1 - p) / n) ** 0.5

    low = 0.0 if s == 0 else brentq(gap, 1e-12, p_hat, args=(1,), xtol=1e-14)
    high = 1.0 if s == n else brentq(gap, p_hat, 1 - 1e-12, args=(-1,), xtol=1e-14)
    return low, high


@pytest.mark.parametrize(("s", "n"), [(81, 263), (15, 148), (0, 20), (1, 29), (36, 154), (29, 29)])
def test_wilson_with_continuity_correction_inverts_the_corrected_score_test(s, n) -> None:
    expected = _score_cc_limits(s, n, 1.959963984540054)
    assert proportion_ci(s, n, 0.95, "wilson_cc") == pytest.approx(expected, abs=1e-9)
    # It is wider than the uncorrected interval on both sides.
    low, high = proportion_ci(s, n, 0.95, "wilson")
    low_cc, high_cc = proportion_ci(s, n, 0.95, "wilson_cc")
    assert low_cc <= low and high_cc >= high


def test_wilson_with_continuity_correction_matches_r_prop_test() -> None:
    # R: prop.test(36, 154, correct = TRUE) via cardx::proportion_ci_wilson(correct =
    # TRUE), CAMIS "Confidence intervals for proportions" (PSIAIMS/CAMIS,
    # R/ci_for_prop.qmd, rendered output): conf.low 0.171 (three decimals printed).
    low, _ = proportion_ci(36, 154, 0.95, "wilson_cc")
    assert round(low, 3) == 0.171


@pytest.mark.parametrize(
    ("s", "n", "message"),
    [
        (21, 20, "row 0: 21 successes of 20 trials (more successes than trials)"),
        (-1, 20, "a count is negative"),
        (2.5, 20, "not a whole number"),
        (float("nan"), 20, "a count is missing"),
    ],
)
def test_counts_that_are_not_counts_are_refused_saying_where(s, n, message) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        proportion_ci(s, n)


def test_a_bad_row_of_a_table_is_named_by_its_label() -> None:
    table = pd.DataFrame({"hits": [3, 21], "n": [10, 20]}, index=["SE", "FI"])
    with pytest.raises(ValueError, match="row FI: 21 successes of 20 trials"):
        add_proportion(table, "hits", "n", 0.95, "wilson")
    with pytest.raises(ValueError, match=r"difference_ci: .*row b: 5 successes of 4"):
        difference_ci(1, 2, 5, 4)
