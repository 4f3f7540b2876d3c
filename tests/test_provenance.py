"""Tests for cape_study.provenance: the data hash of a report."""

from __future__ import annotations

import hashlib

from cape_study.provenance import data_digest


def _hash(lines: list[str]) -> str:
    return hashlib.sha256("".join(f"{line}\n" for line in lines).encode()).hexdigest()


def test_data_digest_hashes_the_case_files_wherever_they_lie() -> None:
    inputs = {
        "data/raw/demo/cases.csv": "1" * 64,
        "data/raw/demo/documents/d1.txt": "2" * 64,
        "/home/someone/.config/cape-study/pseudonym.key": "3" * 64,
    }
    within = data_digest(inputs, "data/raw/demo")
    assert within == {
        "sha256": _hash([f"cases.csv\0{'1' * 64}", f"documents/d1.txt\0{'2' * 64}"]),
        "files": 2,
    }
    moved = {k.replace("data/raw/demo", "/secure/casefile"): v for k, v in inputs.items()}
    assert data_digest(moved, "/secure/casefile/") == within
    assert data_digest(inputs, "data/raw/dem")["files"] == 0  # a prefix is not a folder
    workbook = data_digest({"data/raw/cases.xlsx": "4" * 64}, "data/raw/cases.xlsx")
    assert workbook["sha256"] == _hash([f"cases.xlsx\0{'4' * 64}"])
    everything = data_digest(inputs)
    assert everything["files"] == 3
    assert everything["sha256"] == _hash(sorted(f"{k}\0{v}" for k, v in inputs.items()))
