"""The scanner over published files: every file type, located findings that never print
the value, and the runner stopping and removing a step's outputs on a finding.

privacy-scan: published or synthetic identity numbers only (tests/test_repository.py)
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
import yaml
from openpyxl import Workbook
from pydantic import BaseModel, ConfigDict

from cape_study.paths import project
from cape_study.privacy.scanning import (
    PersonalDataFound,
    check_paths,
    scan_content,
    scan_paths,
    scan_text,
)
from cape_study.runner.pipeline import run_pipeline

PNR = "19121212-1212"  # Skatteverket's published example (Tolvan Tolvansson)


def _where(found) -> list[tuple[str, str, str]]:
    return [(f.file, f.where, f.kind) for f in found]


def test_each_file_type_is_read_as_a_reader_sees_it(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(
        f'<div id="3f2a9c1d-0123-4567-8901-b2c3d4e5f6a7">\n<p>Tolvan {PNR}</p></div>', "utf-8"
    )
    (tmp_path / "figure.svg").write_text(
        '<svg><g id="070-174 06 05"><text x="1">Kontakt 070-174 06 05</text></g></svg>', "utf-8"
    )
    (tmp_path / "table.csv").write_text(f"a,b\n1,ok\n2,nr {PNR}\n", "utf-8")
    (tmp_path / "notes.md").write_text("# Kontakt\n\nmejla anna@example.se\n", "utf-8")
    manifest = {"sha256": "0701740605", "parameters": {"label": "Tolvan 121212-1212"}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"text/html": "<b>19121212</b>-<i>1212</i>", "image/png": "7001019876" * 9},
        ),
        nbformat.v4.new_output("stream", text=["nummer 121212-", "1212\n"]),
    ]
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "step.ipynb")
    book = Workbook()
    book.active.title = "About"
    book.active["A1"] = "Case file"
    book.active["B2"] = f"in {PNR}"
    book.active["C3"] = 191212121212  # an identity number stored as a number
    book.active["D4"] = 1234567  # a count, not an identifier
    book.save(tmp_path / "tables.xlsx")
    (tmp_path / "figure.png").write_bytes(b"\x89PNG " + PNR.encode())  # not read
    found = _where(scan_paths(sorted(tmp_path.iterdir()), root=tmp_path))
    assert found == [
        ("figure.svg", "line 1, column 48", "phone"),
        ("manifest.json", "$.parameters.label", "personnummer"),
        ("notes.md", "line 3, column 7", "email"),
        ("page.html", "line 2, column 11", "personnummer"),
        ("step.ipynb", "$.cells[0].outputs[0].data.text/html", "personnummer"),
        ("step.ipynb", "$.cells[0].outputs[1].text", "personnummer"),
        ("table.csv", "line 3, column 6", "personnummer"),
        ("tables.xlsx", "sheet About, cell B2", "personnummer"),
        ("tables.xlsx", "sheet About, cell C3", "personnummer"),
    ]
    # a file's bytes in memory are read as the file is (the runner's step notebooks)
    for path in sorted(tmp_path.iterdir()):
        if path.suffix not in {".xlsx", ".docx"}:
            shown = path.relative_to(tmp_path).as_posix()
            assert scan_content(path.read_bytes(), shown) == scan_paths([path], root=tmp_path)
    with pytest.raises(ValueError, match="from its file"):
        scan_content((tmp_path / "tables.xlsx").read_bytes(), "tables.xlsx")


def test_a_finding_names_file_and_place_never_the_value(tmp_path: Path) -> None:
    (tmp_path / "table.csv").write_text(f"nr\n{PNR}\n", "utf-8")
    with pytest.raises(PersonalDataFound) as info:
        check_paths([tmp_path], root=tmp_path)
    message = str(info.value)
    assert "table.csv: personal data: personnummer at line 2, column 1" in message
    assert "1212" not in message
    check_paths([tmp_path / "missing.csv"])  # nothing to scan, nothing found


class _Intake(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    case_file: str = "data/raw/demo"


def test_a_step_output_with_personal_data_stops_the_run_and_is_removed(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "cape-study", "display_name": "cape", "language": "python"}
    params = nbformat.v4.new_code_cell('case_file = "data/raw/demo"')
    params.metadata["tags"] = ["parameters"]
    write = (  # into the run's stage, as the notebooks write (paths.project().reports)
        "from cape_study.paths import project\n"
        "(project().reports / 'tables').mkdir(parents=True, exist_ok=True)\n"
        "(project().reports / 'tables/leak.csv').write_text('nr\\n121212-1212\\n')"
    )
    nb.cells = [params, nbformat.v4.new_code_cell(write)]
    nbformat.write(nb, root / "notebooks" / "leak.ipynb")
    (root / "data" / "raw" / "demo").mkdir(parents=True)
    (root / "constraints.txt").write_text("example==1.0\n", encoding="utf-8")
    step = {"notebook": "notebooks/leak.ipynb", "parameters": "intake"}
    step["outputs"] = ["reports/tables/leak.csv"]
    (root / "pipeline.yaml").write_text(yaml.safe_dump({"steps": {"leak": step}}), "utf-8")
    (root / "reports").mkdir()
    (root / "reports" / "index.html").write_text("the last good report", encoding="utf-8")
    with pytest.raises(PersonalDataFound, match=r"reports/tables/leak\.csv: .*line 2, column 1"):
        run_pipeline(project(root), progress=None, parameter_sets={"intake": _Intake})
    assert not (root / "reports" / "tables" / "leak.csv").exists()
    assert (root / "reports" / "index.html").read_text(encoding="utf-8") == "the last good report"
    assert not (project(root).cache / "leak").exists()


def test_a_file_found_clean_is_not_read_again_and_one_with_findings_always_is(
    tmp_path: Path, monkeypatch
) -> None:
    from cape_study.privacy import scanning

    (tmp_path / "clean.html").write_text("<p>Inget att se här.</p>", encoding="utf-8")
    (tmp_path / "leak.txt").write_text("Ring 070-174 06 05.\n", encoding="utf-8")
    read: list[str] = []
    scan = scanning._scan_content
    monkeypatch.setattr(
        scanning,
        "_scan_content",
        lambda path, content, shown: read.append(shown) or scan(path, content, shown),
    )
    clean: set[str] = set()
    first = scanning.scan_paths([tmp_path], root=tmp_path, clean=clean)
    assert [f.file for f in first] == ["leak.txt"] and len(clean) == 1
    second = scanning.scan_paths([tmp_path], root=tmp_path, clean=clean)
    assert second == first and read == ["clean.html", "leak.txt", "leak.txt"]
    # the same content under another name is known; a changed file is read again
    (tmp_path / "copy.html").write_text("<p>Inget att se här.</p>", encoding="utf-8")
    (tmp_path / "clean.html").write_text("<p>Ring 070-174 06 05.</p>", encoding="utf-8")
    third = scanning.scan_paths([tmp_path], root=tmp_path, clean=clean)
    assert sorted(f.file for f in third) == ["clean.html", "leak.txt"]
    assert read[3:] == ["clean.html", "leak.txt"]


def test_a_commit_hash_in_the_footer_is_no_bank_account() -> None:
    """A report's footer names the commit it was made from; ``de09a45bcdc7 with
    uncommitted changes`` passed mod 97 as a German IBAN in lower case, and whether a run
    published depended on its commit. An IBAN is printed in groups of four."""
    import random

    from cape_study.runner.words import WORDS

    rng = random.Random(22)
    commits = ["de09a45bcdc7"] + [
        rng.choice(["de", "se", "fi", "pl", "gb"]) + f"{rng.randrange(16**10):010x}"
        for _ in range(3000)
    ]
    for lang in ("en", "sv"):
        words = WORDS[lang]
        for commit in commits:
            footer = words["from_commit"].format(commit=commit) + words["dirty"] + " (2026)"
            assert scan_text(footer) == [], (lang, commit)
    # an IBAN in lower case, printed in groups of four, is still found
    assert [f.kind for f in scan_text("konto se45 5000 0000 0583 9825 7466 och")] == ["account"]
    assert [f.kind for f in scan_text("de89 3704 0044 0532 0130 00 with")] == ["account"]


#: Digests (64 hexadecimal characters) that end in a letter and an identity number, as
#: about one SHA-256 in 9,000 does: here Skatteverket's test numbers and a Finnish
#: temporary code (individual number 900), numbers of nobody.
_DIGESTS_LIKE_NUMBERS = [
    "0ed2fa2539de546945afee750df626e1e54543bf7fd05aad842e2d5501142284",  # personnummer
    "0ed2fa2539de546945afee750df626e1e54543bf7fd05aad842e2d5500652382",  # samordningsnummer
    "0ed2fa2539de546945afee750df626e1e54543bf7fd05aad842e2010510a9009",  # hetu
]


def _published(text: str) -> list[str]:
    """The kinds found in ``text`` published as a text file (the runner's scan)."""
    return [f.kind for f in scan_content(text.encode(), "notes.txt")]


@pytest.mark.parametrize("digest", _DIGESTS_LIKE_NUMBERS)
def test_a_digest_in_the_manifest_or_a_page_is_no_identity_number(digest: str) -> None:
    """The manifest lists the SHA-256 of every published file; one that ended in a letter
    and a valid samordningsnummer stopped a run (a letter may come before a number:
    ``nr550114-2284``), about one run in a hundred."""
    assert _published(digest[-11:]) != []  # the end alone is found as a number
    manifest = {"report_files": {"report.html": digest, "index.html": digest.upper()}}
    assert scan_content(json.dumps(manifest).encode(), "manifest.json") == []
    assert _published(f"data hash sha256:{digest} (synthetic)") == []
    page = f"<p>Data: <code>{digest}</code></p>".encode()
    assert scan_content(page, "index.html") == []


def test_a_number_beside_hex_letters_that_make_no_digest_is_still_found() -> None:
    for text in (
        "d5500652382",
        "ref abc5500652382",
        "f" * 21 + "5500652382",  # 31 characters: no digest's length
        "f" * 23 + "5500652382",  # 33
        "fg" * 27 + "5500652382",  # 64 characters, one of them no hexadecimal digit
    ):
        assert _published(text) != [], text
