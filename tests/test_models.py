"""models: the case-level design, logistic and Cox regression, and the planted effects.

Reference data and the published numbers, with their sources, are in
tests/fixtures/models/README.md.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from cape_study import synth
from cape_study.data.codebook import load_codebook
from cape_study.data.loaders import load_case_file
from cape_study.data.schema import Source, parse_table
from cape_study.paths import project
from cape_study.stats import models

FIXTURES = Path(__file__).parent / "fixtures" / "models"
SEX2_TERMS = ["age", "oc", "vic", "vicl", "vis", "dia"]
PLANTED = ["country", "joint_inspection", "victim_counsel", "victim_left_country"]
PLANTED += ["torkea_ihmiskauppa"]
EFFECTS = ["joint_inspection", "victim_counsel", "victim_left_country"]


@pytest.fixture(scope="module")
def sex2() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "sex2.csv")


# -- logistic_regression -----------------------------------------------------------------
def test_logistic_regression_switches_to_firth_and_says_why(sex2) -> None:
    result = models.logistic_regression(sex2, "case", SEX2_TERMS, confidence=0.9)
    assert result.method == "Firth penalised likelihood"
    assert result.interval == "profile penalised likelihood"
    assert result.separation.terms == ["dia"]
    row = result.table.set_index("term").loc["age"]
    assert row["odds_ratio"] == pytest.approx(math.exp(-1.10598131), rel=1e-6)
    assert row["ci_low"] == pytest.approx(math.exp(-1.8277045), rel=1e-5)
    assert "dia (+inf)" in result.separation.describe()
    assert (result.n, result.events, result.non_events) == (239, 130, 109)
    # 109 non-events for 6 coefficients: EPV 18.2, above the rule of 10, no warning
    assert result.epv == pytest.approx(109 / 6)
    assert not any("events per variable" in w for w in result.warnings)
    assert not result.few_events
    strict = models.logistic_regression(sex2, "case", SEX2_TERMS, epv_threshold=20)
    assert any("Too few events per variable: 18.2" in w for w in strict.warnings)
    assert strict.few_events
    # Below the disclosure threshold the warning names no figure that reveals the count.
    hidden = models.logistic_regression(
        sex2, "case", SEX2_TERMS, epv_threshold=20, min_cell_count=200
    )
    assert hidden.epv == pytest.approx(109 / 6)
    assert any("Too few events per variable: fewer than 33.3" in w for w in hidden.warnings)
    assert not any("18.2" in w for w in hidden.warnings)
    with pytest.raises(models.ModelError, match="dia"):
        models.logistic_regression(sex2, "case", SEX2_TERMS, method="ml")


def test_logistic_regression_uses_statsmodels_without_separation(sex2) -> None:
    import statsmodels.api as sm

    terms = ["age", "oc", "vic", "vicl", "vis"]
    result = models.logistic_regression(sex2, "case", terms)
    assert result.method == "maximum likelihood" and result.interval == "Wald"
    fit = sm.Logit(sex2["case"], sm.add_constant(sex2[terms])).fit(disp=False)
    np.testing.assert_allclose(result.table["estimate"], fit.params, rtol=1e-8)
    np.testing.assert_allclose(result.table["ci_high"], np.exp(fit.conf_int()[1]), rtol=1e-8)


def test_incomplete_cases_and_constant_terms_are_left_out_with_a_note(sex2) -> None:
    data = sex2.assign(constant=1.0, age=sex2["age"].astype(float))
    data.loc[:4, "age"] = np.nan
    result = models.logistic_regression(data, "case", [*SEX2_TERMS, "constant"])
    assert result.excluded == 5 and result.n == 234
    assert "constant" not in result.terms
    assert any("'constant'" in w for w in result.warnings)


# -- Cox regression ----------------------------------------------------------------------
def test_cox_matches_r_coxph_on_the_rossi_data() -> None:
    from lifelines.datasets import load_rossi

    rossi = load_rossi()
    terms = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
    result = models.cox_regression(rossi, "week", "arrest", terms)
    # R's coxph, with race and marriage coded the other way round (sign flipped)
    r_coef = [-0.37942, -0.05744, 0.31390, -0.14980, -0.43370, -0.08487, 0.09150]
    r_se = [0.19138, 0.02200, 0.30799, 0.21222, 0.38187, 0.19576, 0.02865]
    r_p = [0.04742, 0.00903, 0.30812, 0.48029, 0.25606, 0.66461, 0.00140]
    table = result.table.set_index("term").loc[terms]
    np.testing.assert_allclose(table["estimate"], r_coef, atol=6e-6)
    np.testing.assert_allclose(table["std_error"], r_se, atol=6e-6)
    np.testing.assert_allclose(table["p_value"], r_p, atol=6e-6)
    assert (result.n, result.events) == (432, 114)
    assert result.epv == pytest.approx(114 / 7) and result.infinite_terms == []
    assert not result.few_events  # 16.3 events per coefficient, above the rule of 10
    strict = models.cox_regression(rossi, "week", "arrest", terms, epv_threshold=20)
    assert strict.few_events and any("events per variable" in w for w in strict.warnings)
    assert set(table["interval"]) == {"Wald"}
    # R's summary: likelihood ratio 33.27, Wald 32.11, score (logrank) 33.53 on 7 df
    # (tests/fixtures/survival/README.md).
    assert result.tests["statistic"].round(2).tolist() == [33.27, 32.11, 33.53]
    assert set(result.tests["df"]) == {7}


def test_cox_leaves_out_a_term_with_monotone_likelihood() -> None:
    # Every event happens in group x = 1 while the whole group is still at risk, so
    # the partial likelihood rises for ever with the coefficient of x (by hand: at
    # each event the failing case has the largest x in its risk set).
    rng = np.random.default_rng(3)
    n = 40
    x = np.r_[np.ones(10), np.zeros(30)]
    z = rng.normal(size=n)
    time = np.r_[np.arange(1, 11), rng.uniform(20, 40, 30)]
    event = np.r_[np.ones(10), np.zeros(30)]
    data = pd.DataFrame({"t": time, "e": event, "x": x, "z": z})
    result = models.cox_regression(data, "t", "e", ["x", "z"])
    assert result.infinite_terms == ["x"] and result.terms == ["z"]
    assert any("x (+inf)" in w for w in result.warnings)
    assert result.epv == pytest.approx(10.0)  # 10 events for the one term left


# -- the case-level design ---------------------------------------------------------------
def _typed(sim: synth.SyntheticCaseFile) -> dict[str, pd.DataFrame]:
    book = load_codebook()
    return {
        name: parse_table(sim.tables[name], book.table(name), Source(name))[0]
        for name in ("cases", "events", "victims")
    }


@pytest.fixture(scope="module")
def simulated():
    sim = synth.simulate(4000, 11, coded_cases=0)
    tables = _typed(sim)
    design = models.design_matrix(
        tables["cases"], tables["events"], tables["victims"], "2024-12-31", predictors=PLANTED
    )
    return sim, design


def test_design_rebuilds_the_planted_linear_predictor(simulated) -> None:
    sim, design = simulated
    truth = sim.truth["prosecution_model"]["coefficients"]
    latent = sim.latent.set_index("case_id").loc[design["case_id"]]
    eta = np.where(design["country[FI]"] == 1, truth["intercept_FI"], truth["intercept_SE"]) + sum(
        truth[term] * design[term] for term in [*EFFECTS, "torkea_ihmiskauppa"]
    )
    np.testing.assert_allclose(eta, latent["eta"], atol=1e-9)
    # the population is the cases with a suspect; an open case has no outcome yet
    assert len(design) == int((sim.tables["cases"]["n_suspects"].astype(int) >= 1).sum())
    assert design.loc[design["event"] == "censored", "prosecuted"].isna().all()
    ended = design.dropna(subset=["prosecuted"])
    assert (ended["prosecuted"] == latent.loc[ended["case_id"], "prosecuted"].to_numpy()).all()
    assert (design["prosecution"] == (design["event"] == "prosecuted")).all()
    assert models.model_terms(design) == [
        "country[FI]",
        "joint_inspection",
        "victim_counsel",
        "victim_left_country",
        "torkea_ihmiskauppa",
    ]


def test_a_large_synthetic_sample_recovers_the_planted_effects(simulated) -> None:
    sim, design = simulated
    truth = sim.truth["prosecution_model"]["coefficients"]
    result = models.logistic_regression(
        design, "prosecuted", models.model_terms(design), method="firth"
    )
    table = result.table.set_index("term")
    for term in [*EFFECTS, "torkea_ihmiskauppa"]:
        low, high = np.log(table.loc[term, ["ci_low", "ci_high"]].to_numpy(float))
        assert low < truth[term] < high, (term, low, high, truth[term])
        assert high - low < 1.0 or term == "torkea_ihmiskauppa"
    # Finland against Sweden: the difference of the planted intercepts
    low, high = np.log(table.loc["country[FI]", ["ci_low", "ci_high"]].to_numpy(float))
    assert low < truth["intercept_FI"] - truth["intercept_SE"] < high


def test_unknown_predictors_are_named() -> None:
    with pytest.raises(ValueError, match="known predictors: country"):
        models.design_matrix(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), "2024-12-31", ["nope"])


# -- the demo case file ------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo():
    folder = project().demo_case_file
    case = load_case_file(folder, data_cutoff="2024-12-31", read_documents=False)
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return case, truth


def test_demo_model_flags_the_separating_offence_and_recovers_the_planted_effects(demo) -> None:
    case, truth = demo
    design = models.design_matrix(
        case.cases, case.events, case.victims, case.data_cutoff, predictors=PLANTED
    )
    result = models.logistic_regression(design, "prosecuted", models.model_terms(design))
    separating = truth["prosecution_model"]["separating_predictor"]["covariate"]
    assert result.separation.found and separating in result.separation.terms
    assert result.method == "Firth penalised likelihood"
    coefficients = truth["prosecution_model"]["coefficients"]
    table = result.table.set_index("term")
    for term in EFFECTS:
        low, high = np.log(table.loc[term, ["ci_low", "ci_high"]].to_numpy(float))
        assert low < coefficients[term] < high, (term, low, high)
    # about 17 prosecuted cases for 5 coefficients: the warning must be there
    assert result.epv < models.EPV_THRESHOLD
    assert any("Too few events per variable" in w for w in result.warnings)


def test_demo_default_model_counts_labels_and_cox(demo) -> None:
    case, _ = demo
    pooled, _ = models.split_predictors(models.DEFAULT_PREDICTORS, ["SE", "FI"])
    design = models.design_matrix(
        case.cases,
        case.events,
        case.victims,
        case.data_cutoff,
        predictors=[*pooled, *models.PROCESS_PREDICTORS],
    )
    terms = models.model_terms(design)
    counts = models.term_counts(design, "prosecuted", terms)
    complete = design.dropna(subset=["prosecuted", *terms])
    assert (counts.groupby("term")["cases"].sum() == len(complete)).all()
    assert len(counts) == 4 * len(terms)
    labels = models.term_labels(terms, "sv")
    assert labels["victim_counsel"] == "Något offer: hade målsägandebiträde"
    assert labels["joint_inspection"].startswith("Upptäcktskanal: ")
    assert models.term_labels(["sector[cleaning]"])["sector[cleaning]"] == (
        "Sector: Cleaning (vs Agriculture and forestry)"
    )
    assert labels["country[FI]"] == "Land: Finland (jfr Sverige)"
    cox = models.cox_regression(design, "days", "prosecution", terms)
    assert cox.events == int(design.dropna(subset=terms)["prosecution"].sum())
    assert cox.n == len(design.dropna(subset=terms))  # open cases are censored, not dropped
    assert set(cox.table["term"]) | set(cox.infinite_terms) == set(terms)
    assert any("Too few events per variable" in w for w in cox.warnings)
    assert cox.table["ph_p_value"].between(0, 1).all()


def test_firth_estimates_have_the_planted_sign_where_the_data_separate() -> None:
    # A rare binary predictor with a huge planted effect: every exposed case is an
    # event, so ML diverges; Firth gives a finite, positive estimate whose profile
    # interval excludes zero and whose fitted probability for the exposed is high.
    rng = np.random.default_rng(5)
    n = 300
    rare = (rng.uniform(size=n) < 0.03).astype(float)
    other = rng.normal(size=n)
    y = (rng.uniform(size=n) < expit(-1 + 0.5 * other + 8 * rare)).astype(float)
    y[rare == 1] = 1
    data = pd.DataFrame({"y": y, "rare": rare, "other": other})
    result = models.logistic_regression(data, "y", ["rare", "other"])
    row = result.table.set_index("term").loc["rare"]
    assert result.separation.terms == ["rare"] and result.separation.kind == "quasi-complete"
    assert math.isfinite(row["estimate"]) and row["ci_low"] > 1


def test_the_parameter_set_names_exactly_the_registered_predictors() -> None:
    from typing import get_args

    from cape_study.runner.params import ModelsParameters, Predictor

    assert list(get_args(Predictor)) == list(models.PREDICTORS)
    defaults = ModelsParameters().model_dump(mode="json")
    assert defaults["predictors"] == list(models.DEFAULT_PREDICTORS)
    assert defaults["min_events_per_variable"] == models.EPV_THRESHOLD


# -- report helpers (tables, plots) ------------------------------------------------------
def test_model_tables_and_forest_plot_read_well_and_hide_suppressed_cells(demo) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from cape_study.present import plots, tables
    from cape_study.privacy import disclosure

    case, _ = demo
    design = models.design_matrix(case.cases, case.events, case.victims, case.data_cutoff)
    terms = models.model_terms(design)
    labels = models.term_labels(terms, "sv")
    fit = models.logistic_regression(design, "prosecuted", terms)
    cox = models.cox_regression(design, "days", "prosecution", terms)

    ratios = tables.format_ratios(fit.table, labels=labels, lang="sv")
    assert list(ratios.columns) == [
        "Prediktor",
        "Oddskvot (95% KI, profil av penaliserad likelihood)",
        "p",
    ]
    assert len(ratios) == len(terms)  # no intercept
    assert "Proportionella hazarder, p" in tables.format_ratios(cox.table, labels=labels, lang="sv")

    counts = models.term_counts(design, "prosecuted", ["joint_inspection"])
    safe = disclosure.suppress(
        counts, "cases", threshold=5, name="test counts", keys=["value", "outcome"]
    )
    shown = tables.format_term_counts(safe, labels=labels, lang="sv")
    hidden = safe["cases"].isna().tolist()
    assert any(hidden)  # the demo has one prosecuted joint-inspection case
    assert (shown[["Åtalade", "Avslutade utan åtal"]] == tables.SUPPRESSED).any().any()

    population = models.population_counts(design, terms)
    assert population.groupby("country")["cases"].sum()["all"] == len(design)
    safe_population = disclosure.suppress(
        population, "cases", threshold=5, name="test population", keys=["country", "end"]
    )
    shown = tables.format_population(safe_population, lang="en")
    assert list(shown.columns) == ["Country", "Finland", "Sweden", "All"]
    text = tables.models_takeaway(safe_population, fit, cox, labels=labels)
    # Under 10 events per coefficient the takeaway is descriptive, the model exploratory.
    assert text.startswith("**Takeaway:**") and "exploratory" in text
    assert "Firth" not in text and "Odds" not in text

    ax = plots.forest_plot(fit.table, labels=labels, flagged=fit.separation.terms, lang="sv")
    assert [t.get_text() for t in ax.get_yticklabels()][-1].startswith("Anmält brott")
    assert ax.get_xscale() == "log" and "Oddskvot" in ax.get_xlabel()
    assert len(ax.get_legend().get_texts()) == 1  # the separated term is explained, once
    ax = plots.forest_plot(cox.table, labels=labels)
    assert "Hazard ratio" in ax.get_xlabel() and ax.get_legend() is None


def test_default_predictors_are_known_at_the_report_and_one_countrys_offence_is_kept_apart() -> (
    None
):
    """The default predictors are known at or near the report; the pooled model leaves
    out a predictor of one country's law (it would separate the outcome by design) and
    a model within that country takes it; process variables are not in the default."""
    assert all(models.PREDICTORS[n].timing == "report" for n in models.DEFAULT_PREDICTORS)
    assert set(models.PROCESS_PREDICTORS) == {
        "victim_counsel",
        "victim_left_country",
        "victim_statement",
    }
    pooled, within = models.split_predictors(models.DEFAULT_PREDICTORS, ["SE", "FI"])
    assert "torkea_ihmiskauppa" not in pooled and "country" in pooled
    assert within == {"FI": ["joint_inspection", "interpreter_needed", "torkea_ihmiskauppa"]}
    assert models.split_predictors(["country", "joint_inspection"], ["SE", "FI"])[1] == {}
    assert models.split_predictors(models.DEFAULT_PREDICTORS, ["SE"])[1] == {}


def test_a_within_country_design_has_that_countrys_cases_only(demo) -> None:
    case, _ = demo
    args = (case.cases, case.events, case.victims, case.data_cutoff)
    local = models.design_matrix(
        *args, predictors=["joint_inspection", "torkea_ihmiskauppa"], country="FI"
    )
    pooled = models.design_matrix(*args, predictors=["joint_inspection"])
    assert set(local["country"]) == {"FI"}
    assert len(local) == int((pooled["country"] == "FI").sum())


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_below_the_events_per_variable_rule_the_takeaway_is_descriptive(lang: str) -> None:
    from types import SimpleNamespace

    from cape_study.present import tables

    population = pd.DataFrame(
        {"country": "all", "end": ["prosecuted", "closed"], "cases": [16, 320]}
    )
    fit = SimpleNamespace(few_events=True, epv=5.3)
    text = tables.models_takeaway(population, fit, None, labels={}, lang=lang)
    assert "16" in text and "320" in text
    assert ("exploratory" if lang == "en" else "explorativa") in text
    assert "Odds ratio" not in text and "(95%" not in text
    hidden = population.assign(cases=[None, 320])
    text = tables.exploratory_takeaway(hidden, 5.3, lang=lang)
    assert "5.3" not in text and "5,3" not in text  # the EPV would give the events back


def test_a_cox_model_whose_terms_cannot_be_told_apart_cannot_be_estimated() -> None:
    from cape_study.errors import CannotEstimate

    rng = np.random.default_rng(3)
    x = (rng.uniform(size=40) < 0.5).astype(float)
    data = pd.DataFrame(
        {"t": rng.integers(1, 100, 40).astype(float), "e": np.tile([1.0, 0.0], 20), "x": x}
    )
    data["y"] = 1 - data["x"]  # x + y = 1: collinear with the baseline hazard
    with pytest.raises(CannotEstimate) as caught:
        models.cox_regression(data, "t", "e", ["x", "y"])
    assert caught.value.reason == "collinear"
