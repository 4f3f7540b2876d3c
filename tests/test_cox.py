"""Cox regression's global tests and ties against R's published output
(survival::coxph) and, for the exact partial likelihood, a brute-force computation.

Reference data: tests/fixtures/survival/README.md and tests/fixtures/models/README.md.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines.datasets import load_rossi
from scipy.optimize import minimize_scalar

from cape_study.stats.cox import cox_fit

FIXTURES = Path(__file__).parent / "fixtures" / "survival"
ROSSI_TERMS = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


def test_efron_fit_and_global_tests_match_r_coxph_on_rossi() -> None:
    # coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, Rossi):
    # likelihood ratio 33.27, Wald 32.11, score (logrank) 33.53 on 7 df; fin -0.37942
    # (se 0.19138), prio 0.09150 (se 0.02865).
    fit = cox_fit(load_rossi(), "week", "arrest", ROSSI_TERMS)
    tests = fit.tests.set_index("test")
    assert round(tests.loc["likelihood ratio", "statistic"], 2) == 33.27
    assert round(tests.loc["Wald", "statistic"], 2) == 32.11
    assert round(tests.loc["score", "statistic"], 2) == 33.53
    assert tests.loc["likelihood ratio", "p_value"] == pytest.approx(2.362e-05, rel=1e-3)
    assert set(tests["df"]) == {7} and (fit.n, fit.events) == (432, 114)
    table = fit.table.set_index("term")
    assert table.loc["fin", ["estimate", "std_error"]].tolist() == pytest.approx(
        [-0.37942, 0.19138], abs=5e-6
    )
    assert table.loc["prio", ["estimate", "std_error"]].tolist() == pytest.approx(
        [0.09150, 0.02865], abs=5e-6
    )
    assert fit.loglik - fit.null_loglik == pytest.approx(33.27 / 2, abs=5e-3)


def test_breslow_stratified_fit_matches_r_coxph_on_the_bone_marrow_data() -> None:
    # coxph(Surv(TYears, Status == "Relapse") ~ Group + strata(waitCat), ties =
    # "breslow"): AML low risk -0.9453 (se 0.4508), AML high risk 0.6162 (se 0.3636);
    # likelihood ratio 15.37, Wald 14.16, score 15.83 on 2 df (CAMIS, survival_csh).
    bmt = pd.read_csv(FIXTURES / "bmt.csv")
    bmt = bmt.assign(
        low=(bmt["Group"] == 2).astype(int),
        high=(bmt["Group"] == 3).astype(int),
        relapse=(bmt["Status"] == 1).astype(int),
        wait=bmt["WaitTime"] > 200,
    )
    fit = cox_fit(bmt, "T", "relapse", ["low", "high"], ties="breslow", strata="wait")
    table = fit.table.set_index("term")
    assert table["estimate"].round(4).tolist() == [-0.9453, 0.6162]
    assert table["std_error"].round(4).tolist() == [0.4508, 0.3636]
    assert fit.tests["statistic"].round(2).tolist() == [15.37, 14.16, 15.83]


def _exact_loglik(beta: float, time: np.ndarray, event: np.ndarray, x: np.ndarray) -> float:
    """The exact (discrete) partial log-likelihood by enumerating, at each event time,
    every set of d subjects at risk (Kalbfleisch & Prentice 1973)."""
    total = 0.0
    for t in np.unique(time[event == 1]):
        at_risk = np.flatnonzero(time >= t)
        failed = np.flatnonzero((time == t) & (event == 1))
        sets = [sum(x[i] for i in s) for s in combinations(at_risk, len(failed))]
        total += beta * x[failed].sum() - np.log(np.sum(np.exp(beta * np.array(sets))))
    return total


def test_exact_ties_equal_the_enumerated_partial_likelihood() -> None:
    rng = np.random.default_rng(3)
    n = 24
    x = rng.integers(0, 2, n).astype(float)
    time = rng.integers(1, 6, n).astype(float)  # five distinct times: many ties
    event = (rng.random(n) < 0.7).astype(int)
    data = pd.DataFrame({"t": time, "e": event, "x": x})
    fit = cox_fit(data, "t", "e", ["x"], ties="exact")
    best = minimize_scalar(
        lambda b: -_exact_loglik(b, time, event, x),
        bounds=(-5, 5),
        method="bounded",
        options={"xatol": 1e-10},
    )
    assert fit.table["estimate"].iloc[0] == pytest.approx(best.x, abs=1e-5)
    assert fit.loglik == pytest.approx(-best.fun, abs=1e-8)
    assert fit.null_loglik == pytest.approx(_exact_loglik(0.0, time, event, x), abs=1e-10)
    # The three methods differ with ties, and agree without them.
    estimates = {
        t: cox_fit(data, "t", "e", ["x"], ties=t).table["estimate"].iloc[0]
        for t in ("breslow", "efron", "exact")
    }
    assert len({round(v, 6) for v in estimates.values()}) == 3
    untied = data.assign(t=np.arange(n, dtype=float))
    alike = [
        cox_fit(untied, "t", "e", ["x"], ties=t).table["estimate"].iloc[0]
        for t in ("breslow", "efron", "exact")
    ]
    assert alike == pytest.approx([alike[0]] * 3, abs=1e-6)


def test_cox_fit_names_what_is_wrong() -> None:
    data = pd.DataFrame({"t": [1.0, 2.0], "e": [0, 0], "x": [0.0, 1.0]})
    with pytest.raises(ValueError, match="known: efron, breslow, exact"):
        cox_fit(data, "t", "e", ["x"], ties="discrete")
    with pytest.raises(ValueError, match=r"no column\(s\) \['y'\]"):
        cox_fit(data, "t", "e", ["y"])
    with pytest.raises(ValueError, match="no event"):
        cox_fit(data, "t", "e", ["x"])
