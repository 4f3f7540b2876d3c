"""Agreement coefficients with asymptotic standard errors, against published values
(Fleiss 1971, Krippendorff 2011, irrCAC's published output, Cardillo's Fleiss kappa) and
statsmodels and scikit-learn as independent implementations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import cohens_kappa

from cape_study.stats import kappa, reliability
from tests.test_reliability import (
    FLEISS_1971,
    GWET_ABSTRACTORS,
    KRIPPENDORFF_2011,
    WIKIPEDIA_FLEISS,
    _long,
)


def _from_table(table: list[list[int]]) -> pd.DataFrame:
    """Two coders' codings from their contingency table (rows coder A, columns B)."""
    rows, unit = [], 0
    for a, row in enumerate(table):
        for b, count in enumerate(row):
            for _ in range(count):
                rows += [
                    {"unit_id": unit, "coder": "A", "present": a},
                    {"unit_id": unit, "coder": "B", "present": b},
                ]
                unit += 1
    return pd.DataFrame(rows)


def _from_counts(counts: list[list[int]]) -> pd.DataFrame:
    """Codings from a units x categories table of how many coders chose each."""
    rows = []
    for unit, row in enumerate(counts):
        coder = 0
        for category, count in enumerate(row):
            for _ in range(count):
                rows.append({"unit_id": unit, "coder": f"c{coder}", "present": category})
                coder += 1
    return pd.DataFrame(rows)


# -- Krippendorff's alpha at every level ------------------------------------------------
def test_krippendorff_alpha_matches_krippendorff_2011_at_every_level() -> None:
    # Krippendorff (2011), section C and E: the 4 observers x 12 units example gives
    # nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797.
    codings = _long(KRIPPENDORFF_2011)
    published = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}
    for level, value in published.items():
        row = kappa.krippendorff_alpha_level(codings, level=level).iloc[0]
        assert round(row["estimate"], 3) == value, level
        assert (row["n_units"], row["n_values"]) == (11, 40)  # unit 12 has one value
    nominal = reliability.krippendorff_alpha(codings, by=[], n_boot=0)["estimate"].iloc[0]
    assert kappa.krippendorff_alpha_level(codings, level="nominal")["estimate"].iloc[0] == (
        pytest.approx(nominal)
    )
    with pytest.raises(ValueError, match="known: nominal, ordinal"):
        kappa.krippendorff_alpha_level(codings, level="metric")


# -- Gwet's AC1 -------------------------------------------------------------------------
def test_gwet_ac1_matches_irrcac_published_output() -> None:
    # irrCAC README (kgwet/irrCAC, commit 7fb7509): gwet.ac1.raw(cac.raw4raters) -- the
    # Krippendorff (2011) data -- AC1 0.77544, pa 0.8181818, pe 0.1903212, se 0.14295,
    # interval (0.461, 1); gwet.ac1.dist(distrib.6raters) -- the first 15 units of Fleiss
    # (1971) -- AC1 0.4448007, se 0.08418757, interval (0.264, 0.625);
    # gwet.ac1.table(cont3x3abstractors) AC1 0.8493305.
    raw = kappa.gwet_ac1_test(_long(KRIPPENDORFF_2011)).iloc[0]
    assert raw["estimate"] == pytest.approx(0.77544, abs=5e-6)
    assert raw["observed_agreement"] == pytest.approx(0.8181818, abs=5e-8)
    assert raw["chance_agreement"] == pytest.approx(0.1903212, abs=5e-8)
    assert raw["std_error"] == pytest.approx(0.14295, abs=5e-6)
    assert (round(raw["ci_low"], 3), raw["ci_high"]) == (0.461, 1.0)
    six = kappa.gwet_ac1_test(_from_counts(FLEISS_1971[:15])).iloc[0]
    assert six["estimate"] == pytest.approx(0.4448007, abs=5e-8)
    assert six["std_error"] == pytest.approx(0.08418757, abs=5e-9)
    assert (round(six["ci_low"], 3), round(six["ci_high"], 3)) == (0.264, 0.625)
    table = kappa.gwet_ac1_test(_from_table(GWET_ABSTRACTORS)).iloc[0]
    assert table["estimate"] == pytest.approx(0.8493305, abs=5e-8)


def test_gwet_ac1_beside_the_other_coefficients_in_agreement() -> None:
    # The bootstrap table's AC1 is the same estimate.
    out = reliability.agreement(_long(KRIPPENDORFF_2011), by=[], n_boot=200, seed=1)
    ac1 = out.set_index("coefficient").loc["gwet_ac1"]
    assert ac1["estimate"] == pytest.approx(0.77544, abs=5e-6)
    assert ac1["ci_low"] < ac1["estimate"] < ac1["ci_high"]


def test_gwet_ac1_stays_high_when_a_code_is_rare_and_kappa_collapses() -> None:
    # The kappa paradox (Feinstein & Cicchetti 1990): 100 units, the code present for 2
    # by coder A and 1 by B, one joint presence. Agreement 99 %: kappa 0.66, AC1 0.99.
    codings = _from_table([[98, 1], [0, 1]])  # rows A absent/present, columns B
    ac1 = kappa.gwet_ac1_test(codings)["estimate"].iloc[0]
    cohen = kappa.cohen_kappa_test(codings)["estimate"].iloc[0]
    assert cohen == pytest.approx(cohen_kappa_score(*_pairs(codings)))
    assert cohen < 0.7 and ac1 > 0.98
    # Hand computation: pi_present = (1 + 2) / 200, pe = 2 pi (1 - pi); AC1 = (.99 - pe) / (1 - pe).
    pe = 2 * 0.015 * 0.985
    assert ac1 == pytest.approx((0.99 - pe) / (1 - pe))


def _pairs(codings: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    wide = codings.pivot(index="unit_id", columns="coder", values="present")
    return wide["A"].to_numpy(), wide["B"].to_numpy()


# -- Cohen's kappa, weighted and not, with standard errors ------------------------------
@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_kappa_and_its_standard_errors_equal_statsmodels(weights) -> None:
    codings = _from_table(GWET_ABSTRACTORS)
    ours = kappa.cohen_kappa_test(codings, weights=weights).iloc[0]
    theirs = cohens_kappa(np.array(GWET_ABSTRACTORS), wt=weights)
    assert ours["estimate"] == pytest.approx(theirs.kappa, abs=1e-12)
    assert ours["std_error"] == pytest.approx(theirs.std_kappa, abs=1e-12)
    assert ours["std_error_null"] == pytest.approx(theirs.std_kappa0, abs=1e-12)
    assert ours["z"] == pytest.approx(theirs.z_value, abs=1e-9)
    assert ours["estimate"] == pytest.approx(
        cohen_kappa_score(*_pairs(codings), weights=weights), abs=1e-12
    )


def test_cohen_kappa_matches_irrcac_published_output() -> None:
    # irrCAC README: kappa2.table(cont3x3abstractors): 0.7964094, se 0.05891072,
    # interval (0.68, 0.913) -- Fleiss, Cohen & Everitt's standard error.
    row = kappa.cohen_kappa_test(_from_table(GWET_ABSTRACTORS)).iloc[0]
    assert row["estimate"] == pytest.approx(0.7964094, abs=5e-8)
    assert row["std_error"] == pytest.approx(0.05891072, abs=5e-9)
    assert round(row["ci_low"], 2) == 0.68  # irrCAC uses t(99): 0.679 vs z: 0.681


def test_cohen_kappa_names_what_is_wrong() -> None:
    codings = _long(KRIPPENDORFF_2011)
    with pytest.raises(ValueError, match="exactly two coders; got \\['A', 'B', 'C', 'D'\\]"):
        kappa.cohen_kappa_test(codings)
    with pytest.raises(ValueError, match="unknown weights 'squared'"):
        kappa.cohen_kappa_test(codings, coders=["A", "B"], weights="squared")
    with pytest.raises(ValueError, match="not among the categories"):
        kappa.cohen_kappa_test(codings, coders=["A", "B"], categories=[1, 2, 3])


# -- Fleiss' kappa overall and per category ---------------------------------------------
def test_fleiss_kappa_per_category_matches_fleiss_1971() -> None:
    # Fleiss (1971), p. 381: kappa 0.430; per category depression 0.245, personality
    # disorder 0.245, schizophrenia 0.520, neurosis 0.471, other 0.566.
    out = kappa.fleiss_kappa_test(_from_counts(FLEISS_1971))
    assert [round(v, 3) for v in out["estimate"]] == [0.430, 0.245, 0.245, 0.520, 0.471, 0.566]
    assert (out["n_units"].iloc[0], out["n_coders"].iloc[0]) == (30, 6)


def test_fleiss_kappa_standard_errors_match_cardillo() -> None:
    # Cardillo, G. (2007), "Fleiss'es kappa", MATLAB File Exchange 15426
    # (github.com/dnafinder/Fleiss, README): the Wikipedia example (10 units, 14 raters):
    # per category 0.2013, 0.0797, 0.1716, 0.0304, 0.5077 with s.e. 0.0331 and z 6.0719,
    # 2.4034, 5.1764, 0.9165, 15.3141; overall 0.2099, s.e. 0.0170, z 12.3743.
    out = kappa.fleiss_kappa_test(None, counts=pd.DataFrame(WIKIPEDIA_FLEISS))
    np.testing.assert_allclose(
        out["estimate"], [0.2099, 0.2013, 0.0797, 0.1716, 0.0304, 0.5077], atol=5e-5
    )
    np.testing.assert_allclose(out["std_error_null"].iloc[1:], 0.0331, atol=5e-5)
    assert out["std_error_null"].iloc[0] == pytest.approx(0.0170, abs=5e-5)
    np.testing.assert_allclose(
        out["z"], [12.3743, 6.0719, 2.4034, 5.1764, 0.9165, 15.3141], atol=5e-4
    )
    assert out["p_value"].iloc[4] == pytest.approx(0.3594, abs=5e-4)


def test_fleiss_kappa_refuses_unequal_numbers_of_ratings() -> None:
    with pytest.raises(ValueError, match="same number"):
        kappa.fleiss_kappa_test(None, counts=pd.DataFrame([[2, 1], [1, 1]]))
