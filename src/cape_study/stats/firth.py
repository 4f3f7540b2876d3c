"""Logistic regression when the data are separated: detection and Firth's correction.

When one predictor, or a combination, sorts the cases by their outcome (every case
reported as aggravated trafficking was prosecuted), the maximum likelihood estimate of
a logistic model is infinite and ordinary fitting "converges" to meaningless numbers
(Albert & Anderson 1984). :func:`detect_separation` finds this before fitting, by the
linear programs of Konis (2007) that R's ``detectseparation`` uses; :func:`firth_logit`
fits the model by Firth's (1993) penalised likelihood instead, with profile
penalised-likelihood intervals and tests, as R's ``logistf`` does (Heinze & Schemper
2002). :func:`monotone_likelihood` is the same check for a Cox model (Heinze &
Schemper 2001). :mod:`cape_study.stats.models` decides when to use them.

References
----------
Albert, A. & Anderson, J. A. (1984). On the existence of maximum likelihood estimates
in logistic regression models. *Biometrika* 71, 1-10.
Firth, D. (1993). Bias reduction of maximum likelihood estimates. *Biometrika* 80, 27-38.
Heinze, G. & Schemper, M. (2001). A solution to the problem of monotone likelihood in
Cox regression. *Biometrics* 57, 114-119.
Heinze, G. & Schemper, M. (2002). A solution to the problem of separation in logistic
regression. *Statistics in Medicine* 21, 2409-2419.
Heinze, G., Ploner, M., Jiricka, L. & Steiner, G. logistf: Firth's bias-reduced
logistic regression, R package 1.26 (the reference implementation matched here).
Konis, K. (2007). *Linear programming algorithms for detecting separated data in binary
logistic regression models*. DPhil thesis, University of Oxford.
Kosmidis, I. & Schumacher, D. detectseparation: detect and check for separation and
infinite maximum likelihood estimates, R package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.special import expit

from cape_study.errors import CannotEstimate, CapeStudyError

__all__ = [
    "INTERCEPT",
    "ModelError",
    "Separation",
    "detect_separation",
    "firth_logit",
    "model_arrays",
    "monotone_likelihood",
]

#: The name of the intercept in result tables.
INTERCEPT = "(Intercept)"


class ModelError(CapeStudyError, ValueError):
    """A model that cannot be fitted to these data; the message names the column or term."""


_ESTIMATE = {1: "+inf", -1: "-inf", 0: "finite", 2: "inf"}


def _separated(rows: np.ndarray, tolerance: float) -> bool:
    """Konis's test: ``max sum_i a_i'b`` subject to ``a_i'b >= 0``, ``|b_j| <= 1`` is > 0."""
    test = optimize.linprog(
        -rows.sum(axis=0),
        A_ub=-rows,
        b_ub=np.zeros(len(rows)),
        bounds=(-1, 1),
        method="highs",
    )
    return test.status == 0 and -test.fun > tolerance


def _cone_directions(rows: np.ndarray, tolerance: float) -> np.ndarray:
    """For each coefficient, the signs it can take in {b : rows @ b >= 0, |b| <= 1}.

    Returns +1 (only positive), -1 (only negative), 0 (only zero) or 2 (both signs), one
    linear program per coefficient and sign (scipy's HiGHS), so the answer does not
    depend on which optimal vertex a solver returns.
    """
    p = rows.shape[1]
    out = np.zeros(p)
    for j in range(p):
        reach = []
        for sign in (1.0, -1.0):
            c = np.zeros(p)
            c[j] = -sign
            res = optimize.linprog(
                c, A_ub=-rows, b_ub=np.zeros(len(rows)), bounds=(-1, 1), method="highs"
            )
            reach.append(res.status == 0 and -res.fun > tolerance)
        out[j] = 2 if all(reach) else (1 if reach[0] else (-1 if reach[1] else 0))
    return out


def _scaled(x: np.ndarray) -> np.ndarray:
    """Columns scaled to at most 1 in absolute value (directions keep their signs)."""
    scale = np.abs(x).max(axis=0)
    return x / np.where(scale > 0, scale, 1.0)


def model_arrays(
    data: pd.DataFrame, outcome: str, terms: Sequence[str], intercept: bool
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    y = data[outcome].to_numpy(float)
    if not np.isin(y, (0.0, 1.0)).all():
        raise ModelError(f"outcome column {outcome!r} must hold only 0 and 1 (and missing)")
    columns = [data[t].to_numpy(float) for t in terms]
    names = list(terms)
    if intercept:
        columns.insert(0, np.ones(len(data)))
        names.insert(0, INTERCEPT)
    x = np.column_stack(columns) if columns else np.empty((len(data), 0))
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise CannotEstimate(
            "collinear",
            f"the terms {names} are collinear among the {len(data)} complete cases; leave one out",
            n=len(data),
        )
    return x, y, names


# -- separation -------------------------------------------------------------------------
_SEPARATION_METHOD = "the linear programs of Konis (2007), as in R's detectseparation"


@dataclass(frozen=True)
class Separation:
    """Whether the maximum likelihood estimates of a logistic model exist.

    ``kind`` is ``none``, ``quasi-complete`` or ``complete``. ``table`` has one row per
    coefficient: ``term`` and ``ml_estimate`` (``finite``, ``+inf``, ``-inf`` or ``inf``
    when the sign is not determined), as R's ``detectseparation`` reports it.
    """

    kind: Literal["none", "quasi-complete", "complete"]
    table: pd.DataFrame
    method: str = _SEPARATION_METHOD

    @property
    def found(self) -> bool:
        return self.kind != "none"

    @property
    def terms(self) -> list[str]:
        """Predictor terms (not the intercept) whose maximum likelihood estimate is infinite."""
        infinite = self.table[(self.table["ml_estimate"] != "finite")]
        return [t for t in infinite["term"] if t != INTERCEPT]

    def describe(self, labels: dict[str, str] | None = None) -> str:
        """One sentence for a report."""
        if not self.found:
            return "No separation: the maximum likelihood estimates exist."
        labels = labels or {}
        named = ", ".join(
            f"{labels.get(t, t)} ({e})"
            for t, e in self.table[["term", "ml_estimate"]].itertuples(index=False)
            if e != "finite"
        )
        return (
            f"{self.kind.capitalize()} separation: the maximum likelihood estimate of "
            f"{named} is infinite, so ordinary logistic regression does not converge."
        )


def detect_separation(
    data: pd.DataFrame,
    outcome: str,
    terms: Sequence[str],
    *,
    intercept: bool = True,
    tolerance: float = 1e-6,
) -> Separation:
    """Detect complete and quasi-complete separation in a logistic regression, before fitting.

    The maximum likelihood estimates of a logistic model are finite unless the data are
    separated (Albert & Anderson 1984): some direction ``b != 0`` has ``x_i'b >= 0`` for
    every case with ``y = 1`` and ``x_i'b <= 0`` for every case with ``y = 0``. With
    ``a_i = (2 y_i - 1) x_i``, Konis (2007, ch. 4) finds such a ``b`` by the linear
    program ``max sum_i a_i'b`` subject to ``a_i'b >= 0`` and ``-1 <= b_j <= 1``, whose
    optimum is positive exactly when the data are separated; this is R's
    ``detectseparation`` (Kosmidis & Schumacher), solved here with scipy's HiGHS. The
    separation is **complete** when the minimum margin ``max t`` subject to
    ``a_i'b >= t`` is positive (every case strictly on its side), else
    **quasi-complete**. A coefficient's estimate is infinite when some separating
    direction moves it; one further program per coefficient and sign gives its
    direction (``+inf``/``-inf``) independently of the solver's vertex. Columns are
    scaled to at most 1 first, which changes no sign.

    Parameters
    ----------
    data
        One row per case; rows with a missing outcome or term are left out.
    outcome
        Column of 0/1 outcomes.
    terms
        Numeric predictor columns.
    intercept
        Include an intercept (reported as :data:`INTERCEPT`).
    tolerance
        Objective values below this count as zero.

    Returns
    -------
    Separation

    References
    ----------
    Konis, K. (2007), DPhil thesis, University of Oxford, sections 4.2-4.4; Kosmidis, I.
    & Schumacher, D., detectseparation (R package), ``separator_ROI`` and
    ``separation_type_ROI``.
    """
    used = data.dropna(subset=[outcome, *terms])
    x, y, names = model_arrays(used, outcome, terms, intercept)
    rows = _scaled(x) * (2 * y - 1)[:, None]
    n, p = rows.shape
    zeros = np.zeros(n)
    if not _separated(rows, tolerance):
        table = pd.DataFrame({"term": names, "ml_estimate": "finite"})
        return Separation("none", table)
    margin = optimize.linprog(
        np.r_[np.zeros(p), -1.0],
        A_ub=-np.c_[rows, -np.ones(n)],
        b_ub=zeros,
        bounds=[(-1, 1)] * p + [(None, 1)],
        method="highs",
    )
    kind = "complete" if margin.status == 0 and -margin.fun > tolerance else "quasi-complete"
    directions = _cone_directions(rows, tolerance)
    table = pd.DataFrame({"term": names, "ml_estimate": [_ESTIMATE[int(d)] for d in directions]})
    return Separation(kind, table)


# -- Firth's penalised likelihood -------------------------------------------------------
def _penalised_loglik(x: np.ndarray, y: np.ndarray, beta: np.ndarray, firth: bool) -> float:
    eta = x @ beta
    loglik = float(np.sum(y * eta - np.logaddexp(0.0, eta)))
    if firth:
        w = expit(eta) * expit(-eta)
        sign, logdet = np.linalg.slogdet((x * w[:, None]).T @ x)
        loglik += 0.5 * logdet if sign > 0 else -np.inf
    return loglik


def _hat(x: np.ndarray, w: np.ndarray, info_inv: np.ndarray) -> np.ndarray:
    xw = x * np.sqrt(w)[:, None]
    return np.einsum("ij,jk,ik->i", xw, info_inv, xw)


def _fit(
    x: np.ndarray,
    y: np.ndarray,
    beta: np.ndarray,
    free: np.ndarray,
    firth: bool = True,
    max_iter: int = 200,
    max_step: float = 5.0,
) -> tuple[np.ndarray, float]:
    """Maximise the (penalised) log-likelihood over the ``free`` coefficients.

    Newton-Raphson on Firth's modified score ``U*_j = sum (y - pi + h (1/2 - pi)) x_j``
    (``h`` the diagonal of the hat matrix of the *full* design, as logistf does for
    profiles and tests), steps capped at ``max_step`` and halved while the penalised
    log-likelihood would fall.
    """
    beta = beta.astype(float).copy()
    loglik = _penalised_loglik(x, y, beta, firth)
    for _ in range(max_iter):
        eta = x @ beta
        pi = expit(eta)
        w = pi * (1 - pi)
        info = (x * w[:, None]).T @ x
        residual = y - pi
        if firth:
            residual = residual + _hat(x, w, np.linalg.inv(info)) * (0.5 - pi)
        score = x.T @ residual
        step = np.zeros_like(beta)
        step[free] = np.linalg.solve(info[np.ix_(free, free)], score[free])
        largest = np.max(np.abs(step), initial=0.0)
        if largest > max_step:
            step *= max_step / largest
        # Halve the step until the penalised log-likelihood rises: this also breaks the
        # two-cycles that scoring with the Fisher information (not the Hessian of l*)
        # can fall into near the maximum of a separated coefficient.
        for _ in range(60):
            candidate = _penalised_loglik(x, y, beta + step, firth)
            if candidate > loglik or np.max(np.abs(step), initial=0.0) < 1e-12:
                break
            step /= 2
        beta += step
        loglik = candidate
        if (
            np.max(np.abs(step), initial=0.0) < 1e-10
            and np.max(np.abs(score[free]), initial=0.0) < 1e-8
        ):
            return beta, loglik
    raise ModelError("the penalised likelihood did not converge in 200 Newton steps")


def _profile_limit(
    x: np.ndarray,
    y: np.ndarray,
    beta: np.ndarray,
    j: int,
    target: float,
    scale: float,
    sign: int,
) -> float:
    """Where the profile penalised log-likelihood of coefficient j falls to ``target``.

    The root is bracketed by steps of ``scale`` (a standard error) doubling outwards,
    then found by Brent's method; a profile that never falls that far (beyond 1,024
    standard errors) gives an infinite limit.
    """
    free = np.ones(len(beta), bool)
    free[j] = False
    start = beta.copy()

    def gap(b: float) -> float:
        trial = start.copy()
        trial[j] = b
        try:
            fitted, value = _fit(x, y, trial, free)
        except (ModelError, np.linalg.LinAlgError):
            return -1e6  # fitted probabilities of 0 and 1: far below the target
        start[:] = fitted
        return value - target

    inner, step = beta[j], scale
    outer = beta[j] + sign * step
    while gap(outer) > 0:
        if step > 1024 * scale:
            return sign * np.inf
        inner, step = outer, step * 2
        outer = beta[j] + sign * step
    start[:] = beta
    return float(optimize.brentq(gap, inner, outer, xtol=1e-10, rtol=1e-12))


def firth_logit(
    data: pd.DataFrame,
    outcome: str,
    terms: Sequence[str],
    *,
    confidence: float = 0.95,
    intercept: bool = True,
) -> pd.DataFrame:
    """Logistic regression by Firth's penalised likelihood, with profile intervals.

    Firth (1993) removes the first-order bias of maximum likelihood by maximising the
    penalised log-likelihood ``l*(b) = l(b) + 1/2 log det I(b)`` (Jeffreys' prior), whose
    maximum is finite even under separation (Heinze & Schemper 2002). Intervals are
    profile penalised-likelihood intervals: the values of ``b_j`` at which
    ``2 (l*(b^) - max l*(b | b_j)) = chi2_1(confidence)``, with ``l*`` always penalised by
    the full design's information; p-values are penalised likelihood ratio tests of
    ``b_j = 0``. Standard errors are those ``logistf`` (1.24 and later) reports: from the
    inverse of ``X' W~ X`` with ``W~ = diag(pi (1 - pi)(1 + h))``, the information of the
    augmented data. The results match R's ``logistf`` (its ``sex2`` example to at least
    six decimals: see ``tests/test_models.py``).

    Parameters
    ----------
    data
        One row per case; rows with a missing outcome or term are left out.
    outcome
        Column of 0/1 outcomes.
    terms
        Numeric predictor columns.
    confidence
        Coverage of the intervals.
    intercept
        Include an intercept (reported first, as :data:`INTERCEPT`).

    Returns
    -------
    DataFrame
        Tidy, one row per coefficient: ``term``, ``estimate`` (log odds), ``std_error``,
        ``ci_low``, ``ci_high`` (log odds; infinite when the profile never falls far
        enough), ``statistic`` (penalised likelihood ratio chi-square), ``p_value``,
        ``interval`` ("profile penalised likelihood"), ``confidence``.

    References
    ----------
    Firth (1993); Heinze & Schemper (2002); Heinze, Ploner et al., logistf (R package),
    ``logistf.fit``, ``logistpl`` and ``logistftest``; Venzon, D. J. & Moolgavkar, S. H.
    (1988). A method for computing profile-likelihood-based confidence intervals.
    *Applied Statistics* 37, 87-94.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    used = data.dropna(subset=[outcome, *terms])
    x, y, names = model_arrays(used, outcome, terms, intercept)
    p = len(names)
    everything = np.ones(p, bool)
    beta, loglik = _fit(x, y, np.zeros(p), everything)
    pi = expit(x @ beta)
    w = pi * (1 - pi)
    h = _hat(x, w, np.linalg.inv((x * w[:, None]).T @ x))
    std_error = np.sqrt(np.diag(np.linalg.inv((x * (w * (1 + h))[:, None]).T @ x)))
    target = loglik - stats.chi2.ppf(confidence, 1) / 2
    rows = []
    for j, name in enumerate(names):
        free = everything.copy()
        free[j] = False
        null = beta.copy()
        null[j] = 0.0
        _, null_loglik = _fit(x, y, null, free)
        chisq = max(2 * (loglik - null_loglik), 0.0)
        rows.append(
            {
                "term": name,
                "estimate": beta[j],
                "std_error": std_error[j],
                "ci_low": _profile_limit(x, y, beta, j, target, std_error[j], -1),
                "ci_high": _profile_limit(x, y, beta, j, target, std_error[j], +1),
                "statistic": chisq,
                "p_value": float(stats.chi2.sf(chisq, 1)),
            }
        )
    table = pd.DataFrame(rows)
    table["interval"] = "profile penalised likelihood"
    table["confidence"] = confidence
    return table


def _risk_differences(x: np.ndarray, time: np.ndarray, event: np.ndarray) -> np.ndarray:
    """The distinct rows ``x_i - x_j`` for every event ``i`` and every ``j`` at risk at its
    time (``time_j >= time_i``), sorted as :func:`numpy.unique` sorts them.

    Computed over the distinct rows of ``x`` (covariate patterns), not over the pairs of
    subjects: pattern ``b`` is at risk at an event of pattern ``a`` exactly when the
    latest time of ``b`` is at least the earliest event time of ``a``. The same set,
    without materialising events x subjects rows (billions at 100,000 cases).
    """
    if not event.any():
        return np.empty((0, x.shape[1]))
    patterns, pattern_of = np.unique(x, axis=0, return_inverse=True)
    pattern_of = pattern_of.reshape(-1)
    latest = np.full(len(patterns), -np.inf)
    np.maximum.at(latest, pattern_of, time)
    earliest = np.full(len(patterns), np.inf)
    np.minimum.at(earliest, pattern_of[event], time[event])
    diffs = [patterns[a] - patterns[latest >= earliest[a]] for a in np.unique(pattern_of[event])]
    return np.unique(np.vstack(diffs), axis=0)


def monotone_likelihood(
    data: pd.DataFrame, duration: str, event: str, terms: Sequence[str], tolerance: float = 1e-6
) -> dict[str, str]:
    """Find the terms of a Cox model whose partial likelihood estimate is infinite.

    Cox's partial log-likelihood ``sum_i [x_i'b - log sum_{j in R_i} exp(x_j'b)]``
    (Breslow's form; Efron's differs only for tied events) rises for ever along a
    direction ``b`` exactly when ``(x_i - x_j)'b >= 0`` for every event ``i`` and every
    ``j`` at risk at its time, with strict inequality somewhere: monotone likelihood
    (Bryson & Johnson 1981; Heinze & Schemper 2001). That is the cone of
    :func:`detect_separation` with rows ``x_i - x_j``, and the same linear programs
    find it and the direction of each infinite estimate.

    Parameters
    ----------
    data
        One row per subject, complete (no missing values in the columns used).
    duration, event
        Columns of times and of 0/1 event indicators.
    terms
        Numeric predictor columns.

    Returns
    -------
    dict
        ``{term: "+inf" | "-inf" | "inf"}`` for each term with an infinite estimate;
        empty when the partial likelihood has a finite maximum.

    References
    ----------
    Bryson, M. C. & Johnson, M. E. (1981). The incidence of monotone likelihood in the
    Cox model. *Technometrics* 23, 381-383. Heinze & Schemper (2001).
    """
    x = _scaled(data[list(terms)].to_numpy(float))
    time = data[duration].to_numpy(float)
    status = data[event].to_numpy(float)
    rows = _risk_differences(x, time, status == 1)
    rows = rows[np.abs(rows).sum(axis=1) > 0]
    if not len(rows) or not _separated(rows, tolerance):
        return {}
    directions = _cone_directions(rows, tolerance)
    return {t: _ESTIMATE[int(d)] for t, d in zip(terms, directions, strict=True) if d != 0}
