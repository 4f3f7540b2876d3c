"""Logistic regression by Firth's penalised likelihood, for separated data.

When the data are separated (:func:`cape_study.stats.separation.detect_separation`),
the maximum likelihood estimate of a logistic model is infinite; :func:`firth_fit` fits
the model by Firth's (1993) penalised likelihood instead, with profile
penalised-likelihood intervals and tests, as R's ``logistf`` does (Heinze & Schemper
2002), and returns the penalised log-likelihoods, the model's likelihood ratio test and
both the classical and the augmented standard errors; :func:`firth_logit` is its
coefficient table. The separation checks live in :mod:`cape_study.stats.separation`
and are re-exported here; :mod:`cape_study.stats.models` decides when to use them.

References
----------
Firth, D. (1993). Bias reduction of maximum likelihood estimates. *Biometrika* 80, 27-38.
Heinze, G. & Schemper, M. (2002). A solution to the problem of separation in logistic
regression. *Statistics in Medicine* 21, 2409-2419.
Heinze, G., Ploner, M., Jiricka, L. & Steiner, G. logistf: Firth's bias-reduced
logistic regression, R package 1.26 (the reference implementation matched here).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.special import expit

from cape_study.stats.separation import (
    INTERCEPT,
    ModelError,
    Separation,
    detect_separation,
    model_arrays,
    monotone_likelihood,
)

__all__ = [
    "INTERCEPT",
    "FirthResult",
    "ModelError",
    "Separation",
    "detect_separation",
    "firth_fit",
    "firth_logit",
    "model_arrays",
    "monotone_likelihood",
]


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


def _fit_or_search(
    x: np.ndarray, y: np.ndarray, beta: np.ndarray, free: np.ndarray
) -> tuple[np.ndarray, float]:
    """:func:`_fit`, or where Newton's steps do not converge (they can cycle near
    separation: a 1,000-case synthetic file's model within one country stopped 03 after
    200 steps), :func:`_fit_quasi_newton` from the same start; ModelError when neither
    finds the maximum."""
    try:
        return _fit(x, y, beta, free)
    except (ModelError, np.linalg.LinAlgError):
        pass
    searched, value = _fit_quasi_newton(x, y, beta, free)
    if np.isfinite(value):
        # Newton's steps from BFGS's point polish it to the exact maximum
        with contextlib.suppress(ModelError, np.linalg.LinAlgError):
            return _fit(x, y, searched, free)
    raise ModelError("the penalised likelihood did not converge (200 Newton steps, then BFGS)")


def _fit_quasi_newton(
    x: np.ndarray, y: np.ndarray, beta: np.ndarray, free: np.ndarray
) -> tuple[np.ndarray, float]:
    """:func:`_fit` by BFGS on the penalised log-likelihood (slower, but it converges
    where Newton's steps stall near separation); -inf when it does not converge."""
    fixed = beta.astype(float).copy()

    def minus(theta: np.ndarray) -> float:
        fixed[free] = theta
        value = _penalised_loglik(x, y, fixed, True)
        return -value if np.isfinite(value) else 1e300

    found = optimize.minimize(
        minus, beta[free], method="BFGS", options={"gtol": 1e-9, "maxiter": 5000}
    )
    fitted = beta.astype(float).copy()
    fitted[free] = found.x
    return fitted, (-found.fun if found.fun < 1e300 else -np.inf)


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
    known: list[tuple[float, np.ndarray]] = [(float(beta[j]), beta.copy())]

    def gap(b: float) -> float:
        # Newton's method from the last fit; where it does not converge (near
        # separation, a coefficient on its way to infinity), a quasi-Newton search from
        # the fit at the nearest value tried, so that the gap is the same function of b
        # whichever order Brent's method asks in.
        trial = start.copy()
        trial[j] = b
        try:
            fitted, value = _fit(x, y, trial, free)
        except (ModelError, np.linalg.LinAlgError):
            near = min(known, key=lambda k: abs(k[0] - b))[1].copy()
            near[j] = b
            fitted, value = _fit_quasi_newton(x, y, near, free)
        if np.isfinite(value):
            start[:] = fitted
            known.append((b, fitted))
            return value - target
        return -1e6  # fitted probabilities of 0 and 1: far below the target

    inner, step = beta[j], scale
    outer = beta[j] + sign * step
    while gap(outer) > 0:
        if step > 1024 * scale:
            return sign * np.inf
        inner, step = outer, step * 2
        outer = beta[j] + sign * step
    start[:] = beta
    try:
        return float(optimize.brentq(gap, inner, outer, xtol=1e-10, rtol=1e-12))
    except ValueError:  # the two ends no longer on either side of the target
        raise ModelError(
            f"the profile penalised likelihood of coefficient {j} could not be bracketed "
            f"between {inner:.3g} and {outer:.3g}"
        ) from None


@dataclass(frozen=True)
class FirthResult:
    """A logistic model fitted by Firth's penalised likelihood (:func:`firth_fit`).

    ``table`` has the coefficients; ``loglik`` is the penalised log-likelihood
    l(b) + 1/2 log det I(b) at the estimate and ``null_loglik`` that of the
    intercept-only model; ``lr_statistic`` = 2 (loglik - null_loglik) tests all terms but
    the intercept, with ``df`` degrees of freedom and ``lr_p_value``, as ``logistf``'s
    summary prints it ("Likelihood ratio test"); ``n`` cases.
    """

    table: pd.DataFrame
    loglik: float
    null_loglik: float
    lr_statistic: float
    df: int
    lr_p_value: float
    n: int


def firth_fit(
    data: pd.DataFrame,
    outcome: str,
    terms: Sequence[str],
    *,
    confidence: float = 0.95,
    intercept: bool = True,
) -> FirthResult:
    """Logistic regression by Firth's penalised likelihood, with profile intervals and tests.

    Firth (1993) removes the first-order bias of maximum likelihood by maximising the
    penalised log-likelihood ``l*(b) = l(b) + 1/2 log det I(b)`` (Jeffreys' prior), whose
    maximum is finite even under separation (Heinze & Schemper 2002). Intervals are
    profile penalised-likelihood intervals: the values of ``b_j`` at which
    ``2 (l*(b^) - max l*(b | b_j)) = chi2_1(confidence)``, with ``l*`` always penalised by
    the full design's information; p-values are penalised likelihood ratio tests of
    ``b_j = 0``. Standard errors are those ``logistf`` (1.24 and later) reports: from the
    inverse of ``X' W~ X`` with ``W~ = diag(pi (1 - pi)(1 + h))``, the information of the
    augmented data; ``std_error_classical`` is the inverse Fisher information
    ``X' W X`` at the estimate (``logistf`` before 1.24, SAS ``FIRTH``, Heinze & Schemper
    2002). The model's likelihood ratio test compares the penalised log-likelihood with
    that of the intercept-only model (the other coefficients fixed at 0, the penalty
    still that of the full design, as ``logistf`` computes ``loglik["null"]``).
    The results match R's ``logistf`` (its ``sex2`` example to at least
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
    FirthResult
        ``table``: tidy, one row per coefficient: ``term``, ``estimate`` (log odds),
        ``std_error`` (augmented), ``std_error_classical``, ``ci_low``, ``ci_high`` (log
        odds; infinite when the profile never falls far enough), ``statistic``
        (penalised likelihood ratio chi-square), ``p_value``, ``interval`` ("profile
        penalised likelihood"), ``confidence``; and the model's penalised
        log-likelihoods and tests.

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
    beta, loglik = _fit_or_search(x, y, np.zeros(p), everything)
    pi = expit(x @ beta)
    w = pi * (1 - pi)
    information = (x * w[:, None]).T @ x
    h = _hat(x, w, np.linalg.inv(information))
    covariance = np.linalg.inv((x * (w * (1 + h))[:, None]).T @ x)
    std_error = np.sqrt(np.diag(covariance))
    classical = np.sqrt(np.diag(np.linalg.inv(information)))
    target = loglik - stats.chi2.ppf(confidence, 1) / 2
    rows = []
    for j, name in enumerate(names):
        free = everything.copy()
        free[j] = False
        null = beta.copy()
        null[j] = 0.0
        _, null_loglik = _fit_or_search(x, y, null, free)
        chisq = max(2 * (loglik - null_loglik), 0.0)
        rows.append(
            {
                "term": name,
                "estimate": beta[j],
                "std_error": std_error[j],
                "std_error_classical": classical[j],
                "ci_low": _profile_limit(x, y, beta, j, target, std_error[j], -1),
                "ci_high": _profile_limit(x, y, beta, j, target, std_error[j], +1),
                "statistic": chisq,
                "p_value": float(stats.chi2.sf(chisq, 1)),
            }
        )
    table = pd.DataFrame(rows)
    table["interval"] = "profile penalised likelihood"
    table["confidence"] = confidence
    tested = np.array([name != INTERCEPT for name in names])
    null_loglik = loglik
    if tested.any():
        start = np.where(tested, 0.0, beta)
        _, null_loglik = _fit_or_search(x, y, start, ~tested)
    lr = max(2 * (loglik - null_loglik), 0.0)
    df = int(tested.sum())
    return FirthResult(
        table=table,
        loglik=loglik,
        null_loglik=null_loglik,
        lr_statistic=lr,
        df=df,
        lr_p_value=float(stats.chi2.sf(lr, df)) if df else float("nan"),
        n=len(y),
    )


def firth_logit(
    data: pd.DataFrame,
    outcome: str,
    terms: Sequence[str],
    *,
    confidence: float = 0.95,
    intercept: bool = True,
) -> pd.DataFrame:
    """The coefficient table of :func:`firth_fit` (same arguments)."""
    return firth_fit(data, outcome, terms, confidence=confidence, intercept=intercept).table
