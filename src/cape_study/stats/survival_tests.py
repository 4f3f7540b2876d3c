"""Comparing groups in time to an event: the log-rank test and Gray's test.

Both take one row per subject (a case, :func:`cape_study.stats.attrition.event_times`)
with a duration, an event column and a group column (for the study: the country), and
return a tidy one-row-per-test table with the chi-square statistic, its degrees of
freedom and the p-value. The statistics rest on every event of each group, so a report
publishes them only where its tables show enough of those events
(:func:`too_few_published`).

* :func:`logrank_test` compares the hazard of an event (Mantel 1966; Peto & Peto 1972):
  for time to prosecution with closure as censoring, the cause-specific hazard of
  prosecution, as R's ``survival::survdiff`` computes it (checked against its published
  output in tests/test_survival_tests.py).
* :func:`gray_test` compares the cumulative incidence of one of several competing
  events (Gray 1988): whether the probability of being prosecuted by each time differs,
  closure competing; as R's ``cmprsk::cuminc`` computes it (checked against its
  published output).

References
----------
Mantel, N. (1966). Evaluation of survival data and two new rank order statistics arising
in its consideration. *Cancer Chemotherapy Reports* 50, 163-170.
Gray, R. J. (1988). A class of K-sample tests for comparing the cumulative incidence of
a competing risk. *Annals of Statistics* 16, 1141-1154.
Therneau, T. M., survival (R package), ``survdiff``. Gray, R. J., cmprsk (R package),
``cuminc``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import chi2

from cape_study.errors import CannotEstimate

__all__ = ["compare_groups", "gray_test", "logrank_test", "too_few_published"]


def _prepare(
    data: pd.DataFrame, columns: Sequence[str], strata: str | None
) -> tuple[pd.DataFrame, np.ndarray, list, np.ndarray]:
    needed = [*columns, *([strata] if strata else [])]
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise ValueError(f"the data have no column(s) {missing}; columns: {list(data.columns)}")
    used = data.dropna(subset=needed)
    duration = columns[0]
    if (used[duration] < 0).any():
        raise ValueError(f"column {duration!r} has negative durations")
    group_no, groups = pd.factorize(used[columns[2]], sort=True)
    stratum = pd.factorize(used[strata], sort=True)[0] if strata else np.zeros(len(used), dtype=int)
    return used, group_no, list(groups), stratum


def _per_time(
    time: np.ndarray, group: np.ndarray, flag: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct time (sorted) and group: subjects whose follow-up ends then, and those
    of them with ``flag``."""
    _, index = np.unique(time, return_inverse=True)
    shape = (int(index.max()) + 1 if len(index) else 0, k)
    leaving, flagged = np.zeros(shape), np.zeros(shape)
    np.add.at(leaving, (index, group), 1.0)
    np.add.at(flagged, (index[flag], group[flag]), 1.0)
    return leaving, flagged


def _chi_square(score: np.ndarray, variance: np.ndarray) -> tuple[float, int]:
    """score' V^- score and the rank of V (the degrees of freedom)."""
    df = int(np.linalg.matrix_rank(variance)) if variance.size else 0
    if df == 0:
        return float("nan"), 0
    return float(score @ np.linalg.pinv(variance) @ score), df


def _test_row(
    test: str, score: np.ndarray, variance: np.ndarray, groups: Sequence, n: int, events: int
) -> dict:
    """A test's row: its chi-square statistic (:func:`_chi_square`), degrees of freedom
    and p-value, the groups compared, subjects and events."""
    statistic, df = _chi_square(score, variance)
    return {
        "test": test,
        "statistic": statistic,
        "df": df,
        "p_value": float(chi2.sf(statistic, df)) if df else float("nan"),
        "groups": ", ".join(map(str, groups)),
        "n": n,
        "events": events,
    }


def logrank_test(
    data: pd.DataFrame,
    duration: str,
    event: str,
    group: str,
    *,
    strata: str | None = None,
) -> pd.DataFrame:
    """The log-rank test of equal hazards in two or more groups.

    At each distinct event time t_j with n_j subjects at risk and d_j events, group g
    (n_gj at risk) is expected to have E_gj = d_j n_gj / n_j of them. With O - E summed
    over event times and its hypergeometric covariance V_gh = sum_j d_j (n_j - d_j) /
    (n_j - 1) (n_gj / n_j) (delta_gh - n_hj / n_j), the statistic (O - E)' V^- (O - E) is
    chi-square with (groups - 1) degrees of freedom under equal hazards (Mantel 1966).
    With ``strata`` the sums run within strata and are added (a stratified test, as
    ``survdiff(... + strata(s))``). Censoring is assumed independent of the event; a
    competing event counted as censoring makes it a test of cause-specific hazards.

    Parameters
    ----------
    data
        One row per subject; rows with a missing value in a used column are left out.
    duration
        Column of times from the origin, >= 0.
    event
        Boolean (or 0/1) column: the event happened at ``duration`` (else censored).
    group
        Column of the groups compared (at least two).
    strata
        Optional column; groups are compared within each stratum.

    Returns
    -------
    DataFrame
        One row: ``test`` ("log-rank"), ``statistic`` (chi-square), ``df``, ``p_value``,
        ``groups`` (comma-separated), ``n`` and ``events``.

    References
    ----------
    Mantel (1966); Peto, R. & Peto, J. (1972). Asymptotically efficient rank invariant
    test procedures. *JRSS A* 135, 185-207. Therneau, survival (R package), ``survdiff``.
    """
    used, group_no, groups, stratum = _prepare(data, [duration, event, group], strata)
    time = used[duration].to_numpy(float)
    died = used[event].astype(bool).to_numpy()
    k = len(groups)
    observed_minus_expected = np.zeros(k)
    variance = np.zeros((k, k))
    for s in np.unique(stratum):
        inside = stratum == s
        leaving, events_at = _per_time(time[inside], group_no[inside], died[inside], k)
        at_risk_at = np.cumsum(leaving[::-1], axis=0)[::-1]  # followed at each time
        for j in np.flatnonzero(events_at.sum(axis=1) > 0):
            at_risk, events = at_risk_at[j], events_at[j]
            n, d = at_risk.sum(), events.sum()
            share = at_risk / n
            observed_minus_expected += events - d * share
            if n > 1:
                variance += d * (n - d) / (n - 1) * (np.diag(share) - np.outer(share, share))
    score, variance = observed_minus_expected[:-1], variance[:-1, :-1]
    return pd.DataFrame(
        [_test_row("log-rank", score, variance, groups, len(used), int(died.sum()))]
    )


def gray_test(
    data: pd.DataFrame,
    duration: str,
    event: str,
    group: str,
    *,
    censored: object = "censored",
    causes: Sequence[object] | None = None,
    strata: str | None = None,
    rho: float = 0.0,
) -> pd.DataFrame:
    """Gray's test of equal cumulative incidence of a competing event in several groups.

    For cause k, Gray (1988) compares the groups' subdistribution hazards, the hazard of
    cause k among those who have not had it (a subject with a competing event stays in
    that risk set): the score sums, over the times of cause-k events, the difference
    between each group's cause-k events and those expected from the pooled estimate,
    weighted by (1 - F(t-))^rho (``rho`` = 0, the default of ``cmprsk``, gives a
    log-rank-like test). Its covariance is the asymptotic estimator of Gray's section 2,
    with the sample-size corrections of ``cmprsk`` for tied events; the statistic
    s' V^- s is chi-square with (groups - 1) degrees of freedom under equal cumulative
    incidence functions. Unlike the log-rank test of the cause-specific hazard, it answers
    "is the probability of the event by time t the same?". Results equal ``cmprsk``'s
    ``cuminc(...)$Tests`` (tests/test_survival_tests.py).

    Parameters
    ----------
    data
        One row per subject.
    duration
        Column of times from the origin, >= 0.
    event
        Column naming each subject's event (its cause), or ``censored``.
    group
        Column of the groups compared.
    censored
        The value of ``event`` that means censored.
    causes
        The causes to test, one row each (default: every cause in the data, sorted).
    strata
        Optional column; scores and variances are computed within strata and added.
    rho
        Power of the weight (1 - F(t-))^rho.

    Returns
    -------
    DataFrame
        One row per cause: ``cause``, ``test`` ("Gray"), ``statistic``, ``df``,
        ``p_value``, ``groups``, ``n`` and ``events`` (of that cause).

    References
    ----------
    Gray (1988), sections 2 and 3; Gray, R. J., cmprsk (R package), ``cuminc``.
    """
    used, group_no, groups, stratum = _prepare(data, [duration, event, group], strata)
    found = sorted((c for c in pd.unique(used[event]) if c != censored), key=str)
    causes = list(causes) if causes is not None else found
    time = used[duration].to_numpy(float)
    kind = used[event].to_numpy(object)
    rows = []
    for cause in causes:
        # 0 censored, 1 the cause tested, 2 any other cause
        code = np.where(kind == censored, 0, np.where(kind == cause, 1, 2))
        k = len(groups)
        score = np.zeros(max(k - 1, 0))
        variance = np.zeros((max(k - 1, 0), max(k - 1, 0)))
        for s in np.unique(stratum):
            inside = stratum == s
            # A group with nobody left at risk divides 0 by 0 in the branch not taken.
            with np.errstate(divide="ignore", invalid="ignore"):
                part_score, part_variance = _gray_stratum(
                    time[inside], code[inside], group_no[inside], k, rho
                )
            score += part_score
            variance += part_variance
        events = int((code == 1).sum())
        rows.append(
            {"cause": cause, **_test_row("Gray", score, variance, groups, len(used), events)}
        )
    return pd.DataFrame(rows)


def _gray_stratum(
    time: np.ndarray, code: np.ndarray, group: np.ndarray, k: int, rho: float
) -> tuple[np.ndarray, np.ndarray]:
    """Gray's score (first k - 1 groups) and its covariance within one stratum.

    Per group: ``at_risk`` (followed at t), ``surv_before`` (Kaplan-Meier of no event of
    any cause, at t-), ``cif_before`` (cumulative incidence of the cause, at t-). The
    covariance collects, per group, terms for the cause's events (``q1``) and for the
    competing events (``q2``) through the matrices ``a`` (the weight at t) and ``c``
    (their running integral), as in Gray (1988, section 2).
    """
    m = k - 1
    at_risk = np.bincount(group, minlength=k).astype(float)
    surv_before = np.ones(k)
    cif_before = np.zeros(k)
    pooled_before = 0.0  # the pooled estimate of F at t-
    score = np.zeros(m)
    covariance = np.zeros((m, m))
    c = np.zeros((k, k))
    q_diag = np.zeros(k)  # per group: sum of t4^2 t3
    q_cross = np.zeros((m, k))  # sum of (a - t4 c) t4 t3, and the competing part
    leaving_at, cause_at = _per_time(time, group, code == 1, k)
    _, other_at = _per_time(time, group, code == 2, k)
    for leaving, cause_events, other_events in zip(leaving_at, cause_at, other_at, strict=True):
        d1, d2 = cause_events.sum(), other_events.sum()
        if d1 + d2 > 0:
            live = at_risk > 0
            safe_n = np.where(live, at_risk, 1.0)
            surv_after = np.where(
                live, surv_before * (at_risk - cause_events - other_events) / safe_n, surv_before
            )
            cif_after = np.where(live, cif_before + surv_before * cause_events / safe_n, cif_before)
            weight = np.where(live, at_risk / surv_before, 0.0)  # R_g(t) / S_g(t-)
            total = weight.sum()
            total_free = np.where(live, at_risk * (1 - cif_before) / surv_before, 0.0).sum()
            pooled_after = pooled_before + d1 / total
            power = (1 - pooled_before) ** rho
            a = power * (np.diag(weight) - np.outer(weight, weight) / total)
            c += a * d1 / (total * (1 - pooled_before))
            expected = d1 * at_risk * (1 - cif_before) / (surv_before * total_free)
            score += np.where(live, power * (cause_events - expected), 0.0)[:m]
            if d1 > 0:
                for g in np.flatnonzero(live):
                    t4 = 1 - (1 - pooled_after) / surv_after[g] if surv_after[g] > 0 else 1.0
                    t5 = 1 - (d1 - 1) / (total * surv_before[g] - 1) if d1 > 1 else 1.0
                    t3 = t5 * surv_before[g] * d1 / (total * at_risk[g])
                    q_diag[g] += t4 * t4 * t3
                    t1 = a[:m, g] - t4 * c[:m, g]
                    q_cross[:, g] += t1 * t4 * t3
                    covariance += np.outer(t1, t1) * t3
            for g in np.flatnonzero((surv_after > 0) & (other_events > 0)):
                t4 = (1 - pooled_after) / surv_after[g]
                t5 = 1 - (other_events[g] - 1) / (at_risk[g] - 1) if other_events[g] > 1 else 1.0
                t3 = t5 * surv_before[g] ** 2 * other_events[g] / at_risk[g] ** 2
                q_diag[g] += t4 * t4 * t3
                t1 = t4 * c[:m, g]
                q_cross[:, g] -= t1 * t4 * t3
                covariance += np.outer(t1, t1) * t3
            surv_before, cif_before, pooled_before = surv_after, cif_after, pooled_after
        at_risk -= leaving
    cm = c[:m, :]
    covariance += (cm * q_diag) @ cm.T + cm @ q_cross.T + q_cross @ cm.T
    return score, covariance


def compare_groups(
    times: pd.DataFrame,
    *,
    group: str = "country",
    duration: str = "days",
    event: str = "event",
    cause: object = "prosecuted",
    censored: object = "censored",
) -> pd.DataFrame:
    """Do the groups differ in time to ``cause``? The log-rank and Gray's tests together.

    For the study: Sweden against Finland in time from report to prosecution, with
    closure before prosecution a competing event (``times`` from
    :func:`cape_study.stats.attrition.event_times`). The log-rank test compares the
    cause-specific hazard of prosecution among cases still open (closure censors, as in
    the Cox model); Gray's test compares the cumulative incidence of prosecution, the
    share prosecuted by each time (closure competes, as in the Aalen-Johansen curves).
    The two can disagree: a country that closes cases faster can prosecute a smaller
    share with the same hazard among open cases.

    Returns
    -------
    DataFrame
        Two rows, ``test`` "log-rank" then "Gray", with ``cause``, ``statistic``, ``df``,
        ``p_value`` and ``groups``.

    Raises
    ------
    CannotEstimate
        ``one_group`` when fewer than two groups have cases, ``no_event_of_cause`` when
        no case had the event.
    """
    present = sorted(map(str, pd.unique(times[group].dropna())))
    if len(present) < 2:
        raise CannotEstimate(
            "one_group",
            f"the tests compare groups of {group!r}; the data hold {present or 'none'}",
            groups=", ".join(present),
        )
    if not (times[event] == cause).any():
        raise CannotEstimate(
            "no_event_of_cause", f"no case had the event {cause!r}", cause=str(cause)
        )
    logrank = logrank_test(times.assign(_hit=times[event] == cause), duration, "_hit", group)
    gray = gray_test(times, duration, event, group, censored=censored, causes=[cause])
    logrank.insert(1, "cause", cause)
    columns = ["test", "cause", "statistic", "df", "p_value", "groups"]
    return pd.concat([logrank[columns], gray[columns]], ignore_index=True)


def too_few_published(
    incidence_at: pd.DataFrame,
    *,
    threshold: int,
    group: str = "country",
    cause: object = "prosecuted",
) -> list[str]:
    """The groups for which :func:`compare_groups` must not be published: those whose
    published cumulative incidence at fixed times (``incidence_at``, after disclosure
    control: a hidden count is missing) shows fewer than ``threshold`` events of
    ``cause`` at every time, or hides them all.

    Both tests rest on every event of each group, so a group with a small count of them
    gives its statistics from few cases. The rule reads only what the report already
    publishes: withholding the tests tells a reader nothing the table does not (a rule
    on the true counts would say, by withholding, that some hidden count is small).

    Raises
    ------
    ValueError
        When ``incidence_at`` lacks a column the rule reads, or holds no row of ``cause``.
    """
    needed = [group, "cause", "cumulative_events"]
    missing = [c for c in needed if c not in incidence_at]
    if missing:
        raise ValueError(
            f"the cumulative incidence table has no column(s) {missing}; "
            f"columns: {list(incidence_at.columns)}"
        )
    rows = incidence_at[incidence_at["cause"] == cause]
    if rows.empty:
        raise ValueError(f"the cumulative incidence table has no row of cause {cause!r}")
    shown = rows["cumulative_events"].astype("Float64").fillna(-1)
    most = shown.groupby(rows[group].astype(str), sort=True).max()
    return [str(g) for g, n in most.items() if n < threshold]
