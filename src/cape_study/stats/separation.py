"""Separation in logistic regression and monotone likelihood in Cox regression.

When one predictor, or a combination, sorts the cases by their outcome (every case
reported as aggravated trafficking was prosecuted), the maximum likelihood estimate of
a logistic model is infinite and ordinary fitting "converges" to meaningless numbers
(Albert & Anderson 1984). :func:`detect_separation` finds this before fitting, by the
linear programs of Konis (2007) that R's ``detectseparation`` uses;
:func:`monotone_likelihood` is the same check for a Cox model (Heinze & Schemper 2001).
:mod:`cape_study.stats.firth` fits the separated logistic model by Firth's method, and
:mod:`cape_study.stats.models` decides when to use it.

References
----------
Albert, A. & Anderson, J. A. (1984). On the existence of maximum likelihood estimates
in logistic regression models. *Biometrika* 71, 1-10.
Heinze, G. & Schemper, M. (2001). A solution to the problem of monotone likelihood in
Cox regression. *Biometrics* 57, 114-119.
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
from scipy import optimize

from cape_study.errors import CannotEstimate, CapeStudyError

__all__ = [
    "INTERCEPT",
    "ModelError",
    "Separation",
    "detect_separation",
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
