"""The notebooks as a researcher uses them in JupyterLab: Run All without papermill, the
first cell's guard and autoreload (cape_study.notebook)."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import copy_demo_project, tree_digest
from jupyter_core.utils import ensure_event_loop
from nbclient import NotebookClient

from cape_study import notebook
from cape_study.data.codebook import load_codebook
from cape_study.data.loaders import CaseFile
from cape_study.errors import CapeStudyError, StepFailed
from cape_study.paths import project
from cape_study.runner.pipeline import run_pipeline

KERNEL = "cape-study"
STEPS = ["01_attrition", "02_barriers", "03_models", "04_text_coding"]
COMMAND = "`make report` or `.venv/bin/cape-study run --only 00_intake`"


def _by_hand_env(root: Path) -> dict[str, str]:
    """A kernel's environment as JupyterLab gives it: the project named, no runner."""
    env = {k: v for k, v in os.environ.items() if k != notebook.RUN_ENV}
    return env | {"CAPE_STUDY_ROOT": str(root)}


def _client(nb: nbformat.NotebookNode, root: Path, **options: object) -> NotebookClient:
    return NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=600,
        resources={"metadata": {"path": str(root / "notebooks")}},
        **options,
    )


def _processed(root: Path, version: str) -> None:
    """A processed case file of empty tables, made with codebook ``version``."""
    folder = project(root).data_processed
    folder.mkdir(parents=True)
    for name in CaseFile.TABLES:
        (folder / f"{name}.parquet").write_bytes(b"")
    (folder / "metadata.json").write_text(json.dumps({"codebook_version": version}))


# -- setup(), in this process ---------------------------------------------------------
@pytest.fixture
def bare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo project before intake, as the library's project."""
    root = copy_demo_project(tmp_path)
    monkeypatch.setenv("CAPE_STUDY_ROOT", str(root))
    monkeypatch.delenv(notebook.RUN_ENV, raising=False)
    monkeypatch.setattr(notebook, "_current", None)  # no step set up by an earlier test
    return root


def test_setup_names_the_command_when_there_is_no_processed_case_file(bare: Path) -> None:
    with pytest.raises(notebook.NotebookError) as info:
        notebook.setup("01_attrition")
    assert str(info.value) == f"No processed case file in data/processed: run {COMMAND} first."
    assert isinstance(info.value, CapeStudyError)
    assert info.value._render_traceback_() == [str(info.value)]
    notebook.setup("00_intake")  # intake reads the raw case file: nothing to check


def test_setup_refuses_an_incomplete_or_outdated_processed_case_file(bare: Path) -> None:
    current = load_codebook().version
    _processed(bare, "0.9")
    with pytest.raises(notebook.NotebookError, match=r"codebook version 0\.9, but the current"):
        notebook.setup("02_barriers")
    (bare / "data" / "processed" / "events.parquet").unlink()
    with pytest.raises(notebook.NotebookError, match=r"incomplete \(no events.parquet\)"):
        notebook.setup("03_models")
    shutil.rmtree(bare / "data" / "processed")
    _processed(bare, current)
    notebook.setup("03_models")
    with pytest.raises(notebook.NotebookError, match=r"has no step '05_maps'.*01_attrition"):
        notebook.setup("05_maps")


# -- kernels --------------------------------------------------------------------------
def test_first_cell_reloads_an_edited_module_without_a_restart(bare: Path, tmp_path: Path) -> None:
    first = nbformat.read(bare / "notebooks" / "00_intake.ipynb", as_version=4).cells
    setup_cell = next(c for c in first if c.cell_type == "code")
    assert setup_cell.source.startswith("%load_ext autoreload\n%autoreload 2\n")
    package = tmp_path / "scratch"
    package.mkdir()
    module = package / "probe_module.py"
    module.write_text("def answer():\n    return 1\n")
    nb = nbformat.v4.new_notebook(
        cells=[
            setup_cell,
            nbformat.v4.new_code_cell(
                f"import sys\nsys.path.insert(0, {str(package)!r})\n"
                "from probe_module import answer\nanswer()"
            ),
            nbformat.v4.new_code_cell("answer()"),
        ]
    )
    client = _client(nb, bare)
    with client.setup_kernel(env=_by_hand_env(bare)):
        for index in range(2):
            client.execute_cell(nb.cells[index], index)
        module.write_text("def answer():\n    return 2\n")
        later = time.time() + 5  # a newer modification time, whatever the clock's grain
        os.utime(module, (later, later))
        client.execute_cell(nb.cells[2], 2)
    assert nb.cells[1].outputs[0]["data"]["text/plain"] == "1"
    assert nb.cells[2].outputs[0]["data"]["text/plain"] == "2"


def test_guard_stops_a_notebook_opened_by_hand_at_its_first_cell(bare: Path) -> None:
    nb = nbformat.read(bare / "notebooks" / "01_attrition.ipynb", as_version=4)
    first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    client = _client(nb, bare, allow_errors=True)
    errors = []
    with client.setup_kernel(env=_by_hand_env(bare)):
        client.execute_cell(nb.cells[first], first)
        errors.append(nb.cells[first].outputs[-1])
        _processed(bare, "0.9")
        client.execute_cell(nb.cells[first], first)
        errors.append(nb.cells[first].outputs[-1])
    missing, outdated = errors
    for error in errors:
        assert error["output_type"] == "error" and error["ename"] == "NotebookError"
        assert len(error["traceback"]) == 1  # one sentence, no frames
        assert "Traceback" not in error["traceback"][0] and "File " not in error["traceback"][0]
        assert error["traceback"][0].endswith(".") and COMMAND in error["traceback"][0]
    expected = f"No processed case file in data/processed: run {COMMAND} first."
    assert missing["traceback"] == [expected]
    assert "made with codebook version 0.9" in outdated["traceback"][0]


def test_the_runner_still_names_the_step_and_cell_of_the_guard(bare: Path) -> None:
    pipeline = (bare / "pipeline.yaml").read_text(encoding="utf-8")
    # 01_attrition alone, as if intake had run: its first cell finds nothing to read.
    steps = pipeline.split("\n  01_attrition:")[1].split("\n  02_barriers:")[0]
    (bare / "pipeline.yaml").write_text(
        "steps:\n  01_attrition:" + steps.replace("needs: [00_intake]", "needs: []"),
        encoding="utf-8",
    )
    with pytest.raises(StepFailed) as info:
        run_pipeline(project(bare), progress=lambda event: None)
    assert info.value.step == "01_attrition" and info.value.cell == 1
    assert f"NotebookError: No processed case file in data/processed: run {COMMAND}" in str(
        info.value
    )


def test_every_analysis_notebook_runs_all_by_hand(demo_report: Path, tmp_path: Path) -> None:
    """Run All in JupyterLab: no parameters injected, the kernel in notebooks/."""
    root = tmp_path / "project"
    shutil.copytree(demo_report, root)

    def run_all(step: str) -> list[str]:
        nb = nbformat.read(root / "notebooks" / f"{step}.ipynb", as_version=4)
        try:
            _client(nb, root).execute(env=_by_hand_env(root))  # raises on a cell's error
        finally:
            ensure_event_loop().close()  # the loop nbclient made for this thread
        return [o.ename for c in nb.cells for o in c.get("outputs", []) if "ename" in o]

    published = tree_digest(root / "reports")
    with ThreadPoolExecutor(2) as pool:  # two kernels at a time, as two open tabs
        errors = dict(zip(STEPS, pool.map(run_all, STEPS), strict=True))
    assert errors == {step: [] for step in STEPS}
    # Exploring leaves the published report alone: its exports and lists go to reports/lab.
    lab = root / "reports" / "lab"
    assert {k: v for k, v in tree_digest(root / "reports").items() if k.split("/")[0] != "lab"} == (
        published
    )
    assert sorted(p.name for p in (lab / "tables").iterdir()) == [f"{s}.xlsx" for s in STEPS]
    assert (lab / "barriers" / "disagreements.csv").is_file()
    assert (lab / "text_coding" / "suggestions.csv").is_file()


# -- exports --------------------------------------------------------------------------
def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.bar(["SE", "FI"], [12, 7], label="cases")
    ax.set_title("Ärenden per land")
    ax.legend()
    return fig


def test_figures_are_written_at_300_dpi_with_the_same_bytes_each_time(tmp_path: Path) -> None:
    from PIL import Image

    fig = _figure()
    first = notebook.write_figure(fig, tmp_path / "a", "Cases by country: SE/FI")
    second = notebook.write_figure(fig, tmp_path / "b", "Cases by country: SE/FI")
    assert [p.name for p in first] == ["cases-by-country-se-fi.png", "cases-by-country-se-fi.svg"]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    with Image.open(first[0]) as image:
        assert [round(d) for d in image.info["dpi"]] == [300, 300]
        assert image.width >= 4 * 300 * 0.8  # 4 inches wide, cropped to the drawing
    svg = first[1].read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    # real text, not glyph outlines: the title can be searched and edited
    assert ">Ärenden per land</text>" in svg and '<use xlink:href="#DejaVu' not in svg


def test_a_synthetic_runs_figures_carry_the_mark_the_notebook_does_not(tmp_path: Path) -> None:
    fig = _figure()
    texts = len(fig.texts)
    svg = notebook.write_figure(fig, tmp_path, "Cases", mark="SYNTETISKA DATA")[1]
    assert ">SYNTETISKA DATA</text>" in svg.read_text(encoding="utf-8")
    assert len(fig.texts) == texts  # the figure as shown keeps no mark
    plain = notebook.write_figure(fig, tmp_path / "real", "Cases")[1]
    assert "SYNTETISKA" not in plain.read_text(encoding="utf-8")


def _funnel_table(lang: str) -> pd.DataFrame:
    from cape_study.present import tables
    from cape_study.privacy import disclosure

    counts = pd.DataFrame(
        {"sector": ["agriculture_forestry", "cleaning", "construction"], "country": "SE"}
    ).assign(cases=[12, 3, 20])
    safe = disclosure.suppress(counts, "cases", threshold=5, name="test sectors")
    return tables.count_table(
        safe,
        index="sector",
        columns="country",
        values="cases",
        schemes={"sector": "sector", "country": "country"},
        lang=lang,
    )


def _workbook(path: Path, lang: str, synthetic: bool = True) -> Path:
    table = _funnel_table(lang)
    wide = pd.DataFrame(
        [["12 (34%; 20–50)", "3 (·; ·)"]],
        columns=pd.MultiIndex.from_tuples([("Sweden", "reported"), ("Sweden", "prosecuted")]),
    )
    return notebook.write_workbook(
        path,
        {"Cases by sector": table, "Funnel: by sector [SE]": wide, "Cases by sector ": table},
        step="00_intake",
        title="Intake",
        parameters={"min_cell_count": 5, "lang": lang, "predictors": ["country", "sector"]},
        metadata={"synthetic": synthetic, "codebook_version": "1.0", "data_cutoff": "2024-12-31"},
    )


def test_workbook_marks_suppressed_cells_and_names_its_sheets(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(_workbook(tmp_path / "en.xlsx", "en"))
    assert book.sheetnames == [
        "About",
        "T1 Cases by sector",
        "T2 Funnel by sector SE",
        "T3 Cases by sector",
    ]
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True) if r[0]}
    assert about["WARNING"].startswith("SYNTHETIC DATA")
    assert about["Codebook version"] == "1.0" and about["Data cut-off"] == "2024-12-31"
    assert about["min_cell_count"] == 5 and about["predictors"] == "country, sector"
    assert "from 1 to 4" in about[".."] and "any number" in about["x"]
    assert about["T2 Funnel by sector SE"] == "Funnel: by sector [SE]"
    rows = list(book["T1 Cases by sector"].iter_rows(values_only=True))
    # a synthetic run's sheets start with its warning, in red, and print it on every page
    assert rows[0] == (about["WARNING"], None)
    assert book["T1 Cases by sector"]["A1"].font.color.rgb.endswith("B00020")
    assert book["T1 Cases by sector"].oddHeader.center.text == "SYNTHETIC DATA"
    assert all(
        next(book[name].iter_rows(values_only=True))[0] == about["WARNING"]
        for name in book.sheetnames[1:]
    )
    rows = rows[1:]
    assert rows[0] == ("Sector", "Sweden")
    # 3 cases, hidden because small: the small count's mark, and its legend under the table
    assert ("Agriculture and forestry", 12) in rows and ("Cleaning", "..") in rows
    assert rows[-1] == ("..", about[".."]) and rows[-2] == (None, None)
    assert book["T1 Cases by sector"]["B3"].number_format == "#,##0"
    wide = list(book["T2 Funnel by sector SE"].iter_rows(values_only=True))[1:]
    assert wide == [("Sweden", None), ("reported", "prosecuted"), ("12 (34%; 20–50)", "3 (·; ·)")]
    plain = load_workbook(_workbook(tmp_path / "real.xlsx", "en", synthetic=False))
    assert "WARNING" not in [r[0] for r in plain["About"].iter_rows(values_only=True)]
    assert next(plain["T1 Cases by sector"].iter_rows(values_only=True)) == ("Sector", "Sweden")
    assert not plain["T1 Cases by sector"].oddHeader.center.text


def test_workbook_writes_intervals_in_their_own_columns_as_numbers(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from cape_study.present import display

    table = pd.DataFrame(
        {
            "Stage": ["Reported", "Charged", "Convicted"],
            "Cases": [display.count_share_cell(40, 0.4, 0.31, 0.5), "..", "x"],
            "Share (95% CI)": [
                display.share_cell(0.4, 0.31, 0.5),
                display.estimate_cell(0.2),
                display.share_cell(float("nan"), 0, 0),
            ],
            "Odds ratio": [
                display.ratio_interval_cell(2.5, 1.25, float("inf")),
                display.ratio_interval_cell(float("nan"), 1.0, 2.0),
                "–",
            ],
        }
    )
    long = "Stage funnel by country and period of the report, all stages"
    path = notebook.write_workbook(
        tmp_path / "t.xlsx",
        {long: table, long + " (Finland)": table},
        step="01_attrition",
        title="Attrition",
        parameters={"min_cell_count": 5, "lang": "sv"},
        metadata={},
    )
    book = load_workbook(path)
    assert book.sheetnames == [
        "Om",
        "T1 Stage funnel by country and…",
        "T2 Stage funnel by country and…",
    ]
    assert all(len(name) <= 31 for name in book.sheetnames)
    about = {r[0]: r[1] for r in book["Om"].iter_rows(values_only=True) if r[0]}
    assert about["T2 Stage funnel by country and…"] == long + " (Finland)"
    sheet = book["T1 Stage funnel by country and…"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Stage",
        "Cases: antal",
        "Cases: skattning",
        "Cases: nedre gräns",
        "Cases: övre gräns",
        "Share (95% CI): skattning",
        "Share (95% CI): nedre gräns",
        "Share (95% CI): övre gräns",
        "Odds ratio: skattning",
        "Odds ratio: nedre gräns",
        "Odds ratio: övre gräns",
    )
    # numbers, not text; a hidden cell keeps its mark in each of its columns; an
    # estimate without an interval leaves the bounds blank; an infinite bound stays ∞
    assert rows[1] == ("Reported", 40, 0.4, 0.31, 0.5, 0.4, 0.31, 0.5, 2.5, 1.25, "∞")
    assert rows[2] == ("Charged", "..", "..", "..", "..", 0.2, None, None, "x", 1.0, 2.0)
    assert rows[3] == ("Convicted", "x", "x", "x", "x", "x", "x", "x", "–", "–", "–")
    formats = [c.number_format for c in sheet[2]]
    assert formats[1:9] == ["#,##0", *["0.0%"] * 6, "0.00"]
    assert [r[0] for r in rows[-2:]] == ["..", "x"]  # the legend of both marks


def test_workbook_in_swedish_and_byte_for_byte_the_same(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    first = _workbook(tmp_path / "a.xlsx", "sv")
    time.sleep(1.1)  # a later clock must not change a byte
    second = _workbook(tmp_path / "b.xlsx", "sv")
    assert first.read_bytes() == second.read_bytes()
    book = load_workbook(first)
    assert book.sheetnames[0] == "Om"
    rows = list(book["T1 Cases by sector"].iter_rows(values_only=True))
    assert rows[0][0].startswith("SYNTETISKA DATA") and book["T1 Cases by sector"].oddHeader
    assert rows[1] == ("Bransch", "Sverige") and ("Städ och lokalvård", "..") in rows
    about = {r[0]: r[1] for r in book["Om"].iter_rows(values_only=True) if r[0]}
    assert about["VARNING"].startswith("SYNTETISKA DATA") and "under 5" in about[".."]


#: A name a notebook shows a table under (capitalised; disclosure control's names are not).
_SHOWN_NAME = re.compile(r'\bname=(f?)"((?:[A-Z]|\{name\.capitalize\(\)\})[^"]*)"')


def test_every_table_a_notebook_names_has_a_swedish_name() -> None:
    """The names the notebooks show their tables under (the keys of the workbook's
    sheets) each have a Swedish name, a name built from codes by its pattern."""
    from cape_study.present.labels import TABLE_NAMES

    shown = []
    for path in sorted(project().notebooks.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                shown += _SHOWN_NAME.findall(cell.source)
    literal = {name for f, name in shown if not f}
    built = {re.sub(r"\{(\w+)[^}]*\}", r"{\1}", name) for f, name in shown if f}
    assert len(literal) > 30 and len(built) > 10
    built = {name.replace("{name}", "Still open") for name in built}  # survival's names
    assert (literal | built) - set(TABLE_NAMES["sv"]) == set()


def test_workbook_sheets_are_named_in_the_run_language(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    table = _funnel_table("sv")
    names = [
        "Stage funnel",
        "Funnel by police_region",
        "Odds ratios within FI",
        "Prevalence: barrier",
    ]
    book = load_workbook(
        notebook.write_workbook(
            tmp_path / "sv.xlsx",
            dict.fromkeys(names, table),
            step="01_attrition",
            title="Avgångar",
            parameters={"min_cell_count": 5, "lang": "sv"},
            metadata={},
        )
    )
    about = {r[0]: r[1] for r in book["Om"].iter_rows(values_only=True) if r[0]}
    sheets = book.sheetnames[1:]
    assert [about[s] for s in sheets] == [
        "Trattan, totalt och per land",
        "Trattan efter polisregion / polisinrättning",
        "Oddskvoter inom Finland",
        "Förekomst: Hinder för lagföring",
    ]
    assert (
        sheets[0] == "T1 Trattan, totalt och per land" and sheets[2] == "T3 Oddskvoter inom Finland"
    )
    assert all(len(s) <= 31 for s in sheets) and sheets[1].endswith("…")
    # English keeps the name and labels the codes in it
    from cape_study.present.workbooks import table_name

    assert table_name("Funnel by police_region", "en").startswith("Funnel by police region")
    assert table_name("A table of its own", "sv") == "A table of its own"
    before = table_name("Funnel before and after se_manniskoexploatering", "sv")
    assert before == "Trattan före och efter 2018-07-01, Människoexploatering i kraft (BrB 4:1 b)"


def test_workbook_in_finnish_names_its_about_sheet_and_parts_in_finnish(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from cape_study.present import display

    table = pd.DataFrame({"Vaihe": ["A"], "Osuus": [display.share_cell(0.4, 0.31, 0.5)]})
    path = notebook.write_workbook(
        tmp_path / "fi.xlsx",
        {"Osuudet": table},
        step="01_attrition",
        title="Attrition",
        parameters={"min_cell_count": 5, "lang": "fi"},
        metadata={"synthetic": True},
    )
    book = load_workbook(path)
    assert book.sheetnames == ["Tietoja", "T1 Osuudet"]
    rows = list(book["T1 Osuudet"].iter_rows(values_only=True))
    assert ("Vaihe", "Osuus: estimaatti", "Osuus: alaraja", "Osuus: yläraja") in rows
    about = {r[0]: r[1] for r in book["Tietoja"].iter_rows(values_only=True) if r[0]}
    assert about["VAROITUS"].startswith("SYNTEETTINEN AINEISTO")


def test_exports_of_a_notebook_run_by_hand_go_to_reports_lab(bare: Path) -> None:
    from openpyxl import load_workbook

    from cape_study.present import plots, tables

    stale = bare / "reports" / "lab" / "figures" / "00_intake" / "old-name.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"")
    notebook.setup("00_intake")
    assert not stale.exists()  # a renamed figure leaves nothing behind
    # intake loads the case file itself: the processed metadata is an earlier run's
    with pytest.raises(notebook.NotebookError, match=r"case_is_synthetic\(case\.synthetic\)"):
        plots.show(_figure(), "Cases by country")
    notebook.case_is_synthetic(True)
    tables.show(_funnel_table("en"), name="Cases by sector")
    plots.show(_figure(), "Cases by country")
    with pytest.raises(notebook.NotebookError, match=r"both be saved as cases-by-country\.png"):
        plots.show(_figure(), "Cases, by country")
    params = {"case_file": "data/raw/demo", "codebook": "cape_v2", "data_cutoff": "2024-12-31"}
    with pytest.raises(notebook.NotebookError, match=r"no value for parameter.*min_cell_count"):
        notebook.finish(params)
    params |= {
        "min_cell_count": 5,
        "key_file": "~/k",
        "lang": "en",
        "case_label": "",
        "period_years": 4,
        "legal_changes": ["se_nja_2022_s23"],
        "unrelated": 1,
    }
    workbook = notebook.finish(params)
    lab = bare / "reports" / "lab"
    assert workbook == lab / "tables" / "00_intake.xlsx"
    assert sorted(p.name for p in (lab / "figures" / "00_intake").iterdir()) == [
        "cases-by-country.png",
        "cases-by-country.svg",
    ]
    about = {r[0]: r[1] for r in load_workbook(workbook)["About"].iter_rows(values_only=True)}
    assert "not the published report" in about["Made by"] and "unrelated" not in about
    assert not (bare / "reports" / "figures").exists()
    assert not (bare / "reports" / "tables").exists()


def test_demo_run_exports_figures_and_workbooks_listed_in_the_manifest(demo_report: Path) -> None:
    from openpyxl import load_workbook
    from PIL import Image

    from cape_study.runner.provenance import sha256

    reports = demo_report / "reports"
    manifest = json.loads((reports / "manifest.json").read_text())
    for step in ["00_intake", *STEPS]:
        outputs = manifest["steps"][step]["outputs"]
        figures = sorted((reports / "figures" / step).iterdir())
        assert figures and {p.suffix for p in figures} == {".png", ".svg"}, step
        assert len([p for p in figures if p.suffix == ".png"]) * 2 == len(figures)
        workbook = reports / "tables" / f"{step}.xlsx"
        for path in [*figures, workbook]:
            assert outputs[path.relative_to(demo_report).as_posix()] == sha256(path)
        with Image.open(next(p for p in figures if p.suffix == ".png")) as image:
            assert [round(d) for d in image.info["dpi"]] == [300, 300]
    attrition = load_workbook(reports / "tables" / "01_attrition.xlsx")
    assert attrition.sheetnames[:2] == ["About", "T1 Stage funnel"]
    full = {r[1]: r[0] for r in attrition["About"].iter_rows(values_only=True) if r[0]}
    assert "Funnel by report period" in full  # the code of its name (period) labelled
    intake = load_workbook(reports / "tables" / "00_intake.xlsx")
    full = {r[1]: r[0] for r in intake["About"].iter_rows(values_only=True) if r[0]}
    by_region = list(intake[full["Cases by police region"]].iter_rows(values_only=True))
    assert by_region[0][0].startswith("SYNTHETIC DATA")  # the demo is synthetic
    by_region = by_region[1:]
    assert by_region[0] == ("Country", "Police region / police department", "Cases")
    marks = {"..", "x"}  # a small count; any hidden count
    assert any(row[2] in marks for row in by_region)  # Finnish departments with few cases
    table = by_region[1 : by_region.index((None, None, None))]
    assert all(isinstance(row[2], int) or row[2] in marks for row in table)
    assert not (reports / "lab").exists()  # the runner's exports are the report's


def test_running_setup_again_starts_an_empty_session(bare: Path) -> None:
    from openpyxl import load_workbook

    from cape_study.present import plots, tables

    notebook.setup("00_intake")
    notebook.case_is_synthetic(True)
    first = notebook.current()
    tables.show(_funnel_table("en"), name="Cases by sector")
    plots.show(_figure(), "Cases by country")
    notebook.setup("00_intake")  # the first cell run again by hand
    assert notebook.current() is not first and notebook.current().tables == {}
    assert notebook.current().is_synthetic()  # the case file loaded in the kernel is the same
    plots.show(_figure(), "Cases, by country")  # the old name went with the old session
    tables.show(_funnel_table("en"), name="Cases by sector, again")
    params = {"case_file": "data/raw/demo", "codebook": "cape_v2", "data_cutoff": "2024-12-31"}
    params |= {"min_cell_count": 5, "key_file": "~/k", "lang": "en", "case_label": ""}
    params |= {"period_years": 4, "legal_changes": ["se_nja_2022_s23"]}
    book = load_workbook(notebook.finish(params))
    assert book.sheetnames == ["About", "T1 Cases by sector, again"]
    figures = bare / "reports" / "lab" / "figures" / "00_intake"
    assert sorted(p.name for p in figures.iterdir()) == [
        "cases-by-country.png",
        "cases-by-country.svg",
    ]


def test_intake_marks_its_figures_by_the_case_file_it_loaded_not_an_earlier_runs(
    bare: Path,
) -> None:
    """A hostile tester found intake's figures unmarked on a cold run of the synthetic
    demo: they were drawn before intake wrote this run's metadata, so the mark followed
    the previous run's case file (none on a cold run; a real one's after it)."""
    processed = bare / "data" / "processed"
    processed.mkdir(parents=True, exist_ok=True)
    (processed / "metadata.json").write_text('{"synthetic": false}', encoding="utf-8")
    notebook.setup("00_intake")
    notebook.case_is_synthetic(True)
    assert notebook.current().is_synthetic()
    notebook.case_is_synthetic(False)
    assert not notebook.current().is_synthetic()
    session = notebook.Session("01_attrition", "Attrition", "attrition", project(), False)
    assert not session.is_synthetic()  # a later step reads what intake wrote
    (processed / "metadata.json").write_text('{"synthetic": true}', encoding="utf-8")
    assert session.is_synthetic()
