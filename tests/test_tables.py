"""Publication tables and figures: labels from the codebook, suppressed cells never shown."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

from cape_study.present import plots, tables
from cape_study.privacy import disclosure
from cape_study.stats import attrition


def _funnel() -> pd.DataFrame:
    status = pd.DataFrame(
        {
            "country": ["SE"] * 40 + ["FI"] * 20,
            "reached_reported": True,
            "reached_prosecuted": [True] * 3 + [False] * 37 + [True] * 8 + [False] * 12,
        }
    )
    table = attrition.funnel(status, by="country")
    return disclosure.suppress(
        table,
        "reached",
        total="n_cases",
        threshold=5,
        name="f",
        derived=["proportion", "ci_low", "ci_high"],
    )


def test_labels_come_from_the_codebook_in_either_language() -> None:
    frame = pd.DataFrame({"stage": ["prosecuted", "closed"], "end": ["acquitted", "open"]})
    en = tables.with_labels(frame, {"stage": "stage", "end": "outcome"})
    sv = tables.with_labels(frame, {"stage": "stage", "end": "outcome"}, lang="sv")
    assert en["stage"].tolist() == ["Prosecuted (charged)", "Closed without (further) prosecution"]
    assert sv["end"].tolist()[1] == "Pågående vid datagränsen"
    assert sv["stage"].tolist()[0] != en["stage"].tolist()[0]


def test_funnel_table_marks_suppressed_cells_and_keeps_the_rest() -> None:
    shown = tables.format_funnel(_funnel())
    se_prosecuted = shown[
        (shown["Country"] == "Sweden") & (shown["Stage"] == "Prosecuted (charged)")
    ].iloc[0]
    # 3 of 40: the count is marked small, the share computed from it as any hidden cell
    assert se_prosecuted["Cases reaching the stage"] == tables.SMALL_MARK == ".."
    assert se_prosecuted["Share (95% CI)"] == tables.SUPPRESSED == "x"
    fi = shown[(shown["Country"] == "Finland") & (shown["Stage"] == "Prosecuted (charged)")]
    assert fi.iloc[0]["Cases reaching the stage"] == "8"
    assert fi.iloc[0]["Share (95% CI)"].startswith("40.0% (")


def test_share_text_never_reveals_a_suppressed_share() -> None:
    text = tables.share_text(_funnel(), "prosecuted")
    assert "SE: suppressed (small numbers)" in text and "FI: 40.0%" in text
    assert "7.5%" not in text  # 3 of 40


def test_count_table_orders_rows_as_the_codebook() -> None:
    long = pd.DataFrame(
        {
            "end": ["open", "acquitted", "convicted_trafficking"] * 2,
            "country": ["SE"] * 3 + ["FI"] * 3,
            "cases": [9, 7, pd.NA] * 2,
        }
    )
    wide = tables.count_table(
        long,
        index="end",
        columns="country",
        values="cases",
        schemes={"end": "outcome", "country": "country"},
    )
    assert wide.iloc[:, 0].tolist() == [
        "Convicted of trafficking",
        "Acquitted",
        "Open at the data cut-off",
    ]
    assert list(wide.columns) == ["Outcome", "Finland", "Sweden"]
    assert wide.iloc[0, 1] == tables.SUPPRESSED


def test_provenance_banner_flags_synthetic_data() -> None:
    assert "SYNTHETIC DATA" in tables.provenance_banner(True, "x", "1.0", "2024-12-31")
    assert "SYNTHETIC" not in tables.provenance_banner(False, "x", "1.0", "2024-12-31")


def test_funnel_plot_draws_one_series_per_group_on_a_given_axes() -> None:
    fig, ax = plt.subplots()
    returned = plots.funnel_plot(_funnel(), ax=ax, lang="sv")
    assert returned is ax
    # Groups in codebook order.
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Sverige", "Finland"]
    # Sweden's prosecution share is suppressed: it is left out, not drawn at 7.5 %.
    series = {c.get_label(): c.lines[0] for c in ax.containers}
    assert len(series["Sverige"].get_xdata()) == 1 and len(series["Finland"].get_xdata()) == 2
    plt.close(fig)
    assert plots.funnel_plot(_funnel(), by="country").figure is not None
    plt.close("all")


def test_case_counts_list_every_code_and_regions_only_with_their_country() -> None:
    cases = pd.DataFrame(
        {
            "report_date": pd.to_datetime(["2019-03-01", "2019-07-01", "2021-01-05"]),
            "country": pd.Categorical(["SE", "SE", "FI"], categories=["SE", "FI"]),
            "police_region": pd.Categorical(
                ["se_syd", "se_syd", "fi_helsinki"], categories=["se_syd", "fi_helsinki"]
            ),
        }
    )
    by_region = tables.case_counts(cases, ["country", "police_region"])
    assert by_region.to_dict("records") == [
        {"country": "SE", "police_region": "se_syd", "cases": 2},
        {"country": "FI", "police_region": "fi_helsinki", "cases": 1},
    ]
    by_year = tables.case_counts(cases, ["report_year", "country"])
    assert by_year.set_index(["report_year", "country"])["cases"].to_dict() == {
        ("2019", "SE"): 2,
        ("2019", "FI"): 0,
        ("2021", "SE"): 0,
        ("2021", "FI"): 1,
    }
    safe = disclosure.suppress(by_region, "cases", threshold=5, name="r", keys=["country"])
    shown = tables.count_list(
        safe, schemes={"country": "country", "police_region": "police_region"}, lang="sv"
    )
    assert list(shown.columns) == ["Land", "Polisregion / polisinrättning", "Ärenden"]
    # 2 and 1 of a small total (3): marked small, 2 would narrow (2 + 1 <= 4), so 'x'
    assert shown["Ärenden"].tolist() == [tables.SUPPRESSED, tables.SMALL_MARK]
    assert shown["Land"].tolist() == ["Sverige", "Finland"]


def test_count_bars_mark_hidden_counts_with_a_visible_stub() -> None:
    table = pd.DataFrame(
        {"sector": ["cleaning", "construction", "cleaning"], "country": ["SE", "SE", "FI"]}
    ).assign(cases=pd.array([12, pd.NA, 7], dtype="Int64"))
    fig, ax = plt.subplots()
    assert plots.count_bars(table, x="sector", hue="country", ax=ax) is ax
    bars = [p for p in ax.patches if not p.get_hatch()]
    stubs = [p for p in ax.patches if p.get_hatch()]
    assert sorted(p.get_height() for p in bars) == [7, 12]
    # the hidden count: a stub tall enough to see in print, marked, and named in the legend
    assert len(stubs) == 1 and stubs[0].get_height() >= 0.05 * 12
    assert [t.get_text() for t in ax.texts] == [tables.SUPPRESSED]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Sweden",
        "Finland",
        "x hidden (disclosure control)",
    ]
    plt.close(fig)
