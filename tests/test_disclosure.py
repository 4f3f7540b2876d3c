"""Small-cell suppression: hand-worked tables, and an audit that never holds the values."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cape_study.disclosure import AUDIT_MIMETYPE, audit, clear_audit, publish_audit, suppress


@pytest.fixture(autouse=True)
def _fresh_audit():
    clear_audit()
    yield
    clear_audit()


def test_funnel_primary_and_complement() -> None:
    table = pd.DataFrame(
        {
            "stage": ["reported", "prosecuted", "convicted", "appealed"],
            "reached": [10, 3, 0, 8],
            "n_cases": [10, 10, 10, 10],
        }
    )
    table["proportion"] = table["reached"] / table["n_cases"]
    out = suppress(
        table, "reached", total="n_cases", threshold=5, name="funnel", derived=["proportion"]
    )
    assert out["suppressed"].tolist() == [False, True, False, True]
    assert out["reached"].isna().tolist() == [False, True, False, True]
    assert out["proportion"].isna().tolist() == [False, True, False, True]
    assert audit()["reason"].tolist() == ["primary", "complement"]
    assert audit()["cell"].tolist() == [{"stage": "prosecuted"}, {"stage": "appealed"}]


def test_small_denominator_hides_the_whole_line() -> None:
    table = pd.DataFrame(
        {"stage": ["reported", "prosecuted"], "reached": [3, 0], "n_cases": [3, 3]}
    )
    out = suppress(table, "reached", total="n_cases", threshold=5, name="tiny")
    assert out["n_cases"].isna().all() and out["reached"].isna().tolist() == [True, False]


def test_secondary_suppression_protects_margins() -> None:
    # sector x outcome with published row and column totals; X/B = 2 is primary.
    table = pd.DataFrame(
        {
            "sector": ["X", "X", "X", "Y", "Y", "Y"],
            "outcome": ["A", "B", "C"] * 2,
            "n": [10, 2, 8, 6, 7, 9],
        }
    )
    out = suppress(table, "n", threshold=5, name="cross", keys=["sector", "outcome"])
    hidden = set(
        zip(
            out.loc[out["suppressed"], "sector"], out.loc[out["suppressed"], "outcome"], strict=True
        )
    )
    assert hidden == {("X", "B"), ("X", "C"), ("Y", "B"), ("Y", "C")}
    # No row or column is left with a single hidden cell that subtraction would reveal.
    for key in ("sector", "outcome"):
        assert (out.groupby(key)["suppressed"].sum() != 1).all()
    reasons = {
        (r["cell"]["sector"], r["cell"]["outcome"]): r["reason"] for r in audit().to_dict("records")
    }
    assert reasons[("X", "B")] == "primary"
    assert reasons[("Y", "C")].startswith("secondary")


def test_zeros_and_large_counts_are_published() -> None:
    table = pd.DataFrame({"g": ["a", "b"], "n": [0, 50]})
    out = suppress(table, "n", threshold=5, name="t")
    assert not out["suppressed"].any() and audit().empty


def test_audit_never_records_values_and_is_published_as_json(capsys) -> None:
    table = pd.DataFrame({"g": ["a", "b"], "n": [4, 50]})
    suppress(table, "n", threshold=5, name="t")
    record = audit().iloc[0].to_dict()
    assert set(record) == {"table", "cell", "column", "reason", "threshold"}
    assert 4 not in record.values() and "4" not in json.dumps(record["cell"])
    from IPython.core.formatters import DisplayFormatter  # noqa: F401  (IPython is present)

    shown = []
    import IPython.display

    original = IPython.display.display
    IPython.display.display = lambda obj, raw=False: shown.append(obj)
    try:
        publish_audit()
    finally:
        IPython.display.display = original
    assert shown[0][AUDIT_MIMETYPE] == [record]
    assert "1 cell(s) suppressed in 1 table(s) (t)" in shown[0]["text/markdown"]


def test_bad_arguments_name_the_problem() -> None:
    table = pd.DataFrame({"g": ["a"], "n": [1]})
    with pytest.raises(ValueError, match=r"no column\(s\) \['count'\]"):
        suppress(table, "count", threshold=5, name="t")
    with pytest.raises(ValueError, match="at least 1"):
        suppress(table, "n", threshold=0, name="t")
