"""A whole coding round on a slice of the demo: plan, export, three coders filling their
workbooks (with the mistakes import must report), import, progress and reliability,
adjudication, then the barrier and reliability analyses on the result."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
from coding_helpers import demo_slice, fill, meta
from openpyxl import load_workbook

from cape_study.cli import main
from cape_study.coding import returned
from cape_study.coding.round import Round
from cape_study.coding.words import VALUES
from cape_study.data import codings as views
from cape_study.data.codebook import load_codebook
from cape_study.data.loaders import load_case_file
from cape_study.paths import project
from cape_study.privacy.keys import DEMO_KEY, PseudonymKey, pseudonym
from cape_study.privacy.masking import protect
from cape_study.stats import attrition, barriers, reliability

BOOK = load_codebook()
N_CODES = {s: len(BOOK.codes(s)) for s in BOOK.codeable_schemes}
TEST_PNR = "195501142284"  # a published test personnummer (reference/test_identity_numbers)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_coding_round_on_the_demo(tmp_path: Path, capsys) -> None:
    case_dir = demo_slice(project().demo_case_file, tmp_path / "case", per_country=5)
    folder = tmp_path / "round"
    common = [str(case_dir), "--dir", str(folder)]
    assert main(["coding", "plan", *common, "--coders", "anna,bo,cecilia", "--overlap", "0.6",
                 "--units", "barrier=decision", "--units", "ilo_indicator=case"]) == 0  # fmt: skip
    assert main(["coding", "export", *common, "--lang", "en", "--coder-lang", "anna=sv",
                 "--coder-lang", "cecilia=fi"]) == 0  # fmt: skip
    books = sorted((folder / "workbooks").glob("*.xlsx"))
    assert [p.stem for p in books] == ["anna", "bo", "cecilia"]

    # three coders code, from one truth, each with their own errors
    truth: dict = {}
    for i, path in enumerate(books):
        fill(path, N_CODES, seed=i, truth=truth, agree=0.9)
    # bo types a code by hand and codes a unit that is not his
    bo = books[1]
    wb = load_workbook(bo)
    sheet = wb[meta(bo)["sheets"][0][0]]
    sheet.cell(3, 6).value = "maybe"
    sheet.cell(4, 1).value = "SE000999-D02"
    wb.save(bo)
    before = _digest(case_dir / "codings.csv")
    assert main(["coding", "import", *common, str(folder / "workbooks")]) == 1
    err = capsys.readouterr().err
    assert "bo.xlsx" in err and "'maybe'" in err and "SE000999-D02" in err
    assert "nothing was merged" in err
    assert _digest(case_dir / "codings.csv") == before and not (folder / "answers.csv").exists()

    # bo corrects his workbook (a fresh export, filled again) and adds a quote to check masking
    work = Round(folder, case_dir)
    work.export(lang="en", coders=["bo"])
    fill(bo, N_CODES, seed=1, truth=truth, agree=0.9)
    wb = load_workbook(bo)
    wb[meta(bo)["sheets"][0][0]].cell(
        3, 5 + N_CODES[meta(bo)["sheets"][0][1]]
    ).value = f"the injured party, personnummer {TEST_PNR}, said so"
    wb.save(bo)
    answers, codings = work.import_workbooks([folder / "workbooks"])
    assert answers.added > 0 and codings.added > 0
    again_answers, again_codings = work.import_workbooks([folder / "workbooks"])
    assert again_codings.added == again_codings.changed == again_codings.removed == 0
    assert again_answers.unchanged == answers.added

    # progress and reliability on the overlap sample, as soon as it is coded
    table, overlap = work.progress()
    assert (table["coded"] == table["planned"]).all() and table["share"].eq(1).all()
    assert table["minutes_total"].gt(0).all()
    alpha = reliability.agreement(
        overlap,
        coefficients=("krippendorff_alpha",),
        by=["scheme"],
        unit=["unit_id", "code"],
        cluster="unit_id",
        n_boot=200,
    )
    # two coders agree with the truth 90 % of the time each: alpha is well above 0
    assert alpha["estimate"].between(0.3, 1).all(), alpha
    assert main(["coding", "progress", *common, "--n-boot", "50"]) == 0
    assert "Krippendorff" in capsys.readouterr().out

    # adjudication: the disagreements, with the pseudonyms the report shows
    path, n_items = work.write_adjudication(key=PseudonymKey(DEMO_KEY.encode(), "demo"))
    assert n_items > 0
    wb = load_workbook(path)
    ws = wb["Decisions"]
    names = [c.value for c in ws[2]]
    decide = names.index("decision") + 1
    rows = list(range(3, ws.max_row + 1))
    for r in rows:
        unit = ws.cell(r, names.index("unit_id") + 1).value
        table_name = "documents" if "-D" in unit else "cases"
        assert ws.cell(r, 2).value == pseudonym(
            unit, PseudonymKey(DEMO_KEY.encode(), "x"), table_name
        )
        ws.cell(r, decide).value = VALUES["en"]["present"] if r % 2 else VALUES["en"]["absent"]
        ws.cell(r, decide + 1).value = "discussed"
    wb.save(path)
    merged = work.import_decisions(path)
    assert merged.added == len(rows)
    assert work.import_decisions(path).added == 0  # idempotent

    # the analyses on the result: consensus codes used, raw codes kept for reliability
    case = load_case_file(case_dir)
    coded = case.codings
    assert {"anna", "bo", "cecilia", views.CONSENSUS} <= set(coded["coder"])
    decided = coded[coded["coder"] == views.CONSENSUS]
    analysed = views.for_analysis(coded)
    keys = ["unit_id", "scheme", "code"]
    per_key = analysed.merge(decided[keys], on=keys)
    assert per_key["coder"].eq(views.CONSENSUS).all()
    codes = barriers.case_codes(coded, case.documents)
    status = attrition.case_status(case.cases, case.events)
    prevalence = barriers.prevalence(codes, status)
    assert set(prevalence["scheme"]) >= {"barrier", "ilo_indicator"}
    raw_agreement = reliability.agreement(
        views.raw(coded), coefficients=("krippendorff_alpha",), n_boot=50
    )
    assert raw_agreement["estimate"].notna().any()
    assert views.CONSENSUS not in ",".join(raw_agreement["coders"].astype(str))
    # quotes reach the case file and are masked at intake like every text
    assert coded["quote"].str.contains(TEST_PNR, na=False).any()
    protected, record = protect(case, PseudonymKey(DEMO_KEY.encode(), "demo"))
    quotes = protected.codings["quote"].dropna()
    assert not quotes.str.contains(TEST_PNR).any() and quotes.str.contains(r"\[PNR\]").any()
    assert record["masked"]["codings.quote"]["PNR"] >= 1

    # the round as a .qdpx, and back: a proposed mapping first, nothing merged without it
    qdpx = tmp_path / "round.qdpx"
    assert main(["coding", "qdpx", *common, "--out", str(qdpx), "--lang", "sv"]) == 0
    before = _digest(case_dir / "codings.csv")
    assert main(["coding", "qdpx", *common, "--import", str(qdpx)]) == 0
    assert "Nothing was merged" in capsys.readouterr().out
    assert _digest(case_dir / "codings.csv") == before
    mapping = folder / "mapping-round.csv"
    assert pd.read_csv(mapping)["code"].notna().all()
    assert main(["coding", "qdpx", *common, "--import", str(qdpx), "--mapping", str(mapping)]) == 0
    after = load_case_file(case_dir).codings
    mine = ["anna", "bo", "cecilia"]

    def present_codes(table: pd.DataFrame) -> set:
        rows = table[table["coder"].isin(mine) & table["present"].astype(bool)]
        return set(zip(rows["unit_id"], rows["coder"], rows["code"], strict=True))

    assert present_codes(after) == present_codes(coded)


def test_the_demo_case_file_is_never_written(tmp_path: Path) -> None:
    work = Round(tmp_path / "round", project().demo_case_file)
    with pytest.raises(Exception, match="committed demo"):
        work._write_codings(pd.DataFrame(columns=returned.CODING_COLUMNS))
