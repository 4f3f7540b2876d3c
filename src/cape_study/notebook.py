"""The notebooks' first and last cells: what a step needs before it starts, and the
figures and tables it exports.

Every notebook starts with::

    %load_ext autoreload
    %autoreload 2
    from cape_study import notebook
    notebook.setup("01_attrition")

and ends with ``notebook.finish(globals())``. In between, ``tables.show(table,
name=...)`` and ``plots.show(fig_or_ax, name)`` display a table or figure as before and
record it for export in the step's :class:`Session`: one object per run of the
notebook, which :func:`setup` replaces by a new, empty one each time it runs, so that
re-running the first cell by hand keeps nothing twice.

Before anything else
--------------------
:func:`setup` checks what the step needs, so that a notebook opened by hand in
JupyterLab stops at its first cell with one sentence saying which command to run,
instead of a traceback deep in a loader. A step whose inputs in ``pipeline.yaml`` lie in
``data/processed`` needs the processed case file there: ``metadata.json`` and the
parquet file of every table :func:`cape_study.data.loaders.read_processed` reads, written
with the version of the current codebook (:func:`cape_study.data.codebook.load_codebook`,
which the analysis notebooks label their tables with). A problem raises
:class:`NotebookError`, which IPython shows as its message alone.

Exports
-------
Under the runner (which sets ``CAPE_STUDY_RUN=1`` in the kernel's environment) a step
exports to ``reports/figures/<step>/<name>.png|.svg`` and ``reports/tables/<step>.xlsx``,
declared as the step's outputs in ``pipeline.yaml`` and so hashed into the cache and the
manifest. Opened by hand, it exports to ``reports/lab/figures/<step>/`` and
``reports/lab/tables/<step>.xlsx`` instead, so that exploring never overwrites the
published report (files such as the coders' work list go there too, through
:func:`report_path`). :func:`setup` removes the step's earlier exports, so that a renamed
figure leaves no stale file. Figures are written when shown; the workbook by
:func:`finish`, in one rename.

Figures are written at 300 dpi (PNG) and as SVG, without creation dates or software
versions and with a fixed SVG id salt; the workbook has fixed document and archive
times. The same data and parameters give the same bytes.

The workbook (:func:`write_workbook`) has a first sheet saying what it is (step,
synthetic-data warning, codebook version, data cut-off, parameters, marks, sheets) and
one sheet per table shown with a name, in the order first shown, labelled as on the
page (the notebook's ``lang``). A cell hidden by disclosure control holds the page's
mark (``..`` a small count, ``x`` any hidden count), and the legend of the marks is on
the first sheet and under every table that has one. Numbers are
written as numbers: those of numeric columns, and the counts the display tables carry
(:class:`cape_study.present.display.Count`, shown ``1,234``); display text is never
parsed back into numbers.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

from cape_study.data.codebook import DEFAULT_CODEBOOK, load_codebook
from cape_study.data.loaders import CaseFile
from cape_study.errors import CannotEstimate, CapeStudyError, ParameterError
from cape_study.paths import RUN_ENV, ProjectPaths, project
from cape_study.present import display, export
from cape_study.present.labels import SYNTHETIC_MARK
from cape_study.present.limits import cannot_text, takeaway_label
from cape_study.present.plots.files import file_stem, write_figure
from cape_study.present.wording import hidden_section_text
from cape_study.present.workbooks import legend_lines, write_workbook
from cape_study.privacy.masking import redact
from cape_study.runner.params import PARAMETER_SETS, validate_parameters
from cape_study.runner.spec import load_pipeline
from cape_study.stats.remembered import remembered as _remembered

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "RUN_ENV",
    "NotebookError",
    "Session",
    "case_is_synthetic",
    "check_parameters",
    "current",
    "export_paths",
    "finish",
    "remembered",
    "report_path",
    "section",
    "setup",
    "show_problems",
    "write_figure",
    "write_workbook",
]

_PROCESSED = "data/processed"
T = TypeVar("T")
_INTAKE_COMMAND = "`make report` or `.venv/bin/cape-study run --only {step}`"


class NotebookError(CapeStudyError):
    """A notebook that cannot run as it is: a missing prerequisite or an unknown step.

    IPython shows an exception with ``_render_traceback_`` by what that returns, so a
    researcher sees the one sentence (with the command to run), not a traceback; the
    runner still reports it under the step and cell.
    """

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


def export_paths(paths: ProjectPaths, step: str, *, published: bool) -> tuple[Path, Path]:
    """The folder of a step's figures and the path of its workbook: under ``reports/``
    for a pipeline run (``published``), under ``reports/lab/`` for a notebook run by hand."""
    base = _reports(paths, published)
    return base / "figures" / step, base / "tables" / f"{step}.xlsx"


def _published() -> bool:
    """Whether this kernel runs a step of ``cape-study run`` (which sets ``RUN_ENV``)."""
    return os.environ.get(RUN_ENV) == "1"


def _reports(paths: ProjectPaths, published: bool) -> Path:
    """Where a step's files go: ``reports/``, or ``reports/lab/`` when run by hand."""
    return paths.reports if published else paths.reports / "lab"


def remembered(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function(*args, **kwargs)`` for a slow, deterministic estimate (a seeded
    bootstrap, a cross-validation), kept in the project's ``.cache/results`` so that a
    re-run with the same data, arguments and estimating code takes it from there
    (:func:`cape_study.stats.remembered.remembered`): the same table, not computed again."""
    return _remembered(project().result_cache, function, *args, **kwargs)


def report_path(relative: str) -> Path:
    """Where a step writes a file of the report, such as the coders' work list:
    ``reports/<relative>`` under the runner, ``reports/lab/<relative>`` when the notebook
    is run by hand, so that exploring leaves the published file as it is."""
    return _reports(project(), _published()) / relative


def setup(step: str) -> None:
    """Start the notebook of ``step``: check that what it needs exists, then start its
    :class:`Session`, empty, clear its earlier exports and connect the session to
    :mod:`cape_study.present.export` (where ``tables.show`` and ``plots.show`` hand what
    they show with a name). Running it again starts a new session: nothing shown before
    is kept twice.

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
    global _current

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
    reads_processed = any(_under_processed(p) for p in spec.inputs)
    if reads_processed:
        writers = [
            s.name
            for s in pipeline.steps.values()
            if s.name != step and any(map(_under_processed, s.outputs))
        ]
        _check_processed(paths, writers[0] if writers else "00_intake")
    _cannot.clear()
    session = Session(
        step,
        spec.title or step,
        spec.parameters,
        paths,
        _published(),
        reads_processed=reads_processed,
    )
    figures, workbook = session.exports
    shutil.rmtree(figures, ignore_errors=True)
    workbook.unlink(missing_ok=True)
    if _current is not None and _current.step == step:
        # the first cell run again by hand: the case file loaded in this kernel is the same
        session.synthetic = _current.synthetic
    _current = session
    export.connect(table=_record_table, figure=_save_figure, legend=_legend, hidden=_hidden)
    warnings.formatwarning = _warning_text


def _warning_text(message, category, filename, lineno, line=None) -> str:
    """A warning as the page shows it: its category and message, not the file and line
    it came from (an absolute path, which may name the user)."""
    return f"{category.__name__}: {message}\n"


def current() -> Session | None:
    """The session :func:`setup` started last in this kernel; None before it."""
    return _current


def case_is_synthetic(synthetic: bool) -> None:
    """Say whether the case file the step loaded is synthetic (intake, which loads it
    before the processed metadata of this run exists): its figures carry the synthetic
    mark exactly when it is. Nothing without a session."""
    if _current is not None:
        _current.synthetic = bool(synthetic)


def check_parameters(namespace: Mapping[str, Any]) -> None:
    """Check the notebook's parameters as ``cape-study run`` does, right after its
    parameters cell: ``notebook.check_parameters(globals())``.

    Numbers and dates are formatted in the step's ``lang`` from here on
    (:func:`cape_study.present.display.use_language`).

    The values of the step's parameter set (:mod:`cape_study.runner.params`, the set
    ``pipeline.yaml`` names for the step given to :func:`setup`) are taken from the
    notebook's namespace and validated with the runner's own function, so a value the
    runner would refuse (``ci_method = "wald"``) stops here with the runner's one-line
    message, not with a traceback cells later.

    Raises
    ------
    NotebookError
        Naming every parameter that is not allowed, and what is.
    """
    session = _current
    if session is None:
        raise NotebookError("run the notebook's first cell (notebook.setup) before its parameters")
    fields = PARAMETER_SETS[session.parameter_set].model_fields
    values = {name: namespace[name] for name in fields if name in namespace}
    try:
        validate_parameters(
            session.parameter_set,
            values,
            root=session.paths.root,
            where=f"step {session.step!r}",
        )
    except ParameterError as exc:
        raise NotebookError(str(exc)) from None
    display.use_language(values.get("lang", "en"))
    session.lang = str(values.get("lang", "en"))
    if "min_cell_count" in values:
        session.threshold = int(values["min_cell_count"])


#: The sentences of the sections this kernel could not estimate (reset by setup).
_cannot: list[str] = []
#: The names of the tables the running section did not show, every cell being hidden
#: (None outside a section).
_section_hidden: list[str | None] | None = None


def _hidden(name: str | None) -> bool:
    """The hidden-table sink: inside a section, take the table (say it at its end)."""
    if _section_hidden is None:
        return False
    _section_hidden.append(name)
    return True


@contextmanager
def section(lang: str = "en", min_cell_count: int = 1, *, takeaway: bool = False) -> Iterator[None]:
    """Run a section's cell; if the data cannot support its estimate, say why instead.

    ``with notebook.section(lang):`` around a cell's body: a
    :class:`cape_study.errors.CannotEstimate` raised inside ends the section and is
    shown as one sentence in the report's language (why it cannot be estimated here,
    and what data would make it possible; :func:`cape_study.present.limits.cannot_text`,
    with counts of cases below ``min_cell_count`` not shown).
    A later cell that needs a result such a section did not make (a ``NameError`` after
    one) says so, with the first reason; a takeaway (``takeaway=True``) gives that
    reason as its takeaway. Any other error propagates as usual. Tables shown in it
    whose every cell is hidden (:func:`cape_study.present.display.all_hidden`) are not
    shown; one sentence at its end says why and from what count they would be
    (:func:`cape_study.present.wording.hidden_section_text`).
    """
    from IPython.display import Markdown, display

    global _section_hidden

    lead = f"**{takeaway_label(lang)}:** " if takeaway else ""
    _section_hidden = []
    try:
        yield
        if _section_hidden:
            text = hidden_section_text(len(_section_hidden), lang, min_cell_count)
            display(Markdown(f"*{text}*"))
    except CannotEstimate as exc:
        _cannot.append(cannot_text(exc, lang, threshold=min_cell_count))
        display(Markdown(f"{lead}*{_cannot[-1]}*"))
    except NameError:
        if not _cannot:
            raise
        if takeaway:
            display(Markdown(f"{lead}*{_cannot[0]}*"))
        else:
            text = cannot_text(CannotEstimate("earlier", "", first=_cannot[0]), lang)
            display(Markdown(f"*{text}*"))
    finally:
        _section_hidden = None


def _under_processed(pattern: str) -> bool:
    return pattern.replace("\\", "/").lstrip("./").startswith(_PROCESSED + "/")


def _check_processed(paths: ProjectPaths, intake: str) -> None:
    folder = paths.data_processed
    shown = folder.relative_to(paths.output or paths.root).as_posix()
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
    version = load_codebook().version
    if str(recorded) != str(version):
        raise NotebookError(
            f"The processed case file in {shown} was made with codebook version "
            f"{recorded}, but the current codebook ({DEFAULT_CODEBOOK}) is version "
            f"{version}: run {command} again."
        )


# -- the session ----------------------------------------------------------------------
@dataclass
class Session:
    """One run of a step's notebook: the step, where its files go, and what it has shown
    with a name so far (the tables for its workbook, the names of its figures).

    :func:`setup` makes one and :func:`finish` writes its workbook; in between,
    ``tables.show`` and ``plots.show`` reach it through :mod:`cape_study.present.export`.
    """

    step: str
    title: str
    parameter_set: str
    paths: ProjectPaths
    published: bool
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)  # file stem -> name
    lang: str = "en"  # the step's language and threshold, for the legend of marks
    threshold: int | None = None
    #: whether the step reads the processed case file (whose metadata says if it is synthetic)
    reads_processed: bool = True
    #: whether the case file is synthetic, as the step that loads it says
    synthetic: bool | None = None

    def legend(self, marks: list[str]) -> str | None:
        """The legend of the marks of hidden cells a table shows, one line each."""
        if self.threshold is None:
            return None
        return "; ".join(
            f"{m} {text}" for m, text in legend_lines(self.lang, self.threshold) if m in marks
        )

    @property
    def exports(self) -> tuple[Path, Path]:
        """The folder of the step's figures and the path of its workbook."""
        return export_paths(self.paths, self.step, published=self.published)

    def record_table(self, name: str, table: pd.DataFrame) -> None:
        """Keep ``table`` (as shown, labels and marks included) for the step's workbook
        under ``name``; showing a table under a name again replaces it."""
        self.tables[name] = table.copy()

    def save_figure(self, figure: Figure, name: str) -> list[Path]:
        """Export ``figure`` as the step's figure ``name`` (see :func:`write_figure`); the
        paths written.

        Raises
        ------
        NotebookError
            If another figure of the step already has a name that gives the same file name.
        """
        stem = _stem(name)
        other = self.figures.setdefault(stem, name)
        if other != name:
            raise NotebookError(
                f"figures {other!r} and {name!r} of step {self.step} would both be saved "
                f"as {stem}.png: give one of them another name."
            )
        mark = (
            SYNTHETIC_MARK.get(display.language(), SYNTHETIC_MARK["en"])
            if self.is_synthetic()
            else None
        )
        return write_figure(figure, self.exports[0], name, mark=mark, cache=self.paths.figure_cache)

    def is_synthetic(self) -> bool:
        """Whether this step's case file is synthetic: as :func:`case_is_synthetic` said,
        else as the processed case file's metadata says. A step that loads the case file
        itself (intake) must say it first: the processed metadata is the previous run's,
        perhaps of another case file (NotebookError)."""
        if self.synthetic is not None:
            return self.synthetic
        if not self.reads_processed:
            raise NotebookError(
                f"step {self.step} draws a figure before it says whether its case file is "
                "synthetic: call notebook.case_is_synthetic(case.synthetic) after loading "
                "the case file (the figures of synthetic data carry a mark)."
            )
        meta_path = self.paths.data_processed / "metadata.json"
        return meta_path.is_file() and bool(
            json.loads(meta_path.read_text(encoding="utf-8")).get("synthetic")
        )

    def finish(self, namespace: Mapping[str, Any]) -> Path:
        """Write the step's workbook (see :func:`finish`)."""
        fields = PARAMETER_SETS[self.parameter_set].model_fields
        missing = [name for name in fields if name not in namespace]
        if missing:
            raise NotebookError(
                f"finish() found no value for parameter(s) {', '.join(missing)} of step "
                f"{self.step}: pass it the notebook's globals(), after the parameters cell."
            )
        meta_path = self.paths.data_processed / "metadata.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        return write_workbook(
            self.exports[1],
            self.tables,
            step=self.step,
            title=self.title,
            parameters={name: namespace[name] for name in fields},
            metadata=meta,
            published=self.published,
        )


_current: Session | None = None


def _record_table(name: str, table: pd.DataFrame) -> None:
    """The table sink: the current session's, nothing without one."""
    if _current is not None:
        _current.record_table(name, table)


def _legend(marks: list[str]) -> str | None:
    """The legend source: the current session's, nothing without one."""
    return None if _current is None else _current.legend(marks)


def _save_figure(figure: Figure, name: str) -> list[Path]:
    """The figure sink: the current session's, nothing without one."""
    return [] if _current is None else _current.save_figure(figure, name)


def _stem(name: str) -> str:
    try:
        return file_stem(name)
    except ValueError as exc:
        raise NotebookError(str(exc)) from None


#: The display that carries a case file's problems to the runner, which prints them.
PROBLEMS_MIMETYPE = "application/vnd.cape-study.problems+json"


def show_problems(problems: pd.DataFrame) -> None:
    """Display the table of a case file's problems as a table, with a copy (every row,
    values as text) that ``cape-study run`` prints when the step fails."""
    from IPython.display import display

    if "cause" in problems:  # file, sheet and column names are the user's: no identifier
        problems = problems.assign(cause=[redact(str(c)) for c in problems["cause"]])
    shown = problems.astype(object).where(problems.notna(), "").astype(str)
    bundle = {
        "text/html": problems.to_html(index=False),
        "text/plain": problems.to_string(index=False),
        PROBLEMS_MIMETYPE: {"columns": list(shown.columns), "rows": shown.values.tolist()},
    }
    display(bundle, raw=True)


def finish(namespace: Mapping[str, Any]) -> Path | None:
    """Write the step's workbook: every table shown with a name, after a sheet saying
    what it is. The notebook's last cell calls ``notebook.finish(globals())``.

    Parameters
    ----------
    namespace
        The notebook's variables, from which the values of the step's parameters (its
        parameter set in :mod:`cape_study.runner.params`) are read.

    Returns
    -------
    Path or None
        The workbook written; None when :func:`setup` was not called (the library used
        outside a step's notebook).
    """
    return None if _current is None else _current.finish(namespace)
