"""Hostile tests of cape_study.runner.publish and the run around it (issue 15 item 7):
a stop at the swap itself, a full disk, a file where a folder should be, a killed
run's temporary files.

Whatever stops a run, the published report is byte for byte as it was, or, when the
stop came after the swap, the whole report the run published; the run's message says
which; no stage, temporary file or kernel is left. Most runs here take every step
from the cache and only write and publish the report again (no kernel starts), so
that the publication itself is what is tested.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import test_pipeline as tp
from test_publish import leftovers, published

from cape_study.paths import ProjectPaths
from cape_study.runner import current, publish
from cape_study.runner.cache import StepCache, _write_json
from cape_study.runner.execution import write_notebook
from cape_study.runner.manifest import verify_report
from cape_study.runner.outcome import RunStopped
from cape_study.runner.provenance import keep


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tp.Project:
    """The two-step fixture pipeline, run and published, then published once more from
    the cache (a copied project's files have new inodes, so its first run publishes)."""
    project = tp.make_project(tmp_path_factory.mktemp("hostile"), "basic.yaml")
    assert project.run().report_updated
    return project


@pytest.fixture
def ran(first_run: tp.Project, tmp_path: Path) -> tp.Project:
    """A copy of the published project: its files have new inodes, so that its next
    run takes every step from the cache but writes and publishes the report again."""
    return tp.copy_project(first_run, tmp_path)


def _version(project: tp.Project) -> str:
    return os.readlink(project.root / publish.HOME / "current")


def _temporary(root: Path) -> list[str]:
    """Files anywhere in the project with a temporary name (``*.tmp``, ``.tmp-*``)."""
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.name.endswith(".tmp") or p.name.startswith(".tmp-")
    )


def test_an_error_after_the_swap_keeps_the_report_it_published(
    ran: tp.Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The swap removes the version it replaces: a run that then removed its own
    stage, as it does for any error, left no report at all (verify: no manifest)."""
    old = _version(ran)

    def full(self: StepCache) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(self.folder / "files.json"))

    monkeypatch.setattr(StepCache, "restamp", full)
    with pytest.raises(RunStopped) as info:
        ran.run()
    message = str(info.value)
    assert "files.json: No space left on device" in message
    assert "this run's report had been published" in message and "not changed" not in message
    assert _version(ran) != old and verify_report(ran.paths.reports) == []
    assert leftovers(ran.root) == [] and _temporary(ran.root) == []


@pytest.mark.parametrize("when", ["before the swap", "at the swap"])
def test_ctrl_c_says_truthfully_whether_the_report_was_published(
    ran: tp.Project, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """Ctrl-C is held back during the swap and raised after it: the report is then
    published, and the message said it was not changed."""
    before, old = published(ran.root), _version(ran)
    target = (tp.runner, "check_paths") if when == "before the swap" else (publish, "publish")
    real = getattr(*target)

    def interrupted(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)
        return real(*args, **kwargs)

    monkeypatch.setattr(*target, interrupted)
    with pytest.raises(KeyboardInterrupt) as info:
        ran.run()
    message = str(info.value)
    if when == "before the swap":
        assert "were not changed" in message and "published" in message
        assert _version(ran) == old and published(ran.root) == before
    else:
        assert "this run's report had been published" in message
        assert "not changed" not in message and _version(ran) != old
    assert verify_report(ran.paths.reports) == []
    assert leftovers(ran.root) == [] and _temporary(ran.root) == []


def test_a_file_where_a_folder_should_be_stops_the_run_with_a_located_message(
    ran: tp.Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """A file where the step cache's folder should be, through `cape-study run`: one
    line naming it and saying the report was not changed, exit code 1 (it was a
    NotADirectoryError traceback, which said nothing of the report)."""
    from cape_study import cli
    from cape_study.runner import params

    for name, parameter_set in tp.SETS.items():
        monkeypatch.setitem(params.PARAMETER_SETS, name, parameter_set)
    monkeypatch.setenv("CAPE_STUDY_ROOT", str(ran.root))
    before = published(ran.root)
    shutil.rmtree(ran.paths.cache)
    ran.paths.cache.write_text("in the way", encoding="utf-8")
    for args in (["run"], ["run", "--force"]):  # the check for nothing to do, the run
        assert cli.main(args) == 1
        err = capsys.readouterr().err
        assert "Traceback" not in err
        last = err.strip().splitlines()[-1]
        assert last.startswith("error: the run stopped: ") and ".cache/steps" in last
        assert "the published report" in last and "not changed" in last
    assert published(ran.root) == before and verify_report(ran.paths.reports) == []
    assert leftovers(ran.root) == [] and _temporary(ran.root) == []
    assert tp.kernel_children() == []


def test_a_full_disk_leaves_no_half_written_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each writer of a run writes a temporary file and renames it; a full disk while
    it writes left the temporary file behind (``reports/failed/.x.ipynb.tmp``,
    ``.cache/steps/.tmp-<pid>-files.json``, ``.cache/report/.tmp-*.json``)."""
    import nbformat

    def full(self: Path, data: bytes) -> int:
        with open(self, "wb") as fh:
            fh.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(Path, "write_bytes", full)
        with pytest.raises(OSError):
            write_notebook(nbformat.v4.new_notebook(), tmp_path / "failed" / "x.ipynb")
    monkeypatch.setattr(json, "dumps", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "full")))
    with pytest.raises(OSError):
        _write_json(tmp_path / "steps" / "files.json", {"a": 1})

    def half(value, fh, **kwargs):
        fh.write("{")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(json, "dump", half)
    keep(tmp_path / "report" / "published.json", "key", {"a": 1})  # quietly not kept
    assert _temporary(tmp_path) == [] and not (tmp_path / "report" / "published.json").exists()


def test_the_next_run_removes_the_temporary_files_a_killed_run_left(tmp_path: Path) -> None:
    """A run killed while a file was half written cannot remove it: the next one does,
    before it starts (under the run lock). A kernel's temporary file is removed only
    when the process named in it no longer runs (a notebook opened by hand writes the
    figure and result caches too)."""
    root = tmp_path / "project"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    gone = int(dead.stdout)
    left = [
        ".cache/steps/.tmp-123-files.json",
        ".cache/steps/folders/.tmp-123-abc.json",
        ".cache/languages/first/.tmp-x1y2/entry.json",
        ".cache/report/.tmp-q9w8.json",
        "reports/failed/.first.ipynb.tmp",
        f".cache/results/.tmp-{gone}-k3j4.pkl",
        f".cache/figures/.abc.png.{gone}.tmp",
        f".cache/figures/page/.abc.png.{gone}.tmp",
    ]
    alive = [
        f".cache/results/.tmp-{os.getpid()}-k3j4.pkl",
        f".cache/figures/.abc.png.{os.getpid()}.tmp",
        f".cache/figures/page/.abc.png.{os.getpid()}.tmp",
    ]
    for rel in left + alive:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("half", encoding="utf-8")
    current.tidy(ProjectPaths(root))
    assert _temporary(root) == sorted(alive)


class _Killed(BaseException):
    """The run's process dies here: nothing after it runs, not even its clean-up."""


def _state(root: Path) -> dict[str, str]:
    """:func:`published`, with each link that leads nowhere as such."""
    return published(root, nowhere="leads nowhere")


@pytest.mark.parametrize(
    "cut", ["links made", "new link written", "swapped", "old version half removed"]
)
def test_a_run_killed_inside_the_swap_leaves_one_whole_report(
    ran: tp.Project, monkeypatch: pytest.MonkeyPatch, cut: str
) -> None:
    """The run dies (nothing of its clean-up runs) at each step of the publication, with
    a name in its report that the published one lacks: the published report is the old
    one, byte for byte, or the new one whole; verify is clean; the next run removes
    what it left, a link to the name the old version lacks too."""
    before, old = _state(ran.root), _version(ran)
    real_publish, real_point = publish.publish, publish._point

    def with_a_new_name(root: Path, stage: Path) -> None:
        (stage / "reports" / "new.html").write_text("a name the old version lacks", "utf-8")
        real_publish(root, stage)

    def point(link: Path, target: str) -> None:
        if link.name != "current":
            return real_point(link, target)
        if cut == "links made":
            raise _Killed
        if cut == "new link written":
            os.symlink(target, link.with_name(f".{link.name}-{os.getpid()}.tmp"))
            raise _Killed
        real_point(link, target)
        if cut == "old version half removed":
            for page in (ran.root / publish.HOME / old / "reports" / "steps").iterdir():
                page.unlink()
        raise _Killed

    monkeypatch.setattr(publish, "publish", with_a_new_name)
    monkeypatch.setattr(publish, "_point", point)
    monkeypatch.setattr(publish, "discard", lambda root, stage: None)
    with pytest.raises(_Killed):
        ran.run()
    after = _state(ran.root)
    assert verify_report(ran.paths.reports) == []
    if cut in ("links made", "new link written"):
        assert _version(ran) == old
        assert after == {**before, "reports/new.html": "leads nowhere"}
    else:
        assert _version(ran) != old and "reports/new.html" in after
        assert (ran.paths.reports / "new.html").read_text("utf-8").startswith("a name")
    monkeypatch.undo()
    current.tidy(ran.paths)  # as the next run starts, no-op or not
    assert leftovers(ran.root) == [] and _temporary(ran.root) == []
    dangling = [p.name for p in ran.paths.reports.iterdir() if p.is_symlink() and not p.exists()]
    assert dangling == [] and verify_report(ran.paths.reports) == []


def test_a_link_replaced_by_an_edited_copy_is_no_reason_to_keep_the_report(
    ran: tp.Project,
) -> None:
    """A copy that followed the links (``cp -rL``, a sync tool) put in the place of the
    link ``reports/steps``, then edited: the version behind the links is untouched, so
    a re-run with nothing changed kept the report, and verify found the edited page."""
    assert ran.run().report_updated  # a copied project publishes once
    assert ran.run().unchanged
    steps = ran.paths.reports / "steps"
    real = steps.resolve()
    steps.unlink()
    shutil.copytree(real, steps)
    (steps / "first.html").write_text("edited", encoding="utf-8")
    result = ran.run()
    assert tp.statuses(result) == {"first": "cached", "second": "cached"}
    assert not result.unchanged and result.report_updated
    assert steps.is_symlink() and verify_report(ran.paths.reports) == []
    assert leftovers(ran.root) == [] and _temporary(ran.root) == []


@pytest.mark.parametrize("in_the_way", ["reports", ".published"])
def test_a_file_in_place_of_a_project_folder_stops_the_run_before_it_starts(
    tmp_path: Path, in_the_way: str
) -> None:
    """``reports`` (the run lock's folder; read-only alike) or ``.published`` (where the
    stage is made) a file: a located message, not a traceback, and the file is left."""
    project = tp.make_project(tmp_path, "basic.yaml")
    (project.root / in_the_way).write_text("in the way", encoding="utf-8")
    with pytest.raises(RunStopped) as info:
        project.run()
    message = str(info.value)
    assert message.startswith(f"the run stopped: {project.root / in_the_way}")
    assert "not changed" in message and tp.kernel_children() == []
    assert (project.root / in_the_way).read_text(encoding="utf-8") == "in the way"


def test_personal_data_found_says_what_became_of_the_report(
    ran: tp.Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan's finding named the file and place, and said nothing of the report: a
    note says it was not changed (the command line prints it under the error)."""
    from cape_study.privacy.scanning import FileFinding, PersonalDataFound

    before = published(ran.root)

    def found(*args, **kwargs):
        where = FileFinding("reports/index.html", "line 3, column 1", "phone number")
        raise PersonalDataFound.located([where])

    monkeypatch.setattr(tp.runner, "check_paths", found)
    with pytest.raises(PersonalDataFound) as info:
        ran.run()
    assert info.value.__notes__ == [
        f"the published report {ran.paths.reports / 'index.html'} and data/processed were "
        "not changed"
    ]
    assert published(ran.root) == before and leftovers(ran.root) == []


def test_the_command_line_prints_an_error_s_notes_under_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from cape_study import cli
    from cape_study.errors import CapeStudyError

    def stopped(args) -> int:
        error = CapeStudyError("reports/index.html: personal data: phone number at line 3")
        error.add_note("the published report reports/index.html was not changed")
        raise error

    add, _ = cli._COMMANDS["verify"]
    monkeypatch.setitem(cli._COMMANDS, "verify", (add, stopped))
    assert cli.main(["verify"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "error: reports/index.html: personal data: phone number at line 3",
        "the published report reports/index.html was not changed",
    ]


def test_ctrl_c_before_the_run_has_its_lock_says_the_report_was_not_changed(
    ran: tp.Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """Ctrl-C while the pipeline is read (before the run's own handlers: kill_runs hit
    it, importing the runner, at load 9) printed only "interrupted"."""
    from cape_study import cli

    real = current.prepare

    def interrupted(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)
        return real(*args, **kwargs)

    monkeypatch.setattr(current, "prepare", interrupted)
    monkeypatch.setenv("CAPE_STUDY_ROOT", str(ran.root))
    assert cli.main(["run"]) == 130
    assert capsys.readouterr().err.strip() == (
        f"interrupted: the published report {ran.paths.reports / 'index.html'} was not changed"
    )
