"""Tests for cape_study.runner.pipeline: ordering, parameters, cache, parallel steps, failures.

Every test runs a small project copied from tests/fixtures/pipeline into tmp_path, with
its own parameter-set registry (``SETS``) and its own copy of the library source, so
that the cache's dependence on the library can be tested without touching src/.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Literal

import psutil
import pytest
from pydantic import BaseModel, ConfigDict, Field

from cape_study import cli
from cape_study.errors import ParameterError, PipelineError
from cape_study.paths import PACKAGE_DIR, ProjectPaths
from cape_study.privacy import scanning
from cape_study.privacy.scanning import PersonalDataFound
from cape_study.runner import document, pages
from cape_study.runner import run as runner
from cape_study.runner.execution import KernelMissing, ProgressEvent
from cape_study.runner.manifest import verify_report
from cape_study.runner.pipeline import run_pipeline
from cape_study.runner.run import PipelineBusy, PipelineFailed, RunResult
from cape_study.runner.spec import load_pipeline, resolve_parameters

FIXTURES = Path(__file__).parent / "fixtures" / "pipeline"
REPO = Path(__file__).resolve().parents[1]


class _Set(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class First(_Set):
    greeting: str = "hello"
    repeat: int = Field(2, ge=1, le=10)


class Second(_Set):
    factor: float = Field(1.5, gt=0, le=10)
    label: Literal["x", "y"] = "x"


class Sleepy(_Set):
    seconds: float = Field(1.0, ge=0, le=60)
    name: str = "a"


SETS: dict[str, type[BaseModel]] = {"first": First, "second": Second, "sleepy": Sleepy}


@dataclass
class Project:
    """A scratch project and the library copy whose hash goes into its cache keys."""

    paths: ProjectPaths
    source: Path

    @property
    def root(self) -> Path:
        return self.paths.root

    def run(self, **kwargs) -> RunResult:
        kwargs.setdefault("progress", None)
        return run_pipeline(self.paths, parameter_sets=SETS, source=self.source, **kwargs)

    def use(self, pipeline_yaml: str) -> None:
        shutil.copy(FIXTURES / pipeline_yaml, self.root / "pipeline.yaml")

    def runs(self) -> list[str]:
        """The steps executed so far, as the fixture notebooks log them."""
        log = self.root / "runs.log"
        return log.read_text(encoding="utf-8").split() if log.exists() else []


def make_project(base: Path, pipeline_yaml: str) -> Project:
    root = base / "project"
    root.mkdir(parents=True)
    shutil.copytree(FIXTURES / "notebooks", root / "notebooks")
    shutil.copytree(FIXTURES / "data", root / "data")
    (root / "constraints.txt").write_text("example==1.0\n", encoding="utf-8")
    source = base / "library"
    shutil.copytree(PACKAGE_DIR, source, ignore=shutil.ignore_patterns("__pycache__"))
    project = Project(ProjectPaths(root), source)
    project.use(pipeline_yaml)
    return project


def copy_project(project: Project, base: Path) -> Project:
    shutil.copytree(project.root.parent, base / "copy", symlinks=True)
    return Project(ProjectPaths(base / "copy" / "project"), base / "copy" / "library")


def statuses(result: RunResult) -> dict[str, str]:
    return {name: step.status for name, step in result.steps.items()}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def kernel_children() -> list[psutil.Process]:
    """Kernel processes started by this test process that are still running."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if "ipykernel" in " ".join(child.cmdline()) and alive(child.pid):
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The two-step fixture pipeline, run once; tests copy it."""
    project = make_project(tmp_path_factory.mktemp("baseline"), "basic.yaml")
    result = project.run()
    assert statuses(result) == {"first": "ran", "second": "ran"}
    return project


@pytest.fixture
def ran(baseline: Project, tmp_path: Path) -> Project:
    """A private copy of the baseline project, with its cache and report."""
    return copy_project(baseline, tmp_path)


# -- the pipeline file --------------------------------------------------------------------
def test_steps_are_ordered_by_needs(tmp_path: Path) -> None:
    project = make_project(tmp_path, "basic.yaml")
    steps = load_pipeline(project.paths.pipeline_file, parameter_sets=SETS).steps
    assert list(steps) == ["first", "second"]  # the file lists second first
    assert steps["second"].needs == ("first",)
    assert steps["first"].title == "The first step"


def _write_pipeline(tmp_path: Path, steps: dict) -> Path:
    import yaml

    path = tmp_path / "pipeline.yaml"
    path.write_text(yaml.safe_dump({"steps": steps}), encoding="utf-8")
    return path


def _step(**extra) -> dict:
    return {"notebook": "notebooks/first.ipynb", "parameters": "first", **extra}


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (
            {"a": _step(needs=["c"]), "b": _step(needs=["a"]), "c": _step(needs=["b"])},
            r"the needs form a cycle: a -> c -> b -> a",
        ),
        ({"a": _step(needs=["a"])}, r"cycle: a -> a"),
        ({"a": _step(needs=["ghost"])}, r"step 'a' needs 'ghost', which is not a step"),
        ({"a": _step(parameters="nope")}, r"step 'a': unknown parameter set 'nope'; known sets"),
        ({"a": _step(notebok="x")}, r"step 'a': unknown key\(s\) \['notebok'\]"),
        ({"a": {"parameters": "first"}}, r"step 'a': `notebook:` is required"),
        ({"a.b": _step()}, r"step 'a.b': a step name uses only"),
    ],
)
def test_malformed_pipelines_are_clear_errors(tmp_path: Path, steps: dict, message: str) -> None:
    path = _write_pipeline(tmp_path, steps)
    with pytest.raises(PipelineError, match=message) as info:
        load_pipeline(path, parameter_sets=SETS)
    assert str(path) in str(info.value)


def test_the_pipeline_file_reads_as_with_the_python_parser(tmp_path: Path) -> None:
    """pipeline.yaml is read by libyaml's parser where PyYAML has it (every run reads it,
    a no-op too): the project's file gives what yaml.safe_load gives, and YAML that is
    not valid is still a clear error."""
    import yaml

    from cape_study.paths import project
    from cape_study.runner import spec

    text = project().pipeline_file.read_text(encoding="utf-8")
    assert yaml.load(text, Loader=spec._YAML_LOADER) == yaml.safe_load(text)
    path = tmp_path / "pipeline.yaml"
    path.write_text("steps:\n  a: [unclosed\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="not valid YAML"):
        load_pipeline(path, parameter_sets=SETS)


def test_missing_pipeline_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="no pipeline file"):
        load_pipeline(tmp_path / "pipeline.yaml", parameter_sets=SETS)


# -- parameters ---------------------------------------------------------------------------
def test_project_settings_apply_to_every_step_below_its_own_values(tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "pipeline.yaml"
    steps = {"a": _step(), "b": _step(values={"greeting": "moi"})}
    settings = {"greeting": "hej", "a.repeat": 2}
    path.write_text(yaml.safe_dump({"settings": settings, "steps": steps}), encoding="utf-8")
    pipeline = load_pipeline(path, parameter_sets=SETS)
    assert pipeline.settings == settings
    resolved = resolve_parameters(pipeline, tmp_path, parameter_sets=SETS)
    assert resolved["a"]["greeting"] == "hej" and resolved["a"]["repeat"] == 2
    assert resolved["b"]["greeting"] == "moi"  # the step's own value beats the setting
    over = resolve_parameters(pipeline, tmp_path, overrides={"greeting": "hi"}, parameter_sets=SETS)
    assert over["a"]["greeting"] == over["b"]["greeting"] == "hi"  # -p beats both
    path.write_text(yaml.safe_dump({"settings": {"lang": "sv"}, "steps": steps}), "utf-8")
    with pytest.raises(ParameterError, match=r"settings: unknown parameter 'lang'"):
        resolve_parameters(load_pipeline(path, parameter_sets=SETS), tmp_path, parameter_sets=SETS)
    path.write_text(yaml.safe_dump({"setting": {}, "steps": steps}), "utf-8")
    with pytest.raises(PipelineError, match=r"unknown top-level key\(s\) \['setting'\]"):
        load_pipeline(path, parameter_sets=SETS)


def test_the_repository_pipeline_keeps_the_report_language_as_a_setting() -> None:
    from cape_study.paths import project

    pipeline = load_pipeline(project().pipeline_file)
    assert "lang" in pipeline.settings
    resolved = resolve_parameters(pipeline, project().root, overrides={"lang": "sv"})
    assert {p["lang"] for p in resolved.values()} == {"sv"}


def test_overrides_apply_in_order_and_to_the_steps_that_declare_them(tmp_path: Path) -> None:
    project = make_project(tmp_path, "failing.yaml")
    steps = load_pipeline(project.paths.pipeline_file, parameter_sets=SETS)
    params_file = tmp_path / "params.yaml"
    params_file.write_text(
        "repeat: 3\nbad.greeting: hej\nindependent:\n  seconds: 5\n", encoding="utf-8"
    )
    resolved = resolve_parameters(
        steps,
        project.root,
        params_file=params_file,
        overrides={"greeting": "hi", "bad.repeat": "4", "label": "y"},
        parameter_sets=SETS,
    )
    assert resolved == {
        "first": {"greeting": "hi", "repeat": 3},
        "bad": {"greeting": "hi", "repeat": 4},  # -p beats the file, also step-wise
        "after_bad": {"factor": 1.5, "label": "y"},
        "independent": {"seconds": 5.0, "name": "c"},  # `values:` in pipeline.yaml kept
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"colour": "red"},
            r"-p: unknown parameter 'colour' .*Allowed: factor, greeting, "
            r"label, repeat",
        ),
        ({"repeat": "many"}, r"step 'first': .*repeat = 'many' is not allowed.*integer"),
        ({"repeat": "11"}, r"repeat = '11' is not allowed: .*allowed: an integer >= 1 and <= 10"),
        ({"label": "z"}, r"step 'second': .*label = 'z' .*one of 'x', 'y'"),
        ({"second.repeat": "3"}, r"step 'second' has no parameter 'repeat'; allowed: factor"),
        ({"third.repeat": "3"}, r"no step 'third'; steps: first, second"),
    ],
)
def test_parameter_errors_are_raised_before_any_kernel_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, overrides: dict, message: str
) -> None:
    project = make_project(tmp_path, "basic.yaml")

    def no_kernel(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(runner, "execute_notebook", no_kernel)
    with pytest.raises(ParameterError, match=message):
        project.run(overrides=overrides)
    assert not project.paths.reports.exists() and not project.paths.cache.exists()


def test_params_file_errors_name_the_file(tmp_path: Path) -> None:
    project = make_project(tmp_path, "basic.yaml")
    params_file = tmp_path / "params.yaml"
    params_file.write_text("second:\n  factor: 0\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"step 'second'.*factor = 0 is not allowed"):
        project.run(params_file=params_file)
    params_file.write_text("speed: 3\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=rf"{params_file}: unknown parameter 'speed'"):
        project.run(params_file=params_file)
    with pytest.raises(ParameterError, match="cannot read it"):
        project.run(params_file=tmp_path / "missing.yaml")


def test_notebook_disagreeing_with_its_set_is_refused(tmp_path: Path) -> None:
    project = make_project(tmp_path, "basic.yaml")
    (project.root / "pipeline.yaml").write_text(
        "steps:\n  first: {notebook: notebooks/first.ipynb, parameters: second}\n"
    )
    with pytest.raises(
        PipelineError,
        match=r"assigns \['greeting', 'repeat'\] but set "
        r"'second' declares \['factor', 'label'\]",
    ):
        project.run()


def test_missing_kernel_tells_to_run_make_install(tmp_path: Path) -> None:
    project = make_project(tmp_path, "basic.yaml")
    with pytest.raises(
        KernelMissing,
        match=r"'no-such-kernel' is not installed; run `make "
        r"install`",
    ):
        project.run(kernel="no-such-kernel")


# -- a successful run -------------------------------------------------------------------
def test_run_writes_report_manifest_and_progress(tmp_path: Path) -> None:
    project = make_project(tmp_path, "basic.yaml")
    processed = project.root / "data" / "processed"
    # the first step copies it to data/processed
    (project.root / "data" / "raw" / "metadata.json").write_text('{"synthetic": true}', "utf-8")
    events: list[ProgressEvent] = []
    result = project.run(progress=events.append)

    assert statuses(result) == {"first": "ran", "second": "ran"} and result.report_updated
    assert project.runs() == ["first", "second"]
    reports = project.paths.reports
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert 'href="steps/first.html"' in index and "The second step" in index
    assert "SYNTHETIC DATA" in index
    assert "the first step greets the input." in index  # markdown **Takeaway cell
    assert "The processed text has 30 characters." in index  # printed by a takeaway cell
    assert "A finding returned as a string." in index  # returned by a takeaway cell
    assert "the score of label <strong>x</strong> is 45.0." in index  # Markdown display

    page = (reports / "steps" / "second.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page  # the figure, inline
    assert "read_text" not in page and "factor = 1.5" not in page  # no code, no parameters
    assert "injected" not in page.lower() and "In&nbsp;[" not in page
    assert "<script src=" not in page  # self-contained
    executed = json.loads((reports / "steps" / "second.ipynb").read_text(encoding="utf-8"))
    assert executed["metadata"]["papermill"]["parameters"] == {"factor": 1.5, "label": "x"}

    manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True
    assert manifest["git"] is None  # tmp_path is not a git checkout
    assert manifest["constraints"]["sha256"] == sha256(project.root / "constraints.txt")
    assert manifest["packages"]["papermill"] and manifest["python"]["version"]
    assert manifest["library"]["path"] == str(project.source)
    second = manifest["steps"]["second"]
    assert second["status"] == "ran" and second["parameters"] == {"factor": 1.5, "label": "x"}
    assert second["inputs"] == {"data/processed/first.txt": sha256(processed / "first.txt")}
    assert second["outputs"] == {"data/processed/second.txt": sha256(processed / "second.txt")}
    assert manifest["steps"]["first"]["inputs"] == {
        "data/raw/input.txt": sha256(project.root / "data" / "raw" / "input.txt")
    }
    assert manifest["report_files"]["index.html"] == sha256(reports / "index.html")
    assert manifest["disclosure"] == [
        {
            "step": "second",
            "table": "scores",
            "cell": "label=x",
            "column": "n",
            "reason": "primary",
            "threshold": 5,
        }
    ]
    assert verify_report(reports) == []

    cells = [(e.step, e.cell, e.cells) for e in events if e.kind == "cell"]
    assert cells[:3] == [("first", 1, 4), ("first", 2, 4), ("first", 3, 4)]
    ends = [(e.step, e.status) for e in events if e.kind == "end"]
    assert ends == [("first", "ran"), ("second", "ran")]
    starts = [(e.step, e.message) for e in events if e.kind == "start"]
    assert starts == [("first", "not in the cache"), ("second", "not in the cache")]
    assert kernel_children() == []


class _Anchors(HTMLParser):
    """Every id and every ``href`` of a page, and the tags that load something."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.loads: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id") is not None:
            self.ids.append(found["id"])
        if tag == "a" and found.get("href"):
            self.hrefs.append(found["href"])
        if tag in ("script", "link", "iframe") or (tag == "img" and "data:" not in found["src"]):
            self.loads.append(tag)


def test_report_document_holds_every_step_the_codebook_and_provenance(tmp_path: Path) -> None:
    from cape_study.data.codebook import load_codebook

    project = make_project(tmp_path, "basic.yaml")
    # the first step copies it to data/processed
    (project.root / "data" / "raw" / "metadata.json").write_text('{"synthetic": true}', "utf-8")
    project.run()
    reports = project.paths.reports
    document = (reports / "report.html").read_text(encoding="utf-8")
    manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))

    # Every step's page, in pipeline order, one banner on top; nothing loaded from elsewhere.
    assert document.index("First step") < document.index("the score of label")
    assert "data:image/png;base64," in document and "read_text" not in document
    assert document.count('class="cape-synthetic"') == 1
    assert document.index('class="cape-synthetic"') < document.index("<main>")
    for name in ("first", "second"):
        page = (reports / "steps" / f"{name}.html").read_text(encoding="utf-8")
        assert page.count(pages.SYNTHETIC_BANNER) == 1 and "mermaid" not in page
    anchors = _Anchors()
    anchors.feed(document)
    assert anchors.loads == []
    assert len(anchors.ids) == len(set(anchors.ids))  # unique across steps
    fragments = [h[1:] for h in anchors.hrefs if h.startswith("#")]
    assert {"step-first", "step-second", "codebook", "provenance"} <= set(fragments)
    assert set(fragments) <= set(anchors.ids)  # the contents and every link lead somewhere
    assert any(i.startswith("step-first--") for i in anchors.ids)

    # The codebook (the default: the steps name none) and the provenance block.
    assert load_codebook().title("en") in document
    raw = project.root / "data" / "raw" / "input.txt"
    data_hash = hashlib.sha256(f"data/raw/input.txt\0{sha256(raw)}\n".encode()).hexdigest()
    assert manifest["data"] == {
        "steps": ["first"],
        "case_label": None,
        "sha256": data_hash,
        "files": 1,
    }
    provenance = document[document.index('id="provenance"') :]
    assert data_hash in provenance and "outside a git checkout" in provenance
    assert manifest["constraints"]["sha256"] in provenance
    assert manifest["library"]["sha256"] in provenance
    assert manifest["python"]["version"] in provenance
    assert manifest["created"][:16].replace("T", " ") in provenance
    for name, step in manifest["steps"].items():
        for key, value in step["parameters"].items():
            cells = f"<td><code>{key}</code></td><td><code>{value}</code></td>"
            assert cells in provenance, (name, key)

    # Published with the rest: hashed, verified, linked from the index.
    assert manifest["report_files"]["report.html"] == sha256(reports / "report.html")
    assert 'href="report.html"' in (reports / "index.html").read_text(encoding="utf-8")
    assert verify_report(reports) == []
    (reports / "report.html").write_text(document.replace("First step", "Edited"), "utf-8")
    assert [d.path for d in verify_report(reports)] == ["report.html"]

    # A new run replaces report.html and leaves the screenshots alone.
    shot = reports / "screenshots" / "index.png"
    shot.parent.mkdir()
    shot.write_bytes(b"not replaced")
    assert statuses(project.run()) == {"first": "cached", "second": "cached"}
    assert shot.read_bytes() == b"not replaced" and verify_report(reports) == []


def test_personal_data_in_the_report_document_stops_the_run(tmp_path: Path) -> None:
    # A parameter's value is shown in report.html's provenance block and in the executed
    # notebook's parameters cell: the notebook, scanned first, stops the run.
    project = make_project(tmp_path, "basic.yaml")
    step = {
        "notebook": "notebooks/sleepy.ipynb",
        "parameters": "sleepy",
        "outputs": ["data/processed/{name}.json"],
        "values": {"name": "070-1740605", "seconds": 0},
    }
    _write_pipeline(project.root, {"sleepy": step})
    with pytest.raises(
        PersonalDataFound, match=r"reports/steps/sleepy\.ipynb: .* phone at \$"
    ) as info:
        project.run()
    assert "070-1740605" not in str(info.value)
    assert not (project.paths.reports / "index.html").exists()


def test_the_stage_scan_reads_no_notebook_a_step_scanned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each step's notebook is scanned as the bytes it is stored and published as, once:
    the scan of the stage before the swap reads only the files the report adds."""
    project = make_project(tmp_path, "basic.yaml")
    scanned: list[tuple[bool, str]] = []
    in_stage_scan = [False]
    scan, check = scanning._scan_content, runner.check_paths

    def recording(path, content, shown):
        scanned.append((in_stage_scan[0], shown))
        return scan(path, content, shown)

    def checking(*args, **kwargs):
        in_stage_scan[0] = True
        try:
            return check(*args, **kwargs)
        finally:
            in_stage_scan[0] = False

    monkeypatch.setattr(scanning, "_scan_content", recording)
    monkeypatch.setattr(runner, "check_paths", checking)
    assert statuses(project.run()) == {"first": "ran", "second": "ran"}
    notebooks = ["reports/steps/first.ipynb", "reports/steps/second.ipynb"]
    assert sorted(shown for stage, shown in scanned if shown.endswith(".ipynb")) == notebooks
    assert sorted(shown for stage, shown in scanned if stage) == [
        "reports/index.html",
        "reports/manifest.json",
        "reports/report.docx",
        "reports/report.html",
    ]
    assert verify_report(project.paths.reports) == []


def test_notebook_bytes_are_what_nbformat_writes(tmp_path: Path) -> None:
    import nbformat

    from cape_study.runner.execution import notebook_bytes, write_notebook

    nb = nbformat.read(FIXTURES / "notebooks" / "sleepy.ipynb", as_version=4)
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="två\nrader\r\n")]
    nbformat.write(nb, tmp_path / "nbformat.ipynb")
    assert notebook_bytes(nb) == (tmp_path / "nbformat.ipynb").read_bytes()
    write_notebook(notebook_bytes(nb), tmp_path / "bytes.ipynb")
    write_notebook(nb, tmp_path / "node.ipynb")
    assert (tmp_path / "bytes.ipynb").read_bytes() == notebook_bytes(nb)
    assert (tmp_path / "node.ipynb").read_bytes() == notebook_bytes(nb)


def test_audit_mimetype_matches_the_disclosure_module() -> None:
    from cape_study.privacy import disclosure

    assert pages._AUDIT_MIMETYPE == disclosure.AUDIT_MIMETYPE


# -- the cache ----------------------------------------------------------------------------
def test_unchanged_rerun_takes_every_step_from_the_cache(ran: Project) -> None:
    before = sha256(ran.paths.reports / "steps" / "first.html")
    result = ran.run()
    assert statuses(result) == {"first": "cached", "second": "cached"}
    assert ran.runs() == ["first", "second"]  # nothing executed again
    assert sha256(ran.paths.reports / "steps" / "first.html") == before
    assert verify_report(ran.paths.reports) == []


def test_unchanged_rerun_renders_no_codebook_and_reads_no_package(
    ran: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The codebook appendix and the list of installed packages are kept in
    .cache/report: a no-op re-run renders and reads neither, and writes the same; a
    change to the library renders the codebook again."""
    calls: list[str] = []

    def counted(name, function):
        def call(*args, **kwargs):
            calls.append(name)
            return function(*args, **kwargs)

        return call

    monkeypatch.setattr(document, "render_codebook", counted("codebook", document.render_codebook))
    monkeypatch.setattr(
        importlib.metadata,
        "distributions",
        counted("packages", importlib.metadata.distributions),
    )
    scanned: list[str] = []
    scan = scanning._scan_content
    monkeypatch.setattr(
        scanning,
        "_scan_content",
        lambda path, content, shown: scanned.append(shown) or scan(path, content, shown),
    )
    reports = ran.paths.reports
    appendix = _appendix((reports / "report.html").read_text(encoding="utf-8"))
    installed = json.loads((reports / "manifest.json").read_text("utf-8"))["packages"]
    # without the record of what the published report was built from, it is written again
    (ran.paths.report_cache / "published.json").unlink()
    assert statuses(ran.run()) == {"first": "cached", "second": "cached"}
    assert calls == []
    # only what carries the run's time is new and scanned; the step pages were found clean
    assert sorted(scanned) == [
        "reports/index.html",
        "reports/manifest.json",
        "reports/report.docx",
        "reports/report.html",
    ]
    assert _appendix((reports / "report.html").read_text(encoding="utf-8")) == appendix
    assert json.loads((reports / "manifest.json").read_text("utf-8"))["packages"] == installed

    _edit_library(ran)
    ran.run()
    assert calls == ["codebook"]
    assert _appendix((reports / "report.html").read_text(encoding="utf-8")) == appendix


def test_the_codebook_appendix_is_rendered_while_the_steps_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The codebook appendix does not depend on what the steps compute: it is rendered
    once, into the report's cache, while the steps run, and the report takes it from
    there (the same appendix as rendered at the end)."""
    project = make_project(tmp_path, "basic.yaml")
    threads: list[str] = []
    render = document.render_codebook

    def rendering(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return render(*args, **kwargs)

    monkeypatch.setattr(document, "render_codebook", rendering)
    assert statuses(project.run()) == {"first": "ran", "second": "ran"}
    assert threads == ["cape-study report ahead"]
    reports = project.paths.reports
    appendix = _appendix((reports / "report.html").read_text(encoding="utf-8"))
    (project.paths.report_cache / "codebook.json").unlink()

    def nothing_ahead(self) -> threading.Thread:
        thread = threading.Thread(target=lambda: None)
        thread.start()
        return thread

    monkeypatch.setattr(runner.Run, "_report_ahead", nothing_ahead)
    assert statuses(project.run(force=True)) == {"first": "ran", "second": "ran"}
    assert threads[1:] == ["MainThread"]  # rendered by the report, as before
    assert _appendix((reports / "report.html").read_text(encoding="utf-8")) == appendix


def test_pages_are_the_same_with_the_exporter_prepared_ahead(ran: Project) -> None:
    """The runner makes the page exporter and compiles its templates while the first
    kernel works (pages.prepare_pages); a step's page is the same either way."""
    import nbformat

    nb = nbformat.read(ran.paths.cache / "second" / "notebook.ipynb", as_version=4)
    pages._exporter.cache_clear()
    cold = pages.render_html(nb, "Second", synthetic=True, lang="en")
    pages._exporter.cache_clear()
    pages.prepare_pages("en")
    assert pages._exporter.cache_info().currsize == 1
    assert pages.render_html(nb, "Second", synthetic=True, lang="en") == cold


def _appendix(document: str) -> str:
    """The codebook appendix of report.html (from its table of codes on)."""
    start = document.index('id="codebook"')
    return document[start : document.index("</section>", start)]


def _edit_notebook(project: Project) -> None:
    path = project.root / "notebooks" / "second.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "A new note."})
    path.write_text(json.dumps(nb), encoding="utf-8")


def _edit_library(project: Project) -> None:
    module = project.source / "runner" / "params.py"
    module.write_text(module.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")


def _add_codebook(project: Project) -> None:
    (project.source / "data" / "codebooks").mkdir(exist_ok=True)
    (project.source / "data" / "codebooks" / "extra.yaml").write_text(
        "schemes: {}\n", encoding="utf-8"
    )


def _edit_input(project: Project) -> None:
    (project.root / "data" / "raw" / "input.txt").write_text("new text\n", encoding="utf-8")


def _remove_output(project: Project) -> None:
    (project.root / "data" / "processed" / "second.txt").unlink()


def _tamper_output(project: Project) -> None:
    (project.root / "data" / "processed" / "first.txt").write_text("tampered", encoding="utf-8")


def test_a_folder_input_is_one_hash_and_a_file_changed_in_it_reruns(tmp_path: Path) -> None:
    from cape_study.runner.provenance import data_digest, folder_hash, hash_files

    project = make_project(tmp_path, "basic.yaml")
    spec = (project.root / "pipeline.yaml").read_text(encoding="utf-8")
    (project.root / "pipeline.yaml").write_text(
        spec.replace("inputs: [data/raw/input.txt]", "inputs: [data/raw]"), encoding="utf-8"
    )
    raw = project.root / "data" / "raw"
    (raw / "documents").mkdir()
    for i in range(3):
        (raw / "documents" / f"d{i}.txt").write_text(f"document {i}", encoding="utf-8")
    assert statuses(project.run()) == {"first": "ran", "second": "ran"}
    manifest = json.loads((project.paths.reports / "manifest.json").read_text("utf-8"))
    # one hash for the folder: the data hash of its files, each read
    whole = data_digest(hash_files(project.root, ["data/raw"]), "data/raw")
    assert manifest["steps"]["first"]["inputs"] == {"data/raw": whole} and whole["files"] == 4
    assert folder_hash(raw) == whole
    assert statuses(project.run()) == {"first": "cached", "second": "cached"}

    # a file rewritten in place, with the same size: the step runs again
    (raw / "documents" / "d1.txt").write_text("DOCUMENT 1", encoding="utf-8")
    events: list[ProgressEvent] = []
    assert statuses(project.run(progress=events.append)) == {"first": "ran", "second": "cached"}
    assert {e.step: e.message for e in events if e.kind == "start"} == {"first": "inputs changed"}
    assert verify_report(project.paths.reports) == []
    # a file added, then removed: runs again each time
    (raw / "documents" / "d3.txt").write_text("document 3", encoding="utf-8")
    assert statuses(project.run())["first"] == "ran"
    (raw / "documents" / "d3.txt").unlink()
    assert statuses(project.run())["first"] == "ran"
    assert statuses(project.run())["first"] == "cached"
    # verify reads every file of the folder again
    (raw / "documents" / "d2.txt").write_text("changed after the run", encoding="utf-8")
    assert [(d.path, d.what) for d in verify_report(project.paths.reports)] == [
        ("data/raw", "input folder of step first")
    ]


# A codebook is part of the library source: adding one re-runs every step, like an edit.
LIBRARY_CHANGED = (
    {"first": "ran", "second": "ran"},
    {"first": "library changed", "second": "library changed"},
)

# change -> (edit, run arguments, expected statuses, why each executed step ran)
CHANGES = {
    "notebook": (
        _edit_notebook,
        {},
        {"first": "cached", "second": "ran"},
        {"second": "notebook changed"},
    ),
    "parameter": (
        None,
        {"overrides": {"factor": "2"}},
        {"first": "cached", "second": "ran"},
        {"second": "parameters changed"},
    ),
    "input file": (
        _edit_input,
        {},
        {"first": "ran", "second": "ran"},
        # first's output changed, and with it second's input
        {"first": "inputs changed", "second": "inputs, upstream changed"},
    ),
    "library source": (_edit_library, {}, *LIBRARY_CHANGED),
    "codebook": (_add_codebook, {}, *LIBRARY_CHANGED),
    "output removed": (
        _remove_output,
        {},
        {"first": "cached", "second": "ran"},
        {"second": "outputs changed since it ran"},
    ),
    "output modified": (
        _tamper_output,
        {},
        {"first": "ran", "second": "cached"},
        # first writes the same content again, so second is still valid
        {"first": "outputs changed since it ran"},
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_each_kind_of_change_invalidates_the_cache(ran: Project, change: str) -> None:
    edit, kwargs, expected, reasons = CHANGES[change]
    if edit is not None:
        edit(ran)
    events: list[ProgressEvent] = []
    result = ran.run(progress=events.append, **kwargs)
    assert statuses(result) == expected
    assert {e.step: e.message for e in events if e.kind == "start"} == reasons
    executed = [name for name, status in expected.items() if status == "ran"]
    assert ran.runs() == ["first", "second", *executed]
    assert verify_report(ran.paths.reports) == []


def test_a_changed_secret_reruns_its_step_and_is_never_stored(
    ran: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "correct-horse-battery-staple"
    monkeypatch.setenv("CAPE_TEST_SECRET", secret)
    events: list[ProgressEvent] = []
    result = ran.run(progress=events.append)
    # first writes the same output again, so second stays valid
    assert statuses(result) == {"first": "ran", "second": "cached"}
    assert {e.step: e.message for e in events if e.kind == "start"} == {
        "first": "environment changed"
    }
    assert statuses(ran.run()) == {"first": "cached", "second": "cached"}
    hashed = hashlib.sha256(secret.encode()).hexdigest()
    for path in [*ran.root.rglob("*")]:
        if path.is_file():
            data = path.read_bytes()
            assert secret.encode() not in data and hashed.encode() not in data, path


def test_force_reruns_all_steps_or_only_the_chosen(ran: Project) -> None:
    assert statuses(ran.run(force=True)) == {"first": "ran", "second": "ran"}
    assert statuses(ran.run(force=True, only=["second"])) == {"first": "cached", "second": "ran"}
    assert ran.runs() == ["first", "second", "first", "second", "second"]


def test_only_runs_the_step_and_what_it_needs(tmp_path: Path) -> None:
    project = make_project(tmp_path, "basic.yaml")
    result = project.run(only=["first"])
    assert statuses(result) == {"first": "ran", "second": "skipped"}
    assert "not selected" in result.steps["second"].message
    assert not result.report_updated and not (project.paths.reports / "index.html").exists()
    assert statuses(project.run(only=["second"])) == {"first": "cached", "second": "ran"}
    with pytest.raises(PipelineError, match="--only third: no such step"):
        project.run(only=["third"])


# -- parallel steps -----------------------------------------------------------------------
def test_independent_steps_overlap_with_two_jobs(tmp_path: Path) -> None:
    project = make_project(tmp_path, "parallel.yaml")
    assert statuses(project.run(jobs=2)) == {"a": "ran", "b": "ran"}
    processed = project.root / "data" / "processed"
    a = json.loads((processed / "a.json").read_text())
    b = json.loads((processed / "b.json").read_text())
    assert a["start"] < b["end"] and b["start"] < a["end"], (a, b)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_step_every_other_step_waits_for_may_use_every_core(tmp_path: Path, jobs: int) -> None:
    """With several jobs each kernel gets its share of the cores, except a step that
    every step left needs (intake): nothing runs beside it, so it gets them all."""
    project = make_project(tmp_path, "parallel.yaml")
    sleepy = {"notebook": "notebooks/sleepy.ipynb", "parameters": "sleepy"}

    def step(name: str, needs: list[str]) -> dict:
        values = {"name": name, "seconds": 0}
        return {
            **sleepy,
            "needs": needs,
            "outputs": [f"data/processed/{name}.json"],
            "values": values,
        }

    _write_pipeline(
        project.root,
        {"gate": step("gate", []), "b": step("b", ["gate"]), "c": step("c", ["gate"])},
    )
    cpus = os.cpu_count() or 1
    assert statuses(project.run(jobs=jobs)) == {"gate": "ran", "b": "ran", "c": "ran"}
    workers = {
        name: json.loads((project.paths.data_processed / f"{name}.json").read_text())["workers"]
        for name in ("gate", "b", "c")
    }
    share = str(max(cpus // jobs, 1))
    assert workers == {"gate": str(cpus), "b": share, "c": share}
    # an independent step beside it: the gate no longer runs alone
    _write_pipeline(
        project.root,
        {"gate": step("gate", []), "b": step("b", ["gate"]), "c": step("c", [])},
    )
    project.run(jobs=jobs, force=True)
    gate = json.loads((project.paths.data_processed / "gate.json").read_text())["workers"]
    assert gate == share


def test_with_one_job_the_next_step_starts_while_a_finished_steps_page_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step whose notebook has executed no longer holds the one kernel: the next step
    that is ready starts while its page is rendered, scanned and stored (it waited)."""
    project = make_project(tmp_path, "parallel.yaml")
    b_started = threading.Event()
    waited: list[bool] = []
    render = runner.render_html

    def rendering(nb, title, **kwargs):
        if nb.metadata["papermill"]["parameters"]["name"] == "a":
            waited.append(b_started.wait(timeout=90))
        return render(nb, title, **kwargs)

    def progress(event: ProgressEvent) -> None:
        if event.step == "b" and event.kind == "start":
            b_started.set()

    monkeypatch.setattr(runner, "render_html", rendering)
    result = project.run(jobs=1, progress=progress, overrides={"seconds": "0"})
    assert statuses(result) == {"a": "ran", "b": "ran"}
    assert waited == [True]
    assert verify_report(project.paths.reports) == []


def test_personal_data_on_a_finished_steps_page_stops_the_step_started_after_it(
    tmp_path: Path,
) -> None:
    """The next step starts while a finished step's page is scanned: a finding there
    still stops the run, kills the step that started meanwhile and publishes nothing."""
    project = make_project(tmp_path, "parallel.yaml")
    a = {"notebook": "notebooks/sleepy.ipynb", "parameters": "sleepy"}
    _write_pipeline(
        project.root,
        {
            "a": {
                **a,
                "outputs": ["data/processed/{name}.json"],
                "values": {"name": "070-1740605", "seconds": 0},
            },
            "b": {
                **a,
                "outputs": ["data/processed/b.json"],
                "values": {"name": "b", "seconds": 60},
            },
        },
    )
    with pytest.raises(PersonalDataFound, match=r"reports/steps/a\.ipynb: .* phone at \$"):
        project.run(jobs=1)
    assert kernel_children() == []  # b's kernel, if it had started, was killed
    assert not (project.paths.reports / "index.html").exists()
    assert not (project.paths.data_processed / "b.json").exists()


def test_with_several_jobs_the_longest_ready_step_starts_first(tmp_path: Path) -> None:
    from cape_study.runner.cache import StepCache
    from cape_study.runner.run import longest_first

    last = {"01": 8.5, "02": 10.3, "03": 3.9, "04": 25.9}
    assert longest_first(["01", "02", "03", "04"], last) == ["04", "02", "01", "03"]
    # never run (no time yet): after the others, in pipeline order
    assert longest_first(["a", "b", "c"], {"b": 1.0, "c": None}) == ["b", "a", "c"]
    project = make_project(tmp_path, "parallel.yaml")
    project.run(jobs=2)
    cache = StepCache(project.paths.cache, project.root)
    assert all(cache.last_seconds(name) > 0 for name in ("a", "b"))
    assert cache.last_seconds("missing") is None


# -- failures -----------------------------------------------------------------------------
def _report_state(reports: Path) -> dict[str, str]:
    return {
        p.relative_to(reports).as_posix(): sha256(p)
        for p in sorted(reports.rglob("*"))
        if p.is_file() and "failed" not in p.parts and p.name != ".run.lock"
    }


def test_failing_cell_is_named_and_leaves_the_previous_report(ran: Project) -> None:
    before = _report_state(ran.paths.reports)
    ran.use("failing.yaml")
    with pytest.raises(PipelineFailed) as info:
        ran.run()
    error = info.value
    assert error.step == "bad" and error.cell == 4
    assert (
        "step 'bad', cell 4: ZeroDivisionError: division by zero (cell 4 of 5, counting "
        "the code cells of notebooks/failing.ipynb from 1)" in str(error)
    )
    assert statuses(error.result) == {
        "first": "cached",
        "bad": "failed",
        "after_bad": "skipped",
        "independent": "ran",
    }
    assert "not run: step 'after_bad' (needs bad" in str(error)
    kept = json.loads((ran.paths.failed_reports / "bad.ipynb").read_text(encoding="utf-8"))
    errors = [o for c in kept["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors and errors[0]["ename"] == "ZeroDivisionError"
    assert _report_state(ran.paths.reports) == before
    assert not list(ran.paths.reports.glob(".tmp-*"))
    assert kernel_children() == []  # neither the steps' kernels nor a spare one


def test_killed_kernel_fails_its_step_and_leaves_no_process(tmp_path: Path) -> None:
    project = make_project(tmp_path, "killed.yaml")
    with pytest.raises(PipelineFailed, match=r"step 'killed', cell 3: the kernel died") as info:
        project.run()
    assert statuses(info.value.result) == {"killed": "failed", "after_killed": "skipped"}
    assert (project.paths.failed_reports / "killed.ipynb").is_file()
    pid = int((project.root / "kernel-a.pid").read_text())
    assert not alive(pid)
    assert kernel_children() == []
    assert not (project.paths.reports / "index.html").exists()


def _start_cli_run(root: Path, *args: str) -> tuple[subprocess.Popen, int]:
    """Start `cape-study run` on the one-step command-line fixture with a notebook that
    sleeps, and wait until its kernel runs; return the process and the kernel's pid."""
    env = {**os.environ, "CAPE_STUDY_ROOT": str(root), "CAPE_TEST_SLEEP": "60"}
    pid_file = root / "kernel.pid"
    pid_file.unlink(missing_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "cape_study.cli", "run", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (pid_file.exists() and pid_file.read_text()):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the run did not start its kernel: {process.communicate()}")
        time.sleep(0.1)
    return process, int(pid_file.read_text())


@pytest.fixture
def cli_project(tmp_path: Path) -> Iterator[Path]:
    """The command-line fixture project, run once (so it has a report); any run
    started in the test is killed at the end."""
    root = make_project(tmp_path, "cli.yaml").root
    run_pipeline(ProjectPaths(root), progress=None)
    yield root
    for child in psutil.Process().children():
        if "cape_study.cli" in " ".join(child.cmdline()):
            child.kill()
            child.wait()


def test_ctrl_c_leaves_no_half_written_report_and_no_kernel(cli_project: Path) -> None:
    reports = cli_project / "reports"
    before = _report_state(reports)
    process, kernel_pid = _start_cli_run(cli_project, "--force")
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    deadline = time.monotonic() + 10
    while alive(kernel_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(kernel_pid)
    assert _report_state(reports) == before
    assert not list(reports.glob(".tmp-*"))


def test_second_run_at_the_same_time_is_refused(cli_project: Path) -> None:
    process, _ = _start_cli_run(cli_project, "--force")
    with pytest.raises(PipelineBusy, match=r"another `cape-study run` is using .*reports"):
        run_pipeline(ProjectPaths(cli_project), progress=None, force=True, wait=0.3)
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=60)
    assert process.returncode == 130


# -- verify and the command line --------------------------------------------------------------
def test_verify_reports_every_changed_or_missing_file(ran: Project) -> None:
    reports = ran.paths.reports
    assert verify_report(reports) == []
    (ran.root / "data" / "processed" / "second.txt").write_text("edited by hand")
    (ran.root / "data" / "raw" / "input.txt").unlink()
    (reports / "steps" / "first.html").write_text("<p>replaced</p>")
    differences = {(d.path, d.found is None) for d in verify_report(reports)}
    assert differences == {
        ("data/processed/second.txt", False),
        ("data/raw/input.txt", True),
        ("steps/first.html", False),
    }
    text = "\n".join(str(d) for d in verify_report(reports))
    assert "changed: data/processed/second.txt (output of step second)" in text
    assert "missing: data/raw/input.txt (input of step first)" in text


def test_cli_run_and_verify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    root = make_project(tmp_path, "cli.yaml").root
    monkeypatch.setenv("CAPE_STUDY_ROOT", str(root))
    assert cli.main(["run", "-p", "nope=1"]) == 2
    assert "unknown parameter 'nope'" in capsys.readouterr().err
    assert cli.main(["run", "-p", "confidence_level=0.9", "-p", "attrition.lang=sv"]) == 0
    out = capsys.readouterr()
    assert "report:" in out.out and "[attrition] cell 2/2" in out.err
    written = json.loads((root / "data" / "processed" / "attrition.json").read_text())
    assert written == {"confidence_level": 0.9, "lang": "sv", "ci_method": "wilson"}
    assert cli.main(["verify"]) == 0
    (root / "data" / "processed" / "attrition.json").write_text("{}")
    assert cli.main(["verify", str(root / "reports")]) == 1
    assert "changed: data/processed/attrition.json" in capsys.readouterr().out


def test_benchmark_runs_against_a_fixture_project(tmp_path: Path) -> None:
    root = make_project(tmp_path, "cli.yaml").root
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_pipeline.py"), "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads((root / "reports" / "benchmarks" / "pipeline.json").read_text())
    assert figures["steps"] == ["attrition"]
    for key in ("cold_run_s", "noop_run_s", "plain_scripts_s", "cold_to_scripts_ratio"):
        assert figures[key] > 0
    assert (root / "reports" / "index.html").exists()


@pytest.mark.parametrize("own", [None, "2"])
def test_a_step_kernel_has_one_blas_thread_unless_the_environment_says(
    own: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runner starts each kernel with one OpenBLAS/OpenMP/MKL thread (a spinning
    second thread only cost CPU time), but a value the user set is kept."""
    from cape_study.runner.execution import _Kernel

    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    if own is not None:
        monkeypatch.setenv("OPENBLAS_NUM_THREADS", own)
    kernel = _Kernel("cape-study", tmp_path, scratch=tmp_path / "s", output=tmp_path / "o")
    try:
        environ = psutil.Process(kernel.pid).environ()
    finally:
        kernel.stop()
    assert environ["OPENBLAS_NUM_THREADS"] == (own or "1")
    assert environ["OMP_NUM_THREADS"] == environ["MKL_NUM_THREADS"] == "1"
