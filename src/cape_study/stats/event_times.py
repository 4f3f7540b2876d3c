"""Time from report to the first of prosecution or closure, censored at the data cut-off.

:func:`event_times` turns the rules of :mod:`cape_study.stats.case_status` into the time
from report to the first of prosecution or closure, censored at the data cut-off, for the
estimators of :mod:`cape_study.stats.survival` and for Cox regression;
:func:`day_precise_times` keeps the cases dated to the day.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cape_study.data.codebook import Codebook, codebook_or_default
from cape_study.errors import CannotEstimate, CaseFileError
from cape_study.stats.case_status import (
    EVENT_CODES,
    PENDING,
    _closure_dates,
)

__all__ = ["day_precise_times", "event_times"]


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

    Dates known only to the month or year (``<column>_precision`` of the loaders,
    :mod:`cape_study.data.cells`) stand for the first day of their period. Such a time
    is not a time to the day: ``day_precise`` is false for a case whose report date or
    end (prosecution or closure) is not day-precise, and the time-to-event estimators
    use the day-precise cases only (:func:`day_precise_times`), saying how many were
    left out; counts and funnels use every case.

    Prosecution and closure are competing events: a case closed without prosecution
    can no longer be prosecuted (unless reopened), so the cumulative incidence of
    prosecution is estimated with
    :func:`cape_study.stats.survival.cumulative_incidence`, not as one minus a
    Kaplan-Meier curve that censors closures (Putter, Fiocco & Geskus 2007).

    Parameters
    ----------
    cases, events
        The tables of a :class:`~cape_study.data.loaders.CaseFile`.
    data_cutoff
        The date the case file was drawn (``CaseFile.data_cutoff``).
    codebook
        Supplies the stage order (default: the packaged codebook).

    Returns
    -------
    DataFrame
        One row per case: ``case_id``, ``country``, ``report_date``, ``end_date``,
        ``event`` (``prosecuted``, ``closed`` or ``censored``), ``event_code``
        (:data:`EVENT_CODES`: 1, 2 or 0), ``ended`` (prosecuted or closed),
        ``days`` (whole days from report to ``end_date``) and ``day_precise``.

    Raises
    ------
    CaseFileError
        If a case was reported after the cut-off (its time would be negative).

    References
    ----------
    Putter, H., Fiocco, M. & Geskus, R. B. (2007). Tutorial in biostatistics: competing
    risks and multi-state models. *Statistics in Medicine* 26, 2389-2430.
    """
    book = codebook_or_default(codebook)
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
    # a charging decision still pending is no prosecution; a trial pending was charged
    waiting = ((ev["stage"] == "prosecuted") & (ev["outcome"].astype("string") == PENDING)).fillna(
        False
    )
    prosecution = ev[ev["stage"].isin(stages[stages.index("prosecuted") :]) & ~waiting]
    prosecuted = prosecution.groupby("case_id")["date"].min()
    closed = _closure_dates(ev)
    out = cases[["case_id", "country", "report_date"]].copy()
    out["country"] = out["country"].astype("string")
    p = out["case_id"].map(prosecuted)
    c = out["case_id"].map(closed)
    rough = _rough_dates(ev)
    end_rough = np.array(
        [(k, d) in rough for k, d in zip(out["case_id"], p.fillna(c), strict=True)], dtype=bool
    )  # a bool array also when there is no case (a list would be floats)
    out["day_precise"] = ~(_rough(cases, "report_date").to_numpy(bool) | end_rough)
    out["event"] = "censored"
    out.loc[c.notna(), "event"] = "closed"
    out.loc[p.notna(), "event"] = "prosecuted"
    out["end_date"] = p.fillna(c).fillna(cutoff).astype("datetime64[ns]")
    out["event_code"] = out["event"].map(EVENT_CODES).astype(int)
    out["ended"] = out["event_code"] > 0
    out["days"] = (out["end_date"] - out["report_date"]).dt.days.astype(int)
    columns = ["case_id", "country", "report_date", "end_date", "event", "event_code", "ended"]
    return out[[*columns, "days", "day_precise"]].reset_index(drop=True)


def day_precise_times(times: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The cases of :func:`event_times` whose times are exact to the day, and how many
    were left out because a date was known only to the month or year;
    :class:`CannotEstimate` when no case is left."""
    keep = times["day_precise"].astype(bool)
    if len(times) and not keep.any():
        raise CannotEstimate(
            "imprecise_dates",
            f"no case is dated to the day ({len(times)} dated to the month or year)",
            n=len(times),
        )
    return times[keep].reset_index(drop=True), int((~keep).sum())


def _rough(table: pd.DataFrame, column: str) -> pd.Series:
    """True where ``column``'s date is known only to the month or year."""
    precision = table.get(f"{column}_precision")
    if precision is None:
        return pd.Series(False, index=table.index)
    return precision.astype("string").isin(["month", "year"]).fillna(False)


def _rough_dates(ev: pd.DataFrame) -> set[tuple[object, object]]:
    """(case_id, date) pairs of event rows whose date is known only to the month or year."""
    rows = ev[_rough(ev, "date").to_numpy(bool)]
    return set(zip(rows["case_id"], rows["date"], strict=True))
