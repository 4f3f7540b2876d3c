"""The notebooks as a researcher uses them in JupyterLab: Run All without papermill, the
first cell's guard and autoreload (cape_study.notebook)."""

from __future__ import annotations

import json
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from conftest import copy_demo_project
from jupyter_core.utils import ensure_event_loop
from nbclient import NotebookClient

from cape_study import notebook
from cape_study.codebook import load_codebook
from cape_study.errors import CapeStudyError, StepFailed
from cape_study.loaders import CaseFile
from cape_study.paths import project
from cape_study.pipeline import run_pipeline

KERNEL = "cape-study"
STEPS = ["01_attrition", "02_barriers", "03_models", "04_text_coding"]
COMMAND = "`make report` or `.venv/bin/cape-study run --only 00_intake`"


def _by_hand_env(root: Path) -> dict[str, str]:
    """A kernel's environment as JupyterLab gives it: the project named, no runner."""
    env = {k: v for k, v in os.environ.items() if k != notebook.RUN_ENV}
    return env | {"CAPE_STUDY_ROOT": str(root)}


def _client(nb: nbformat.NotebookNode, root: Path, **options: object) -> NotebookClient:
    return NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=600,
        resources={"metadata": {"path": str(root / "notebooks")}},
        **options,
    )


def _processed(root: Path, version: str) -> None:
    """A processed case file of empty tables, made with codebook ``version``."""
    folder = project(root).data_processed
    folder.mkdir(parents=True)
    for name in CaseFile.TABLES:
        (folder / f"{name}.parquet").write_bytes(b"")
    (folder / "metadata.json").write_text(json.dumps({"codebook_version": version}))


# -- setup(), in this process ---------------------------------------------------------
@pytest.fixture
def bare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo project before intake, as the library's project."""
    root = copy_demo_project(tmp_path)
    monkeypatch.setenv("CAPE_STUDY_ROOT", str(root))
    monkeypatch.delenv(notebook.RUN_ENV, raising=False)
    return root


def test_setup_names_the_command_when_there_is_no_processed_case_file(bare: Path) -> None:
    with pytest.raises(notebook.NotebookError) as info:
        notebook.setup("01_attrition")
    assert str(info.value) == f"No processed case file in data/processed: run {COMMAND} first."
    assert isinstance(info.value, CapeStudyError)
    assert info.value._render_traceback_() == [str(info.value)]
    notebook.setup("00_intake")  # intake reads the raw case file: nothing to check


def test_setup_refuses_an_incomplete_or_outdated_processed_case_file(bare: Path) -> None:
    current = load_codebook().version
    _processed(bare, "0.9")
    with pytest.raises(notebook.NotebookError, match=r"codebook version 0\.9, but the current"):
        notebook.setup("02_barriers")
    (bare / "data" / "processed" / "events.parquet").unlink()
    with pytest.raises(notebook.NotebookError, match=r"incomplete \(no events.parquet\)"):
        notebook.setup("03_models")
    shutil.rmtree(bare / "data" / "processed")
    _processed(bare, current)
    notebook.setup("03_models")
    with pytest.raises(notebook.NotebookError, match=r"has no step '05_maps'.*01_attrition"):
        notebook.setup("05_maps")


# -- kernels --------------------------------------------------------------------------
def test_first_cell_reloads_an_edited_module_without_a_restart(bare: Path, tmp_path: Path) -> None:
    first = nbformat.read(bare / "notebooks" / "00_intake.ipynb", as_version=4).cells
    setup_cell = next(c for c in first if c.cell_type == "code")
    assert setup_cell.source.startswith("%load_ext autoreload\n%autoreload 2\n")
    package = tmp_path / "scratch"
    package.mkdir()
    module = package / "probe_module.py"
    module.write_text("def answer():\n    return 1\n")
    nb = nbformat.v4.new_notebook(
        cells=[
            setup_cell,
            nbformat.v4.new_code_cell(
                f"import sys\nsys.path.insert(0, {str(package)!r})\n"
                "from probe_module import answer\nanswer()"
            ),
            nbformat.v4.new_code_cell("answer()"),
        ]
    )
    client = _client(nb, bare)
    with client.setup_kernel(env=_by_hand_env(bare)):
        for index in range(2):
            client.execute_cell(nb.cells[index], index)
        module.write_text("def answer():\n    return 2\n")
        later = time.time() + 5  # a newer modification time, whatever the clock's grain
        os.utime(module, (later, later))
        client.execute_cell(nb.cells[2], 2)
    assert nb.cells[1].outputs[0]["data"]["text/plain"] == "1"
    assert nb.cells[2].outputs[0]["data"]["text/plain"] == "2"


def test_guard_stops_a_notebook_opened_by_hand_at_its_first_cell(bare: Path) -> None:
    nb = nbformat.read(bare / "notebooks" / "01_attrition.ipynb", as_version=4)
    first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    client = _client(nb, bare, allow_errors=True)
    errors = []
    with client.setup_kernel(env=_by_hand_env(bare)):
        client.execute_cell(nb.cells[first], first)
        errors.append(nb.cells[first].outputs[-1])
        _processed(bare, "0.9")
        client.execute_cell(nb.cells[first], first)
        errors.append(nb.cells[first].outputs[-1])
    missing, outdated = errors
    for error in errors:
        assert error["output_type"] == "error" and error["ename"] == "NotebookError"
        assert len(error["traceback"]) == 1  # one sentence, no frames
        assert "Traceback" not in error["traceback"][0] and "File " not in error["traceback"][0]
        assert error["traceback"][0].endswith(".") and COMMAND in error["traceback"][0]
    expected = f"No processed case file in data/processed: run {COMMAND} first."
    assert missing["traceback"] == [expected]
    assert "made with codebook version 0.9" in outdated["traceback"][0]


def test_the_runner_still_names_the_step_and_cell_of_the_guard(bare: Path) -> None:
    pipeline = (bare / "pipeline.yaml").read_text(encoding="utf-8")
    # 01_attrition alone, as if intake had run: its first cell finds nothing to read.
    steps = pipeline.split("\n  01_attrition:")[1].split("\n  02_barriers:")[0]
    (bare / "pipeline.yaml").write_text(
        "steps:\n  01_attrition:" + steps.replace("needs: [00_intake]", "needs: []"),
        encoding="utf-8",
    )
    with pytest.raises(StepFailed) as info:
        run_pipeline(project(bare), progress=lambda event: None)
    assert info.value.step == "01_attrition" and info.value.cell == 1
    assert f"NotebookError: No processed case file in data/processed: run {COMMAND}" in str(
        info.value
    )


def test_every_analysis_notebook_runs_all_by_hand(demo_report: Path, tmp_path: Path) -> None:
    """Run All in JupyterLab: no parameters injected, the kernel in notebooks/."""
    root = tmp_path / "project"
    shutil.copytree(demo_report, root)

    def run_all(step: str) -> list[str]:
        nb = nbformat.read(root / "notebooks" / f"{step}.ipynb", as_version=4)
        try:
            _client(nb, root).execute(env=_by_hand_env(root))  # raises on a cell's error
        finally:
            ensure_event_loop().close()  # the loop nbclient made for this thread
        return [o.ename for c in nb.cells for o in c.get("outputs", []) if "ename" in o]

    with ThreadPoolExecutor(2) as pool:  # two kernels at a time, as two open tabs
        errors = dict(zip(STEPS, pool.map(run_all, STEPS), strict=True))
    assert errors == {step: [] for step in STEPS}
