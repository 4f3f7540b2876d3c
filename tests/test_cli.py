"""The command line: expected problems give messages and exit codes, never tracebacks."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from conftest import tree_digest, write_case_file

from cape_study.cli import main

CUTOFF = ["--data-cutoff", "2024-12-31"]


def test_validate_clean_case_file_prints_a_summary(case_dir: Path, capsys) -> None:
    assert main(["validate", str(case_dir), *CUTOFF]) == 0
    out = capsys.readouterr().out
    assert "a valid case file" in out and "(SE 2, FI 1)" in out


def test_validate_broken_case_file_lists_every_problem(case_dir: Path, tables, capsys) -> None:
    tables["cases"][0]["sector"] = "fishing"
    tables["events"][0]["date"] = "yesterday"
    tables["victims"][1]["case_id"] = "SE-404"
    write_case_file(case_dir, tables)
    before = tree_digest(case_dir)
    assert main(["validate", str(case_dir), *CUTOFF]) == 1
    out = capsys.readouterr().out
    # the problems come first, the notes (absent optional columns, version 1) after them;
    # the victim moved to an unknown case also leaves SE-1 with fewer victims than n_victims
    assert out.splitlines()[0] == "4 problem(s), from 4 cause(s):"
    assert out.index("problem(s)") < out.index("note:")
    for needle in ("fishing", "yesterday", "SE-404", "n_victims", "nothing was written"):
        assert needle in out
    assert tree_digest(case_dir) == before


def test_validate_bad_cutoff_is_a_message(case_dir: Path, capsys) -> None:
    assert main(["validate", str(case_dir), "--data-cutoff", "31/12/2024"]) == 1
    assert "not a date written YYYY-MM-DD" in capsys.readouterr().err


def test_codebook_command_renders_swedish(capsys) -> None:
    assert main(["codebook", "--lang", "sv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# ") and "Brott kan inte styrkas" in out


def test_codebook_command_writes_html(tmp_path: Path) -> None:
    out = tmp_path / "codebook.html"
    assert main(["codebook", "--lang", "en", "--html", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_installed_command_reports_missing_path_without_traceback(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("cape-study")
    proc = subprocess.run(
        [str(exe), "validate", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "the path does not exist" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "codebook version 1.0" not in proc.stdout  # no migration note for nothing


def test_a_closed_output_pipe_ends_quietly(case_dir: Path, monkeypatch) -> None:
    """`cape-study validate ... | head -1`: the reader leaves; no traceback."""

    class Gone(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Gone())
    assert main(["validate", str(case_dir)]) == 141
