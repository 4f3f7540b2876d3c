"""Legal elements (issue 19 item 3): the codebook's scheme and table, their intake with
located errors, the analysis checked against hand computations and statsmodels, and the
recovery of the element outcomes and the change at NJA 2022 s. 23 that synth plants."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from cape_study.data.codebook import load_codebook
from cape_study.data.loaders import check_case_file
from cape_study.errors import CannotEstimate
from cape_study.present import tables
from cape_study.privacy.disclosure import Disclosure
from cape_study.stats import elements, legal
from cape_study.synth.elements import ELEMENT_CHANGE, change_date
from cape_study.synth.generator import simulate

FIXTURE = Path(__file__).parent / "fixtures" / "judgments"
FI1, APP = "judgment_first_instance", "judgment_appeal"
MH, ME, VS = "manniskohandel", "manniskoexploatering", "vulnerable_situation"


# -- the codebook -----------------------------------------------------------------------------
def test_every_element_belongs_to_offences_and_reads_in_three_languages() -> None:
    book = load_codebook()
    belongs = book.element_offences()
    offences = set(book.codes("offence"))
    assert {"act", "means_coercion_deception", "vulnerable_situation"} <= set(belongs)
    assert all(o and set(o) <= offences for o in belongs.values())
    # trafficking: act, means, purpose; exploitation: vulnerability and conditions
    for offence in ("manniskohandel", "ihmiskauppa"):
        assert {"act", "vulnerable_situation", "exploitation_purpose"} <= {
            e for e, o in belongs.items() if offence in o
        }
    for offence in ("manniskoexploatering", "kiskonnantapainen_tyosyrjinta"):
        assert {"vulnerable_situation", "exploitative_conditions"} <= {
            e for e, o in belongs.items() if offence in o
        }
    for code in book.scheme("legal_element").codes:
        assert code.label.fi and code.definition.fi and code.law
    assert book.codes("element_result") == list(elements.RESULTS)
    assert book.table("elements").required is False


# -- intake -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fixture_case():
    result = check_case_file(FIXTURE, read_documents=False)
    assert result.ok, result.report()
    return result.case_file


def test_the_fixture_records_elements_of_its_judgments(fixture_case) -> None:
    el = fixture_case.elements
    assert len(el) >= 40 and set(el["result"]) == set(elements.RESULTS)
    assert el["quote"].notna().sum() >= 5
    assert {"SE", "FI"} == set(
        el["case_id"].map(fixture_case.cases.set_index("case_id")["country"])
    )


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    shutil.copytree(FIXTURE, folder, ignore=shutil.ignore_patterns("documents"))
    return folder


def test_a_case_file_without_elements_still_loads(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "elements.csv").unlink()
    result = check_case_file(folder, read_documents=False)
    assert result.ok, result.report()
    assert result.case_file.elements.empty
    assert list(result.case_file.elements.columns) == list(
        load_codebook().table("elements").columns
    )


def test_bad_element_rows_are_located_problems(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    good = pd.read_csv(folder / "elements.csv", dtype=str, keep_default_na=False)
    bad = pd.DataFrame(
        [
            # an element of trafficking, not of människoexploatering
            ["SE-J02", "S-J02", FI1, ME, "act", "proven"],
            # an unknown defendant
            ["SE-J02", "S-NOBODY", FI1, ME, "intent", "proven"],
            # no appeal judgment of this offence for this defendant
            ["SE-J02", "S-J02", APP, ME, "intent", "proven"],
            # not a code
            ["SE-J06", "S-J06", FI1, ME, "intent", "maybe"],
            # not a judgment
            ["SE-J06", "S-J06", "prosecuted", ME, "intent", "proven"],
        ],
        columns=list(good.columns[:6]),
    ).assign(quote="")
    pd.concat([good, bad]).to_csv(folder / "elements.csv", index=False)
    result = check_case_file(folder, read_documents=False)
    problems = result.problems.copy()
    assert set(problems["file"]) == {"elements.csv"}
    first = len(good) + 2  # the header is row 1
    found = {(int(r), c) for r, c in zip(problems["row"], problems["column"], strict=True)}
    assert (first, "element") in found
    assert (first + 1, "suspect_id") in found
    assert (first + 2, "offence") in found
    assert (first + 3, "result") in found
    assert (first + 4, "stage") in found
    expected = problems.set_index(["row", "column"])["expected"]
    assert "element of the row's offence" in expected[(first, "element")]
    assert "judgment row" in expected[(first + 2, "offence")]
    assert "element_result" in expected[(first + 3, "result")]


# -- the analysis on a small frame, against hand computation --------------------------------------
def _rows(records: list[tuple]) -> pd.DataFrame:
    columns = ["case_id", "suspect_id", "stage", "offence", "element", "result", "country", "date"]
    frame = pd.DataFrame(records, columns=columns)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


SMALL = _rows(
    [
        ("c1", "s1", FI1, MH, VS, "not_proven", "SE", "2020-01-01"),
        ("c1", "s1", FI1, MH, "act", "proven", "SE", "2020-01-01"),
        ("c1", "s1", APP, MH, VS, "proven", "SE", "2020-09-01"),
        ("c1", "s1", APP, MH, "act", "proven", "SE", "2020-09-01"),
        ("c2", "s2", FI1, MH, VS, "not_proven", "SE", "2021-01-01"),
        ("c2", "s2", FI1, MH, "act", "not_assessed", "SE", "2021-01-01"),
        ("c2", "s2", APP, MH, VS, "not_proven", "SE", "2021-06-01"),
        ("c3", "s3", FI1, ME, VS, "proven", "SE", "2023-01-01"),
        ("c3", "s3", FI1, ME, "intent", "unknown", "SE", "2023-01-01"),
        ("c4", "s4", FI1, ME, VS, "not_proven", "SE", "2023-05-01"),
        ("c4", "s4", APP, ME, VS, "proven", "SE", "2023-11-01"),
        ("c5", "s5", FI1, "ihmiskauppa", VS, "proven", "FI", "2019-01-01"),
    ]
)


def test_failure_table_counts_not_proven_among_the_assessed() -> None:
    table = elements.failure_table(SMALL, confidence=0.9).set_index(["country", "stage", "element"])
    row = table.loc[("SE", FI1, "vulnerable_situation")]
    # c1, c2, c4 not proven; c3 proven: 3 of 4
    assert (row["n_rows"], row["not_proven"], row["n_assessed"]) == (4, 3, 4)
    low, high = proportion_confint(3, 4, alpha=0.1, method="wilson")
    assert row["proportion"] == 0.75
    assert np.isclose(row["ci_low"], low) and np.isclose(row["ci_high"], high)
    act = table.loc[("SE", FI1, "act")]
    assert (act["n_rows"], act["n_assessed"], act["not_assessed"]) == (2, 1, 1)
    intent = table.loc[("SE", FI1, "intent")]
    assert intent["n_assessed"] == 0 and np.isnan(intent["proportion"])


def test_instances_disagree_on_the_same_defendant_offence_and_element() -> None:
    table = elements.instance_disagreement(SMALL).set_index(["country", "element"])
    row = table.loc[("SE", "vulnerable_situation")]
    # c1 and c4 not proven then proven, c2 not proven at both
    assert (row["n_pairs"], row["agree"], row["not_then_proven"], row["proven_then_not"]) == (
        3,
        1,
        2,
        0,
    )
    assert row["proportion"] == pytest.approx(2 / 3)
    assert table.loc[("SE", "act"), "n_pairs"] == 1  # c1; c2's act was not assessed


def test_before_and_after_a_date_with_newcombes_interval() -> None:
    change = legal.legal_changes(["SE:2022-02-15"])
    table = elements.before_after(
        SMALL, change, elements=["vulnerable_situation"], confidence=0.95
    ).iloc[0]
    # before: c1 FI1 np, c1 APP p, c2 FI1 np, c2 APP np -> 3/4; after: c3 p, c4 np, c4 p -> 1/3
    assert (table["not_proven_before"], table["n_assessed_before"]) == (3, 4)
    assert (table["not_proven_after"], table["n_assessed_after"]) == (1, 3)
    assert table["difference"] == pytest.approx(3 / 4 - 1 / 3)
    # Newcombe (1998) method 10 from the two Wilson intervals, written out
    l1, u1 = proportion_confint(3, 4, alpha=0.05, method="wilson")
    l2, u2 = proportion_confint(1, 3, alpha=0.05, method="wilson")
    p1, p2 = 3 / 4, 1 / 3
    low = p1 - p2 - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = p1 - p2 + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    assert table["ci_low"] == pytest.approx(low) and table["ci_high"] == pytest.approx(high)


def test_no_elements_cannot_be_estimated(fixture_case) -> None:
    with pytest.raises(CannotEstimate) as info:
        elements.element_rows(
            fixture_case.elements.iloc[:0], fixture_case.cases, fixture_case.events
        )
    assert info.value.reason == "no_elements"


def test_the_fixture_reads_as_written(fixture_case) -> None:
    rows = elements.element_rows(fixture_case.elements, fixture_case.cases, fixture_case.events)
    assert rows["date"].notna().all()
    table = elements.failure_table(rows).set_index(["country", "stage", "element"])
    # SE first instance, vulnerable situation: J01 trafficking np and ocker p, J02 p,
    # J03 (exploitation) p, J05a p, J08 p, J09 np; J04 unknown
    row = table.loc[("SE", FI1, "vulnerable_situation")]
    assert (row["not_proven"], row["n_assessed"], row["unknown"]) == (2, 7, 1)
    pairs = elements.instance_disagreement(rows).set_index(["country", "element"])
    # J05a proven then not proven, J09 not proven then proven, J03 and J01 (ocker) agree
    vulnerable = pairs.loc[("SE", "vulnerable_situation")]
    assert (vulnerable["proven_then_not"], vulnerable["not_then_proven"]) == (1, 1)


def test_published_tables_hide_small_counts() -> None:
    audit = Disclosure()
    safe = elements.suppress_elements(
        elements.failure_table(SMALL),
        "not_proven",
        "n_assessed",
        threshold=3,
        name="elements",
        audit=audit,
    ).set_index(["country", "stage", "element"])
    # 3 of 4: the complement 1 is small, so the count and its share are hidden
    assert pd.isna(safe.loc[("SE", FI1, "vulnerable_situation"), "proportion"])
    assert "proven" not in safe.columns and "n_rows" not in safe.columns
    assert audit.records("elements")
    ba = elements.suppress_before_after(
        elements.before_after(SMALL, legal.legal_changes(["SE:2022-02-15"])),
        threshold=3,
        name="before/after",
    )
    assert ba["difference"].isna().all()


# -- recovery of what synth plants ---------------------------------------------------------------
@pytest.fixture(scope="module")
def planted():
    """A Swedish synthetic case file, big enough for the judgments to show the change."""
    sim = simulate(8000, 19, share_fi=0.0, coded_cases=0)
    t = {k: v.replace("", pd.NA) for k, v in sim.tables.items()}
    events = t["events"].assign(date=lambda d: pd.to_datetime(d["date"]))
    rows = elements.element_rows(t["elements"], t["cases"], events)
    return rows, sim.truth["element_outcomes"]


def _planted(truth: dict, stage: str, element: str, side: str, offences=None) -> tuple:
    cells = [
        sides[side]
        for offence, by_element in truth["by_country_stage_offence_element_side"]["SE"][
            stage
        ].items()
        if offences is None or offence in offences
        for e, sides in by_element.items()
        if e == element and side in sides
    ]
    return sum(c["not_proven"] for c in cells), sum(c["assessed"] for c in cells)


@pytest.mark.parametrize(
    "element", ["vulnerable_situation", "means_coercion_deception", "disproportionate_benefit"]
)
def test_synth_element_outcomes_are_recovered_within_their_intervals(planted, element) -> None:
    """The share not proven among assessed elements at first instance holds, in its 99 %
    Wilson interval, the planted expected share (expected not proven over expected
    assessed, from each judgment's outcome and the failing-element weights)."""
    rows, truth = planted
    table = elements.failure_table(rows, confidence=0.99).set_index(["country", "stage", "element"])
    row = table.loc[("SE", FI1, element)]
    not_proven = sum(_planted(truth, FI1, element, s)[0] for s in ("before", "after"))
    assessed = sum(_planted(truth, FI1, element, s)[1] for s in ("before", "after"))
    assert row["n_assessed"] >= 30
    assert row["ci_low"] <= not_proven / assessed <= row["ci_high"], (row, not_proven / assessed)


def test_synth_change_at_nja_2022_s23_is_recovered(planted) -> None:
    """Before NJA 2022 s. 23 (its date from reference/legal_changes.yaml) a vulnerable
    situation was planted to fail more often in Swedish trafficking and exploitation
    judgments: the 99 % Newcombe interval of the difference before minus after holds the
    planted difference and excludes zero."""
    rows, truth = planted
    assert truth["change"]["date"] == change_date().isoformat() == "2022-02-15"
    offences = ELEMENT_CHANGE["offences"]
    mine = rows[rows["offence"].isin(offences)]
    change = legal.legal_changes([ELEMENT_CHANGE["change"]])
    table = elements.before_after(
        mine, change, elements=["vulnerable_situation"], confidence=0.99
    ).iloc[0]
    stages = ("judgment_first_instance", "judgment_appeal", "judgment_supreme")

    def share(side: str) -> float:
        parts = [_planted(truth, s, "vulnerable_situation", side, offences) for s in stages]
        return sum(p[0] for p in parts) / sum(p[1] for p in parts)

    assert table["ci_low"] <= share("before") - share("after") <= table["ci_high"], table
    assert table["ci_low"] > 0


def test_tables_read_in_swedish_and_english() -> None:
    failures = elements.suppress_elements(
        elements.failure_table(SMALL), "not_proven", "n_assessed", threshold=1, name="e"
    )
    en = tables.format_element_failures(failures, lang="en")
    sv = tables.format_element_failures(failures, lang="sv")
    assert list(en.iloc[0, :3]) == [
        "Act (recruitment, transport, harbouring ...)",
        "Judgment of the district court (tingsrätt / käräjäoikeus)",
        "Sweden",
    ]
    assert sv.columns[0] == "Rekvisit" and sv.iloc[0, 2] == "Sverige"
    intent = en[en.iloc[:, 0] == "Intent"].iloc[0]
    assert str(intent.iloc[3]) == "0" and intent.iloc[4] == "–"  # c3's intent unknown: no share
    change = elements.suppress_before_after(
        elements.before_after(SMALL, legal.legal_changes(["SE:2022-02-15"]), elements=[VS]),
        threshold=1,
        name="c",
    )
    row = tables.format_element_change(change, lang="sv").iloc[0]
    assert row.iloc[1].startswith("3 av 4") and "före 2022-02-15" in row.index[1]
