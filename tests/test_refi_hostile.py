"""REFI-QDA import of the variations real programs write (cape_study.coding.refi): GUIDs
in either case or in braces, source texts in UTF-16 with a byte-order mark, CR LF line
ends, characters outside the Basic Multilingual Plane, Swedish code names, a PDF's text
representation; and what must stop with its place (a text that is not UTF-8, a selection
outside its text, a source missing from the archive, a mapping naming a code twice, two
users giving one coder name). The projects are built in the test."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from cape_study.coding import refi
from cape_study.coding.returned import CodingError
from cape_study.data.codebook import load_codebook

BOOK = load_codebook()
CODE = BOOK.scheme("barrier").codes[0]
SRC = "66666666-6666-6666-6666-666666666666"
TEXT = "Åsa såg 😀 passet.\r\nLönen betalades aldrig."


def _qde(
    *,
    user="11111111-aaaa-1111-1111-111111111111",
    code="44444444-AAAA-4444-4444-444444444444",
    start=19,
    end=24,
    users='<User guid="11111111-AAAA-1111-1111-111111111111" name="Åsa Kodare"/>',
    source_open=f'<TextSource guid="{SRC}" name="D-1" plainTextPath="internal://{SRC}.txt">',
    source_close="</TextSource>",
) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="test">
<Users>{users}</Users>
<CodeBook><Codes>
<Code guid="33333333-3333-3333-3333-333333333333" name="Hinder för åtal" isCodable="false">
<Code guid="44444444-aaaa-4444-4444-444444444444" name=" {CODE.label.sv} " isCodable="true"/>
</Code></Codes></CodeBook>
<Sources>{source_open}
<PlainTextSelection guid="77777777-7777-7777-7777-777777777777" startPosition="{start}"
    endPosition="{end}" creatingUser="{user}">
<Coding guid="88888888-8888-8888-8888-888888888888"><CodeRef targetGUID="{code}"/></Coding>
</PlainTextSelection>{source_close}</Sources></Project>""".encode()


def _qdpx(tmp_path, xml: bytes, text: bytes | None, member=f"sources/{SRC}.txt"):
    path = tmp_path / "p.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", xml)
        if text is not None:
            archive.writestr(member, text)
    return path


def _present(path) -> pd.DataFrame:
    project = refi.read_qdpx(path)
    mapping = refi.suggest_mapping(project, BOOK)
    answers, unused = refi.answers_from_qdpx(project, mapping, BOOK)
    assert unused.empty, unused
    return answers[answers["value"] == "present"]


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom", "utf-32"]
)
def test_guids_in_any_case_and_texts_with_a_byte_order_mark_are_read(tmp_path, encoding):
    boms = {
        "utf-16-le-bom": (b"\xff\xfe", "utf-16-le"),
        "utf-16-be-bom": (b"\xfe\xff", "utf-16-be"),
    }
    bom, enc = boms.get(encoding, (b"", encoding))
    xml = _qde()
    assert refi.validate(xml, "Project") == []  # mixed-case GUIDs are valid REFI-QDA
    present = _present(_qdpx(tmp_path, xml, bom + TEXT.encode(enc)))
    # positions count code points of the text as stored: the emoji is one, CR LF two
    assert present[["unit_id", "coder", "code", "quote"]].values.tolist() == [
        ["D-1", "Asa_Kodare", CODE.code, "Lönen"]
    ]


def test_guids_in_braces_and_a_pdf_text_representation(tmp_path):
    pdf_open = (
        f'<PDFSource guid="{SRC[:-1]}7" name="D-1" path="internal://x.pdf">'
        f'<Representation guid="{SRC}" plainTextPath="internal://{SRC}.txt">'
    )
    xml = _qde(
        code="{44444444-AAAA-4444-4444-444444444444}",
        user="{11111111-aaaa-1111-1111-111111111111}",
        source_open=pdf_open,
        source_close="</Representation></PDFSource>",
    )
    assert refi.validate(xml, "Project") == []
    present = _present(_qdpx(tmp_path, xml, TEXT.encode()))
    assert present[["coder", "quote"]].values.tolist() == [["Asa_Kodare", "Lönen"]]


def _problems(path) -> pd.DataFrame:
    with pytest.raises(CodingError) as caught:
        refi.read_qdpx(path)
    return caught.value.problems


def test_a_text_not_in_utf8_stops_with_its_member(tmp_path):
    found = _problems(_qdpx(tmp_path, _qde(), "Lönen betalades".encode("latin-1")))
    assert found["sheet"].tolist() == [f"sources/{SRC}.txt"]
    assert "UTF-8" in found["expected"].iloc[0]


@pytest.mark.parametrize(("start", "end"), [("x", 5), (-1, 4), (10, 3), (0, 999)])
def test_a_selection_outside_its_text_stops_with_its_line(tmp_path, start, end):
    found = _problems(_qdpx(tmp_path, _qde(start=start, end=end), TEXT.encode()))
    assert found["row"].tolist() == [10]  # the line ending its PlainTextSelection tag
    assert found["column"].iloc[0].startswith("PlainTextSelection")


def test_a_source_missing_from_the_archive_stops(tmp_path):
    found = _problems(_qdpx(tmp_path, _qde(), TEXT.encode(), member="sources/other.txt"))
    assert found["column"].iloc[0] == "TextSource 'D-1' plainTextPath"
    assert found["expected"].iloc[0] == f"sources/{SRC}.txt in the archive"


def test_a_mapping_naming_a_code_twice_is_refused(tmp_path):
    project = refi.read_qdpx(_qdpx(tmp_path, _qde(), TEXT.encode()))
    mapping = refi.suggest_mapping(project, BOOK)
    twice = pd.concat([mapping, mapping.assign(qda_guid=mapping["qda_guid"].str.lower())])
    twice.to_csv(tmp_path / "m.csv", index=False)
    with pytest.raises(CodingError) as caught:
        refi.read_mapping(tmp_path / "m.csv", BOOK)
    assert caught.value.problems["row"].tolist() == [3]
    # a mapping edited to lower-case GUIDs still maps
    lower = mapping.assign(qda_guid=mapping["qda_guid"].str.lower())
    answers, unused = refi.answers_from_qdpx(project, lower, BOOK)
    assert unused.empty and (answers["value"] == "present").sum() == 1


def test_two_users_giving_one_coder_name_are_refused(tmp_path):
    users = (
        '<User guid="11111111-AAAA-1111-1111-111111111111" name="Åsa Kodare"/>'
        '<User guid="22222222-AAAA-1111-1111-111111111111" name="Asa Kodare"/>'
    )
    xml = _qde(users=users).replace(
        b"</PlainTextSelection>",
        b'</PlainTextSelection><PlainTextSelection guid="99999999-7777-7777-7777-777777777777"'
        b' startPosition="0" endPosition="3" creatingUser="22222222-AAAA-1111-1111-111111111111">'
        b'<Coding guid="99999999-8888-8888-8888-888888888888">'
        b'<CodeRef targetGUID="44444444-AAAA-4444-4444-444444444444"/></Coding>'
        b"</PlainTextSelection>",
    )
    project = refi.read_qdpx(_qdpx(tmp_path, xml, TEXT.encode()))
    with pytest.raises(CodingError) as caught:
        refi.answers_from_qdpx(project, refi.suggest_mapping(project, BOOK), BOOK)
    assert caught.value.problems["value"].tolist() == ["Asa Kodare, Åsa Kodare"]


def test_a_project_folder_zipped_again_and_a_source_named_as_its_document(tmp_path):
    xml = _qde(
        source_open=f'<TextSource guid="{SRC}" name="D-1.docx " '
        f'plainTextPath="internal://{SRC}.txt">'
    )
    path = tmp_path / "again.qdpx"
    with zipfile.ZipFile(path, "w") as archive:  # as macOS's "Compress" of the folder
        archive.writestr("__MACOSX/Projekt/._project.qde", b"\x00\x05")
        archive.writestr("Projekt/project.qde", xml)
        archive.writestr(f"Projekt/sources/{SRC}.txt", TEXT.encode())
    project = refi.read_qdpx(path)
    units = pd.DataFrame({"unit_id": ["D-1"], "scheme": ["barrier"]})
    answers, unused = refi.answers_from_qdpx(
        project, refi.suggest_mapping(project, BOOK), BOOK, units=units
    )
    assert unused.empty
    present = answers[answers["value"] == "present"]
    assert present[["unit_id", "quote"]].values.tolist() == [["D-1", "Lönen"]]
    # a unit's text imported twice (D-1 and D-1.docx) is refused, not merged
    two = project.codings.assign(source="D-1")
    project.codings = pd.concat([project.codings, two], ignore_index=True)
    with pytest.raises(CodingError) as caught:
        refi.answers_from_qdpx(project, refi.suggest_mapping(project, BOOK), BOOK, units=units)
    assert caught.value.problems["value"].tolist() == ["D-1, D-1.docx "]


def test_an_entity_naming_a_file_of_this_machine_is_not_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("hemligt")
    xml = (
        _qde()
        .replace(
            b"<Project xmlns",
            f'<!DOCTYPE Project [<!ENTITY x SYSTEM "file://{secret}">]>\n<Project xmlns'.encode(),
        )
        .replace(b'name="Hinder', b'name="&x;Hinder')
    )
    xml = xml.replace(b'<?xml version="1.0" encoding="utf-8"?>\n', b'<?xml version="1.0"?>\n')
    with pytest.raises(CodingError) as caught:
        refi.read_qdpx(_qdpx(tmp_path, xml, TEXT.encode()))
    assert "external entity" in str(caught.value) and "hemligt" not in str(caught.value)


def test_a_mapping_saved_again_by_a_swedish_excel_is_read(tmp_path):
    project = refi.read_qdpx(_qdpx(tmp_path, _qde(), TEXT.encode()))
    mapping = refi.suggest_mapping(project, BOOK)
    path = tmp_path / "mapping.csv"
    text = mapping.assign(qda_code=mapping["qda_code"] + " ").to_csv(index=False, sep=";")
    path.write_bytes(text.encode("cp1252"))  # "Hinder för åtal" in Windows-1252
    again = refi.read_mapping(path, BOOK)
    assert again["qda_code"].tolist() == mapping["qda_code"].str.strip().tolist()
    answers, unused = refi.answers_from_qdpx(project, again, BOOK)
    assert unused.empty and (answers["value"] == "present").sum() == 1


def test_a_selection_counting_cr_lf_as_one_is_read_by_its_name(tmp_path):
    text = "Rad ett.\r\nRad två.\r\nLönen betalades aldrig."
    at = text.replace("\r\n", "\n").index("Lönen")  # 18 counting CR LF as one, 20 as two
    xml = _qde(start=at, end=at + 5).replace(
        b"<PlainTextSelection guid", b'<PlainTextSelection name="L\xc3\xb6nen" guid'
    )
    present = _present(_qdpx(tmp_path, xml, text.encode()))
    assert present["quote"].tolist() == ["Lönen"]
    # without a name to check against, the text as stored is read (CR LF two)
    present = _present(_qdpx(tmp_path, _qde(start=at, end=at + 5), text.encode()))
    assert present["quote"].tolist() == [text[at : at + 5]]


def test_a_selection_counting_line_ends_as_cr_lf_in_a_text_stored_with_lf(tmp_path):
    text = "Rad ett.\nRad två.\nLönen."
    at = text.replace("\n", "\r\n").index("Lönen")  # 20; the text as stored is 24 long
    present = _present(_qdpx(tmp_path, _qde(start=at, end=at + 5), text.encode()))
    assert present["quote"].tolist() == ["Lönen"]  # ends beyond the text unless CR LF


def test_a_coding_without_its_user_is_the_one_users_or_refused(tmp_path):
    xml = _qde().replace(b' creatingUser="11111111-aaaa-1111-1111-111111111111"', b"")
    present = _present(_qdpx(tmp_path, xml, TEXT.encode()))
    assert present["coder"].tolist() == ["Asa_Kodare"]  # the project's only user
    two = xml.replace(
        b"</Users>", b'<User guid="22222222-AAAA-1111-1111-111111111111" name="Bo"/></Users>'
    )
    found = _problems(_qdpx(tmp_path, two, TEXT.encode()))
    assert found[["sheet", "column"]].values.tolist() == [["project.qde", "Coding creatingUser"]]
    assert "2 users" in found["expected"].iloc[0]
