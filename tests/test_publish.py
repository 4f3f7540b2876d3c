"""Tests for cape_study.runner.publish: a run publishes everything it writes in one swap,
or nothing.

Each failure mode (a failed cell, Ctrl-C, SIGKILL of the runner or of its process group,
``--only``, personal data found by the scan) must leave the published files (the report
and ``data/processed``, followed through their links) byte for byte as they were,
``verify`` clean, and no stage, kernel or connection file behind. The projects are the
small fixture projects of test_pipeline.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import test_pipeline as tp

from cape_study.paths import ProjectPaths
from cape_study.privacy.confidential import ConfidentialOutput
from cape_study.privacy.scanning import PersonalDataFound
from cape_study.runner import publish
from cape_study.runner.manifest import verify_report
from cape_study.runner.pipeline import run_pipeline
from cape_study.runner.run import PipelineFailed, RunResult


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tp.Project:
    """The two-step fixture pipeline, run once and published; tests copy it."""
    project = tp.make_project(tmp_path_factory.mktemp("published"), "basic.yaml")
    assert project.run().report_updated
    return project


@pytest.fixture
def ran(first_run: tp.Project, tmp_path: Path) -> tp.Project:
    return tp.copy_project(first_run, tmp_path)


@pytest.fixture
def one_step(tmp_path: Path):
    """The one-step command-line fixture project, run once; runs started by the test
    are killed at the end."""
    root = tp.make_project(tmp_path, "cli.yaml").root
    run_pipeline(ProjectPaths(root), progress=None)
    yield root
    for child in psutil.Process().children():
        if "cape_study.cli" in " ".join(child.cmdline()):
            child.kill()
            child.wait()


def published(root: Path, nowhere: str | None = None) -> dict[str, str]:
    """SHA-256 of every published file, through the links: reports/ (without lab,
    failed, partial, ...) and data/processed; with ``nowhere``, a link that leads nowhere
    reads as that word instead of failing."""
    found = {}
    for top in (root / "reports", root / "data" / "processed"):
        for dirpath, dirs, files in os.walk(top, followlinks=True):
            rel = Path(dirpath).relative_to(root)
            if rel == Path("reports"):
                dirs[:] = [d for d in dirs if d not in publish.RESERVED]
            for name in files:
                path = Path(dirpath) / name
                if name.startswith("."):
                    continue
                if nowhere is not None and not path.exists():
                    found[(rel / name).as_posix()] = nowhere
                    continue
                found[(rel / name).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def leftovers(root: Path) -> list[str]:
    """Versions that are neither published nor the partial report, and anything in the
    folder of the run's kernels (sockets, connection files)."""
    home = root / publish.HOME
    keep = {n for n in ("current", "partial") if (home / n).is_symlink()}
    keep |= {os.readlink(home / n) for n in keep}
    found = [p.name for p in home.iterdir() if p.name not in keep] if home.exists() else []
    scratch = publish.scratch_folder(root.resolve())
    return found + ([str(p) for p in scratch.rglob("*")] if scratch.exists() else [])


def test_a_report_is_links_into_the_published_version(ran: tp.Project) -> None:
    root = ran.root
    assert (
        os.readlink(root / "reports" / "index.html") == "../.published/current/reports/index.html"
    )
    assert os.readlink(root / "data" / "processed") == "../.published/current/data/processed"
    version = (root / publish.HOME / "current").resolve()
    assert (version / "reports" / "steps" / "first.html").is_file()
    assert leftovers(root) == [] and verify_report(ran.paths.reports) == []


def test_a_failed_cell_leaves_the_published_report_and_keeps_a_partial_one(
    ran: tp.Project,
) -> None:
    before = published(ran.root)
    ran.use("failing.yaml")
    with pytest.raises(PipelineFailed) as info:
        ran.run()
    assert published(ran.root) == before and verify_report(ran.paths.reports) == []
    message = str(info.value)
    assert "partial report (not every step ran or was cached): " in message
    assert "reports/partial/index.html; the published report" in message
    assert "was not changed" in message
    partial = ran.paths.reports / "partial"
    index = (partial / "index.html").read_text(encoding="utf-8")
    sentence = "This step failed in cell 4: ZeroDivisionError: division by zero."
    assert sentence in index and "This step was skipped: needs bad" in index
    assert sentence in (partial / "report.html").read_text(encoding="utf-8")
    assert (partial / "steps" / "independent.html").is_file()
    assert not (partial / "steps" / "bad.html").exists()
    assert leftovers(ran.root) == [] and tp.kernel_children() == []


def test_publish_partial_publishes_it_and_a_complete_run_replaces_it(ran: tp.Project) -> None:
    ran.use("failing.yaml")
    with pytest.raises(PipelineFailed):
        ran.run(publish_partial=True)
    index = (ran.paths.reports / "index.html").read_text(encoding="utf-8")
    assert "This step failed in cell 4" in index
    assert not (ran.paths.reports / "partial").exists()
    assert verify_report(ran.paths.reports) == []
    ran.use("failing.yaml")
    with pytest.raises(PipelineFailed):
        ran.run()  # a partial report again: kept apart
    assert (ran.paths.reports / "partial" / "index.html").is_file()
    ran.use("basic.yaml")
    assert ran.run().report_updated
    assert "This step failed" not in (ran.paths.reports / "index.html").read_text("utf-8")
    assert not (ran.paths.reports / "partial").exists() and leftovers(ran.root) == []
    assert verify_report(ran.paths.reports) == []


def test_only_never_mixes_data_sets_and_its_steps_are_reused(ran: tp.Project) -> None:
    before = published(ran.root)
    (ran.root / "data" / "raw" / "input.txt").write_text("another case file", "utf-8")
    result = ran.run(only=["first"])
    assert tp.statuses(result) == {"first": "ran", "second": "skipped"}
    assert not result.report_updated and published(ran.root) == before
    partial = ran.paths.reports / "partial"
    assert "another case file" in (partial / "steps" / "first.html").read_text("utf-8")
    # verify names the raw input that changed, nothing of the report
    assert [d.path for d in verify_report(ran.paths.reports)] == ["data/raw/input.txt"]
    # the whole run takes the first step from the partial report
    assert tp.statuses(ran.run()) == {"first": "cached", "second": "ran"}
    assert verify_report(ran.paths.reports) == [] and leftovers(ran.root) == []


@pytest.mark.parametrize("per_step", [True, False], ids=["step's files", "whole stage"])
def test_personal_data_found_by_the_scan_publishes_nothing(
    ran: tp.Project, per_step: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found in the step's files as it ends, or, when that check is left out, by the
    scan of the whole stage before the swap."""
    if not per_step:
        monkeypatch.setattr(tp.runner, "_check_outputs", lambda *args: None)
    before = published(ran.root)
    step = {
        "notebook": "notebooks/sleepy.ipynb",
        "parameters": "sleepy",
        "outputs": ["data/processed/{name}.json"],
        "values": {"name": "070-1740605", "seconds": 0},
    }
    tp._write_pipeline(ran.root, {"sleepy": step})
    where = r"reports/steps/sleepy\.ipynb" if per_step else r"reports/(index|report)\.html"
    with pytest.raises(PersonalDataFound, match=where) as info:
        ran.run()
    assert "070-1740605" not in str(info.value)
    assert published(ran.root) == before and verify_report(ran.paths.reports) == []
    assert leftovers(ran.root) == [] and tp.kernel_children() == []


def test_ctrl_c_publishes_nothing_and_removes_its_files(one_step: Path) -> None:
    before = published(one_step)
    process, kernel_pid = tp._start_cli_run(one_step, "--force")
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted: the published report" in stderr and "were not changed" in stderr
    deadline = time.monotonic() + 10
    while tp.alive(kernel_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not tp.alive(kernel_pid)
    assert published(one_step) == before and leftovers(one_step) == []
    assert verify_report(one_step / "reports") == []


def _start(root: Path, *, new_session: bool) -> tuple[subprocess.Popen, int]:
    """A forced `cape-study run` whose kernel sleeps, started (in its own session if
    asked) and followed until its kernel runs; the process and the kernel's pid."""
    if not new_session:
        return tp._start_cli_run(root, "--force")
    env = {**os.environ, "CAPE_STUDY_ROOT": str(root), "CAPE_TEST_SLEEP": "60"}
    pid_file = root / "kernel.pid"
    pid_file.unlink(missing_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "cape_study.cli", "run", "--force"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not (pid_file.exists() and pid_file.read_text()):
        if process.poll() is not None or time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail("the run did not start its kernel")
        time.sleep(0.1)
    return process, int(pid_file.read_text())


@pytest.mark.parametrize("whole_group", [False, True], ids=["runner", "process group"])
def test_a_killed_run_leaves_the_report_and_the_next_run_sweeps(
    one_step: Path, whole_group: bool
) -> None:
    before = published(one_step)
    runtime = _runtime_files()
    process, kernel_pid = _start(one_step, new_session=whole_group)
    assert leftovers(one_step)  # its stage and its kernel's folder
    if whole_group:
        os.killpg(process.pid, signal.SIGKILL)
    else:
        process.kill()
    process.wait()
    assert published(one_step) == before
    assert verify_report(one_step / "reports") == []
    deadline = time.monotonic() + 10  # the kernel sees its parent gone within a second
    while tp.alive(kernel_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not tp.alive(kernel_pid)
    run_pipeline(ProjectPaths(one_step), progress=None)
    assert leftovers(one_step) == [] and verify_report(one_step / "reports") == []
    assert _runtime_files() == runtime  # no kernel-*.json in Jupyter's runtime folder


def _runtime_files() -> set[str]:
    from jupyter_core.paths import jupyter_runtime_dir

    folder = Path(jupyter_runtime_dir())
    return {p.name for p in folder.glob("kernel-*.json")} if folder.exists() else set()


def test_the_sweep_kills_a_kernel_left_running_and_removes_its_folder(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / publish.HOME).mkdir(parents=True)
    scratch = publish.scratch_folder(root)
    folder = scratch / "k-test"
    folder.mkdir(parents=True)
    # a process that names its folder on its command line, as a kernel names its
    # connection file, in its own session as kernels are
    sleeper = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", str(folder / "kernel.json")],
        start_new_session=True,
    )
    (folder / "pid").write_text(str(sleeper.pid))
    (root / publish.HOME / "v-stale").mkdir()
    removed = publish.sweep(root)
    assert sleeper.wait(timeout=10) == -signal.SIGKILL
    assert ".published/v-stale" in removed and not scratch.exists()
    assert list((root / publish.HOME).iterdir()) == []


def test_an_earlier_report_in_place_is_adopted_byte_for_byte(ran: tp.Project) -> None:
    """A checkout whose report and processed data were written in place (the earlier
    layout) keeps them, and its steps stay cached."""
    root = ran.root
    before = published(root)
    version = (root / publish.HOME / "current").resolve()
    for link in [*(root / "reports").iterdir(), root / "data" / "processed"]:
        if link.is_symlink():
            link.unlink()
            os.rename(version / link.relative_to(root), link)
    (root / publish.HOME / "current").unlink()
    os.rmdir(version / "reports")
    os.rmdir(version / "data")
    os.rmdir(version)
    assert published(root) == before and not (root / "reports" / "index.html").is_symlink()
    assert tp.statuses(ran.run()) == {"first": "cached", "second": "cached"}
    assert (root / "reports" / "index.html").is_symlink()
    assert (root / "data" / "processed").is_symlink()
    assert verify_report(ran.paths.reports) == [] and leftovers(root) == []


def test_the_problems_a_failed_step_displayed_are_printed_and_kept(tmp_path: Path) -> None:
    from cape_study.notebook import PROBLEMS_MIMETYPE

    columns = ["file", "row", "column", "value", "expected"]
    rows = [["cases.csv", str(i), "country", "XX", "SE/FI"] for i in range(2, 27)]
    nb = {
        "cells": [{"outputs": [{"data": {PROBLEMS_MIMETYPE: {"columns": columns, "rows": rows}}}]}]
    }
    csv_path = tmp_path / "reports" / "failed" / "00_intake.problems.csv"
    csv_path.parent.mkdir(parents=True)
    text = tp.runner._problems(nb, csv_path, tmp_path)
    lines = text.strip().splitlines()
    assert lines[0].split() == columns and set(lines[1]) <= {"-", " "}
    assert lines[2].split() == rows[0] and lines[21].split() == rows[19]
    assert lines[22] == (
        "(the first 20 of 25 problems; all of them in reports/failed/00_intake.problems.csv)"
    )
    assert csv_path.read_text(encoding="utf-8").count("\n") == 26
    assert tp.runner._problems({"cells": []}, csv_path, tmp_path) == ""


def test_a_rerun_with_nothing_changed_reads_no_published_file_again(
    ran: tp.Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Linking outputs into a new version and removing the old one change only the
    files' change times; the cache's record follows, so a no-op run hashes nothing."""
    from cape_study.runner import provenance

    assert tp.statuses(ran.run()) == {"first": "cached", "second": "cached"}
    read: list[str] = []
    real = provenance.sha256
    monkeypatch.setattr(provenance, "sha256", lambda path: read.append(str(path)) or real(path))
    assert tp.statuses(ran.run()) == {"first": "cached", "second": "cached"}
    outputs = [p for p in read if "/library/" not in p]  # the library is hashed each run
    assert outputs == [] and verify_report(ran.paths.reports) == []


def test_a_case_timeline_among_the_report_files_publishes_nothing(ran: tp.Project) -> None:
    """Case timelines are confidential (`cape-study timelines` writes them outside
    reports/); one that a notebook writes into the report stops the publication with a
    message naming the file, and the published report stays as it was."""
    before = published(ran.root)
    step = {
        "notebook": "notebooks/leaky.ipynb",
        "parameters": "sleepy",
        "outputs": ["reports/leak/{name}.csv"],
        "values": {"name": "timeline", "seconds": 0},
    }
    tp._write_pipeline(ran.root, {"leaky": step})
    with pytest.raises(
        ConfidentialOutput, match=r"reports/leak/timeline\.csv.*nothing is published"
    ):
        ran.run()
    assert published(ran.root) == before and verify_report(ran.paths.reports) == []
    assert leftovers(ran.root) == [] and tp.kernel_children() == []


def test_a_failed_run_ends_with_its_error_once_not_its_problem_table_again(
    tmp_path: Path,
) -> None:
    """`cape-study run` prints a failed step in full as it happens; the closing error
    names the step, cell and problems file but does not print the table a second time."""
    from cape_study.runner.spec import StepResult

    table = (
        "file  row\n----  ---\ncases.csv  4\n"
        "(1 problem(s) in reports/failed/00_intake.problems.csv)"
    )
    steps = {
        "00_intake": StepResult(
            "00_intake", "Intake", "failed", message=f"CaseFileError: invalid\n{table}", cell=5
        ),
        "01_attrition": StepResult(
            "01_attrition", "Attrition", "skipped", message="needs 00_intake"
        ),
    }
    error = PipelineFailed(RunResult(steps, tmp_path / "reports", False, 1.0))
    assert "cases.csv  4" in str(error)  # the exception itself stays complete
    brief = error.brief()
    assert "cases.csv  4" not in brief and "----" not in brief
    assert brief.splitlines()[0] == (
        "step '00_intake', cell 5: CaseFileError: invalid; 1 problem(s) in "
        "reports/failed/00_intake.problems.csv, listed above"
    )
    assert "not run (see above): 01_attrition" in brief
    assert brief.splitlines()[-1].startswith("no report (no step succeeded)")


def test_a_rerun_with_nothing_changed_leaves_the_published_report_as_it_is(
    ran: tp.Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A no-op run writes no new report (issue 22: report.docx and the scans cost seconds):
    every step cached and the report's other sources (library, kernel, git state,
    constraints, packages) as when the published one was built; anything else changed
    and it is written again."""
    from cape_study.runner import current

    # A copied project's published files have new inodes: its first run cannot tell
    # them from edited ones, and publishes again (everything cached).
    assert ran.run().report_updated
    # The re-run after a run that executed the steps keeps that run's report (only
    # "ran" and "cached" would differ).
    assert tp.statuses(ran.run(force=True)) == {"first": "ran", "second": "ran"}
    before, version = published(ran.root), os.readlink(ran.root / publish.HOME / "current")
    result = ran.run()
    assert tp.statuses(result) == {"first": "cached", "second": "cached"}
    assert result.unchanged and not result.report_updated and "(unchanged" in result.summary()
    assert published(ran.root) == before and leftovers(ran.root) == []
    assert os.readlink(ran.root / publish.HOME / "current") == version
    monkeypatch.setattr(current, "distributions_stamp", lambda: "a package was upgraded")
    result = ran.run()
    assert tp.statuses(result) == {"first": "cached", "second": "cached"}
    assert result.report_updated and not result.unchanged
    assert os.readlink(ran.root / publish.HOME / "current") != version
    assert verify_report(ran.paths.reports) == [] and leftovers(ran.root) == []
    # A published page edited since: written again, not kept (verify would find it).
    edited = ran.paths.reports / "report.html"
    edited.write_text(edited.read_text(encoding="utf-8") + " ", encoding="utf-8")
    result = ran.run()
    assert result.report_updated and verify_report(ran.paths.reports) == []


def test_a_command_line_run_with_nothing_changed_loads_no_more_of_the_runner(
    one_step: Path,
) -> None:
    """`cape-study run` with nothing changed says so before it loads kernels, page
    rendering, the report's writers or the scanner (issue 22: 0.3 of the 0.5 CPU s of a
    no-op); test_cli_run_and_verify has it load them when a step must run."""
    heavy = ("cape_study.runner.run", "cape_study.data.codebook", "cape_study.privacy.masking")
    code = (
        "import sys; from cape_study.cli import main; code = main(['run']); "
        f"print('exit', code, [m for m in {heavy!r} if m in sys.modules])"
    )
    env = {**os.environ, "CAPE_STUDY_ROOT": str(one_step)}

    before = published(one_step)
    command = [sys.executable, "-c", code]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    out = done.stdout + done.stderr
    assert "(unchanged" in out and "exit 0 []" in out, out
    assert published(one_step) == before and leftovers(one_step) == []


def test_the_scan_before_the_swap_reads_no_file_a_steps_check_read(
    ran: tp.Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step's page (and its outputs under reports/) was scanned as the step ended; the
    scan of the whole stage reads what is new (report, index, manifest, notebooks), not
    those again. Nothing is known clean from an earlier run here."""
    from cape_study.privacy import scanning

    (ran.paths.report_cache / "scanned.json").unlink()
    read: list[str] = []
    real = scanning._scan_content
    monkeypatch.setattr(
        scanning,
        "_scan_content",
        lambda path, content, shown: read.append(shown) or real(path, content, shown),
    )
    assert tp.statuses(ran.run(force=True)) == {"first": "ran", "second": "ran"}
    assert "reports/index.html" in read and "reports/report.html" in read
    assert "reports/steps/first.ipynb" in read and "reports/manifest.json" in read
    assert not [
        name for name in read if name.startswith("reports/steps/") and name.endswith(".html")
    ]
    assert len(read) == len(set(read))
