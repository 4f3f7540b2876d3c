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
    page = _provenance(manifest)
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
