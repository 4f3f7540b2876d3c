"""One run of a pipeline: which steps execute, how many at once, and what a failure,
Ctrl-C or a second run leaves behind.

Statuses
--------
A step is ``ran``, ``cached`` (taken from ``.cache/steps/<step>/``; see
:mod:`cape_study.runner.cache`), ``failed``, or ``skipped`` (a step it needs did not succeed,
or it was left out by ``--only`` and is not in the cache). A step starts once the steps
it needs are done; with ``jobs`` above 1, independent steps run at the same time, each
in its own kernel (:mod:`cape_study.runner.execution`). ``jobs`` counts kernels: once a
step's notebook has executed, the next step that is ready starts while the runner
renders, scans and stores the first one's page (a step that needs it waits until then).

Failures
--------
A failing cell stops its step: the error names the step and the cell, the partly
executed notebook is kept as ``reports/failed/<step>.ipynb``, the steps that need it
are skipped, the others still run, and :class:`PipelineFailed` is raised. A kernel
that dies fails its step the same way. Ctrl-C (or SIGTERM) kills the running kernels,
removes the run's stage and re-raises ``KeyboardInterrupt``; an :class:`OSError` (a full
disk, a folder that cannot be written, a file where a folder should be) does the same
and raises :class:`RunStopped`, naming the file. Either message says what became of the
published report: not changed, or, when the stop came after the swap (Ctrl-C is held
back during it), replaced whole by this run's; a stage that was published or kept as
the partial report is never removed.

Publishing
----------
Everything a run writes (``data/processed``, the steps' figures, workbooks and work
lists, the step pages, ``report.html``, ``index.html``, ``manifest.json``) goes to a
new version folder, its stage, which is scanned for personal data and then published
in one rename, or not at all (:mod:`cape_study.runner.publish`). A run in which every
step ran or was cached is published. A run in which a step failed (or was left out by
``--only`` and is not in the cache) still gets a report, showing the failed steps with
their cell and error and the steps skipped, if at least one step succeeded; it is kept
as ``reports/partial/`` and the published report is not touched, unless
``publish_partial`` asks to publish it. A failed, interrupted or killed run leaves the
published report and ``data/processed`` byte for byte as they were; what a killed run
left is removed when the next one starts. One run at a time: a second run on the same
project stops (or waits ``wait`` seconds).

The run's result and errors are in :mod:`cape_study.runner.outcome`, re-exported here.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from cape_study.errors import CapeStudyError
from cape_study.paths import ProjectPaths
from cape_study.privacy.confidential import refuse_confidential
from cape_study.privacy.scanning import PersonalDataFound, check_paths, scan_content, scan_paths
from cape_study.runner import publish
from cape_study.runner.cache import CacheKey, StepCache, staged
from cape_study.runner.current import (
    cached_result,
    end_event,
    interrupted_by_signals,
    locked,
    report_signature,
    signals_handled,
    tidy,
    unchanged,
)
from cape_study.runner.document import codebook_page
from cape_study.runner.execution import (
    CellError,
    Kernels,
    ProgressEvent,
    Watch,
    check_kernel,
    execute_notebook,
    notebook_bytes,
    redact_paths,
    write_notebook,
)
from cape_study.runner.outcome import PipelineBusy, PipelineFailed, RunResult, RunStopped
from cape_study.runner.outcome import problems_text as _problems
from cape_study.runner.pages import (
    check_page,
    disclosure_audit,
    prepare_pages,
    render_html,
    synthetic_data,
    takeaways,
)
from cape_study.runner.provenance import (
    expand,
    keep,
    kept,
    now,
    packages,
    relative,
    sha256,
    tree_hash,
)
from cape_study.runner.report import write_report
from cape_study.runner.spec import Pipeline, Step, StepResult

__all__ = ["PipelineBusy", "PipelineFailed", "Run", "RunResult", "RunStopped", "longest_first"]


class Run:
    """One run of a checked pipeline with its resolved parameters: schedules the steps,
    executes or reuses each, and replaces the report when every step ran or was cached.

    ``selected`` are the steps that may execute, ``forced`` those that must; the other
    arguments are those of :func:`cape_study.runner.pipeline.run_pipeline`.
    """

    def __init__(
        self,
        paths: ProjectPaths,
        pipeline: Pipeline,
        params: dict[str, dict[str, Any]],
        *,
        selected: set[str],
        forced: set[str],
        jobs: int,
        progress: Callable[[ProgressEvent], None] | None,
        source: Path,
        kernel: str,
        publish_partial: bool = False,
    ):
        self.paths, self.root, self.pipeline, self.params = paths, paths.root, pipeline, params
        self.selected, self.forced, self.jobs = selected, forced, jobs
        self.progress, self.source, self.kernel = progress, source, kernel
        self.publish_partial = publish_partial
        self.cache = StepCache(paths.cache, paths.root)
        self.entries: dict[str, dict[str, Any]] = {}
        self.keys: dict[str, CacheKey] = {}
        self.reasons: dict[str, str] = {}
        self.kernel_checked = False
        #: Set once a kernel is busy with cells (the runner is idle then), or the steps
        #: are over: the report's parts made ahead wait for it (:meth:`_report_ahead`).
        self.busy = threading.Event()
        self.executing = self.stopped = False
        #: Steps started with every other step left waiting for them (:meth:`_schedule`).
        self.alone: set[str] = set()

    def run(self, wait: float) -> RunResult:
        """Run, holding the project's lock (waiting up to ``wait`` seconds for it).

        Raises :class:`PipelineBusy`, :class:`~cape_study.runner.execution.KernelMissing` and
        :class:`PipelineFailed` as :func:`cape_study.runner.pipeline.run_pipeline` says.
        """
        with locked(self.paths.reports, wait), interrupted_by_signals():
            try:  # before anything is staged
                tidy(self.paths)
                self.library = tree_hash(self.source)
                nothing_to_do = self._unchanged()
                if nothing_to_do is not None:
                    return nothing_to_do
                self.stage = publish.new_stage(self.root)
            except KeyboardInterrupt:
                raise KeyboardInterrupt(self._what_stayed(None)) from None
            except OSError as exc:  # a folder that cannot be written ...
                raise RunStopped(exc, self._what_stayed(None)) from exc
            self.staged = ProjectPaths(self.root, self.stage)
            self.cache.stage = self.stage
            self.cache.others = publish.unpublished(self.root)
            scratch = publish.scratch_folder(self.root)
            # Each step's kernel may use its share of the cores (paths.workers).
            workers = max((os.cpu_count() or 1) // max(self.jobs, 1), 1)
            self.kernels = Kernels(
                self.kernel, self.root, workers, scratch=scratch, output=self.stage
            )
            try:
                return self._run()
            except KeyboardInterrupt:
                raise KeyboardInterrupt(self._what_stayed(self._discard())) from None
            except OSError as exc:  # a full disk, a folder that cannot be written ...
                raise RunStopped(exc, self._what_stayed(self._discard())) from exc
            except BaseException as exc:
                kept = self._discard()
                # A step's failure says where the report went (PipelineFailed); another
                # expected error (personal data found by the scan, a confidential file)
                # gets the same as a note, which the command line prints.
                if isinstance(exc, CapeStudyError) and not isinstance(exc, PipelineFailed):
                    exc.add_note(self._what_stayed(kept))
                raise
            finally:
                shutil.rmtree(scratch, ignore_errors=True)

    def _unchanged(self) -> RunResult | None:
        """The result of a run with nothing to do, found before anything is staged
        (:func:`~cape_study.runner.current.unchanged`); else None."""
        if self.forced:
            return None
        start = time.perf_counter()
        results = unchanged(
            self.paths,
            self.pipeline,
            self.params,
            self.cache,
            library=self.library,
            kernel=self.kernel,
        )
        if results is None:
            return None
        for result in results.values():
            self._end(result)
        elapsed = time.perf_counter() - start
        return RunResult(results, self.paths.reports, False, elapsed, unchanged=True)

    def _discard(self) -> str | None:
        """Remove the stage, unless it was published or kept as the partial report
        (then which: ``"current"``, ``"partial"``)."""
        return publish.discard(self.root, self.stage)

    def _what_stayed(self, kept: str | None) -> str:
        """What a run that stopped left of the report, for its message: the published
        report untouched, or, when the stop came after the swap, this run's report
        published (the swap is the one step that changes it)."""
        index = self.paths.reports / "index.html"
        processed = relative(self.paths.data_processed, self.root)
        if kept == "current":
            return f"this run's report had been published ({index}, {processed}) before it stopped"
        where = ""
        if kept == "partial":
            where = f"; this run's partial report is in {self.paths.reports / 'partial'}"
        return f"the published report {index} and {processed} were not changed{where}"

    def _emit(self, event: ProgressEvent) -> None:
        if event.kind == "cell":
            self.executing = True
            self.busy.set()
        if self.progress is not None:
            self.progress(event)

    def _run(self) -> RunResult:
        start = time.perf_counter()
        # Contents this library's scanner found clean, by their SHA-256: kept between runs,
        # and added to as each step's outputs are scanned, so that the scan of the stage
        # before the swap does not read again what a step's check read (the same bytes).
        kept_clean = self.paths.report_cache / "scanned.json"
        self.clean = set(kept(kept_clean, self.library) or ())
        known = len(self.clean)
        ahead = self._report_ahead()
        try:
            results = self._schedule()
        except BaseException:
            self.stopped = True
            raise
        finally:
            self.busy.set()
        ahead.join()
        complete = all(r.status in ("ran", "cached") for r in results.values())
        reported = any(r.status in ("ran", "cached") for r in results.values())
        published, partial = False, None
        signature = None
        if complete:
            signature = report_signature(
                self.paths, results, self.entries, kernel=self.kernel, library=self.library
            )
        if reported:
            reports = self.staged.reports
            write_report(
                reports,
                self.staged,
                self.pipeline.steps,
                results,
                self.entries,
                kernel=self.kernel,
                source=self.source,
                library=self.library,
            )
            # Nothing leaves the stage before every page of it is scanned (a page this
            # library's scanner found clean before, by its content's hash, is not read).
            # A confidential case timeline is never published, whatever wrote it there.
            refuse_confidential([reports], root=self.stage)
            check_paths([reports], root=self.stage, clean=self.clean)
            if len(self.clean) != known:
                keep(kept_clean, self.library, sorted(self.clean))
            with _sigint_deferred():
                if complete or self.publish_partial:
                    publish.publish(self.root, self.stage)
                    published = True
                    self.cache.restamp()
                    if signature is not None:
                        keep(
                            self.paths.report_cache / "published.json",
                            signature,
                            publish.stamp(self.root),
                        )
                else:
                    partial = publish.keep_partial(self.root, self.stage)
        else:  # no step succeeded (intake failed): nothing to show
            publish.discard(self.root, self.stage)
        result = RunResult(
            results, self.paths.reports, published, time.perf_counter() - start, partial
        )
        if any(r.status == "failed" for r in results.values()):
            raise PipelineFailed(result)
        return result

    def _report_ahead(self) -> threading.Thread:
        """Once a kernel is busy with cells (the runner is idle then): render the codebook
        appendix and read the list of installed packages into the report's cache
        (:func:`~cape_study.runner.document.codebook_page`,
        :func:`~cape_study.runner.provenance.packages`, each kept under what it is made
        from), and make the step pages' exporters (:func:`prepare_pages`). None of it
        depends on what the steps compute; the report then finds the first two in the
        cache, unless the steps ended up choosing another codebook, and the first step's
        page is rendered without compiling nbconvert's templates. An error is left for
        the report to raise."""
        entries = {name: {"parameters": self.params[name]} for name in self.pipeline.steps}
        langs = sorted({str(params.get("lang", "en")) for params in self.params.values()})
        cache = self.paths.report_cache

        def work() -> None:
            self.busy.wait()
            if self.stopped:
                return
            with contextlib.suppress(Exception):
                codebook_page(
                    entries, self.root, cache=cache / "codebook.json", library=self.library
                )
                packages(cache / "packages.json")
            for lang in langs if self.executing else ():  # else no page to render
                with contextlib.suppress(Exception):
                    prepare_pages(lang)

        thread = threading.Thread(target=work, daemon=True, name="cape-study report ahead")
        thread.start()
        return thread

    # scheduling ---------------------------------------------------------------------
    def _schedule(self) -> dict[str, StepResult]:
        results: dict[str, StepResult] = {}
        running: dict[str, Watch] = {}
        done: queue.Queue[tuple[str, StepResult | BaseException | None]] = queue.Queue()
        try:
            order = self._start_order()
            while len(results) < len(self.pipeline.steps):
                for name in order:
                    step = self.pipeline.steps[name]
                    if name in results or name in running:
                        continue
                    # A step whose notebook has executed no longer holds a kernel: the
                    # next one starts while its page is rendered, scanned and stored.
                    if sum(not w.released for w in running.values()) >= self.jobs:
                        continue
                    if any(need not in results for need in step.needs):
                        continue
                    result = self._without_kernel(step, results)
                    if result is not None:
                        results[name] = result
                        continue
                    watch = Watch(name, self._emit, self.reasons[name])
                    later = [
                        n for n in self.pipeline.steps if n not in results and n not in running
                    ]
                    later.remove(name)
                    # With several jobs, a step that every step left needs (intake) runs
                    # alone until it is done: its kernel may use every core, not a share.
                    if (
                        self.jobs > 1
                        and not any(not w.released for w in running.values())
                        and all(name in self._upstream(n) for n in later)
                    ):
                        self.alone.add(name)
                    running[name] = watch
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
                if outcome is None:  # its notebook has executed (Watch.released)
                    continue
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
            self.kernels.close()
        return {name: results[name] for name in self.pipeline.steps}

    def _upstream(self, name: str) -> set[str]:
        """The steps ``name`` needs, directly or through others."""
        found: set[str] = set()
        todo = list(self.pipeline.steps[name].needs)
        while todo:
            need = todo.pop()
            if need not in found:
                found.add(need)
                todo.extend(self.pipeline.steps[need].needs)
        return found

    def _start_order(self) -> list[str]:
        """The order in which steps that are ready start: the pipeline's with one job;
        with more, the longest first (by their last run's time), so that a long step
        does not start last and run alone (:func:`longest_first`)."""
        names = list(self.pipeline.steps)
        if self.jobs == 1:
            return names
        return longest_first(names, {name: self.cache.last_seconds(name) for name in names})

    def _likely_to_run(self, name: str) -> bool:
        """Whether a step not yet reached will probably execute (forced, not in the cache,
        or its notebook, parameters or the library changed): then a spare kernel is
        started for it while the current step runs."""
        if name in self.forced:
            return True
        if name not in self.selected:
            return False
        return self.cache.changed(self.pipeline.steps[name], self.params[name], self.library)

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
        key = self.keys[name] = self.cache.key(step, params, upstream, self.library, self.kernel)
        entry, self.reasons[name] = (
            (None, "forced") if name in self.forced else self.cache.lookup(step, params, key)
        )
        if entry is not None:
            self.entries[name] = entry
            self.cache.carry(name, entry["outputs"])
            return self._end(cached_result(step, entry))
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
            check_kernel(self.kernel)
            self.kernel_checked = True
        return None

    def _end(self, result: StepResult) -> StepResult:
        self._emit(end_event(result))
        return result

    def _worker(self, step: Step, watch: Watch, done: queue.Queue, prefetch: bool) -> None:
        try:
            done.put((step.name, self._execute(step, watch, prefetch, done)))
        except BaseException as exc:  # handed to the main thread, which re-raises it
            done.put((step.name, exc))

    # one step ------------------------------------------------------------------------
    def _execute(self, step: Step, watch: Watch, prefetch: bool, done: queue.Queue) -> StepResult:
        name, start = step.name, time.perf_counter()
        key = self.keys[name]
        params = self.params[name]
        failed_nb = self.paths.failed_reports / f"{name}.ipynb"
        try:
            nb = execute_notebook(
                self.root / step.notebook,
                params,
                lambda: self.kernels.take(
                    watch, prefetch, workers=(os.cpu_count() or 1) if name in self.alone else None
                ),
                watch,
            )
            patterns = [p.format(**params) for p in step.outputs]
            outputs = self.cache.outputs(patterns)
            # A literal path must be written; a pattern (a step's figures) may match
            # nothing when every section said why it could not be estimated.
            missing = [p for p in patterns if not _is_pattern(p) and not expand(self._base(p), [p])]
            if missing:
                raise CellError(f"declared output(s) {missing} were not written")
            # Its kernel has stopped: another step may start while this one's page is
            # rendered and scanned (on the other core when the machine has one idle).
            watch.released = True
            done.put((name, None))
            page = render_html(
                nb,
                step.title,
                synthetic=synthetic_data(self.staged),
                lang=str(params.get("lang", "en")),
            )
        except CellError as exc:
            where = ""
            if exc.cell is not None:
                where = (
                    f" (cell {exc.cell} of {watch.cells}, counting the code cells of "
                    f"{step.notebook} from 1)"
                )
            if watch.nb is not None:
                write_notebook(redact_paths(watch.nb), failed_nb)
                where += f"; the partly executed notebook is in {relative(failed_nb, self.root)}"
                where += _problems(watch.nb, failed_nb.with_suffix(".problems.csv"), self.root)
            result = StepResult(
                name,
                step.title,
                "failed",
                time.perf_counter() - start,
                message=f"{exc.message}{where}",
                cell=exc.cell,
                error=exc.message,
            )
            return self._end(result)
        # A page, notebook or output showing personal data stops the run and never
        # reaches the cache; the outputs the step wrote under reports/ are removed.
        check_page(page, f"{relative(self.paths.reports, self.root)}/steps/{name}.html")
        # The notebook is scanned as the bytes it is stored and published as (then the
        # stage's scan need not read it again), serialised once.
        notebook = notebook_bytes(nb)
        _check_outputs(
            notebook,
            name,
            [self._base(rel) / rel for rel in outputs],
            self.staged.reports,
            self.stage,
            self.clean,
        )
        # The page is written as these bytes (cache.store, then copied into the stage),
        # which the stage's scan would read as check_page has just read them.
        if "\r" not in page:
            self.clean.add(hashlib.sha256(page.encode("utf-8")).hexdigest())
        seconds = time.perf_counter() - start
        entry = {
            "key": key.key,
            "parts": key.parts,
            "step": name,
            "notebook": {"path": step.notebook, "sha256": sha256(self.root / step.notebook)},
            "parameter_set": step.parameters,
            "parameters": params,
            "inputs": key.inputs,
            "outputs": outputs,
            "ran_at": now(),
            "ran_seconds": round(seconds, 3),
            "takeaways": takeaways(nb, str(params.get("lang", "en"))),
            "disclosure": disclosure_audit(nb),
        }
        self.cache.store(name, entry, notebook, page)
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

    def _base(self, pattern: str) -> Path:
        """Where a step's output pattern is looked for: the stage for a staged folder."""
        return self.stage if staged(pattern) else self.root


def longest_first(names: list[str], seconds: Mapping[str, float | None]) -> list[str]:
    """``names`` by decreasing ``seconds`` (unknown counts as 0), ties in their order.

    Longest processing time first, the classic list-scheduling rule (Graham 1969): on
    two workers, the last step to finish then is a short one.
    """
    return sorted(names, key=lambda name: -(seconds.get(name) or 0.0))


def _get(done: queue.Queue) -> tuple[str, Any]:
    """Wait for a finished step, waking up now and then so that Ctrl-C is seen."""
    while True:
        with contextlib.suppress(queue.Empty):
            return done.get(timeout=0.2)


def _check_outputs(
    notebook: bytes, name: str, files: list[Path], reports: Path, root: Path, clean: set[str]
) -> None:
    """:func:`cape_study.privacy.scanning.scan_paths` over a step's output files and its
    executed notebook (its file's bytes): those whose content is in ``clean`` are not
    read, those found clean are added; on a finding, the outputs under ``reports`` are
    removed and :class:`~cape_study.privacy.scanning.PersonalDataFound` is raised."""
    found = scan_paths(files, root=root, clean=clean)
    digest = hashlib.sha256(notebook).hexdigest()
    if digest not in clean:
        in_notebook = scan_content(notebook, f"{relative(reports, root)}/steps/{name}.ipynb")
        if not in_notebook:
            clean.add(digest)
        found += in_notebook
    if found:
        for path in files:
            if path.resolve().is_relative_to(reports.resolve()):
                path.unlink(missing_ok=True)
        raise PersonalDataFound.located(found)


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C (and SIGTERM) back until the block is done, then raise it."""
    caught: list[int] = []
    with signals_handled(lambda signum, frame: caught.append(signum)):
        yield
    if caught:
        raise KeyboardInterrupt


def _is_pattern(path: str) -> bool:
    """Whether a declared output is a glob pattern (``*``, ``?`` or ``[``)."""
    return any(c in path for c in "*?[")
