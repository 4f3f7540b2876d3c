"""The notebooks' first and last cells: what a step needs before it starts, and the
figures and tables it exports.

Every notebook starts with::

    %load_ext autoreload
    %autoreload 2
    from cape_study import notebook
    notebook.setup("01_attrition")

and continues with the cell tagged ``parameters``.

Before anything else
--------------------
:func:`setup` checks what the step needs, so that a notebook opened by hand in
JupyterLab stops at its first cell with one sentence saying which command to run,
instead of a traceback deep in a loader. A step whose inputs in ``pipeline.yaml`` lie in
``data/processed`` needs the processed case file there: ``metadata.json`` and the
parquet file of every table :func:`cape_study.loaders.read_processed` reads, written
with the version of the current codebook (:func:`cape_study.codebook.load_codebook`,
which the analysis notebooks label their tables with). A problem raises
:class:`NotebookError`, which IPython shows as its message alone.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cape_study.errors import CapeStudyError
from cape_study.paths import ProjectPaths, project

__all__ = [
    "RUN_ENV",
    "NotebookError",
    "export_paths",
    "setup",
]

#: Set to ``1`` in the kernel's environment by the runner (:mod:`cape_study.execution`).
RUN_ENV = "CAPE_STUDY_RUN"
_PROCESSED = "data/processed"
_INTAKE_COMMAND = "`make report` or `.venv/bin/cape-study run --only {step}`"


class NotebookError(CapeStudyError):
    """A notebook that cannot run as it is: a missing prerequisite or an unknown step.

    IPython shows an exception with ``_render_traceback_`` by what that returns, so a
    researcher sees the one sentence (with the command to run), not a traceback; the
    runner still reports it under the step and cell.
    """

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


@dataclass
class _Session:
    """The step a kernel is running and what it has shown with a name so far."""

    step: str
    title: str
    parameter_set: str
    paths: ProjectPaths
    published: bool
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


_session: _Session | None = None


def export_paths(paths: ProjectPaths, step: str, *, published: bool) -> tuple[Path, Path]:
    """The folder of a step's figures and the path of its workbook: under ``reports/``
    for a pipeline run (``published``), under ``reports/lab/`` for a notebook run by hand."""
    base = paths.reports if published else paths.reports / "lab"
    return base / "figures" / step, base / "tables" / f"{step}.xlsx"


def setup(step: str) -> None:
    """Start the notebook of ``step``: check that what it needs exists, then clear its
    earlier exports.

    Parameters
    ----------
    step
        The step's name in ``pipeline.yaml`` (``"01_attrition"``).

    Raises
    ------
    NotebookError
        If ``step`` is not in ``pipeline.yaml``, or the step reads the processed case
        file and there is none, it is incomplete or unreadable, or it was made with
        another codebook version than the current one. The message names the command
        that makes it.
    """
    global _session
    from cape_study.pipeline import load_pipeline

    paths = project()
    try:
        pipeline = load_pipeline(paths.pipeline_file)
    except CapeStudyError as exc:
        raise NotebookError(str(exc)) from None
    if step not in pipeline.steps:
        raise NotebookError(
            f"{paths.pipeline_file.name} has no step {step!r} (steps: "
            f"{', '.join(pipeline.steps)}): pass setup() the name of this notebook's step."
        )
    spec = pipeline.steps[step]
    if any(_under_processed(p) for p in spec.inputs):
        writers = [s.name for s in pipeline.steps.values() if any(map(_under_processed, s.outputs))]
        _check_processed(paths, writers[0] if writers else "00_intake")
    published = os.environ.get(RUN_ENV) == "1"
    figures, workbook = export_paths(paths, step, published=published)
    shutil.rmtree(figures, ignore_errors=True)
    workbook.unlink(missing_ok=True)
    _session = _Session(step, spec.title or step, spec.parameters, paths, published)


def _under_processed(pattern: str) -> bool:
    return pattern.replace("\\", "/").lstrip("./").startswith(_PROCESSED + "/")


def _check_processed(paths: ProjectPaths, intake: str) -> None:
    from cape_study.codebook import DEFAULT_CODEBOOK, load_codebook
    from cape_study.loaders import CaseFile

    folder = paths.data_processed
    shown = folder.relative_to(paths.root).as_posix()
    command = _INTAKE_COMMAND.format(step=intake)
    meta_path = folder / "metadata.json"
    if not meta_path.is_file():
        raise NotebookError(f"No processed case file in {shown}: run {command} first.")
    missing = [f"{t}.parquet" for t in CaseFile.TABLES if not (folder / f"{t}.parquet").is_file()]
    if missing:
        raise NotebookError(
            f"The processed case file in {shown} is incomplete (no {', '.join(missing)}): "
            f"run {command} again."
        )
    try:
        recorded = json.loads(meta_path.read_text(encoding="utf-8"))["codebook_version"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise NotebookError(
            f"{shown}/metadata.json cannot be read ({type(exc).__name__}: {exc}): run "
            f"{command} again."
        ) from None
    current = load_codebook().version
    if str(recorded) != str(current):
        raise NotebookError(
            f"The processed case file in {shown} was made with codebook version "
            f"{recorded}, but the current codebook ({DEFAULT_CODEBOOK}) is version "
            f"{current}: run {command} again."
        )
