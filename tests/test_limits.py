"""Sections that cannot be estimated say why (present.limits, notebook.section), and a
notebook checks its parameters as the runner does (notebook.check_parameters)."""

from __future__ import annotations

import string

import pandas as pd
import pytest

from cape_study import notebook
from cape_study.errors import CannotEstimate, ParameterError
from cape_study.paths import project
from cape_study.present import limits
from cape_study.runner.params import validate_parameters


def test_every_reason_is_worded_in_every_language_with_the_same_fields() -> None:
    for reason, texts in limits.REASONS.items():
        assert set(texts) == set(limits.LANGUAGES), reason
        fields = [
            {f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f}
            for lang in limits.LANGUAGES
        ]
        assert all(f == fields[0] for f in fields), reason


def test_case_counts_below_the_threshold_are_not_shown_but_zeros_are() -> None:
    error = CannotEstimate(
        "no_outcome_variation", "", n=9, events=0, non_events=9, outcome="prosecuted"
    )
    text = limits.cannot_text(error, "en", threshold=5)
    assert "(9)" in text and "0 had the outcome" in text
    small = CannotEstimate(
        "no_outcome_variation", "", n=3, events=0, non_events=3, outcome="prosecuted"
    )
    assert "3" not in limits.cannot_text(small, "en", threshold=5)
    assert "färre än 5" in limits.cannot_text(small, "sv", threshold=5)
    blanks = {"interpreter_needed": 20, "victim_counsel": 2, "country": 0}
    sentence = limits.blanks_sentence(blanks, lang="en", threshold=5)
    assert "interpreter_needed: 20 case(s)" in sentence
    assert "victim_counsel: fewer than 5" in sentence and "country" not in sentence
    assert "no predictor was blank" in limits.blanks_sentence({"country": 0}, lang="en")


def test_pooled_alpha_never_leaves_an_empty_value() -> None:
    none = pd.DataFrame(
        {"scheme": ["barrier"], "estimate": [float("nan")], "ci_low": [0.0], "ci_high": [0.0]}
    )
    text = limits.pooled_alpha_text(none, {"barrier": "Barriers"}, "en")
    assert text.startswith("Fewer than two coders") and "  " not in text
    one = none.assign(estimate=0.71, ci_low=0.6, ci_high=0.8)
    assert limits.pooled_alpha_text(one, {"barrier": "Barriers"}, "sv") == (
        "sammantaget per schema är α 0.71 (0.60–0.80) för Barriers"
    )


def test_absent_causes_are_named_and_present_ones_are_not() -> None:
    assert limits.absent_causes_text(["prosecuted", "closed"], ["prosecuted", "closed"]) == ""
    text = limits.absent_causes_text(["prosecuted", "censored"], ["prosecuted", "closed"])
    assert "closed without prosecution" in text and "prosecuted," not in text


def test_a_section_shows_the_reason_and_later_cells_do_not_fail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown: list[str] = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj.data))
    notebook._cannot.clear()
    with notebook.section("sv", 5):
        raise CannotEstimate("no_codings", "none", scheme="")
    assert shown[-1].startswith("*Ärendefilen har inga kodningar")
    with notebook.section("sv", 5):
        undefined_result  # noqa: B018, F821 - the name an earlier section did not make
    assert shown[-1].startswith("*Visas inte")
    with notebook.section("sv", 5, takeaway=True):
        undefined_result  # noqa: B018, F821
    assert shown[-1].startswith("**Slutsats:** *Ärendefilen har inga kodningar")
    with pytest.raises(ZeroDivisionError), notebook.section("sv", 5):
        1 / 0  # noqa: B018 - any other error is a bug and propagates
    notebook._cannot.clear()
    with pytest.raises(NameError), notebook.section("en"):
        undefined_result  # noqa: B018, F821 - without an earlier reason, a real NameError


def test_a_notebook_checks_its_parameters_with_the_runners_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths = project()
    session = notebook.Session("01_attrition", "Attrition", "attrition", paths, False)
    monkeypatch.setattr(notebook, "_current", session)
    namespace = {"confidence_level": 0.95, "ci_method": "wald", "lang": "en", "other": 1}
    with pytest.raises(notebook.NotebookError) as info:
        notebook.check_parameters(namespace)
    with pytest.raises(ParameterError) as runner:
        validate_parameters(
            "attrition",
            {"confidence_level": 0.95, "ci_method": "wald", "lang": "en"},
            root=paths.root,
            where="step '01_attrition'",
        )
    assert str(info.value) == str(runner.value)
    assert "\n" not in str(info.value) and "ci_method = 'wald'" in str(info.value)
    assert info.value._render_traceback_() == [str(runner.value)]  # IPython: no traceback
    notebook.check_parameters({"ci_method": "wilson", "lang": "sv"})  # valid: silent
