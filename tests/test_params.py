"""Tests for cape_study.runner.params: the declared parameter sets and their validation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from cape_study.errors import ParameterError
from cape_study.paths import project
from cape_study.runner.params import (
    PARAMETER_SETS,
    AttritionParameters,
    IntakeParameters,
    compare_with_notebook,
    notebook_parameters,
    parameter_set,
    parse_assignments,
    validate_parameters,
)

FIXTURES = Path(__file__).parent / "fixtures" / "pipeline"


def test_registry_declares_the_sets_with_their_defaults() -> None:
    assert set(PARAMETER_SETS) == {"intake", "attrition", "barriers", "models", "text_coding"}
    assert IntakeParameters.model_construct().model_dump() == {
        "case_file": "data/raw/demo",
        "case_label": "",
        "codebook": "cape_v2",
        "data_cutoff": dt.date(2024, 12, 31),
        "min_cell_count": 5,
        "key_file": "~/.config/cape-study/pseudonym.key",
        "lang": "en",
        "period_years": 4,  # 01's, for the funnels intake holds up
        "legal_changes": ("se_manniskoexploatering", "se_nja_2022_s23", "fi_564_2015"),
    }
    assert AttritionParameters().model_dump() == {
        "confidence_level": 0.95,
        "ci_method": "wilson",
        "min_cell_count": 5,
        "lang": "en",
        "period_years": 4,
        "legal_changes": ("se_manniskoexploatering", "se_nja_2022_s23", "fi_564_2015"),
    }
    assert PARAMETER_SETS["barriers"]().model_dump() == {
        "coder_rule": "majority",
        "other_versions": "refuse",
        "confidence_level": 0.95,
        "ci_method": "wilson",
        "n_bootstrap": 1000,
        "seed": 20240501,
        "min_cell_count": 5,
        "lang": "en",
    }
    assert PARAMETER_SETS["text_coding"]().model_dump() == {
        "scheme": "barrier",
        "min_examples": 10,
        "model": "linear_svm",
        "seed": 20240501,
        "excerpts_reviewed": False,
        "min_cell_count": 5,
        "lang": "en",
    }


def test_unknown_set_lists_the_known_ones() -> None:
    with pytest.raises(
        ValueError, match="known sets: attrition, barriers, intake, models, text_coding"
    ):
        parameter_set("funnel")


def test_models_forbid_extra_fields() -> None:
    with pytest.raises(ValidationError, match="extra"):
        AttritionParameters(alpha=0.05)


def test_command_line_strings_are_converted(tmp_path: Path) -> None:
    model = validate_parameters("attrition", {"confidence_level": "0.9", "min_cell_count": "10"})
    assert model.model_dump(mode="json") == {
        "confidence_level": 0.9,
        "ci_method": "wilson",
        "min_cell_count": 10,
        "lang": "en",
        "period_years": 4,
        "legal_changes": ["se_manniskoexploatering", "se_nja_2022_s23", "fi_564_2015"],
    }
    (tmp_path / "data" / "raw" / "demo").mkdir(parents=True)
    intake = validate_parameters("intake", {"data_cutoff": "2023-06-30"}, root=tmp_path)
    assert intake.data_cutoff == dt.date(2023, 6, 30)
    assert intake.model_dump(mode="json")["data_cutoff"] == "2023-06-30"  # as injected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"alpha": "0.05"},
            r"unknown parameter 'alpha' \(given '0.05'\); allowed parameters: "
            r"confidence_level, ci_method, min_cell_count, lang",
        ),
        (
            {"min_cell_count": "five"},
            r"min_cell_count = 'five' is not allowed: .*integer.*"
            r"allowed: an integer >= 1 and <= 100",
        ),
        ({"min_cell_count": 0}, r"min_cell_count = 0 .*allowed: an integer >= 1 and <= 100"),
        ({"min_cell_count": 101}, r"min_cell_count = 101 "),
        ({"confidence_level": 1}, r"confidence_level = 1 .*allowed: a number > 0.5 and < 1"),
        ({"confidence_level": "0.5"}, r"confidence_level = '0.5' "),
        (
            {"ci_method": "exact"},
            r"ci_method = 'exact' .*one of 'wilson', 'wilson_cc', 'clopper_pearson', "
            r"'jeffreys', 'agresti_coull'",
        ),
        ({"lang": "fi"}, r"lang = 'fi' .*one of 'en', 'sv'"),
    ],
)
def test_invalid_values_name_parameter_value_and_what_is_allowed(values, expected) -> None:
    with pytest.raises(ParameterError, match=expected) as info:
        validate_parameters("attrition", values, where="step '01_attrition'")
    assert str(info.value).startswith("step '01_attrition': ")


@pytest.mark.parametrize("value", [20241231, "31/12/2024", dt.datetime(2024, 12, 31, 12)])
def test_dates_must_be_written_yyyy_mm_dd(tmp_path: Path, value) -> None:
    (tmp_path / "data" / "raw" / "demo").mkdir(parents=True)
    with pytest.raises(ParameterError, match=r"data_cutoff = .* is not allowed: .*YYYY-MM-DD"):
        validate_parameters("intake", {"data_cutoff": value}, root=tmp_path)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ParameterError) as info:
        validate_parameters("attrition", {"lang": "de", "min_cell_count": -1, "x": 1})
    message = str(info.value)
    assert "lang = 'de'" in message and "min_cell_count = -1" in message
    assert "unknown parameter 'x'" in message


def test_case_file_must_exist_relative_to_the_root_or_absolute(tmp_path: Path) -> None:
    (tmp_path / "data" / "raw" / "demo").mkdir(parents=True)
    assert validate_parameters("intake", {}, root=tmp_path).case_file == "data/raw/demo"
    elsewhere = tmp_path / "cases.xlsx"
    elsewhere.write_bytes(b"")
    assert validate_parameters("intake", {"case_file": str(elsewhere)}, root="/").case_file
    with pytest.raises(ParameterError, match=r"case_file = 'data/raw/missing' .*no such file"):
        validate_parameters("intake", {"case_file": "data/raw/missing"}, root=tmp_path)


def test_parse_assignments() -> None:
    assert parse_assignments(["a=1", "01_attrition.lang=sv", "b=x=y", "a=2"]) == {
        "a": "2",
        "01_attrition.lang": "sv",
        "b": "x=y",
    }
    with pytest.raises(ParameterError, match="expected KEY=VALUE"):
        parse_assignments(["confidence_level"])
    with pytest.raises(ParameterError, match="expected KEY=VALUE"):
        parse_assignments(["=0.9"])


def test_notebook_parameters_reads_the_tagged_cell() -> None:
    assert notebook_parameters(FIXTURES / "notebooks" / "attrition.ipynb") == {
        "confidence_level": 0.95,
        "ci_method": "wilson",
        "min_cell_count": 5,
        "lang": "en",
        "period_years": 4,
        "legal_changes": ["se_manniskoexploatering", "se_nja_2022_s23", "fi_564_2015"],
    }
    assert compare_with_notebook("attrition", FIXTURES / "notebooks" / "attrition.ipynb") == []


def _with_parameters_cell(tmp_path: Path, source: str | None) -> Path:
    nb = json.loads((FIXTURES / "notebooks" / "attrition.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    if source is None:
        cell["metadata"]["tags"] = []
    else:
        cell["source"] = source
    path = tmp_path / "changed.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_notebook_parameters_errors_name_the_notebook_and_line(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="no cell is tagged 'parameters'"):
        notebook_parameters(_with_parameters_cell(tmp_path, None))
    path = _with_parameters_cell(tmp_path, 'lang = "en"\nconfidence_level = 1 - 0.05\n')
    with pytest.raises(
        ParameterError,
        match=r"changed.ipynb: parameters cell, line 2: .*"
        r"'confidence_level' is not a literal",
    ):
        notebook_parameters(path)
    path = _with_parameters_cell(tmp_path, "import datetime\n")
    with pytest.raises(ParameterError, match="line 1: expected `name = literal`"):
        notebook_parameters(path)


def test_compare_with_notebook_finds_each_kind_of_disagreement(tmp_path: Path) -> None:
    path = _with_parameters_cell(
        tmp_path,
        'confidence_level = "0.95"\nci_method = "wilson"\nmin_cell_count = 10\nalpha = 0.05\n',
    )
    problems = "\n".join(compare_with_notebook("attrition", path))
    assert "'lang' of set 'attrition' is missing" in problems
    assert "assigns 'alpha', which set 'attrition' does not declare" in problems
    assert (
        "min_cell_count = 10 in the parameters cell, but set 'attrition' declares "
        "the default 5" in problems
    )
    assert "confidence_level = '0.95'" in problems  # a string is not the number 0.95
    assert "ci_method" not in problems


def test_every_notebook_in_pipeline_yaml_agrees_with_its_parameter_set() -> None:
    """Iterates over the steps of the project's own pipeline.yaml: a notebook that is
    missing, or whose parameters cell disagrees with its declared set, fails here."""
    from cape_study.runner.spec import load_pipeline

    root = project().root
    pipeline_file = root / "pipeline.yaml"
    if not pipeline_file.is_file():
        pytest.fail(
            f"{pipeline_file} does not exist yet: the pipeline's author must add it "
            "(steps: name -> notebook, parameters, ...)"
        )
    problems = []
    for name, step in load_pipeline(pipeline_file).steps.items():
        notebook = root / step.notebook
        if not notebook.is_file():
            problems.append(f"step {name!r}: notebook {step.notebook} does not exist")
            continue
        problems += [
            f"step {name!r}: {p}" for p in compare_with_notebook(step.parameters, notebook)
        ]
    assert not problems, "\n".join(problems)
