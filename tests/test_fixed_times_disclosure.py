"""An intruder on the table of estimates at fixed times (01, "Still open at fixed
times"): where the number still at risk is hidden because it is small, the estimate
published beside it must not give it back (issue 15, a hostile tester's whole-report
attack on the pilot scenario: Sweden at 6 months, at risk hidden, yet 7 events and a
Kaplan-Meier estimate of 0.3636 = 4/11 printed, so 4 still at risk)."""

from __future__ import annotations

import json
from fractions import Fraction

import pandas as pd

from cape_study.paths import project
from cape_study.stats import survival

HORIZONS = [90, 180, 365, 730]


def _times() -> pd.DataFrame:
    # 11 cases, none censored: 3 end by 90 days, 7 by 180, 10 by 365, all 11 by 730
    days = [30, 40, 50, 100, 120, 150, 170, 200, 250, 300, 400]
    return pd.DataFrame({"country": "SE", "days": days, "ended": True})


def test_an_estimate_does_not_give_back_a_hidden_number_at_risk(protection) -> None:
    table = survival.kaplan_meier(_times(), "days", "ended", by="country", times=HORIZONS)
    six_months = table.set_index("time").loc[180.0]
    assert six_months["at_risk"] == 4  # small: to be hidden
    # the attack, on the table as 01 published it before: n from no censoring
    n = six_months["cumulative_events"] / (1 - six_months["survival"])
    assert Fraction(six_months["survival"]).limit_denominator(50) * round(n) == 4
    safe = survival.suppress_at_times(table, protection, threshold=5, name="still open")
    row = safe.set_index("time").loc[180.0]
    assert pd.isna(row["at_risk"])
    for column in ("survival", "ci_low", "ci_high", "std_error"):
        assert pd.isna(row[column]), column
    # a row whose counts are both shown keeps its estimate
    shown = safe[safe["at_risk"].notna() & safe["cumulative_events"].notna()]
    assert shown["survival"].notna().all() and len(shown) >= 1


def test_the_cumulative_incidence_estimate_is_hidden_with_its_number_at_risk(
    protection,
) -> None:
    times = _times().assign(event=["prosecuted", "closed"] * 5 + ["closed"])
    table = survival.cumulative_incidence(
        times, "days", "event", causes=["prosecuted", "closed"], by="country", times=HORIZONS
    )
    safe = survival.suppress_at_times(table, protection, threshold=5, name="incidence")
    hidden = safe["at_risk"].isna() | safe["cumulative_events"].isna()
    assert hidden.any()
    assert safe.loc[hidden, ["cif", "ci_low", "ci_high", "std_error"]].isna().all().all()


def test_01_protects_its_fixed_times_with_it() -> None:
    nb = json.loads((project().root / "notebooks/01_attrition.ipynb").read_text("utf-8"))
    source = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    # linked with the report's other tables (stats/time_links.py, tests/test_time_links.py),
    # which hides an estimate with either count as survival.suppress_at_times does
    assert "timing.suppress_at_times(" in source
    assert "timing.link_zeros(" in source
