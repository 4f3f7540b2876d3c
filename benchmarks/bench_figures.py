"""What exporting the figures costs each step on the demo (issue 22: PNG at 300 dpi and
SVG of every figure on every run).

Each step's notebook runs as a plain Python script (``bench_pipeline.notebook_to_script``,
parameters from pipeline.yaml, from the project root, so its exports go to
``reports/lab/``) with ``Figure.savefig`` timed by format; run twice, the second run
shows what the figure cache (``.cache/figures/``) saves when a step's figures come out
the same as before. Prints, per step, the figures, seconds of PNG and of SVG (wall and
CPU), and writes them to ``reports/benchmarks/figures.json``.

Usage::

    python benchmarks/bench_figures.py [--root DIR] [--steps 01_attrition,...] [--runs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_pipeline import notebook_to_script

from cape_study.paths import project
from cape_study.runner.spec import load_pipeline, resolve_parameters

_TIMER = """
import atexit as _atexit, json as _json, time as _time
import matplotlib.figure as _figure
_times = {}
_savefig = _figure.Figure.savefig
def _timed(self, *args, **kwargs):
    fmt = kwargs.get("format") or str(args[0]).rsplit(".", 1)[-1]
    wall, cpu = _time.perf_counter(), _time.process_time()
    try:
        return _savefig(self, *args, **kwargs)
    finally:
        row = _times.setdefault(fmt, [0, 0.0, 0.0])
        row[0] += 1
        row[1] += _time.perf_counter() - wall
        row[2] += _time.process_time() - cpu
_figure.Figure.savefig = _timed
_atexit.register(lambda: print("FIGURE-TIMES " + _json.dumps(_times)))
"""


def step_times(root: Path, notebook: Path, parameters: dict, scratch: Path) -> dict:
    """``{format: [figures, wall s, CPU s]}`` of one run of a step's savefig calls."""
    script = notebook_to_script(root / notebook, parameters, scratch / f"{notebook.stem}.py")
    script.write_text(_TIMER + script.read_text(encoding="utf-8"), encoding="utf-8")
    env = {**os.environ, "CAPE_STUDY_ROOT": str(root), "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [sys.executable, str(script)], cwd=root, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"{notebook} failed:\n{done.stderr[-3000:]}")
    line = next(x for x in done.stdout.splitlines() if x.startswith("FIGURE-TIMES "))
    return json.loads(line.removeprefix("FIGURE-TIMES "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=None)
    parser.add_argument(
        "--steps", default="00_intake,01_attrition,02_barriers,03_models,04_text_coding"
    )
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    paths = project(args.root)
    pipeline = load_pipeline(paths.pipeline_file)
    parameters = resolve_parameters(pipeline, paths.root)
    results: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(args.runs):
            for name in args.steps.split(","):
                notebook = Path(pipeline.steps[name].notebook)
                times = step_times(paths.root, notebook, parameters[name], Path(scratch))
                results.setdefault(name, []).append(times)
                cells = "  ".join(
                    f"{fmt}: {n} in {wall:.2f} s ({cpu:.2f} CPU s)"
                    for fmt, (n, wall, cpu) in sorted(times.items())
                )
                print(f"run {run + 1}  {name:16s} {cells}", flush=True)
    out = paths.benchmark_reports / "figures.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
