"""Shared fixtures: a small, hand-written, valid synthetic case file to break in tests."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
from pathlib import Path

import pytest

from cape_study.present import display
from cape_study.runner import browser

# A tiny case file that passes validation. Every name and number in it is invented.
VALID_TABLES: dict[str, list[dict[str, str]]] = {
    "cases": [
        {
            "case_id": "SE-1",
            "report_date": "2019-03-01",
            "country": "SE",
            "police_region": "se_syd",
            "offence_reported": "manniskohandel",
            "sector": "agriculture_forestry",
            "detection_channel": "joint_inspection",
            "n_victims": "2",
            "n_suspects": "2",
            "interpreter_needed": "1",
        },
        {
            "case_id": "SE-2",
            "report_date": "2020-06-15",
            "country": "SE",
            "police_region": "se_stockholm",
            "offence_reported": "manniskoexploatering",
            "sector": "cleaning",
            "detection_channel": "victim",
            "n_victims": "1",
            "n_suspects": "1",
            "interpreter_needed": "0",
        },
        {
            "case_id": "FI-1",
            "report_date": "2021-02-10",
            "country": "FI",
            "police_region": "fi_helsinki",
            "offence_reported": "ihmiskauppa",
            "sector": "hotel_restaurant",
            "detection_channel": "ngo",
            "n_victims": "1",
            "n_suspects": "1",
            "interpreter_needed": "",
        },
    ],
    "events": [
        {"case_id": "SE-1", "suspect_id": "", "stage": "reported", "date": "2019-03-01"},
        {
            "case_id": "SE-1",
            "suspect_id": "",
            "stage": "investigation_opened",
            "date": "2019-03-05",
        },
        {"case_id": "SE-1", "suspect_id": "S-1", "stage": "suspect_notified", "date": "2019-05-01"},
        {
            "case_id": "SE-1",
            "suspect_id": "S-1",
            "stage": "prosecuted",
            "date": "2019-09-01",
            "offence": "manniskohandel",
        },
        {
            "case_id": "SE-1",
            "suspect_id": "S-1",
            "stage": "prosecuted",
            "date": "2019-09-01",
            "offence": "ocker",
            "alternative": "1",
        },
        {
            "case_id": "SE-1",
            "suspect_id": "S-1",
            "stage": "judgment_first_instance",
            "date": "2019-12-01",
            "offence": "manniskohandel",
            "outcome": "convicted_trafficking",
        },
        {
            "case_id": "SE-1",
            "suspect_id": "S-1",
            "stage": "judgment_appeal",
            "date": "2020-05-01",
            "offence": "manniskohandel",
            "outcome": "acquitted",
        },
        {
            "case_id": "SE-1",
            "suspect_id": "S-2",
            "stage": "closed",
            "date": "2019-08-01",
            "closure_reason": "brott_kan_inte_styrkas",
        },
        {"case_id": "SE-2", "suspect_id": "", "stage": "reported", "date": "2020-06-15"},
        {
            "case_id": "SE-2",
            "suspect_id": "",
            "stage": "closed",
            "date": "2020-10-01",
            "closure_reason": "spaningsresultat_saknas",
        },
        {"case_id": "FI-1", "suspect_id": "", "stage": "reported", "date": "2021-02-10"},
    ],
    "victims": [
        {
            "victim_id": "V-1",
            "case_id": "SE-1",
            "sex": "male",
            "age_band": "age_25_34",
            "citizenship": "TH",
            "residence_status": "seasonal_work_permit",
            "left_country": "1",
            "gave_statement": "1",
            "had_counsel": "1",
            "received_support": "0",
        },
        {
            "victim_id": "V-2",
            "case_id": "SE-1",
            "sex": "male",
            "age_band": "age_35_44",
            "citizenship": "TH",
            "residence_status": "seasonal_work_permit",
            "left_country": "1",
            "gave_statement": "0",
            "had_counsel": "0",
            "received_support": "",
        },
        {
            "victim_id": "V-3",
            "case_id": "SE-2",
            "sex": "female",
            "age_band": "age_18_24",
            "citizenship": "UA",
            "residence_status": "work_permit",
            "left_country": "0",
            "gave_statement": "1",
            "had_counsel": "0",
            "received_support": "1",
        },
        {
            "victim_id": "V-4",
            "case_id": "FI-1",
            "sex": "female",
            "age_band": "unknown",
            "citizenship": "XX",
            "residence_status": "unknown",
        },
    ],
    "suspects": [
        {
            "suspect_id": "S-1",
            "case_id": "SE-1",
            "kind": "person",
            "sex": "male",
            "citizenship": "SE",
            "role": "employer",
        },
        {"suspect_id": "S-2", "case_id": "SE-1", "kind": "company", "role": "staffing_agency"},
        {
            "suspect_id": "S-3",
            "case_id": "SE-2",
            "kind": "person",
            "sex": "female",
            "citizenship": "SE",
            "role": "employer",
        },
        {"suspect_id": "S-4", "case_id": "FI-1", "kind": "person", "sex": "unknown"},
    ],
    "documents": [
        {
            "doc_id": "D-1",
            "case_id": "SE-1",
            "doc_type": "police_report",
            "date": "2019-03-01",
            "language": "sv",
            "path": "D-1.txt",
        },
        {
            "doc_id": "D-2",
            "case_id": "SE-2",
            "doc_type": "closure_decision",
            "date": "2020-10-01",
            "language": "sv",
            "path": "D-2.txt",
        },
    ],
    "codings": [
        {
            "unit_id": "D-2",
            "coder": "C1",
            "codebook_version": "1.0",
            "scheme": "barrier",
            "code": "victim_left_country",
            "present": "0",
        },
        {
            "unit_id": "D-2",
            "coder": "C2",
            "codebook_version": "1.0",
            "scheme": "barrier",
            "code": "victim_left_country",
            "present": "1",
        },
        {
            "unit_id": "SE-1",
            "coder": "C1",
            "codebook_version": "1.0",
            "scheme": "ilo_indicator",
            "code": "withholding_of_wages",
            "present": "1",
        },
        {
            "unit_id": "SE-1",
            "coder": "C1",
            "codebook_version": "1.0",
            "scheme": "agency_sign",
            "code": "lives_at_workplace",
            "present": "1",
        },
    ],
}

DOCUMENT_TEXTS = {
    "D-1.txt": "Anmälan om människohandel. Arbetarna bodde på gården i Åsele och fick "
    "ingen lön för juli.",
    "D-2.txt": "Beslut: Förundersökningen läggs ned. Skäl: Spaningsresultat saknas.",
}

COLUMNS = {
    "cases": [
        "case_id",
        "report_date",
        "country",
        "police_region",
        "offence_reported",
        "sector",
        "detection_channel",
        "n_victims",
        "n_suspects",
        "interpreter_needed",
    ],
    "events": [
        "case_id",
        "suspect_id",
        "stage",
        "date",
        "offence",
        "alternative",
        "outcome",
        "closure_reason",
    ],
    "victims": [
        "victim_id",
        "case_id",
        "sex",
        "age_band",
        "citizenship",
        "residence_status",
        "left_country",
        "gave_statement",
        "had_counsel",
        "received_support",
        "name",
    ],
    "suspects": ["suspect_id", "case_id", "kind", "sex", "citizenship", "role", "name"],
    "documents": ["doc_id", "case_id", "doc_type", "date", "language", "path"],
    "codings": ["unit_id", "coder", "codebook_version", "scheme", "code", "present"],
}


def write_case_file(
    folder: Path,
    tables: dict[str, list[dict[str, str]]] | None = None,
    texts: dict[str, str] | None = None,
    encoding: str = "utf-8",
) -> Path:
    """Write a CSV case file (with documents/) into ``folder`` and return the folder."""
    tables = VALID_TABLES if tables is None else tables
    texts = DOCUMENT_TEXTS if texts is None else texts
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        columns = COLUMNS[name]
        with open(folder / f"{name}.csv", "w", newline="", encoding=encoding) as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="raise")
            writer.writeheader()
            for row in rows:
                writer.writerow({c: row.get(c, "") for c in columns})
    docs = folder / "documents"
    docs.mkdir(exist_ok=True)
    for name, text in texts.items():
        (docs / name).write_text(text, encoding="utf-8")
    return folder


def tree_digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file below ``folder``, to show that nothing was written."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(autouse=True)
def _numbers_in_english():
    """A test that switches the language numbers are written in (display.use_language,
    or notebook.check_parameters with lang sv) does not leak it into later tests."""
    yield
    display.use_language("en")


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    return write_case_file(tmp_path / "casefile")


@pytest.fixture
def tables() -> dict[str, list[dict[str, str]]]:
    """A deep copy of the valid tables, free to modify."""
    return {name: [dict(r) for r in rows] for name, rows in VALID_TABLES.items()}


def copy_demo_project(tmp_path: Path) -> Path:
    """A project in ``tmp_path`` with the repository's pipeline, notebooks and demo data."""
    from cape_study.paths import project

    repo = project()
    root = tmp_path / "project"
    root.mkdir()
    for name in ("pipeline.yaml", "constraints.txt"):
        shutil.copy(repo.root / name, root / name)
    shutil.copytree(repo.notebooks, root / "notebooks")
    shutil.copytree(repo.demo_case_file, root / "data" / "raw" / "demo")
    return root


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real pipeline run once on the demo data, in a temporary project (shared by
    every test that reads its report; do not modify it). Under pytest-xdist (``make
    test``) the workers share one run: the first to need it runs it under a file lock in
    the session's common temporary folder, the others wait and read it."""
    from filelock import FileLock

    from cape_study.paths import project
    from cape_study.runner.pipeline import run_pipeline

    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        folder = tmp_path_factory.mktemp("demo")
    else:  # one folder above each worker's own: the same for every worker of this session
        folder = tmp_path_factory.getbasetemp().parent / "demo-report"
    folder.mkdir(exist_ok=True)
    with FileLock(str(folder) + ".lock"):
        done = folder / "pipeline-ran"
        if not done.exists():
            root = copy_demo_project(folder)
            result = run_pipeline(project(root), progress=lambda event: None)
            assert {s.status for s in result.steps.values()} == {"ran"}
            assert {"00_intake", "01_attrition", "02_barriers"} <= set(result.steps)
            done.touch()
    return folder / "project"


@pytest.fixture(scope="session")
def chromium_present() -> None:
    """Skip where there is no browser (fail with CAPE_STUDY_REQUIRE_BROWSER=1); named
    first, so that it is decided before a report fixture (the demo's) is built."""
    try:
        browser.find_browser()
    except browser.BrowserMissing as exc:
        if os.environ.get("CAPE_STUDY_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CAPE_STUDY_REQUIRE_BROWSER=1, but {exc}")
        pytest.skip(str(exc))


@pytest.fixture
def protection():
    """A fresh disclosure audit, as a notebook run makes one at its top."""
    from cape_study.privacy.disclosure import Disclosure

    return Disclosure()
