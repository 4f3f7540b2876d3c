"""Codebook 2.0: what real judgments say (sanctions, courts, case numbers, degrees,
offence families across the two countries, offence-victim links, unknown outcomes,
the sample) validates, analyses as defined in the codebook, and version-1 files load."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from conftest import DOCUMENT_TEXTS, write_case_file
from test_reading import check, refused

from cape_study.data.codebook import CodebookError, load_codebook
from cape_study.data.loaders import check_case_file
from cape_study.privacy.keys import PseudonymKey
from cape_study.privacy.masking import protect
from cape_study.stats.attrition import case_status, reclassified

BOOK = load_codebook()


def write_tables(folder: Path, tables: dict[str, list[dict]]) -> Path:
    """Write each table with the union of its rows' columns (v2 columns included)."""
    write_case_file(folder, {}, DOCUMENT_TEXTS)
    for name, rows in tables.items():
        columns = list(dict.fromkeys(c for r in rows for c in r)) or ["case_id"]
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return folder


def v2(tables: dict, frame: str = "police_reports") -> dict:
    tables = {k: [dict(r) for r in v] for k, v in tables.items()}
    tables["sample"] = [{"sampling_frame": frame, "codebook_version": "2.0"}]
    for row in tables["codings"]:
        row["codebook_version"] = "2.0"
    return tables


def judged(case: str, suspect: str, stage: str, date: str, offence: str, outcome: str, **kw):
    return {
        "case_id": case,
        "suspect_id": suspect,
        "stage": stage,
        "date": date,
        "offence": offence,
        "outcome": outcome,
        **kw,
    }


# -- families and statutes -----------------------------------------------------------------
def test_families_line_up_across_the_two_countries() -> None:
    family = {c.code: c.family for c in BOOK.scheme("offence").codes}
    assert family["manniskoexploatering"] == family["kiskonnantapainen_tyosyrjinta"]
    assert family["kiskonnantapainen_tyosyrjinta"] == "exploitation"
    assert BOOK.codes("offence_family") == [
        "trafficking",
        "exploitation",
        "work_environment",
        "economic",
        "other",
    ]
    for f in BOOK.codes("offence_family"):  # every family exists in both countries' law
        assert BOOK.applies_in("offence_family", f, "SE") and BOOK.applies_in(
            "offence_family", f, "FI"
        )
    assert not BOOK.applies_in("offence", "manniskoexploatering", "FI")  # not 0 %: n/a
    assert BOOK.applies_in("outcome", "convicted_exploitation", "FI")
    for code in BOOK.scheme("offence").codes:
        if code.code != "annat_brott":
            assert code.law and code.country in {"SE", "FI"}, code.code
    labels = BOOK.scheme("offence").get("kiskonnantapainen_tyosyrjinta").label
    assert labels.fi is None or "työsyrjintä" in labels.fi


def test_an_unknown_case_file_version_is_a_located_problem(case_dir: Path, tables) -> None:
    tables = v2(tables)
    tables["sample"][0]["codebook_version"] = "3.0"
    result, _ = refused(write_tables(case_dir, tables))
    row = result.problems.iloc[0]
    assert (row["file"], row["row"], row["column"]) == ("sample.csv", 2, "codebook_version")
    assert "reads versions 2.0, 1.0" in row["expected"]
    with pytest.raises(CodebookError):
        BOOK.migration("0.9")


@pytest.mark.parametrize("written", ["2", "2,0"])
def test_a_version_written_as_a_number_says_to_write_it_as_text(
    case_dir: Path, tables, written: str
) -> None:
    """Excel keeps a typed 2.0 as the number 2: the refusal says what to type."""
    tables = v2(tables)
    tables["sample"][0]["codebook_version"] = written
    result, _ = refused(write_tables(case_dir, tables))
    row = result.problems.iloc[0]
    assert (row["row"], row["column"]) == (2, "codebook_version")
    assert "write 2.0 as text" in row["expected"]


def test_a_second_sample_row_is_a_located_problem(case_dir: Path, tables) -> None:
    """One row describes the case file: a second one (another frame) is refused, not
    silently ignored."""
    tables = v2(tables)
    tables["sample"].append({"sampling_frame": "judgments", "codebook_version": "2.0"})
    result, _ = refused(write_tables(case_dir, tables))
    assert len(result.problems) == 1
    row = result.problems.iloc[0]
    assert (row["file"], row["row"], row["column"]) == ("sample.csv", 3, "sampling_frame")
    assert "one row" in row["expected"]


# -- version 1 -------------------------------------------------------------------------------
def test_a_version_1_file_loads_with_a_note_and_its_finnish_convictions_move(
    case_dir: Path, tables
) -> None:
    tables["cases"][2]["offence_reported"] = "kiskonnantapainen_tyosyrjinta"
    tables["events"] += [
        {"case_id": "FI-1", "suspect_id": "S-4", "stage": "suspect_notified", "date": "2021-03-01"},
        judged("FI-1", "S-4", "prosecuted", "2021-06-01", "kiskonnantapainen_tyosyrjinta", ""),
        judged(
            "FI-1",
            "S-4",
            "judgment_first_instance",
            "2021-11-01",
            "kiskonnantapainen_tyosyrjinta",
            "convicted_other",
        ),
    ]
    write_case_file(case_dir, tables)  # no sample table: codebook 1.0
    result = check(case_dir)
    assert result.ok, result.report()
    assert any(
        "written for codebook version 1.0" in n and "(1 outcome(s)" in n for n in result.notes
    )
    case = result.case_file
    assert case.sampling_frame == "police_reports"
    assert set(case.codings["codebook_version"]) == {"2.0"}
    status = case_status(case.cases, case.events).set_index("case_id")
    assert status.loc["FI-1", "outcome"] == "convicted_exploitation"
    # the same row in a version-2 file is a family mismatch, located
    result, _ = refused(write_tables(case_dir, v2(tables)))
    row = result.problems.iloc[0]
    assert (row["file"], row["column"], row["value"]) == (
        "events.csv",
        "outcome",
        "convicted_other",
    )


# -- judgments ---------------------------------------------------------------------------------
def _judgment_case(tables: dict) -> dict:
    """SE-1: trafficking charged, aggravated människoexploatering in the alternative and
    a separate drug charge; the court convicts of both lesser offences."""
    t = v2(tables, "judgments")
    t["events"] = [r for r in t["events"] if r["case_id"] != "SE-1" or r["stage"] in ("reported",)]
    t["events"] += [
        judged("SE-1", "S-1", "prosecuted", "2019-09", "manniskohandel", "", degree="ordinary"),
        judged("SE-1", "S-1", "prosecuted", "2019-09", "manniskoexploatering", "", alternative="1"),
        judged("SE-1", "S-1", "prosecuted", "2019-09", "narkotikabrott", ""),
        judged(
            "SE-1",
            "S-1",
            "judgment_first_instance",
            "2019-12-01",
            "manniskohandel",
            "acquitted",
            court="Malmö tingsrätt",
            court_case_number="B 1770-19",
        ),
        judged(
            "SE-1",
            "S-1",
            "judgment_first_instance",
            "2019-12-01",
            "manniskoexploatering",
            "convicted_exploitation",
            degree="aggravated",
            counts="2",
            n_victims="2",
            court="Malmö tingsrätt",
            court_case_number="B 1770-19",
            source="judgment",
        ),
        judged(
            "SE-1",
            "S-1",
            "judgment_first_instance",
            "2019-12-01",
            "narkotikabrott",
            "convicted_other",
            court="Malmö tingsrätt",
            court_case_number="B 1770-19",
        ),
        judged("SE-1", "S-1", "judgment_appeal", "2020", "manniskoexploatering", "unknown"),
    ]
    t["sanctions"] = [
        {
            "case_id": "SE-1",
            "suspect_id": "S-1",
            "stage": "judgment_first_instance",
            "sanction": "prison",
            "amount": "30",
            "unit": "months",
        },
        {
            "case_id": "SE-1",
            "suspect_id": "S-1",
            "stage": "judgment_first_instance",
            "sanction": "damages",
            "amount": "85000",
            "unit": "sek",
            "victim_id": "V-1",
        },
    ]
    t["offence_victims"] = [
        {"case_id": "SE-1", "suspect_id": "S-1", "offence": "manniskoexploatering", "victim_id": v}
        for v in ("V-1", "V-2")
    ]
    t["cases"][0]["police_case_number"] = "5000-K123456-19"
    t["cases"][0]["n_potential_victims"] = "150"
    for v in t["victims"]:
        v["status"] = "injured_party"
    return t


def test_a_judgment_with_sanctions_links_and_an_unknown_appeal(case_dir: Path, tables) -> None:
    result = check(write_tables(case_dir, _judgment_case(tables)))
    assert result.ok, result.report()
    case = result.case_file
    assert case.sampling_frame == "judgments"
    assert len(case.sanctions) == 2 and len(case.offence_victims) == 2
    events = case.events.set_index(["stage", "offence"]).sort_index()
    assert events.loc[("prosecuted", "manniskohandel"), "date_precision"].iloc[0] == "month"
    status = case_status(case.cases, case.events).set_index("case_id")
    # the appeal's outcome is not known: the case's final outcome is unknown, not acquitted
    assert status.loc["SE-1", "outcome"] == "unknown"
    # protected: case numbers are pseudonymised like ids, and never kept as written
    safe, record = protect(case, PseudonymKey(b"k" * 40, "test"))
    numbers = safe.events["court_case_number"].dropna()
    assert len(numbers) == 3 and numbers.nunique() == 1 and "1770" not in numbers.iloc[0]
    assert "5000-K" not in str(safe.cases["police_case_number"].iloc[0])
    assert record["pseudonymised"]["events.court_case_number"] == 1


def test_reclassification_follows_the_codebook_definition(case_dir: Path, tables) -> None:
    t = _judgment_case(tables)
    t["events"] = [r for r in t["events"] if r["stage"] != "judgment_appeal"]
    case = check(write_tables(case_dir, t)).case_file
    # trafficking charged, convicted of aggravated människoexploatering in the alternative
    assert reclassified(case.cases, case.events) == {"SE-1"}
    # the drug conviction alone (a principal charge of its own) is no reclassification
    t["events"] = [r for r in t["events"] if r.get("offence") != "manniskoexploatering"]
    for link in t["offence_victims"]:  # the victims now of the trafficking charge
        link["offence"] = "manniskohandel"
    case = check(write_tables(case_dir, t)).case_file
    assert reclassified(case.cases, case.events) == set()
    assert "reclassification" in BOOK.definitions


def test_an_alternative_not_tried_is_no_outcome(case_dir: Path, tables) -> None:
    tables["events"][6].update(outcome="convicted_trafficking")  # the appeal upholds
    tables["events"].insert(
        6,
        judged("SE-1", "S-1", "judgment_first_instance", "2019-12-01", "ocker", "not_tried"),
    )
    write_case_file(case_dir, tables)
    case = check(case_dir).case_file
    status = case_status(case.cases, case.events).set_index("case_id")
    assert status.loc["SE-1", "outcome"] == "convicted_trafficking"
    assert not status.loc["SE-1", "reclassified"]


# -- consistency -------------------------------------------------------------------------------
def test_records_that_contradict_each_other_are_located(case_dir: Path, tables) -> None:
    tables["cases"][0]["n_victims"] = "3"  # two victim rows
    tables["events"] = [r for r in tables["events"] if r["stage"] != "judgment_first_instance"]
    tables["events"].append(
        judged("SE-2", "", "judgment_first_instance", "2020-09-01", "ocker", "acquitted")
    )
    write_case_file(case_dir, tables)
    result, _ = refused(case_dir)
    found = {(p.file, p.row, p.column): p.expected for p in result.problems.itertuples()}
    assert (
        "the number of the case's rows in the victims table" in found[("cases.csv", 2, "n_victims")]
    )
    appeal = found[("events.csv", 7, "stage")]
    assert appeal.startswith("a judgment of the instance below for the same suspect")
    assert "a judgment concerns a defendant" in found[("events.csv", 12, "suspect_id")]


def test_unknown_counts_are_blank_not_zero(case_dir: Path, tables) -> None:
    tables["cases"][2].update(n_victims="", n_suspects="", police_region="unknown")
    write_case_file(case_dir, tables)
    result = check(case_dir)
    assert result.ok, result.report()
    assert result.case_file.cases["n_victims"].isna().sum() == 1


# -- the generator -----------------------------------------------------------------------------
def test_the_generator_writes_codebook_2_and_a_judgment_sample(tmp_path: Path) -> None:
    from cape_study.synth.scenarios import write_scenario

    folder = write_scenario("judgments-only", tmp_path / "j")
    case = check(folder).case_file
    assert case.sampling_frame == "judgments"
    assert set(case.cases["report_date_precision"]) == {"day", "year"}
    charged = case.events[case.events["stage"] == "prosecuted"]
    assert set(charged["date_precision"]) == {"month"}
    assert len(case.sanctions) and len(case.offence_victims)
    assert set(case.victims["status"]) == {"injured_party", "potential_victim"}
    assert case.events["court"].notna().any() and case.cases["police_case_number"].notna().all()


# -- pending decisions -------------------------------------------------------------------------
def test_a_pending_appeal_and_charge_are_pending_not_a_default(case_dir: Path, tables) -> None:
    from cape_study.stats.attrition import event_times, funnel

    tables["events"][6].update(outcome="pending")  # SE-1's appeal not yet decided
    tables["events"] += [  # FI-1: suspect notified, the charging decision pending
        {"case_id": "FI-1", "suspect_id": "S-4", "stage": "suspect_notified", "date": "2021-05-01"},
        judged("FI-1", "S-4", "prosecuted", "2021-09-01", "ihmiskauppa", "pending"),
    ]
    write_case_file(case_dir, tables)
    result = check(case_dir)
    assert result.ok, result.report()
    case = result.case_file
    status = case_status(case.cases, case.events).set_index("case_id")
    # the first-instance conviction is not final: pending, not convicted nor acquitted
    assert status.loc["SE-1", "outcome"] == "pending" and status.loc["SE-1", "end"] == "pending"
    assert status.loc["SE-1", "reached_judgment_first_instance"]
    assert not status.loc["SE-1", "reached_judgment_appeal"]
    # a charging decision pending does not reach prosecution, nor count as one in time
    assert status.loc["FI-1", "furthest_stage"] == "suspect_notified"
    assert status.loc["FI-1", "outcome"] == "pending"
    times = event_times(case.cases, case.events, "2024-12-31").set_index("case_id")
    assert times.loc["FI-1", "event"] == "censored"
    table = funnel(status.reset_index(), by=None).set_index("stage")
    assert table.loc["pending", "reached"] == 2
    assert table.loc["acquitted", "reached"] == 0
    assert table.loc["prosecuted", "reached"] == 1
    assert BOOK.label("outcome", "pending", "fi") == "Ratkaisu odottaa"


def test_pending_outside_a_decision_is_a_located_problem(case_dir: Path, tables) -> None:
    tables["events"][2].update(outcome="pending")  # on suspect_notified: no decision there
    tables["events"][3].update(outcome="acquitted")  # a prosecution has no outcome but pending
    write_case_file(case_dir, tables)
    result, _ = refused(case_dir)
    found = {(p.file, p.row, p.column): p.expected for p in result.problems.itertuples()}
    for row in (4, 5):
        assert found[("events.csv", row, "outcome")].startswith("an outcome only at a judgment")


def test_pending_before_a_later_decision_is_a_located_problem(case_dir: Path, tables) -> None:
    """A judgment or appeal cannot follow a decision not yet taken: pending on the
    charge or the first-instance judgment of an offence appealed later is refused; a
    pending alternative charge that no judgment names is read."""
    tables["events"][3].update(outcome="pending")  # charged, then judged: row 5
    tables["events"][4].update(outcome="pending")  # the alternative: no later row
    tables["events"][5].update(outcome="pending")  # first instance, then appealed: row 7
    write_case_file(case_dir, tables)
    result, _ = refused(case_dir)
    found = {(p.row, p.column): p.expected for p in result.problems.itertuples()}
    assert set(found) == {(5, "outcome"), (7, "outcome")}, found
    assert all(e.startswith("pending only on the last decision") for e in found.values())


def test_offence_names_and_provisions_record_what_was_checked() -> None:
    offences = BOOK.scheme("offence")
    # corrected against the statute text: the degrees in their own sections are named
    assert offences.get("narkotikabrott").law == "1–3 §§ narkotikastrafflagen (1968:64)"
    assert offences.get("bedrageri").law == "9 kap. 1–3 §§ brottsbalken"
    checked = {c.code for c in offences.codes if c.sources}
    assert {"manniskoexploatering", "kiskonnantapainen_tyosyrjinta", "tyosyrjinta"} <= checked
    assert "tyonantajan_ulkomaalaisrikkomus" in checked
    assert all(u.startswith(("https://", "http://")) for c in offences.codes for u in c.sources)
    for lang in ("sv", "en", "fi"):  # the scheme says what a code without sources means
        assert "sources" in offences.definition.model_dump()[lang]


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("SE-J03,S-J03,manniskoexploatering,V-S01a", "victim_id"),  # SE-J01's victim
        ("SE-J03,S-J03,ocker,V-S03a", "offence"),  # not charged in SE-J03
        ("SE-J03,S-J01a,manniskoexploatering,V-S03a", "suspect_id"),  # SE-J01's suspect
    ],
)
def test_an_offence_victim_link_across_cases_is_a_located_problem(
    tmp_path: Path, row: str, column: str
) -> None:
    """A link names the case's own suspect, victim and an offence of that suspect."""
    fixture = Path(__file__).parent / "fixtures" / "judgments"
    folder = shutil.copytree(fixture, tmp_path / "j")
    links = folder / "offence_victims.csv"
    lines = links.read_text(encoding="utf-8").splitlines()
    lines[1] = row
    links.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = check_case_file(folder, read_documents=False)
    assert not result.ok
    found = {(p.file, p.row, p.column) for p in result.problems.itertuples()}
    assert ("offence_victims.csv", 2, column) in found, result.report()
