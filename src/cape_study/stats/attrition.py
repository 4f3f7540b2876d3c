"""Where cases drop out: each case's stages, outcome, end and offences, and the funnel.

One name for the attrition analysis, gathered from the modules that do each part: the
rules that derive each case's stages, outcome and end from its events, and the
case-level facts (:mod:`cape_study.stats.case_status`); the funnel and its disclosure
control (:mod:`cape_study.stats.funnel`); the offence paths from report to charge to
judgment (:mod:`cape_study.stats.offence_paths`); and the time from report to
prosecution or closure (:mod:`cape_study.stats.event_times`).
"""

from __future__ import annotations

from cape_study.stats.case_status import (
    EVENT_CODES,
    FAMILIES,
    FUNNEL_STEPS,
    NO_RESULT,
    OUTCOME_ORDER,
    PATH_CATEGORIES,
    PENDING,
    STAGE_ORDER,
    case_status,
    observed_steps,
    reclassified,
    report_period,
)
from cape_study.stats.event_times import day_precise_times, event_times
from cape_study.stats.funnel import funnel, suppress_funnel
from cape_study.stats.offence_paths import flow_table, offence_paths, suppress_flows

__all__ = [
    "EVENT_CODES",
    "FAMILIES",
    "FUNNEL_STEPS",
    "NO_RESULT",
    "OUTCOME_ORDER",
    "PATH_CATEGORIES",
    "PENDING",
    "STAGE_ORDER",
    "case_status",
    "day_precise_times",
    "event_times",
    "flow_table",
    "funnel",
    "observed_steps",
    "offence_paths",
    "reclassified",
    "report_period",
    "suppress_flows",
    "suppress_funnel",
]
