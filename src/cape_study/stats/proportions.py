"""Confidence intervals for binomial proportions and for the difference of two.

The one home of the study's proportion intervals: the attrition funnel
(:func:`cape_study.stats.attrition.funnel`), the prevalence of barriers
(:func:`cape_study.stats.barriers.prevalence` and
:func:`~cape_study.stats.barriers.prevalence_difference`) and the comparison with public
statistics (:func:`cape_study.stats.public_statistics.compare`) all take theirs from
here. The computations are statsmodels' (:func:`statsmodels.stats.proportion.proportion_confint`
and :func:`~statsmodels.stats.proportion.confint_proportions_2indep`).

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
inference. *Journal of the American Statistical Association* 22, 209-212.
Clopper, C. J. & Pearson, E. S. (1934). The use of confidence or fiducial limits
illustrated in the case of the binomial. *Biometrika* 26, 404-413.
Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
comparison of seven methods. *Statistics in Medicine* 17, 857-872.
Newcombe, R. G. (1998). Interval estimation for the difference between independent
proportions: comparison of eleven methods. *Statistics in Medicine* 17, 873-890.
Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial
proportion. *Statistical Science* 16, 101-133.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

__all__ = ["CI_METHODS", "add_proportion", "check_counts", "difference_ci", "proportion_ci"]

#: Interval methods, by the names used in the parameters, as statsmodels calls them
#: (``wilson_cc`` is computed here: statsmodels has no continuity-corrected score interval).
CI_METHODS = {
    "wilson": "wilson",
    "wilson_cc": None,
    "clopper_pearson": "beta",
    "jeffreys": "jeffreys",
    "agresti_coull": "agresti_coull",
}


def check_counts(successes: pd.Series, trials: pd.Series, *, what: str = "counts") -> None:
    """Refuse counts that are not counts: missing, negative, fractional, or more
    successes than trials.

    Raises
    ------
    ValueError
        Naming ``what``, the position (the Series' index label) and the values of every
        bad entry (at most five shown), for example ``funnel: row 3: 21 successes of 20
        trials``. The library underneath would only warn and return NaN.
    """
    s = pd.Series(successes, dtype="float64")
    n = pd.Series(trials, dtype="float64")
    n.index = s.index
    problems = []
    for label, a, b in zip(s.index, s.to_numpy(), n.to_numpy(), strict=True):
        if np.isnan(a) or np.isnan(b):
            why = "a count is missing"
        elif a < 0 or b < 0:
            why = "a count is negative"
        elif a != np.floor(a) or b != np.floor(b):
            why = "a count is not a whole number"
        elif a > b:
            why = "more successes than trials"
        else:
            continue
        problems.append(f"row {label}: {a:g} successes of {b:g} trials ({why})")
    if problems:
        more = f" and {len(problems) - 5} more" if len(problems) > 5 else ""
        raise ValueError(
            f"{what}: {len(problems)} bad count(s): "
            + "; ".join(problems[:5])
            + more
            + "; expected whole numbers with 0 <= successes <= trials"
        )


def _wilson_cc(s: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson's score interval with continuity correction (Newcombe 1998, method 4)."""
    p = s / n
    q = 1 - p
    with np.errstate(invalid="ignore"):
        low = (2 * n * p + z**2 - 1 - z * np.sqrt(z**2 - 2 - 1 / n + 4 * p * (n * q + 1))) / (
            2 * (n + z**2)
        )
        high = (2 * n * p + z**2 + 1 + z * np.sqrt(z**2 + 2 - 1 / n + 4 * p * (n * q - 1))) / (
            2 * (n + z**2)
        )
    return np.where(p == 0, 0.0, low), np.where(p == 1, 1.0, high)


def proportion_ci(
    successes: pd.Series | int,
    trials: pd.Series | int,
    confidence: float = 0.95,
    method: str = "wilson",
) -> tuple[pd.Series | float, pd.Series | float]:
    """Two-sided confidence interval for a binomial proportion.

    Parameters
    ----------
    successes, trials
        Counts (scalars or aligned Series); where ``trials`` is 0 the interval is
        missing.
    confidence
        Coverage, e.g. 0.95.
    method
        ``wilson`` (score interval, Wilson 1927; recommended by Newcombe 1998 and
        Brown, Cai & DasGupta 2001 for small counts and proportions near 0, as here),
        ``wilson_cc`` (the score interval with continuity correction, Newcombe 1998
        method 4, R's ``prop.test(correct = TRUE)``; more conservative),
        ``clopper_pearson`` (exact), ``jeffreys`` or ``agresti_coull``.

    Raises
    ------
    ValueError
        For an unknown method, a confidence outside (0, 1), or counts that are not
        counts (:func:`check_counts`: 21 successes of 20 trials names the row).

    References
    ----------
    Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
    comparison of seven methods. *Statistics in Medicine* 17, 857-872.
    """
    if method not in CI_METHODS:
        raise ValueError(f"unknown interval method {method!r}; known: {', '.join(CI_METHODS)}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    scalar = not isinstance(trials, pd.Series)
    s = pd.Series([successes] if scalar else successes, dtype="float64")
    n = pd.Series([trials] if scalar else trials, dtype="float64")
    n.index = s.index
    check_counts(s, n, what="proportion_ci")
    low = pd.Series(float("nan"), index=s.index)
    high = pd.Series(float("nan"), index=s.index)
    ok = n > 0
    if ok.any() and method == "wilson_cc":
        z = float(norm.ppf(0.5 + confidence / 2))
        low[ok], high[ok] = _wilson_cc(s[ok].to_numpy(), n[ok].to_numpy(), z)
    elif ok.any():
        lo, hi = proportion_confint(s[ok], n[ok], alpha=1 - confidence, method=CI_METHODS[method])
        low[ok], high[ok] = lo, hi
    if scalar:
        return float(low.iloc[0]), float(high.iloc[0])
    return low, high


def add_proportion(
    table: pd.DataFrame, successes: str, trials: str, confidence: float, method: str
) -> pd.DataFrame:
    """``table`` with a share and its interval: ``proportion`` (``successes`` /
    ``trials``, missing where there are no trials), ``ci_low`` and ``ci_high``
    (:func:`proportion_ci`), ``ci_method`` and ``confidence``. Changes ``table``."""
    n = table[trials]
    table["proportion"] = table[successes] / n.where(n > 0)
    table["ci_low"], table["ci_high"] = proportion_ci(table[successes], n, confidence, method)
    table["ci_method"] = method
    table["confidence"] = confidence
    return table


def difference_ci(
    successes_a: int, trials_a: int, successes_b: int, trials_b: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval for the difference of two independent proportions.

    The interval for ``successes_a / trials_a - successes_b / trials_b`` built from the
    two Wilson intervals (Newcombe 1998, method 10), which keeps its coverage for small
    counts and proportions near 0 or 1. Both ``trials`` must be positive; counts that
    are not counts raise ValueError (:func:`check_counts`).

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. *Statistics in Medicine* 17, 873-890.
    """
    check_counts(
        pd.Series([successes_a, successes_b], index=["a", "b"]),
        pd.Series([trials_a, trials_b], index=["a", "b"]),
        what="difference_ci",
    )
    if min(trials_a, trials_b) <= 0:
        raise ValueError(f"difference_ci: both groups need trials; got {trials_a} and {trials_b}")
    low, high = confint_proportions_2indep(
        successes_a,
        trials_a,
        successes_b,
        trials_b,
        method="newcomb",
        compare="diff",
        alpha=1 - confidence,
    )
    return float(low), float(high)
