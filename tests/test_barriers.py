"""Codes per case, prevalence by outcome and co-occurrence; their tables and figures."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom
from sklearn.metrics import jaccard_score
from statsmodels.stats.proportion import proportion_confint

from cape_study.data import loaders
from cape_study.paths import project
from cape_study.present import plots, tables
from cape_study.privacy import disclosure
from cape_study.stats import attrition, barriers


def _codings(rows: list[tuple[str, str, str, bool]], scheme: str = "barrier") -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit_id", "coder", "code", "present"]).assign(
        scheme=scheme, codebook_version="1.0"
    )


DOCUMENTS = pd.DataFrame({"doc_id": ["K1-D1", "K1-D2", "K2-D1"], "case_id": ["K1", "K1", "K2"]})


# -- coders and units combined -----------------------------------------------------------
def test_case_codes_combine_coders_by_rule_and_documents_by_any() -> None:
    codings = _codings(
        [
            # K1: the first document split 1-1, the second 2-1 present.
            ("K1-D1", "a", "reclassification", True),
            ("K1-D1", "b", "reclassification", False),
            ("K1-D2", "a", "reclassification", True),
            ("K1-D2", "b", "reclassification", True),
            ("K1-D2", "c", "reclassification", False),
            # K2: one document, split 1-1.
            ("K2-D1", "a", "reclassification", False),
            ("K2-D1", "b", "reclassification", True),
            # K3 is coded as a case, both coders present.
            ("K3", "a", "reclassification", True),
            ("K3", "b", "reclassification", True),
        ]
    )
    present = {
        rule: barriers.case_codes(codings, DOCUMENTS, rule=rule).set_index("case_id")["present"]
        for rule in barriers.CODER_RULES
    }
    assert present["majority"].to_dict() == {"K1": True, "K2": False, "K3": True}
    assert present["any"].to_dict() == {"K1": True, "K2": True, "K3": True}
    assert present["unanimous"].to_dict() == {"K1": False, "K2": False, "K3": True}
    units = barriers.case_codes(codings, DOCUMENTS).set_index("case_id")["n_units"]
    assert units.to_dict() == {"K1": 2, "K2": 1, "K3": 1}
    with pytest.raises(ValueError, match="known: majority, any, unanimous"):
        barriers.case_codes(codings, DOCUMENTS, rule="two_thirds")


def test_outcome_groups_leave_open_cases_out() -> None:
    status = pd.DataFrame(
        {
            "case_id": ["P", "C", "O", "PC"],
            "reached_prosecuted": [True, False, False, True],
            "closed": [False, True, False, True],
        }
    )
    groups = barriers.outcome_groups(status)
    assert groups.isna().tolist() == [False, False, True, False]
    assert groups.dropna().to_dict() == {"P": "prosecuted", "C": "closed", "PC": "prosecuted"}


# -- prevalence -----------------------------------------------------------------------------
def _codes(present: dict[str, list[bool]], scheme: str = "barrier") -> pd.DataFrame:
    rows = [
        {"case_id": f"K{i}", "scheme": scheme, "code": code, "present": p, "n_units": 1}
        for code, values in present.items()
        for i, p in enumerate(values)
    ]
    return pd.DataFrame(rows)


def test_prevalence_counts_coded_cases_per_group_with_wilson_intervals() -> None:
    codes = _codes({"x": [True, True, False, True, False, False], "y": [False] * 6})
    status = pd.DataFrame(
        {
            "case_id": [f"K{i}" for i in range(7)],  # K6 is never coded
            "reached_prosecuted": [True, True, False, False, False, False, True],
            "closed": [False, False, True, True, True, False, False],
        }
    )
    table = barriers.prevalence(codes, status).set_index(["code", "group"])
    # K5 is open: left out. Closed: K2, K3, K4; prosecuted: K0, K1 (K6 is not coded).
    assert table.loc[("x", "closed"), ["n_cases", "present"]].tolist() == [3, 1]
    assert table.loc[("x", "prosecuted"), ["n_cases", "present"]].tolist() == [2, 2]
    assert table.loc[("y", "prosecuted"), "present"] == 0
    low, high = proportion_confint(1, 3, alpha=0.05, method="wilson")
    assert table.loc[("x", "closed"), ["ci_low", "ci_high"]].tolist() == pytest.approx([low, high])


def test_prevalence_difference_matches_newcombes_published_example() -> None:
    """Newcombe (1998), Statistics in Medicine 17:873, Table II, example (a): 56/70
    against 48/80, method 10 (hybrid score): 0.0524 to 0.3339."""
    table = pd.DataFrame(
        {
            "scheme": "barrier",
            "code": ["x", "x"],
            "group": ["closed", "prosecuted"],
            "n_cases": [70, 80],
            "present": [56, 48],
            "confidence": 0.95,
        }
    )
    row = barriers.prevalence_difference(table).iloc[0]
    assert row["difference"] == pytest.approx(0.2)
    assert (round(row["ci_low"], 4), round(row["ci_high"], 4)) == (0.0524, 0.3339)
    hidden = table.assign(present=pd.array([56, pd.NA], dtype="Int64"))
    assert barriers.prevalence_difference(hidden)[["difference", "ci_low"]].isna().all(axis=None)


# -- co-occurrence ---------------------------------------------------------------------------
def test_cooccurrence_phi_and_jaccard_agree_with_independent_implementations() -> None:
    rng = np.random.default_rng(5)
    a = rng.random(80) < 0.4
    b = np.where(rng.random(80) < 0.5, a, rng.random(80) < 0.3)
    c = rng.random(80) < 0.2
    codes = _codes({"a": list(a), "b": list(b), "c": list(c)})
    extra = _codes({"s": [True] * 40}, scheme="agency_sign")  # coded for half the cases
    pairs = barriers.cooccurrence(codes).set_index(["code_a", "code_b"])
    assert list(pairs.index) == [("a", "b"), ("a", "c"), ("b", "c")]
    for (x, y), row in pairs.iterrows():
        u, v = {"a": a, "b": b, "c": c}[x], {"a": a, "b": b, "c": c}[y]
        assert row["phi"] == pytest.approx(np.corrcoef(u, v)[0, 1], abs=1e-12)
        assert row["jaccard"] == pytest.approx(jaccard_score(u, v), abs=1e-12)
        assert row[["both", "a_only", "b_only", "neither"]].sum() == row["n_cases"] == 80
        assert row["both"] == (u & v).sum()
    both_schemes = barriers.cooccurrence(pd.concat([codes, extra]))
    assert (both_schemes["n_cases"] == 40).all()  # only cases coded for every scheme


def test_suppress_pairs_hides_a_pair_when_any_cell_of_its_table_is_small(protection) -> None:
    table = pd.DataFrame(
        {
            "scheme_a": "barrier",
            "code_a": ["a", "a", "b"],
            "scheme_b": "barrier",
            "code_b": ["b", "c", "c"],
            "n_cases": 60,
            "both": [10, 12, 0],
            "a_only": [20, 2, 30],  # a without c: 2 cases
            "b_only": [10, 8, 10],
            "neither": [20, 38, 20],
            "phi": [0.1, 0.3, -0.4],
            "jaccard": [0.25, 0.5, 0.0],
        }
    )
    safe = barriers.suppress_pairs(table, threshold=5, name="pairs", audit=protection)
    assert safe["suppressed"].tolist() == [False, True, False]
    assert safe.loc[1, ["both", "phi", "jaccard"]].isna().all()
    assert safe.loc[2, "both"] == 0  # zeros are published
    audit = protection.audit()
    assert audit[["table", "column"]].values.tolist() == [["pairs", "a_only"]]


# -- tables and figures --------------------------------------------------------------------
def _safe_prevalence() -> pd.DataFrame:
    codes = _codes({"reclassification": [True] * 12 + [False] * 30 + [True] * 2 + [False] * 8})
    status = pd.DataFrame(
        {
            "case_id": [f"K{i}" for i in range(52)],
            "reached_prosecuted": [False] * 42 + [True] * 10,
            "closed": [True] * 42 + [False] * 10,
        }
    )
    table = barriers.prevalence(codes, status)
    return disclosure.suppress(
        table, "present", total="n_cases", threshold=5, name="p",
        derived=["proportion", "ci_low", "ci_high"],
    )  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_prevalence_table_and_plot_use_codebook_labels_and_hide_small_cells(lang: str) -> None:
    safe = _safe_prevalence()
    shown = tables.format_prevalence(safe, barriers.prevalence_difference(safe), lang=lang)
    label = {"en": "Reclassification to a lesser offence", "sv": "Ändrad rubricering"}[lang]
    assert shown.iloc[0, 0].startswith(label)
    assert shown.iloc[0, 1].startswith("12 (28.6%")  # closed: 12 of 42
    assert shown.iloc[0, 2] == tables.SUPPRESSED and shown.iloc[0, 3] == tables.SUPPRESSED
    assert "(n = 42)" in shown.columns[1] and "(n = 10)" in shown.columns[2]
    ax = plots.prevalence_plot(safe, lang=lang)
    assert len(ax.get_yticklabels()) == 1 and (
        ax.get_legend() or ax.get_figure().legends
    )  # under the figure
    plt.close("all")


def _agreement() -> pd.DataFrame:
    rows = []
    for scheme, code, estimate in [
        ("barrier", "reclassification", 0.42),
        ("ilo_indicator", "deception", 0.71),
    ]:
        for coefficient in ("cohen_kappa", "krippendorff_alpha"):
            rows.append(
                {"scheme": scheme, "code": code, "coefficient": coefficient,
                 "estimate": estimate, "ci_low": estimate - 0.1, "ci_high": estimate + 0.1,
                 "n_units": 3 if code == "deception" else 40, "n_coders": 2,
                 "confidence": 0.95}
            )  # fmt: skip
    table = pd.DataFrame(rows)
    return disclosure.suppress(
        table, "n_units", threshold=5, name="agreement", derived=["estimate", "ci_low", "ci_high"]
    )


def test_agreement_table_text_and_plot() -> None:
    safe = _agreement()
    shown = tables.format_agreement(safe[safe["scheme"] == "barrier"])
    assert list(shown.columns) == [
        "Barrier to prosecution",
        "Cohen's κ (95% CI), 2 coders, 40 units",
        "Krippendorff's α (95% CI), 2 coders, 40 units",
    ]
    assert shown.iloc[0, 1] == "0.42 (0.32 to 0.52)"
    swedish = tables.format_agreement(safe[safe["scheme"] == "barrier"], lang="sv")
    assert swedish.columns[1].startswith("Cohens κ (95% KI)")
    assert swedish.iloc[0, 1] == "0.42 (0.32 till 0.52)"
    ilo = tables.format_agreement(safe[safe["scheme"] == "ilo_indicator"], lang="sv")
    assert ilo.iloc[0, 0] == "Vilseledande"
    assert ilo.iloc[0, 1] == tables.SUPPRESSED  # three units: hidden
    text = tables.agreement_text(safe)
    assert "a median of 0.42" in text and "0 of 1 codes reach 0.667" in text
    assert "medianen 0,42" in tables.agreement_text(safe, lang="sv")
    ax = plots.agreement_plot(safe)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Reclassification to a lesser offence",
        "Deception",
    ]
    plt.close("all")


def test_cooccurrence_heatmap_marks_hidden_pairs() -> None:
    table = pd.DataFrame(
        {
            "scheme_a": "barrier", "code_a": ["reclassification"] * 2 + ["legal_interpretation"],
            "scheme_b": "barrier", "code_b": ["legal_interpretation", "investigation_delay"] * 1
            + ["investigation_delay"],
            "both": pd.array([7, pd.NA, 9], dtype="Int64"), "phi": [0.2, np.nan, -0.1],
            "suppressed": [False, True, False],
        }
    )  # fmt: skip
    ax = plots.cooccurrence_heatmap(table)
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("7") == 2 and texts.count("9") == 2 and texts.count("x") == 2
    assert len(ax.get_xticklabels()) == 3
    plt.close("all")


def test_disagreement_sheet_is_a_work_list_for_coders() -> None:
    listed = pd.DataFrame(
        {
            "unit_id": ["K1-D2", "K3"], "scheme": "barrier",
            "code": ["reclassification", "investigation_delay"],
            "a": [True, False], "b": [False, pd.NA], "c": [pd.NA, True], "n_coders": [2, 2],
        }
    )  # fmt: skip
    sheet = tables.disagreement_sheet(listed, documents=DOCUMENTS, codebook_version="1.0")
    assert list(sheet.columns) == [
        "unit_id", "case_id", "scheme", "code", "label", "a", "b", "c",
        "codebook_version", "resolved_present", "note",
    ]  # fmt: skip
    assert sheet["case_id"].tolist() == ["K1", "K3"]
    assert sheet[["a", "b", "c"]].to_numpy().tolist() == [["1", "0", ""], ["0", "", "1"]]
    assert sheet["label"].tolist() == [
        "Reclassification to a lesser offence",
        "Investigation delay",
    ]


# -- the demo data recover the planted effects ---------------------------------------------
@pytest.fixture(scope="module")
def demo() -> tuple[loaders.CaseFile, dict]:
    folder = project().demo_case_file
    case = loaders.load_case_file(folder, read_documents=False)
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return case, truth


def _p_coded(p: np.ndarray, k: np.ndarray, rule: str) -> np.ndarray:
    """Probability that a unit with k coders, each saying "present" with probability p
    independently, is coded present under the rule."""
    if rule == "any":
        return 1 - (1 - p) ** k
    if rule == "unanimous":
        return p**k
    return binom.sf(np.floor(k / 2), k, p)  # more than half


@pytest.mark.parametrize("rule", list(barriers.CODER_RULES))
def test_demo_prevalence_of_victim_left_country_recovers_its_planted_value(
    demo: tuple[loaders.CaseFile, dict], rule: str
) -> None:
    """The generator codes the barrier victim_left_country as latently present exactly
    when a victim of the case left the country (victims.left_country), and each coder
    reports it with the sensitivity and specificity in truth.json. So the expected
    coded prevalence in each outcome group follows from the victims table, the number
    of coders of each unit and the rule, without using the codes. The 99 % Wilson
    interval of each group must hold it (2 groups: a false failure has probability
    about 0.02 for a newly generated demo)."""
    case, truth = demo
    se, sp = next(
        (c["sensitivity"], c["specificity"])
        for c in truth["reliability"]["codes"]
        if c["code"] == "victim_left_country"
    )
    status = attrition.case_status(case.cases, case.events)
    codes = barriers.case_codes(case.codings, case.documents, rule=rule)
    found = barriers.prevalence(codes, status, confidence=0.99)
    found = found[found["code"] == "victim_left_country"].set_index("group")

    left = case.victims.groupby("case_id")["left_country"].agg(
        lambda s: bool(s.fillna(False).any())
    )
    doc_case = dict(zip(case.documents["doc_id"], case.documents["case_id"], strict=True))
    mine = case.codings[case.codings["code"] == "victim_left_country"]
    coders = mine.groupby("unit_id").size().rename(index=lambda u: doc_case.get(u, u))
    cases = pd.DataFrame({"k": coders})
    cases["latent"] = cases.index.map(left).fillna(False).astype(bool)
    cases["group"] = cases.index.map(barriers.outcome_groups(status))
    p = np.where(cases["latent"], se, 1 - sp)
    cases["expected"] = _p_coded(p, cases["k"].to_numpy(), rule)
    expected = cases.dropna(subset=["group"]).groupby("group")["expected"].mean()
    for group in barriers.GROUPS:
        row = found.loc[group]
        assert row["ci_low"] <= expected[group] <= row["ci_high"], (group, row, expected[group])


def test_demo_cooccurrence_shows_the_planted_dependencies(
    demo: tuple[loaders.CaseFile, dict],
) -> None:
    """The generator makes four ILO indicators more likely when an agency sign is
    present (isolation with living at the workplace, withholding of wages with paying
    wages back, debt bondage with paying for the job, excessive overtime with very long
    days; cape_study.synth.simulation). Each pair's phi must exceed 1.96 / sqrt(n),
    the 5 % critical value of the chi-square test of independence (n phi^2 = chi^2);
    coder error attenuates phi, so this is the test, not the size of the effect."""
    case, _ = demo
    codes = barriers.case_codes(case.codings, case.documents)
    pairs = barriers.cooccurrence(codes, schemes=["ilo_indicator", "agency_sign"])
    planted = [
        ("isolation", "lives_at_workplace"),
        ("withholding_of_wages", "pays_back_wages"),
        ("debt_bondage", "paid_for_job"),
        ("excessive_overtime", "very_long_hours_every_day"),
    ]
    found = pairs.set_index(["code_a", "code_b"]).loc[planted]
    assert (found["phi"] > 1.96 / np.sqrt(found["n_cases"])).all(), found["phi"]
