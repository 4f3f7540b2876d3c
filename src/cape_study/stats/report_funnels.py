"""The funnels ``01_attrition`` publishes split by a case characteristic (period,
police region, sector ...) or by the sides of a legal change, built in one place so that
``00_intake`` can hold them up before its own tables.

Tables are protected in the order they are shown (:mod:`cape_study.privacy.linked`), and
intake's tables are shown before ``01`` runs: its cases by year and country, with three
years of a country marked small (1 to 4 each), bound that country's cases in the period
of those years to 3 to 7, a small count of ``01``'s funnel by period that ``01`` can no
longer hide (the synthetic scenario ``no-codings`` failed ``01``'s final check so).
:func:`hold_up` therefore links, in intake's audit and before intake's own tables, every
count of the funnels ``01`` will publish by a characteristic intake also publishes
(period, police region, sector) and by the sides of each legal change (spans of report
dates, which intake's years bound), hidden and unmarked
(:func:`cape_study.stats.funnel.shield_funnel`): intake's tables and marks then hide
what would pin one of their small counts, and ``01``'s funnels, linked under the same
names, replace them. Both steps build the funnels with the functions here, from the same
stored case file and the same ``period_years`` and ``legal_changes``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from cape_study.data.loaders import CaseFile
from cape_study.errors import CannotEstimate
from cape_study.privacy.disclosure import Disclosure
from cape_study.stats import legal
from cape_study.stats.case_status import (
    FUNNEL_STEPS,
    STAGE_ORDER,
    case_status,
    observed_steps,
    report_period,
)
from cape_study.stats.funnel import funnel, shield_funnel
from cape_study.stats.offence_paths import offence_paths

__all__ = [
    "GROUPS",
    "HELD_UP",
    "group_funnel",
    "group_link",
    "group_name",
    "hold_up",
    "report_status",
    "side_funnel",
    "side_link",
    "side_name",
]

#: The characteristics ``01`` splits the funnel of each country by.
GROUPS = ("period", "police_region", "sector", "detection_channel", "reported")
#: Those of :data:`GROUPS` that intake's tables also count (by year, region and sector),
#: whose funnels :func:`hold_up` holds up.
HELD_UP = ("period", "police_region", "sector")


def report_status(
    case: CaseFile,
    *,
    period_years: int,
    changes: Sequence[legal.LegalChange],
    offences: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each case's status (:func:`cape_study.stats.case_status.case_status`) with its
    police region, sector, detection channel, offence reported (``offences``:
    :func:`cape_study.stats.offence_paths.offence_paths`, made here if not given) and
    report period (:func:`cape_study.stats.case_status.report_period`: ``period_years``
    long, counted back from the data cut-off's year, a period starting at each change's
    year)."""
    status = case_status(case.cases, case.events).merge(
        case.cases[["case_id", "police_region", "sector", "detection_channel"]], on="case_id"
    )
    status["period"] = report_period(
        status["report_date"],
        period_years,
        last=case.data_cutoff.year,
        breaks=legal.break_years(changes),
    )
    if offences is None:
        offences = offence_paths(case.cases, case.events)
    return status.merge(offences[["case_id", "reported"]], on="case_id")


def group_name(group: str) -> str:
    """The name of the funnel by country and ``group`` in the report's registry."""
    return f"funnel by country and {group}"


def group_link(group: str) -> dict[str, str]:
    """The dimensions of the funnel by country and ``group`` (a period is a span of years)."""
    return {"country": "country", group: "year" if group == "period" else group}


def group_funnel(status: pd.DataFrame, group: str, *, sampling_frame: str, **ci) -> pd.DataFrame:
    """The funnel of the stages (those ``sampling_frame`` can show) by country and
    ``group`` (:func:`cape_study.stats.funnel.funnel`; ``ci``: its confidence and method)."""
    steps = observed_steps(STAGE_ORDER, sampling_frame)
    return funnel(status, by=["country", group], steps=steps, **ci)


def side_name(change: legal.LegalChange) -> str:
    """The name of the funnel before and after ``change`` in the report's registry."""
    return f"funnel before and after {change.id}"


def side_link(change: legal.LegalChange) -> dict:
    """``link`` and ``link_values`` of the funnel before and after ``change``: the sides
    as spans of report dates (:func:`cape_study.stats.legal.spans`), linked with the
    years and periods."""
    return {"link": {"country": "country", "side": "year"}, "link_values": legal.spans(change)}


def side_funnel(sides: pd.DataFrame, **ci) -> pd.DataFrame:
    """The funnel with its outcomes by country and side of one change (``sides``: that
    change's rows of :func:`cape_study.stats.legal.before_after`), with every group."""
    return funnel(sides, by=["country", "side"], steps=FUNNEL_STEPS, overall=True, **ci)


def hold_up(
    case: CaseFile,
    *,
    period_years: int,
    legal_changes: Sequence[str],
    threshold: int,
    audit: Disclosure,
) -> None:
    """Link in ``audit``, hidden and unmarked, the funnels ``01`` will publish by period,
    police region and sector and before and after each of ``legal_changes`` (the
    module's introduction), from ``case`` as intake stores it; call it before the tables
    that could pin their small counts."""
    changes = legal.legal_changes(legal_changes)
    status = report_status(case, period_years=period_years, changes=changes)
    for group in HELD_UP:
        try:
            split = group_funnel(status, group, sampling_frame=case.sampling_frame)
        except CannotEstimate:  # a sample selected at the last stage: 01 shows none
            break
        shield_funnel(
            split,
            threshold=threshold,
            name=group_name(group),
            audit=audit,
            link=group_link(group),
        )
    sides = legal.before_after(status, changes)
    for change in changes:
        mine = sides[sides["change"] == change.id]
        if len(mine):
            shield_funnel(
                side_funnel(mine),
                threshold=threshold,
                name=side_name(change),
                audit=audit,
                **side_link(change),
            )
