"""A large text scanned without names is searched by two processes (the OCR reading in
the second, :func:`cape_study.privacy.masking._candidates_shared`): the findings are
those of one process, also when the second process cannot run (issue 22).

privacy-scan: synthetic identity numbers only (generated with valid check digits)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from planted import hostile, planted

from cape_study.privacy import identifiers, masking, patterns
from cape_study.privacy.scanning import scan_content


@pytest.fixture(scope="module")
def text() -> str:
    """Planted and hostile texts (identity numbers with an OCR letter among them), one
    per line, as a large published file holds them."""
    items = planted(seed=22, identifiers=300, names=50, clean=50) + hostile(seed=22)
    return "\n".join(item.text for item in items) + "\n"


def _one_process(text: str, monkeypatch: pytest.MonkeyPatch) -> list[masking.Finding]:
    with monkeypatch.context() as m:
        m.setenv("CAPE_STUDY_WORKERS", "1")
        return masking.scan_text(text)


def test_two_processes_find_what_one_finds(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = _one_process(text, monkeypatch)
    folded = masking.fold(text).text
    as_written = masking._resolve(
        [masking.Finding(*f) for f in [*identifiers.find(folded), *patterns.find(folded)]]
    )
    # the second process's part matters here: without the OCR reading some are missed
    assert len(as_written) < len(alone)
    started: list[list[str]] = []
    popen = masking.subprocess.Popen

    def counted(args: list[str], **kwargs: object) -> object:
        started.append(args)
        return popen(args, **kwargs)

    monkeypatch.setattr(masking, "PARALLEL_SCAN_FROM", len(text) // 2)
    monkeypatch.setattr(masking.subprocess, "Popen", counted)
    monkeypatch.setenv("CAPE_STUDY_WORKERS", "2")
    assert masking.scan_text(text) == alone
    assert len(started) == 1
    # a published CSV file is scanned the same way (its commas read as '|')
    content = text.replace("\n", ",x\n").encode("utf-8")
    shared = scan_content(content, "review/list.csv")
    monkeypatch.setenv("CAPE_STUDY_WORKERS", "1")
    assert shared == scan_content(content, "review/list.csv")
    assert len(started) == 2 and shared


def test_a_second_process_that_fails_changes_nothing(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = _one_process(text, monkeypatch)
    monkeypatch.setattr(masking, "PARALLEL_SCAN_FROM", len(text) // 2)
    monkeypatch.setenv("CAPE_STUDY_WORKERS", "2")
    for program in ("/bin/false", "/nonexistent/python"):
        monkeypatch.setattr(masking.sys, "executable", program)
        assert masking.scan_text(text) == alone


def test_names_are_searched_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(masking, "PARALLEL_SCAN_FROM", 10)
    monkeypatch.setenv("CAPE_STUDY_WORKERS", "2")

    def refused(*args: object, **kwargs: object) -> object:
        raise AssertionError("no second process when names are searched")

    monkeypatch.setattr(masking.subprocess, "Popen", refused)
    text = "Förhör med Anna Berg i Solna den 3 maj."
    assert [f.kind for f in masking.scan_text(text, ["Anna Berg"])] == ["name"]
