"""Kaplan-Meier and Aalen-Johansen, checked against published values, a hand computation
from the formulas, and lifelines as an independent implementation."""

from __future__ import annotations

import warnings
from fractions import Fraction as Fr
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import AalenJohansenFitter, KaplanMeierFitter
from statsmodels.stats.proportion import proportion_confint

from cape_study.stats.survival import cumulative_incidence, kaplan_meier, median_survival

# Remission times in weeks of the 21 children given 6-mercaptopurine (Freireich et al.
# 1963, Blood 21:699-716); 0 = still in remission (censored).
SIX_MP = pd.DataFrame(
    {
        "weeks": [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35],
        "relapse": [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0],
    }
)
# The 21 placebo children, none censored.
PLACEBO = pd.DataFrame(
    {
        "weeks": [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23],
        "relapse": 1,
    }
)


def test_kaplan_meier_matches_klein_and_moeschberger_table_4_1a() -> None:
    # Klein & Moeschberger (2003), Survival Analysis, 2nd ed., Table 4.1A: the
    # product-limit estimate and Greenwood standard error for the 6-MP group.
    published = {
        6: (0.857, 0.076),
        7: (0.807, 0.087),
        10: (0.753, 0.096),
        13: (0.690, 0.107),
        16: (0.627, 0.114),
        22: (0.538, 0.128),
        23: (0.448, 0.135),
    }
    table = kaplan_meier(SIX_MP, "weeks", "relapse").set_index("time")
    for week, (survival, se) in published.items():
        assert table.loc[week, "survival"] == pytest.approx(survival, abs=5e-4)
        assert table.loc[week, "std_error"] == pytest.approx(se, abs=5e-4)
    assert table.loc[6, ["at_risk", "events", "censored"]].tolist() == [21, 3, 1]
    assert table["cumulative_events"].iloc[-1] == 9


def test_kaplan_meier_without_censoring_is_the_empirical_survival() -> None:
    # Placebo group (Kleinbaum & Klein 2012, ch. 2): S(t) = (number still in remission) / 21.
    table = kaplan_meier(PLACEBO, "weeks", "relapse").set_index("time")
    remaining = 21 - PLACEBO.groupby("weeks").size().cumsum()
    assert np.allclose(table["survival"], remaining / 21)
    assert table.loc[8, "survival"] == pytest.approx(0.381, abs=5e-4)
    assert table.loc[23, "survival"] == 0 and pd.isna(table.loc[23, "ci_high"])


def test_kaplan_meier_log_log_interval_matches_lifelines() -> None:
    ours = kaplan_meier(SIX_MP, "weeks", "relapse", confidence=0.9).set_index("time")
    fitted = KaplanMeierFitter(alpha=0.1).fit(SIX_MP["weeks"], SIX_MP["relapse"])
    ci = fitted.confidence_interval_.loc[ours.index]
    assert np.allclose(ours["survival"], fitted.survival_function_.loc[ours.index].iloc[:, 0])
    assert np.allclose(ours["ci_low"], ci.iloc[:, 0])
    assert np.allclose(ours["ci_high"], ci.iloc[:, 1])


def test_before_any_event_the_interval_is_the_exact_binomial_one() -> None:
    table = kaplan_meier(SIX_MP, "weeks", "relapse", times=[0, 5, 6, 8, 40]).set_index("time")
    low, _ = proportion_confint(21, 21, alpha=0.05, method="beta")
    assert table.loc[5, ["survival", "ci_low", "ci_high"]].tolist() == pytest.approx([1, low, 1])
    # Counts at a time: still observed (>= t), events at t, events up to t.
    assert table.loc[6, ["at_risk", "events", "cumulative_events"]].tolist() == [21, 3, 3]
    assert table.loc[8, ["at_risk", "events", "cumulative_events", "survival"]].tolist() == [
        16,
        0,
        4,
        pytest.approx(0.8067, abs=1e-4),
    ]
    assert table.loc[40, ["at_risk", "cumulative_events"]].tolist() == [0, 9]


# A hand-worked competing-risks example with a tie between causes at t = 2:
# t:     1  2  2  3  4  5
# cause: a  b  a  -  a  b   (- censored)
TINY = pd.DataFrame({"t": [1, 2, 2, 3, 4, 5], "cause": ["a", "b", "a", "censored", "a", "b"]})


def test_aalen_johansen_matches_the_formula_by_hand() -> None:
    table = cumulative_incidence(TINY, "t", "cause").set_index(["cause", "time"])
    # F_k(t) = sum S(t_j-) d_kj / n_j, S the all-cause Kaplan-Meier:
    # S(1) = 5/6, S(2) = 1/2, S(4) = 1/4, S(5) = 0.
    expected = {
        ("a", 1): Fr(1, 6),
        ("a", 2): Fr(1, 6) + Fr(5, 6) * Fr(1, 5),
        ("a", 4): Fr(1, 3) + Fr(1, 2) * Fr(1, 2),
        ("b", 2): Fr(5, 6) * Fr(1, 5),
        ("b", 5): Fr(1, 6) + Fr(1, 4),
    }
    for key, value in expected.items():
        assert table.loc[key, "cif"] == pytest.approx(float(value))
    # Everyone ends in one of the two causes: F_a + F_b = 1 - S = 1 at the end.
    assert table.loc[("a", 5), "cif"] + table.loc[("b", 5), "cif"] == pytest.approx(1)
    # Collett's variance at t = 2 for cause a, term by term:
    # [F(2)-F(1)]^2 d1/(n1(n1-d1)) + S(0)^2 d_a1(n1-d_a1)/n1^3 + S(1)^2 d_a2(n2-d_a2)/n2^3
    # - 2 [F(2)-F(1)] S(0) d_a1/n1^2 = 1/1080 + 5/216 + 1/45 - 1/108 = 1/27.
    assert table.loc[("a", 2), "std_error"] ** 2 == pytest.approx(1 / 27)
    # Where nobody is left (n = d at t = 5) the variance stays finite.
    assert np.isfinite(table.loc[("b", 5), "std_error"])


def test_aalen_johansen_matches_lifelines_without_ties() -> None:
    rng = np.random.default_rng(7)
    data = pd.DataFrame(
        {
            "t": rng.exponential(10, 80).round(4),
            "cause": rng.choice([0, 1, 2], 80, p=[0.3, 0.4, 0.3]),
            "group": "all",
        }
    )
    ours = cumulative_incidence(data, "t", "cause", censored=0, by="group", confidence=0.9)
    for cause in (1, 2):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no tied times: lifelines must not jitter
            fitted = AalenJohansenFitter(alpha=0.1).fit(data["t"], data["cause"], cause)
        mine = ours[ours["cause"] == cause].set_index("time")
        theirs = fitted.cumulative_density_.iloc[:, 0].loc[mine.index]
        variance = pd.Series(fitted.variance_.to_numpy(), index=fitted.cumulative_density_.index)
        # lifelines labels its two bounds the wrong way round; take them as low/high.
        bounds = np.sort(fitted.confidence_interval_.loc[mine.index].to_numpy(), axis=1)
        shown = mine["cif"] > 0
        assert np.allclose(mine["cif"], theirs)
        # At the last time nobody is left (n = d); lifelines gives no variance there.
        last = mine.index[-1]
        assert np.allclose(mine["std_error"].drop(last) ** 2, variance.loc[mine.index].drop(last))
        assert np.isnan(variance.loc[last]) and np.isfinite(mine.loc[last, "std_error"])
        shown = shown.to_numpy() & np.isfinite(bounds[:, 0])
        assert np.allclose(mine.loc[shown, "ci_low"], bounds[shown, 0])
        assert np.allclose(mine.loc[shown, "ci_high"], bounds[shown, 1])


def test_cumulative_incidence_before_the_first_event_of_a_cause() -> None:
    table = cumulative_incidence(TINY, "t", "cause", times=[0.5, 1, 4.5]).set_index(
        ["cause", "time"]
    )
    # b has not happened by t = 1; all 6 subjects' states are known there.
    _, high = proportion_confint(0, 6, alpha=0.05, method="beta")
    assert table.loc[("b", 1), ["cif", "ci_low", "ci_high"]].tolist() == pytest.approx([0, 0, high])
    assert table.loc[("a", 0.5), ["cif", "at_risk", "cumulative_events"]].tolist() == [0, 6, 0]
    # At 4.5: a happened 3 times; one subject (censored at 3) is not known.
    assert table.loc[("a", 4.5), ["at_risk", "cumulative_events"]].tolist() == [1, 3]
    assert table.loc[("a", 4.5), "cif"] == pytest.approx(7 / 12)


def test_causes_can_be_ordered_and_a_cause_nobody_had_is_zero() -> None:
    table = cumulative_incidence(TINY, "t", "cause", causes=["b", "a"])
    assert list(dict.fromkeys(table["cause"])) == ["b", "a"]
    # Estimating one cause alone still lets the other compete.
    only_b = cumulative_incidence(TINY, "t", "cause", causes=["b"]).set_index("time")
    assert only_b.loc[5, "cif"] == pytest.approx(5 / 12)
    # A cause no subject had (no case closed yet) is zero and changes no other curve.
    both = cumulative_incidence(TINY, "t", "cause", causes=["a", "c"])
    absent = both[both["cause"] == "c"]
    assert (absent["cif"] == 0).all() and (absent["cumulative_events"] == 0).all()
    pd.testing.assert_frame_equal(
        both[both["cause"] == "a"].reset_index(drop=True),
        cumulative_incidence(TINY, "t", "cause", causes=["a"]),
    )


def test_no_event_bound_counts_the_states_known_at_the_time() -> None:
    data = pd.DataFrame({"t": [1, 2, 3, 10, 10, 10], "cause": ["censored"] * 3 + ["a"] * 3})
    table = cumulative_incidence(data, "t", "cause", times=[0.5, 5]).set_index("time")
    # At 5, three subjects were censored before: 3 states known, none with the event.
    for time, known in ((0.5, 6), (5, 3)):
        _, high = proportion_confint(0, known, alpha=0.05, method="beta")
        assert table.loc[time, ["cif", "ci_low", "ci_high"]].tolist() == pytest.approx([0, 0, high])
    km = kaplan_meier(data.assign(e=data["cause"] == "a"), "t", "e", times=[5])
    low, _ = proportion_confint(3, 3, alpha=0.05, method="beta")
    assert km.iloc[0][["survival", "ci_low", "ci_high"]].tolist() == pytest.approx([1, low, 1])


def test_groups_are_estimated_separately_and_bad_input_is_named() -> None:
    both = pd.concat([SIX_MP.assign(arm="6-MP"), PLACEBO.assign(arm="placebo")])
    table = kaplan_meier(both, "weeks", "relapse", by="arm", times=[10])
    assert table["arm"].tolist() == ["6-MP", "placebo"]
    assert table["survival"].round(3).tolist() == [0.753, 0.381]
    with pytest.raises(ValueError, match="negative durations"):
        kaplan_meier(SIX_MP.assign(weeks=-1), "weeks", "relapse")
    with pytest.raises(ValueError, match="no event other than 'censored'"):
        cumulative_incidence(TINY.assign(cause="censored"), "t", "cause")


# -- median survival and the curve beyond the last observation --------------------------
WHAS500 = Path(__file__).parent / "fixtures" / "survival" / "whas500.csv"


def test_median_and_quartiles_match_r_quantile_survfit_on_whas500() -> None:
    # quantile(survfit(Surv(LENFOLY, FSTAT) ~ AFB, data = dat), probs = c(.25, .5, .75))
    # with R's default log band (CAMIS, R/survival.qmd; data: tests/fixtures/survival).
    data = pd.read_csv(WHAS500)
    data["years"] = (data["LENFOL"] / 365.25).round(2)
    published = {  # (AFB, probability): (time, lower, upper)
        (1, 0.25): (0.26, 0.05, 1.11),
        (0, 0.25): (0.94, 0.55, 1.47),
        (1, 0.5): (2.37, 1.27, 4.24),
        (0, 0.5): (5.91, 4.32, np.nan),
        (1, 0.75): (6.43, 4.24, np.nan),
        (0, 0.75): (6.44, 6.44, np.nan),
    }
    for q in (0.25, 0.5, 0.75):
        table = median_survival(data, "years", "FSTAT", by="AFB", transform="log", probability=q)
        for row in table.itertuples():
            expected = published[row.AFB, q]
            np.testing.assert_allclose(
                [row.time, row.ci_low, row.ci_high], expected, atol=1e-9, err_msg=str((row.AFB, q))
            )


def test_median_with_log_log_band_equals_lifelines() -> None:
    from lifelines.utils import median_survival_times

    data = pd.concat([SIX_MP.assign(group="6-MP"), PLACEBO.assign(group="placebo")])
    table = median_survival(data, "weeks", "relapse", by="group").set_index("group")
    for name, part in data.groupby("group"):
        fitter = KaplanMeierFitter().fit(part["weeks"], part["relapse"])
        interval = median_survival_times(fitter.confidence_interval_).iloc[0].to_numpy(float)
        interval[np.isinf(interval)] = np.nan  # lifelines: inf where R says NA
        assert table.loc[name, "time"] == fitter.median_survival_time_
        np.testing.assert_allclose(table.loc[name, ["ci_low", "ci_high"]].to_numpy(float), interval)
    # Klein & Moeschberger (2003), section 4.5: median remission 23 weeks on 6-MP.
    assert table.loc["6-MP", "time"] == 23 and table.loc["placebo", "time"] == 8


def test_median_on_a_flat_half_is_the_midpoint_and_beyond_the_data_is_missing() -> None:
    # CAMIS, "R vs SAS - Kaplan Meier and Cox-proportion hazards modelling"
    # (Comp/r-sas_survival.qmd): five events then five censored. The curve is exactly
    # 0.5 from day 87 to the last observation (118): R's median (87 + 118) / 2 = 102.5;
    # the survival at 118 is 0.5 (0.184, 0.753) (log-log); at 120, after the last
    # observation, SAS says "not evaluable" and R carries 0.5 forward only with extend.
    data = pd.DataFrame(
        {
            "time": [54, 75, 77, 84, 87, 92, 103, 105, 112, 118],
            "status": [1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
        }
    )
    assert median_survival(data, "time", "status")["time"].iloc[0] == 102.5
    at = kaplan_meier(data, "time", "status", times=[118, 120]).set_index("time")
    assert at.loc[118, "survival"] == 0.5
    assert round(at.loc[118, "ci_low"], 3) == 0.184 and round(at.loc[118, "ci_high"], 3) == 0.753
    assert at.loc[120, "at_risk"] == 0
    assert at.loc[120, ["survival", "ci_low", "ci_high"]].isna().all()
    # The same data with the last observation an event: everyone's fate is known, and
    # both R and SAS give survival 0 at day 120.
    ended = data.assign(status=[1, 1, 1, 1, 1, 0, 0, 0, 0, 1])
    assert kaplan_meier(ended, "time", "status", times=[120])["survival"].iloc[0] == 0
    # No event at all: not survival 1.0 with nobody at risk.
    none = kaplan_meier(data.assign(status=0), "time", "status", times=[200])
    assert none["survival"].isna().all() and none["at_risk"].iloc[0] == 0
    cif = cumulative_incidence(
        data.assign(cause=np.where(data["status"] == 1, "prosecuted", "censored")),
        "time",
        "cause",
        times=[118, 120],
    )
    assert cif["cif"].iloc[0] == pytest.approx(0.5) and pd.isna(cif["cif"].iloc[1])


def test_median_refuses_unknown_transform() -> None:
    with pytest.raises(ValueError, match="known: log-log, log"):
        median_survival(SIX_MP, "weeks", "relapse", transform="plain")
