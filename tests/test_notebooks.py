"""The real pipeline end to end: the committed notebooks on the committed demo data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import copy_demo_project as _project
from language_words import causal_claims
from test_scenarios import _takeaways

from cape_study.errors import StepFailed
from cape_study.paths import project
from cape_study.runner.manifest import verify_report
from cape_study.runner.pipeline import run_pipeline


def test_demo_pipeline_writes_a_synthetic_report_inside_its_own_project(demo_report: Path) -> None:
    index = (demo_report / "reports" / "index.html").read_text(encoding="utf-8")
    assert "SYNTHETIC DATA" in index
    # the takeaway names the countries by their labels, never by their codes
    assert "Two years after the report" in index and "Sweden" in index and "Finland" in index
    assert "SE:" not in index and "FI:" not in index
    attrition = (demo_report / "reports" / "steps" / "01_attrition.html").read_text(
        encoding="utf-8"
    )
    assert "SYNTHETIC DATA" in attrition and "data:image/png;base64" in attrition
    assert "min_cell_count" not in attrition  # no parameters cell, no code
    # The kernel worked in the temporary project, not in the checkout.
    assert (demo_report / "data" / "processed" / "metadata.json").exists()
    meta = json.loads((demo_report / "data" / "processed" / "metadata.json").read_text())
    assert meta["synthetic"] is True and meta["rows"]["cases"] == 400


def test_demo_manifest_records_suppression_and_verifies(demo_report: Path) -> None:
    manifest = json.loads((demo_report / "reports" / "manifest.json").read_text())
    assert manifest["synthetic"] is True
    tables = {record["table"] for record in manifest["disclosure"]}
    assert "stage funnel" in tables
    assert all("value" not in record for record in manifest["disclosure"])
    assert verify_report(demo_report / "reports", root=demo_report) == []


def test_broken_case_file_stops_the_intake_and_writes_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path)
    cases = root / "data" / "raw" / "demo" / "cases.csv"
    lines = cases.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",SE,", ",NO,", 1)
    cases.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(StepFailed) as info:
        run_pipeline(project(root), progress=lambda event: None)
    assert info.value.step == "00_intake" and "CaseFileError" in str(info.value)
    assert not (root / "data" / "processed").exists()
    assert not (root / "reports" / "index.html").exists()
    assert (root / "reports" / "failed" / "00_intake.ipynb").exists()


def test_demo_barriers_step_renders_and_writes_the_coders_work_list(demo_report: Path) -> None:
    page = (demo_report / "reports" / "steps" / "02_barriers.html").read_text(encoding="utf-8")
    assert "SYNTHETIC DATA" in page and page.count("data:image/png;base64") >= 5
    assert "Krippendorff" in page and "coder_rule" not in page
    work_list = demo_report / "reports" / "barriers" / "disagreements.csv"
    header = work_list.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:5] == ["unit_id", "case_id", "scheme", "code", "label"]
    assert header[-2:] == ["resolved_present", "note"]
    manifest = json.loads((demo_report / "reports" / "manifest.json").read_text())
    assert "reports/barriers/disagreements.csv" in manifest["steps"]["02_barriers"]["outputs"]
    tables = {r["table"] for r in manifest["disclosure"] if r["step"] == "02_barriers"}
    assert "barriers in closure decisions by stage" in tables
    assert "more often in prosecuted cases" not in page and "closed − prosecuted" not in page


def test_demo_models_step_reports_separation_firth_and_forest_plots(demo_report: Path) -> None:
    page = (demo_report / "reports" / "steps" / "03_models.html").read_text(encoding="utf-8")
    assert "SYNTHETIC DATA" in page and page.count("data:image/png;base64") >= 2
    assert "separation" in page and "Firth penalised likelihood" in page
    assert "profile penalised likelihood" in page and "Too few events per variable" in page
    assert "logit_method" not in page  # no parameters cell, no code
    manifest = json.loads((demo_report / "reports" / "manifest.json").read_text())
    tables = {r["table"] for r in manifest["disclosure"] if r["step"] == "03_models"}
    assert "cases by outcome: joint_inspection" in tables


def test_demo_text_coding_step_compares_methods_and_writes_the_review_list(
    demo_report: Path,
) -> None:
    page = (demo_report / "reports" / "steps" / "04_text_coding.html").read_text(encoding="utf-8")
    assert "SYNTHETIC DATA" in page and "data:image/png;base64" in page
    assert "Classifier" in page and "Dictionary" in page and "Two coders" in page
    assert "min_examples" not in page  # no parameters cell, no code
    review = demo_report / "reports" / "text_coding" / "suggestions.csv"
    header = review.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:5] == ["unit_id", "case_id", "doc_type", "scheme", "code"]
    assert header[-2:] == ["reviewed_present", "note"]
    manifest = json.loads((demo_report / "reports" / "manifest.json").read_text())
    assert "reports/text_coding/suggestions.csv" in manifest["steps"]["04_text_coding"]["outputs"]
    index = (demo_report / "reports" / "index.html").read_text(encoding="utf-8")
    assert "the classifier reaches a median κ" in index


def test_demo_report_document_and_index_link_every_part(demo_report: Path) -> None:
    import hashlib

    from cape_study.runner.pages import SYNTHETIC_BANNER

    reports = demo_report / "reports"
    manifest = json.loads((reports / "manifest.json").read_text())
    document = (reports / "report.html").read_text(encoding="utf-8")
    assert document.count(SYNTHETIC_BANNER) == 1 and "<script" not in document
    starts = [
        document.index(f'<section class="cape-step" id="step-{name}">')
        for name in manifest["steps"]
    ]
    assert starts == sorted(starts) and len(starts) == 5
    assert starts[-1] < document.index('id="codebook"') < document.index('id="provenance"')
    assert "CAPE study codebook" in document and "Closure reason" in document
    # The data hash is the case file's, computed here from the files themselves.
    case_file = demo_report / "data" / "raw" / "demo"
    files = sorted(p for p in case_file.rglob("*") if p.is_file())
    lines = sorted(
        f"{p.relative_to(case_file).as_posix()}\0{hashlib.sha256(p.read_bytes()).hexdigest()}\n"
        for p in files
    )
    data_hash = hashlib.sha256("".join(lines).encode()).hexdigest()
    assert manifest["data"]["sha256"] == data_hash and manifest["data"]["files"] == len(files)
    assert data_hash in document[document.index('id="provenance"') :]
    for name in manifest["steps"]:
        page = (reports / "steps" / f"{name}.html").read_text(encoding="utf-8")
        assert page.count(SYNTHETIC_BANNER) == 1, name
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert index.count(SYNTHETIC_BANNER) == 1 and 'href="report.html"' in index
    # Each step's notebook and every output it declares under reports/ (work lists,
    # workbooks, figures) is linked.
    for name, step in manifest["steps"].items():
        files = [f"steps/{name}.ipynb"]
        files += [
            rel.removeprefix("reports/") for rel in step["outputs"] if rel.startswith("reports/")
        ]
        for href in files:
            assert f'href="{href}"' in index and (reports / href).is_file(), href
    assert 'href="barriers/disagreements.csv"' in index


def test_no_takeaway_of_the_demo_claims_a_cause(demo_report: Path) -> None:
    """The takeaways of 00-04 make no causal claim that coded case files cannot carry:
    causal wording stands only in a sentence saying the design cannot show a cause
    (language_words.causal_claims)."""
    pages = sorted((demo_report / "reports" / "steps").glob("*.html"))
    texts = {p.stem: _takeaways(p.read_text(encoding="utf-8")) for p in pages}
    assert len(pages) == 5 and all(texts.values()), texts
    claims = {step: [c for t in found for c in causal_claims(t)] for step, found in texts.items()}
    assert not any(claims.values()), claims
