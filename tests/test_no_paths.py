"""No absolute path or case-file folder name in an output: the workbook's About sheet
and report.html's provenance leave out the path parameters and name the case file by
its label (``case_label``) and data hash; a label cannot be a path."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from pydantic import ValidationError

from cape_study.notebook import write_workbook
from cape_study.runner.document import _provenance
from cape_study.runner.params import IntakeParameters
from cape_study.runner.words import words

FOLDER = "/home/researcher/Anna Svensson ärende 17"


def test_the_workbook_about_sheet_names_no_path(tmp_path: Path) -> None:
    parameters = {
        "case_file": FOLDER,
        "key_file": "/home/researcher/.config/cape-study/pseudonym.key",
        "case_label": "Pilot 2024",
        "min_cell_count": 5,
    }
    path = write_workbook(
        tmp_path / "t.xlsx",
        {"Counts": pd.DataFrame({"a": [1]})},
        step="00_intake",
        title="Intake",
        parameters=parameters,
        metadata={},
    )
    cells = [
        str(c.value) for row in load_workbook(path)["About"].iter_rows() for c in row if c.value
    ]
    assert "Pilot 2024" in cells
    assert not [c for c in cells if "researcher" in c or "Svensson" in c]
    assert "case_file" not in cells and "key_file" not in cells


def test_report_provenance_names_the_label_and_hash_never_the_path() -> None:
    manifest = {
        "data": {"sha256": "ab" * 32, "files": 7, "steps": ["00_intake"], "case_file": FOLDER},
        "steps": {
            "00_intake": {
                "parameter_set": "intake",
                "parameters": {"case_file": FOLDER, "case_label": "Pilot 2024", "lang": "en"},
            }
        },
    }
    page = _provenance(manifest, words("en"))
    assert "Pilot 2024" in page and "ab" * 32 in page
    assert "Svensson" not in page and "researcher" not in page


@pytest.mark.parametrize("label", ["../Anna/x", "/home/x", "C:\\cases", "a" * 81])
def test_a_case_label_cannot_be_a_path(label: str, tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    with pytest.raises(ValidationError):
        IntakeParameters.model_validate(
            {"case_file": "demo", "case_label": label}, context={"root": tmp_path}
        )
    assert IntakeParameters.model_validate(
        {"case_file": "demo", "case_label": "Pilot (2024), SE-FI"}, context={"root": tmp_path}
    )


def test_excerpts_of_a_real_case_file_are_withheld_unless_reviewed() -> None:
    from cape_study.privacy.masking import withhold_excerpts

    table = pd.DataFrame(
        {"code": ["a", "b"], "evidence": ["Han sa att lönen uteblev.", None], "n": [1, 2]}
    )
    kept = withhold_excerpts(table, ["evidence"], synthetic=True, reviewed=False)
    assert kept.equals(table)
    assert withhold_excerpts(table, ["evidence"], synthetic=False, reviewed=True).equals(table)
    hidden = withhold_excerpts(table, ["evidence", "passage"], synthetic=False, reviewed=False)
    assert hidden["evidence"].tolist()[0].startswith("[excerpt withheld")
    assert pd.isna(hidden["evidence"].tolist()[1]) and hidden["n"].tolist() == [1, 2]
    sv = withhold_excerpts(table, ["evidence"], synthetic=False, reviewed=False, lang="sv")
    assert sv["evidence"].tolist()[0].startswith("[utdrag undanhållet")


def test_processed_metadata_names_the_label_never_the_source(tmp_path: Path) -> None:
    from conftest import write_case_file

    from cape_study.data.loaders import load_case_file, read_processed, write_processed

    case = load_case_file(write_case_file(tmp_path / "Anna Svensson ärende 17"))
    write_processed(case, tmp_path / "processed", label="Pilot 2024")
    meta = (tmp_path / "processed" / "metadata.json").read_text(encoding="utf-8")
    assert "Svensson" not in meta and "ärende" not in meta and str(tmp_path) not in meta
    back = read_processed(tmp_path / "processed")
    assert back.label == "Pilot 2024" and back.source == tmp_path / "processed"


def test_manifest_records_path_parameters_by_name_and_verify_checks_a_named_case_file(
    tmp_path: Path,
) -> None:
    import json

    from cape_study.runner.manifest import named_inputs, verify_report
    from cape_study.runner.provenance import folder_hash, sha256, tree_hash

    root = tmp_path / "project"
    case = tmp_path / "Anna Svensson ärende 17"
    (case / "documents").mkdir(parents=True)
    (case / "cases.csv").write_text("case_id\nSE-1\n", encoding="utf-8")
    (case / "documents" / "d1.txt").write_text("text", encoding="utf-8")
    whole = folder_hash(case)
    inputs = {str(case): whole, "data/processed/cases.parquet": "ab" * 32}
    parameters = {"case_file": str(case), "key_file": "~/k", "case_label": "Pilot"}
    named = named_inputs(inputs, parameters, root)
    assert named == {"{case_file}": whole, "data/processed/cases.parquet": "ab" * 32}
    assert named_inputs({f"{case}/cases.csv": "cd" * 32}, parameters, root) == {
        "{case_file}/cases.csv": "cd" * 32
    }

    reports = root / "reports"
    reports.mkdir(parents=True)
    (root / "lib").mkdir()
    manifest = {
        "library": {"path": "lib", "sha256": tree_hash(root / "lib")},
        "steps": {
            "00_intake": {
                "notebook": {"path": "nb.ipynb", "sha256": "x"},
                "inputs": {"{case_file}": whole},
                "outputs": {},
            }
        },
        "report_files": {},
    }
    (root / "nb.ipynb").write_text("{}", encoding="utf-8")
    manifest["steps"]["00_intake"]["notebook"]["sha256"] = sha256(root / "nb.ipynb")
    (reports / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert verify_report(reports) == []  # the case file is not where the manifest says
    assert verify_report(reports, case_file=case) == []
    (case / "documents" / "d1.txt").write_text("changed", encoding="utf-8")
    [difference] = verify_report(reports, case_file=case)
    assert difference.path == "{case_file}" and "Svensson" not in str(difference)


def test_an_executed_notebook_keeps_no_path_parameter() -> None:
    import nbformat

    from cape_study.runner.execution import redact_paths

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(
        f'# Parameters\ncase_file = "{FOLDER}"\ncase_label = "Pilot"\nkey_file = "/home/a/k"\n'
    )
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells.append(cell)
    nb.metadata["papermill"] = {
        "parameters": {"case_file": FOLDER, "case_label": "Pilot", "key_file": "/home/a/k"},
        "input_path": "/home/researcher/cape/notebooks/00_intake.ipynb",
    }
    text = nbformat.writes(redact_paths(nb))
    assert "Svensson" not in text and "/home/" not in text
    assert nb.metadata["papermill"]["parameters"] == {"case_label": "Pilot"}
    assert nb.metadata["papermill"]["input_path"] == "00_intake.ipynb"
    assert 'case_label = "Pilot"' in nb.cells[0].source
    assert "# case_file: not recorded" in nb.cells[0].source
