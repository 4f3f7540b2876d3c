"""What Disclosure.link decides (cells hidden, tables left exposed, marks) kept by what it
was decided from (``remember``): the same tables, audit and registry as deciding again;
decided again when a count, a cell or an earlier table changes; its warning given again."""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import pandas as pd
import pytest
from test_linked import _link_pinned_drop_out

from cape_study.privacy import disclosure
from cape_study.privacy.disclosure import Disclosure
from cape_study.privacy.linked import Dimension
from cape_study.stats.remembered import remembered

STAGES = ("reported", "prosecuted", "judged")


@pytest.fixture
def decided(monkeypatch):
    """Counts the decisions computed (a wrapper with the function's name, so that the
    results kept under it are found)."""
    calls = []
    original = disclosure._decided

    @functools.wraps(original)
    def counted(*args):
        calls.append(args[1][0])  # the new table's name
        return original(*args)

    monkeypatch.setattr(disclosure, "_decided", counted)
    return calls


def _publish(protection: Disclosure, reached=(22, 9, 6, 26, 12, 7), share=0.5):
    """Finland's cases by year (2015 and 2018 small), then a funnel by period whose
    totals would give them back (test_linked's example), with a column that is no
    count (``share``)."""
    years = pd.DataFrame({"country": "FI", "year": [str(y) for y in range(2013, 2021)]})
    truth = years.assign(cases=[6, 7, 4, 5, 9, 3, 6, 8])
    safe_years = protection.suppress(
        truth,
        "cases",
        threshold=5,
        name="cases by year",
        keys=["year"],
        link={"country": "country", "year": "year"},
    )
    funnel = pd.DataFrame(
        {
            "country": "FI",
            "period": ["2013–2016"] * 3 + ["2017–2020"] * 3,
            "stage": list(STAGES) * 2,
            "reached": list(reached),
            "share": share,
        }
    )
    safe = protection.link(
        "funnel",
        funnel,
        funnel["reached"],
        count="reached",
        dims={"country": "country", "period": "year", "stage": "stage"},
        threshold=5,
        derived=["share"],
        dimensions={"stage": Dimension("nested", STAGES)},
    )
    return safe_years, safe


def _registry(protection: Disclosure, path: Path) -> str:
    protection.save(path)
    return path.read_text(encoding="utf-8")


def test_a_decision_kept_gives_what_deciding_again_gives(tmp_path: Path, decided) -> None:
    keep = functools.partial(remembered, tmp_path / "results")
    plain = Disclosure()
    expected = _publish(plain)
    assert len(decided) == 2  # computed without remember
    first, again = Disclosure(remember=keep), Disclosure(remember=keep)
    for protection in (first, again):
        for got, want in zip(_publish(protection), expected, strict=True):
            pd.testing.assert_frame_equal(got, want)
        pd.testing.assert_frame_equal(protection.audit(), plain.audit())
        assert _registry(protection, tmp_path / "r.json") == _registry(plain, tmp_path / "p.json")
    assert decided == ["cases by year", "funnel"] * 2  # the second audit decided nothing
    assert expected[1]["reached"].isna().tolist() == [True, False, False, True, False, False]

    # a column that is no count changes nothing decided: kept, with the new values shown
    _, safe = _publish(Disclosure(remember=keep), share=0.25)
    assert len(decided) == 4 and safe["share"].isna().tolist() == safe["reached"].isna().tolist()
    assert set(safe["share"].dropna()) == {0.25}
    # another count is decided again (the funnel only: the years are as before)
    _publish(Disclosure(remember=keep), reached=(22, 9, 6, 26, 13, 7))
    assert decided[4:] == ["funnel"]


def test_a_decision_kept_warns_again_and_verify_still_refuses(tmp_path: Path, decided) -> None:
    keep = functools.partial(remembered, tmp_path / "results")
    for _ in range(2):
        protection = Disclosure(remember=keep)
        with pytest.warns(UserWarning, match="drop-out.*can still be narrowed"):
            _link_pinned_drop_out(protection)
        with warnings.catch_warnings(), pytest.raises(ValueError, match=r"drop-out"):
            protection.verify(threshold=5)
    assert decided == ["funnel", "drop-out"]  # the second time from what was kept
