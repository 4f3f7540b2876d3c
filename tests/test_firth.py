"""firth: separation detection and Firth's penalised likelihood against R.

Reference data and the published numbers, with their sources, are in
tests/fixtures/models/README.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cape_study.stats import firth, separation

FIXTURES = Path(__file__).parent / "fixtures" / "models"
SEX2_TERMS = ["age", "oc", "vic", "vicl", "vis", "dia"]


@pytest.fixture(scope="module")
def sex2() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "sex2.csv")


@pytest.fixture(scope="module")
def endometrial() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "endometrial.csv")


# -- Firth's penalised likelihood against R's logistf -----------------------------------
def test_firth_matches_logistf_sex2_summary_with_90_percent_profile_intervals(sex2) -> None:
    # logistf(case ~ age + oc + vic + vicl + vis + dia, data = sex2, alpha = 0.1)
    published = pd.DataFrame(
        [
            ["(Intercept)", 0.12025405, 0.4763429, -0.6673577, 0.9177303, 0.06286298, 8.020268e-01],
            ["age", -1.10598131, 0.4149021, -1.8277045, -0.4328451, 7.50773092, 6.143472e-03],
            ["oc", -0.06881673, 0.4344026, -0.7986318, 0.6507581, 0.02467044, 8.751911e-01],
            ["vic", 2.26887464, 0.5384872, 1.4248338, 3.2325326, 22.93139022, 1.678877e-06],
            ["vicl", -2.11140817, 0.5320395, -3.0613215, -1.2704704, 19.10407252, 1.237805e-05],
            ["vis", -0.78831694, 0.4089620, -1.4743338, -0.1137542, 3.69740975, 5.449701e-02],
            ["dia", 3.09601166, 1.5052197, 1.0835108, 6.8752016, 7.89693139, 4.951873e-03],
        ],
        columns=["term", "estimate", "std_error", "ci_low", "ci_high", "statistic", "p_value"],
    )
    table = firth.firth_logit(sex2, "case", SEX2_TERMS, confidence=0.90)
    assert list(table["term"]) == list(published["term"])
    for column in ["estimate", "std_error", "ci_low", "ci_high", "statistic"]:
        np.testing.assert_allclose(table[column], published[column], atol=2e-6, err_msg=column)
    np.testing.assert_allclose(table["p_value"], published["p_value"], rtol=1e-5)
    assert set(table["interval"]) == {"profile penalised likelihood"}


def test_firth_model_tests_and_both_standard_errors_match_logistf_and_firthlogist(sex2) -> None:
    # logistf summary() of the same model: "Likelihood ratio test=49.09064 on 6 df,
    # p=7.15089e-09, n=239" (tests/fixtures/models/README.md). firthlogist's README
    # (jzluo/firthlogist): penalised log-likelihood -132.5394 and the classical standard
    # errors, from the inverse Fisher information at the estimate.
    result = firth.firth_fit(sex2, "case", SEX2_TERMS)
    assert result.lr_statistic == pytest.approx(49.09064, abs=5e-6)
    assert result.lr_p_value == pytest.approx(7.15089e-09, rel=1e-5)
    assert (result.df, result.n) == (6, 239)
    assert result.loglik == pytest.approx(-132.5394, abs=5e-5)
    assert result.null_loglik == pytest.approx(result.loglik - 49.09064 / 2, abs=5e-6)
    classical = {
        "age": 0.42366,
        "oc": 0.443793,
        "vic": 0.548416,
        "vicl": 0.543082,
        "vis": 0.417368,
        "dia": 1.67501,
        "(Intercept)": 0.485542,
    }
    table = result.table.set_index("term")
    for term, se in classical.items():
        assert table.at[term, "std_error_classical"] == pytest.approx(se, rel=5e-5), term
    # The augmented ones are logistf's se(coef), as in the summary test above.
    assert table.at["dia", "std_error"] == pytest.approx(1.5052197, abs=2e-6)
    assert firth.firth_logit(sex2, "case", SEX2_TERMS).equals(result.table)


def test_firth_matches_logistf_sex2_95_percent_profile_intervals(sex2) -> None:
    published = {
        "age": (-1.9737884, -0.30742514),
        "oc": (-0.9414363, 0.78920202),
        "vic": (1.2730216, 3.43543273),
        "vicl": (-3.2608611, -1.11773495),
        "vis": (-1.6080879, 0.01518468),
        "dia": (0.7745682, 8.03029352),
        "(Intercept)": (-0.8185591, 1.07315122),
    }
    table = firth.firth_logit(sex2, "case", SEX2_TERMS).set_index("term")
    for term, (low, high) in published.items():
        assert table.at[term, "ci_low"] == pytest.approx(low, abs=2e-6), term
        assert table.at[term, "ci_high"] == pytest.approx(high, abs=2e-6), term


def test_firth_matches_heinze_schemper_2002_on_the_endometrial_data(endometrial) -> None:
    logistf = {  # estimate, profile 95 % interval
        "(Intercept)": (3.77455951, 1.0825371, 7.20928050),
        "NV": (2.92927330, 0.6097244, 7.85463171),
        "PI": (-0.03475175, -0.1244587, 0.04045547),
        "EH": (-2.60416387, -4.3651832, -1.23272106),
    }
    table = firth.firth_logit(endometrial, "HG", ["NV", "PI", "EH"]).set_index("term")
    for term, expected in logistf.items():
        got = table.loc[term, ["estimate", "ci_low", "ci_high"]].to_numpy(float)
        np.testing.assert_allclose(got, expected, atol=2e-6, err_msg=term)
    # the paper's Table II, two decimals
    paper = {"NV": (2.93, 0.61, 7.85), "PI": (-0.03, -0.12, 0.04), "EH": (-2.60, -4.36, -1.23)}
    for term, expected in paper.items():
        got = table.loc[term, ["estimate", "ci_low", "ci_high"]].to_numpy(float)
        np.testing.assert_allclose(got, expected, atol=0.0061, err_msg=term)


def test_firth_matches_logistf_on_quasi_separated_simulated_data() -> None:
    data = pd.read_csv(FIXTURES / "quasi_separation.csv")
    table = firth.firth_logit(data, "y", ["separator", "x1", "x2", "x3"]).set_index("term")
    order = ["separator", "x1", "x2", "x3", "(Intercept)"]
    np.testing.assert_allclose(
        table.loc[order, "estimate"],
        [3.6577140153, 0.6759781501, -0.8633119501, 0.3385788510, -0.4434562830],
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        table.loc[order, "ci_low"],
        [1.3901042899, 0.1602568036, -1.6677883758, 0.0893054012, -1.16089382506],
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        table.loc[order, "ci_high"],
        [8.5876062114, 1.2568999211, -0.1135186948, 0.6572681313, 0.2295139209],
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        table.loc[order, "p_value"],
        [0.0002084147149, 0.0093173148959, 0.0236385713206, 0.0055887969164, 0.1997147194],
        rtol=1e-4,
    )


def test_a_profile_limit_whose_far_fit_fails_from_one_start_is_still_found() -> None:
    """The finland-only scenario's within-Finland model (03_models failed with brentq's
    'f(a) and f(b) must have different signs'): the profile of the rare term's lower limit
    converged from the last fit but not from the estimate, where Brent's method starts.
    Each limit must satisfy its definition: 2 (l*(b^) - max l*(b | b_j = limit)) equals the
    chi-square quantile."""
    from scipy import optimize, stats

    # (joint_inspection, interpreter_needed, torkea_ihmiskauppa, prosecuted): cases
    cells = {(0, 0, 0, 0): 6, (0, 0, 0, 1): 1, (0, 1, 0, 0): 16, (0, 1, 0, 1): 1}
    cells |= {(1, 0, 0, 1): 1, (1, 1, 0, 1): 1, (1, 1, 1, 1): 1}
    rows = [key for key, n in cells.items() for _ in range(n)]
    terms = ["joint_inspection", "interpreter_needed", "torkea_ihmiskauppa"]
    data = pd.DataFrame(rows, columns=[*terms, "prosecuted"])
    table = firth.firth_logit(data, "prosecuted", terms).set_index("term")
    x, y, names = firth.model_arrays(data, "prosecuted", terms, True)
    beta, loglik = firth._fit(x, y, np.zeros(len(names)), np.ones(len(names), bool))
    half = stats.chi2.ppf(0.95, 1) / 2
    for j, name in enumerate(names):
        for limit in table.loc[name, ["ci_low", "ci_high"]]:
            assert np.isfinite(limit), name

            def minus(theta: np.ndarray, j: int = j, limit: float = limit) -> float:
                return -firth._penalised_loglik(x, y, np.insert(theta, j, limit), True)

            # the profile at the limit by another optimiser (BFGS from the estimate)
            found = optimize.minimize(
                minus, np.delete(beta, j), method="BFGS", options={"gtol": 1e-10}
            )
            assert loglik + found.fun == pytest.approx(half, abs=1e-5), (name, limit)
    assert table.loc["torkea_ihmiskauppa", "ci_low"] < -5  # the rare term's wide interval


def test_firth_without_the_penalty_is_maximum_likelihood(sex2) -> None:
    # Cross-check of the Newton solver against statsmodels, on data without separation.
    import statsmodels.api as sm

    terms = ["age", "oc", "vic", "vicl", "vis"]
    x = sm.add_constant(sex2[terms].to_numpy(float))
    expected = sm.Logit(sex2["case"].to_numpy(float), x).fit(disp=False).params
    beta, _ = firth._fit(x, sex2["case"].to_numpy(float), np.zeros(6), np.ones(6, bool), False)
    np.testing.assert_allclose(beta, expected, atol=1e-8)


# -- separation against R's detectseparation ---------------------------------------------
def test_endometrial_is_quasi_completely_separated_by_nv(endometrial) -> None:
    found = firth.detect_separation(endometrial, "HG", ["NV", "PI", "EH"])
    assert found.kind == "quasi-complete"
    estimates = dict(found.table.itertuples(index=False))
    assert estimates == {"(Intercept)": "finite", "NV": "+inf", "PI": "finite", "EH": "finite"}
    assert found.terms == ["NV"]


def test_sex2_is_separated_by_dia_which_only_cases_have(sex2) -> None:
    assert (sex2.loc[sex2["dia"] == 1, "case"] == 1).all()  # the hand check
    found = firth.detect_separation(sex2, "case", SEX2_TERMS)
    assert found.kind == "quasi-complete" and found.terms == ["dia"]


def test_separation_types_of_the_detectseparation_tests() -> None:
    # inst/tinytest/test-detect-separation-ROI.R: the counterexample is completely
    # separated, the overlap example not at all.
    counter = pd.DataFrame({"y": [0, 1, 1, 1], "a": [-1, -1, -2, 2], "b": [2, -2, -2, 2]})
    assert firth.detect_separation(counter, "y", ["a", "b"]).kind == "complete"
    overlap = pd.DataFrame({"y": [0, 1, 0, 1], "a": [-1, 0, 1, 2]})
    found = firth.detect_separation(overlap, "y", ["a"])
    assert found.kind == "none" and not found.found and found.terms == []
    # one predictor that orders the outcome: slope +inf, intercept -inf
    line = pd.DataFrame({"y": [0, 0, 0, 1, 1, 1], "x": [1, 2, 3, 4, 5, 6]})
    found = firth.detect_separation(line, "y", ["x"])
    assert found.kind == "complete"
    assert dict(found.table.itertuples(index=False)) == {"(Intercept)": "-inf", "x": "+inf"}
    assert "x (+inf)" in found.describe()


def test_monotone_likelihood_names_the_term_that_orders_the_events() -> None:
    # Events only in group x = 1, each while the whole group is still at risk: at every
    # event the failing case has the largest x in its risk set (checked by hand), so
    # the partial likelihood rises for ever with the coefficient of x; z overlaps.
    data = pd.DataFrame(
        {
            "t": [1, 2, 3, 4, 5, 6, 7, 8],
            "e": [1, 1, 1, 0, 0, 0, 0, 0],
            "x": [1, 1, 1, 1, 0, 0, 0, 0],
            "z": [0.5, -1.0, 0.3, 0.1, 0.2, -0.4, 1.2, 0.0],
        }
    )
    assert firth.monotone_likelihood(data, "t", "e", ["x", "z"]) == {"x": "+inf"}
    assert firth.monotone_likelihood(data.assign(x=-data["x"]), "t", "e", ["x"]) == {"x": "-inf"}
    overlap = data.assign(x=[1, 0, 1, 1, 0, 0, 0, 0])  # the event at t = 2 has x = 0
    assert firth.monotone_likelihood(overlap, "t", "e", ["x", "z"]) == {}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_risk_differences_are_the_pairs_of_events_and_subjects_at_risk(seed: int) -> None:
    # The rows monotone_likelihood tests, computed over covariate patterns, against the
    # definition: x_i - x_j for every event i and every j with time_j >= time_i.
    rng = np.random.default_rng(seed)
    n = 300
    x = np.column_stack(
        [rng.integers(0, 2, n), rng.integers(0, 3, n), rng.normal(size=n).round(1)]
    ).astype(float)
    time = rng.integers(1, 40, n).astype(float)  # ties in time
    event = rng.random(n) < 0.3
    pairs = [x[i] - x[time >= time[i]] for i in np.flatnonzero(event)]
    expected = np.unique(np.vstack(pairs), axis=0)
    np.testing.assert_array_equal(separation._risk_differences(x, time, event), expected)
    none = separation._risk_differences(x, time, np.zeros(n, dtype=bool))
    assert none.shape == (0, 3)


def test_where_newton_does_not_converge_bfgs_finds_logistfs_estimates(
    endometrial, monkeypatch
) -> None:
    """Newton's steps can cycle near separation (a 1,000-case synthetic file stopped 03):
    the fit then searches by BFGS, which must land on logistf's published maximum."""
    newton = firth._fit

    def stalls(x, y, beta, free, firth=True, max_iter=200, max_step=5.0):
        if free.all() and not beta.any():  # the main fit from 0: Newton cycles, stops
            raise separation.ModelError("did not converge")
        return newton(x, y, beta, free, firth, max_iter, max_step)

    monkeypatch.setattr(firth, "_fit", stalls)
    table = firth.firth_logit(endometrial, "HG", ["NV", "PI", "EH"]).set_index("term")
    logistf = {"(Intercept)": 3.77455951, "NV": 2.92927330, "PI": -0.03475175, "EH": -2.60416387}
    for term, expected in logistf.items():
        np.testing.assert_allclose(table.loc[term, "estimate"], expected, atol=2e-5, err_msg=term)


def test_a_fit_neither_method_finds_is_a_cannot_estimate_not_a_crash(sex2, monkeypatch) -> None:
    from cape_study.errors import CannotEstimate
    from cape_study.present import limits
    from cape_study.stats import models

    def never(*args, **kwargs):
        raise separation.ModelError("did not converge")

    monkeypatch.setattr(firth, "_fit", never)
    monkeypatch.setattr(firth, "_fit_quasi_newton", lambda *a, **k: (a[2], -np.inf))
    with pytest.raises(CannotEstimate) as caught:
        models.logistic_regression(sex2, "case", SEX2_TERMS, method="firth")
    assert caught.value.reason == "no_convergence"
    assert "(239)" in limits.cannot_text(caught.value, "en", threshold=5)
