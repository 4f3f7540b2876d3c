"""Whether the published report is current: the run with nothing to do.

A run whose steps are all in the cache, with their outputs as published, and whose
report would be built from the same steps, library, kernel, packages and git state as
the published one (:func:`report_signature`), untouched since it was published
(:func:`~cape_study.runner.publish.is_current`), leaves the report as it is
(:func:`unchanged`). That is decided here, before anything is staged, with no kernel,
page renderer, report writer or scanner loaded: ``cape-study run`` with nothing changed
asks :func:`check` first and loads the rest of the runner (:mod:`cape_study.runner.run`)
only when a step must run or the report be written again. The steps and parameters a
run works on are read by :func:`prepare`, for both.
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from pydantic import BaseModel

from cape_study.errors import PipelineError
from cape_study.paths import ProjectPaths
from cape_study.runner import publish
from cape_study.runner.cache import StepCache
from cape_study.runner.execution import KERNEL, ProgressEvent, print_progress
from cape_study.runner.outcome import PipelineBusy, RunResult, RunStopped
from cape_study.runner.params import PARAMETER_SETS, notebook_parameters
from cape_study.runner.provenance import (
    FORMAT,
    digest,
    distributions_stamp,
    git_state,
    kept,
    sha256,
    tree_hash,
)
from cape_study.runner.spec import Pipeline, Step, StepResult, load_pipeline, resolve_parameters

__all__ = [
    "cached_result",
    "check",
    "end_event",
    "interrupted_by_signals",
    "locked",
    "prepare",
    "report_signature",
    "signals_handled",
    "tidy",
    "told_when_interrupted",
    "unchanged",
]


def prepare(
    paths: ProjectPaths,
    *,
    overrides: Mapping[str, Any] | None = None,
    params_file: str | Path | None = None,
    only: Iterable[str] | None = None,
    parameter_sets: Mapping[str, type[BaseModel]] | None = None,
) -> tuple[Pipeline, set[str], dict[str, dict[str, Any]]]:
    """The project's pipeline, the steps ``only`` selects (with those they need; all
    without it) and every step's resolved parameters, once every notebook is found with
    the parameters its set declares. Raises PipelineError and ParameterError."""
    registry = PARAMETER_SETS if parameter_sets is None else parameter_sets
    pipeline = load_pipeline(paths.pipeline_file, parameter_sets=registry)
    selected = _select(pipeline, only)
    _check_notebooks(pipeline, paths.root, registry)
    params = resolve_parameters(
        pipeline, paths.root, overrides=overrides, params_file=params_file, parameter_sets=registry
    )
    return pipeline, selected, params


def check(
    paths: ProjectPaths,
    *,
    overrides: Mapping[str, Any] | None = None,
    params_file: str | Path | None = None,
    only: Iterable[str] | None = None,
    source: str | Path | None = None,
    kernel: str = KERNEL,
    wait: float = 0.0,
    progress: Callable[[ProgressEvent], None] | None = print_progress,
) -> RunResult | None:
    """The result of ``cape-study run`` (without ``--force``) when it has nothing to do
    (:func:`unchanged`), else None: then :func:`cape_study.runner.pipeline.run_pipeline`
    runs, with the same arguments. Raises what :func:`prepare` raises, and PipelineBusy."""
    start = time.perf_counter()
    pipeline, _, params = prepare(paths, overrides=overrides, params_file=params_file, only=only)
    try:
        with locked(paths.reports, wait), interrupted_by_signals():
            tidy(paths)
            library = tree_hash(Path(source or paths.source))
            cache = StepCache(paths.cache, paths.root)
            results = unchanged(paths, pipeline, params, cache, library=library, kernel=kernel)
    except KeyboardInterrupt:  # it writes nothing that is published
        raise KeyboardInterrupt(_not_changed(paths)) from None
    except OSError as exc:  # a folder that cannot be written ...
        raise RunStopped(exc, _not_changed(paths)) from exc
    if results is None:
        return None
    for result in results.values():
        if progress is not None:
            progress(end_event(result))
    return RunResult(results, paths.reports, False, time.perf_counter() - start, unchanged=True)


def unchanged(
    paths: ProjectPaths,
    pipeline: Pipeline,
    params: Mapping[str, Mapping[str, Any]],
    cache: StepCache,
    *,
    library: str,
    kernel: str,
) -> dict[str, StepResult] | None:
    """Every step's result when the run has nothing to do (see the module), else None.

    ``cache`` has no stage: inputs and outputs are looked up where they are published,
    nothing is linked or written but the known hashes of files read again, and no result
    kept in another language is made the step's entry (:meth:`StepCache.lookup`)."""
    entries: dict[str, dict[str, Any]] = {}
    results: dict[str, StepResult] = {}
    for name, step in pipeline.steps.items():
        step_params = params[name]
        upstream = {n: entries[n]["outputs"] for n in step.needs}
        key = cache.key(step, step_params, upstream, library, kernel)
        entry, _ = cache.lookup(step, step_params, key, languages=False)
        if entry is None or cache.origin.get(name) != paths.root:
            return None
        entries[name], results[name] = entry, cached_result(step, entry)
    signature = report_signature(paths, results, entries, kernel=kernel, library=library)
    if not publish.is_current(paths.root, kept(paths.report_cache / "published.json", signature)):
        return None
    return results


def report_signature(
    paths: ProjectPaths,
    results: Mapping[str, StepResult],
    entries: Mapping[str, Mapping[str, Any]],
    *,
    kernel: str,
    library: str,
) -> str:
    """A digest of everything a complete run's report is made from but the time it is
    built and whether each step ran or was taken from the cache: each step's cache key
    (its notebook, parameters, inputs and the library), the library's hash, the kernel,
    the git state, the constraints file, Python and the installed packages
    (:func:`~cape_study.runner.manifest.build_manifest` records the same). Two runs with
    the same signature write the same report but for its date and the words "ran" and
    "cached"; so a re-run with nothing changed keeps the report of the run that executed
    the steps (the first no-op at 10,000 cases spent 2.5 s writing report.docx and
    scanning it again)."""
    constraints = paths.constraints
    return digest(
        {
            "format": FORMAT,
            "steps": {n: entries.get(n, {}).get("key") for n in results},
            "library": library,
            "kernel": kernel,
            "git": git_state(paths.root),
            "constraints": sha256(constraints) if constraints.is_file() else None,
            "python": [platform.python_version(), platform.python_implementation()],
            "packages": distributions_stamp(),
        }
    )


def cached_result(step: Step, entry: Mapping[str, Any]) -> StepResult:
    """The result of a step taken from the cache, from its cache entry."""
    return StepResult(
        step.name,
        step.title,
        "cached",
        ran_at=entry["ran_at"],
        ran_seconds=entry["ran_seconds"],
        takeaways=entry["takeaways"],
    )


def end_event(result: StepResult) -> ProgressEvent:
    """The progress event of a step's end."""
    elapsed = result.ran_seconds if result.status == "ran" else result.seconds
    return ProgressEvent(
        result.name,
        "end",
        elapsed or 0.0,
        cell=result.cell,
        status=result.status,
        message=result.message,
    )


#: Where a run writes a file to a temporary name before its one rename, relative to the
#: project root: the runner's (written under the run lock) ...
_RUNNER_TEMPORARY = (
    ".cache/steps/.tmp-*",  # a cache entry half stored, files.json
    ".cache/steps/folders/.tmp-*",  # a case file's known hashes
    ".cache/languages/*/.tmp-*",  # a step's result in its language
    ".cache/report/.tmp-*",  # the report's signature, codebook, scanned pages
    "reports/failed/.*.tmp",  # a failed step's notebook
)
#: ... and the kernels' (a notebook opened by hand writes there too, without the lock:
#: only a file of a process that no longer runs is removed, by the pid in its name).
_KERNEL_TEMPORARY = (
    (".cache/results", re.compile(r"\.tmp-(\d+)-.*\.pkl")),  # stats.remembered
    (".cache/figures", re.compile(r"\..*\.(\d+)\.tmp")),  # present.plots.files
)


def tidy(paths: ProjectPaths) -> None:
    """What an earlier run left behind, removed or taken up before a run starts: a
    killed run's stage, kernels and connection files, a cache entry half stored, its
    temporary files, an older layout of the published folders
    (:func:`~cape_study.runner.publish.sweep`, :func:`~cape_study.runner.publish.adopt`)."""
    publish.sweep(paths.root)
    for pattern in _RUNNER_TEMPORARY:
        for stale in paths.root.glob(pattern):
            _remove(stale)
    for folder, name in _KERNEL_TEMPORARY:
        for stale in (paths.root / folder).rglob(".*"):  # figures' page/ too
            found = name.fullmatch(stale.name)
            if found is not None and not _running(int(found.group(1))):
                _remove(stale)
    publish.adopt(paths.root)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        return True
    return True


def _not_changed(paths: ProjectPaths) -> str:
    return f"the published report {paths.reports / 'index.html'} was not changed"


@contextlib.contextmanager
def locked(reports: Path, wait: float) -> Iterator[None]:
    """Hold the project's run lock (``reports/.run.lock``), waiting up to ``wait``
    seconds for it; PipelineBusy when another run keeps it, RunStopped when it cannot
    be made (``reports/`` read-only, a file in its place)."""
    lock = FileLock(reports / ".run.lock")
    try:
        reports.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=wait)
    except Timeout:
        raise PipelineBusy(
            f"another `cape-study run` is using {reports} (lock {lock.lock_file} is held); "
            "wait for it to finish" + ("" if wait else ", or pass --wait SECONDS")
        ) from None
    except OSError as exc:
        report = f"nothing was run; the published report {reports / 'index.html'} was not changed"
        raise RunStopped(exc, report) from exc
    try:
        yield
    finally:
        lock.release()


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
def signals_handled(handler: Callable[[int, Any], None]) -> Iterator[None]:
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


def interrupted_by_signals() -> contextlib.AbstractContextManager[None]:
    """SIGTERM (and SIGINT) raise KeyboardInterrupt meanwhile, as Ctrl-C does: the run
    stops with its message, its kernels killed and its files removed, instead of the
    process ending on the spot."""
    return signals_handled(_interrupt)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def told_when_interrupted(paths: ProjectPaths) -> Iterator[None]:
    """For a whole ``cape-study run``: SIGTERM (and SIGINT) raise KeyboardInterrupt, and
    one raised where the run had no message for it (reading the pipeline, importing the
    runner, waiting for the lock) says what became of the report, by whether the
    published version is still the one found at the start (it said only "interrupted",
    and SIGTERM ended the process unsaid)."""
    before = _published_version(paths.root)
    try:
        with interrupted_by_signals():
            yield
    except KeyboardInterrupt as exc:
        if str(exc):
            raise
        if _published_version(paths.root) != before:
            index = paths.reports / "index.html"
            raise KeyboardInterrupt(f"this run's report had been published ({index})") from None
        raise KeyboardInterrupt(_not_changed(paths)) from None


def _published_version(root: Path) -> str | None:
    try:
        return os.readlink(root / publish.HOME / "current")
    except OSError:
        return None
