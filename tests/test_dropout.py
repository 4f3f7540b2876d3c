"""Why cases drop out: the drop-out matrix, closure reasons and codes at drop-out, their
disclosure control and tables; the demo recovers the planted closure reasons and the
planted before/after change."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from cape_study.data import loaders
from cape_study.errors import CannotEstimate
from cape_study.paths import project
from cape_study.present import labels, tables
from cape_study.privacy.disclosure import Disclosure
from cape_study.stats import attrition, dropout
from cape_study.stats.proportions import difference_ci


def _status(rows: list[tuple]) -> pd.DataFrame:
    """A case_status-like table from (case, country, furthest stage, closed, outcome)."""
    stages = [*dropout.STAGES, "judgment_appeal", "judgment_supreme"]
    out = pd.DataFrame(rows, columns=["case_id", "country", "furthest_stage", "closed", "outcome"])
    for i, s in enumerate(stages):
        out[f"reached_{s}"] = out["furthest_stage"].map(stages.index) >= i
    out["outcome"] = out["outcome"].astype("string")
    return out


STATUS = _status(
    [
        ("A", "SE", "reported", True, None),
        ("B", "SE", "reported", False, None),  # open
        ("C", "SE", "investigation_opened", True, None),
        ("D", "SE", "suspect_notified", True, None),
        ("E", "SE", "judgment_first_instance", False, "acquitted"),
        ("F", "SE", "judgment_appeal", False, "convicted_other"),
        ("G", "FI", "prosecuted", False, None),  # open after prosecution
        ("H", "FI", "investigation_opened", True, None),
    ]
)


def test_matrix_splits_each_stage_into_moved_on_dropped_out_and_open() -> None:
    m = dropout.matrix(STATUS).set_index(["country", "stage"])
    se = m.loc["SE"]
    # reported: 6 cases, 4 moved on, A closed, B open.
    assert se.loc["reported", ["at_stage", "moved_on", "dropped_out", "still_open"]].tolist() == [
        6, 4, 1, 1,
    ]  # fmt: skip
    assert se.loc["investigation_opened", ["moved_on", "dropped_out"]].tolist() == [3, 1]
    assert se.loc["suspect_notified", ["moved_on", "dropped_out"]].tolist() == [2, 1]
    # judged: E acquitted drops out, F convicted moves on.
    assert se.loc["judgment_first_instance", ["at_stage", "moved_on", "dropped_out"]].tolist() == [
        2, 1, 1,
    ]  # fmt: skip
    assert m.loc[("FI", "prosecuted"), "still_open"] == 1
    parts = m[list(dropout.PARTS)].sum(axis=1)
    assert (parts == m["at_stage"]).all()
    low, high = proportion_confint(4, 6, alpha=0.05, method="wilson")
    assert se.loc["reported", "ci_low"] == pytest.approx(low)
    assert se.loc["reported", "ci_high"] == pytest.approx(high)


def test_a_closed_case_counts_once_with_the_reason_of_its_last_closure() -> None:
    events = pd.DataFrame(
        {
            "case_id": ["A", "C", "C", "D", "D", "H"],
            "stage": ["closed"] * 6,
            "date": pd.to_datetime(
                ["2020-01-01", "2020-01-01", "2021-01-01", "2021-01-01", "2021-01-01", "2021-02-01"]
            ),
            "closure_reason": [
                "inte_anledning_anta_brott",
                "spaningsresultat_saknas",  # earlier: not counted
                "garningen_ar_inte_brott",
                "annan_orsak",  # same date: codebook order puts brott_kan_inte_styrkas first
                "brott_kan_inte_styrkas",
                None,
            ],
        }
    )
    reasons = dropout.closure_reasons(STATUS, events).set_index("case_id")
    assert reasons["closure_reason"].to_dict() == {
        "A": "inte_anledning_anta_brott",
        "C": "garningen_ar_inte_brott",
        "D": "brott_kan_inte_styrkas",
        "H": "unknown",
    }
    assert reasons["stage"].to_dict() == {
        "A": "reported",
        "C": "investigation_opened",
        "D": "suspect_notified",
        "H": "investigation_opened",
    }
    table = dropout.reason_table(reasons.reset_index(), STATUS)
    sums = table.groupby(["country", "stage"], observed=True)["cases"].sum()
    assert (sums == table.groupby(["country", "stage"], observed=True)["n_closed"].first()).all()
    assert "unknown" in set(table["closure_reason"])


def test_a_small_part_hides_the_other_and_a_stage_hidden_in_the_funnel_is_hidden() -> None:
    matrix = pd.DataFrame(
        {
            "country": ["SE"] * 3,
            "stage": pd.Categorical(
                ["reported", "investigation_opened", "suspect_notified"],
                categories=dropout.STAGES,
                ordered=True,
            ),
            "at_stage": [300, 266, 119],
            "moved_on": [266, 119, 40],
            "dropped_out": [32, 132, 79],
            "still_open": [2, 15, 0],
            "proportion": [0.9, 0.45, 0.3],
            "ci_low": [0.8, 0.4, 0.2],
            "ci_high": [0.95, 0.5, 0.4],
            "ci_method": "wilson",
            "confidence": 0.95,
        }
    )
    funnel = pd.DataFrame(
        {
            "country": ["SE"] * 4,
            "stage": ["reported", "investigation_opened", "suspect_notified", "prosecuted"],
            "level": "stage",
            "reached": [300, 266, None, 40],
        }
    )
    audit = Disclosure()
    safe = dropout.suppress_matrix(matrix, funnel, threshold=5, name="m", audit=audit)
    safe = safe.set_index("stage")
    # 2 open cases: hidden, and the 32 closed with them (they add up to 300 - 266).
    assert safe.loc["reported", ["dropped_out", "still_open"]].isna().all()
    assert safe.loc["reported", "moved_on"] == 266
    # The funnel hides the count at suspect_notified: that stage and the one before it.
    assert (
        safe.loc["suspect_notified"]
        .drop(["ci_method", "confidence"])
        .drop("suppressed")
        .isna()
        .sum()
        >= 5
    )
    assert pd.isna(safe.loc["investigation_opened", "moved_on"])
    assert audit.audit()["table"].eq("m").all() and len(audit.audit()) >= 4


def test_tables_label_stages_reasons_and_countries_in_both_languages() -> None:
    safe = dropout.suppress_matrix(
        dropout.matrix(STATUS),
        pd.DataFrame(
            {"country": ["SE"], "stage": ["reported"], "level": ["stage"], "reached": [6]}
        ),
        threshold=1,
        name="m",
    )
    en = tables.format_dropout(safe, lang="en")
    sv = tables.format_dropout(safe, lang="sv")
    assert en.iloc[0, 0] == "Report registered" and en.iloc[0, 1] == "Sweden"
    assert sv.iloc[0, 0] == "Anmälan registrerad" and "Föll bort här" in sv.columns
    assert en.iloc[1, 1] == "Finland"  # Sweden beside Finland, stage by stage
    assert tables.section_text("dropout", "sv").startswith("## Varför")
    with pytest.raises(ValueError, match="unknown section"):
        tables.section_text("nothing", "en")


# -- the demo recovers what the generator planted ------------------------------------------
@pytest.fixture(scope="module")
def demo() -> tuple[loaders.CaseFile, dict, pd.DataFrame]:
    folder = project().demo_case_file
    case = loaders.load_case_file(folder, read_documents=False)
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    status = attrition.case_status(case.cases, case.events)
    return case, truth, status


@pytest.mark.parametrize(
    ("country", "stage", "reason"),
    [
        ("SE", "reported", "inte_anledning_anta_brott"),
        ("SE", "investigation_opened", "brott_kan_inte_styrkas"),
        ("SE", "suspect_notified", "brott_kan_inte_styrkas"),
        ("FI", "investigation_opened", "brott_kan_inte_styrkas"),
        ("FI", "suspect_notified", "brott_kan_inte_styrkas"),
    ],
)
def test_demo_recovers_the_planted_closure_reasons_by_stage(demo, country, stage, reason) -> None:
    """The generator draws each closed case's reason from probabilities that depend on
    its stage of closure, its latent barriers and (in Sweden) its report date; truth.json
    holds their mean over the cases closed by the cut-off. The 99 % Wilson interval of
    the share found must hold it, and the cases closed at the stage must be those the
    generator closed there."""
    case, truth, status = demo
    reasons = dropout.closure_reasons(status, case.events)
    table = dropout.reason_table(reasons, status, confidence=0.99).set_index(
        ["country", "stage", "closure_reason"]
    )
    planted = truth["closure_reasons"]["by_country_stage_side"][country][stage]
    n = sum(side["cases"] for side in planted.values())
    expected = sum(side["cases"] * side["probabilities"][reason] for side in planted.values()) / n
    row = table.loc[(country, stage, reason)]
    assert row["n_closed"] == n
    assert row["ci_low"] <= expected <= row["ci_high"], (row, expected)


def test_demo_recovers_the_planted_change_at_the_legal_change_date(demo) -> None:
    """Before 1 July 2018 Swedish cases closed after an investigation were planted to be
    closed more often as 'the act is not an offence'. The 99 % Newcombe interval of the
    difference before minus after must hold the planted difference and exclude zero."""
    case, truth, status = demo
    change = truth["closure_reasons"]["legal_change"]
    planted = truth["closure_reasons"]["by_country_stage_side"]["SE"]
    reasons = dropout.closure_reasons(status, case.events).merge(
        status[["case_id", "country", "report_date"]], on="case_id"
    )
    reasons = reasons[
        (reasons["country"] == "SE")
        & reasons["stage"].isin(["investigation_opened", "suspect_notified"])
    ]
    before = reasons["report_date"] < pd.Timestamp(change["date"])
    hit = reasons["closure_reason"] == change["reason"]
    xa, na, xb, nb = hit[before].sum(), before.sum(), hit[~before].sum(), (~before).sum()
    low, high = difference_ci(int(xa), int(na), int(xb), int(nb), 0.99)

    def mean(side: str) -> float:
        parts = [planted[s][side] for s in ("investigation_opened", "suspect_notified")]
        n = sum(p["cases"] for p in parts)
        return sum(p["cases"] * p["probabilities"][change["reason"]] for p in parts) / n

    assert low <= mean("before") - mean("after") <= high
    assert low > 0


# -- barriers where they are recorded --------------------------------------------------------
def _codings(rows: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit_id", "coder", "code", "present"]).assign(
        scheme="barrier", codebook_version="1.0"
    )


DOCUMENTS = pd.DataFrame(
    {
        "doc_id": ["A-D1", "C-D1", "C-D2", "D-D1", "E-D1", "F-D1", "H-D1"],
        "case_id": ["A", "C", "C", "D", "E", "F", "H"],
        "doc_type": [
            "closure_decision",
            "police_report",
            "closure_decision",
            "closure_decision",
            "judgment_first_instance",
            "judgment_appeal",
            "closure_decision",
        ],
    }
)


def test_codes_come_only_from_documents_of_the_type_and_count_by_group() -> None:
    codings = _codings(
        [
            ("A-D1", "a", "victim_left_country", 1),
            ("C-D1", "a", "victim_left_country", 1),  # a police report: not counted
            ("C-D2", "a", "victim_left_country", 0),
            ("D-D1", "a", "victim_left_country", 1),
            ("H-D1", "a", "victim_left_country", 1),
            ("E-D1", "a", "victim_left_country", 1),
            ("F-D1", "a", "victim_left_country", 0),
        ]
    )
    closure = dropout.document_codes(codings, DOCUMENTS, dropout.DOCUMENT_TYPES["closure_decision"])
    assert set(closure["case_id"]) == {"A", "C", "D", "H"}
    groups = dropout.closure_groups(STATUS, pooled=True)
    assert groups.to_dict() == {c: "closed" for c in ["A", "C", "D", "H"]}
    table = dropout.stage_prevalence(closure, groups, STATUS).set_index("country")
    # SE: A, C, D coded; A and D name it. FI: H names it.
    assert table.loc["SE", ["n_cases", "present"]].tolist() == [3, 2]
    low, high = proportion_confint(2, 3, alpha=0.05, method="wilson")
    assert table.loc["SE", "ci_low"] == pytest.approx(low)
    assert table.loc["SE", "ci_high"] == pytest.approx(high)
    by_stage = dropout.stage_prevalence(closure, dropout.closure_groups(STATUS), STATUS)
    assert set(by_stage["group"]) == {"reported", "investigation_opened", "suspect_notified"}
    judged = dropout.document_codes(codings, DOCUMENTS, dropout.DOCUMENT_TYPES["judgment"])
    outcome = dropout.judgment_groups(STATUS)
    assert outcome.to_dict() == {"E": "acquitted", "F": "convicted"}
    pooled = dropout.stage_prevalence(judged, outcome, STATUS, by=None).set_index("group")
    assert pooled["present"].to_dict() == {"acquitted": 1, "convicted": 0}
    with pytest.raises(CannotEstimate):
        dropout.document_codes(codings, DOCUMENTS, ["indictment"])


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_barriers_takeaway_says_what_the_design_cannot_show(lang: str) -> None:
    closure = pd.DataFrame(
        {
            "country": ["SE", "SE", "FI"],
            "group": "closed",
            "scheme": "barrier",
            "code": ["victim_left_country", "investigation_delay", "victim_left_country"],
            "n_cases": [100, 100, 30],
            "present": [40, 10, None],
            "proportion": [0.4, 0.1, None],
            "ci_low": [0.3, 0.05, None],
            "ci_high": [0.5, 0.17, None],
        }
    )
    text = tables.barriers_takeaway(
        closure, pd.Series({"acquitted": 7, "convicted": None}), lang=lang
    )
    words = tables.BARRIER_WORDS[lang]
    assert words["design"] in text and f"{words['barrier_shares']} (Finland)" in text
    assert "SE" not in text and {"en": "Sweden", "sv": "Sverige"}[lang] in text
    assert text.index("40") < text.index("10")  # most often first
    # A hidden count of judged cases is said once, in words, in the closing sentence.
    assert tables.SUPPRESSED not in text.split() and "x" not in re.findall(r"\w+", text)
    acquitted = words["judged_groups"]["acquitted"].format(n=7)
    assert words["judged"].format(items=acquitted) in text
    hidden = f"{words['judged_hidden']} ({words['judged_names']['convicted']})"
    assert text.count(words["judged_hidden"]) == 1 and text.endswith(hidden + ".")
    both = pd.Series({"acquitted": None, "convicted": None})
    text = tables.barriers_takeaway(closure, both, lang=lang)
    assert words["judged"].split("{")[0] not in text
    assert f"{words['judged_hidden']} ({', '.join(words['judged_names'].values())})" in text
    claims = text.replace(words["design"], "")  # outside the sentence on what it cannot show
    assert "more often" not in claims and "caus" not in claims and "orsak" not in claims


def test_judgment_prevalence_table_labels_acquitted_and_convicted() -> None:
    table = pd.DataFrame(
        {
            "group": ["acquitted", "convicted"],
            "scheme": "barrier",
            "code": "legal_interpretation",
            "n_cases": [10, 12],
            "present": [6, 2],
            "proportion": [0.6, 2 / 12],
            "ci_low": [0.3, 0.05],
            "ci_high": [0.8, 0.45],
            "confidence": 0.95,
        }
    )
    from cape_study.stats import barriers

    diff = barriers.prevalence_difference(table, groups=("acquitted", "convicted"))
    assert diff["difference"].iloc[0] == pytest.approx(0.6 - 2 / 12)
    sv = tables.format_prevalence(table, diff, lang="sv", groups=("acquitted", "convicted"))
    assert any(c.startswith("Frikänd") for c in sv.columns)
    assert any("frikända − fällda" in c for c in sv.columns)


def test_a_stage_nobody_reached_is_kept_when_the_matrix_is_protected() -> None:
    """A country where no case reached prosecution has no share there (0 of 0): its rows
    are kept, with zero counts, beside a published funnel with all its columns."""
    status = STATUS[STATUS["country"] == "FI"].assign(**{"reached_judgment_first_instance": False})
    funnel = attrition.suppress_funnel(
        attrition.funnel(status, by="country", steps=dropout.STAGES, overall=True),
        threshold=1,
        name="f",
        additive=["country"],
    )
    safe = dropout.suppress_matrix(dropout.matrix(status), funnel, threshold=1, name="m")
    assert safe["stage"].tolist() == dropout.STAGES
    assert safe.set_index("stage").loc["judgment_first_instance", "at_stage"] == 0


def test_a_difference_with_a_group_nobody_is_in_is_missing() -> None:
    from cape_study.stats import barriers

    table = pd.DataFrame(
        {
            "group": ["convicted"],
            "scheme": "barrier",
            "code": "legal_interpretation",
            "n_cases": [12],
            "present": [2],
            "confidence": 0.95,
        }
    )
    diff = barriers.prevalence_difference(table, groups=("acquitted", "convicted"))
    assert diff["difference"].isna().all() and len(diff) == 1


def test_the_victims_view_counts_victims_of_each_country_and_their_cases_outcomes() -> None:
    victims = pd.DataFrame(
        {
            "victim_id": ["v1", "v2", "v3", "v4", "v5"],
            "case_id": ["A", "A", "F", "E", "H"],
            "gave_statement": [True, None, True, False, True],
            "had_counsel": [False, False, True, True, None],
        }
    )
    table = dropout.victim_funnel(victims, STATUS).set_index(["country", "stage"])
    se, fi, both = table.loc["SE"], table.loc["FI"], table.loc["all"]
    assert se["n_cases"].unique().tolist() == [4] and fi["n_cases"].unique().tolist() == [1]
    assert se.loc["victim_statement", "reached"] == 2  # a blank is not a statement
    assert se.loc["victim_counsel", "reached"] == 2
    assert se.loc["victim_case_prosecuted", "reached"] == 2  # v3 (case F) and v4 (case E)
    assert se.loc["victim_case_convicted", "reached"] == 1  # v3: case F convicted
    assert (both["reached"] == se["reached"] + fi["reached"]).all()
    low, high = proportion_confint(2, 4, alpha=0.05, method="wilson")
    assert se.loc["victim_statement", "ci_low"] == pytest.approx(low)
    assert se.loc["victim_statement", "ci_high"] == pytest.approx(high)
    labels = tables.step_labels("sv")
    assert labels["victim_counsel"] == "Hade målsägandebiträde"


def test_the_matrix_splits_by_sampling_frame_and_gives_no_share_the_frame_implies() -> None:
    """A judgment sample reached every stage up to the judgment by selection: those rows
    are implied and have no share; moving on from the judgment (a conviction) is
    observed. Frames in a column split the matrix, each with its own implied stages."""
    m = dropout.matrix(STATUS, sampling_frame="judgments").set_index(["country", "stage"])
    assert set(m["sampling_frame"]) == {"judgments"}
    se = m.loc["SE"]
    assert se.loc[dropout.STAGES[:-1], "implied"].all()
    assert se.loc[dropout.STAGES[:-1], "proportion"].isna().all()
    judged = se.loc["judgment_first_instance"]
    assert not judged["implied"] and judged["proportion"] == 0.5  # E acquitted, F convicted
    frames = STATUS.assign(sampling_frame=["police_reports"] * 4 + ["prosecution_decisions"] * 4)
    split = dropout.matrix(frames, by=["country", "sampling_frame"]).set_index(
        ["country", "sampling_frame", "stage"]
    )
    reports = split.loc[("SE", "police_reports")]
    assert not reports["implied"].any() and reports.loc["reported", "at_stage"] == 4
    decisions = split.loc[("SE", "prosecution_decisions")]
    assert decisions.loc["investigation_opened", "implied"]
    assert not decisions.loc["suspect_notified", "implied"]  # on to prosecution: observed
    assert "implied" not in dropout.matrix(STATUS).columns  # no frame: all observed
    with pytest.raises(ValueError, match="unknown sampling frame"):
        dropout.matrix(STATUS, sampling_frame="press")
    text = tables.frame_note("judgments", lang="en")
    assert text.startswith("Sampling frame: Judgments.") and "Prosecuted" in text
    shown = tables.format_dropout(
        dropout.matrix(STATUS, sampling_frame="judgments").assign(suppressed=False), lang="en"
    )
    assert (shown.iloc[:-2, 3] == tables.NOT_ESTIMABLE).all()


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_stage_prevalence_heads_name_no_internal_group(lang: str) -> None:
    table = pd.DataFrame(
        {
            "country": ["SE", "FI"],
            "group": ["coded", "closed"],
            "scheme": "ilo_indicator",
            "code": "abuse_of_vulnerability",
            "n_cases": [12, 9],
            "present": [6, None],
            "proportion": [0.5, None],
            "ci_low": [0.25, None],
            "ci_high": [0.75, None],
        }
    )
    heads = list(tables.format_stage_prevalence(table, lang=lang).columns[1:])
    coded = labels.DROPOUT_HEAD[lang]["coded"]
    closed = tables.step_labels(lang)["closed"]
    sweden, finland = {"en": ("Sweden", "Finland"), "sv": ("Sverige", "Finland")}[lang]
    assert heads == [f"{finland}, {closed} (n = 9 {coded})", f"{sweden} (n = 12 {coded})"]
