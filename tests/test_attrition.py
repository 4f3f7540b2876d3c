"""Case status and the stage funnel, checked against hand-derived values."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import write_case_file

from cape_study.data.loaders import load_case_file
from cape_study.errors import CaseFileError
from cape_study.paths import project
from cape_study.stats.attrition import (
    FAMILIES,
    FUNNEL_STEPS,
    OUTCOME_ORDER,
    case_status,
    event_times,
    flow_table,
    funnel,
    offence_paths,
    report_period,
    suppress_funnel,
)
from cape_study.stats.proportions import proportion_ci
from cape_study.stats.survival import cumulative_incidence


def load(folder, tables):
    write_case_file(folder, tables)
    return load_case_file(folder, data_cutoff="2024-12-31")


def test_case_status_derives_stage_outcome_and_censoring(tmp_path, tables) -> None:
    status = case_status(*_tables(load(tmp_path / "cf", tables))).set_index("case_id")
    assert status.loc["SE-1", "furthest_stage"] == "judgment_appeal"
    assert status.loc["SE-1", "reached_prosecuted"]
    assert status.loc["SE-1", "outcome"] == "acquitted"  # convicted, then acquitted on appeal
    assert not status.loc["SE-2", "reached_investigation_opened"]
    assert status.loc["SE-2", "closed"] and not status.loc["SE-2", "open"]
    assert status.loc["FI-1", "open"] and pd.isna(status.loc["FI-1", "outcome"])


def test_supreme_court_restoring_a_conviction_counts(tmp_path, tables) -> None:
    tables["events"].append(
        {
            "case_id": "SE-1",
            "suspect_id": "S-1",
            "stage": "judgment_supreme",
            "date": "2021-03-01",
            "offence": "manniskohandel",
            "outcome": "convicted_trafficking",
        }
    )
    status = case_status(*_tables(load(tmp_path / "cf", tables))).set_index("case_id")
    assert status.loc["SE-1", "outcome"] == "convicted_trafficking"
    assert not status.loc["SE-1", "reclassified"]


def test_conviction_for_a_lesser_offence_is_reclassification(tmp_path, tables) -> None:
    tables["events"][5].update(offence="ocker", outcome="convicted_other")
    tables["events"][6].update(offence="ocker", outcome="convicted_other")
    status = case_status(*_tables(load(tmp_path / "cf", tables))).set_index("case_id")
    assert status.loc["SE-1", "outcome"] == "convicted_other"
    assert status.loc["SE-1", "reclassified"]


def test_funnel_counts_and_intervals(tmp_path, tables) -> None:
    status = case_status(*_tables(load(tmp_path / "cf", tables)))
    table = funnel(status, by="country").set_index(["country", "stage"])
    se = table.loc["SE"]
    assert se["n_cases"].eq(2).all()
    assert se.loc["reported", "reached"] == 2
    assert se.loc["prosecuted", "reached"] == 1
    assert se.loc["judgment_supreme", "reached"] == 0
    assert se.loc["prosecuted", "proportion"] == 0.5
    low, high = proportion_ci(1, 2)
    assert (se.loc["prosecuted", "ci_low"], se.loc["prosecuted", "ci_high"]) == (low, high)
    assert table.loc[("FI", "reported"), "reached"] == 1
    overall = funnel(status, by=None)
    assert overall["n_cases"].eq(3).all() and "country" not in overall


def test_funnel_continues_from_stages_to_final_outcomes(tmp_path, tables) -> None:
    cf = load(tmp_path / "cf", tables)
    status = case_status(cf.cases, cf.events).merge(cf.cases[["case_id", "sector"]])
    table = funnel(status, by="country", steps=FUNNEL_STEPS).set_index(["country", "stage"])
    assert list(table.loc["SE"].index) == FUNNEL_STEPS
    assert table.loc[("SE", "judgment_first_instance"), ["reached", "level"]].tolist() == [
        1,
        "stage",
    ]
    # SE-1 was convicted of trafficking, then acquitted on appeal: its final outcome.
    assert table.loc[("SE", "acquitted"), ["reached", "n_cases", "level"]].tolist() == [
        1,
        2,
        "outcome",
    ]
    assert table.loc[("SE", "convicted_trafficking"), "reached"] == 0
    assert table.loc["FI", "reached"].tolist() == [1] + [0] * (len(FUNNEL_STEPS) - 1)
    by_two = funnel(status, by=["country", "sector"], steps=["reported", "prosecuted"])
    assert len(by_two) == 3 * 2 and set(by_two.columns) >= {"country", "sector"}
    with pytest.raises(ValueError, match="unknown funnel step"):
        funnel(status, steps=["reported", "convicted"])
    # overall=True adds the funnel of all cases ("all"), or of a country over its sectors.
    table = funnel(status, by="country", steps=FUNNEL_STEPS, overall=True)
    everyone = funnel(status, by=None, steps=FUNNEL_STEPS)
    assert table[table["country"] == "all"]["reached"].tolist() == everyone["reached"].tolist()
    by_sector = funnel(status, by=["country", "sector"], steps=["prosecuted"], overall=True)
    se_all = by_sector[(by_sector["country"] == "SE") & (by_sector["sector"] == "all")]
    assert se_all[["n_cases", "reached"]].values.tolist() == [[2, 1]]
    with pytest.raises(ValueError, match="needs a column"):
        funnel(status, by=None, overall=True)


def _sectors() -> pd.DataFrame:
    """Swedish cases in three sectors (3, 20 and 30 cases; 1, 4 and 6 prosecuted) and
    8 Finnish cases, all prosecuted: 6 convicted of another offence, 2 acquitted."""
    n = {"beauty": (3, 1), "cleaning": (20, 4), "construction": (30, 6)}
    rows = [
        {"country": "SE", "sector": s, "reached_prosecuted": i < k, "outcome": pd.NA}
        for s, (size, k) in n.items()
        for i in range(size)
    ]
    rows += [
        {
            "country": "FI",
            "sector": "cleaning",
            "reached_prosecuted": True,
            "outcome": "convicted_other" if i < 6 else "acquitted",
        }
        for i in range(8)
    ]
    frame = pd.DataFrame(rows).assign(reached_reported=True)
    frame["reached_judgment_first_instance"] = frame["outcome"].notna()
    return frame


def test_a_published_funnel_protects_groups_totals_and_outcomes(protection) -> None:
    status = _sectors()
    steps = ["reported", "prosecuted"]
    split = funnel(status[status["country"] == "SE"], by=["country", "sector"], steps=steps)
    safe = suppress_funnel(split, threshold=5, name="t", additive=["sector"]).set_index(
        ["sector", "stage"]
    )
    # beauty (3 cases) is hidden; the sectors add up to Sweden's 53 cases, so another
    # sector's size is hidden too, and with it every share of that sector (a count
    # over its share would give the size back).
    assert pd.isna(safe.loc[("beauty", "reported"), "reached"])
    assert pd.isna(safe.loc[("cleaning", "reported"), "reached"])
    assert pd.isna(safe.loc[("cleaning", "prosecuted"), "n_cases"])
    assert pd.isna(safe.loc[("cleaning", "prosecuted"), "proportion"])
    assert safe.loc[("construction", "prosecuted"), ["reached", "n_cases"]].tolist() == [6, 30]
    # "all" = SE + FI: Sweden's hidden count is not left to subtraction.
    by_country = funnel(status, by="country", steps=["reported", "prosecuted"], overall=True)
    safe = suppress_funnel(by_country, threshold=12, name="c", additive=["country"])
    prosecuted = safe[safe["stage"] == "prosecuted"].set_index("country")["reached"]
    assert pd.isna(prosecuted["SE"]) and prosecuted.isna().sum() >= 2
    # The outcomes of Finland's 8 judged cases add up to 8: the 2 acquittals are not
    # left beside the 6 convictions.
    steps = ["reported", "prosecuted", "judgment_first_instance", *OUTCOME_ORDER]
    fi = funnel(status[status["country"] == "FI"], by="country", steps=steps)
    safe = suppress_funnel(fi, threshold=5, name="o", audit=protection).set_index("stage")[
        "reached"
    ]
    assert safe[["convicted_other", "acquitted"]].isna().all()
    assert safe["convicted_trafficking"] == 0 and safe["prosecuted"] == 8
    audited = protection.audit()
    assert set(audited.loc[audited["table"] == "o", "cell"].map(lambda c: c["stage"])) == {
        "convicted_other",
        "acquitted",
    }


def test_report_periods_count_back_from_the_latest_year() -> None:
    dates = pd.Series(pd.to_datetime([f"{y}-06-01" for y in range(2012, 2025)]))
    periods = report_period(dates, 4)
    assert list(periods.cat.categories) == ["2012", "2013–2016", "2017–2020", "2021–2024"]
    assert periods.iloc[0] == "2012" and periods.iloc[-1] == "2021–2024"
    assert periods.cat.ordered
    assert report_period(dates, 5, last=2026).iloc[-1] == "2022–2026"
    with pytest.raises(ValueError, match="at least one year"):
        report_period(dates, 0)


def test_offence_paths_follow_reported_charged_and_judged_offences(tmp_path, tables) -> None:
    cf = load(tmp_path / "cf", tables)
    paths = offence_paths(cf.cases, cf.events).set_index("case_id")
    # SE-1: människohandel charged (ocker only in the alternative), acquitted on appeal.
    assert paths.loc["SE-1", ["reported", "charged", "judged"]].tolist() == [
        "trafficking",
        "trafficking",
        "acquitted",
    ]
    assert paths.loc["SE-1", "charged_offence"] == "manniskohandel"
    assert paths.loc["SE-2", ["reported", "charged", "judged"]].tolist() == [
        "exploitation",
        "not_prosecuted",
        "not_prosecuted",
    ]
    flows = flow_table(paths, by="country")
    assert flows["cases"].sum() == 3 and (flows["cases"] > 0).all()
    grid = flow_table(paths, ["reported", "charged"], complete=True)
    assert len(grid) == len(FAMILIES) * (len(FAMILIES) + 1) and grid["cases"].sum() == 3


def test_the_principal_charge_is_the_one_not_in_the_alternative(tmp_path, tables) -> None:
    # Ocker charged, människohandel only in the alternative; no judgment yet.
    tables["events"][3].update(offence="ocker")
    tables["events"][4].update(offence="manniskohandel")
    tables["events"] = tables["events"][:5] + tables["events"][7:]
    cf = load(tmp_path / "cf", tables)
    paths = offence_paths(cf.cases, cf.events).set_index("case_id")
    assert paths.loc["SE-1", ["charged_offence", "charged", "judged"]].tolist() == [
        "ocker",
        "economic",
        "not_judged",
    ]


def test_event_times_follow_each_case_from_report_to_prosecution_closure_or_cutoff(
    tmp_path, tables
) -> None:
    cf = load(tmp_path / "cf", tables)
    times = event_times(cf.cases, cf.events, "2024-12-31").set_index("case_id")
    # SE-1: S-1 prosecuted 2019-09-01 (S-2's closure does not close the case).
    assert times.loc["SE-1", ["event", "event_code", "ended"]].tolist() == ["prosecuted", 1, True]
    assert (
        times.loc["SE-1", "days"] == (pd.Timestamp("2019-09-01") - pd.Timestamp("2019-03-01")).days
    )
    # SE-2: closed as a whole on 2020-10-01.
    assert times.loc["SE-2", ["event", "event_code"]].tolist() == ["closed", 2]
    assert times.loc["SE-2", "days"] == 108
    # FI-1: nothing after the report: censored at the cut-off.
    assert times.loc["FI-1", ["event", "event_code", "ended"]].tolist() == ["censored", 0, False]
    assert times.loc["FI-1", "end_date"] == pd.Timestamp("2024-12-31")
    assert times.loc["FI-1", "days"] == 1420


def test_event_times_see_the_file_as_it_stood_at_an_earlier_cutoff(tmp_path, tables) -> None:
    cf = load(tmp_path / "cf", tables)
    early = cf.cases[cf.cases["case_id"] == "SE-1"]
    times = event_times(early, cf.events, "2019-08-15").set_index("case_id")
    # The prosecution (2019-09-01) lies after the cut-off; only S-2 of two suspects was
    # closed (2019-08-01), so the case is still open.
    assert times.loc["SE-1", "event"] == "censored" and times.loc["SE-1", "days"] == 167
    with pytest.raises(CaseFileError, match=r"column report_date: SE-2 \(2020-06-15\)"):
        event_times(cf.cases, cf.events, "2019-08-15")


def test_a_case_closed_suspect_by_suspect_ends_with_its_last_closure(tmp_path, tables) -> None:
    tables["events"] = [
        r
        for r in tables["events"]
        if r["case_id"] != "SE-1"
        or r["stage"] in ("reported", "investigation_opened", "suspect_notified", "closed")
    ]
    tables["events"].append(
        {
            "case_id": "SE-1",
            "suspect_id": "S-1",
            "stage": "closed",
            "date": "2019-10-01",
            "closure_reason": "brott_kan_inte_styrkas",
        }
    )
    cf = load(tmp_path / "cf", tables)
    times = event_times(cf.cases, cf.events, "2024-12-31").set_index("case_id")
    assert times.loc["SE-1", "event"] == "closed"
    assert times.loc["SE-1", "end_date"] == pd.Timestamp("2019-10-01")
    status = case_status(cf.cases, cf.events).set_index("case_id")
    assert status.loc["SE-1", "closed"] and status.loc["SE-1", "end"] == "closed"


def test_a_reopened_case_is_open_and_a_judgment_implies_prosecution(tmp_path, tables) -> None:
    cf = load(tmp_path / "cf", tables)
    events = cf.events
    reopened = pd.DataFrame(
        {
            "case_id": ["SE-2"],
            "stage": ["investigation_opened"],
            "date": [pd.Timestamp("2021-01-10")],
        }
    ).astype({"case_id": "string"})
    with_reopening = pd.concat([events, reopened], ignore_index=True)
    times = event_times(cf.cases, with_reopening, "2024-12-31").set_index("case_id")
    assert times.loc["SE-2", "event"] == "censored"
    assert not case_status(cf.cases, with_reopening).set_index("case_id").loc["SE-2", "closed"]
    # Without its 'prosecuted' rows, SE-1 was prosecuted by its first judgment at the latest.
    no_charge = events[events["stage"].astype("string") != "prosecuted"]
    times = event_times(cf.cases, no_charge, "2024-12-31").set_index("case_id")
    assert times.loc["SE-1", "event"] == "prosecuted"
    assert times.loc["SE-1", "end_date"] == pd.Timestamp("2019-12-01")


def _tables(cf):
    return cf.cases, cf.events


@pytest.fixture(scope="module")
def demo():
    """The committed synthetic demo case file and its truth.json."""
    folder = project().demo_case_file
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return load_case_file(folder, data_cutoff=truth["data_cutoff"]), truth


def test_demo_cumulative_incidence_recovers_the_planted_truth(demo) -> None:
    case_file, truth = demo
    times = event_times(case_file.cases, case_file.events, case_file.data_cutoff)
    planted = truth["prosecution_model"]["by_country"]
    horizons = sorted(
        {
            int(d)
            for c in planted.values()
            for d in c["cumulative_incidence_by_days_since_report"]["prosecution"]
        }
    )
    table = cumulative_incidence(times, "days", "event", by="country", times=horizons)
    names = {"prosecuted": "prosecution", "closed": "closure_before_prosecution"}
    checked = 0
    for row in table.itertuples():
        true = planted[row.country]["cumulative_incidence_by_days_since_report"][names[row.cause]]
        assert row.ci_low <= true[str(int(row.time))] <= row.ci_high, row
        checked += 1
    assert checked == 2 * 2 * len(horizons) == 24
