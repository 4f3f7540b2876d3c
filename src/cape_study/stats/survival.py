"""Time to event: Kaplan-Meier survival and Aalen-Johansen cumulative incidence.

Both take one row per subject (a case: see :func:`cape_study.stats.attrition.event_times`)
with a duration and an event column, and return a tidy table: one row per group and
observed time (or per requested time), with the numbers at risk and the events that
the estimate rests on, the estimate, its standard error and a pointwise confidence
interval. The numbers are counts: publish them only through
:func:`cape_study.privacy.disclosure.suppress`.

Checked against published values (Kaplan-Meier on the 6-MP leukaemia data of
Freireich et al. 1963, as tabulated by Klein & Moeschberger 2003) and against
lifelines' ``KaplanMeierFitter`` and ``AalenJohansenFitter`` (tests/test_survival.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from cape_study.errors import CannotEstimate

__all__ = [
    "TRANSFORMS",
    "cumulative_incidence",
    "kaplan_meier",
    "median_survival",
    "suppress_at_times",
]

#: Scales on which :func:`median_survival` builds the pointwise band it inverts.
TRANSFORMS = ("log-log", "log")


def kaplan_meier(
    data: pd.DataFrame,
    duration: str,
    event: str,
    *,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    times: Sequence[float] | None = None,
) -> pd.DataFrame:
    """Kaplan-Meier estimate of the probability of no event by each time.

    The product-limit estimator S(t) = prod over event times t_j <= t of
    (1 - d_j / n_j), with n_j the subjects still under observation at t_j (duration
    >= t_j) and d_j the events at t_j (Kaplan & Meier 1958); censoring is assumed
    independent of the event. The variance is Greenwood's,
    Var S(t) = S(t)^2 sum d_j / (n_j (n_j - d_j)), and the interval is computed on the
    log(-log S) scale and transformed back (Kalbfleisch & Prentice 1980), so it stays
    within [0, 1]; this is lifelines' and R survival's ``log-log`` interval. Where no
    event has happened yet (S = 1) that interval is undefined; the lower limit is then
    the exact binomial one for no event among the n subjects still observed,
    (alpha / 2)^(1 / n).

    Parameters
    ----------
    data
        One row per subject.
    duration
        Column of times from the origin (e.g. days from report), >= 0.
    event
        Boolean (or 0/1) column: the event happened at ``duration`` (else censored).
    by
        Column(s) to estimate separately for; ``None`` for all subjects together.
    confidence
        Coverage of the pointwise intervals.
    times
        Evaluate at these times instead of at every observed time. A time after the
        last observed one (nobody left at risk) has a missing estimate and interval,
        not the last value carried forward, unless the subjects last observed all had
        an event (the survival has then reached 0 for good).

    Returns
    -------
    DataFrame
        Tidy: ``by`` columns, ``time``, ``at_risk`` (duration >= time), ``events`` and
        ``censored`` (at exactly that time), ``cumulative_events`` (up to it),
        ``survival``, ``std_error``, ``ci_low``, ``ci_high``, ``confidence``.

    References
    ----------
    Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from incomplete
    observations. *JASA* 53, 457-481. Kalbfleisch, J. D. & Prentice, R. L. (1980).
    *The Statistical Analysis of Failure Time Data*. Wiley, section 1.3.
    """
    codes = data[event].astype(bool).astype(int)
    frame = data.assign(_code=codes)
    return _by_group(frame, duration, by, times, confidence, None)


def median_survival(
    data: pd.DataFrame,
    duration: str,
    event: str,
    *,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    transform: str = "log-log",
    probability: float = 0.5,
) -> pd.DataFrame:
    """Median time to the event (or another quantile) from Kaplan-Meier, with its interval.

    The median is the first time at which the Kaplan-Meier curve falls to 0.5 or below;
    where the curve is exactly 0.5 over a stretch, the midpoint of that stretch (up to the
    next drop, or the last observed time), as R's ``quantile.survfit`` reports it. The
    interval is Brookmeyer & Crowley's (1982): the times at which the upper and the
    lower limit of the pointwise confidence band fall to 0.5, with the same rule. The
    band is Greenwood's on the ``log-log`` scale (as :func:`kaplan_meier`, lifelines and
    SAS ``PROC LIFETEST`` by default) or the ``log`` scale (R's ``survfit`` default). A
    limit that the band never reaches is missing: the data do not bound it (R's NA,
    SAS's "not evaluable"); so is the median itself when fewer than half had the event.

    Parameters
    ----------
    data, duration, event, by, confidence
        As in :func:`kaplan_meier`.
    transform
        ``log-log`` or ``log`` (:data:`TRANSFORMS`).
    probability
        The share with the event at the quantile: 0.5 for the median, 0.25 for the
        first quartile of time (survival 0.75).

    Returns
    -------
    DataFrame
        One row per group: ``by`` columns, ``n``, ``events``, ``probability``, ``time``
        (the quantile), ``ci_low``, ``ci_high``, ``confidence``, ``transform``.

    References
    ----------
    Brookmeyer, R. & Crowley, J. (1982). A confidence interval for the median survival
    time. *Biometrics* 38, 29-41. Therneau, T. M., survival (R package),
    ``quantile.survfit``.
    """
    if transform not in TRANSFORMS:
        raise ValueError(f"unknown transform {transform!r}; known: {', '.join(TRANSFORMS)}")
    if not 0 < probability < 1:
        raise ValueError(f"probability must be between 0 and 1, not {probability}")
    curves = kaplan_meier(data, duration, event, by=by, confidence=confidence)
    keys = _columns(by)
    z = float(norm.ppf(0.5 + confidence / 2))
    level = 1 - probability
    rows = []
    for key, curve in curves.groupby(keys, sort=False) if keys else [((), curves)]:
        time = curve["time"].to_numpy(float)
        surv = curve["survival"].to_numpy(float)
        if transform == "log":
            n = curve["at_risk"].to_numpy(float)
            d = curve["events"].to_numpy(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                sd = np.sqrt(np.cumsum(np.where(d > 0, d / (n * (n - d)), 0.0)))
                low = np.where(surv > 0, surv * np.exp(-z * sd), np.nan)
                high = np.where(surv > 0, np.minimum(1.0, surv * np.exp(z * sd)), np.nan)
        else:
            low, high = curve["ci_low"].to_numpy(float), curve["ci_high"].to_numpy(float)
        key = key if isinstance(key, tuple) else (key,)
        rows.append(
            dict(zip(keys, key, strict=True))
            | {
                "n": int(curve["at_risk"].iloc[0]),
                "events": int(curve["events"].sum()),
                "probability": probability,
                "time": _crossing(time, surv, level),
                "ci_low": _crossing(time, low, level),
                "ci_high": _crossing(time, high, level),
                "confidence": confidence,
                "transform": transform,
            }
        )
    return pd.DataFrame(rows)


def _crossing(time: np.ndarray, curve: np.ndarray, level: float) -> float:
    """First time a right-continuous step curve is at or below ``level``; where it is
    exactly at ``level``, the midpoint up to where it drops below (or the last time)."""
    tolerance = np.sqrt(np.finfo(float).eps)
    with np.errstate(invalid="ignore"):
        at_or_below = np.flatnonzero(curve <= level + tolerance)
        if not len(at_or_below):
            return float("nan")
        first = at_or_below[0]
        if abs(curve[first] - level) >= tolerance:
            return float(time[first])
        lower = np.flatnonzero(curve[first:] < level - tolerance)
    end = time[first + lower[0]] if len(lower) else time[-1]
    return float((time[first] + end) / 2)


def cumulative_incidence(
    data: pd.DataFrame,
    duration: str,
    event: str,
    *,
    censored: object = "censored",
    causes: Sequence[object] | None = None,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    times: Sequence[float] | None = None,
) -> pd.DataFrame:
    """Aalen-Johansen cumulative incidence of each of several competing events.

    The probability of an event of cause k by time t when other causes compete, F_k(t)
    = sum over event times t_j <= t of S(t_j-) d_kj / n_j, where S is the Kaplan-Meier
    estimate of having had no event of any cause, n_j the subjects at risk and d_kj the
    events of cause k at t_j (Aalen & Johansen 1978). Unlike one minus a Kaplan-Meier
    curve that censors the competing events, it does not count cases that were closed
    as if they could still be prosecuted. Tied times of different causes are handled
    exactly (no jittering). The variance is the delta-method estimator given by
    Collett (2015, ch. 12, p. 411), the one lifelines implements,

        Var F_k(t) = sum_j [F_k(t) - F_k(t_j)]^2 d_j / (n_j (n_j - d_j))
                     + sum_j S(t_j-)^2 d_kj (n_j - d_kj) / n_j^3
                     - 2 sum_j [F_k(t) - F_k(t_j)] S(t_j-) d_kj / n_j^2,

    with d_j the events of all causes, and the interval is computed on the
    log(-log F) scale (as lifelines does). Where no event of the cause has happened
    yet (F = 0) that interval is undefined; it is then [0, 1 - (alpha / 2)^(1 / m)],
    the exact binomial upper limit for no event among the m subjects whose state at t
    is known (all but those censored before t).

    Parameters
    ----------
    data
        One row per subject.
    duration
        Column of times from the origin, >= 0.
    event
        Column naming each subject's event (its cause), or ``censored``.
    censored
        The value of ``event`` that means censored.
    causes
        The causes to estimate, in the order wanted (default: every other value of
        ``event``, sorted); any cause not named still competes. A cause named that no
        subject had is estimated as it is: zero at every time (its upper limit as for
        F = 0 below), so a case file in which, say, no case was closed still gets its
        curve of prosecution.
    by, confidence, times
        As in :func:`kaplan_meier`.

    Returns
    -------
    DataFrame
        Tidy: ``by`` columns, ``cause``, ``time``, ``at_risk``, ``events``,
        ``censored`` and ``cumulative_events`` (of that cause), ``cif``,
        ``std_error``, ``ci_low``, ``ci_high``, ``confidence``.

    References
    ----------
    Aalen, O. O. & Johansen, S. (1978). An empirical transition matrix for
    non-homogeneous Markov chains based on censored observations. *Scandinavian
    Journal of Statistics* 5, 141-150. Collett, D. (2015). *Modelling Survival Data in
    Medical Research*, 3rd ed. CRC Press.
    """
    observed = sorted((c for c in pd.unique(data[event].dropna()) if c != censored), key=str)
    causes = list(causes) if causes is not None else observed
    everything = causes + [c for c in observed if c not in causes]
    frame = data.assign(_code=data[event].map({c: i + 1 for i, c in enumerate(everything)}))
    frame["_code"] = frame["_code"].fillna(0).astype(int)
    tables = []
    for i, cause in enumerate(causes, start=1):
        table = _by_group(frame, duration, by, times, confidence, i)
        table.insert(len(_columns(by)), "cause", cause)
        tables.append(table)
    if not tables:
        raise ValueError(f"column {event!r} holds no event other than {censored!r}")
    return pd.concat(tables, ignore_index=True)


def _columns(by: str | Sequence[str] | None) -> list[str]:
    return [] if by is None else [by] if isinstance(by, str) else list(by)


def _by_group(
    frame: pd.DataFrame,
    duration: str,
    by: str | Sequence[str] | None,
    times: Sequence[float] | None,
    confidence: float,
    cause: int | None,
) -> pd.DataFrame:
    """Kaplan-Meier (``cause`` None) or Aalen-Johansen for ``cause`` per group, at every
    observed time or at ``times``."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    if (frame[duration] < 0).any():
        raise ValueError(f"column {duration!r} has negative durations")
    z = float(norm.ppf(0.5 + confidence / 2))
    keys = _columns(by)
    groups = frame.groupby(keys, observed=True, sort=True) if keys else [((), frame)]
    parts = []
    for key, group in groups:
        t = group[duration].to_numpy(float)
        c = group["_code"].to_numpy(int)
        table = _km_group(t, c, z) if cause is None else _aj_group(t, c, z, cause)
        if times is not None:
            table = _evaluate(table, t, c, np.asarray(times, float), cause, z)
        key = key if isinstance(key, tuple) else (key,)
        for name, value in zip(keys, key, strict=True):
            table.insert(keys.index(name), name, value)
        parts.append(table)
    if not parts:
        raise CannotEstimate(
            "no_cases", "no case to follow over time", what="the cases with exact dates"
        )
    out = pd.concat(parts, ignore_index=True)
    out["confidence"] = confidence
    return out


def _life_table(t: np.ndarray, c: np.ndarray, cause: int | None) -> pd.DataFrame:
    """Per distinct time: at risk, events of any cause, of ``cause``, censored."""
    times, index = np.unique(t, return_inverse=True)
    counts = lambda mask: np.bincount(index[mask], minlength=len(times))  # noqa: E731
    events = counts(c > 0)
    table = pd.DataFrame(
        {
            "time": times,
            "at_risk": len(t) - np.concatenate([[0], np.cumsum(np.bincount(index))[:-1]]),
            "all_events": events,
            "events": counts(c == cause) if cause is not None else events,
            "censored": counts(c == 0),
        }
    )
    table["cumulative_events"] = table["events"].cumsum()
    return table


def _km_group(t: np.ndarray, c: np.ndarray, z: float) -> pd.DataFrame:
    table = _life_table(t, c, None)
    n, d = table["at_risk"].to_numpy(float), table["events"].to_numpy(float)
    surv = np.cumprod(1 - d / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(np.where(d > 0, d / (n * (n - d)), 0.0))
        sigma = np.sqrt(greenwood) / np.abs(np.log(surv))
        low, high = surv ** np.exp(z * sigma), surv ** np.exp(-z * sigma)
    none = surv == 1
    low[none] = _tail(z) ** (1 / n[none])
    high[none] = 1.0
    dead = surv == 0
    low[dead], high[dead] = 0.0, np.nan
    table["survival"] = surv
    with np.errstate(invalid="ignore"):
        table["std_error"] = np.where(dead, np.nan, surv * np.sqrt(greenwood))
    table["ci_low"], table["ci_high"] = low, high
    return table.drop(columns="all_events")


def _aj_group(t: np.ndarray, c: np.ndarray, z: float, cause: int) -> pd.DataFrame:
    table = _life_table(t, c, cause)
    n = table["at_risk"].to_numpy(float)
    d_all = table["all_events"].to_numpy(float)
    d = table["events"].to_numpy(float)
    surv = np.cumprod(1 - d_all / n)
    before = np.concatenate([[1.0], surv[:-1]])  # S(t_j-)
    cif = np.cumsum(before * d / n)
    # Var F(t) = F(t)^2 A - 2 F(t) B + C + D - 2 (F(t) E - G), cumulative sums over
    # t_j <= t. Where every subject at risk has an event (n = d) the first coefficient
    # is infinite but multiplies [F(t) - F(t_j)]^2 = 0 (nobody is left), so it is 0.
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where((d_all > 0) & (n > d_all), d_all / (n * (n - d_all)), 0.0)
    e = before * d / n**2
    variance = (
        cif**2 * np.cumsum(a)
        - 2 * cif * np.cumsum(a * cif)
        + np.cumsum(a * cif**2)
        + np.cumsum(before**2 * d * (n - d) / n**3)
        - 2 * (cif * np.cumsum(e) - np.cumsum(e * cif))
    )
    se = np.sqrt(np.clip(variance, 0, None))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # limits: 0 and 1
        sigma = se / (cif * np.abs(np.log(cif)))
        low, high = cif ** np.exp(z * sigma), cif ** np.exp(-z * sigma)
    none = cif == 0
    known = len(t) - np.concatenate([[0], np.cumsum(table["censored"].to_numpy())[:-1]])
    low[none] = 0.0
    high[none] = 1 - _tail(z) ** (1 / known[none])
    table["cif"], table["std_error"] = cif, se
    table["ci_low"], table["ci_high"] = low, high
    return table.drop(columns="all_events")


def _tail(z: float) -> float:
    """One-sided tail probability beyond z (alpha / 2 of a two-sided interval)."""
    return float(norm.sf(z))


def _evaluate(
    table: pd.DataFrame, t: np.ndarray, c: np.ndarray, at: np.ndarray, cause: int | None, z: float
) -> pd.DataFrame:
    """The step function ``table`` at the times ``at``, with the counts taken there."""
    hit = c > 0 if cause is None else c == cause
    estimate = "survival" if cause is None else "cif"
    rows = np.searchsorted(table["time"].to_numpy(), at, side="right") - 1
    out = pd.DataFrame(
        {
            "time": at,
            "at_risk": (t[None, :] >= at[:, None]).sum(axis=1),
            "events": ((t[None, :] == at[:, None]) & hit).sum(axis=1),
            "censored": ((t[None, :] == at[:, None]) & (c == 0)).sum(axis=1),
            "cumulative_events": ((t[None, :] <= at[:, None]) & hit).sum(axis=1),
        }
    )
    columns = [estimate, "std_error", "ci_low", "ci_high"]
    for column in columns:
        out[column] = table[column].to_numpy(float)[np.clip(rows, 0, None)]
    # Before the first observed time nothing has happened to any subject; where no event
    # has happened by t, the exact bound uses the subjects whose state at t is known.
    out.loc[rows < 0, columns] = [1.0, 0.0, 1.0, 1.0] if cause is None else [0.0] * 4
    known = len(t) - ((t[None, :] < at[:, None]) & (c == 0)).sum(axis=1)
    bound = _tail(z) ** (1 / np.maximum(known, 1))
    if cause is None:
        none = out["survival"].to_numpy() == 1
        out.loc[none, "ci_low"] = bound[none]
    else:
        none = out["cif"].to_numpy() == 0
        out.loc[none, "ci_high"] = 1 - bound[none]
    # Beyond the last observed time nobody is under observation: the curve is unknown
    # there (SAS's "not evaluable"; R's summary.survfit drops such times unless asked to
    # extend), unless those last observed all had an event: the curve has then reached
    # the end (survival 0), which fixes it for good.
    if len(t):
        ended = bool((c[t == t.max()] > 0).all())
        if not ended:
            out.loc[at > t.max(), columns] = np.nan
    else:
        out.loc[:, columns] = np.nan
    return out


#: The columns of an estimate at fixed times computed from its counts.
_ESTIMATE = ("survival", "cif", "ci_low", "ci_high", "std_error")


def suppress_at_times(
    table: pd.DataFrame, protection: Any, *, threshold: int, name: str
) -> pd.DataFrame:
    """A table of estimates at fixed times (:func:`kaplan_meier` or
    :func:`cumulative_incidence` with ``times``) with its small counts hidden by
    ``protection`` (a :class:`~cape_study.privacy.disclosure.Disclosure`): the events so
    far and the number still at risk, each below ``threshold``, and the estimate, its
    interval and standard error with either. An estimate beside a hidden number at risk
    gives it back: with no censoring S(t) = at risk / n, and n = events / (1 - S)
    (issue 15: 01 printed 7 events and 0.3636 = 4/11 beside a hidden 4 still open).
    Audited as ``<name>: events`` and ``<name>: at risk``."""
    derived = [c for c in _ESTIMATE if c in table]
    label = [c for c in ["country", "cause", "time"] if c in table]
    options = dict(threshold=threshold, label=label, derived=derived)
    kept = protection.suppress(table, "cumulative_events", name=f"{name}: events", **options)
    return protection.suppress(kept, "at_risk", name=f"{name}: at risk", **options)
