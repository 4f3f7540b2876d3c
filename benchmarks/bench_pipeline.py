"""Benchmark the pipeline runner against the same notebooks run as plain Python scripts.

Three timings, in this order, on the project at ``--root`` (default: this checkout):

1. *plain scripts*: each step's notebook, with its resolved parameters injected after
   the parameters cell (as the runner does), converted by nbconvert to a Python script
   and run with ``python`` from the project root, one after the other in pipeline order;
2. *cold run*: ``cape-study run --force`` (every step executed in a kernel, HTML
   rendered, report and manifest written);
3. *no-op run*: ``cape-study run`` again, with nothing changed (every step cached);
4. *floor*: what no step can go below: starting a kernel (measured once) plus running
   the step's imports alone (its notebook's ``import`` lines as a script);
5. *disclosure*: the whole-report attack on the cold run's registries of linked tables
   (``data/processed/disclosure*.json``): CPU seconds of ``Disclosure.verify`` (whether
   any small hidden cell can be narrowed, as 00 and 01 check at their end) and of the
   exact attack (both bounds of every small hidden cell, as ``tests/test_linked.py``
   does), with the number of tables, cells and hidden cells attacked.

Targets: a cold run within 1.5 times the plain-script time and within 1.3 times the sum
of the floors, every step within 2 s of its own floor; a no-op run under 1 s. Each
figure is wall time; CPU time (user plus system, of the command and the processes it
waited for) is recorded beside it, since wall time means little on a busy machine.
The figures are printed and written to ``reports/benchmarks/pipeline.json`` under the
root. The run replaces the project's report and cache like ``make report`` does, except
where the root holds a published report already (a checkout after ``make report``): then
it runs on a throw-away copy of the project (settings, notebooks, raw case files), as
intake run as a plain script may not replace a published processed case file.
Everything runs with one thread per numerical library unless the environment sets it
(``paths.SINGLE_THREAD_ENV``), as in the kernels of ``cape-study run``.

Usage::

    python benchmarks/bench_pipeline.py [--root DIR] [--jobs N] [--check]
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import math
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cape_study.paths import SINGLE_THREAD_ENV, ProjectPaths, project, writes_into_published
from cape_study.privacy.disclosure import Disclosure
from cape_study.privacy.linked import feasible_intervals
from cape_study.runner.execution import KERNEL
from cape_study.runner.spec import load_pipeline, resolve_parameters

COLD_RATIO_TARGET = 1.5
FLOOR_RATIO_TARGET = 1.3  # the cold run against the sum of the steps' floors
FLOOR_MARGIN_S = 2.0  # each step against its own floor
NOOP_TARGET_S = 1.0
_RAN = re.compile(r"^\[(?P<step>\S+)\] ran in (?P<seconds>[\d.]+) s", flags=re.M)
_KERNEL_START = """
import time
from jupyter_client.manager import start_new_kernel
start = time.perf_counter()
km, kc = start_new_kernel(kernel_name={kernel!r})
print(time.perf_counter() - start)
kc.stop_channels()
km.shutdown_kernel(now=True)
"""


def notebook_to_script(notebook: Path, parameters: dict, out: Path) -> Path:
    """Write ``notebook`` as a plain Python script with ``parameters`` injected.

    IPython magics (``get_ipython()`` lines) are dropped; ``display`` is imported so
    that cells which display results still run outside a kernel (they print).
    """
    from nbconvert import PythonExporter
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(notebook))
    nb = parameterize_notebook(nb, dict(parameters), kernel_name="python3", language="python")
    source, _ = PythonExporter().from_notebook_node(nb)
    lines = [line for line in source.splitlines() if not re.match(r"\s*get_ipython\(\)", line)]
    out.write_text(
        "from IPython.display import display\n" + "\n".join(lines) + "\n", encoding="utf-8"
    )
    return out


def imports_only(script: Path, out: Path) -> Path:
    """The top-level ``import`` lines of ``script`` (as :func:`notebook_to_script` writes
    it), alone: what a step imports before it does any work."""
    text = script.read_text(encoding="utf-8")
    # whole statements, so that an import over several lines (``from x import (`` ...
    # ``)``) is kept whole
    statements = [
        ast.get_source_segment(text, node)
        for node in ast.parse(text).body
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    out.write_text("\n".join(statements) + "\n", encoding="utf-8")
    return out


def cpu_seconds() -> float:
    """User plus system CPU time of the processes this one has waited for, so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    """Wall-clock seconds of a command, and its standard error."""
    return timed_cpu(command, cwd, env)[::2]


def timed_cpu(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall-clock seconds of a command, its CPU seconds (:func:`cpu_seconds`: with the
    kernels it started and waited for), and its standard error."""
    cpu, start = cpu_seconds(), time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return seconds, cpu_seconds() - cpu, done.stderr


def disclosure_figures(registries: list[Path], threshold: int) -> dict:
    """CPU seconds of the whole-report attack on ``registries`` (see the module)."""
    report = Disclosure(earlier=registries)
    linked = list(report._linked.values())
    cpu = time.process_time()
    report.verify(threshold=threshold)
    verify = time.process_time() - cpu
    cpu = time.process_time()
    for unit in dict.fromkeys(t.unit for t in linked):
        feasible_intervals([t for t in linked if t.unit == unit], report._dimensions, threshold)
    exact = time.process_time() - cpu
    return {
        "tables": len(linked),
        "cells": sum(len(t.cells) for t in linked),
        "hidden": sum(int(t.hidden().sum()) for t in linked),
        "small_hidden": sum(int(t.small.sum()) for t in linked),
        "verify_cpu_s": round(verify, 3),
        "exact_attack_cpu_s": round(exact, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, help="project root (default: this checkout)")
    parser.add_argument("--jobs", type=int, default=1, help="--jobs for cape-study run")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    paths = project(args.root)
    out = paths.benchmark_reports / "pipeline.json"
    if writes_into_published(paths.data_processed):
        # the plain scripts' intake may not replace a published report's processed case
        # file (nor should a benchmark change the report): measured on a copy
        with tempfile.TemporaryDirectory(prefix="cape-bench-project-") as tmp:
            copy = copy_project(paths.root, Path(tmp) / "project")
            print(f"{paths.root} holds a published report: measuring on a copy in {copy}")
            return _bench(project(copy), args, out)
    return _bench(paths, args, out)


def copy_project(root: Path, into: Path) -> Path:
    """What a run of the pipeline reads of the project at ``root``, copied to ``into``
    (its settings, notebooks and raw case files; no report, processed data or cache)."""
    into.mkdir(parents=True)
    for name in ("pipeline.yaml", "constraints.txt", "pyproject.toml"):
        if (root / name).is_file():
            shutil.copy(root / name, into / name)
    shutil.copytree(root / "notebooks", into / "notebooks")
    if (root / "data" / "raw").is_dir():
        shutil.copytree(root / "data" / "raw", into / "data" / "raw")
    return into


def _bench(paths: ProjectPaths, args: argparse.Namespace, out: Path) -> int:
    """The benchmark on the project at ``paths``; the figures are written to ``out``."""
    root = paths.root
    # one thread per numerical library unless the environment sets it, as in the kernels
    # of cape-study run (paths.SINGLE_THREAD_ENV): the plain scripts and the floor's
    # imports are compared with the steps run there
    env = {**SINGLE_THREAD_ENV, **os.environ, "CAPE_STUDY_ROOT": str(root), "MPLBACKEND": "Agg"}
    steps = load_pipeline(paths.pipeline_file)
    parameters = resolve_parameters(steps, root)

    per_step: dict[str, float] = {}
    floor_imports: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="cape-bench-") as tmp:
        started = subprocess.run(
            [sys.executable, "-c", _KERNEL_START.format(kernel=KERNEL)],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        kernel_start = float(started.stdout.split()[-1])
        for name, step in steps.steps.items():
            script = notebook_to_script(
                root / step.notebook, parameters[name], Path(tmp) / f"{name}.py"
            )
            per_step[name] = timed([sys.executable, str(script)], root, env)[0]
            imports = imports_only(script, Path(tmp) / f"{name}_imports.py")
            floor_imports[name] = timed([sys.executable, str(imports)], root, env)[0]
    floors = {name: kernel_start + seconds for name, seconds in floor_imports.items()}
    plain = sum(per_step.values())
    run = [sys.executable, "-m", "cape_study.cli", "run", "--jobs", str(args.jobs)]
    cold, cold_cpu, cold_log = timed_cpu([*run, "--force"], root, env)
    cold_steps = {m["step"]: float(m["seconds"]) for m in _RAN.finditer(cold_log)}
    # A no-op run executes nothing; if a file changed meanwhile (the library is being
    # edited, say), a step re-runs and the figure would not be a no-op: measure again.
    for attempt in range(1, 4):
        noop, noop_cpu, log = timed_cpu(run, root, env)
        executed = sorted(set(re.findall(r"^\[(\S+)\] running", log, flags=re.M)))
        if not executed:
            break
        print(
            f"no-op run {attempt} executed {executed} (something changed); again", file=sys.stderr
        )

    threshold = int(parameters.get("01_attrition", {}).get("min_cell_count", 5))
    registries = sorted(paths.data_processed.glob("disclosure*.json"))
    disclosure = disclosure_figures(registries, threshold)

    figures = {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "root": str(root),
        "steps": list(steps.steps),
        "jobs": args.jobs,
        "plain_scripts_s": round(plain, 3),
        "plain_scripts_per_step_s": {k: round(v, 3) for k, v in per_step.items()},
        "cold_run_s": round(cold, 3),
        "cold_run_cpu_s": round(cold_cpu, 3),
        "cold_run_per_step_s": cold_steps,
        "kernel_start_s": round(kernel_start, 3),
        "floor_per_step_s": {k: round(v, 3) for k, v in floors.items()},
        "floor_s": round(sum(floors.values()), 3),
        "noop_run_s": round(noop, 3),
        "noop_run_cpu_s": round(noop_cpu, 3),
        "noop_run_executed": executed,
        "disclosure": disclosure,
        "cold_to_scripts_ratio": round(cold / plain, 3),
        "targets": {
            "cold_to_scripts_ratio_max": COLD_RATIO_TARGET,
            "cold_to_floor_ratio_max": FLOOR_RATIO_TARGET,
            "step_over_floor_s_max": FLOOR_MARGIN_S,
            "noop_run_s_max": NOOP_TARGET_S,
        },
        "met": {
            "cold": cold <= COLD_RATIO_TARGET * plain,
            "floor": cold <= FLOOR_RATIO_TARGET * sum(floors.values()),
            "steps_floor": all(
                cold_steps.get(k, math.inf) <= v + FLOOR_MARGIN_S for k, v in floors.items()
            ),
            "noop": noop < NOOP_TARGET_S and not executed,
        },
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")

    print(f"steps:                {', '.join(figures['steps'])}")
    print(
        f"disclosure attack:    {disclosure['tables']} linked tables, {disclosure['cells']} "
        f"cells, {disclosure['hidden']} hidden: verify {disclosure['verify_cpu_s']} CPU s, "
        f"exact bounds {disclosure['exact_attack_cpu_s']} CPU s"
    )
    print(f"plain scripts:        {plain:7.2f} s")
    print(
        f"cold run (--force):   {cold:7.2f} s  = {cold / plain:.2f} x plain "
        f"(target <= {COLD_RATIO_TARGET}) {'ok' if figures['met']['cold'] else 'MISSED'}"
    )
    floor = sum(floors.values())
    print(
        f"floor (kernel+imports): {floor:5.2f} s  cold = {cold / floor:.2f} x floor "
        f"(target <= {FLOOR_RATIO_TARGET}) {'ok' if figures['met']['floor'] else 'MISSED'}"
    )
    print(
        f"no-op re-run:         {noop:7.2f} s  (target < {NOOP_TARGET_S} s) "
        f"{'ok' if figures['met']['noop'] else 'MISSED'}"
    )
    print(f"wrote {out}")
    return 1 if args.check and not all(figures["met"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
