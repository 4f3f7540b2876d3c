"""Seeded synthetic case files with planted, known effects.

``cape-study synth --cases N --seed S --out DIR`` writes a complete case file in the
intake format (see :mod:`cape_study.data.loaders`) that describes no real case or person:
the six tables, a ``documents/`` folder of Swedish (and some Finnish) texts, a
``truth.json`` with every true parameter and realised count, a ``SYNTHETIC`` marker and
a ``README.md``. The same seed and package version give byte-identical files.

This module is the generator's public API (:class:`SynthSpec`, what to draw;
:func:`simulate`, :func:`write_synthetic_case_file`, :func:`synth_command`) and its
writing: the tables and the documents, into an output folder that is replaced whole and
never holds anything the generator did not write. The generator itself lives in sibling
modules:

- :mod:`cape_study.synth.model`: the generative model, in the order it is drawn, with
  its calibration targets and planted parameters and their sources;
- :mod:`cape_study.synth.simulation`: drawing cases, victims, suspects, the paths
  through the stages, and the latent codes;
- :mod:`cape_study.synth.tables`: the six tables, the coders' codes and the facts of
  each document;
- :mod:`cape_study.synth.texts` (with the templates in ``synth/templates/``): the
  document texts and their invented names and identifiers;
- :mod:`cape_study.synth.truth`: what truth.json holds;
- :mod:`cape_study.synth.files`: the folder's other files (a workbook, truth.json, the
  README, the marker) and the guard on the output folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import itertools
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cape_study import __version__
from cape_study.data.codebook import Codebook, codebook_or_default
from cape_study.errors import ParameterError
from cape_study.paths import DEFAULT_DATA_CUTOFF, workers
from cape_study.synth import texts as synth_texts
from cape_study.synth.files import (
    MARKER,
    MARKER_TEXT,
    TABLES,
    check_output,
    readme,
    write_truth,
    write_xlsx,
)
from cape_study.synth.model import (
    COVARIATES,
    DURATIONS,
    EFFECTS,
    RELIABILITY,
    TARGETS,
    TARGETS_BY_KEY,
    VICTIMS_PER_CASE,
    SynthError,
    check_codebook,
    expected_kappa,
)
from cape_study.synth.simulation import Simulation, day_number
from cape_study.synth.tables import Assembly
from cape_study.synth.truth import build_truth, identifier_truth, latent_frame, realised_counts

__all__ = [
    "COVARIATES",
    "DEFAULT_CUTOFF",
    "DURATIONS",
    "EFFECTS",
    "MARKER",
    "RELIABILITY",
    "TABLES",
    "TARGETS",
    "TARGETS_BY_KEY",
    "VICTIMS_PER_CASE",
    "SynthError",
    "SynthSpec",
    "SyntheticCaseFile",
    "expected_kappa",
    "print_progress",
    "realised_counts",
    "simulate",
    "synth_command",
    "write_synthetic_case_file",
]

DEFAULT_CUTOFF = DEFAULT_DATA_CUTOFF
DEFAULT_FIRST_REPORT = "2012-01-01"


@dataclass
class SyntheticCaseFile:
    """A simulated case file: the six tables (strings, as written), truth and texts.

    ``tables`` hold the values exactly as they are written to CSV (codes, ISO dates,
    1/0, empty string for missing). ``latent`` holds per-case quantities that are not
    in the tables (the planted linear predictor, the latent barrier codes ...), for
    tests. ``documents`` is the table of document facts the texts are written from.
    """

    tables: dict[str, pd.DataFrame]
    truth: dict
    latent: pd.DataFrame
    documents: pd.DataFrame = field(repr=False)
    codebook: Codebook = field(repr=False)


@dataclass(frozen=True)
class SynthSpec:
    """What the generator draws: one specification, passed whole from the command line
    (or a scenario) to the simulation and to the command recorded in truth.json.

    Attributes
    ----------
    n_cases
        Number of police reports (cases); a share ``share_fi`` of them Finnish.
    seed
        Seed of :class:`numpy.random.SeedSequence`; every step draws from its own
        child stream, so the same seed (and package version) gives the same data.
    data_cutoff
        Events after this date are dropped (the cases are censored).
    first_report, last_report
        The report period (``last_report`` defaults to the cut-off).
    coded_cases
        How many ended cases the coders code (at most; a random sample).
    codebook
        The codebook whose codes and tables are used (a name, a path or a codebook);
        its code lists are checked against the generator's probability tables.
    """

    n_cases: int
    seed: int
    share_fi: float = 0.25
    data_cutoff: str | dt.date = DEFAULT_CUTOFF
    first_report: str | dt.date = DEFAULT_FIRST_REPORT
    last_report: str | dt.date | None = None
    coded_cases: int = 1000
    codebook: str | Path | Codebook = "cape_v2"

    def command(self, out: str | os.PathLike[str], *, fmt: str = "csv", force: bool = False) -> str:
        """The ``cape-study synth`` command line that writes these data to ``out``
        (recorded in truth.json); options at their default are left out."""
        parts = [
            "cape-study",
            "synth",
            "--cases",
            str(self.n_cases),
            "--seed",
            str(self.seed),
            "--out",
            Path(out).as_posix(),
        ]
        if fmt != "csv":
            parts += ["--format", fmt]
        if self.share_fi != 0.25:
            parts += ["--share-fi", str(self.share_fi)]
        if str(self.data_cutoff) != DEFAULT_CUTOFF:
            parts += ["--data-cutoff", str(self.data_cutoff)]
        if self.coded_cases != 1000:
            parts += ["--coded-cases", str(self.coded_cases)]
        if force:
            parts.append("--force")
        return " ".join(parts)


def _spec(spec: SynthSpec | int, seed: int | None, options: dict) -> SynthSpec:
    """``spec`` itself, or the specification of ``spec`` cases, ``seed`` and ``options``."""
    if isinstance(spec, SynthSpec):
        if seed is not None or options:
            raise TypeError("give a SynthSpec, or the number of cases, the seed and options")
        return spec
    if seed is None:
        raise TypeError("the seed is missing (give a SynthSpec, or cases and a seed)")
    return SynthSpec(spec, seed, **options)


def _check_arguments(spec: SynthSpec, first: int, last: int, cutoff: int) -> None:
    n_cases, seed, share_fi, coded_cases = spec.n_cases, spec.seed, spec.share_fi, spec.coded_cases
    if not isinstance(n_cases, int | np.integer) or n_cases < 1:
        raise ParameterError(f"--cases must be a whole number of at least 1, not {n_cases!r}")
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError(f"--seed must be a whole number of at least 0, not {seed!r}")
    if not 0.0 <= share_fi <= 1.0:
        raise ParameterError(f"share_fi must lie between 0 and 1, not {share_fi!r}")
    if not first <= last <= cutoff:
        raise ParameterError(
            "the report period must start before it ends, and end on or before the data cut-off"
        )
    if coded_cases < 0:
        raise ParameterError(f"coded_cases must be at least 0, not {coded_cases!r}")


def _parse_day(value: str | dt.date, what: str) -> int:
    try:
        return day_number(value)
    except ValueError:
        raise ParameterError(f"{what} {value!r} is not a date written YYYY-MM-DD") from None


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused (as it was afterwards): generating allocates
    millions of short-lived dicts, tuples and lists that hold no reference cycles, and
    the collector's passes over the growing heap took about half the CPU time of the
    document facts and a third of that of the texts (20,000 cases); the forked writers
    inherit the pause. Nothing generated depends on it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run(
    spec: SynthSpec, command: str, progress: Callable[[str], None] | None
) -> tuple[Assembly, dict, dict]:
    """Check the specification and the codebook, draw the case file, assemble its tables
    and its truth (without the identifiers, known only once the documents are written)."""
    cutoff = _parse_day(spec.data_cutoff, "data cut-off")
    first = _parse_day(spec.first_report, "first report date")
    last = cutoff if spec.last_report is None else _parse_day(spec.last_report, "last report date")
    _check_arguments(spec, first, last, cutoff)
    n_cases, seed = spec.n_cases, spec.seed
    book = codebook_or_default(spec.codebook)
    check_codebook(book)
    say = progress or (lambda _msg: None)
    sim = Simulation(
        book,
        int(n_cases),
        int(seed),
        float(spec.share_fi),
        first,
        last,
        cutoff,
        int(spec.coded_cases),
    )
    say(f"simulating {n_cases:,} cases (seed {seed})")
    sim.cases()
    sim.victims()
    sim.suspects()
    sim.outcome()
    sim.court()
    sim.latent()
    say("assembling tables")
    asm = Assembly(sim)
    tables = asm.tables()
    truth = build_truth(asm, tables, int(seed), command)
    return asm, tables, truth


def simulate(
    spec: SynthSpec | int,
    seed: int | None = None,
    *,
    texts: bool = False,
    progress: Callable[[str], None] | None = None,
    **options: object,
) -> SyntheticCaseFile:
    """Simulate a synthetic case file in memory (nothing is written).

    Parameters
    ----------
    spec
        What to draw (:class:`SynthSpec`); or the number of cases, with ``seed`` and
        any other field of :class:`SynthSpec` as keyword ``options``
        (``simulate(400, 1, coded_cases=0)``).
    texts
        Also render the document texts (``truth["identifiers"]`` and the column
        ``text`` of ``documents``).

    Returns
    -------
    SyntheticCaseFile
    """
    spec = _spec(spec, seed, options)
    with _no_cycle_collection():
        asm, tables, truth = _run(spec, f"simulate({spec.n_cases}, {spec.seed})", progress)
        docs = tables["documents"].copy()
        if texts:
            identifiers, rendered = _render(asm, None, progress)
            docs["text"] = rendered
            truth["identifiers"] = identifier_truth(identifiers)
    return SyntheticCaseFile(
        tables=tables, truth=truth, latent=latent_frame(asm), documents=docs, codebook=asm.sim.book
    )


# -- writing ----------------------------------------------------------------------------
#: From this many documents on, :func:`_render` writes them in
#: :func:`cape_study.paths.workers` forked processes, each a contiguous part.
PARALLEL_FROM = 5000

#: What the forked processes of :func:`_render` read (inherited, not sent to them).
_WORK: tuple[Assembly, Path] | None = None


def _render(
    asm: Assembly,
    folder: Path | None,
    progress: Callable[[str], None] | None,
    meanwhile: Callable[[], None] | None = None,
) -> tuple[list[tuple], list[str] | None]:
    """Write (or return) every document text; return the identifier ground truth.

    From :data:`PARALLEL_FROM` documents on, a folder's documents are written by
    :func:`cape_study.paths.workers` forked processes, each a contiguous part, and the
    ground truth is put together in order: the same files and truth as one process
    writes (each document depends only on its facts and random numbers). ``meanwhile``
    (writing the tables) is called while they work, else first."""
    global _WORK
    total = len(asm.docs)
    if folder:
        for year in sorted({p.split("/")[0] for p in asm.docs["path"]}):
            (folder / year).mkdir(parents=True, exist_ok=True)
    n = min(workers(), max(total // (PARALLEL_FROM // 2), 1))
    if folder and n > 1 and total >= PARALLEL_FROM and "fork" in mp.get_all_start_methods():
        bounds = [total * i // n for i in range(n + 1)]
        if progress:
            progress(f"writing {total:,} documents in {n} processes")
        _WORK = (asm, folder)
        try:
            with ProcessPoolExecutor(n, mp_context=mp.get_context("fork")) as pool:
                futures = [pool.submit(_render_part, a, b) for a, b in itertools.pairwise(bounds)]
                if meanwhile is not None:
                    meanwhile()
                parts = [future.result() for future in futures]
        finally:
            _WORK = None
        return [row for part in parts for row in part], None
    if meanwhile is not None:
        meanwhile()
    return _render_rows(asm, folder, 0, total, progress)


def _render_part(start: int, stop: int) -> list[tuple]:
    """Write documents ``start:stop`` of :data:`_WORK` (in a forked process)."""
    assert _WORK is not None
    asm, folder = _WORK
    return _render_rows(asm, folder, start, stop, None)[0]


def _render_rows(
    asm: Assembly,
    folder: Path | None,
    start: int,
    stop: int,
    progress: Callable[[str], None] | None,
) -> tuple[list[tuple], list[str] | None]:
    """Write (or return) documents ``start:stop``; their identifier ground truth."""
    identifiers: list[tuple] = []
    texts: list[str] | None = None if folder else []
    total = stop - start
    step = max(total // 10, 1)
    base = os.path.join(folder, "") if folder else ""
    for pos, (doc_id, path, fact, r, c) in enumerate(asm.document_facts(start, stop)):
        text, found = synth_texts.render_document(fact, r, c)
        identifiers += [(doc_id, f.kind, f.text, f.value, f.start, f.end) for f in found]
        if folder:  # bytes by a file descriptor: no Path, file object or buffer per file
            _write_file(base + path, text.encode("utf-8"))
        else:
            texts.append(text)  # type: ignore[union-attr]
        if progress and (pos + 1) % step == 0:
            progress(f"documents {pos + 1:,}/{total:,}")
    return identifiers, texts


def _write_file(path: str, data: bytes) -> None:
    """Write ``data`` to a new file ``path`` (at 100,000 cases, 275,660 of them)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        while data:
            data = data[os.write(fd, data) :]
    finally:
        os.close(fd)


def write_synthetic_case_file(
    out: str | os.PathLike[str],
    spec: SynthSpec | int,
    seed: int | None = None,
    *,
    fmt: str = "csv",
    force: bool = False,
    command: str | None = None,
    progress: Callable[[str], None] | None = None,
    **options: object,
) -> Path:
    """Write a synthetic case file to the folder ``out``; return its path.

    ``spec`` is what to draw (:class:`SynthSpec`), or the number of cases, with
    ``seed`` and any other field of :class:`SynthSpec` as keyword ``options``.
    The folder receives the tables (``*.csv``, or ``casefile.xlsx`` with ``fmt="xlsx"``),
    ``documents/``, ``truth.json``, ``SYNTHETIC`` and ``README.md``. Everything is
    written to a temporary sibling folder first and moved into place at the end, so an
    interrupted run leaves nothing half-written. ``command`` is recorded in truth.json
    (default: :meth:`SynthSpec.command`).

    Raises
    ------
    SynthError
        When ``out`` is not empty and ``force`` is not set, or when it holds anything
        other than an earlier output of this generator (even with ``force``).
    ParameterError
        For an impossible argument (no cases, a negative seed, an unknown format ...).
    """
    spec = _spec(spec, seed, options)
    writers = ("csv", "xlsx")
    if fmt not in writers:
        raise ParameterError(f"unknown format {fmt!r}; known formats: {', '.join(writers)}")
    out = Path(out)
    check_output(out, force)
    command = command or spec.command(out, fmt=fmt, force=force)
    with _no_cycle_collection():
        return _write(out, spec, fmt, force, command, progress)


def _write(
    out: Path,
    spec: SynthSpec,
    fmt: str,
    force: bool,
    command: str,
    progress: Callable[[str], None] | None,
) -> Path:
    """What :func:`write_synthetic_case_file` does once its arguments are checked."""
    asm, tables, truth = _run(spec, command, progress)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.synth-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; the result is an ordinary folder
    try:
        say = progress or (lambda _msg: None)

        def write_tables() -> None:
            say("writing tables")
            if fmt == "csv":
                for name, frame in tables.items():
                    frame.to_csv(
                        tmp / f"{name}.csv", index=False, lineterminator="\n", encoding="utf-8"
                    )
            else:
                write_xlsx(tmp / "casefile.xlsx", tables)

        say(f"writing {len(asm.docs):,} documents")
        # the tables are written while the documents' processes work (at 100,000 cases
        # the CSV files took 11 s with one core idle)
        identifiers, _ = _render(asm, tmp / "documents", progress, write_tables)
        truth["identifiers"] = identifier_truth(identifiers)
        write_truth(tmp / "truth.json", truth)
        (tmp / MARKER).write_text(
            f"{MARKER_TEXT}, seed {spec.seed}, {spec.n_cases} cases, cape-study {__version__}\n",
            encoding="utf-8",
        )
        (tmp / "README.md").write_text(readme(truth, fmt), encoding="utf-8")
        check_output(out, force)  # nothing else appeared while we were writing
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / out.name)
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    say(f"wrote {out}")
    return out


def synth_command(
    n_cases: int,
    seed: int,
    out: str | os.PathLike[str],
    *,
    fmt: str = "csv",
    force: bool = False,
    **options: object,
) -> str:
    """The ``cape-study synth`` command line that writes these data (recorded in
    truth.json): :meth:`SynthSpec.command` of ``SynthSpec(n_cases, seed, **options)``."""
    return SynthSpec(n_cases, seed, **options).command(out, fmt=fmt, force=force)  # type: ignore[arg-type]


def print_progress(message: str) -> None:
    """Progress messages on standard error (for the command line)."""
    print(f"synth: {message}", file=sys.stderr, flush=True)
