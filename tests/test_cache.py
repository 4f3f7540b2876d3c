"""The step cache keeps each language's result: a step run in English, then in Swedish,
then in English again, is taken from the cache the third time, with its English page
and outputs (unit level: no kernel, no pipeline run; a run's stage and publication are
mimicked by moving a folder)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
import pytest

from cape_study.runner.cache import StepCache
from cape_study.runner.spec import Step

OUTPUT = "reports/tables/01.txt"
STEP = Step("01_attrition", "nb.ipynb", "attrition", outputs=(OUTPUT,))


class _Project:
    def __init__(self, base: Path) -> None:
        self.base, self.root, self.runs = base, base / "project", 0
        self.root.mkdir()
        (self.root / "nb.ipynb").write_text("{}", encoding="utf-8")
        self.cache = StepCache(self.root / ".cache" / "steps", self.root)

    def run(self, lang: str, library: str = "library") -> tuple[str, str]:
        """One run of the step in ``lang``: ``("cached", "")`` or ``("ran", why)``;
        its output is staged, then published as the report."""
        self.runs += 1
        stage = self.base / f"stage{self.runs}"
        self.cache.stage = stage
        params = {"lang": lang, "min_cell_count": 5}
        key = self.cache.key(STEP, params, {}, library, "kernel")
        entry, why = self.cache.lookup(STEP, params, key)
        if entry is not None:
            self.cache.carry(STEP.name, entry["outputs"])
        else:
            out = stage / OUTPUT
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(f"table in {lang}", encoding="utf-8")
            stored = {
                "key": key.key,
                "parts": key.parts,
                "parameters": params,
                "outputs": self.cache.outputs([OUTPUT]),
            }
            self.cache.store(STEP.name, stored, nbformat.v4.new_notebook(), f"page {lang}")
        shutil.rmtree(self.root / "reports", ignore_errors=True)
        os.replace(stage / "reports", self.root / "reports")
        return ("ran", why) if entry is None else ("cached", "")

    def published(self) -> str:
        return (self.root / OUTPUT).read_text(encoding="utf-8")

    def page(self) -> str:
        return (self.cache.folder / STEP.name / "report.html").read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> _Project:
    return _Project(tmp_path)


def test_switching_language_back_takes_the_step_from_the_cache(project: _Project) -> None:
    assert project.run("en") == ("ran", "not in the cache")
    assert project.run("sv") == ("ran", "parameters changed")
    assert project.published() == "table in sv" and project.page() == "page sv"
    # back to English: nothing runs; the English page and output are the report's again
    assert project.run("en") == ("cached", "")
    assert project.published() == "table in en" and project.page() == "page en"
    assert project.run("sv") == ("cached", "")
    assert project.published() == "table in sv" and project.page() == "page sv"
    assert project.run("sv") == ("cached", "")  # the published report itself
    # a changed library is a new key in every language: the step runs again
    assert project.run("sv", library="changed") == ("ran", "library changed")


def test_a_kept_language_whose_output_changed_runs_again(project: _Project) -> None:
    project.run("en")
    project.run("sv")
    kept = project.cache.language(STEP.name, {"lang": "en"}) / "files" / OUTPUT
    kept.unlink()
    kept.write_text("changed by hand", encoding="utf-8")
    assert project.run("en")[0] == "ran" and project.published() == "table in en"
