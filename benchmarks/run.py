"""The benchmark suite: the whole pipeline at 1,000, 10,000 and 100,000 cases, with targets.

In one go, on throw-away copies of the project (``pipeline.yaml``, ``notebooks/``,
``constraints.txt``) in a temporary folder:

a. *pipeline*: for each size, ``cape-study synth --cases N`` writes a synthetic CSV case
   file (100,000 cases: about 35 s and 1 GB of disk), then ``cape-study run --force -p
   case_file=...`` runs every step; the wall time of each step (as the runner reports
   it) and of the whole command are recorded, and the peak memory of the process tree
   (the runner and its kernels, resident set size summed over the processes, sampled
   every 0.1 s with psutil) while each step ran and over the whole run;
b. *overhead*: the runner against the same notebooks run as plain Python scripts, on
   the demo case file (``benchmarks/bench_pipeline.py``);
c. *noop*: ``cape-study run`` again at each size with nothing changed (every step
   cached), and the demo's no-op run from (b);
d. *jobs*: ``--jobs 2`` against ``--jobs 1`` on the largest size (100,000 cases; 10,000
   with ``--quick``; steps 01-04 are independent once 00_intake is done), for the whole
   run and for the part after intake;
e. *install*: ``make install`` in a fresh copy of the project (Makefile, pyproject.toml,
   constraints.txt, README.md, src/), twice: as the package cache is found, then again
   from the cache the first left warm (the target).

Targets on the project's 2-core machine (:data:`TARGETS`): ``make install`` from a warm
package cache under 20 s; 100,000 cases through the
whole pipeline in under 2 minutes and 4 GB; ``cape-study synth`` under 1 minute; time
from 10,000 to 100,000 cases growing no worse than linearly (ratio at most 12); ``--jobs
2`` at most 0.7 times the serial time after intake; a no-op re-run under 1 s; on the demo,
the runner at most 1.5 times plain scripts, the cold run at most 1.3 times its floor (a
kernel's start plus each step's imports) and each step within 2 s of its own floor
(issue 22). Every row has its CPU time (user plus system, with the kernels) beside
the wall time, which is what a busy machine changes.

Writes ``reports/benchmarks/results.csv`` (one row per measurement, with the load
average and CPU count at the time, so that a noisy run shows) and ``results.png``
(time per step against cases, log-log, with a linear reference and the targets) under
``--out`` (default: this checkout's ``reports/benchmarks``), and prints progress.

Usage::

    python benchmarks/run.py [--sizes 1000,10000,100000] [--quick] [--out DIR]
                             [--data DIR] [--check]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_pipeline

from cape_study.paths import project

SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
INTAKE = "00_intake"
SEED = 1

#: name -> (limit, how the figure compares with it)
TARGETS = {
    "pipeline_seconds": 120.0,  # the whole pipeline on 100,000 cases (issue 22)
    "pipeline_peak_mb": 4096.0,
    "scaling_ratio": 12.0,  # time(100,000) / time(10,000)
    "jobs_ratio": 0.7,  # --jobs 2 / --jobs 1 after intake
    "noop_seconds": 1.0,
    "overhead_ratio": bench_pipeline.COLD_RATIO_TARGET,
    "floor_ratio": bench_pipeline.FLOOR_RATIO_TARGET,  # demo cold run / sum of floors
    "floor_margin_seconds": bench_pipeline.FLOOR_MARGIN_S,  # each demo step over its floor
    "synth_seconds": 60.0,  # cape-study synth at 100,000 cases
    "install_seconds": 20.0,  # make install from a warm package cache
}
TARGET_SIZE = 100_000  # the size the pipeline targets are set for


@dataclass
class Row:
    """One measurement of ``results.csv``; ``target`` says what the figure is held to
    and ``met`` whether it is (blank: no target)."""

    benchmark: str
    size: int
    step: str
    seconds: float | None = None
    peak_mb: float | None = None
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    cpu_seconds: float | None = None
    load_avg: str = ""
    cpus: int | None = None
    note: str = ""


class RunFailed(RuntimeError):
    """A ``cape-study run`` that did not succeed (the message ends with its log)."""


@dataclass
class RunMeasure:
    """One ``cape-study run``: total wall time and peak memory, per step seconds and
    peak memory, when each step ended (seconds from the start), which steps executed."""

    seconds: float
    peak_mb: float
    steps: dict[str, float] = field(default_factory=dict)
    step_peak_mb: dict[str, float] = field(default_factory=dict)
    ended: dict[str, float] = field(default_factory=dict)
    executed: list[str] = field(default_factory=list)
    cpu_seconds: float | None = None


# -- pure parts: targets, rows, table, plot ---------------------------------------------
def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as ``"0.52 0.61 0.70"``."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def pipeline_rows(size: int, run: RunMeasure) -> list[Row]:
    """One row per step and one for the whole run; at :data:`TARGET_SIZE` the whole run
    is held to the time and memory targets."""
    rows = [
        Row("pipeline", size, step, seconds, run.step_peak_mb.get(step))
        for step, seconds in run.steps.items()
    ]
    total = Row("pipeline", size, "total", run.seconds, run.peak_mb, cpu_seconds=run.cpu_seconds)
    if size == TARGET_SIZE:
        limit_s, limit_mb = TARGETS["pipeline_seconds"], TARGETS["pipeline_peak_mb"]
        total.target = f"< {limit_s:g} s and < {limit_mb:g} MB"
        total.met = run.seconds < limit_s and run.peak_mb < limit_mb
    return [*rows, total]


def scaling_rows(
    runs: dict[int, RunMeasure], small: int = 10_000, large: int = 100_000
) -> list[Row]:
    """Time at ``large`` cases over time at ``small`` cases, for each step and the whole
    run; linear growth gives ``large / small`` (10), the target allows
    :data:`TARGETS` ``scaling_ratio``. Empty unless both sizes ran."""
    if small not in runs or large not in runs:
        return []
    a, b = runs[small], runs[large]
    limit = TARGETS["scaling_ratio"]
    pairs = [(step, a.steps[step], b.steps[step]) for step in b.steps if step in a.steps]
    pairs.append(("total", a.seconds, b.seconds))
    rows = []
    for step, t_small, t_large in pairs:
        ratio = t_large / t_small
        rows.append(
            Row(
                "scaling",
                large,
                step,
                t_large,
                ratio=round(ratio, 2),
                target=f"<= {limit:g} x",
                met=ratio <= limit,
                note=f"{t_small:.1f} s at {small:,} cases",
            )
        )
    return rows


def after_intake(run: RunMeasure) -> float:
    """Seconds of a run after its intake step ended (the part with independent steps)."""
    return run.seconds - run.ended.get(INTAKE, 0.0)


def jobs_rows(size: int, serial: RunMeasure, parallel: RunMeasure) -> list[Row]:
    """``--jobs 2`` over ``--jobs 1``: the whole run (no target: intake is one step) and
    the part after intake, held to :data:`TARGETS` ``jobs_ratio``."""
    limit = TARGETS["jobs_ratio"]
    whole = parallel.seconds / serial.seconds
    after = after_intake(parallel) / after_intake(serial)
    return [
        Row(
            "jobs",
            size,
            "total",
            parallel.seconds,
            parallel.peak_mb,
            ratio=round(whole, 3),
            note=f"--jobs 1: {serial.seconds:.1f} s",
        ),
        Row(
            "jobs",
            size,
            "after_intake",
            after_intake(parallel),
            ratio=round(after, 3),
            target=f"<= {limit:g} x",
            met=after <= limit,
            note=f"--jobs 1: {after_intake(serial):.1f} s",
        ),
    ]


def noop_row(size: int, run: RunMeasure, stamp: StampMeasure | None = None) -> Row:
    """A re-run with nothing changed: under :data:`TARGETS` ``noop_seconds``, and no
    step may execute. ``stamp`` (:func:`measure_stamp`, of the same case file) is said
    in the note: the part of a no-op no check that notices a file rewritten in place
    can skip."""
    limit = TARGETS["noop_seconds"]
    notes = [f"executed: {', '.join(run.executed)}"] if run.executed else []
    if stamp is not None:
        notes.append(
            f"stamp of the case file's {stamp.files:,} files alone: {stamp.seconds:.2f} s "
            f"({stamp.processes} processes; {stamp.started:.2f} s with Python's start)"
        )
    return Row(
        "noop",
        size,
        "total",
        run.seconds,
        run.peak_mb,
        target=f"< {limit:g} s",
        met=run.seconds < limit and not run.executed,
        cpu_seconds=run.cpu_seconds,
        note="; ".join(notes),
    )


@dataclass
class StampMeasure:
    """The runner's stamp of a case file (:func:`cape_study.runner.freshness.folder_stamp`,
    every file ``stat``'ed) timed alone in a new process: ``seconds`` inside it,
    ``started`` with the interpreter's start and imports, over ``files`` files, by
    ``processes`` processes."""

    seconds: float
    started: float
    files: int
    processes: int


#: Times folder_stamp on argv[1] in a process that imports nothing else of the library
#: (freshness needs the standard library only; the file system's caches are warm, as for
#: the no-op it follows); prints the stamp's seconds, the seconds spent counting the files
#: afterwards, the files and the processes the stamp used.
_STAMP_CODE = r"""
import sys, time
from cape_study.runner.freshness import _cpus, folder_stamp
start = time.perf_counter()
folder_stamp(sys.argv[1])
seconds = time.perf_counter() - start
from cape_study.runner.provenance import stamped_files  # the files the stamp reads
files = len(stamped_files(sys.argv[1]))
print(seconds, time.perf_counter() - start - seconds, files, min(_cpus(), 4))
"""


def measure_stamp(folder: Path) -> StampMeasure:
    """:class:`StampMeasure` of ``folder`` (the floor of a no-op re-run at its size: a
    run that notices a document rewritten in place must ``stat`` every file)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _STAMP_CODE, str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    total = time.perf_counter() - start
    seconds, counting, files, processes = done.stdout.split()
    return StampMeasure(float(seconds), total - float(counting), int(files), int(processes))


def overhead_rows(figures: dict) -> list[Row]:
    """Rows from ``bench_pipeline``'s ``pipeline.json``: the runner's cold run against
    plain scripts, and its no-op run, on the demo case file."""
    limit = TARGETS["overhead_ratio"]
    ratio = figures["cold_run_s"] / figures["plain_scripts_s"]
    noop = RunMeasure(
        figures["noop_run_s"],
        math.nan,
        executed=figures["noop_run_executed"],
        cpu_seconds=figures.get("noop_run_cpu_s"),
    )
    return [
        Row("overhead", 0, "plain_scripts", figures["plain_scripts_s"], note="demo case file"),
        Row(
            "overhead",
            0,
            "total",
            figures["cold_run_s"],
            ratio=round(ratio, 3),
            target=f"<= {limit:g} x plain scripts",
            met=ratio <= limit,
            cpu_seconds=figures.get("cold_run_cpu_s"),
            note="demo case file",
        ),
        noop_row(0, noop),
        *floor_rows(figures),
    ]


def floor_rows(figures: dict) -> list[Row]:
    """The demo's cold run against its floor (a kernel's start plus each step's imports,
    ``bench_pipeline``): each step within :data:`TARGETS` ``floor_margin_seconds`` of its
    own floor, the whole run within ``floor_ratio`` times the sum. Empty when the
    figures have no floors."""
    floors = figures.get("floor_per_step_s")
    if not floors:
        return []
    margin, limit = TARGETS["floor_margin_seconds"], TARGETS["floor_ratio"]
    steps = figures.get("cold_run_per_step_s", {})
    rows = [
        Row(
            "floor",
            0,
            step,
            steps.get(step),
            ratio=round(steps[step] - floor, 3) if step in steps else None,
            target=f"<= floor {floor:.2f} s + {margin:g} s",
            met=step in steps and steps[step] <= floor + margin,
            note="ratio column: seconds over the floor",
        )
        for step, floor in floors.items()
    ]
    total, cold = sum(floors.values()), figures["cold_run_s"]
    rows.append(
        Row(
            "floor",
            0,
            "total",
            cold,
            ratio=round(cold / total, 3),
            target=f"<= {limit:g} x floor {total:.2f} s",
            met=cold <= limit * total,
            note=f"kernel start {figures['kernel_start_s']:.2f} s per step",
        )
    )
    return rows


def write_results(rows: Iterable[Row], path: Path) -> Path:
    """Write the rows as CSV (figures rounded; blanks for what was not measured)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    names = [f.name for f in fields(Row)]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=names)
        writer.writeheader()
        for row in rows:
            values = asdict(row)
            for key in ("seconds", "peak_mb"):
                value = values[key]
                values[key] = "" if value is None or math.isnan(value) else round(value, 3)
            values["met"] = "" if row.met is None else str(row.met).lower()
            writer.writerow({k: "" if v is None else v for k, v in values.items()})
    return path


def plot_results(rows: Sequence[Row], path: Path) -> Path:
    """Time per step (and for the whole run) against the number of cases, log-log, with
    a linear reference through the whole run's smallest size and the time target."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pipeline = [r for r in rows if r.benchmark == "pipeline" and r.seconds]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    steps = list(dict.fromkeys(r.step for r in pipeline))
    for step in steps:
        points = sorted((r.size, r.seconds) for r in pipeline if r.step == step)
        style = {"color": "black", "linewidth": 2.5} if step == "total" else {}
        ax.plot(*zip(*points, strict=True), marker="o", label=step, **style)
    totals = sorted((r.size, r.seconds) for r in pipeline if r.step == "total")
    if totals:
        x0, y0 = totals[0]
        xs = [x0, max(max(r.size for r in pipeline), TARGET_SIZE)]
        ax.plot(xs, [y0 * x / x0 for x in xs], "k:", label="linear from the smallest run")
        ax.scatter(
            [TARGET_SIZE],
            [TARGETS["pipeline_seconds"]],
            marker="v",
            s=90,
            color="red",
            zorder=5,
            label=f"target: {TARGET_SIZE:,} cases < {TARGETS['pipeline_seconds']:g} s",
        )
        small = dict(totals).get(10_000)
        if small:
            ax.plot(
                [10_000, 100_000],
                [small, small * TARGETS["scaling_ratio"]],
                "r--",
                label=f"target: at most {TARGETS['scaling_ratio']:g} x from 10,000",
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("cases")
    ax.set_ylabel("wall time (s)")
    load = next((r.load_avg for r in rows if r.load_avg), "")
    ax.set_title(f"cape-study pipeline: time per step (load average {load})", fontsize=10)
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(True, which="both", alpha=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# -- measuring ------------------------------------------------------------------------
_LINE = re.compile(r"^\[(?P<step>[^\]]+)\] (?P<what>.*)$")
_RAN = re.compile(r"^ran in (?P<seconds>[\d.]+) s")


class _Tree:
    """Samples the resident memory of a process and its descendants every ``interval``
    seconds: the peak of the sum over the whole run, and over each step while it runs."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        import psutil

        self.process = psutil.Process(pid)
        self.interval = interval
        self.running: set[str] = set()
        self.peak = 0
        self.step_peak: dict[str, int] = {}
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> _Tree:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()

    def _rss(self) -> int:
        import psutil

        total = 0
        with contextlib.suppress(psutil.Error):
            for proc in [self.process, *self.process.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_info().rss
        return total

    def _poll(self) -> None:
        while not self.stopped.is_set():
            rss = self._rss()
            with self.lock:
                self.peak = max(self.peak, rss)
                for step in self.running:
                    self.step_peak[step] = max(self.step_peak.get(step, 0), rss)
            self.stopped.wait(self.interval)

    def step(self, name: str, running: bool) -> None:
        with self.lock:
            (self.running.add if running else self.running.discard)(name)
            if running:
                self.step_peak[name] = max(self.step_peak.get(name, 0), self._rss())


def measure_run(
    root: Path, args: Sequence[str], label: str, env: dict[str, str] | None = None
) -> RunMeasure:
    """Run ``cape-study run ARGS`` in the project at ``root``; return its wall time,
    peak memory and per-step figures. Progress lines are printed with ``label``."""
    env = {**os.environ, **(env or {}), "CAPE_STUDY_ROOT": str(root), "MPLBACKEND": "Agg"}
    command = [sys.executable, "-m", "cape_study.cli", "run", *args]
    cpu, start = bench_pipeline.cpu_seconds(), time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=root, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    with _Tree(proc.pid) as tree:
        steps: dict[str, float] = {}
        ended: dict[str, float] = {}
        executed: list[str] = []
        log: list[str] = []
        assert proc.stderr is not None
        for line in proc.stderr:
            log.append(line)
            match = _LINE.match(line.rstrip())
            if not match:
                continue
            step, what = match["step"], match["what"]
            elapsed = time.perf_counter() - start
            if what.startswith("running"):
                executed.append(step)
                tree.step(step, True)
                print(f"  [{label}] {step} at {elapsed:.1f} s: {what}", flush=True)
            elif not what.startswith("cell"):
                tree.step(step, False)
                ended[step] = elapsed
                ran = _RAN.match(what)
                if ran:
                    steps[step] = float(ran["seconds"])
                peak = tree.step_peak.get(step, 0) / 2**20
                print(f"  [{label}] {step}: {what} (peak {peak:,.0f} MB)", flush=True)
        code = proc.wait()
        seconds = time.perf_counter() - start
    if code != 0:
        raise RunFailed(f"{' '.join(command)} failed ({code}):\n{''.join(log[-40:])}")
    return RunMeasure(
        seconds=seconds,
        peak_mb=tree.peak / 2**20,
        steps=steps,
        step_peak_mb={s: v / 2**20 for s, v in tree.step_peak.items()},
        ended=ended,
        executed=executed,
        cpu_seconds=bench_pipeline.cpu_seconds() - cpu,
    )


def measure_noop(root: Path, params: Sequence[str], label: str, attempts: int = 3) -> RunMeasure:
    """A re-run with nothing changed. If a step executed (the library was edited
    meanwhile, say, by someone working in the same checkout), it is measured again, up
    to ``attempts`` times."""
    for attempt in range(1, attempts + 1):
        run = measure_run(root, params, label)
        if not run.executed:
            break
        print(f"  [{label}] attempt {attempt} executed {run.executed}: again", flush=True)
    return run


def synthesise(size: int, folder: Path) -> tuple[Path, Row | None]:
    """A synthetic CSV case file of ``size`` cases in ``folder`` (reused if one is there),
    and a row timing ``cape-study synth`` (None when reused)."""
    out = folder / f"cases_{size}"
    if (out / "cases.csv").is_file() and (out / "README.md").is_file():
        print(f"reusing {out}", flush=True)
        return out, None
    print(f"synthesising {size:,} cases into {out} ...", flush=True)
    command = [sys.executable, "-m", "cape_study.cli", "synth", "--cases", str(size)]
    command += ["--seed", str(SEED), "--out", str(out), "--format", "csv", "--force"]
    cpu, start = bench_pipeline.cpu_seconds(), time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    with _Tree(proc.pid, interval=0.25) as tree:
        code = proc.wait()
        seconds = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"cape-study synth --cases {size} failed ({code})")
    print(f"  synthesised in {seconds:.1f} s", flush=True)
    row = Row("synth", size, "total", seconds, tree.peak / 2**20)
    row.cpu_seconds = bench_pipeline.cpu_seconds() - cpu
    if size == TARGET_SIZE:
        row.target = f"< {TARGETS['synth_seconds']:g} s"
        row.met = seconds < TARGETS["synth_seconds"]
    return out, row


_INSTALL_FILES = ("Makefile", "pyproject.toml", "constraints.txt", "README.md")


def install_rows(work: Path) -> list[Row]:
    """``make install`` in a fresh copy of the project, twice (the second from the package
    cache the first left warm, without the first's .venv): the second is held to
    :data:`TARGETS` ``install_seconds``."""
    repo = project().root
    root = work / "project_install"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    for name in _INSTALL_FILES:
        shutil.copy(repo / name, root / name)
    shutil.copytree(repo / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    rows = []
    try:
        for attempt, what in enumerate(("as the cache was found", "warm package cache")):
            shutil.rmtree(root / ".venv", ignore_errors=True)
            print(f"make install ({what}, load {load_average()}) ...", flush=True)
            cpu, start = bench_pipeline.cpu_seconds(), time.perf_counter()
            done = subprocess.run(["make", "install"], cwd=root, env=env, capture_output=True)
            seconds = time.perf_counter() - start
            row = Row("install", 0, "make_install", seconds, note=what)
            row.cpu_seconds = bench_pipeline.cpu_seconds() - cpu
            if done.returncode != 0:
                row.note = f"failed: {done.stderr.decode(errors='replace').strip()[-200:]}"
                row.target, row.met = f"< {TARGETS['install_seconds']:g} s", False
                rows.append(row)
                break
            if attempt == 1:
                row.target = f"< {TARGETS['install_seconds']:g} s"
                row.met = seconds < TARGETS["install_seconds"]
            print(f"  installed in {seconds:.1f} s", flush=True)
            rows.append(row)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return rows


def throwaway_project(base: Path, name: str, demo: bool = False) -> Path:
    """A project at ``base/name`` with this checkout's pipeline, notebooks and
    constraints (and the demo case file if ``demo``)."""
    repo = project()
    root = base / name
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    for file in ("pipeline.yaml", "constraints.txt", "pyproject.toml"):
        shutil.copy(repo.root / file, root / file)
    shutil.copytree(repo.notebooks, root / "notebooks")
    if demo:
        shutil.copytree(repo.demo_case_file, root / "data" / "raw" / "demo")
    return root


@contextlib.contextmanager
def _workspace(data: Path | None) -> Iterator[tuple[Path, Path]]:
    """(projects, case files): a temporary folder, removed at the end; case files go in
    ``data`` instead when it is given (kept, and reused by the next run)."""
    tmp = Path(tempfile.mkdtemp(prefix="cape-bench-"))
    try:
        yield tmp, data or tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _stamp(rows: list[Row]) -> list[Row]:
    load, cpus = load_average(), os.cpu_count()
    for row in rows:
        row.load_avg, row.cpus = row.load_avg or load, row.cpus or cpus
    return rows


def _measure_size(
    size: int,
    work: Path,
    data: Path,
    remove: bool,
    skip: set[str],
    runs: dict[int, RunMeasure],
    rows: list[Row],
    jobs: bool = False,
) -> None:
    """The pipeline, its no-op re-run and (with ``jobs``) ``--jobs 2`` on ``size`` cases,
    added to ``rows`` as they are measured; the serial run is kept in ``runs``."""
    case_file, synth_row = synthesise(size, data)
    rows += _stamp([synth_row] if synth_row else [])
    try:
        root = throwaway_project(work, f"project_{size}")
        params = ["-p", f"case_file={case_file}"]
        print(f"pipeline on {size:,} cases (load {load_average()}) ...", flush=True)
        runs[size] = measure_run(root, [*params, "--force"], f"{size:,}")
        rows += _stamp(pipeline_rows(size, runs[size]))
        print(f"  whole run {runs[size].seconds:.1f} s, peak {runs[size].peak_mb:,.0f} MB")
        if "noop" not in skip:
            noop = measure_noop(root, params, f"{size:,} no-op")
            stamp = measure_stamp(case_file)
            rows += _stamp([noop_row(size, noop, stamp)])
            print(
                f"  no-op re-run {noop.seconds:.2f} s (stamp of its {stamp.files:,} files "
                f"alone {stamp.seconds:.2f} s)",
                flush=True,
            )
        if jobs and "jobs" not in skip:
            print(f"--jobs 2 on {size:,} cases (load {load_average()}) ...", flush=True)
            parallel = measure_run(root, [*params, "--force", "--jobs", "2"], "jobs 2")
            rows += _stamp(jobs_rows(size, runs[size], parallel))
            print(f"  --jobs 2: {parallel.seconds:.1f} s against {runs[size].seconds:.1f} s")
    finally:
        shutil.rmtree(work / f"project_{size}", ignore_errors=True)
        if remove:
            shutil.rmtree(case_file, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=lambda text: tuple(int(x.replace("_", "")) for x in text.split(",")),
        default=SIZES,
        help="comma-separated numbers of cases (default 1000,10000,100000)",
    )
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 cases only")
    parser.add_argument("--out", type=Path, help="folder for results.csv and results.png")
    parser.add_argument("--data", type=Path, help="keep (and reuse) the case files here")
    parser.add_argument("--skip", default="", help="comma-separated: overhead, noop, jobs, install")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    sizes = sorted(QUICK_SIZES if args.quick else args.sizes)
    skip = {s for s in args.skip.split(",") if s}
    out = args.out or project().benchmark_reports
    rows: list[Row] = []
    runs: dict[int, RunMeasure] = {}
    started = time.perf_counter()
    with _workspace(args.data) as (work, data):
        for size in sizes:
            try:
                largest = size == sizes[-1]
                _measure_size(size, work, data, args.data is None, skip, runs, rows, largest)
            except RunFailed as exc:  # recorded, and the other sizes still run
                print(f"FAILED at {size:,} cases: {exc}", flush=True)
                rows += _stamp([Row("pipeline", size, "total", note=str(exc).splitlines()[0])])
        rows += _stamp(scaling_rows(runs))
        if "install" not in skip:
            rows += _stamp(install_rows(work))
        if "overhead" not in skip:
            print(f"runner against plain scripts, demo case file (load {load_average()}) ...")
            root = throwaway_project(work, "project_demo", demo=True)
            bench_pipeline.main(["--root", str(root)])
            figures = json.loads((root / "reports" / "benchmarks" / "pipeline.json").read_text())
            rows += _stamp(overhead_rows(figures))
    csv_path = write_results(rows, out / "results.csv")
    png_path = plot_results(rows, out / "results.png")
    print(
        f"\n{'benchmark':<9} {'size':>7} {'step':<15} {'seconds':>8} {'CPU s':>8} "
        f"{'peak MB':>8}  target"
    )
    for r in rows:
        seconds = "" if r.seconds is None else f"{r.seconds:8.2f}"
        cpu = "" if r.cpu_seconds is None else f"{r.cpu_seconds:8.2f}"
        peak = "" if r.peak_mb is None or math.isnan(r.peak_mb) else f"{r.peak_mb:8.0f}"
        verdict = "" if r.met is None else ("ok" if r.met else "MISSED")
        ratio = "" if r.ratio is None else f"ratio {r.ratio:g} "
        print(
            f"{r.benchmark:<9} {r.size:>7} {r.step:<15} {seconds:>8} {cpu:>8} {peak:>8}  "
            f"{ratio}{r.target} {verdict}"
        )
    print(f"done in {time.perf_counter() - started:.0f} s; wrote {csv_path} and {png_path}")
    missed = [r for r in rows if r.met is False]
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
