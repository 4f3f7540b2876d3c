"""A table of an earlier step that would pin a small count of a later one: intake's cases
by year and country, shown before 01 runs, and 01's funnel by country and period. The
scenario no-codings failed 01's final check so (README, 'Drop-out counts held up first');
intake now holds the funnel up before its own tables (stats/report_funnels.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cape_study.data.loaders import load_case_file
from cape_study.privacy.disclosure import Disclosure
from cape_study.runner.params import LEGAL_CHANGE_IDS
from cape_study.stats import attrition, legal
from cape_study.stats.funnel import shield_funnel
from cape_study.stats.report_funnels import (
    HELD_UP,
    group_funnel,
    group_link,
    group_name,
    hold_up,
    report_status,
    side_funnel,
    side_link,
    side_name,
)
from cape_study.synth import SynthSpec, write_synthetic_case_file

#: Finland's cases by year: the last period, 2021-2024, holds 1 case a year, 4 in all.
FI = {2013: 6, 2014: 7, 2015: 5, 2016: 6, 2017: 8, 2018: 6, 2019: 7, 2020: 5}
FI |= {2021: 1, 2022: 1, 2023: 1, 2024: 1}
SE = {year: 9 + year % 3 for year in range(2013, 2025)}


def _status() -> pd.DataFrame:
    """One row per case: country, report year and period (4 years, back from 2024), and
    the stages reached (every other case investigated, every fourth prosecuted)."""
    rows = [
        {"country": country, "year": year}
        for country, years in (("SE", SE), ("FI", FI))
        for year, n in years.items()
        for _ in range(n)
    ]
    status = pd.DataFrame(rows)
    k = np.arange(len(status))
    status["period"] = attrition.report_period(
        pd.to_datetime(status["year"].astype(str) + "-06-30"), 4, last=2024
    )
    for depth, stage in enumerate(attrition.STAGE_ORDER):
        status[f"reached_{stage}"] = k % (2**depth) == 0
    return status


def _intake(protection: Disclosure, status: pd.DataFrame) -> None:
    """What 00_intake links: cases by country, then by year and country."""
    for by, name in [(["country"], "cases by country"), (["year", "country"], "cases by year")]:
        counts = status.groupby(by).size().rename("cases").reset_index()
        protection.suppress(
            counts.assign(year=counts["year"].astype(str)) if "year" in by else counts,
            "cases",
            threshold=5,
            name=name,
            keys=by,
            link={c: c for c in by},
        )


def _funnel_by_period(protection: Disclosure, status: pd.DataFrame) -> pd.DataFrame:
    """What 01_attrition links: the funnel by country and period."""
    split = attrition.funnel(status, by=["country", "period"], steps=attrition.STAGE_ORDER)
    return attrition.suppress_funnel(
        split,
        threshold=5,
        name=group_name("period"),
        additive=["period"],
        audit=protection,
        link=group_link("period"),
    )


def test_a_period_funnel_held_up_by_intake_is_not_pinned_by_its_years() -> None:
    status = _status()
    # without the funnel held up: intake's years give the 4 cases of Finland 2021-2024
    # (the country's total less its published years), a small count 01 hides in vain
    intake = Disclosure()
    _intake(intake, status)
    later = Disclosure()
    later._linked = dict(intake._linked)  # as 01 reads intake's registry
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # link warns that it cannot protect the count
        _funnel_by_period(later, status)
    with pytest.raises(ValueError, match="funnel by country and period"):
        later.verify(threshold=5)
    # held up first (hidden, unmarked), intake's years hide what would pin it
    intake = Disclosure()
    split = attrition.funnel(status, by=["country", "period"], steps=attrition.STAGE_ORDER)
    shield_funnel(
        split, threshold=5, name=group_name("period"), audit=intake, link=group_link("period")
    )
    _intake(intake, status)
    intake.verify(threshold=5)
    assert intake.records(group_name("period")) == []  # a shield publishes nothing
    later = Disclosure()
    later._linked = dict(intake._linked)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every small count can be protected
        safe = _funnel_by_period(later, status)
    later.verify(threshold=5)
    last = safe[(safe["country"] == "FI") & (safe["period"] == "2021–2024")]
    assert last.loc[last["stage"] == "reported", "reached"].isna().all()
    # intake hid, besides the four small years, years that give the period's total away
    years = intake._linked["cases by year"].records()
    hidden = {
        r["cell"]["year"] for r in years if r["cell"]["country"] == "FI" and r["count"] is None
    }
    assert {"2021", "2022", "2023", "2024"} < hidden
    assert list(later._linked)[-1] == group_name("period")  # 01's funnel replaced it


def test_a_funnel_held_up_for_other_periods_stops_the_later_step() -> None:
    # -p 01_attrition.period_years=3 without intake: intake held up 4-year periods, so
    # nothing it published was protected against the 3-year ones; 01 must stop, not publish
    status = _status()
    protection = Disclosure()
    split = attrition.funnel(status, by=["country", "period"], steps=attrition.STAGE_ORDER)
    shield_funnel(
        split, threshold=5, name=group_name("period"), audit=protection, link=group_link("period")
    )
    status["period"] = attrition.report_period(
        pd.to_datetime(status["year"].astype(str) + "-06-30"), 3, last=2024
    )
    with pytest.raises(ValueError, match=r"held up .* period_years"):
        _funnel_by_period(protection, status)


def test_intake_holds_up_the_funnels_01_links_with_the_same_cells(tmp_path) -> None:
    # hold_up, on the case file as intake has it, registers every funnel 01 then links
    # under the same name by period, region, sector and legal change, all hidden and
    # unmarked; 01's funnels replace them (a held-up table of other cells would raise)
    folder = write_synthetic_case_file(
        tmp_path / "casefile", SynthSpec(60, 3), command="test", progress=None
    )
    case = load_case_file(folder, data_cutoff="2024-12-31", read_documents=False)
    changes = legal.legal_changes(LEGAL_CHANGE_IDS)
    intake = Disclosure()
    hold_up(case, period_years=4, legal_changes=LEGAL_CHANGE_IDS, threshold=5, audit=intake)
    status = report_status(case, period_years=4, changes=changes)
    sides = legal.before_after(status, changes)
    held = [side_name(c) for c in changes if (sides["change"] == c.id).any()]
    assert list(intake._linked) == [*(group_name(g) for g in HELD_UP), *held]
    assert all(t.hidden().all() and not t.marked.any() for t in intake._linked.values())
    assert any(t.small.any() for t in intake._linked.values())
    # 01 replaces them by its own funnels (the period's and one change's here, for time)
    change = next(c for c in changes if (sides["change"] == c.id).any())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a count left exposed warns; not asked here
        attrition.suppress_funnel(
            group_funnel(status, "period", sampling_frame=case.sampling_frame),
            threshold=5,
            name=group_name("period"),
            additive=["period"],
            audit=intake,
            link=group_link("period"),
        )
        attrition.suppress_funnel(
            side_funnel(sides[sides["change"] == change.id]),
            threshold=5,
            name=side_name(change),
            additive=["side"],
            audit=intake,
            **side_link(change),
        )
    replaced = [intake._linked[group_name("period")], intake._linked[side_name(change)]]
    assert not any(t.hidden().all() for t in replaced)
