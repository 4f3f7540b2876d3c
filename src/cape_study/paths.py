"""Every path the project uses, in one place.

The project root is the directory that holds ``pyproject.toml`` and ``pipeline.yaml``.
It is found from this file's location (the package is installed in editable mode from
``src/``) unless the environment variable ``CAPE_STUDY_ROOT`` names another one, which
is how tests and benchmarks point the library at a scratch copy of the project.

Raw data are never written to: ``data/raw`` is read-only for the library, with the one
exception of ``cape-study synth --out``, which writes a *new* synthetic case file where
it is told to.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CODEBOOK_DIR",
    "DEFAULT_DATA_CUTOFF",
    "OUTPUT_ENV",
    "PACKAGE_DIR",
    "PATH_PARAMETERS",
    "PUBLISHED",
    "REFI_SCHEMA_DIR",
    "ROOT_ENV",
    "RUN_ENV",
    "WORKERS_ENV",
    "ProjectPaths",
    "project",
    "workers",
    "writes_into_published",
]

PACKAGE_DIR = Path(__file__).resolve().parent
CODEBOOK_DIR = PACKAGE_DIR / "data" / "codebooks"
#: The REFI-QDA schemas (Project.xsd, Codebook.xsd) the coding workbench validates against.
REFI_SCHEMA_DIR = PACKAGE_DIR / "coding" / "schemas"
#: The project root the notebooks work in (set by ``cape-study run`` in its kernels).
ROOT_ENV = "CAPE_STUDY_ROOT"
#: ``1`` in the kernels of ``cape-study run``: exports go to the report, not to
#: ``reports/lab/`` (:mod:`cape_study.notebook`).
RUN_ENV = "CAPE_STUDY_RUN"
#: The number of processes a step may spread its work over (see :func:`workers`).
WORKERS_ENV = "CAPE_STUDY_WORKERS"
#: The folder ``cape-study run`` stages a run's outputs in (set in its kernels):
#: ``data/processed`` and ``reports/`` are read and written there until the run
#: publishes them (:mod:`cape_study.runner.publish`).
OUTPUT_ENV = "CAPE_STUDY_OUTPUT"
#: The folder of published versions (:mod:`cape_study.runner.publish`).
PUBLISHED = ".published"
#: One thread for each numerical library (OpenBLAS, OpenMP, MKL) in a step's kernel, unless
#: the environment says otherwise: the steps do many small matrix operations, where the
#: second OpenBLAS thread only spins (on the demo the pipeline's CPU time fell from 93 s to
#: 59 s at load 10; 04's cross-validation from 20 to 7 CPU s), and a step's parallel work
#: goes over processes instead (:func:`workers`). One thread also makes floating-point
#: sums independent of the machine's core count.
SINGLE_THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
#: Parameters whose values are paths (a case-file folder may be named after a person,
#: a home folder after its user): never shown in a report page or workbook; a report
#: names its case file by its data hash and the ``case_label`` parameter.
PATH_PARAMETERS = frozenset({"case_file", "key_file"})
#: The data cut-off when none is given, the same for ``cape-study validate``, the
#: loaders, ``cape-study synth`` and the pipeline's intake, so that a case file that
#: validates also passes intake.
DEFAULT_DATA_CUTOFF = "2024-12-31"


@dataclass(frozen=True)
class ProjectPaths:
    """The locations of a project checkout, all derived from its root.

    ``output``, when set, is where ``data/processed`` and ``reports/`` are instead: the
    staging folder of a run (``$CAPE_STUDY_OUTPUT`` in its kernels)."""

    root: Path
    output: Path | None = None

    @property
    def pipeline_file(self) -> Path:
        return self.root / "pipeline.yaml"

    @property
    def constraints(self) -> Path:
        return self.root / "constraints.txt"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def data_raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def demo_case_file(self) -> Path:
        return self.data_raw / "demo"

    @property
    def data_processed(self) -> Path:
        return (self.output or self.root) / "data" / "processed"

    @property
    def reports(self) -> Path:
        return (self.output or self.root) / "reports"

    @property
    def failed_reports(self) -> Path:
        return self.reports / "failed"

    @property
    def benchmark_reports(self) -> Path:
        return self.reports / "benchmarks"

    @property
    def cache(self) -> Path:
        """Executed notebooks kept between runs so that unchanged steps can be reused."""
        return self.root / ".cache" / "steps"

    @property
    def figure_cache(self) -> Path:
        """Rendered PNGs of figures by their content, so that a figure drawn as before is
        not rasterised again (:func:`cape_study.present.plots.files.write_figure`)."""
        return self.root / ".cache" / "figures"

    @property
    def result_cache(self) -> Path:
        """Results of slow, deterministic estimates (bootstrap intervals, cross-validated
        predictions) by what they were computed from
        (:func:`cape_study.stats.remembered.remembered`)."""
        return self.root / ".cache" / "results"

    @property
    def report_cache(self) -> Path:
        """What the report's appendices are made from and need not be made again on
        every run (the rendered codebook, the list of installed packages)."""
        return self.root / ".cache" / "report"

    def relative(self, path: str | os.PathLike[str]) -> str:
        """``path`` as the project names it: relative to the root, and a file in a
        run's stage by the name it is published under (``reports/...``)."""
        path = Path(path)
        for base in (self.output, self.root):
            if base is not None and path.is_relative_to(base):
                return path.relative_to(base).as_posix()
        return str(path)

    @property
    def source(self) -> Path:
        """The library's source, hashed into every step's cache key."""
        return PACKAGE_DIR


def project(root: str | os.PathLike[str] | None = None) -> ProjectPaths:
    """Return the project's paths.

    Parameters
    ----------
    root
        An explicit project root. Without it, ``$CAPE_STUDY_ROOT`` is used when set,
        else the checkout this package was installed from. ``$CAPE_STUDY_OUTPUT``, when
        set, is the run's staging folder (:attr:`ProjectPaths.output`).
    """
    if root is None:
        root = os.environ.get(ROOT_ENV) or PACKAGE_DIR.parents[1]
    output = os.environ.get(OUTPUT_ENV)
    return ProjectPaths(Path(root).resolve(), Path(output).resolve() if output else None)


def writes_into_published(path: str | os.PathLike[str]) -> bool:
    """Whether writing ``path`` by hand (a notebook opened in JupyterLab, not a step of
    ``cape-study run``, which sets ``$CAPE_STUDY_RUN``) would change the published report:
    after a run, ``data/processed`` is a link into ``.published/``, whose files the
    manifest hashes, so ``cape-study verify`` would find them changed and a crash midway
    would leave the published processed data half replaced."""
    if os.environ.get(RUN_ENV) == "1":
        return False
    return PUBLISHED in Path(path).resolve().parts


def workers() -> int:
    """How many processes a step may use: ``$CAPE_STUDY_WORKERS`` when set (``cape-study
    run`` sets it in each kernel to the CPU count divided by ``--jobs``, so that steps run
    at the same time do not compete for the cores), else the CPU count (a notebook run
    by hand). At least 1. Results never depend on it."""
    value = os.environ.get(WORKERS_ENV, "").strip()
    count = int(value) if value.isdigit() else (os.cpu_count() or 1)
    return max(count, 1)
