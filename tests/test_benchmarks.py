"""The benchmark suite's pure parts (benchmarks/run.py): targets, rows, table and plot,
with made-up timings. Nothing here is timed."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    path = REPO / "benchmarks" / "run.py"
    spec = importlib.util.spec_from_file_location("cape_bench_run", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def measure(bench, seconds, peak, steps, intake_end=None, executed=None):
    return bench.RunMeasure(
        seconds=seconds,
        peak_mb=peak,
        steps=steps,
        step_peak_mb={s: peak / 2 for s in steps},
        ended={"00_intake": intake_end if intake_end is not None else steps["00_intake"]},
        executed=list(steps) if executed is None else executed,
    )


def test_pipeline_targets_apply_at_100000_cases_only(bench):
    steps = {"00_intake": 60.0, "04_text_coding": 100.0}
    fast = bench.pipeline_rows(100_000, measure(bench, 110.0, 3000.0, steps))
    assert [r.step for r in fast] == ["00_intake", "04_text_coding", "total"]
    assert fast[-1].met is True and "120" in fast[-1].target
    assert fast[0].peak_mb == 1500.0 and fast[0].met is None
    # too slow, or too much memory, misses
    assert bench.pipeline_rows(100_000, measure(bench, 121.0, 3000.0, steps))[-1].met is False
    assert bench.pipeline_rows(100_000, measure(bench, 100.0, 4097.0, steps))[-1].met is False
    small = bench.pipeline_rows(1_000, measure(bench, 500.0, 9000.0, steps))
    assert small[-1].met is None and small[-1].target == ""


def test_scaling_ratio_per_step_and_total(bench):
    runs = {
        10_000: measure(bench, 20.0, 1, {"00_intake": 5.0, "04_text_coding": 10.0}),
        100_000: measure(bench, 230.0, 1, {"00_intake": 50.0, "04_text_coding": 130.0}),
    }
    rows = {r.step: r for r in bench.scaling_rows(runs)}
    assert rows["00_intake"].ratio == 10.0 and rows["00_intake"].met is True
    assert rows["04_text_coding"].ratio == 13.0 and rows["04_text_coding"].met is False
    assert rows["total"].ratio == 11.5 and rows["total"].met is True
    assert all(r.size == 100_000 for r in rows.values())
    # without both sizes there is nothing to compare
    assert bench.scaling_rows({10_000: runs[10_000]}) == []


def test_jobs_ratio_is_held_to_its_target_after_intake(bench):
    steps = {"00_intake": 10.0}
    serial = measure(bench, 50.0, 1, steps, intake_end=12.0)  # 38 s after intake
    parallel = measure(bench, 38.0, 1, steps, intake_end=12.0)  # 26 s after intake
    whole, after = bench.jobs_rows(10_000, serial, parallel)
    assert whole.ratio == pytest.approx(0.76) and whole.met is None
    assert after.step == "after_intake" and after.seconds == 26.0
    assert after.ratio == pytest.approx(26 / 38, abs=1e-3) and after.met is True
    slow = measure(bench, 45.0, 1, steps, intake_end=12.0)  # 33 / 38 = 0.87
    assert bench.jobs_rows(10_000, serial, slow)[1].met is False


def test_noop_fails_when_slow_or_when_a_step_executed(bench):
    quick = measure(bench, 0.4, 100.0, {"00_intake": 0.0}, executed=[])
    assert bench.noop_row(1_000, quick).met is True
    assert bench.noop_row(1_000, measure(bench, 1.2, 1, {"00_intake": 0}, executed=[])).met is False
    reran = measure(bench, 0.5, 1, {"00_intake": 0.0}, executed=["00_intake"])
    row = bench.noop_row(1_000, reran)
    assert row.met is False and "00_intake" in row.note


def test_noop_row_says_what_the_stamp_of_the_case_file_alone_took(bench, tmp_path):
    (tmp_path / "documents" / "2020").mkdir(parents=True)
    for name in ("a.txt", "b.txt", ".hidden"):
        (tmp_path / "documents" / "2020" / name).write_text("x")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "ignored.txt").write_text("x")
    (tmp_path / "cases.csv").write_text("case_id\n1\n")
    stamp = bench.measure_stamp(tmp_path)
    assert stamp.files == 3  # no name starting with a dot, as the runner stamps
    assert 0 < stamp.seconds < stamp.started and stamp.processes >= 1
    row = bench.noop_row(1_000, measure(bench, 1.2, 1, {"00_intake": 0}, executed=[]), stamp)
    assert row.met is False
    assert f"stamp of the case file's 3 files alone: {stamp.seconds:.2f} s" in row.note


def test_overhead_rows_from_bench_pipeline_figures(bench):
    figures = {
        "plain_scripts_s": 4.0,
        "cold_run_s": 5.6,
        "noop_run_s": 0.3,
        "noop_run_executed": [],
    }
    plain, cold, noop = bench.overhead_rows(figures)
    assert plain.seconds == 4.0 and plain.met is None
    assert cold.ratio == 1.4 and cold.met is True
    assert noop.benchmark == "noop" and noop.met is True
    assert bench.overhead_rows({**figures, "cold_run_s": 6.4})[1].met is False


def test_floor_rows_hold_each_step_and_the_whole_cold_run_to_the_floor(bench):
    figures = {
        "plain_scripts_s": 10.0,
        "cold_run_s": 12.0,
        "cold_run_cpu_s": 20.0,
        "noop_run_s": 0.3,
        "noop_run_executed": [],
        "kernel_start_s": 1.0,
        "floor_per_step_s": {"00_intake": 4.0, "01_attrition": 5.0},
        "cold_run_per_step_s": {"00_intake": 5.5, "01_attrition": 7.5},
    }
    rows = bench.overhead_rows(figures)
    assert rows[1].cpu_seconds == 20.0
    intake, attrition, total = rows[3:]
    assert intake.benchmark == "floor" and intake.ratio == 1.5 and intake.met is True
    assert attrition.ratio == 2.5 and attrition.met is False  # 2.5 s over its floor
    assert total.ratio == pytest.approx(12 / 9, abs=1e-3) and total.met is False  # > 1.3 x
    assert bench.floor_rows({**figures, "cold_run_s": 11.7})[-1].met is True
    # figures from before the floors were measured: no rows
    assert bench.floor_rows({"cold_run_s": 1.0}) == []


def test_results_table_and_plot(bench, tmp_path):
    runs = {
        size: measure(
            bench, 2e-3 * size + 8, 500.0, {"00_intake": 1e-3 * size, "04_text_coding": 1e-3 * size}
        )
        for size in (1_000, 10_000, 100_000)
    }
    rows = [r for size, run in runs.items() for r in bench.pipeline_rows(size, run)]
    rows += bench.scaling_rows(runs)
    rows += [bench.noop_row(1_000, measure(bench, 0.3, float("nan"), {"00_intake": 0}, [], []))]
    rows = bench._stamp(rows)
    path = bench.write_results(rows, tmp_path / "out" / "results.csv")
    with path.open(encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert list(table[0]) == [
        "benchmark",
        "size",
        "step",
        "seconds",
        "peak_mb",
        "ratio",
        "target",
        "met",
        "cpu_seconds",
        "load_avg",
        "cpus",
        "note",
    ]
    assert len(table) == len(rows) == 9 + 3 + 1
    total = next(
        r
        for r in table
        if r["benchmark"] == "pipeline" and r["size"] == "100000" and r["step"] == "total"
    )
    assert float(total["seconds"]) == pytest.approx(208.0) and total["met"] == "false"
    noop = table[-1]
    assert noop["peak_mb"] == "" and noop["met"] == "true" and noop["ratio"] == ""
    assert all(len(r["load_avg"].split()) == 3 and int(r["cpus"]) >= 1 for r in table)
    png = bench.plot_results(rows, tmp_path / "out" / "results.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


@pytest.mark.parametrize("code", [0, 2])
def test_install_is_held_to_its_target_on_the_warm_second_run(bench, tmp_path, monkeypatch, code):
    import subprocess

    calls = []

    def fake_run(command, cwd, env, capture_output):
        calls.append(command)
        assert (Path(cwd) / "Makefile").is_file() and (Path(cwd) / "src" / "cape_study").is_dir()
        assert not (Path(cwd) / ".venv").exists()  # each install starts without a venv
        (Path(cwd) / ".venv").mkdir()
        return subprocess.CompletedProcess(command, code, b"", b"no network")

    monkeypatch.setattr(bench.subprocess, "run", fake_run)
    rows = bench.install_rows(tmp_path)
    assert not (tmp_path / "project_install").exists()
    if code == 0:
        assert calls == [["make", "install"]] * 2
        assert [r.met for r in rows] == [None, True] and rows[1].target == "< 20 s"
        assert rows[1].note == "warm package cache"
    else:  # a failed install is a missed target, said with its error, not a crash
        assert len(rows) == 1 and rows[0].met is False and "no network" in rows[0].note


def test_a_steps_imports_are_whole_statements_over_several_lines(bench, tmp_path):
    """The floor of a step is its notebook's imports alone: an import written over
    several lines (``from cape_study.stats import (`` ... ``)``) is kept whole (the
    overhead part of `make bench` failed with a SyntaxError when it kept its first line)."""
    script = tmp_path / "step.py"
    script.write_text(
        "import json\nfrom os.path import (\n    join,\n    sep,\n)\nx = join('a', 'b')\n"
        "if x:\n    import csv\n",
        encoding="utf-8",
    )
    out = bench.bench_pipeline.imports_only(script, tmp_path / "imports.py")
    text = out.read_text(encoding="utf-8")
    compile(text, str(out), "exec")
    assert text == "import json\nfrom os.path import (\n    join,\n    sep,\n)\n"
