"""Run ``pipeline.yaml``: execute the notebooks, render the report, record provenance.

The report author's one command (``cape-study run``) is :func:`run_pipeline`. It reads
the steps, checks every parameter, executes each notebook with papermill in the
project's Jupyter kernel (working directory: the project root), renders one
self-contained HTML page per step with nbconvert, and writes ``reports/index.html``
and ``reports/manifest.json``. :func:`verify_report` recomputes the manifest's hashes.

pipeline.yaml
-------------
::

    steps:
      00_intake:
        notebook: notebooks/00_intake.ipynb
        title: Intake of the case file
        parameters: intake              # a set in cape_study.params.PARAMETER_SETS
        inputs: ["{case_file}"]         # paths or globs, relative to the project root
        outputs: [data/processed/*.parquet, data/processed/metadata.json]
      01_attrition:
        notebook: notebooks/01_attrition.ipynb
        title: Where cases drop out
        parameters: attrition
        needs: [00_intake]              # steps that must finish first
        inputs: [data/processed/*.parquet]
        values: {min_cell_count: 5}     # optional per-step overrides of the defaults

Only ``notebook`` and ``parameters`` are required. A folder among the inputs or
outputs stands for every file below it; ``{name}`` is replaced by the step's resolved
parameter ``name``. Step names use letters, digits, ``_`` and ``-``.

Parameters, from weakest to strongest: the set's defaults, the step's ``values``, the
``--params`` file, then ``-p``. Both of the last two take ``key=value`` (every step
whose set declares ``key``; a key no step declares is an error) and
``STEP.key=value`` (one step); a ``--params`` file may also nest ``STEP: {key: value}``.

Statuses and the cache
----------------------
A step is ``ran``, ``cached`` (taken from ``.cache/steps/<step>/``), ``failed``, or
``skipped`` (a step it needs did not succeed, or it was left out by ``--only`` and is
not in the cache). A step is taken from the cache when its notebook, its resolved
parameters, its input files, the output files of the steps it needs, and the library
source (every file under ``src/cape_study``, codebooks included) hash as they did when
it last ran, and its outputs still hash as they did then. ``force`` re-runs.

The report
----------
``reports/index.html`` links ``reports/steps/<step>.html`` (outputs only: no code, no
prompts, no parameters cell; figures inline) and ``reports/steps/<step>.ipynb`` (the
executed notebook). For each step it shows the title, status, time and key findings,
taken from the notebook's *Takeaway cells*:

* a markdown cell whose text starts with ``**Takeaway`` (for example
  ``**Takeaway:** most cases close before anyone is prosecuted.``); the bold label
  is dropped;
* a code cell tagged ``takeaway``, whose output is the finding: ``text/markdown``
  (``display(Markdown(...))``), else ``text/plain``, else printed text. This is the
  form to use when the finding quotes numbers computed from the data.

If ``data/processed/metadata.json`` says ``"synthetic": true``, the index carries a
banner saying the report is built from synthetic data.

The new report is built in a temporary directory under ``reports/`` and moved into
place only when every step ran or was cached; ``reports/failed/`` (the partly executed
notebook of each failed step) and ``reports/benchmarks/`` are never replaced. One run
at a time: a second run on the same project stops (or waits ``wait`` seconds).

Execution and failures
----------------------
Each step runs in a fresh kernel (``cape-study``, over Unix sockets in a private
folder), with the resolved parameters injected after its ``parameters`` cell; while a
step runs, the kernel of the next one is started so that it is ready when needed.
A failing cell stops its step: the error names the step and the cell, counting the
notebook's code cells from 1 (the injected cell is not counted), the partly executed
notebook is kept as ``reports/failed/<step>.ipynb``, the steps that need it are
skipped, the others still run, and :class:`PipelineFailed` is raised. A kernel that
dies fails its step the same way. Ctrl-C kills the running kernels, removes the
temporary report and re-raises ``KeyboardInterrupt``; the last report stays as it was.

manifest.json
-------------
``format``; ``created`` (UTC); ``git`` (``commit``, ``dirty``; null outside a
repository); ``constraints`` (path and SHA-256 of ``constraints.txt``); ``python``;
``packages`` (every installed distribution and its version); ``kernel``; ``library``
(path and SHA-256 of the library source); ``synthetic``; ``steps`` (per step: title,
notebook and its hash, parameter set and values, needs, SHA-256 of every input and
output file, status, ``seconds`` this run, ``ran_at`` and ``ran_seconds`` of the
execution that produced it, takeaways); ``report_files`` (SHA-256 of index.html and
each step's files); ``disclosure``: the suppression audit, one record per suppressed
cell (``step``, ``table``, ``cell``, ``column``, ``reason``, ``threshold``; never the
value), collected from the output that ``disclosure.publish_audit()`` displays in each
notebook (an empty list when nothing was suppressed).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import glob
import hashlib
import html
import importlib.metadata
import json
import os
import platform
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from cape_study.errors import CapeStudyError, ParameterError, StepFailed
from cape_study.params import (
    PARAMETER_SETS,
    notebook_parameters,
    parameter_set,
    validate_parameters,
)
from cape_study.paths import ProjectPaths

__all__ = [
    "KERNEL",
    "Difference",
    "KernelMissing",
    "Pipeline",
    "PipelineBusy",
    "PipelineError",
    "PipelineFailed",
    "ProgressEvent",
    "RunResult",
    "Step",
    "StepResult",
    "load_pipeline",
    "print_progress",
    "resolve_parameters",
    "run_pipeline",
    "verify_report",
]

KERNEL = "cape-study"
_FORMAT = 1
_STEP_KEYS = {"notebook", "title", "parameters", "needs", "inputs", "outputs", "values"}
_STEP_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_HIDDEN_TAGS = ["parameters", "injected-parameters", "papermill-error-cell-tag"]
# cape_study.disclosure.AUDIT_MIMETYPE, not imported: that would load pandas into the
# runner (tests check the two agree).
_AUDIT_MIMETYPE = "application/vnd.cape-study.disclosure+json"
_TAKEAWAY_LABEL = re.compile(r"^\s*\*\*Takeaways?\b[^*]*\*\*\s*[:.–—-]?\s*")


class PipelineError(CapeStudyError, ValueError):
    """A pipeline file, step selection or manifest that cannot be used; names the file
    and step."""


class PipelineBusy(CapeStudyError):
    """Another run holds the project's report lock."""


class KernelMissing(CapeStudyError):
    """The Jupyter kernel the notebooks run in is not installed."""


class PipelineFailed(StepFailed):
    """One or more steps failed. Names the first failed step and its cell; ``result``
    holds every step's outcome."""

    def __init__(self, result: RunResult) -> None:
        failed = [r for r in result.steps.values() if r.status == "failed"]
        first = failed[0]
        lines = [first.message]
        lines += [f"also failed: step {r.name!r}: {r.message}" for r in failed[1:]]
        lines += [
            f"not run: step {r.name!r} ({r.message})"
            for r in result.steps.values()
            if r.status == "skipped"
        ]
        lines.append(f"{result.report_dir} was not updated")
        super().__init__(first.name, "\n".join(lines), first.cell)
        self.result = result


# -- the pipeline file ----------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One notebook of the pipeline, as declared in ``pipeline.yaml``."""

    name: str
    notebook: str
    parameters: str
    title: str = ""
    needs: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Pipeline:
    """The steps of a pipeline file, in an order that respects ``needs``."""

    path: Path
    steps: dict[str, Step]


def load_pipeline(
    path: str | Path, *, parameter_sets: Mapping[str, type[BaseModel]] | None = None
) -> Pipeline:
    """Read and check a pipeline file; order its steps by their needs.

    Steps that do not depend on each other keep their order in the file.

    Raises
    ------
    PipelineError
        For a missing or malformed file, an unknown key, parameter set or need, or a
        cycle of needs; the message names the file and step.
    """
    path = Path(path)
    if not path.is_file():
        raise PipelineError(f"{path}: no pipeline file (it declares the steps to run)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PipelineError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("steps"), dict) or not data["steps"]:
        raise PipelineError(f"{path}: expected a mapping `steps:` of step name -> step")
    if set(data) - {"steps"}:
        raise PipelineError(f"{path}: unknown top-level key(s) {sorted(set(data) - {'steps'})}")
    steps = {
        str(name): _read_step(path, str(name), spec, parameter_sets)
        for name, spec in data["steps"].items()
    }
    for step in steps.values():
        for need in step.needs:
            if need not in steps:
                raise PipelineError(
                    f"{path}: step {step.name!r} needs {need!r}, which is not a step "
                    f"(steps: {', '.join(steps)})"
                )
    return Pipeline(path, {name: steps[name] for name in _order(path, steps)})


def _read_step(
    path: Path, name: str, spec: Any, registry: Mapping[str, type[BaseModel]] | None
) -> Step:
    where = f"{path}: step {name!r}"
    if not _STEP_NAME.match(name):
        raise PipelineError(f"{where}: a step name uses only letters, digits, '_' and '-'")
    if not isinstance(spec, dict):
        raise PipelineError(f"{where}: expected a mapping with notebook, parameters, ...")
    if unknown := set(spec) - _STEP_KEYS:
        raise PipelineError(
            f"{where}: unknown key(s) {sorted(unknown)}; allowed: {', '.join(sorted(_STEP_KEYS))}"
        )
    for key in ("notebook", "parameters"):
        if not isinstance(spec.get(key), str):
            raise PipelineError(f"{where}: `{key}:` is required")
    try:
        parameter_set(spec["parameters"], registry)
    except ValueError as exc:
        raise PipelineError(f"{where}: {exc}") from None

    def strings(key: str) -> tuple[str, ...]:
        value = spec.get(key) or []
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise PipelineError(f"{where}: `{key}:` must be a list of strings")
        return tuple(value)

    values = spec.get("values") or {}
    if not isinstance(values, dict):
        raise PipelineError(f"{where}: `values:` must be a mapping of parameter -> value")
    return Step(
        name,
        spec["notebook"],
        spec["parameters"],
        str(spec.get("title") or name),
        strings("needs"),
        strings("inputs"),
        strings("outputs"),
        values,
    )


def _order(path: Path, steps: Mapping[str, Step]) -> list[str]:
    """Topological order, stable with respect to the file; a cycle is an error."""
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, chain: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "active":
            cycle = [*chain[chain.index(name) :], name]
            raise PipelineError(f"{path}: the needs form a cycle: {' -> '.join(cycle)}")
        state[name] = "active"
        for need in steps[name].needs:
            visit(need, [*chain, name])
        state[name] = "done"
        order.append(name)

    for name in steps:
        visit(name, [])
    return order


# -- parameters -------------------------------------------------------------------------
def resolve_parameters(
    pipeline: Pipeline,
    root: str | Path,
    *,
    overrides: Mapping[str, Any] | None = None,
    params_file: str | Path | None = None,
    parameter_sets: Mapping[str, type[BaseModel]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Resolve and validate every step's parameters.

    Parameters
    ----------
    pipeline
        The steps.
    root
        The project root, for parameters that name files.
    overrides
        ``key`` or ``STEP.key`` -> value, as given by ``-p`` (strongest).
    params_file
        A YAML mapping in the same two forms (or ``STEP: {key: value}``).
    parameter_sets
        The registry of parameter sets (default :data:`cape_study.params.PARAMETER_SETS`).

    Returns
    -------
    dict
        Step name -> parameter values in JSON form, as injected into the notebook.

    Raises
    ------
    ParameterError
        Listing every unknown, mistyped or out-of-bounds value, and what is allowed.
    """
    registry = PARAMETER_SETS if parameter_sets is None else parameter_sets
    declared = {
        name: set(registry[s.parameters].model_fields) for name, s in pipeline.steps.items()
    }
    layers = [{name: dict(s.values) for name, s in pipeline.steps.items()}]
    if params_file is not None:
        layers += _split_overrides(
            _read_params_file(Path(params_file)), declared, f"{params_file}", nested=True
        )
    if overrides:
        layers += _split_overrides(overrides, declared, "-p", nested=False)
    resolved: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for name, step in pipeline.steps.items():
        values: dict[str, Any] = {}
        for layer in layers:
            values.update(layer.get(name, {}))
        try:
            model = validate_parameters(
                step.parameters, values, registry=registry, root=root, where=f"step {name!r}"
            )
        except ParameterError as exc:
            problems.append(str(exc))
            continue
        resolved[name] = model.model_dump(mode="json")
        for pattern in (*step.inputs, *step.outputs):
            try:
                pattern.format(**resolved[name])
            except (KeyError, IndexError, ValueError):
                problems.append(
                    f"step {name!r}: {pattern!r} names no parameter of set "
                    f"{step.parameters!r} (use {{name}} for a parameter)"
                )
    if problems:
        raise ParameterError("\n".join(problems))
    return resolved


def _read_params_file(path: Path) -> Mapping[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ParameterError(f"--params {path}: cannot read it: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"--params {path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ParameterError(f"--params {path}: expected a mapping of parameter -> value")
    return data


def _split_overrides(
    items: Mapping[str, Any], declared: Mapping[str, set[str]], source: str, *, nested: bool
) -> list[dict[str, dict[str, Any]]]:
    """Split ``key`` / ``STEP.key`` overrides into a global and a per-step layer."""
    everywhere: dict[str, dict[str, Any]] = {}
    per_step: dict[str, dict[str, Any]] = {}
    for key, value in items.items():
        key = str(key)
        if nested and key in declared and isinstance(value, dict):
            for sub, sub_value in value.items():
                _check_key(source, key, str(sub), declared)
                per_step.setdefault(key, {})[str(sub)] = sub_value
        elif "." in key:
            step, _, name = key.partition(".")
            _check_key(source, step, name, declared)
            per_step.setdefault(step, {})[name] = value
        else:
            hits = [step for step, names in declared.items() if key in names]
            if not hits:
                allowed = sorted(set().union(*declared.values()))
                raise ParameterError(
                    f"{source}: unknown parameter {key!r} (given {value!r}); "
                    f"no step declares it. Allowed: {', '.join(allowed)}"
                )
            for step in hits:
                everywhere.setdefault(step, {})[key] = value
    return [everywhere, per_step]


def _check_key(source: str, step: str, name: str, declared: Mapping[str, set[str]]) -> None:
    if step not in declared:
        raise ParameterError(
            f"{source}: {step}.{name}: no step {step!r}; steps: {', '.join(declared)}"
        )
    if name not in declared[step]:
        raise ParameterError(
            f"{source}: step {step!r} has no parameter {name!r}; "
            f"allowed: {', '.join(sorted(declared[step]))}"
        )


# -- results and progress -------------------------------------------------------------
@dataclass
class StepResult:
    """What happened to one step in a run."""

    name: str
    title: str
    status: str
    seconds: float = 0.0
    message: str = ""
    cell: int | None = None
    ran_at: str | None = None
    ran_seconds: float | None = None
    takeaways: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RunResult:
    """The outcome of :func:`run_pipeline`."""

    steps: dict[str, StepResult]
    report_dir: Path
    report_updated: bool
    seconds: float

    def summary(self) -> str:
        """One line: where the report is and how many steps ran, were cached, ..."""
        counts: dict[str, int] = {}
        for r in self.steps.values():
            counts[r.status] = counts.get(r.status, 0) + 1
        what = ", ".join(f"{n} {status}" for status, n in counts.items())
        where = (
            f"report: {self.report_dir / 'index.html'}"
            if self.report_updated
            else "report not updated (not every step ran or was cached)"
        )
        return f"{where} ({what}) in {self.seconds:.1f} s"


@dataclass(frozen=True)
class ProgressEvent:
    """A step started (``kind="start"``, with why it is not taken from the cache in
    ``message``), a cell started (``"cell"``), or a step ended (``"end"``, with
    ``status``)."""

    step: str
    kind: str
    elapsed: float = 0.0
    cell: int | None = None
    cells: int | None = None
    status: str | None = None
    message: str = ""


_print_lock = threading.Lock()


def print_progress(event: ProgressEvent) -> None:
    """Write one line per event to standard error (the default progress reporter)."""
    if event.kind == "start":
        text = f"running {event.cells} code cells ({event.message})"
    elif event.kind == "cell":
        text = f"cell {event.cell}/{event.cells}  {event.elapsed:.1f} s"
    elif event.status == "ran":
        text = f"ran in {event.elapsed:.1f} s"
    else:
        text = event.status + (f": {event.message}" if event.message else "")
    with _print_lock:
        print(f"[{event.step}] {text}", file=sys.stderr, flush=True)


# -- running -----------------------------------------------------------------------------
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
) -> RunResult:
    """Run the project's pipeline and write its report.

    Parameters
    ----------
    paths
        The project (``pipeline.yaml``, ``reports/``, ``.cache/steps``).
    overrides, params_file
        Parameter overrides (see :func:`resolve_parameters`).
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
    registry = PARAMETER_SETS if parameter_sets is None else parameter_sets
    pipeline = load_pipeline(paths.pipeline_file, parameter_sets=registry)
    selected = _select(pipeline, only)
    _check_notebooks(pipeline, paths.root, registry)
    params = resolve_parameters(
        pipeline, paths.root, overrides=overrides, params_file=params_file, parameter_sets=registry
    )
    paths.reports.mkdir(parents=True, exist_ok=True)
    with _locked(paths.reports, wait), _signals(_interrupt):
        run = _Run(
            paths,
            pipeline,
            params,
            selected,
            set(only or pipeline.steps) if force else set(),
            jobs,
            progress,
            Path(source or paths.source),
            kernel,
        )
        return run.run()


def _select(pipeline: Pipeline, only: Iterable[str] | None) -> set[str]:
    if only is None:
        return set(pipeline.steps)
    chosen: set[str] = set()
    todo = list(only)
    while todo:
        name = todo.pop()
        if name not in pipeline.steps:
            raise PipelineError(f"--only {name}: no such step; steps: {', '.join(pipeline.steps)}")
        if name not in chosen:
            chosen.add(name)
            todo.extend(pipeline.steps[name].needs)
    return chosen


def _check_notebooks(
    pipeline: Pipeline, root: Path, registry: Mapping[str, type[BaseModel]]
) -> None:
    """Every notebook exists and its parameters cell assigns exactly its set's names."""
    for step in pipeline.steps.values():
        path = root / step.notebook
        if not path.is_file():
            raise PipelineError(f"{pipeline.path}: step {step.name!r}: notebook {path} not found")
        names = set(notebook_parameters(path))
        declared = set(registry[step.parameters].model_fields)
        if names != declared:
            raise PipelineError(
                f"step {step.name!r}: the parameters cell of {step.notebook} assigns "
                f"{sorted(names)} but set {step.parameters!r} declares {sorted(declared)}"
            )


@contextlib.contextmanager
def _locked(reports: Path, wait: float) -> Iterator[None]:
    from filelock import FileLock, Timeout

    lock = FileLock(reports / ".run.lock")
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise PipelineBusy(
            f"another `cape-study run` is using {reports} (lock {lock.lock_file} is held); "
            "wait for it to finish" + ("" if wait else ", or pass --wait SECONDS")
        ) from None
    try:
        yield
    finally:
        lock.release()


class _Run:
    """One run: schedules the steps, executes or reuses each, builds the report."""

    def __init__(
        self,
        paths: ProjectPaths,
        pipeline: Pipeline,
        params: dict[str, dict[str, Any]],
        selected: set[str],
        forced: set[str],
        jobs: int,
        progress: Callable[[ProgressEvent], None] | None,
        source: Path,
        kernel: str,
    ):
        self.paths, self.root, self.pipeline, self.params = paths, paths.root, pipeline, params
        self.selected, self.forced, self.jobs = selected, forced, jobs
        self.progress, self.source, self.kernel = progress, source, kernel
        self.entries: dict[str, dict[str, Any]] = {}
        self.keys: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {}
        self.reasons: dict[str, str] = {}
        self.lock = threading.Lock()
        self.spares: list[_Kernel] | None = []
        self.starting: list[threading.Thread] = []
        self.kernel_checked = False

    def emit(self, event: ProgressEvent) -> None:
        if self.progress is not None:
            self.progress(event)

    def run(self) -> RunResult:
        start = time.perf_counter()
        for stale in [*self.paths.reports.glob(".tmp-*"), *self.paths.cache.glob(".tmp-*")]:
            shutil.rmtree(stale, ignore_errors=True)
        self.library = _tree_hash(self.source)
        results = self._schedule()
        complete = all(r.status in ("ran", "cached") for r in results.values())
        if complete:
            with tempfile.TemporaryDirectory(dir=self.paths.reports, prefix=".tmp-") as tmp:
                self._build_report(Path(tmp), results)
                _swap(Path(tmp), self.paths.reports)
        result = RunResult(results, self.paths.reports, complete, time.perf_counter() - start)
        if any(r.status == "failed" for r in results.values()):
            raise PipelineFailed(result)
        return result

    # scheduling ---------------------------------------------------------------------
    def _schedule(self) -> dict[str, StepResult]:
        results: dict[str, StepResult] = {}
        running: dict[str, _Watch] = {}
        done: queue.Queue[tuple[str, StepResult | BaseException]] = queue.Queue()
        try:
            while len(results) < len(self.pipeline.steps):
                for name, step in self.pipeline.steps.items():
                    if name in results or name in running or len(running) >= self.jobs:
                        continue
                    if any(need not in results for need in step.needs):
                        continue
                    result = self._without_kernel(step, results)
                    if result is not None:
                        results[name] = result
                        continue
                    watch = _Watch(name, self.emit, self.reasons[name])
                    running[name] = watch
                    later = [
                        n for n in self.pipeline.steps if n not in results and n not in running
                    ]
                    prefetch = any(self._likely_to_run(n) for n in later)
                    watch.thread = threading.Thread(
                        target=self._worker,
                        args=(step, watch, done, prefetch),
                        daemon=True,
                        name=f"cape-study step {name}",
                    )
                    watch.thread.start()
                if not running:
                    continue
                name, outcome = _get(done)
                running.pop(name).thread.join()
                if isinstance(outcome, BaseException):
                    raise outcome
                results[name] = outcome
        except BaseException:
            for watch in running.values():
                watch.kill()
            for watch in running.values():
                watch.thread.join(timeout=30)
            raise
        finally:
            with self.lock:
                spares, self.spares = self.spares, None
            for kernel in spares or []:
                kernel.discard()
            for thread in self.starting:
                if thread.ident is not None:  # started: a spare still booting discards itself
                    thread.join(timeout=60)
        return {name: results[name] for name in self.pipeline.steps}

    def _likely_to_run(self, name: str) -> bool:
        """Whether a step not yet reached will probably execute (forced, not in the cache,
        or its notebook, parameters or the library changed): then a spare kernel is
        started for it while the current step runs."""
        if name in self.forced:
            return True
        if name not in self.selected:
            return False
        try:
            entry = json.loads((self.paths.cache / name / "entry.json").read_text("utf-8"))
        except (OSError, ValueError):
            return True
        step, old = self.pipeline.steps[name], entry.get("parts", {})
        now = {
            "notebook": _digest(_sha256(self.root / step.notebook)),
            "parameters": _digest(self.params[name]),
            "library": _digest(self.library),
        }
        return any(old.get(part) != digest for part, digest in now.items())

    def _without_kernel(self, step: Step, results: Mapping[str, StepResult]) -> StepResult | None:
        """The result of a step that need not execute (skipped or cached), else None
        (after computing its cache key)."""
        name = step.name
        blocked = [n for n in step.needs if results[n].status not in ("ran", "cached")]
        if blocked:
            why = f"needs {', '.join(blocked)}, which did not succeed"
            return self._end(StepResult(name, step.title, "skipped", message=why))
        params = self.params[name]
        upstream = {n: self.entries[n]["outputs"] for n in step.needs}
        inputs = _hash_files(self.root, [p.format(**params) for p in step.inputs])
        parts = {
            "format": _FORMAT,
            "notebook": _sha256(self.root / step.notebook),
            "parameters": params,
            "inputs": inputs,
            "upstream": upstream,
            "library": self.library,
            "kernel": self.kernel,
            "outputs": list(step.outputs),
        }
        key = _digest(parts)
        digests = {part: _digest(value) for part, value in parts.items()}
        self.keys[name] = (key, inputs, digests)
        entry, self.reasons[name] = (
            (None, "forced") if name in self.forced else self._cached(step, key, digests)
        )
        if entry is not None:
            self.entries[name] = entry
            return self._end(
                StepResult(
                    name,
                    step.title,
                    "cached",
                    ran_at=entry["ran_at"],
                    ran_seconds=entry["ran_seconds"],
                    takeaways=entry["takeaways"],
                )
            )
        if name not in self.selected:
            return self._end(
                StepResult(
                    name,
                    step.title,
                    "skipped",
                    message="not selected with --only and not in the cache",
                )
            )
        if not self.kernel_checked:
            _check_kernel(self.kernel)
            self.kernel_checked = True
        return None

    def _end(self, result: StepResult) -> StepResult:
        elapsed = result.ran_seconds if result.status == "ran" else result.seconds
        self.emit(
            ProgressEvent(
                result.name,
                "end",
                elapsed or 0.0,
                cell=result.cell,
                status=result.status,
                message=result.message,
            )
        )
        return result

    def _cached(
        self, step: Step, key: str, digests: Mapping[str, str]
    ) -> tuple[dict[str, Any] | None, str]:
        """The step's cache entry if it is still valid, else None and why not."""
        folder = self.paths.cache / step.name
        try:
            entry = json.loads((folder / "entry.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None, "not in the cache"
        if entry.get("key") != key:
            old = entry.get("parts", {})
            changed = [part for part, digest in digests.items() if old.get(part) != digest]
            return None, f"{', '.join(changed) or 'cache key'} changed"
        if not (folder / "report.html").is_file():
            return None, "not in the cache"
        patterns = [p.format(**self.params[step.name]) for p in step.outputs]
        if _hash_files(self.root, patterns) != entry["outputs"]:
            return None, "outputs changed since it ran"
        return entry, ""

    def _worker(self, step: Step, watch: _Watch, done: queue.Queue, prefetch: bool) -> None:
        try:
            done.put((step.name, self._execute(step, watch, prefetch)))
        except BaseException as exc:  # handed to the main thread, which re-raises it
            done.put((step.name, exc))

    def _kernel(self, watch: _Watch, prefetch: bool) -> _Kernel:
        """A spare kernel if one is booting, else a new one. If asked, a spare kernel for
        the next step is started once this step's first cell runs (the runner is idle
        then), so that it boots meanwhile."""
        with self.lock:
            kernel = self.spares.pop() if self.spares else None
        kernel = kernel or _Kernel(self.kernel, self.root)
        watch.kernel_started(kernel)
        if prefetch:
            thread = threading.Thread(target=self._start_spare, daemon=True)
            self.starting.append(thread)
            watch.on_first_cell = thread.start
        return kernel

    def _start_spare(self) -> None:
        try:
            spare = _Kernel(self.kernel, self.root)
        except (RuntimeError, OSError):
            return  # the step that would have used it starts its own and reports why
        finally:
            _close_event_loop()
        with self.lock:
            if self.spares is not None and not self.spares:
                self.spares.append(spare)
                return
        spare.discard()

    # one step ------------------------------------------------------------------------
    def _execute(self, step: Step, watch: _Watch, prefetch: bool) -> StepResult:
        name, start = step.name, time.perf_counter()
        key, inputs, digests = self.keys[name]
        params = self.params[name]
        failed_nb = self.paths.failed_reports / f"{name}.ipynb"
        try:
            nb = _execute_notebook(
                self.root / step.notebook, params, lambda: self._kernel(watch, prefetch), watch
            )
            patterns = [p.format(**params) for p in step.outputs]
            outputs = _hash_files(self.root, patterns)
            missing = [p for p in patterns if not _expand(self.root, [p])]
            if missing:
                raise _CellError(f"declared output(s) {missing} were not written")
            page = _render_html(nb, step.title)
        except _CellError as exc:
            where = ""
            if exc.cell is not None:
                where = (
                    f" (cell {exc.cell} of {watch.cells}, counting the code cells of "
                    f"{step.notebook} from 1)"
                )
            if watch.nb is not None:
                _write_notebook(watch.nb, failed_nb)
                where += f"; the partly executed notebook is in {_rel(failed_nb, self.root)}"
            result = StepResult(
                name,
                step.title,
                "failed",
                time.perf_counter() - start,
                message=f"{exc.message}{where}",
                cell=exc.cell,
            )
            return self._end(result)
        seconds = time.perf_counter() - start
        entry = {
            "key": key,
            "parts": digests,
            "step": name,
            "notebook": {"path": step.notebook, "sha256": _sha256(self.root / step.notebook)},
            "parameter_set": step.parameters,
            "parameters": params,
            "inputs": inputs,
            "outputs": outputs,
            "ran_at": _now(),
            "ran_seconds": round(seconds, 3),
            "takeaways": _takeaways(nb),
            "disclosure": _disclosure(nb),
        }
        _write_entry(self.paths.cache, name, entry, nb, page)
        failed_nb.unlink(missing_ok=True)
        self.entries[name] = entry
        return self._end(
            StepResult(
                name,
                step.title,
                "ran",
                seconds,
                ran_at=entry["ran_at"],
                ran_seconds=entry["ran_seconds"],
                takeaways=entry["takeaways"],
            )
        )

    # the report ----------------------------------------------------------------------
    def _build_report(self, folder: Path, results: Mapping[str, StepResult]) -> None:
        (folder / "steps").mkdir()
        steps: dict[str, Any] = {}
        for name, result in results.items():
            entry, step = self.entries[name], self.pipeline.steps[name]
            cached = self.paths.cache / name
            shutil.copyfile(cached / "report.html", folder / "steps" / f"{name}.html")
            shutil.copyfile(cached / "notebook.ipynb", folder / "steps" / f"{name}.ipynb")
            steps[name] = {
                "title": step.title,
                "status": result.status,
                "seconds": round(result.seconds, 3),
                "ran_at": entry["ran_at"],
                "ran_seconds": entry["ran_seconds"],
                "notebook": entry["notebook"],
                "parameter_set": step.parameters,
                "parameters": entry["parameters"],
                "needs": list(step.needs),
                "inputs": entry["inputs"],
                "outputs": entry["outputs"],
                "report": {"html": f"steps/{name}.html", "notebook": f"steps/{name}.ipynb"},
                "takeaways": [t["text"] for t in entry["takeaways"]],
                "cache_key": entry["key"],
            }
        synthetic = _synthetic(self.paths)
        git = _git(self.root)
        (folder / "index.html").write_text(_index_html(results, synthetic, git), encoding="utf-8")
        report_files = {
            _rel(p, folder): _sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()
        }
        constraints = self.paths.constraints
        manifest = {
            "format": _FORMAT,
            "created": _now(),
            "git": git,
            "constraints": {
                "path": _rel(constraints, self.root),
                "sha256": _sha256(constraints) if constraints.is_file() else None,
            },
            "python": {
                "version": platform.python_version(),
                "implementation": platform.python_implementation(),
            },
            "packages": _packages(),
            "kernel": self.kernel,
            "library": {"path": _rel(self.source, self.root), "sha256": self.library},
            "synthetic": synthetic,
            "steps": steps,
            "report_files": report_files,
            "disclosure": [
                {"step": name, **record}
                for name in results
                for record in self.entries[name].get("disclosure", [])
            ],
        }
        (folder / "manifest.json").write_text(
            json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
        )


def _get(done: queue.Queue) -> tuple[str, Any]:
    """Wait for a finished step, waking up now and then so that Ctrl-C is seen."""
    while True:
        with contextlib.suppress(queue.Empty):
            return done.get(timeout=0.2)


def _swap(new: Path, reports: Path) -> None:
    """Move the new report's files into ``reports`` (index.html last), with Ctrl-C held
    back until they are all in place."""
    with _sigint_deferred():
        old = reports / f"{new.name}-old"
        if (reports / "steps").exists():
            old.mkdir()
            os.replace(reports / "steps", old / "steps")
        os.replace(new / "steps", reports / "steps")
        os.replace(new / "manifest.json", reports / "manifest.json")
        os.replace(new / "index.html", reports / "index.html")
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _signals(handler: Callable[[int, Any], None]) -> Iterator[None]:
    """Handle SIGINT and SIGTERM with ``handler`` meanwhile (in the main thread only;
    elsewhere Python delivers no signals)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C (and SIGTERM) back until the block is done, then raise it."""
    caught: list[int] = []
    with _signals(lambda signum, frame: caught.append(signum)):
        yield
    if caught:
        raise KeyboardInterrupt


def _interrupt(signum: int, frame: Any) -> None:
    """SIGTERM (and SIGINT) as Ctrl-C: kernels killed, temporary files removed."""
    raise KeyboardInterrupt


# -- executing a notebook ---------------------------------------------------------------
class _CellError(Exception):
    def __init__(self, message: str, cell: int | None = None) -> None:
        super().__init__(message)
        self.message, self.cell = message, cell


class _Watch:
    """Follows one executing notebook: its cells for progress, its kernel for Ctrl-C."""

    def __init__(self, step: str, emit: Callable[[ProgressEvent], None], reason: str) -> None:
        self.step, self.emit, self.reason = step, emit, reason
        self.on_first_cell: Callable[[], None] | None = None
        self.lock = threading.Lock()
        self.thread: threading.Thread
        self.pid: int | None = None
        self.cancelled = False
        self.nb: Any = None
        self.numbers: dict[int, int] = {}
        self.cells = 0
        self.current: int | None = None
        self.start = time.perf_counter()

    def attach(self, nb: Any) -> None:
        self.nb = nb
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and "injected-parameters" not in cell.metadata.get(
                "tags", []
            ):
                self.cells += 1
                self.numbers[index] = self.cells
        self.emit(ProgressEvent(self.step, "start", cells=self.cells, message=self.reason))

    def cell_started(self, cell: Any = None, cell_index: int = 0, **_: Any) -> None:
        self.current = self.numbers.get(cell_index)
        _warm_up()
        first, self.on_first_cell = self.on_first_cell, None
        if first is not None:
            first()
        if self.current is not None:
            self.emit(
                ProgressEvent(
                    self.step,
                    "cell",
                    time.perf_counter() - self.start,
                    cell=self.current,
                    cells=self.cells,
                )
            )

    def kernel_started(self, kernel: _Kernel) -> None:
        with self.lock:
            self.pid = kernel.pid
            if self.cancelled:
                self._kill()

    def kernel_stopped(self) -> None:
        with self.lock:
            self.pid = None

    def kill(self) -> None:
        with self.lock:
            self.cancelled = True
            self._kill()

    def _kill(self) -> None:
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)  # the kernel leads its own session


def _check_kernel(kernel: str) -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(kernel)
    except NoSuchKernel:
        raise KernelMissing(
            f"the Jupyter kernel {kernel!r} is not installed; run `make install`, which "
            "creates .venv and registers the kernel"
        ) from None


@functools.cache
def _warm_up() -> None:
    """Import the renderer in the background once a kernel is busy with cells: the
    runner is idle then (earlier, it would compete with starting the kernel)."""

    def imports() -> None:
        import markdown  # noqa: F401
        import nbconvert.exporters.html  # noqa: F401

    threading.Thread(target=imports, daemon=True).start()


@contextlib.contextmanager
def _without_iri_parser() -> Iterator[None]:
    """Import nbformat without jsonschema's optional IRI checker.

    When ``rfc3987_syntax`` is installed, importing jsonschema builds an Earley parser
    for IRIs (0.8 s, a third of the runner's overhead). Notebook validation checks no
    string formats, so the runner's process goes without it; nothing changes when
    jsonschema is already imported.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        yield
        return
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # "not installed"
    try:
        yield
    finally:
        if sys.modules.get("rfc3987_syntax", False) is None:
            del sys.modules["rfc3987_syntax"]


@functools.cache
def _papermill() -> tuple[Callable[..., Any], type[Exception], type[Exception]]:
    """papermill's ``execute_notebook`` with an engine, registered as ``cape-study``,
    that runs the notebook in a kernel already started and reports cells to a
    :class:`_Watch`."""
    with _without_iri_parser():
        import papermill
    from nbclient.exceptions import DeadKernelError
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.exceptions import PapermillExecutionError

    class Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls, nb_man: Any, kernel_name: str, *, watch: _Watch, km: Any, **_: Any
        ) -> Any:
            watch.attach(nb_man.nb)
            client = PapermillNotebookClient(
                nb_man,
                km=km,
                kernel_name=kernel_name,
                on_cell_execute=watch.cell_started,
                shutdown_kernel="immediate",  # every cell has replied: nothing to wait for
            )
            return client.execute(cleanup_kc=True)  # stop the kernel when done

    papermill_engines.register("cape-study", Engine)
    return papermill.execute_notebook, PapermillExecutionError, DeadKernelError


class _Kernel:
    """A kernel started in the project root. It talks over Unix sockets in a private
    folder rather than TCP, since the notebooks see sensitive data."""

    def __init__(self, name: str, root: Path) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.sockets = tempfile.mkdtemp(prefix="cape-kernel-")
        self.km = AsyncKernelManager(
            kernel_name=name, transport="ipc", ip=os.path.join(self.sockets, "k")
        )
        try:
            # The notebooks find the project through paths.project(), which reads this.
            env = {**os.environ, "CAPE_STUDY_ROOT": str(root)}
            run_sync(self.km.start_kernel)(cwd=str(root), env=env)
        except BaseException:
            shutil.rmtree(self.sockets, ignore_errors=True)
            raise
        self.pid: int = self.km.provisioner.pid

    def stop(self) -> None:
        """Shut the kernel down (if nbclient has not) and remove its sockets."""
        from jupyter_core.utils import run_sync

        try:
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        finally:
            shutil.rmtree(self.sockets, ignore_errors=True)

    def discard(self) -> None:
        """Kill a kernel that was never used, from any thread."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        self.km.provisioner.process.wait()
        Path(self.km.connection_file).unlink(missing_ok=True)
        shutil.rmtree(self.sockets, ignore_errors=True)


def _execute_notebook(
    notebook: Path, params: Mapping[str, Any], kernel: Callable[[], _Kernel], watch: _Watch
) -> Any:
    """Execute one notebook in the kernel that ``kernel()`` starts; raise
    :class:`_CellError` naming the cell that failed.

    The kernel is started first, so that it boots while papermill is imported.
    """
    started = None
    try:
        started = kernel()
        execute, ExecutionError, DeadKernel = _papermill()
        try:
            return execute(
                str(notebook),
                None,
                parameters=dict(params),
                engine_name="cape-study",
                kernel_name=started.km.kernel_name,
                progress_bar=False,
                log_output=False,
                watch=watch,
                km=started.km,
            )
        except ExecutionError as exc:
            raise _CellError(f"{exc.ename}: {exc.evalue}", watch.current) from None
        except DeadKernel:
            why = "interrupted" if watch.cancelled else "the kernel died"
            raise _CellError(why, watch.current) from None
    except RuntimeError as exc:  # the kernel could not start
        raise _CellError(f"the kernel could not run: {exc}", watch.current) from None
    finally:
        watch.kernel_stopped()
        if started is not None:
            started.stop()
        _close_event_loop()


def _close_event_loop() -> None:
    """Close the event loop nbclient made for this thread, while the interpreter is whole
    (left to the garbage collector, it complains at exit)."""
    from jupyter_core.utils import ensure_event_loop

    ensure_event_loop().close()


def _write_notebook(nb: Any, path: Path) -> None:
    import nbformat

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    nbformat.write(nb, str(tmp))
    os.replace(tmp, path)


def _write_entry(cache: Path, name: str, entry: Mapping[str, Any], nb: Any, page: str) -> None:
    """Store a step's result in the cache, replacing the old entry in one rename."""
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=cache, prefix=".tmp-"))
    _write_notebook(nb, tmp / "notebook.ipynb")
    (tmp / "report.html").write_text(page, encoding="utf-8")
    (tmp / "entry.json").write_text(json.dumps(entry, indent=2), encoding="utf-8")
    target = cache / name
    if target.exists():
        trash = Path(tempfile.mkdtemp(dir=cache, prefix=".tmp-"))
        os.replace(target, trash / name)
    os.replace(tmp, target)


# -- rendering --------------------------------------------------------------------------
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}
{%- if resources.cape_math -%}{{ super() }}{%- endif -%}
{%- endblock html_head_js_mathjax -%}
"""


def _render_html(nb: Any, title: str) -> str:
    """The step's page: outputs and markdown only, figures inline, no external scripts
    (MathJax only when a markdown cell holds ``$`` math)."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = _HIDDEN_TAGS
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.embed_images = True
    exporter = HTMLExporter(
        config=config,
        extra_loaders=[DictLoader({"cape.html.j2": _TEMPLATE})],
        template_file="cape.html.j2",
    )
    math = any(c.cell_type == "markdown" and "$" in c.source for c in nb.cells)
    body, _ = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": title}, "cape_math": math}
    )
    return body


def _takeaways(nb: Any) -> list[dict[str, Any]]:
    """The notebook's findings: ``**Takeaway`` markdown cells and the output of code
    cells tagged ``takeaway``, as text and HTML."""
    import markdown

    found = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("**Takeaway"):
            text = _TAKEAWAY_LABEL.sub("", cell.source, count=1).strip()
            found.append({"text": text, "html": markdown.markdown(text)})
        elif cell.cell_type == "code" and "takeaway" in tags:
            texts, pages = [], []
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if "text/markdown" in data:
                    text = _TAKEAWAY_LABEL.sub("", data["text/markdown"], count=1).strip()
                    texts.append(text)
                    pages.append(markdown.markdown(text))
                elif "text/plain" in data or out.get("name") == "stdout":
                    text = _unquote(data.get("text/plain", out.get("text", ""))).strip()
                    texts.append(text)
                    pages.append(f"<p>{html.escape(text)}</p>")
            if texts:
                found.append({"text": "\n".join(texts), "html": "".join(pages)})
    return found


def _disclosure(nb: Any) -> list[dict[str, Any]]:
    """The suppression audit that ``disclosure.publish_audit`` displayed in the notebook."""
    return [
        record
        for cell in nb.cells
        for out in cell.get("outputs", [])
        for record in out.get("data", {}).get(_AUDIT_MIMETYPE, [])
    ]


def _unquote(text: str) -> str:
    """``'a finding'`` (the repr of a string returned by a cell) -> ``a finding``."""
    import ast

    stripped = text.strip()
    if len(stripped) > 1 and stripped[0] == stripped[-1] and stripped[0] in "'\"":
        with contextlib.suppress(ValueError, SyntaxError):
            value = ast.literal_eval(stripped)
            if isinstance(value, str):
                return value
    return text


_INDEX_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.45}
.synthetic{background:#b00020;color:#fff;padding:1rem 1.25rem;font-size:1.2rem;
font-weight:bold;border-radius:.4rem;margin-bottom:1.5rem}
.step{border-top:1px solid #ddd;padding:1rem 0}
.step h2{margin:.2rem 0;font-size:1.25rem}
.status{display:inline-block;padding:.05rem .5rem;border-radius:.8rem;font-size:.85rem;
background:#e8f0fe}
.meta{color:#555;font-size:.9rem}
footer{color:#777;font-size:.85rem;border-top:1px solid #ddd;padding-top:1rem}
"""


def _index_html(
    results: Mapping[str, StepResult], synthetic: bool | None, git: Mapping[str, Any] | None
) -> str:
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>CAPE study report</title>",
        f"<style>{_INDEX_CSS}</style></head><body>",
    ]
    if synthetic:
        parts.append(
            '<div class="synthetic" role="alert">SYNTHETIC DATA: this report is '
            "built from synthetic case files, not from real cases. Its figures "
            "describe no real person or case.</div>"
        )
    parts.append("<h1>CAPE study report</h1>")
    for name, r in results.items():
        when = (
            f"ran in {r.ran_seconds:.1f} s"
            if r.status == "ran"
            else (
                f"from the cache (ran {esc(str(r.ran_at))[:16].replace('T', ' ')} UTC, "
                f"took {r.ran_seconds:.1f} s)"
            )
        )
        parts.append(f'<section class="step" id="{esc(name)}">')
        parts.append(f'<h2><a href="steps/{esc(name)}.html">{esc(r.title)}</a></h2>')
        parts.append(
            f'<div class="meta">{esc(name)} · <span class="status">{esc(r.status)}'
            f"</span> · {when} · "
            f'<a href="steps/{esc(name)}.ipynb">executed notebook</a></div>'
        )
        if r.takeaways:
            parts.append("<ul>" + "".join(f"<li>{t['html']}</li>" for t in r.takeaways) + "</ul>")
        parts.append("</section>")
    commit = (git or {}).get("commit")
    source = (
        f"from commit {esc(commit[:12])}{' with uncommitted changes' if git.get('dirty') else ''}"
        if git and commit
        else "outside a git checkout"
    )
    parts.append(
        f"<footer>Built {esc(_now()[:16].replace('T', ' '))} UTC {source}. "
        'Provenance: <a href="manifest.json">manifest.json</a> '
        "(check it with <code>cape-study verify</code>).</footer></body></html>"
    )
    return "\n".join(parts) + "\n"


# -- provenance -------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _digest(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()


def _expand(root: Path, patterns: Iterable[str]) -> list[Path]:
    """The files that paths or globs name (a folder stands for the files below it)."""
    files: set[Path] = set()
    for pattern in patterns:
        for hit in glob.glob(pattern, root_dir=root, recursive=True):
            path = root / hit  # an absolute pattern stays absolute
            if path.is_dir():
                files.update(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
            elif path.is_file():
                files.add(path)
    return sorted(files)


def _hash_files(root: Path, patterns: Iterable[str]) -> dict[str, str]:
    return {_rel(path, root): _sha256(path) for path in _expand(root, patterns)}


def _tree_hash(folder: Path) -> str:
    """One hash for every file under ``folder`` (caches and hidden files aside)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in rel.parts):
            digest.update(f"{rel.as_posix()}\0{_sha256(path)}\n".encode())
    return digest.hexdigest()


def _rel(path: Path, root: Path) -> str:
    path, root = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _git(root: Path) -> dict[str, Any] | None:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=True, timeout=30
        ).stdout

    try:
        if Path(git("rev-parse", "--show-toplevel").strip()).resolve() != root.resolve():
            return None
        return {
            "commit": git("rev-parse", "HEAD").strip(),
            "dirty": bool(git("status", "--porcelain").strip()),
        }
    except (OSError, subprocess.SubprocessError):
        return None


def _packages() -> dict[str, str]:
    found = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found[name] = dist.version
    return dict(sorted(found.items(), key=lambda kv: kv[0].lower()))


def _synthetic(paths: ProjectPaths) -> bool | None:
    try:
        meta = json.loads((paths.data_processed / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = meta.get("synthetic") if isinstance(meta, dict) else None
    return value if isinstance(value, bool) else None


# -- verify -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Difference:
    """A file whose hash no longer matches the manifest."""

    path: str
    what: str
    expected: str | None
    found: str | None

    def __str__(self) -> str:
        if self.found is None:
            return f"missing: {self.path} ({self.what})"
        return (
            f"changed: {self.path} ({self.what}): manifest sha256 {self.expected[:12]}…, "
            f"now {self.found[:12]}…"
        )


def verify_report(report_dir: str | Path, *, root: str | Path | None = None) -> list[Difference]:
    """Recompute every hash in a report's manifest and list what differs.

    Parameters
    ----------
    report_dir
        The folder holding ``manifest.json``.
    root
        The project root that inputs, outputs, notebooks and the library are relative
        to (default: the parent of ``report_dir``).

    Returns
    -------
    list of Difference
        Empty when everything matches.

    Raises
    ------
    PipelineError
        If there is no readable manifest.
    """
    report_dir = Path(report_dir)
    root = Path(root) if root is not None else report_dir.parent
    try:
        manifest = json.loads((report_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PipelineError(
            f"{report_dir / 'manifest.json'}: cannot read the manifest ({exc})"
        ) from None
    checks: list[tuple[Path, str, str, str | None, Callable[[Path], str]]] = []

    def add(base: Path, rel: str, what: str, expected: str | None, how=_sha256) -> None:
        checks.append((base / rel, rel, what, expected, how))

    if manifest.get("constraints", {}).get("sha256"):
        add(root, manifest["constraints"]["path"], "constraints", manifest["constraints"]["sha256"])
    add(
        root,
        manifest["library"]["path"],
        "library source",
        manifest["library"]["sha256"],
        _tree_hash,
    )
    for name, step in manifest["steps"].items():
        add(root, step["notebook"]["path"], f"notebook of step {name}", step["notebook"]["sha256"])
        for kind in ("inputs", "outputs"):
            for rel, sha in step[kind].items():
                add(root, rel, f"{kind[:-1]} of step {name}", sha)
    for rel, sha in manifest["report_files"].items():
        add(report_dir, rel, "report file", sha)
    differences = []
    for path, rel, what, expected, how in checks:
        exists = path.is_dir() if how is _tree_hash else path.is_file()
        found = how(path) if exists else None
        if found != expected:
            differences.append(Difference(rel, what, expected, found))
    return differences
