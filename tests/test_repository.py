"""Repository hygiene: notebooks stored without outputs, private data git-ignored, and
no identity number in a tracked file except numbers that belong to nobody (checked:
Skatteverket's test numbers as vendored, Finnish temporary codes, PTS's phone numbers
for fiction) and those in fixtures marked as holding published example numbers."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from cape_study.paths import project
from cape_study.privacy.identifiers import is_valid_hetu
from cape_study.privacy.masking import scan_text
from cape_study.synth.texts import PHONE_SERIES

ROOT = project().root
REFERENCE = "src/cape_study/reference/test_identity_numbers.csv"
DEMO = "data/raw/demo/"
#: A tracked file that holds published example numbers on purpose says so with this line.
MARKER = "privacy-scan: published or synthetic identity numbers only"


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)


pytestmark = pytest.mark.skipif(
    _git("rev-parse", "--is-inside-work-tree").stdout.strip() != "true",
    reason="not a git checkout",
)


def _tracked() -> list[str]:
    return [p for p in _git("ls-files", "-z").stdout.split("\0") if p and (ROOT / p).is_file()]


def _dirty_cells(text: str) -> list[int]:
    """The cells of a notebook (JSON text) with outputs or an execution count."""
    cells = json.loads(text)["cells"]
    return [
        i for i, c in enumerate(cells) if c.get("outputs") or c.get("execution_count") is not None
    ]


def test_notebooks_are_stored_without_outputs_or_execution_counts() -> None:
    notebooks = sorted((ROOT / "notebooks").rglob("*.ipynb"))
    assert notebooks
    dirty = [
        f"{path.relative_to(ROOT)}, cell {i}"
        for path in notebooks
        for i in _dirty_cells(path.read_text(encoding="utf-8"))
    ]
    assert not dirty, "notebooks with outputs (clear them before committing): " + "; ".join(dirty)


def _make_git_filter(cwd: Path) -> subprocess.CompletedProcess[str]:
    """`make git-filter`, which `make install` runs, in ``cwd`` with this checkout's .venv."""
    venv = Path(sys.prefix)
    return subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-f",
            str(ROOT / "Makefile"),
            f"VENV={venv}",
            "git-filter",
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_git_filter_stages_a_notebook_saved_with_outputs_as_committed(tmp_path: Path) -> None:
    import nbformat

    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shutil.copy(ROOT / ".gitattributes", repo / ".gitattributes")
    assert _make_git_filter(repo).returncode == 0
    committed = (ROOT / "notebooks" / "01_attrition.ipynb").read_text(encoding="utf-8")
    nb = nbformat.reads(committed, as_version=4)
    # As JupyterLab saves it after Run All: outputs, counts, timings, full language_info.
    for count, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), start=1):
        cell.execution_count = count
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="42\n")]
        cell.metadata["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00Z"}
    nb.metadata.language_info.update(version="3.11.9", mimetype="text/x-python")
    nbformat.write(nb, repo / "nb.ipynb")
    assert _dirty_cells((repo / "nb.ipynb").read_text(encoding="utf-8"))

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=repo, capture_output=True, text=True, check=True
        ).stdout

    git("add", "nb.ipynb")
    staged = git("show", ":nb.ipynb")
    assert _dirty_cells(staged) == []
    assert staged == committed  # cell ids, tags and kernelspec kept, byte for byte


def test_git_filter_setup_is_skipped_outside_a_git_work_tree(tmp_path: Path) -> None:
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    result = _make_git_filter(unpacked)
    assert result.returncode == 0, result.stderr
    assert not (unpacked / ".git").exists()


@pytest.mark.parametrize(
    ("path", "ignored"),
    [
        ("data/processed/cases.parquet", True),
        ("data/processed/metadata.json", True),
        ("reports/index.html", True),
        ("reports/steps/00_intake.html", True),
        (".venv/bin/python", True),
        ("data/raw/casefile_2024/cases.csv", True),
        ("data/raw/casefile_2024.xlsx", True),
        ("data/raw/demo/cases.csv", False),
        ("data/raw/demo/documents/2012/SE000001-D01.txt", False),
        ("notebooks/00_intake.ipynb", False),
    ],
)
def test_gitignore_keeps_private_and_generated_data_out(
    path: str, ignored: bool, tmp_path: Path
) -> None:
    # in an empty repository with the same .gitignore: in this checkout, reports/steps
    # and data/processed may be links to the published report, which git will not see
    # beyond
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    shutil.copy(ROOT / ".gitignore", tmp_path / ".gitignore")
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", path],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == (0 if ignored else 1), f"{path}: {result.stderr}"


def _vendored() -> set[str]:
    with (ROOT / REFERENCE).open(encoding="utf-8", newline="") as f:
        return {row["number"] for row in csv.DictReader(f)}


def _twelve_digits(text: str) -> set[str]:
    """The 12-digit forms a personnummer as written could stand for (with any
    separator, in fullwidth digits, or with OCR's letters for digits: O, l, I, S, as the
    masking docstrings show them)."""
    text = text.translate(str.maketrans("OolIS", "00115"))
    digits = "".join(str(unicodedata.digit(ch)) for ch in text if ch.isdigit())
    if len(digits) == 12:
        return {digits}
    centuries = ("18", "19") if "+" in text else ("19", "20")
    return {c + digits for c in centuries}


def _fiction_phone(text: str) -> bool:
    """A number of PTS's series for books and films (see cape_study.synth.texts)."""
    digits = "".join(ch for ch in text if ch.isdigit())
    return any(
        len(digits) == 10 and digits.startswith(prefix) and lo <= int(digits[8:]) <= hi
        for prefix, lo, hi in PHONE_SERIES
    )


def test_no_identity_number_in_a_tracked_file_but_numbers_of_nobody() -> None:
    vendored = _vendored()
    found, marked = [], []
    for rel in _tracked():
        if rel == REFERENCE:
            continue  # the vendored list itself (see reference/README.md)
        try:
            text = (ROOT / rel).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary: no text to scan
        hits = [f for f in scan_text(text) if f.tag == "PNR"]
        if not hits:
            continue
        if MARKER in text and not rel.startswith(DEMO):
            marked.append(rel)
            continue
        for f in hits:
            number = text[f.start : f.end]
            # Numbers that belong to nobody: Skatteverket's test numbers, Finnish
            # temporary codes, and phone numbers for fiction that happen to pass as a
            # samordningsnummer (the demo's texts are full of them).
            ok = (
                bool(_twelve_digits(number) & vendored)
                or (is_valid_hetu(number) and int(number[7:10]) >= 900)
                or _fiction_phone(number)
            )
            if not ok:
                line = text.count("\n", 0, f.start) + 1
                found.append(f"{rel}:{line}: a {f.kind}")
    assert not found, "identity numbers in tracked files:\n" + "\n".join(found)
    assert "tests/test_privacy.py" in marked  # the marker is honoured, and needed there


def test_every_identity_number_of_the_demo_is_a_published_test_number() -> None:
    truth = json.loads((ROOT / DEMO / "truth.json").read_text(encoding="utf-8"))
    vendored = _vendored()
    numbers = [
        r[3] for r in truth["identifiers"]["rows"] if r[1] in ("personnummer", "samordningsnummer")
    ]
    assert numbers and set(numbers) <= vendored
    hetus = [r[3] for r in truth["identifiers"]["rows"] if r[1] == "hetu"]
    assert hetus and all(int(h[7:10]) >= 900 for h in hetus)


def test_no_key_file_is_tracked() -> None:
    keys = [p for p in _tracked() if Path(p).suffix in {".key", ".pem"}]
    assert keys == []
