"""Legal-change dates: the reference list, the split before and after, and report periods
that start at the changes' years."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cape_study.present import tables
from cape_study.runner.params import LEGAL_CHANGE_IDS, AttritionParameters
from cape_study.stats import attrition, legal


def test_every_default_change_has_a_date_a_label_in_both_languages_and_a_source() -> None:
    known = legal.known_changes()
    assert tuple(known) == LEGAL_CHANGE_IDS == AttritionParameters().legal_changes
    for change in known.values():
        assert change.country in {"SE", "FI"} and change.sources
        assert change.label["sv"] and change.label["en"]
    assert known["se_manniskoexploatering"].date == dt.date(2018, 7, 1)
    assert known["se_nja_2022_s23"].date == dt.date(2022, 2, 15)
    # The exploitation offence's date is the codebook's, where validation uses it.
    from cape_study.data.codebook import load_codebook

    offence = {c.code: c for c in load_codebook().scheme("offence").codes}
    assert offence["manniskoexploatering"].in_force_from == dt.date(2018, 7, 1)


def test_a_date_of_ones_own_is_accepted_and_an_unknown_name_is_refused() -> None:
    (own,) = legal.legal_changes(["FI:2015-06-01"])
    assert own.country == "FI" and own.date == dt.date(2015, 6, 1) and not own.sources
    with pytest.raises(ValueError, match="se_manniskoexploatering"):
        legal.legal_changes(["NJA 2022"])
    with pytest.raises(Exception, match="COUNTRY:YYYY-MM-DD"):
        AttritionParameters(legal_changes="SE:2020-13-01,xx")


def test_cases_on_the_date_are_after_it_and_other_countries_are_left_out() -> None:
    status = pd.DataFrame(
        {
            "case_id": ["a", "b", "c", "d"],
            "country": ["SE", "SE", "SE", "FI"],
            "report_date": pd.to_datetime(["2018-06-30", "2018-07-01", "2019-01-01", "2010-01-01"]),
        }
    )
    changes = legal.legal_changes(["se_manniskoexploatering"])
    sides = legal.before_after(status, changes)
    assert sides.set_index("case_id")["side"].astype(str).to_dict() == {
        "a": "before",
        "b": "after",
        "c": "after",
    }
    words = tables.side_labels(sides["side"], changes[0], "sv")
    assert words.iloc[0] == "anmälda före 2018-07-01"
    assert "2018-07-01" in tables.legal_change_list(changes, lang="en")


@pytest.mark.parametrize("years", [1, 3, 4, 7])
def test_no_report_period_straddles_the_year_of_a_change(years: int) -> None:
    dates = pd.Series(pd.to_datetime([f"{y}-03-01" for y in range(2004, 2025)]))
    breaks = legal.break_years(legal.legal_changes(list(LEGAL_CHANGE_IDS)))
    assert breaks == [2015, 2018, 2022]
    period = attrition.report_period(dates, years, last=2024, breaks=breaks)
    spans = pd.DataFrame({"year": dates.dt.year, "period": period.astype(str)})
    for _, part in spans.groupby("period"):
        low, high = part["year"].min(), part["year"].max()
        assert high - low + 1 <= years
        assert not any(low < b <= high for b in breaks), (low, high)
    # Every year is in exactly one period, in order.
    assert spans["year"].is_monotonic_increasing
    assert period.cat.codes.is_monotonic_increasing
