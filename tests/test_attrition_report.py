"""The attrition report's tables and figures: labels from the codebook, suppressed cells
never shown, curves not drawn where they rest on few cases."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from cape_study.present import plots, tables
from cape_study.privacy import disclosure
from cape_study.stats import attrition, survival


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _status() -> pd.DataFrame:
    """40 Swedish cases (3 prosecuted, 1 convicted of another offence) and 20 Finnish
    (8 prosecuted, 6 convicted of another offence)."""
    return pd.DataFrame(
        {
            "country": ["SE"] * 40 + ["FI"] * 20,
            "sector": (["cleaning"] * 20 + ["construction"] * 20) + ["cleaning"] * 20,
            "reached_reported": True,
            "reached_prosecuted": [True] * 3 + [False] * 37 + [True] * 8 + [False] * 12,
            "outcome": [pd.NA, pd.NA, "convicted_other"]
            + [pd.NA] * 37
            + ["convicted_other"] * 6
            + ["acquitted"] * 2
            + [pd.NA] * 12,
        }
    )


def _safe(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return disclosure.suppress(
        table,
        "reached",
        total="n_cases",
        threshold=5,
        name="f",
        label=[*keys, "stage"],
        derived=["proportion", "ci_low", "ci_high"],
    )


def test_wide_funnel_puts_steps_in_rows_and_hides_small_counts() -> None:
    table = attrition.funnel(
        _status(), by="country", steps=["reported", "prosecuted", "convicted_other"], overall=True
    )
    shown = tables.format_funnel_wide(
        _safe(table, ["country"]), by="country", steps_as_rows=True
    ).set_index("Stage")
    assert list(shown.columns) == ["All cases (n = 60)", "Sweden (n = 40)", "Finland (n = 20)"]
    assert shown.loc["Prosecuted (charged)", "Finland (n = 20)"].startswith("8 (40.0%; ")
    # 3 of 40 prosecuted: a small count, marked so
    assert shown.loc["Prosecuted (charged)", "Sweden (n = 40)"] == tables.SMALL_MARK
    assert shown.loc["Convicted of another offence", "All cases (n = 60)"].startswith("7 (11.7%")
    sv = tables.format_funnel_wide(_safe(table, ["country"]), by="country", lang="sv")
    assert sv["Land"].tolist() == ["Alla ärenden", "Sverige", "Finland"]
    assert "Dömd för annat brott" in sv.columns and "Anmälda ärenden" in sv.columns


def test_funnel_split_by_two_columns_is_in_codebook_order() -> None:
    table = attrition.funnel(_status(), by=["country", "sector"], steps=["reported", "prosecuted"])
    shown = tables.format_funnel_wide(_safe(table, ["country", "sector"]), by=["country", "sector"])
    assert shown[["Country", "Sector"]].values.tolist() == [
        ["Sweden", "Construction"],
        ["Sweden", "Cleaning"],
        ["Finland", "Cleaning"],
    ]
    assert shown["Cases reported"].tolist() == ["20", "20", "20"]


def test_labels_for_paths_periods_and_all_cases() -> None:
    assert tables.group_label("country", "all") == "All cases"
    assert tables.group_label("reported", "exploitation", "sv") == "Arbetskraftsexploatering"
    assert tables.group_label("period", "2021–2024") == "2021–2024"
    assert tables.group_label("sector", "other") == "Other"  # the code, not the family
    assert tables.step_labels("en")["not_judged"] == "Not (yet) judged"
    assert tables.column_label("detection_channel", "sv") == "Upptäcktskanal"
    assert tables.ordered_groups(pd.Series(["FI", "SE", "all", "FI"]), "country") == [
        "all",
        "SE",
        "FI",
    ]


def _times() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "country": ["SE"] * 12 + ["FI"] * 6,
            # Sweden's last case stays open past the times shown (1000 days): estimates
            # after the last observation are unknown (test_survival).
            "days": [*range(10, 120, 10), 1000, 50, 60, 70, 80, 400, 800],
            "event": ["closed"] * 10
            + ["prosecuted", "censored"]
            + ["closed"] * 3
            + ["censored"] * 3,
        }
    )


def _suppressed_incidence(times: list[float]) -> pd.DataFrame:
    table = survival.cumulative_incidence(
        _times(), "days", "event", by="country", causes=["prosecuted", "closed"], times=times
    )
    return disclosure.suppress(
        table,
        "cumulative_events",
        threshold=5,
        name="t",
        label=["country", "cause", "time"],
        derived=["cif", "ci_low", "ci_high", "std_error"],
    )


def test_time_to_event_table_hides_estimates_resting_on_few_events() -> None:
    safe = _suppressed_incidence([365, 730])
    shown = tables.format_time_to_event(safe)
    assert shown.columns.tolist() == [
        "Country",
        "Event",
        "Time since report",
        "Cases at risk",
        "Events so far",
        "Cumulative incidence (95% CI)",
    ]
    se = shown[shown["Country"] == "Sweden"]
    assert se["Event"].tolist()[:2] == ["Prosecuted (charged)"] * 2  # the order asked for
    assert se["Time since report"].tolist()[:2] == ["1 year", "2 years"]
    prosecuted = se[se["Event"] == "Prosecuted (charged)"]
    assert (prosecuted["Cumulative incidence (95% CI)"] == tables.SUPPRESSED).all()
    closed = se[se["Event"] != "Prosecuted (charged)"].iloc[0]
    assert closed["Events so far"] == "10" and closed["Cumulative incidence (95% CI)"].startswith(
        "83.3% ("
    )
    beyond = tables.format_time_to_event(_suppressed_incidence([2000]))  # after everyone
    assert (beyond["Cumulative incidence (95% CI)"] == tables.NOT_ESTIMABLE).all()
    text = tables.estimate_text(safe, at=365, cause="prosecuted")
    # FI: no prosecution by a year; 5 of its 6 cases' states are known there (one was
    # censored at 80 days): the exact upper limit for 0 of 5.
    _, high = proportion_confint(0, 5, alpha=0.05, method="beta")
    assert text == f"SE: suppressed (small numbers); FI: 0.0% (0.0%–{high:.1%})"
    sv = tables.format_time_to_event(safe, lang="sv")
    assert sv["Tid sedan anmälan"].tolist()[0] == "1 år"
    assert (
        tables.format_time_to_event(
            survival.kaplan_meier(
                _times().assign(ended=True), "days", "ended", by="country", times=[91]
            )
        ).iloc[0, 1]
        == "3 months"
    )


def test_flow_table_shows_only_paths_taken() -> None:
    paths = pd.DataFrame(
        {
            "reported": pd.Categorical(
                ["trafficking"] * 7 + ["other"] * 6, categories=attrition.FAMILIES
            ),
            "charged": pd.Categorical(
                ["other"] * 7 + ["other"] * 6, categories=attrition.PATH_CATEGORIES["charged"]
            ),
        }
    )
    grid = attrition.flow_table(paths, ["reported", "charged"], complete=True)
    families = len(attrition.FAMILIES)
    assert len(grid) == families * (families + 1) and grid["cases"].sum() == 13
    shown = tables.format_flows(grid.assign(suppressed=False), steps=["reported", "charged"])
    assert shown.values.tolist() == [
        ["Human trafficking", "Another offence", "7"],
        ["Another offence", "Another offence", "6"],
    ]
    ax = plots.flow_heatmap(grid.assign(suppressed=False), "reported", "charged")
    texts = [t.get_text() for t in ax.texts]
    assert "7" in texts and "6" in texts
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Human trafficking", "Another offence"]


def test_flow_heatmap_marks_hidden_cells() -> None:
    table = pd.DataFrame(
        {
            "charged": pd.Categorical(
                ["trafficking", "other", "other"], categories=attrition.FAMILIES
            ),
            "judged": pd.Categorical(
                ["acquitted", "convicted_other", "acquitted"],
                categories=attrition.PATH_CATEGORIES["judged"],
            ),
            "cases": [2, 9, 3],
        }
    )
    safe = disclosure.suppress(table, "cases", threshold=5, keys=["charged", "judged"], name="h")
    ax = plots.flow_heatmap(safe, "charged", "judged", lang="sv")
    texts = [t.get_text() for t in ax.texts]
    assert texts.count(tables.SUPPRESSED) == int(safe["suppressed"].sum()) >= 2
    assert "2" not in texts and "3" not in texts
    assert ax.get_xlabel() == "Slutlig dom"


def test_funnel_plots_draw_outcomes_apart_and_name_hidden_groups() -> None:
    table = attrition.funnel(
        _status(), by="country", steps=["reported", "prosecuted", "convicted_other", "acquitted"]
    )
    ax = plots.funnel_plot(_safe(table, ["country"]))
    assert any(t.get_text() == "Final outcome" for t in ax.texts)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Sweden", "Finland"]
    split = attrition.funnel(
        _status().assign(sector=["cleaning"] * 38 + ["beauty"] * 2 + ["cleaning"] * 20),
        by=["country", "sector"],
        steps=["reported", "prosecuted"],
    )
    safe = _safe(split, ["country", "sector"])
    ax = plots.funnel_groups_plot(safe[safe["country"] == "SE"], "sector", title="Sweden")
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["Cleaning (n = 38)", "Beauty services (n = x)"]


def test_public_comparison_figure_and_table_cite_the_source_line() -> None:
    table = pd.DataFrame(
        {
            "id": ["a", "b"],
            "label": ["Reports, 2018", "Reports reaching court"],
            "measure": ["count", "share"],
            "public_value": [29, 4],
            "public_total": pd.array([pd.NA, 200], dtype="Int64"),
            "public_share": [np.nan, 0.02],
            "public_period": ["2018", "2004-2020"],
            "public_unit": ["reported offences", "cases taken to court"],
            "public_source": ["Police: report", "CBSS: release"],
            "public_url": ["u", "v"],
            "public_lines": ["18", "3, 2"],
            "case_count": [16, 2],
            "case_total": pd.array([pd.NA, 118], dtype="Int64"),
            "case_period": ["2018", "2012–2020"],
            "case_share": [np.nan, 2 / 118],
            "ci_low": [np.nan, 0.005],
            "ci_high": [np.nan, 0.06],
            "comparable": ["x", "y"],
            "differs": ["z", "w"],
        }
    )
    safe = disclosure.suppress(
        table,
        "case_count",
        total="case_total",
        threshold=5,
        name="c",
        label=["id"],
        derived=["case_share", "ci_low", "ci_high"],
    )
    shown = tables.format_comparison(safe)
    assert shown["This case file"].tolist() == ["16 cases, 2018", "x cases, 2012–2020"]
    assert (
        shown["Public statistics"].tolist()[1] == "4 of 200 (2.0%) cases taken to court, 2004-2020"
    )
    assert (
        shown["Source (line of public_statistics.csv)"].tolist()[1] == "CBSS: release (lines 3, 2)"
    )
    # the published unit in the report's language (the source as cited)
    swedish = tables.format_comparison(safe, lang="sv")["Offentlig statistik"].tolist()
    assert swedish[0].endswith("anmälda brott, 2018") and "domstol" in swedish[1]
    ax = plots.public_comparison_plot(safe)
    texts = [t.get_text() for t in ax.texts]
    assert "case file: suppressed (2012–2020)" in texts and "16 (2018)" in texts
    assert not any("118" in t for t in texts)  # nor the denominator of a hidden count
    assert ax.get_xscale() == "symlog"
    assert "lines 3, 2]" in ax.get_yticklabels()[1].get_text()
