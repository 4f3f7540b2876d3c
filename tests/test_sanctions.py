"""Sanctions by offence family and country (issue 19 item 6), checked against a hand count
of the sixteen invented judgments (tests/fixtures/judgments/sanctions.csv)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from cape_study.data.loaders import check_case_file
from cape_study.errors import CannotEstimate
from cape_study.privacy.disclosure import Disclosure
from cape_study.stats import sanctions

FIXTURE = Path(__file__).parent / "fixtures" / "judgments"


@pytest.fixture(scope="module")
def case():
    result = check_case_file(FIXTURE, read_documents=False)
    assert result.ok, result.report()
    return result.case_file


@pytest.fixture(scope="module")
def sentenced(case) -> pd.DataFrame:
    return sanctions.sentences(case.sanctions, case.events, case.cases)


def test_each_defendant_counts_once_with_the_sanction_that_stands(sentenced) -> None:
    rows = sentenced.set_index("suspect_id")
    assert rows.index.is_unique and len(rows) == 19
    # SE-J05: first instance, appeal and supreme court; the supreme court's stands
    assert rows.loc["S-J05a", "stage"] == "judgment_supreme"
    assert rows.loc["S-J05a", ["family", "prison_months"]].tolist() == ["trafficking", 48]
    # SE-J08: acquitted of trafficking, convicted of a drug offence: another offence
    assert rows.loc["S-J08", "family"] == "other"
    # SE-J01a: conditional sentence and 120 day fines on appeal (ocker)
    assert rows.loc["S-J01a", ["conditional", "day_fines", "prison"]].tolist() == [True, 120, False]
    # damages summed over the victims, in the currency written
    assert rows.loc["S-J02", ["damages", "currency"]].tolist() == [215000, "sek"]
    assert rows.loc["S-F03", ["damages", "currency"]].tolist() == [30000, "eur"]
    assert pd.isna(rows.loc["S-J07a", "prison_months"]) and rows.loc["S-J07a", "prison"]


def test_sanctions_by_country_and_family_match_a_hand_count(sentenced) -> None:
    table = sanctions.sanction_table(sentenced).set_index(["country", "family"])
    se = table.loc[("SE", "exploitation")]
    # prison 14, 18, 28, 30 months: median 23, quartiles 17 and 28.5 (linear)
    assert (se["n_sentenced"], se["n_prison"]) == (4, 4)
    assert (se["prison_median"], se["prison_q1"], se["prison_q3"]) == (23, 17, 28.5)
    assert (se["n_damages"], se["damages_median"], se["currency"]) == (1, 215000, "sek")
    other = table.loc[("SE", "other")]
    assert (other["n_sentenced"], other["n_prison"], other["prison_median"]) == (5, 2, 6)
    assert (other["n_conditional"], other["n_day_fines"], other["day_fines_median"]) == (1, 1, 120)
    assert other["n_damages"] == 0 and pd.isna(other["damages_median"])
    fi = table.loc[("FI", "trafficking")]
    assert (fi["n_sentenced"], fi["prison_median"], fi["prison_q1"], fi["prison_q3"]) == (
        3,
        30,
        28,
        35,
    )
    exploitation = table.loc[("FI", "exploitation")]
    assert (exploitation["n_prison"], exploitation["n_conditional"]) == (0, 2)
    assert (exploitation["damages_median"], exploitation["currency"]) == (24000, "eur")
    assert table.loc[("SE", "trafficking"), "n_sentenced"] == 1


def test_published_sanctions_hide_small_counts_and_their_medians(sentenced) -> None:
    audit = Disclosure()
    safe = sanctions.suppress_sanctions(
        sanctions.sanction_table(sentenced), threshold=3, name="sanctions", audit=audit
    ).set_index(["country", "family"])
    se = safe.loc[("SE", "exploitation")]
    assert se["n_prison"] == 4 and se["prison_median"] == 23
    assert pd.isna(se["damages_median"]) and pd.isna(se["n_damages"])  # one defendant
    assert pd.isna(safe.loc[("SE", "other"), "prison_median"])  # 2 of 5
    assert audit.records("sanctions")


def test_no_sanction_cannot_be_estimated(case) -> None:
    with pytest.raises(CannotEstimate) as info:
        sanctions.sentences(case.sanctions.iloc[:0], case.events, case.cases)
    assert info.value.reason == "no_sanctions"


def test_the_table_reads_in_swedish_and_english(sentenced) -> None:
    from cape_study.present import tables

    table = sanctions.sanction_table(sentenced).assign(suppressed=False)
    en = tables.format_sanctions(table, lang="en")
    sv = tables.format_sanctions(table, lang="sv")
    assert en.columns[2] == "Defendants sentenced" and sv.columns[2] == "Dömda tilltalade"
    first = en.iloc[0]  # trafficking first, Sweden beside Finland
    assert first.iloc[1] == "Sweden" and en.iloc[1, 1] == "Finland"
    fi = en.iloc[1]
    assert fi.iloc[4] == "30 (28–35)" and fi.iloc[-1] == "30,000 EUR"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("SE-J01,S-J01a,reported,day_fines,120,day_fines,", "a judgment instance"),
        ("SE-J01,S-J01a,judgment_supreme,day_fines,120,day_fines,", "an instance the events"),
        ("SE-J01,S-F01,judgment_appeal,day_fines,120,day_fines,", "an instance the events"),
    ],
)
def test_a_sanction_without_its_judgment_is_a_located_problem(
    tmp_path: Path, row: str, expected: str
) -> None:
    """A sanction at no judgment, at an instance the case never reached, or of another
    case's defendant was read (and a supreme one would have stood as the final one)."""
    folder = shutil.copytree(FIXTURE, tmp_path / "j")
    with (folder / "sanctions.csv").open("a", encoding="utf-8") as f:
        f.write(row + "\n")
    result = check_case_file(folder, read_documents=False)
    assert not result.ok
    rows = len((FIXTURE / "sanctions.csv").read_text(encoding="utf-8").splitlines()) + 1
    found = {(p.file, p.row, p.column) for p in result.problems.itertuples()}
    assert ("sanctions.csv", rows, "stage") in found, result.report()
    assert {f[:2] for f in found} == {("sanctions.csv", rows)}, result.report()
    assert any(p.expected.startswith(expected) for p in result.problems.itertuples())
    # One wrong cell, one message (a stage that is no judgment was also "not judged").
    at_stage = result.problems[result.problems["column"] == "stage"]
    assert len(at_stage) == 1, result.report()
