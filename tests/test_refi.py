"""REFI-QDA export and import (cape_study.coding.refi), checked against the published
schemas and a real ATLAS.ti export (tests/fixtures/refi/SOURCE.md)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from cape_study.coding import refi
from cape_study.coding.returned import CodingError
from cape_study.data.codebook import load_codebook

BOOK = load_codebook()
FIXTURES = Path(__file__).parent / "fixtures" / "refi"
TEXT = "Målsäganden berättade att passet togs av arbetsgivaren. Lönen betalades aldrig ut."


def _codings() -> pd.DataFrame:
    b = BOOK.codes("barrier")
    return pd.DataFrame(
        {
            "unit_id": ["D-1", "D-1", "D-1", "D-2"],
            "coder": ["anna", "bo", "anna", "bo"],
            "scheme": ["barrier"] * 4,
            "code": [b[0], b[0], b[1], b[2]],
            "present": [1, 1, 0, 1],
            "quote": ["passet togs av arbetsgivaren", None, None, "not in the text"],
        }
    )


def _units() -> pd.DataFrame:
    return pd.DataFrame({"unit_id": ["D-1", "D-2"], "scheme": ["barrier", "barrier"]})


def test_the_codebook_as_qdc_is_valid(tmp_path):
    path = refi.write_qdc(BOOK, tmp_path / "cape.qdc", lang="sv")
    xml = path.read_bytes()
    assert refi.validate(xml, "Codebook") == []
    root = etree.fromstring(xml)
    codable = root.findall(".//{urn:QDA-XML:codebook:1.0}Code[@isCodable='true']")
    assert len(codable) == sum(len(BOOK.codes(s)) for s in BOOK.codeable_schemes)
    # the schema check can fail: a code without its required name
    del codable[0].attrib["name"]
    assert refi.validate(etree.tostring(root), "Codebook")


def test_an_exported_qdpx_is_valid_and_reads_back(tmp_path):
    path = refi.write_qdpx(
        _units(), {"D-1": TEXT, "D-2": "Inget."}, _codings(), BOOK, tmp_path / "p.qdpx"
    )
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("project.qde")
        texts = [n for n in archive.namelist() if n.startswith("sources/")]
    assert refi.validate(xml, "Project") == []
    assert len(texts) == 2
    project = refi.read_qdpx(path)
    assert sorted(project.users.values()) == ["anna", "bo"]
    selected = project.codings.dropna(subset=["quote"])
    assert selected["quote"].tolist() == ["passet togs av arbetsgivaren"]  # its positions
    assert len(project.codings) == 3  # the absent code is not exported
    mapping = refi.suggest_mapping(project, BOOK)
    assert mapping["matched_by"].eq("tag").all() and mapping["code"].notna().all()
    answers, unused = refi.answers_from_qdpx(project, mapping, BOOK, units=_units())
    assert unused.empty
    present = answers[answers["value"] == "present"]
    got = set(zip(present["unit_id"], present["coder"], present["code"], strict=True))
    want = {
        (u, c, k)
        for u, c, k, p in _codings()[["unit_id", "coder", "code", "present"]].itertuples(
            index=False
        )
        if p
    }
    assert got == want
    # a coder who coded a unit found the scheme's other codes absent there
    anna = answers[(answers["unit_id"] == "D-1") & (answers["coder"] == "anna")]
    assert len(anna) == len(BOOK.codes("barrier")) and (anna["value"] == "present").sum() == 1


def test_a_real_atlas_ti_export_is_read_and_nothing_is_dropped_silently():
    path = FIXTURES / "atlasti-23-export.qdpx"
    with zipfile.ZipFile(path) as archive:
        assert refi.validate(archive.read("project.qde"), "Project") == []
    project = refi.read_qdpx(path)
    assert project.origin.startswith("ATLAS.ti")
    assert len(project.users) == 2
    assert project.codes["qda_code"].tolist()[0] == "Commits"
    assert project.codes["qda_code"].str.startswith("Commits / ").sum() == 2
    mapping = refi.suggest_mapping(project, BOOK)
    assert mapping["code"].isna().all()  # nothing in it is a code of the codebook
    answers, unused = refi.answers_from_qdpx(project, mapping, BOOK)
    assert answers.empty
    assert unused["what"].eq("code not mapped").sum() == 3


# A project written BY HAND for this test (no public export with coded text selections
# could be found, see fixtures/refi/SOURCE.md), after the schema and the conventions of
# NVivo's and MAXQDA's exports: a default namespace, nested codes named in Swedish, text in
# sources/ referenced by plainTextPath, users on the codings, a picture selection.
HAND_BUILT = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="handbyggt" origin="hand-built test project">
  <Users>
    <User guid="11111111-1111-1111-1111-111111111111" name="Åsa Kodare"/>
    <User guid="22222222-2222-2222-2222-222222222222" name="b.2"/>
  </Users>
  <CodeBook><Codes>
    <Code guid="33333333-3333-3333-3333-333333333333" name="Hinder" isCodable="false">
      <Code guid="44444444-4444-4444-4444-444444444444" name="{label}" isCodable="true"/>
      <Code guid="55555555-5555-5555-5555-555555555555" name="Egen kod" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="66666666-6666-6666-6666-666666666666" name="D-1"
                plainTextPath="internal://66666666-6666-6666-6666-666666666666.txt">
      <PlainTextSelection guid="77777777-7777-7777-7777-777777777777" startPosition="12"
          endPosition="27" creatingUser="11111111-1111-1111-1111-111111111111">
        <Coding guid="88888888-8888-8888-8888-888888888888">
          <CodeRef targetGUID="44444444-4444-4444-4444-444444444444"/>
        </Coding>
        <Coding guid="99999999-9999-9999-9999-999999999999">
          <CodeRef targetGUID="55555555-5555-5555-5555-555555555555"/>
        </Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA" name="Intervju 3">
      <PlainTextContent>Ett annat dokument.</PlainTextContent>
      <PlainTextSelection guid="BBBBBBBB-BBBB-BBBB-BBBB-BBBBBBBBBBBB" startPosition="0"
          endPosition="3" creatingUser="22222222-2222-2222-2222-222222222222">
        <Coding guid="CCCCCCCC-CCCC-CCCC-CCCC-CCCCCCCCCCCC">
          <CodeRef targetGUID="44444444-4444-4444-4444-444444444444"/>
        </Coding>
      </PlainTextSelection>
    </TextSource>
    <PictureSource guid="DDDDDDDD-DDDD-DDDD-DDDD-DDDDDDDDDDDD" name="D-2" path="internal://x.png">
      <PictureSelection guid="EEEEEEEE-EEEE-EEEE-EEEE-EEEEEEEEEEEE" firstX="0" firstY="0"
          secondX="5" secondY="5" creatingUser="22222222-2222-2222-2222-222222222222">
        <Coding guid="FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF">
          <CodeRef targetGUID="44444444-4444-4444-4444-444444444444"/>
        </Coding>
      </PictureSelection>
    </PictureSource>
  </Sources>
</Project>
"""


def test_a_hand_built_project_is_imported_through_the_mapping(tmp_path):
    code = BOOK.scheme("barrier").codes[0]
    xml = HAND_BUILT.format(label=code.label.sv).encode("utf-8")
    assert refi.validate(xml, "Project") == []
    path = tmp_path / "hand.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", xml)
        archive.writestr("sources/66666666-6666-6666-6666-666666666666.txt", TEXT)
    project = refi.read_qdpx(path)
    mapping = refi.suggest_mapping(project, BOOK)
    by_name = mapping.set_index("qda_code")
    assert by_name.loc[f"Hinder / {code.label.sv}", "code"] == code.code
    assert pd.isna(by_name.loc["Hinder / Egen kod", "code"])
    answers, unused = refi.answers_from_qdpx(project, mapping, BOOK, units=_units())
    present = answers[answers["value"] == "present"]
    assert present[["unit_id", "coder", "code"]].values.tolist() == [
        ["D-1", "Asa_Kodare", code.code]
    ]
    assert present["quote"].iloc[0] == TEXT[12:27]
    listed = dict(zip(unused["what"], unused["name"], strict=True))
    assert listed["code not mapped"] == "Hinder / Egen kod"
    assert listed["source not a unit"] == "Intervju 3"
    assert listed["not a text selection"] == "PictureSource/PictureSelection"
    # a mapping that names a code the codebook lacks is refused, located
    bad = tmp_path / "mapping.csv"
    mapping.assign(code=mapping["code"].fillna("no_such_code")).to_csv(bad, index=False)
    with pytest.raises(CodingError) as caught:
        refi.read_mapping(bad, BOOK)
    assert caught.value.problems["row"].tolist() == [3]


def test_the_qdc_command(tmp_path, capsys):
    from cape_study.cli import main

    out = tmp_path / "cape.qdc"
    assert main(["coding", "qdc", "--out", str(out), "--lang", "fi"]) == 0
    assert "valid" in capsys.readouterr().out
    xml = out.read_bytes()
    assert refi.validate(xml, "Codebook") == []
    first = BOOK.scheme("barrier").codes[0]
    assert (first.label.fi or first.label.en).encode() in xml
