"""Results kept by what they were computed from (stats.remembered)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cape_study.stats import reliability
from cape_study.stats.remembered import remembered, result_key

CALLS: list[tuple] = []


def _counted(frame: pd.DataFrame, *, scale: float = 1.0) -> pd.DataFrame:
    CALLS.append((len(frame), scale))
    return frame.assign(y=frame["x"] * scale)


def _codings() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = [
        {
            "scheme": "s",
            "code": c,
            "unit_id": f"u{u}",
            "coder": k,
            "present": bool(rng.random() < 0.4),
        }
        for c in ("a", "b")
        for u in range(30)
        for k in ("A", "B", "C")
    ]
    return pd.DataFrame(rows)


def test_a_kept_result_is_the_computed_one_and_is_not_computed_again(tmp_path: Path) -> None:
    CALLS.clear()
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    first = remembered(tmp_path, _counted, frame, scale=2.0)
    again = remembered(tmp_path, _counted, frame.copy(), scale=2.0)
    pd.testing.assert_frame_equal(first, again)
    assert CALLS == [(3, 2.0)]
    remembered(tmp_path, _counted, frame, scale=3.0)  # another argument
    remembered(tmp_path, _counted, frame.assign(x=[1.0, 2.0, 4.0]), scale=2.0)  # other data
    remembered(tmp_path, _counted, frame.astype("float32"), scale=2.0)  # other types
    remembered(None, _counted, frame, scale=2.0)  # nothing kept without a folder
    assert len(CALLS) == 5


def test_the_key_tells_apart_what_a_result_depends_on() -> None:
    frame = pd.DataFrame({"x": [1, 2]})
    keys = {
        result_key(_counted, (frame,), {}),
        result_key(_counted, (frame,), {"scale": 1.0}),
        result_key(_counted, (frame.set_axis([5, 6]),), {}),
        result_key(_counted, (frame.rename(columns={"x": "z"}),), {}),
        result_key(_codings, (frame,), {}),
        result_key(_counted, ([1, 2],), {}),
        result_key(_counted, ((1, 2),), {}),
        result_key(_counted, ("1",), {}),
        result_key(_counted, (1,), {}),
    }
    assert len(keys) == 9
    with pytest.raises(TypeError, match="cannot key a result on a object"):
        result_key(_counted, (object(),), {})


def test_a_kept_file_that_cannot_be_read_is_computed_again(tmp_path: Path) -> None:
    CALLS.clear()
    frame = pd.DataFrame({"x": [1.0]})
    remembered(tmp_path, _counted, frame)
    (kept,) = tmp_path.glob("*.pkl")
    kept.write_bytes(b"not a pickle")
    assert remembered(tmp_path, _counted, frame)["y"].tolist() == [1.0]
    assert len(CALLS) == 2


def test_bootstrap_intervals_kept_equal_those_computed(tmp_path: Path) -> None:
    options = dict(confidence=0.9, n_boot=200, seed=7)
    direct = reliability.agreement(_codings(), **options)
    first = remembered(tmp_path, reliability.agreement, _codings(), **options)
    kept = remembered(tmp_path, reliability.agreement, _codings(), **options)
    pd.testing.assert_frame_equal(direct, first)
    pd.testing.assert_frame_equal(direct, kept)
    assert len(list(tmp_path.glob("*.pkl"))) == 1


def test_an_edit_of_the_estimating_code_keys_new_results(tmp_path: Path, monkeypatch) -> None:
    """In a running kernel (autoreload), an edited module of stats gives another key."""
    import os

    from cape_study.stats import remembered as module

    for part in ("stats", "data", "privacy"):
        (tmp_path / part).mkdir()
    (tmp_path / "errors.py").write_text("x = 1\n")
    code = tmp_path / "stats" / "estimate.py"
    code.write_text("def f(): return 1\n")
    monkeypatch.setattr(module, "PACKAGE_DIR", tmp_path)
    frame = pd.DataFrame({"x": [1.0]})
    before = result_key(_counted, (frame,), {})
    assert result_key(_counted, (frame,), {}) == before
    code.write_text("def f(): return 2\n")  # same size: the modification time tells
    os.utime(code, ns=(1, 1))
    assert result_key(_counted, (frame,), {}) != before
