"""The case-level rules of :mod:`cape_study.stats.case_status` computed by whole-table
operations give what the rules give case by case (issue 22: at 100,000 cases the
per-case loops took most of 01_attrition's time).

The reference functions below are the rules written one case (one defendant) at a
time, as the module computed them before; they are compared with the module's on
random event tables (hypothesis) and on synthetic case files of several shapes.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cape_study.data.codebook import load_codebook
from cape_study.data.loaders import load_case_file
from cape_study.paths import project
from cape_study.stats import case_status
from cape_study.synth.generator import write_synthetic_case_file

BOOK = load_codebook()
STAGES = BOOK.codes("stage")
OUTCOMES = [*BOOK.codes("outcome"), None]
OFFENCES = [
    "manniskohandel",
    "manniskoexploatering",
    "ocker",
    "arbetsmiljobrott",
    "olaga_tvang",
    "ihmiskauppa",
    "kiskonta",
    None,
]


def _closure_dates_per_case(ev: pd.DataFrame) -> pd.Series:
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


def _reclassified_per_defendant(cases: pd.DataFrame, events: pd.DataFrame) -> set[str]:
    rank = {f: i for i, f in enumerate(BOOK.codes("offence_family"))}
    family_rank = {c.code: rank[c.family] for c in BOOK.scheme("offence").codes if c.family}
    stages = BOOK.scheme("stage").ranked_codes
    ev = events.assign(
        stage=events["stage"].astype("string"),
        offence=events["offence"].astype("string"),
        outcome=events["outcome"].astype("string"),
        suspect=events["suspect_id"].astype("string").fillna("(case)"),
        principal=~events["alternative"].astype("boolean").fillna(False).astype(bool),
    )
    ev["rank"] = ev["stage"].map({s: i for i, s in enumerate(stages)})
    ev["family_rank"] = ev["offence"].map(family_rank)
    charges = ev[(ev["stage"] == "prosecuted") & ev["offence"].notna()]
    judged_only = ev[
        (ev["stage"] == "judgment_first_instance")
        & ev["offence"].notna()
        & ~ev["case_id"].isin(charges["case_id"])
    ]
    if len(judged_only):
        charges = pd.concat([charges, judged_only]) if len(charges) else judged_only
    reported = cases.set_index("case_id")["offence_reported"].astype("string").map(family_rank)
    heaviest = charges.groupby("case_id")["family_rank"].min().combine_first(reported)
    named = charges.loc[charges["principal"], ["case_id", "suspect", "offence"]]
    principal = set(named.itertuples(index=False, name=None))
    final = case_status._final_rows(ev)
    convictions = final[final["outcome"].str.startswith("convicted")].assign(
        heaviest=lambda d: d["case_id"].map(heaviest)
    )
    found = set()
    for (case, suspect), rows in convictions.groupby(["case_id", "suspect"]):
        if (rows["family_rank"] == rows["heaviest"]).any():
            continue
        lower = rows[rows["family_rank"] > rows["heaviest"]]
        if any((case, suspect, o) not in principal for o in lower["offence"]):
            found.add(case)
    return found


def _with_strings(events: pd.DataFrame) -> pd.DataFrame:
    return events.assign(stage=events["stage"].astype("string"))


def _same(cases: pd.DataFrame, events: pd.DataFrame) -> None:
    ev = _with_strings(events)
    pd.testing.assert_series_equal(
        case_status._closure_dates(ev), _closure_dates_per_case(ev), check_names=True
    )
    assert case_status.reclassified(cases, events, BOOK) == _reclassified_per_defendant(
        cases, events
    )


@st.composite
def tables(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    n_cases = draw(st.integers(1, 6))
    case_ids = [f"C{i}" for i in range(n_cases)]
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(case_ids),
                st.sampled_from(["S1", "S2", "S3", None]),
                st.sampled_from(STAGES),
                st.sampled_from(OUTCOMES),
                st.sampled_from(OFFENCES),
                st.sampled_from([True, False, None]),
                st.integers(0, 40),
            ),
            max_size=40,
        )
    )
    events = pd.DataFrame(
        rows, columns=["case_id", "suspect_id", "stage", "outcome", "offence", "alternative", "day"]
    )
    events["date"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(events.pop("day"), unit="D")
    for column in ("case_id", "suspect_id", "stage", "outcome", "offence"):
        events[column] = events[column].astype("string")
    events["alternative"] = events["alternative"].astype("boolean")
    cases = pd.DataFrame(
        {
            "case_id": pd.array(case_ids, dtype="string"),
            "offence_reported": pd.array(
                [draw(st.sampled_from(OFFENCES)) for _ in case_ids], dtype="string"
            ),
        }
    )
    return cases, events


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(drawn=tables())
def test_closures_and_reclassification_as_the_rules_case_by_case(drawn) -> None:
    _same(*drawn)


@pytest.mark.parametrize("scenario", ["demo", "judgments-only", "all-closed", "no-suspects"])
def test_on_synthetic_case_files(tmp_path, scenario: str) -> None:
    folder = tmp_path / scenario
    if scenario == "demo":
        write_synthetic_case_file(folder, 1500, 7, share_fi=0.4)
    else:
        from cape_study.synth.scenarios import write_scenario

        write_scenario(scenario, folder)
    case = load_case_file(folder, data_cutoff="2024-12-31")
    _same(case.cases, case.events)
    assert len(case_status.reclassified(case.cases, case.events, BOOK)) or scenario != "demo"


def test_a_status_is_remembered_by_content_and_given_as_a_copy(monkeypatch) -> None:
    case = load_case_file(project().demo_case_file, data_cutoff="2024-12-31")
    derived: list[int] = []
    plain = case_status._case_status

    def counted(cases, events, book):
        derived.append(len(cases))
        return plain(cases, events, book)

    monkeypatch.setattr(case_status, "_case_status", counted)
    monkeypatch.setattr(case_status, "_REMEMBERED", case_status.OrderedDict())
    first = case_status.case_status(case.cases, case.events)
    first["closed"] = ~first["closed"]  # the caller's copy: not what is remembered
    again = case_status.case_status(case.cases.copy(), case.events.copy())
    assert len(derived) == 1
    pd.testing.assert_frame_equal(again, plain(case.cases, case.events, BOOK))
    again["closed"] = ~again["closed"]  # nor is a remembered status given out
    pd.testing.assert_frame_equal(
        case_status.case_status(case.cases, case.events), plain(case.cases, case.events, BOOK)
    )
    assert len(derived) == 1
    # a table changed in place is derived afresh, with the change
    events = case.events.copy()
    judged = events["outcome"].astype("string").str.startswith("convicted").fillna(False)
    events.loc[judged.to_numpy(bool), "outcome"] = "acquitted"
    changed = case_status.case_status(case.cases, events)
    assert len(derived) == 2
    assert changed["outcome"].eq("acquitted").sum() > again["outcome"].eq("acquitted").sum()
    pd.testing.assert_frame_equal(changed, plain(case.cases, events, BOOK))
    cases = case.cases.copy()
    cases.loc[cases.index[0], "country"] = "FI" if cases["country"].iat[0] == "SE" else "SE"
    case_status.case_status(cases, case.events)
    assert len(derived) == 3
