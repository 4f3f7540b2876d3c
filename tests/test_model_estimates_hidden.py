"""03's odds and hazard ratios publish no more than its counts by predictor and outcome
(issue 15): a term's ratio and interval carry its 2 x 2 table (the standard error of a
log odds ratio is about sqrt(1/a + 1/b + 1/c + 1/d)), so where the published table hides
a cell of the term, the term's estimate, interval and tests are hidden too
(:func:`cape_study.stats.model_links.hide_estimates`)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from cape_study.present import plots, tables
from cape_study.present.display import SUPPRESSED
from cape_study.present.wording import ratio_text
from cape_study.privacy import disclosure
from cape_study.stats import model_links, models, predictors


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _design() -> pd.DataFrame:
    """60 cases: joint inspection in 12, of which 1 prosecuted (a small cell); another
    term, interpreter needed, with every cell of at least 5."""
    joint = np.r_[np.ones(12), np.zeros(48)]
    prosecuted = np.r_[1, np.zeros(11), np.ones(14), np.zeros(34)]
    interpreter = np.tile([1.0, 0.0], 30)
    return pd.DataFrame(
        {
            "joint_inspection": joint,
            "interpreter_needed": interpreter,
            "prosecuted": prosecuted,
            "days": np.random.default_rng(3).permutation(60) * 10.0 + 5,
            "prosecution": prosecuted.astype(bool),
        }
    )


def _published(design: pd.DataFrame, terms: list[str]) -> pd.DataFrame:
    counts = predictors.term_counts(design, "prosecuted", terms)
    return pd.concat(
        [
            disclosure.suppress(
                cells,
                "cases",
                threshold=5,
                name=f"cases by outcome: {t}",
                keys=["value", "outcome"],
            )
            for t, cells in counts.groupby("term", sort=False)
        ]
    )


def test_a_one_term_model_gives_its_hidden_cell_back_and_is_hidden_with_it() -> None:
    design = _design()
    published = _published(design, ["joint_inspection"])
    cell = published.set_index(["value", "outcome"])["cases"]
    assert pd.isna(cell[(1, 1)])  # 1 prosecuted case found by joint inspection: hidden
    fit = models.logistic_regression(design, "prosecuted", ["joint_inspection"], method="ml")
    # the attack, with statsmodels as the independent fit: the odds ratio and the
    # published margins (12 found by joint inspection, 15 prosecuted, 60 cases) leave
    # one whole value for the hidden cell
    check = sm.Logit(design["prosecuted"], sm.add_constant(design[["joint_inspection"]])).fit(
        disp=0
    )
    ratio = float(np.exp(check.params["joint_inspection"]))
    term = fit.table.set_index("term").loc["joint_inspection"]
    assert term["odds_ratio"] == pytest.approx(ratio, rel=1e-6)
    fits = [
        a
        for a in range(1, 12)
        if abs(a * (60 - 12 - 15 + a) / ((12 - a) * (15 - a)) - ratio) < 1e-6
    ]
    assert fits == [1]
    hidden = model_links.hide_estimates(fit, published)
    row = hidden.table.set_index("term").loc["joint_inspection"]
    for column in ("odds_ratio", "ci_low", "ci_high", "p_value", "std_error", "estimate"):
        assert pd.isna(row[column]), column
    intercept = hidden.table.set_index("term").loc["(Intercept)"]
    assert np.isfinite(intercept["estimate"])
    assert fit.table["odds_ratio"].notna().all()  # the fitted result is not changed


def test_a_term_with_every_count_shown_keeps_its_ratio_and_the_report_marks_the_other() -> None:
    design = _design()
    terms = ["joint_inspection", "interpreter_needed"]
    published = _published(design, terms)
    shown = published.groupby("term")["cases"].apply(lambda c: bool(c.notna().all()))
    assert shown.to_dict() == {"interpreter_needed": True, "joint_inspection": False}
    fit = model_links.hide_estimates(
        models.logistic_regression(design, "prosecuted", terms, method="ml"), published
    )
    rows = fit.table.set_index("term")
    assert pd.isna(rows.loc["joint_inspection", "odds_ratio"])
    assert np.isfinite(rows.loc["interpreter_needed", "odds_ratio"])
    table = tables.format_ratios(fit.table, labels={}, lang="en")
    hidden_row = table[table.iloc[:, 0] == "joint_inspection"].iloc[0]
    assert hidden_row.iloc[1] == SUPPRESSED and hidden_row.iloc[2] == SUPPRESSED
    ax = plots.forest_plot(fit.table, lang="en")
    # a diamond for the shown term only; the hidden one's row says x
    diamonds = [line for line in ax.lines if line.get_marker() == "D"]
    assert len(diamonds) == 1 and diamonds[0].get_ydata()[0] == 1
    assert [t.get_text() for t in ax.texts] == [SUPPRESSED]
    cox = model_links.hide_estimates(
        models.cox_regression(design, "days", "prosecution", terms), published
    )
    assert cox.table.set_index("term")["hazard_ratio"].isna().to_dict() == {
        "joint_inspection": True,
        "interpreter_needed": False,
    }
    assert pd.isna(cox.table.set_index("term").loc["joint_inspection", "ph_p_value"])


def test_the_takeaway_says_the_hidden_ratios_are_left_out() -> None:
    table = pd.DataFrame(
        {
            "term": ["(Intercept)", "a", "b"],
            "odds_ratio": [0.2, np.nan, 1.1],
            "ci_low": [0.1, np.nan, 0.8],
            "ci_high": [0.4, np.nan, 1.5],
            "hidden": [False, True, False],
        }
    )
    assert "that is shown" in ratio_text(table, labels={}, lang="en")
    assert "visad" in ratio_text(table, labels={}, lang="sv")
    assert "that is shown" not in ratio_text(table.drop(columns="hidden"), labels={}, lang="en")


def test_hide_estimates_says_what_it_lacks() -> None:
    design = _design()
    fit = models.logistic_regression(design, "prosecuted", ["joint_inspection"], method="ml")
    published = _published(design, ["interpreter_needed"])
    with pytest.raises(ValueError, match="no row of the model's term"):
        model_links.hide_estimates(fit, published)
    with pytest.raises(ValueError, match="no column"):
        model_links.hide_estimates(fit, published.drop(columns="cases"))


def test_03_hides_its_ratios_with_their_counts() -> None:
    import json

    from cape_study.paths import project

    nb = json.loads((project().root / "notebooks/03_models.ipynb").read_text("utf-8"))
    source = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    for call in ("models.logistic_regression(", "models.cox_regression("):
        starts = [i for i in range(len(source)) if source.startswith(call, i)]
        assert starts
        for start in starts:
            before = source[:start].rstrip()
            assert before.endswith("model_links.hide_estimates("), source[start - 80 : start]


def test_a_hidden_term_is_not_named_as_separating_the_outcome() -> None:
    design = _design()
    # every case found by joint inspection prosecuted: its estimate is infinite, and
    # naming it would say that the table's hidden cell of closed cases is 0
    design.loc[design["joint_inspection"] == 1, "prosecuted"] = 1.0
    design = design.iloc[9:].reset_index(drop=True)  # 3 such cases: a small cell
    terms = ["joint_inspection", "interpreter_needed"]
    published = _published(design, terms)
    assert published[published["term"] == "joint_inspection"]["cases"].isna().any()
    fit = models.logistic_regression(design, "prosecuted", terms, method="auto")
    assert fit.separation.terms == ["joint_inspection"]
    plain = tables.separation_text(fit.separation, {}, "en")
    assert "joint_inspection" in plain  # as before: the term named
    hidden = model_links.hide_estimates(fit, published)
    text = tables.separation_text(hidden.separation, {}, "en")
    assert "joint_inspection" not in text
    assert text.startswith("Quasi-complete separation: the maximum likelihood estimate of a term")
    sv = tables.separation_text(hidden.separation, {}, "sv")
    assert "joint_inspection" not in sv and "röjandekontrollen döljer" in sv
    assert hidden.separation.terms == ["joint_inspection"]  # still flagged for the figure
