"""The log-rank and Gray's tests against R's published output (survival::survdiff,
cmprsk::cuminc) and lifelines as an independent implementation.

Reference data: tests/fixtures/survival/README.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines.statistics import multivariate_logrank_test

from cape_study.errors import CannotEstimate
from cape_study.present import limits, tables
from cape_study.stats.survival_tests import compare_groups, gray_test, logrank_test

FIXTURES = Path(__file__).parent / "fixtures" / "survival"


@pytest.fixture(scope="module")
def whas500() -> pd.DataFrame:
    data = pd.read_csv(FIXTURES / "whas500.csv")
    data["years"] = (data["LENFOL"] / 365.25).round(2)  # as in the R and SAS code
    return data


@pytest.fixture(scope="module")
def bmt() -> pd.DataFrame:
    data = pd.read_csv(FIXTURES / "bmt.csv")
    data["event"] = data["Status"].map({0: "censored", 1: "relapse", 2: "death"})
    return data


def test_logrank_matches_r_survdiff_on_whas500(whas500) -> None:
    # survdiff(Surv(LENFOLY, FSTAT) ~ AFB, data = dat): Chisq = 10.9 on 1 df, unrounded
    # p = 0.0009646027; stratified by gender (+ strata(GENDER)) p = 0.001506607
    # (CAMIS, R/survival.qmd).
    plain = logrank_test(whas500, "years", "FSTAT", "AFB").iloc[0]
    assert plain["df"] == 1 and round(plain["statistic"], 1) == 10.9
    assert plain["p_value"] == pytest.approx(0.0009646027, rel=1e-6)
    assert (plain["n"], plain["events"]) == (500, 215)
    stratified = logrank_test(whas500, "years", "FSTAT", "AFB", strata="GENDER").iloc[0]
    assert stratified["p_value"] == pytest.approx(0.001506607, rel=1e-6)


def test_logrank_matches_kleinbaum_and_klein_on_the_remission_data() -> None:
    # Freireich et al. (1963) remission data; Kleinbaum & Klein (2012), Survival
    # Analysis, 3rd ed., ch. 2: log-rank chi-square 16.79 (1 df) for 6-MP vs placebo.
    six_mp = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
    relapse = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    placebo = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]
    data = pd.DataFrame(
        {
            "weeks": six_mp + placebo,
            "relapse": relapse + [1] * 21,
            "group": ["6-MP"] * 21 + ["placebo"] * 21,
        }
    )
    result = logrank_test(data, "weeks", "relapse", "group").iloc[0]
    assert round(result["statistic"], 2) == 16.79


def test_logrank_equals_lifelines_for_three_groups() -> None:
    rng = np.random.default_rng(5)
    data = pd.DataFrame(
        {
            "days": rng.integers(1, 60, 90),  # many ties
            "ended": rng.random(90) < 0.7,
            "country": rng.choice(["SE", "FI", "NO"], 90),
        }
    )
    ours = logrank_test(data, "days", "ended", "country").iloc[0]
    theirs = multivariate_logrank_test(data["days"], data["country"], data["ended"])
    assert ours["df"] == 2
    assert ours["statistic"] == pytest.approx(theirs.test_statistic, rel=1e-10)
    assert ours["p_value"] == pytest.approx(theirs.p_value, rel=1e-8)


def test_gray_matches_r_cmprsk_on_the_bone_marrow_data(bmt) -> None:
    # tidycmprsk::cuminc(Surv(TYears, Status) ~ Group, data = bmt), glance(): Gray's
    # test for relapse 11.9228820 (2 df, p 0.0025762), for death 0.1374108 (2 df,
    # p 0.9336017) (CAMIS, R/survival_cif.qmd; cmprsk's cuminc underneath).
    table = gray_test(bmt, "T", "event", "Group").set_index("cause")
    assert table.loc["relapse", "statistic"] == pytest.approx(11.9228820, abs=5e-7)
    assert table.loc["relapse", "p_value"] == pytest.approx(0.0025762, abs=5e-8)
    assert table.loc["death", "statistic"] == pytest.approx(0.1374108, abs=5e-8)
    assert table.loc["death", "p_value"] == pytest.approx(0.9336017, abs=5e-8)
    assert set(table["df"]) == {2} and table.loc["relapse", "events"] == 42
    # Time in years (TYears = T / 365.25 in the R code) changes nothing: a rank test.
    years = bmt.assign(years=bmt["T"] / 365.25)
    again = gray_test(years, "years", "event", "Group", causes=["relapse"])
    assert again["statistic"].iloc[0] == pytest.approx(11.9228820, abs=5e-7)


def test_gray_without_competing_events_is_close_to_the_logrank_test(bmt) -> None:
    # With no competing event the subdistribution hazard is the hazard, and Gray's score
    # is the log-rank score (Gray 1988, section 2); the variances differ only in their
    # estimator, so the statistics agree closely but not exactly.
    single = bmt.assign(event=bmt["event"].replace("death", "censored"))
    gray = gray_test(single, "T", "event", "Group").iloc[0]
    logrank = logrank_test(single.assign(ended=single["event"] == "relapse"), "T", "ended", "Group")
    assert gray["statistic"] == pytest.approx(logrank["statistic"].iloc[0], rel=0.05)


def test_tests_refuse_a_missing_column(bmt) -> None:
    with pytest.raises(ValueError, match=r"no column\(s\) \['country'\]"):
        gray_test(bmt, "T", "event", "country")
    with pytest.raises(ValueError, match="negative durations"):
        logrank_test(bmt.assign(T=-bmt["T"]), "T", "Status", "Group")


def _countries(rng: np.random.Generator, n: int = 60) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "country": rng.choice(["SE", "FI"], n),
            "days": rng.integers(10, 900, n),
            "event": rng.choice(["prosecuted", "closed", "censored"], n, p=[0.3, 0.6, 0.1]),
        }
    )


def test_compare_groups_is_the_two_tests_of_prosecution_between_countries() -> None:
    times = _countries(np.random.default_rng(2))
    out = compare_groups(times)
    assert out["test"].tolist() == ["log-rank", "Gray"] and set(out["df"]) == {1}
    hit = times.assign(hit=times["event"] == "prosecuted")
    logrank = logrank_test(hit, "days", "hit", "country")
    gray = gray_test(times, "days", "event", "country", causes=["prosecuted"])
    assert out["statistic"].tolist() == [logrank["statistic"].iloc[0], gray["statistic"].iloc[0]]
    shown = tables.format_group_tests(out, lang="sv")
    assert shown.columns.tolist() == ["Test", "Chi-två", "Frihetsgrader", "p"]
    assert shown["Test"].iloc[1].startswith("Grays test")


def test_compare_groups_says_why_it_cannot_compare() -> None:
    times = _countries(np.random.default_rng(3))
    with pytest.raises(CannotEstimate) as one:
        compare_groups(times.assign(country="SE"))
    assert one.value.reason == "one_group"
    assert "ett land" in limits.cannot_text(one.value, "sv")
    with pytest.raises(CannotEstimate) as none:
        compare_groups(times.assign(event="closed"))
    assert limits.cannot_text(none.value, "sv").startswith("Inget ärende var åtalat")
    assert limits.cannot_text(none.value, "en").startswith("No case was prosecuted")
