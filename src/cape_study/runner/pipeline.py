"""Run ``pipeline.yaml``: execute the notebooks, render the report, record provenance.

The report author's one command (``cape-study run``) is :func:`run_pipeline`. It reads
the steps, checks every parameter, executes each notebook with papermill in the
project's Jupyter kernel (working directory: the project root), renders one
self-contained HTML page per step with nbconvert, and writes ``reports/index.html``
and ``reports/manifest.json``; :func:`cape_study.runner.manifest.verify_report` recomputes
the manifest's hashes.

This module holds :func:`run_pipeline`; the pipeline file and its parameters are
:mod:`cape_study.runner.spec`, whether a run has nothing to do is
:mod:`cape_study.runner.current`, the run itself is spread over :mod:`cape_study.runner.run`
(statuses, scheduling, failures, Ctrl-C), :mod:`cape_study.runner.execution` (one notebook in
one kernel), :mod:`cape_study.runner.cache`, :mod:`cape_study.runner.report` (the folder a run
publishes: :mod:`~cape_study.runner.pages`, :mod:`~cape_study.runner.index`,
:mod:`~cape_study.runner.manifest`, :mod:`~cape_study.runner.document`) and
:mod:`cape_study.runner.provenance` (hashes, git, packages).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from cape_study.errors import PipelineError
from cape_study.paths import ProjectPaths
from cape_study.runner.current import prepare
from cape_study.runner.execution import KERNEL, ProgressEvent, print_progress
from cape_study.runner.run import Run, RunResult

__all__ = ["run_pipeline"]


def run_pipeline(
    paths: ProjectPaths,
    *,
    overrides: Mapping[str, Any] | None = None,
    params_file: str | Path | None = None,
    only: Iterable[str] | None = None,
    jobs: int = 1,
    force: bool = False,
    progress: Callable[[ProgressEvent], None] | None = print_progress,
    parameter_sets: Mapping[str, type[BaseModel]] | None = None,
    source: str | Path | None = None,
    kernel: str = KERNEL,
    wait: float = 0.0,
    publish_partial: bool = False,
) -> RunResult:
    """Run the project's pipeline and write its report.

    Parameters
    ----------
    paths
        The project (``pipeline.yaml``, ``reports/``, ``.cache/steps``).
    overrides, params_file
        Parameter overrides (see :func:`cape_study.runner.spec.resolve_parameters`).
    only
        Run only these steps (and the steps they need, which are taken from the cache
        when they can be); the others are reported from the cache or skipped.
    jobs
        How many steps may run at the same time, each in its own kernel.
    force
        Re-run the steps (those in ``only``, else all) even when cached.
    progress
        Called with a :class:`ProgressEvent` for each step and cell; None is silent.
    parameter_sets
        The registry of parameter sets (default ``PARAMETER_SETS``).
    source
        The library source hashed into every cache key (default ``paths.source``).
    kernel
        The Jupyter kernel to execute in.
    wait
        Seconds to wait for another run of the same project to finish.
    publish_partial
        Publish the report of a run in which a step failed or was skipped; without it
        such a report is kept as ``reports/partial/`` and the published one is not
        touched (:mod:`cape_study.runner.run`).

    Returns
    -------
    RunResult

    Raises
    ------
    PipelineError, ParameterError
        Before any kernel starts.
    PipelineBusy
        If another run holds the lock.
    KernelMissing
        If a step must run and ``kernel`` is not installed.
    PipelineFailed
        If a step failed (after the steps that do not need it have run).
    """
    if jobs < 1:
        raise PipelineError(f"jobs must be at least 1, not {jobs}")
    pipeline, selected, params = prepare(
        paths,
        overrides=overrides,
        params_file=params_file,
        only=only,
        parameter_sets=parameter_sets,
    )
    run = Run(
        paths,
        pipeline,
        params,
        selected=selected,
        forced=set(only or pipeline.steps) if force else set(),
        jobs=jobs,
        progress=progress,
        source=Path(source or paths.source),
        kernel=kernel,
        publish_partial=publish_partial,
    )
    return run.run(wait)
