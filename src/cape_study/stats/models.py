"""What predicts reaching prosecution: case-level logistic and Cox regression.

Population and outcomes
-----------------------
The unit is the case (police report). The population is **cases with at least one
suspect** (``cases.n_suspects >= 1``, as in the synthetic generator's planted model): a
case without a suspect cannot be prosecuted, a structural zero that says nothing about
what predicts prosecution. Times and ends come from
:func:`cape_study.stats.attrition.event_times`:

* **logistic regression**: the outcome ``prosecuted`` is 1 for a case prosecuted by the
  data cut-off and 0 for a case closed without prosecution; a case still open at the
  cut-off has no known outcome and is left out (``prosecuted`` is missing). When the
  time to an end does not depend on the predictors (as in the generator), this
  selection moves the intercept only.
* **Cox regression**: days from report to prosecution. Closure is a competing event;
  it is treated as censoring at the closure date, so the hazard ratios are
  *cause-specific*: they compare the rate of prosecution among cases still open, not
  the probability of ever being prosecuted (Putter, Fiocco & Geskus 2007). Open cases
  are censored at the cut-off.

Predictors are named in the registry :data:`PREDICTORS` (each documented there, in
:mod:`cape_study.stats.predictors`, with the design matrix; this module re-exports
them); a case with a predictor unknown is left out of the models (complete cases).

Methods
-------
:func:`logistic_regression` first checks for separation
(:func:`cape_study.stats.firth.detect_separation`: the linear programs of Konis 2007, as in R's
``detectseparation``). Without separation it fits by maximum likelihood
(``statsmodels``, Wald intervals); with complete or quasi-complete separation, by
Firth's penalised likelihood with profile penalised-likelihood intervals, as R's
``logistf`` does (:func:`cape_study.stats.firth.firth_logit`). :func:`cox_regression` uses
``lifelines`` (Efron's method for ties, Wald intervals, the Grambsch-Therneau test of
proportional hazards) and leaves out a term whose partial likelihood is monotone (an
infinite hazard ratio). Every result carries a warning when there are fewer than
:data:`EPV_THRESHOLD` events per estimated coefficient (Peduzzi et al. 1995, 1996).

References
----------
Peduzzi, P., Concato, J., Feinstein, A. R. & Holford, T. R. (1995). Importance of events
per independent variable in proportional hazards regression analysis II. *Journal of
Clinical Epidemiology* 48, 1503-1510.
Peduzzi, P., Concato, J., Kemper, E., Holford, T. R. & Feinstein, A. R. (1996). A
simulation study of the number of events per variable in logistic regression analysis.
*Journal of Clinical Epidemiology* 49, 1373-1379.
Putter, H., Fiocco, M. & Geskus, R. B. (2007). Tutorial in biostatistics: competing
risks and multi-state models. *Statistics in Medicine* 26, 2389-2430.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from cape_study.errors import CannotEstimate
from cape_study.stats.cox import cox_fit
from cape_study.stats.firth import (
    INTERCEPT,
    ModelError,
    Separation,
    detect_separation,
    firth_logit,
    model_arrays,
    monotone_likelihood,
)
from cape_study.stats.predictors import (
    DEFAULT_PREDICTORS,
    POPULATION_ENDS,
    PREDICTORS,
    PROCESS_PREDICTORS,
    Predictor,
    design_matrix,
    model_terms,
    population_counts,
    split_predictors,
    term_counts,
    term_labels,
)

__all__ = [
    "DEFAULT_PREDICTORS",
    "EPV_THRESHOLD",
    "INTERCEPT",
    "POPULATION_ENDS",
    "PREDICTORS",
    "PROCESS_PREDICTORS",
    "CoxResult",
    "LogisticResult",
    "ModelError",
    "Predictor",
    "Separation",
    "blank_counts",
    "cox_regression",
    "design_matrix",
    "detect_separation",
    "firth_logit",
    "logistic_regression",
    "model_terms",
    "population_counts",
    "split_predictors",
    "term_counts",
    "term_labels",
]

#: Fewer events per estimated coefficient than this earns a warning (Peduzzi et al. 1996).
EPV_THRESHOLD = 10


def blank_counts(data: pd.DataFrame, terms: Sequence[str]) -> dict[str, int]:
    """How many cases each term's blanks remove (a case blank in several counts in each).

    A categorical predictor's levels are blank together, so they are counted once, under
    the predictor's name; a term with no blank counts 0. The cases a model leaves out
    (complete cases, :func:`logistic_regression` and :func:`cox_regression`) are those
    blank in any term.
    """
    out: dict[str, int] = {}
    for term in terms:
        name = re.sub(r"\[.*\]$", "", term)
        if name not in out:
            out[name] = int(data[term].isna().sum())
    return out


# -- shared helpers ---------------------------------------------------------------------
def _check_columns(data: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ModelError(f"the data have no column(s) {missing}; columns: {list(data.columns)}")


def _complete(
    data: pd.DataFrame, needed: Sequence[str], terms: Sequence[str]
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Complete cases, the terms that vary among them, and warnings for those that do not."""
    _check_columns(data, [*needed, *terms])
    used = data.dropna(subset=[*needed, *terms]).reset_index(drop=True)
    if used.empty:
        blanks = blank_counts(data.dropna(subset=list(needed)), terms)
        raise CannotEstimate(
            "no_complete_cases",
            f"no case has {', '.join(needed)} and every term known; blanks removed "
            + ", ".join(f"{t}: {n}" for t, n in blanks.items() if n),
            blanks=blanks,
        )
    kept, notes = [], []
    for term in terms:
        if used[term].nunique() > 1:
            kept.append(term)
        else:
            notes.append(
                f"term {term!r} takes one value among the {len(used)} complete cases and was "
                "left out"
            )
    return used, kept, notes


def _epv_warning(
    events: int, n_terms: int, threshold: float, what: str, min_cell_count: int
) -> tuple[float, list[str]]:
    """EPV and, below ``threshold``, a warning. The warning gives the EPV only when the
    event count it reveals (EPV times the number of terms) may be published, that is,
    is at least ``min_cell_count``."""
    epv = events / n_terms if n_terms else float("inf")
    if epv < threshold:
        # Below the disclosure threshold, say no more than suppression would.
        shown = (
            f"{epv:.1f}"
            if events >= min_cell_count
            else f"fewer than {min_cell_count / n_terms:.1f}"
        )
        return epv, [
            f"Too few events per variable: {shown} {what} per estimated coefficient, below "
            f"the rule of {threshold:g} (Peduzzi et al. 1995, 1996); estimates are unstable, "
            "may be biased away from zero, and intervals may be too narrow."
        ]
    return epv, []


# -- logistic regression ----------------------------------------------------------------
@dataclass
class LogisticResult:
    """A fitted logistic model of a binary outcome: the table and what to know about it.

    ``table`` (tidy, one row per coefficient, intercept first) has ``term``,
    ``estimate`` (log odds), ``std_error``, ``odds_ratio``, ``ci_low``, ``ci_high`` (odds
    ratio scale), ``statistic``, ``p_value``, ``test``, ``method``, ``interval`` and
    ``confidence``. ``separation`` tells whether, and why, Firth's method was needed;
    ``warnings`` lists, in words, what else a reader must know (too few events per
    variable, terms left out); ``few_events`` is whether the EPV is below the threshold
    (one of those warnings).
    """

    table: pd.DataFrame
    separation: Separation
    method: str
    interval: str
    confidence: float
    n: int
    events: int
    non_events: int
    excluded: int
    epv: float
    terms: list[str]
    warnings: list[str] = field(default_factory=list)
    few_events: bool = False


_METHODS = ("auto", "firth", "ml")


def logistic_regression(
    data: pd.DataFrame,
    outcome: str,
    terms: Sequence[str],
    *,
    method: str = "auto",
    confidence: float = 0.95,
    epv_threshold: float = EPV_THRESHOLD,
    min_cell_count: int = 1,
) -> LogisticResult:
    """Odds ratios for a binary outcome, with separation detected and handled.

    Complete cases only (rows with the outcome or a term missing are counted in
    ``excluded``); a term that does not vary among them is left out with a warning.
    :func:`detect_separation` runs first. With ``method="auto"`` the model is fitted by
    maximum likelihood (``statsmodels`` ``Logit``; Wald intervals and tests) when the
    estimates exist, and by Firth's penalised likelihood (:func:`firth_logit`; profile
    penalised-likelihood intervals, penalised likelihood ratio tests) when the data are
    separated; ``"firth"`` always uses Firth, ``"ml"`` refuses separated data. Events
    per variable (EPV) are the cases of the rarer outcome per estimated coefficient
    (intercept not counted); below ``epv_threshold`` a warning is added (Peduzzi et al.
    1996), which names the EPV only if the event count it implies is at least
    ``min_cell_count`` (the disclosure threshold).

    Returns
    -------
    LogisticResult

    Raises
    ------
    CannotEstimate
        When the data cannot support the model (the documented "cannot estimate"
        result, :class:`cape_study.errors.CannotEstimate`): no complete case
        (``no_complete_cases``, with each term's blanks), no event or no non-event
        (``no_outcome_variation``), no term that varies (``no_term_varies``), fewer
        cases of the rarer outcome than terms, under one event per variable
        (``too_few_events``), collinear terms (``collinear``), or a penalised likelihood
        whose maximum neither Newton nor BFGS finds (``no_convergence``).
    """
    if method not in _METHODS:
        raise ValueError(f"unknown method {method!r}; known methods: {', '.join(_METHODS)}")
    used, kept, notes = _complete(data, [outcome], terms)
    y = used[outcome].to_numpy(float)
    events, non_events = int(y.sum()), int(len(y) - y.sum())
    facts = dict(n=len(used), events=events, non_events=non_events, outcome=outcome)
    if not events or not non_events:
        raise CannotEstimate(
            "no_outcome_variation",
            f"cannot model {outcome!r}: {events} event(s) and {non_events} non-event(s) "
            f"among {len(used)} complete cases",
            **facts,
        )
    if not kept:
        raise CannotEstimate(
            "no_term_varies", f"no term varies among the {len(used)} complete cases", **facts
        )
    if min(events, non_events) < len(kept):
        raise CannotEstimate(
            "too_few_events",
            f"cannot model {outcome!r}: {min(events, non_events)} case(s) of the rarer outcome "
            f"for {len(kept)} term(s), under one event per variable",
            rarer=min(events, non_events),
            terms=len(kept),
            **facts,
        )
    separation = detect_separation(used, outcome, kept)
    use_firth = method == "firth" or (method == "auto" and separation.found)
    if method == "ml" and separation.found:
        raise ModelError(
            f"{separation.describe()} Use method='firth' (or 'auto') for these terms: "
            f"{', '.join(separation.terms) or INTERCEPT}"
        )
    if use_firth:
        try:
            table = firth_logit(used, outcome, kept, confidence=confidence)
        except ModelError as exc:
            # Newton's steps and then BFGS found no maximum of the penalised likelihood
            # (a synthetic 1,000-case file's model within one country, near separation)
            raise CannotEstimate(
                "no_convergence", f"cannot model {outcome!r}: {exc}", **facts
            ) from None
        fitted, interval, test = (
            "Firth penalised likelihood",
            "profile penalised likelihood",
            "penalised likelihood ratio",
        )
    else:
        table = _ml_logit(used, outcome, kept, confidence)
        fitted, interval, test = "maximum likelihood", "Wald", "Wald"
    table["odds_ratio"] = np.exp(table["estimate"])
    table["ci_low"] = np.exp(table["ci_low"])
    table["ci_high"] = np.exp(table["ci_high"])
    table["test"], table["method"], table["interval"] = test, fitted, interval
    table = table[
        [
            "term",
            "estimate",
            "std_error",
            "odds_ratio",
            "ci_low",
            "ci_high",
            "statistic",
            "p_value",
            "test",
            "method",
            "interval",
            "confidence",
        ]
    ]
    epv, epv_notes = _epv_warning(
        min(events, non_events),
        len(kept),
        epv_threshold,
        "cases of the rarer outcome",
        min_cell_count,
    )
    return LogisticResult(
        table=table,
        separation=separation,
        method=fitted,
        interval=interval,
        confidence=confidence,
        n=len(used),
        events=events,
        non_events=non_events,
        excluded=len(data) - len(used),
        epv=epv,
        terms=kept,
        warnings=epv_notes + notes,
        few_events=bool(epv_notes),
    )


def _ml_logit(
    data: pd.DataFrame, outcome: str, terms: Sequence[str], confidence: float
) -> pd.DataFrame:
    # Third-party and slow to import; loaded only when a model is fitted, and only the
    # module of the model (statsmodels.api loads every model and its plots: 0.8 CPU s
    # more on the demo's 03, this 0.3 s).
    from statsmodels.discrete.discrete_model import Logit

    x, y, names = model_arrays(data, outcome, terms, intercept=True)
    fit = Logit(y, x).fit(method="newton", maxiter=100, disp=False)
    low, high = fit.conf_int(alpha=1 - confidence).T
    return pd.DataFrame(
        {
            "term": names,
            "estimate": fit.params,
            "std_error": fit.bse,
            "ci_low": low,
            "ci_high": high,
            "statistic": fit.tvalues,
            "p_value": fit.pvalues,
            "confidence": confidence,
        }
    )


# -- Cox regression ---------------------------------------------------------------------
@dataclass
class CoxResult:
    """A fitted Cox model: hazard ratios and what to know about them.

    ``table`` (tidy, one row per term) has ``term``, ``estimate`` (log hazard ratio),
    ``std_error``, ``hazard_ratio``, ``ci_low``, ``ci_high`` (hazard ratio scale),
    ``statistic`` (Wald z), ``p_value``, ``ph_p_value`` (Grambsch-Therneau test of
    proportional hazards, rank-transformed time), ``method``, ``interval`` and
    ``confidence``. ``infinite_terms`` were left out because their partial likelihood
    is monotone (an infinite hazard ratio). ``few_events`` is whether the EPV is below
    the threshold (a warning says so). ``tests``: the likelihood ratio, Wald and score
    (log-rank) tests of all terms (:func:`cape_study.stats.cox.cox_fit`, Efron's ties).
    """

    table: pd.DataFrame
    method: str
    interval: str
    confidence: float
    n: int
    events: int
    excluded: int
    epv: float
    terms: list[str]
    infinite_terms: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    few_events: bool = False
    tests: pd.DataFrame = field(default_factory=pd.DataFrame)


def cox_regression(
    data: pd.DataFrame,
    duration: str,
    event: str,
    terms: Sequence[str],
    *,
    confidence: float = 0.95,
    epv_threshold: float = EPV_THRESHOLD,
    min_cell_count: int = 1,
) -> CoxResult:
    """Hazard ratios from a Cox proportional hazards model (``lifelines``).

    Cox's partial likelihood (Cox 1972) with Efron's method for tied times, fitted by
    ``lifelines.CoxPHFitter``; Wald intervals and tests; the Grambsch & Therneau (1994)
    test of proportional hazards on rank-transformed time for each term. For a
    competing event (closure before prosecution) pass an ``event`` column that is 1
    for the event of interest only: the competing event then censors, and the hazard
    ratios are cause-specific (Putter, Fiocco & Geskus 2007). Before fitting, terms
    whose partial likelihood is monotone are found by linear programming and left out
    with a warning (no Firth-type correction, as R's ``coxphf`` has, is implemented).
    EPV here is events per term (Peduzzi et al. 1995); the warning names it only if the
    event count it implies is at least ``min_cell_count``.

    Parameters
    ----------
    data
        One row per case; rows with a missing duration, event or term are left out.
    duration
        Column of times from the origin (here days from report).
    event
        Column, 1 for the event, 0 for censoring.
    terms
        Numeric predictor columns.
    confidence
        Coverage of the intervals.

    Returns
    -------
    CoxResult

    Raises
    ------
    CannotEstimate
        As :func:`logistic_regression` (without non-events), and ``no_finite_term`` when
        every term's partial likelihood is monotone.

    References
    ----------
    Cox, D. R. (1972). Regression models and life-tables. *JRSS B* 34, 187-220.
    Efron, B. (1977). The efficiency of Cox's likelihood function for censored data.
    *JASA* 72, 557-565. Grambsch, P. M. & Therneau, T. M. (1994). Proportional hazards
    tests and diagnostics based on weighted residuals. *Biometrika* 81, 515-526.
    Bryson, M. C. & Johnson, M. E. (1981). The incidence of monotone likelihood in the
    Cox model. *Technometrics* 23, 381-383.
    """
    # Third-party and slow to import (seconds); loaded only when a model is fitted.
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceError
    from lifelines.statistics import proportional_hazard_test

    used, kept, notes = _complete(data, [duration, event], terms)
    status = used[event].to_numpy(float)
    if not np.isin(status, (0.0, 1.0)).all():
        raise ModelError(f"event column {event!r} must hold only 0 and 1 (and missing)")
    events = int(status.sum())
    facts = dict(n=len(used), events=events, non_events=len(used) - events, outcome=event)
    if not events:
        raise CannotEstimate(
            "no_outcome_variation",
            f"cannot model {event!r}: no event among {len(used)} complete cases",
            **facts,
        )
    if not kept:
        raise CannotEstimate(
            "no_term_varies", f"no term varies among the {len(used)} complete cases", **facts
        )
    if events < len(kept):
        raise CannotEstimate(
            "too_few_events",
            f"cannot model {event!r}: {events} event(s) for {len(kept)} term(s)",
            rarer=events,
            terms=len(kept),
            **facts,
        )
    infinite = monotone_likelihood(used, duration, event, kept)
    if infinite:
        kept = [t for t in kept if t not in infinite]
        notes.append(
            "Monotone partial likelihood: the hazard ratio of "
            + ", ".join(f"{t} ({d})" for t, d in infinite.items())
            + " is infinite, so the term was left out of the Cox model."
        )
    if not kept:
        raise CannotEstimate(
            "no_finite_term", f"no term of the Cox model of {event!r} has a finite estimate"
        )
    frame = used[[duration, event, *kept]].astype(float)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fitter = CoxPHFitter(alpha=1 - confidence)
        try:
            fitter.fit(frame, duration_col=duration, event_col=event)
        except ConvergenceError as exc:
            # A singular information matrix: terms that cannot be told apart in these cases.
            raise CannotEstimate("collinear", f"Cox model of {event!r}: {exc}", **facts) from None
        ph = proportional_hazard_test(fitter, frame, time_transform="rank")
    notes += [
        f"lifelines: {str(w.message).strip().splitlines()[0]}"
        for w in caught
        if not issubclass(w.category, DeprecationWarning | FutureWarning)
    ]
    summary = fitter.summary
    z = stats.norm.ppf(0.5 + confidence / 2)
    table = pd.DataFrame(
        {
            "term": list(summary.index),
            "estimate": summary["coef"].to_numpy(),
            "std_error": summary["se(coef)"].to_numpy(),
        }
    )
    table["hazard_ratio"] = np.exp(table["estimate"])
    table["ci_low"] = np.exp(table["estimate"] - z * table["std_error"])
    table["ci_high"] = np.exp(table["estimate"] + z * table["std_error"])
    table["statistic"] = summary["z"].to_numpy()
    table["p_value"] = summary["p"].to_numpy()
    table["ph_p_value"] = table["term"].map(ph.summary["p"].rename(index=lambda i: i)).to_numpy()
    table["method"] = "Cox partial likelihood (Efron ties)"
    table["interval"] = "Wald"
    table["confidence"] = confidence
    epv, epv_notes = _epv_warning(events, len(kept), epv_threshold, "events", min_cell_count)
    doubtful = table.loc[table["ph_p_value"] < 0.05, "term"].tolist()
    if doubtful:
        notes.append(
            "Proportional hazards doubtful (Grambsch-Therneau test p < 0.05) for "
            + ", ".join(doubtful)
            + ": the hazard ratio is an average over time."
        )
    return CoxResult(
        table=table,
        method="Cox proportional hazards, partial likelihood with Efron's method for ties",
        interval="Wald",
        confidence=confidence,
        n=len(used),
        events=events,
        excluded=len(data) - len(used),
        epv=epv,
        terms=kept,
        infinite_terms=list(infinite),
        warnings=epv_notes + notes,
        few_events=bool(epv_notes),
        tests=cox_fit(frame, duration, event, kept, ties="efron").tests,
    )
