"""Bad input that would weaken privacy at intake: documents reached through symbolic
links or outside the case folder, and text whose letters were lost in decoding. Each is
a located problem, and nothing is written.

privacy-scan: published or synthetic identity numbers only (tests/test_repository.py)
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from conftest import tree_digest, write_case_file

from cape_study.data.loaders import check_case_file

CUTOFF = "2024-12-31"
OUTSIDE = (
    "a file inside the case file's documents/ folder, not a symbolic link or a path "
    "that leads out of it"
)


def problems(path: Path) -> pd.DataFrame:
    result = check_case_file(path, data_cutoff=CUTOFF)
    assert not result.ok and result.case_file is None
    return result.problems


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_symlinked_document_outside_the_case_folder_is_a_located_problem(
    tmp_path: Path, tables
) -> None:
    folder = write_case_file(tmp_path / "case", tables)
    secret = tmp_path / "elsewhere" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("Ett annat ärende: 19121212-1212", encoding="utf-8")
    (folder / "documents" / "D-1.txt").unlink()
    (folder / "documents" / "D-1.txt").symlink_to(secret)
    before = tree_digest(tmp_path)
    found = problems(folder)
    hit = found[found["expected"] == OUTSIDE]
    assert hit[["file", "row", "column", "value"]].values.tolist() == [
        ["documents.csv", 2, "path", "D-1.txt"]
    ]
    assert tree_digest(tmp_path) == before


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_symlinked_subfolder_or_documents_folder_is_a_located_problem(
    tmp_path: Path, tables
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "D-2.txt").write_text("Beslut om åtal.", encoding="utf-8")
    tables["documents"][1]["path"] = "linked/D-2.txt"
    folder = write_case_file(tmp_path / "case", tables)
    (folder / "documents" / "linked").symlink_to(outside)
    hit = problems(folder)
    assert hit[hit["expected"] == OUTSIDE]["row"].tolist() == [3]
    # the whole documents folder a link to somewhere else
    other = write_case_file(tmp_path / "other", tables)
    (other / "documents").rename(tmp_path / "moved")
    (other / "documents").symlink_to(tmp_path / "moved")
    (tmp_path / "moved" / "linked").symlink_to(outside)
    hit = problems(other)
    assert sorted(hit[hit["expected"] == OUTSIDE]["row"].tolist()) == [2, 3]


def test_a_case_folder_reached_through_a_link_is_fine(tmp_path: Path, tables) -> None:
    folder = write_case_file(tmp_path / "case", tables)
    (tmp_path / "alias").symlink_to(folder)
    assert check_case_file(tmp_path / "alias", data_cutoff=CUTOFF).ok


def test_windows_1252_names_with_lost_letters_are_refused_never_shown(
    tmp_path: Path, tables
) -> None:
    tables["victims"][0]["name"] = "Anna Kamiński"  # ń is not in Windows-1252
    tables["victims"][1]["name"] = "Åsa Öberg"  # is: decoded correctly
    folder = tmp_path / "case"
    write_case_file(folder, tables)
    data = (folder / "victims.csv").read_text(encoding="utf-8")
    (folder / "victims.csv").write_bytes(data.encode("cp1252", errors="replace"))
    found = problems(folder)
    lost = found[found["expected"].str.contains("letters were lost")]
    assert lost[["file", "row", "column", "value"]].values.tolist() == [
        ["victims.csv", 2, "name", ""]
    ]
    assert "Kami" not in found.to_string()


def test_a_replacement_character_in_a_document_is_a_located_problem(tmp_path: Path, tables) -> None:
    folder = write_case_file(tmp_path / "case", tables)
    (folder / "documents" / "D-2.txt").write_bytes(b"Beslut.\nTolk: Anna Kami\x81ski")
    found = problems(folder)
    hit = found[found["file"] == "documents/D-2.txt"]
    assert len(hit) == 1 and "line 2, column 16" in hit.iloc[0]["expected"]
