"""Case status and the stage funnel, checked against hand-derived values and Newcombe (1998)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import write_case_file

from cape_study.attrition import case_status, funnel, proportion_ci
from cape_study.loaders import load_case_file


# Newcombe (1998), Statistics in Medicine 17:857-872, Table I: method 3 (Wilson score)
# and method 5 (Clopper-Pearson exact), to four decimals.
@pytest.mark.parametrize(
    ("s", "n", "wilson", "exact"),
    [
        (81, 263, (0.2553, 0.3662), (0.2527, 0.3676)),
        (15, 148, (0.0624, 0.1605), (0.0578, 0.1617)),
        (0, 20, (0.0, 0.1611), (0.0, 0.1684)),
        (1, 29, (0.0061, 0.1718), (0.0009, 0.1776)),
    ],
)
def test_intervals_match_newcombe_1998(s, n, wilson, exact) -> None:
    assert proportion_ci(s, n, 0.95, "wilson") == pytest.approx(wilson, abs=5e-5)
    assert proportion_ci(s, n, 0.95, "clopper_pearson") == pytest.approx(exact, abs=5e-5)


def test_interval_is_missing_without_trials_and_methods_are_named() -> None:
    low, high = proportion_ci(pd.Series([0, 3]), pd.Series([0, 10]))
    assert pd.isna(low[0]) and pd.isna(high[0]) and 0 < low[1] < 0.3 < high[1]
    with pytest.raises(ValueError, match="known: wilson"):
        proportion_ci(1, 2, method="wald")


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


def _tables(cf):
    return cf.cases, cf.events
