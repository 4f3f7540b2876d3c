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

import pandas as pd
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

__all__ = ["CI_METHODS", "add_proportion", "difference_ci", "proportion_ci"]

#: Interval methods, by the names used in the parameters, as statsmodels calls them.
CI_METHODS = {
    "wilson": "wilson",
    "clopper_pearson": "beta",
    "jeffreys": "jeffreys",
    "agresti_coull": "agresti_coull",
}


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
        ``clopper_pearson`` (exact), ``jeffreys`` or ``agresti_coull``.

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
    low = pd.Series(float("nan"), index=s.index)
    high = pd.Series(float("nan"), index=s.index)
    ok = n > 0
    if ok.any():
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
    counts and proportions near 0 or 1. Both ``trials`` must be positive.

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. *Statistics in Medicine* 17, 873-890.
    """
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
