"""The confidential case-by-case timelines (cape_study.stats.timelines, `cape-study
timelines`) on a tiny synthetic case file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cape_study.cli import main
from cape_study.data.loaders import load_case_file, write_processed
from cape_study.paths import OUTPUT_ENV, ROOT_ENV
from cape_study.privacy.confidential import (
    ConfidentialOutput,
    confidential_files,
    refuse_confidential,
)
from cape_study.privacy.scanning import PersonalDataFound
from cape_study.stats.timelines import COLUMNS, case_timelines, write_case_timelines
from cape_study.synth.generator import write_synthetic_case_file

# A valid personnummer from the Tax Agency's test numbers (reference/test_identity_numbers.csv).
PNR = "19550114-2284"


@pytest.fixture(scope="module")
def case_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("case")
    return load_case_file(write_synthetic_case_file(folder / "cf", 20, 7))


def _prosecuted_by_hand(case_file) -> set[str]:
    # independent of the codebook's order: the stages that follow a charge
    later = {"prosecuted", "judgment_first_instance", "judgment_appeal", "judgment_supreme"}
    ev = case_file.events
    assert set(ev["stage"].astype("string").dropna()) <= set(ev["stage"].cat.categories)
    return set(ev.loc[ev["stage"].astype("string").isin(later), "case_id"].astype(str))


def test_the_timelines_hold_every_prosecuted_case_and_its_events(case_file) -> None:
    timelines = case_timelines(case_file)
    expected = _prosecuted_by_hand(case_file)
    assert expected, "the synthetic case file should have prosecuted cases"
    assert set(timelines["case_id"]) == expected
    assert tuple(timelines.columns) == COLUMNS
    events = timelines[timelines["entry"] == "event"]
    source = case_file.events[case_file.events["case_id"].astype(str).isin(expected)]
    assert len(events) == len(source)
    assert events["date_precision"].notna().all()
    assert (events["stage"] == "prosecuted").groupby(events["case_id"]).any().all()
    # every barrier coded present on a prosecuted case's document, once per document
    docs = case_file.documents.set_index("doc_id")["case_id"].astype(str)
    c = case_file.codings
    coded = c[(c["scheme"] == "barrier") & c["present"].fillna(False).astype(bool)]
    coded = coded[coded["unit_id"].map(docs).isin(expected)]
    pairs = set(zip(coded["unit_id"].astype(str), coded["code"].astype(str), strict=True))
    barriers = timelines[timelines["entry"] == "barrier"]
    assert set(zip(barriers["doc_id"], barriers["barrier"], strict=True)) == pairs
    assert len(barriers) == len(pairs)
    # every sanction, dated by the suspect's event at its stage
    sanctions = timelines[timelines["entry"] == "sanction"]
    sa = case_file.sanctions[case_file.sanctions["case_id"].astype(str).isin(expected)]
    assert len(sanctions) == len(sa) > 0
    assert sorted(sanctions["amount"].astype(int)) == sorted(sa["amount"].astype(int))
    for row in sanctions.itertuples():
        same = events[(events["suspect_id"] == row.suspect_id) & (events["stage"] == row.stage)]
        assert row.date == same["date"].min()
    # in date order within each case
    for _, rows in timelines.groupby("case_id"):
        dates = rows["date"].dropna()
        assert dates.is_monotonic_increasing


def _processed(case_file, tmp_path: Path, quote: str | None = None) -> Path:
    if quote is not None:
        codings = case_file.codings.copy()
        docs = set(case_timelines(case_file)["doc_id"].dropna())
        row = codings.index[
            (codings["scheme"] == "barrier")
            & codings["present"].fillna(False).astype(bool)
            & codings["unit_id"].astype(str).isin(docs)
        ][0]
        codings["quote"] = codings["quote"].astype("string")
        codings.loc[row, "quote"] = quote
        case_file = type(case_file)(**{**case_file.__dict__, "codings": codings})
    folder = tmp_path / "processed"
    write_processed(case_file, folder)
    return folder


def test_the_command_writes_them_and_refuses_reports(
    case_file, tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv(ROOT_ENV, str(tmp_path))
    monkeypatch.delenv(OUTPUT_ENV, raising=False)
    processed = _processed(case_file, tmp_path)
    for folder in ("reports", "data/processed"):
        inside = tmp_path / folder / "timelines.xlsx"
        assert main(["timelines", "--processed", str(processed), "--out", str(inside)]) == 1
        assert "confidential" in capsys.readouterr().err
        assert not inside.exists()
    out = tmp_path / "private" / "timelines.csv"
    assert main(["timelines", "--processed", str(processed), "--out", str(out)]) == 0
    written = pd.read_csv(out)
    assert set(written["case_id"]) == _prosecuted_by_hand(case_file)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_planted_identity_number_stops_the_writing(case_file, tmp_path, suffix) -> None:
    timelines = case_timelines(case_file)
    timelines.loc[timelines.index[timelines["entry"] == "barrier"][0], "quote"] = (
        f"hon uppgav personnummer {PNR} i förhöret"
    )
    out = tmp_path / f"timelines{suffix}"
    with pytest.raises(PersonalDataFound) as caught:
        write_case_timelines(timelines, out)
    assert str(out) in str(caught.value) and PNR not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_the_command_refuses_a_planted_identity_number(case_file, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(ROOT_ENV, str(tmp_path))
    monkeypatch.delenv(OUTPUT_ENV, raising=False)
    processed = _processed(case_file, tmp_path, quote=f"pnr {PNR}")
    out = tmp_path / "private" / "timelines.xlsx"
    assert main(["timelines", "--processed", str(processed), "--out", str(out)]) != 0
    err = capsys.readouterr().err
    assert "timelines.xlsx" in err and PNR not in err
    assert not out.exists()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_written_timelines_file_is_recognised_as_confidential(
    case_file, tmp_path, suffix
) -> None:
    written = write_case_timelines(case_timelines(case_file), tmp_path / f"t{suffix}")
    other = tmp_path / "other.csv"
    other.write_text("case_id,country\nSE-1,SE\n", encoding="utf-8")
    assert confidential_files([tmp_path], root=tmp_path) == [written.name]
    with pytest.raises(ConfidentialOutput, match=f"t\\{suffix}: a confidential case timeline"):
        refuse_confidential([tmp_path], root=tmp_path)
    refuse_confidential([other])  # an ordinary table passes
