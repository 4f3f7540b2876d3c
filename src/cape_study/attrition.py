"""Where cases drop out: each case's furthest stage and outcome, and the stage funnel.

A case file records events per case and, from notification on, per suspect. The
functions here derive case-level facts from those rows by documented rules:

* a case **reached** a stage when any of its rows (any suspect, or the whole case)
  is at that stage or a later one (``reached prosecution`` = any suspect prosecuted);
* its **outcome** is the best final-instance result over its suspects, in the order
  conviction for trafficking > for människoexploatering > for another offence >
  acquittal, where a suspect's final result is the one of the highest court that
  judged them (so a conviction reversed on appeal and restored by the supreme court
  counts as a conviction);
* it is **reclassified** when trafficking or exploitation was reported or charged but
  the conviction was for another offence only;
* it is **closed** when its closure rows cover the whole case: a closure of the whole
  case (blank ``suspect_id``), or a closure for every suspect named in its rows; it
  was closed on the date of its last closure row, unless a later row of another stage
  shows that it was reopened (then it is not closed);
* it is **open** (censored at the data cut-off) when it is neither closed nor judged.

:func:`event_times` turns these rules into the time from report to the first of
prosecution or closure, censored at the data cut-off, for the estimators of
:mod:`cape_study.survival` and for Cox regression.

Proportions come with confidence intervals from
:func:`statsmodels.stats.proportion.proportion_confint`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from cape_study.codebook import Codebook, load_codebook
from cape_study.errors import CaseFileError

__all__ = [
    "CI_METHODS",
    "EVENT_CODES",
    "OUTCOME_ORDER",
    "case_status",
    "event_times",
    "funnel",
    "proportion_ci",
]

#: Interval methods, by the names used in the parameters, as statsmodels calls them.
CI_METHODS = {
    "wilson": "wilson",
    "clopper_pearson": "beta",
    "jeffreys": "jeffreys",
    "agresti_coull": "agresti_coull",
}
#: Best outcome first.
OUTCOME_ORDER = ["convicted_trafficking", "convicted_exploitation", "convicted_other", "acquitted"]
#: How :func:`event_times` codes a case's end (0 = censored, as lifelines expects).
EVENT_CODES = {"censored": 0, "prosecuted": 1, "closed": 2}


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


def case_status(
    cases: pd.DataFrame, events: pd.DataFrame, codebook: Codebook | None = None
) -> pd.DataFrame:
    """One row per case: furthest stage, stages reached, outcome, and whether it is open.

    Parameters
    ----------
    cases, events
        The tables of a :class:`~cape_study.loaders.CaseFile`.
    codebook
        Supplies the stage order and offence families (default: the packaged one).

    Returns
    -------
    DataFrame
        ``case_id``, ``country``, ``report_date``, ``furthest_stage``, one boolean
        column ``reached_<stage>`` per ranked stage, ``closed`` (closure rows cover the
        whole case, see the module's rules), ``outcome`` (missing unless judged),
        ``reclassified``, ``open``, and ``end``: the outcome if judged, else ``closed``
        or ``open``.
    """
    book = codebook or load_codebook()
    stages = book.scheme("stage").ranked_codes
    rank = {s: i for i, s in enumerate(stages)}
    ev = events.assign(
        stage=events["stage"].astype("string"),
        offence=events["offence"].astype("string"),
        outcome=events["outcome"].astype("string"),
    )
    ev["rank"] = ev["stage"].map(rank)
    furthest = ev.dropna(subset=["rank"]).groupby("case_id")["rank"].max()
    out = cases[["case_id", "country", "report_date"]].copy()
    out["country"] = out["country"].astype("string")
    # Every case was reported, even if its file has no 'reported' event row.
    best = out["case_id"].map(furthest).fillna(0).astype(int)
    out["furthest_stage"] = pd.Categorical(
        [stages[r] for r in best], categories=stages, ordered=True
    )
    for stage, r in rank.items():
        out[f"reached_{stage}"] = best >= r
    out["closed"] = out["case_id"].isin(_closure_dates(ev).index)
    out["outcome"] = out["case_id"].map(_final_outcome(ev)).astype("string")
    family = {c.code: c.family for c in book.scheme("offence").codes}
    serious = ev["offence"].map(family).isin(["trafficking", "exploitation"])
    charged_serious = set(
        ev.loc[serious & ev["stage"].isin(stages[rank["prosecuted"] :]), "case_id"]
    )
    reported_serious = cases.loc[
        cases["offence_reported"]
        .astype("string")
        .map(family)
        .isin(["trafficking", "exploitation"]),
        "case_id",
    ]
    out["reclassified"] = (out["outcome"] == "convicted_other").fillna(False) & (
        out["case_id"].isin(charged_serious) | out["case_id"].isin(reported_serious)
    )
    out["open"] = ~out["closed"] & out["outcome"].isna()
    out["end"] = out["outcome"].fillna(out["open"].map({True: "open", False: "closed"}))
    return out.reset_index(drop=True)


def _closure_dates(ev: pd.DataFrame) -> pd.Series:
    """The date each closed case was closed (see the module's rules), by case_id.

    ``ev`` is an events table with ``stage`` as strings.
    """
    part = ev["suspect_id"].astype("string").fillna("")
    is_closure = ev["stage"] == "closed"
    closures = ev[is_closure].assign(part=part[is_closure])
    if closures.empty:
        return pd.Series(dtype="datetime64[ns]")
    last = closures.groupby("case_id")["date"].max()
    whole = set(closures.loc[closures["part"] == "", "case_id"])
    named = ev.assign(part=part)[part != ""].groupby("case_id")["part"].agg(set)
    closed_parts = closures[closures["part"] != ""].groupby("case_id")["part"].agg(set)
    every = {c for c, parts in named.items() if c in closed_parts and parts <= closed_parts[c]}
    covered = last[last.index.isin(whole | every)]
    latest_other = ev[~is_closure].groupby("case_id")["date"].max()
    reopened = latest_other.reindex(covered.index) > covered
    return covered[~reopened]


def _final_outcome(ev: pd.DataFrame) -> pd.Series:
    """Best outcome per case over its suspects' final-instance judgments."""
    judged = ev.dropna(subset=["outcome"]).copy()
    if judged.empty:
        return pd.Series(dtype="string")
    judged["suspect"] = judged["suspect_id"].astype("string").fillna("(case)")
    top = judged.groupby(["case_id", "suspect"])["rank"].transform("max")
    final = judged[judged["rank"] == top]
    order = {o: i for i, o in enumerate(OUTCOME_ORDER)}
    best = final.assign(order=final["outcome"].map(order)).groupby("case_id")["order"].min()
    return best.map(dict(enumerate(OUTCOME_ORDER)))


def funnel(
    status: pd.DataFrame,
    by: str | None = "country",
    confidence: float = 0.95,
    method: str = "wilson",
) -> pd.DataFrame:
    """The stage funnel: how many cases reached each stage, as a share of all reported.

    Parameters
    ----------
    status
        The output of :func:`case_status`.
    by
        A column to split by (default ``country``), or ``None`` for all cases.
    confidence, method
        Passed to :func:`proportion_ci`.

    Returns
    -------
    DataFrame
        Tidy: ``by`` (if given), ``stage``, ``n_cases`` (the denominator: cases
        reported), ``reached``, ``proportion``, ``ci_low``, ``ci_high``,
        ``ci_method``, ``confidence``.
    """
    stages = [c.removeprefix("reached_") for c in status.columns if c.startswith("reached_")]
    groups = status.groupby(by, observed=True) if by else [(None, status)]
    rows = []
    for key, group in groups:
        for stage in stages:
            row = {
                "stage": stage,
                "n_cases": len(group),
                "reached": int(group[f"reached_{stage}"].sum()),
            }
            if by:
                row = {by: key, **row}
            rows.append(row)
    table = pd.DataFrame(rows)
    table["stage"] = pd.Categorical(table["stage"], categories=stages, ordered=True)
    table["proportion"] = table["reached"] / table["n_cases"]
    table["ci_low"], table["ci_high"] = proportion_ci(
        table["reached"], table["n_cases"], confidence, method
    )
    table["ci_method"] = method
    table["confidence"] = confidence
    return table


def event_times(
    cases: pd.DataFrame,
    events: pd.DataFrame,
    data_cutoff: dt.date | str,
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Time from report to the first of prosecution or closure, censored at the cut-off.

    Each case is followed from its ``report_date`` (time 0). Only rows dated on or
    before ``data_cutoff`` count: the file as it stood then.

    * **Prosecution** is the first date of any row at stage ``prosecuted`` or a
      judgment stage (a judgment implies a prosecution), for any suspect. A case that
      was closed, reopened and then prosecuted counts as prosecuted.
    * **Closure** applies to a case never prosecuted whose closure rows cover the
      whole case (the module's rule); the event time is its last closure.
    * Otherwise the case is **censored** at ``data_cutoff``.

    Prosecution and closure are competing events: a case closed without prosecution
    can no longer be prosecuted (unless reopened), so the cumulative incidence of
    prosecution is estimated with
    :func:`cape_study.survival.cumulative_incidence`, not as one minus a
    Kaplan-Meier curve that censors closures (Putter, Fiocco & Geskus 2007).

    Parameters
    ----------
    cases, events
        The tables of a :class:`~cape_study.loaders.CaseFile`.
    data_cutoff
        The date the case file was drawn (``CaseFile.data_cutoff``).
    codebook
        Supplies the stage order (default: the packaged codebook).

    Returns
    -------
    DataFrame
        One row per case: ``case_id``, ``country``, ``report_date``, ``end_date``,
        ``event`` (``prosecuted``, ``closed`` or ``censored``), ``event_code``
        (:data:`EVENT_CODES`: 1, 2 or 0), ``ended`` (prosecuted or closed) and
        ``days`` (whole days from report to ``end_date``).

    Raises
    ------
    CaseFileError
        If a case was reported after the cut-off (its time would be negative).

    References
    ----------
    Putter, H., Fiocco, M. & Geskus, R. B. (2007). Tutorial in biostatistics: competing
    risks and multi-state models. *Statistics in Medicine* 26, 2389-2430.
    """
    book = codebook or load_codebook()
    cutoff = pd.Timestamp(data_cutoff)
    late = cases.loc[cases["report_date"] > cutoff, ["case_id", "report_date"]]
    if len(late):
        listed = ", ".join(f"{c} ({d:%Y-%m-%d})" for c, d in late.head(5).itertuples(index=False))
        raise CaseFileError(
            f"cases table: {len(late)} case(s) reported after the data cut-off "
            f"{cutoff:%Y-%m-%d}, column report_date: {listed}"
        )
    stages = book.scheme("stage").ranked_codes
    ev = events[events["date"] <= cutoff].assign(stage=events["stage"].astype("string"))
    prosecution = ev[ev["stage"].isin(stages[stages.index("prosecuted") :])]
    prosecuted = prosecution.groupby("case_id")["date"].min()
    closed = _closure_dates(ev)
    out = cases[["case_id", "country", "report_date"]].copy()
    out["country"] = out["country"].astype("string")
    p = out["case_id"].map(prosecuted)
    c = out["case_id"].map(closed)
    out["event"] = "censored"
    out.loc[c.notna(), "event"] = "closed"
    out.loc[p.notna(), "event"] = "prosecuted"
    out["end_date"] = p.fillna(c).fillna(cutoff).astype("datetime64[ns]")
    out["event_code"] = out["event"].map(EVENT_CODES).astype(int)
    out["ended"] = out["event_code"] > 0
    out["days"] = (out["end_date"] - out["report_date"]).dt.days.astype(int)
    return out[
        ["case_id", "country", "report_date", "end_date", "event", "event_code", "ended", "days"]
    ].reset_index(drop=True)
