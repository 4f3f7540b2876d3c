"""CPU seconds of each step's cells, without a kernel, to find what a step spends above
its floor (issue 22).

Each step's notebook is turned into a script with its resolved parameters
(``bench_pipeline.notebook_to_script``) and run cell by cell in this process (one
process per step), with IPython's inline backend as in a kernel, so that showing a
figure costs what it costs there, and with one thread per numerical library unless the
environment sets it, as there (``paths.SINGLE_THREAD_ENV``). It runs on a copy of the
project in a temporary folder (``pipeline.yaml``, ``notebooks/``, ``data/raw/``, the
processed case file and the caches ``.cache/results`` and ``.cache/figures`` unless
``--cold``), so that the published report and processed data are left as they are.
Prints per step the CPU seconds of each cell above ``--min`` and in all, and of showing
figures (``plt.show``) and writing them (``Figure.savefig`` and the steps'
``write_figure``); ``--profile DIR`` also
writes a cProfile file per step.

Usage::

    python benchmarks/profile_steps.py [--root DIR] [--steps 01_attrition,...] [--cold]
        [--min 0.3] [--profile DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_pipeline import notebook_to_script

from cape_study.paths import SINGLE_THREAD_ENV, project
from cape_study.runner.spec import load_pipeline, resolve_parameters

#: Runs one step's script cell by cell; prints a JSON line of its CPU seconds.
_RUNNER = r"""
import cProfile, json, os, re, sys, time
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
shell.enable_gui = lambda gui=None: None
shell.display_pub.publish = lambda data, metadata=None, **kw: None
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
import matplotlib.figure, matplotlib.pyplot
spent = {"show": 0.0, "savefig": 0.0, "write": 0.0}
def timed(name, function):
    def run(*args, **kwargs):
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] += time.process_time() - start
    return run
matplotlib.pyplot.show = timed("show", matplotlib.pyplot.show)
matplotlib.figure.Figure.savefig = timed("savefig", matplotlib.figure.Figure.savefig)
script, out = sys.argv[1], sys.argv[2]
cells = re.split(r"^# In\[ \]:\s*$", open(script, encoding="utf-8").read(), flags=re.M)
namespace = {"__name__": "__main__"}
profile = cProfile.Profile()
times = []
for number, cell in enumerate(cells):
    start = time.process_time()
    if out:
        profile.enable()
    exec(compile(cell, f"{script}:cell{number}", "exec"), namespace)
    if out:
        profile.disable()
    times.append(round(time.process_time() - start, 3))
    # the figure files: write_figure draws without savefig; timed once the step imported it
    module = sys.modules.get("cape_study.notebook")
    if module is not None and not hasattr(module.write_figure, "timed"):
        module.write_figure = timed("write", module.write_figure)
        module.write_figure.timed = True
if out:
    profile.dump_stats(out)
print(json.dumps({"cells": times, "show": round(spent["show"], 3),
                  "written": round(spent["savefig"] + spent["write"], 3)}))
"""


def copy_project(root: Path, into: Path, *, cold: bool) -> None:
    """What the steps read, copied to ``into`` (links followed)."""
    for name in ("pipeline.yaml", "pyproject.toml"):
        if (root / name).is_file():
            shutil.copy(root / name, into / name)
    shutil.copytree(root / "notebooks", into / "notebooks")
    if (root / "data" / "raw").is_dir():  # a case file elsewhere is given by -p case_file
        shutil.copytree(root / "data" / "raw", into / "data" / "raw", symlinks=False)
    if (root / "data" / "processed").exists():
        shutil.copytree(root / "data" / "processed", into / "data" / "processed")
    for cache in () if cold else ("results", "figures"):
        if (root / ".cache" / cache).is_dir():
            shutil.copytree(root / ".cache" / cache, into / ".cache" / cache)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, help="project root (default: this checkout)")
    parser.add_argument("--steps", help="comma-separated steps (default: all, in order)")
    parser.add_argument("--cold", action="store_true", help="without the result caches")
    parser.add_argument("--min", type=float, default=0.3, help="cells shown from this CPU s")
    parser.add_argument("--profile", type=Path, help="write <step>.prof files here")
    args = parser.parse_args(argv)
    paths = project(args.root)
    steps = load_pipeline(paths.pipeline_file)
    parameters = resolve_parameters(steps, paths.root)
    chosen = args.steps.split(",") if args.steps else list(steps.steps)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cape-profile-") as tmp:
        copy = Path(tmp) / "project"
        copy.mkdir()
        copy_project(paths.root, copy, cold=args.cold)
        # one thread per numerical library unless the environment sets it, as in the
        # kernels of cape-study run (paths.SINGLE_THREAD_ENV): with two OpenBLAS threads
        # 04_text_coding's cross-validation took twice the CPU time it takes there
        env = {**SINGLE_THREAD_ENV, **os.environ, "CAPE_STUDY_ROOT": str(copy)}
        for name in chosen:
            script = notebook_to_script(
                copy / steps.steps[name].notebook, parameters[name], Path(tmp) / f"{name}.py"
            )
            out = str(args.profile.resolve() / f"{name}.prof") if args.profile else ""
            done = subprocess.run(
                [sys.executable, "-c", _RUNNER, str(script), out],
                cwd=copy,
                env=env,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise SystemExit(f"{name} failed:\n{done.stderr[-3000:]}")
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            cells = figures["cells"]
            slow = ", ".join(
                f"cell {i} {s:.2f}" for i, s in enumerate(cells) if s >= args.min and i
            )
            print(
                f"{name}: {sum(cells):6.2f} CPU s; figures shown {figures['show']:.2f}, "
                f"written {figures['written']:.2f}; {slow}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
