"""The coding workbench's plan, coder workbooks and their import (cape_study.coding)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from coding_helpers import demo_slice, fill, meta
from openpyxl import load_workbook

from cape_study.coding import plan as plans
from cape_study.coding import returned, workbook
from cape_study.coding.words import VALUES
from cape_study.data import codings as views
from cape_study.data.codebook import load_codebook
from cape_study.data.loaders import load_case_file
from cape_study.paths import project

BOOK = load_codebook()
UNITS = {"barrier": "decision", "ilo_indicator": "case"}
N_CODES = {s: len(BOOK.codes(s)) for s in BOOK.codeable_schemes}


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory):
    folder = demo_slice(project().demo_case_file, tmp_path_factory.mktemp("slice") / "case", 5)
    return load_case_file(folder)


@pytest.fixture(scope="module")
def units(case) -> pd.DataFrame:
    return plans.coding_units(case, UNITS, BOOK)


@pytest.fixture
def plan(units) -> pd.DataFrame:
    return plans.make_plan(units, ["anna", "bo", "cecilia"], overlap=0.4, seed=7)


@pytest.fixture
def books(plan, case, tmp_path: Path) -> list[Path]:
    return workbook.write_workbooks(
        plan, case, BOOK, tmp_path / "out", lang={"anna": "sv", "bo": "en", "cecilia": "fi"}
    )


# -- plan -------------------------------------------------------------------------------
def test_units_follow_the_chosen_kinds(case, units):
    decisions = units[units["scheme"] == "barrier"]
    assert decisions["unit"].eq("document").all()
    assert decisions["case_id"].is_unique  # one decision per case
    assert set(decisions["doc_type"]) <= set(plans.DECISION_TYPES)
    cases = units[units["scheme"] == "ilo_indicator"]
    assert sorted(cases["unit_id"]) == sorted(case.cases["case_id"].astype(str))


def test_plan_overlap_is_stratified_balanced_and_seeded(units, plan):
    again = plans.make_plan(units, ["anna", "bo", "cecilia"], overlap=0.4, seed=7)
    pd.testing.assert_frame_equal(plan, again)
    for scheme, part in plan.groupby("scheme"):
        n_units = (units["scheme"] == scheme).sum()
        twice = part[part["overlap"]]
        assert twice.groupby("unit_id").size().eq(2).all()
        assert twice["unit_id"].nunique() == round(0.4 * n_units)
        # every unit is planned, the others once
        assert part["unit_id"].nunique() == n_units
        assert part[~part["overlap"]].groupby("unit_id").size().eq(1).all()
        load = part["coder"].value_counts()
        assert load.max() - load.min() <= 1
    # proportional allocation: each country's share of the overlap within one unit
    cases = plan[(plan["scheme"] == "ilo_indicator") & plan["overlap"]].drop_duplicates("unit_id")
    assert abs((cases["country"] == "SE").sum() - (cases["country"] == "FI").sum()) <= 1
    other = plans.make_plan(units, ["anna", "bo", "cecilia"], overlap=0.4, seed=8)
    assert not other.equals(plan)


def test_extending_a_plan_keeps_every_assignment(case, units, plan):
    more = plans.coding_units(case, {**UNITS, "agency_sign": "case"}, BOOK)
    grown = plans.make_plan(more, ["anna", "bo", "cecilia", "dan"], overlap=3, seed=1, plan=plan)
    pd.testing.assert_frame_equal(grown[grown["round"] == 1].reset_index(drop=True), plan)
    new = grown[grown["round"] == 2]
    assert set(new["scheme"]) == {"agency_sign"}
    assert "dan" in set(new["coder"])
    assert new[new["overlap"]]["unit_id"].nunique() == 3


def test_plan_refuses_bad_input(units, tmp_path):
    with pytest.raises(plans.PlanError, match="consensus"):
        plans.make_plan(units, ["anna", "consensus"])
    with pytest.raises(plans.PlanError, match="two or more coders"):
        plans.make_plan(units, ["anna"], overlap=0.2)
    with pytest.raises(plans.PlanError, match="not a codeable scheme"):
        plans.coding_units(None, {"stage": "case"}, BOOK)  # type: ignore[arg-type]
    path = tmp_path / "plan.csv"
    plans.write_plan(plans.make_plan(units, ["anna"], overlap=0), path)
    pd.testing.assert_frame_equal(
        plans.read_plan(path), plans.make_plan(units, ["anna"], overlap=0)
    )


# -- export -----------------------------------------------------------------------------
def test_workbook_structure_protection_and_languages(books, plan, case):
    sv = next(p for p in books if p.stem == "anna")
    stamp = meta(sv)
    assert stamp["codebook_version"] == BOOK.version and stamp["coder"] == "anna"
    wb = load_workbook(sv)
    assert wb.sheetnames[:1] == ["Om"] and {"Texter", "Kodbok", "_meta"} <= set(wb.sheetnames)
    assert wb["_meta"].sheet_state == "veryHidden" and wb.security.lockStructure
    sheet, scheme = stamp["sheets"][0]
    ws = wb[sheet]
    assert ws.protection.sheet and ws.row_dimensions[2].hidden
    names = [c.value for c in ws[2]]
    assert names == workbook.scheme_columns(BOOK, scheme)
    assert ws.cell(1, 5).value == BOOK.scheme(scheme).codes[0].label.sv
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists[0].formula1 == '"' + ",".join(VALUES["sv"].values()) + '"'
    assert not ws.cell(3, 5).protection.locked and ws.cell(3, 1).protection.locked
    mine = plan[(plan["coder"] == "anna") & (plan["scheme"] == scheme)]
    assert sorted(ws.cell(r, 1).value for r in range(3, ws.max_row + 1)) == sorted(mine["unit_id"])
    link = ws.cell(3, 4).hyperlink.location or ws.cell(3, 4).hyperlink.target
    assert link.startswith("'Texter'!E")
    # Finnish workbook: Finnish words, English where the codebook has no Finnish
    fi = load_workbook(next(p for p in books if p.stem == "cecilia"))
    assert fi.sheetnames[0] == "Tietoja"
    fi_sheet = fi[meta(next(p for p in books if p.stem == "cecilia"))["sheets"][0][0]]
    assert fi_sheet.cell(1, 1).value == "Yksikön tunnus"


def test_texts_are_masked_and_carry_the_timeline(books, case):
    wb = load_workbook(books[0], read_only=True)
    stamp = meta(books[0])
    texts = wb[{"sv": "Texter", "en": "Texts", "fi": "Tekstit"}[stamp["lang"]]]
    rows = list(texts.iter_rows(min_row=3, values_only=True))
    everything = "\n".join(str(v) for row in rows for v in row if v)
    names = [*case.victims["name"].dropna(), *case.suspects["name"].dropna()]
    assert names and not [n for n in names if n in everything]
    assert "[NAME]" in everything
    assert all(row[3] for row in rows)  # every unit has its case's events


# -- import -----------------------------------------------------------------------------
def test_import_is_idempotent_and_counts_changes(books, plan, case):
    for i, path in enumerate(books):
        fill(path, N_CODES, seed=i)
    answers = returned.read_returned(books[0].parent, plan, BOOK)
    assert set(answers["coder"]) == {"anna", "bo", "cecilia"}
    assert set(answers["value"]) <= {"present", "absent", "unclear"}
    first = returned.merge_codings(case.codings, returned.codings_from_answers(answers), answers)
    again = returned.merge_codings(first.table, returned.codings_from_answers(answers), answers)
    assert again.added == again.changed == again.removed == 0
    pd.testing.assert_frame_equal(again.table, first.table)
    # the coders' earlier demo codes of these units were replaced, other units kept
    assert len(first.table) == (
        len(case.codings)
        - first.removed
        - first.changed
        - first.unchanged
        + len(returned.codings_from_answers(answers))
    )
    # an updated workbook replaces that coder's codes and says how many changed
    bo = next(p for p in books if p.stem == "bo")
    wb = load_workbook(bo)
    sheet = wb[meta(bo)["sheets"][0][0]]
    old = sheet.cell(3, 5).value
    sheet.cell(3, 5).value = "absent" if old == "present" else "present"
    wb.save(bo)
    updated = returned.read_returned(books[0].parent, plan, BOOK)
    merged = returned.merge_codings(first.table, returned.codings_from_answers(updated), updated)
    assert merged.by_coder == {"bo": 1}
    assert merged.changed + merged.added + merged.removed >= 1


def _problems(paths, plan) -> pd.DataFrame:
    with pytest.raises(returned.CodingError) as caught:
        returned.read_returned(paths, plan, BOOK)
    assert "nothing was merged" in str(caught.value)
    return caught.value.problems


def test_mistakes_are_located_and_nothing_is_read(books, plan, tmp_path):
    path = next(p for p in books if p.stem == "bo")
    fill(path, N_CODES, seed=3)
    wb = load_workbook(path)
    sheet = meta(path)["sheets"][0][0]
    ws = wb[sheet]
    ws.cell(3, 6).value = "yes"  # typed by hand
    ws.cell(4, 1).value = "SE999999-D01"  # a unit not in the plan
    ws.cell(5, 7).value = None  # a partly coded row
    wb.save(path)
    found = _problems([path], plan)
    assert {"value": "yes", "row": 3} in found[["value", "row"]].to_dict("records")
    assert found.loc[found["row"] == 3, "column"].iloc[0].startswith("F (")
    assert "present / absent / unclear" in found.loc[found["row"] == 3, "expected"].iloc[0]
    assert "SE999999-D01" in set(found["value"])
    assert (found["row"] == 5).any()
    assert set(found["sheet"]) == {sheet} and set(found["file"]) == {"bo.xlsx"}


def test_edited_out_of_shape(books, plan, tmp_path):
    path = next(p for p in books if p.stem == "anna")
    wb = load_workbook(path)
    first_sheet = meta(path)["sheets"][0][0]
    wb[first_sheet].insert_cols(3)  # a column moved
    wb[meta(path)["sheets"][1][0]].title = "Renamed"
    wb.save(path)
    found = _problems([path], plan)
    assert any("moved" in e for e in found["expected"])
    assert any("found" in e and "Renamed" in e for e in found["expected"])
    # two files of one coder, two files of one name
    twin = tmp_path / "again" / "anna.xlsx"
    twin.parent.mkdir()
    shutil.copy(next(p for p in books if p.stem == "bo"), tmp_path / "again" / "bo-copy.xlsx")
    shutil.copy(next(p for p in books if p.stem == "cecilia"), twin)
    found = _problems([books[0].parent, twin.parent], plan)
    assert any("one workbook per coder" in e for e in found["expected"])
    assert any("one file per name" in e for e in found["expected"])


def test_wrong_codebook_version_is_refused(books, plan):
    path = books[0]
    wb = load_workbook(path)
    for row in wb["_meta"].iter_rows():
        if row[0].value == "codebook_version":
            row[1].value = "0.9"
    wb.save(path)
    found = _problems([path], plan)
    assert found["value"].tolist() == ["0.9"]
    assert BOOK.version in found["expected"].iloc[0]


# -- consensus --------------------------------------------------------------------------
def test_consensus_replaces_raw_codes_for_analysis_only():
    codings = pd.DataFrame(
        {
            "unit_id": ["u1", "u1", "u1", "u2", "u2"],
            "coder": ["a", "b", views.CONSENSUS, "a", "b"],
            "scheme": ["s"] * 5,
            "code": ["c"] * 5,
            "present": [True, False, True, False, True],
        }
    )
    analysed = views.for_analysis(codings)
    assert analysed[analysed["unit_id"] == "u1"]["coder"].tolist() == [views.CONSENSUS]
    assert analysed[analysed["unit_id"] == "u2"]["coder"].tolist() == ["a", "b"]
    assert views.CONSENSUS not in set(views.raw(codings)["coder"])
    listed = pd.DataFrame({"unit_id": ["u1", "u2"], "scheme": ["s", "s"], "code": ["c", "c"]})
    assert views.unresolved(listed, codings)["unit_id"].tolist() == ["u2"]


def test_coded_units_counts_shared_units_without_consensus():
    from cape_study.coding.progress import coded_units

    codings = pd.DataFrame(
        {
            "unit_id": ["u1", "u1", "u1", "u2", "u3", "u3"],
            "coder": ["a", "b", views.CONSENSUS, "a", "b", "b"],
            "scheme": ["s"] * 6,
            "code": ["c", "c", "c", "c", "c", "d"],
        }
    )
    table = coded_units(codings).set_index("coder")
    assert table.loc["a", "n_units"] == 2 and table.loc["a", "n_shared"] == 1
    assert table.loc["b", "n_units"] == 2 and table.loc["b", "n_shared"] == 1
    assert views.CONSENSUS not in table.index


def test_a_decision_typed_by_hand_is_located(tmp_path, case):
    from cape_study.coding import adjudication

    codings = case.codings.assign(quote=pd.NA)
    items = adjudication.disagreements(codings)
    path = adjudication.write_adjudication(
        items, BOOK, tmp_path / "adj.xlsx", documents=case.documents, cases=case.cases
    )
    wb = load_workbook(path)
    ws = wb["Decisions"]
    names = [c.value for c in ws[2]]
    ws.cell(3, names.index("decision") + 1).value = "yes"
    ws.cell(4, names.index("decision") + 1).value = "present"
    wb.save(path)
    with pytest.raises(returned.CodingError) as caught:
        adjudication.read_decisions(path, BOOK)
    assert caught.value.problems[["row", "value"]].values.tolist() == [[3, "yes"]]
    ws.cell(3, names.index("decision") + 1).value = None
    wb.save(path)
    decided = adjudication.read_decisions(path, BOOK)
    assert decided["coder"].tolist() == [views.CONSENSUS] and decided["present"].tolist() == [1]


def test_merging_keeps_codings_written_in_another_form(tmp_path, plan):
    """A case file whose codings use Swedish headers, semicolons and ja/nej keeps every
    other coder's codes when a round is merged into it."""
    from cape_study.coding.round import Round

    folder = demo_slice(project().demo_case_file, tmp_path / "case", 3)
    original = pd.read_csv(folder / "codings.csv", dtype=str)
    labels = {n: c.label.sv for n, c in BOOK.table("codings").columns.items()}
    swedish = original.assign(present=original["present"].map({"1": "ja", "0": "nej"}))
    swedish.rename(columns=labels).to_csv(folder / "codings.csv", sep=";", index=False)
    work = Round(tmp_path / "round", folder)
    work.make_plan(["anna", "bo"], UNITS, overlap=0.5, seed=2)
    books = work.export(lang="sv")
    for i, path in enumerate(books):
        fill(path, N_CODES, seed=i)
    work.import_workbooks([work.workbooks])
    merged = pd.read_csv(folder / "codings.csv", dtype=str)
    assert list(merged.columns[:6]) == list(BOOK.table("codings").columns)[:6]
    demo_coders = merged[merged["coder"].str.startswith("coder_")]
    pd.testing.assert_frame_equal(
        demo_coders[original.columns].reset_index(drop=True), original.reset_index(drop=True)
    )
    assert set(merged["coder"]) >= {"anna", "bo"}


def test_workbooks_as_people_return_them(books, plan, case, tmp_path):
    """Rows sorted the other way, an answer typed with trailing spaces, in capitals or in
    decomposed Unicode (macOS), a file ending .XLSX: read as chosen from the drop-down.
    A copy saved as .ods in the folder is reported, not left out unseen; a row cleared in
    an updated workbook loses nothing already merged."""
    for i, path in enumerate(books):
        fill(path, N_CODES, seed=i)
    before = returned.read_returned(books[0].parent, plan, BOOK)
    anna = next(p for p in books if p.stem == "anna")  # a Swedish workbook
    wb = load_workbook(anna)
    ws = wb[meta(anna)["sheets"][0][0]]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    for r, values in enumerate(reversed(rows), start=3):  # sorted Z-A
        for c, value in enumerate(values, start=1):
            ws.cell(r, c).value = value
    typed = {"förekommer": "  FÖREKOMMER ", "förekommer inte": "fo\u0308rekommer inte"}
    minutes = 4 + N_CODES["barrier"] + 3  # quote, note, minutes after the codes
    ws.cell(3, minutes).value = f"{ws.cell(3, minutes).value},0"  # 12,0 typed with a decimal comma
    for row in ws.iter_rows(min_row=3, min_col=5, max_col=4 + N_CODES["barrier"]):
        for cell in row:
            cell.value = typed.get(cell.value, cell.value)
    wb.save(anna)
    anna.rename(anna.with_suffix(".XLSX"))
    again = returned.read_returned(books[0].parent, plan, BOOK)
    key = ["coder", "unit_id", "scheme", "code"]
    pd.testing.assert_frame_equal(
        again.drop(columns=["file", "sha256"]).sort_values(key).reset_index(drop=True),
        before.drop(columns=["file", "sha256"]).sort_values(key).reset_index(drop=True),
    )
    # a copy saved as .ods beside them is named, not skipped
    (books[0].parent / "bo.ods").write_bytes(b"PK\x03\x04 not really")
    found = _problems([books[0].parent], plan)
    assert found["file"].str.endswith("bo.ods").any()
    assert "save it as Excel .xlsx" in found["expected"].iloc[0]
    (books[0].parent / "bo.ods").unlink()
    # an updated workbook with one row cleared: that unit keeps what was merged
    first = returned.merge_answers(returned.read_answers(tmp_path / "none.csv"), before)
    bo = next(p for p in books if p.stem == "bo")
    wb = load_workbook(bo)
    ws = wb[meta(bo)["sheets"][0][0]]
    cleared = ws.cell(3, 1).value
    for c in range(5, 5 + N_CODES[meta(bo)["sheets"][0][1]]):
        ws.cell(3, c).value = None
    wb.save(bo)
    merged = returned.merge_answers(
        first.table, returned.read_returned(books[0].parent, plan, BOOK)
    )
    assert merged.removed == 0 and merged.changed == 0
    kept = merged.table[(merged.table["coder"] == "bo") & (merged.table["unit_id"] == cleared)]
    assert (
        len(kept)
        == len(first.table[(first.table["coder"] == "bo") & (first.table["unit_id"] == cleared)])
        > 0
    )
