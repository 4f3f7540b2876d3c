"""Inter-coder agreement checked against published values and independent implementations."""

from __future__ import annotations

import json

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss

from cape_study.data import loaders
from cape_study.errors import CaseFileError
from cape_study.paths import project
from cape_study.stats import reliability

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four
# observers, twelve units, values 1-5, missing values as None. Nominal alpha = 0.743.
KRIPPENDORFF_2011 = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}
# Fleiss (1971), Table 1: 30 patients, six diagnoses each (depression, personality
# disorder, schizophrenia, neurosis, other), as counts per category; kappa = 0.430.
# The same data are `diagnoses` in R's irr package (kappam.fleiss gives 0.43).
FLEISS_1971 = [
    [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
    [0, 0, 5, 0, 1], [3, 0, 0, 1, 2], [5, 1, 0, 0, 0], [0, 2, 0, 4, 0], [1, 0, 2, 0, 3],
    [0, 0, 0, 0, 6], [0, 1, 0, 5, 0], [0, 2, 0, 1, 3], [2, 0, 0, 4, 0], [1, 0, 0, 4, 1],
    [0, 5, 0, 1, 0], [4, 0, 0, 0, 2], [0, 2, 0, 4, 0], [1, 0, 5, 0, 0], [0, 0, 0, 0, 6],
]  # fmt: skip
# Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories;
# kappa = 0.210.
WIKIPEDIA_FLEISS = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]  # fmt: skip
# Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed.: 100 pregnant women
# classified by two abstractors (ectopic, abnormal intrauterine, normal intrauterine);
# rows abstractor 1, columns abstractor 2. Cohen's kappa = 0.796.
GWET_ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]
# Wikipedia, "Cohen's kappa", worked example: 50 grant proposals, yes/no by two
# readers; p_o = 0.7, p_e = 0.5, kappa = 0.4.
WIKIPEDIA_COHEN = [[20, 5], [10, 15]]


def _long(wide: dict[str, list]) -> pd.DataFrame:
    rows = [
        {"unit_id": f"u{i}", "coder": coder, "present": v}
        for coder, values in wide.items()
        for i, v in enumerate(values)
        if v is not None
    ]
    return pd.DataFrame(rows)


def _from_counts(counts: list[list[int]]) -> pd.DataFrame:
    """Counts per unit and category -> one rating per row (raters numbered per unit)."""
    rows = []
    for unit, row in enumerate(counts):
        ratings = np.repeat(np.arange(len(row)), row)
        rows += [
            {"unit_id": unit, "coder": f"r{j}", "present": int(v)} for j, v in enumerate(ratings)
        ]
    return pd.DataFrame(rows)


def _from_table(table: list[list[int]]) -> pd.DataFrame:
    """A two-coder contingency table -> one row per unit and coder."""
    rows, unit = [], 0
    for a, row in enumerate(table):
        for b, n in enumerate(row):
            for _ in range(n):
                rows += [
                    {"unit_id": unit, "coder": "first", "present": a},
                    {"unit_id": unit, "coder": "second", "present": b},
                ]
                unit += 1
    return pd.DataFrame(rows)


def _one(frame: pd.DataFrame, coefficient: str, **options) -> pd.Series:
    out = reliability.agreement(frame, coefficients=(coefficient,), by=(), **options)
    assert len(out) == 1
    return out.iloc[0]


# -- published values -------------------------------------------------------------------
def test_krippendorff_alpha_on_krippendorffs_worked_example() -> None:
    row = _one(_long(KRIPPENDORFF_2011), "krippendorff_alpha", n_boot=0)
    assert round(row["estimate"], 3) == 0.743
    data = [[np.nan if v is None else v for v in values] for values in KRIPPENDORFF_2011.values()]
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert row["estimate"] == pytest.approx(expected, abs=1e-12)
    # Unit 12 has a single value and is not pairable: 11 units, 40 pairable values.
    assert (row["n_units"], row["n_values"]) == (11, 40)


@pytest.mark.parametrize(("counts", "published"), [(FLEISS_1971, 0.430), (WIKIPEDIA_FLEISS, 0.210)])
def test_fleiss_kappa_on_published_tables(counts: list[list[int]], published: float) -> None:
    row = _one(_from_counts(counts), "fleiss_kappa", n_boot=0)
    assert round(row["estimate"], 3) == published
    assert row["estimate"] == pytest.approx(statsmodels_fleiss(np.array(counts)), abs=1e-12)


@pytest.mark.parametrize(
    ("table", "published"), [(GWET_ABSTRACTORS, 0.796), (WIKIPEDIA_COHEN, 0.400)]
)
def test_cohen_kappa_on_textbook_tables(table: list[list[int]], published: float) -> None:
    row = _one(_from_table(table), "cohen_kappa", n_boot=0)
    assert round(row["estimate"], 3) == published
    assert row["n_units"] == sum(map(sum, table))


# -- independent implementations ----------------------------------------------------------
@pytest.fixture(scope="module")
def random_ratings() -> pd.DataFrame:
    """Four coders, 60 units, three categories, agreement above chance, some missing."""
    rng = np.random.default_rng(11)
    truth = rng.integers(0, 3, 60)
    values = np.where(rng.random((4, 60)) < 0.7, truth, rng.integers(0, 3, (4, 60)))
    frame = pd.DataFrame(
        [
            {"unit_id": u, "coder": f"c{c}", "present": int(values[c, u])}
            for c in range(4)
            for u in range(60)
        ]
    )
    drop = (frame["coder"].isin(["c2", "c3"])) & (rng.random(len(frame)) < 0.25)
    return frame[~drop].reset_index(drop=True)


def test_cohen_kappa_agrees_with_scikit_learn(random_ratings: pd.DataFrame) -> None:
    pair = random_ratings[random_ratings["coder"].isin(["c0", "c2"])]
    wide = pair.pivot(index="unit_id", columns="coder", values="present").dropna()
    row = _one(pair, "cohen_kappa", n_boot=0)
    assert row["coders"] == "c0, c2" and row["n_units"] == len(wide)
    assert row["estimate"] == pytest.approx(cohen_kappa_score(wide["c0"], wide["c2"]), abs=1e-12)


def test_fleiss_kappa_agrees_with_statsmodels(random_ratings: pd.DataFrame) -> None:
    wide = random_ratings.pivot(index="unit_id", columns="coder", values="present").dropna()
    counts = np.stack([(wide.to_numpy() == k).sum(axis=1) for k in range(3)], axis=1)
    row = _one(random_ratings, "fleiss_kappa", n_boot=0)
    assert row["n_units"] == len(wide) and row["n_coders"] == 4
    assert row["estimate"] == pytest.approx(statsmodels_fleiss(counts), abs=1e-12)


def test_krippendorff_alpha_agrees_with_the_krippendorff_package(
    random_ratings: pd.DataFrame,
) -> None:
    wide = random_ratings.pivot(index="coder", columns="unit_id", values="present")
    expected = krippendorff.alpha(
        reliability_data=wide.to_numpy(float), level_of_measurement="nominal"
    )
    row = _one(random_ratings, "krippendorff_alpha", n_boot=0)
    assert row["estimate"] == pytest.approx(expected, abs=1e-12)


def test_a_schemes_pooled_alpha_treats_each_unit_and_code_as_an_item(
    random_ratings: pd.DataFrame,
) -> None:
    codings = pd.concat(
        [random_ratings.assign(scheme="s", code=code) for code in ("x", "y")], ignore_index=True
    )
    codings.loc[codings["code"] == "y", "present"] = (codings["present"] + 1) % 3
    pooled = reliability.krippendorff_alpha(
        codings, by=["scheme"], unit=["unit_id", "code"], cluster="unit_id", n_boot=50
    ).iloc[0]
    items = codings.pivot(index="coder", columns=["unit_id", "code"], values="present")
    expected = krippendorff.alpha(
        reliability_data=items.to_numpy(float), level_of_measurement="nominal"
    )
    assert pooled["estimate"] == pytest.approx(expected, abs=1e-12)
    assert pooled["n_units"] == 60  # clusters resampled: units, not unit-code items


# -- choices, intervals and errors ---------------------------------------------------------
def test_cohens_pair_defaults_to_the_coders_with_most_units_in_common(
    random_ratings: pd.DataFrame,
) -> None:
    assert _one(random_ratings, "cohen_kappa", n_boot=0)["coders"] == "c0, c1"
    chosen = _one(random_ratings, "cohen_kappa", n_boot=0, coders=["c3", "c1"])
    assert chosen["coders"] == "c3, c1"  # as given
    with pytest.raises(ValueError, match="two coders"):
        _one(random_ratings, "cohen_kappa", coders=["c1"])


def test_bootstrap_interval_is_deterministic_for_a_seed_and_holds_the_estimate(
    random_ratings: pd.DataFrame,
) -> None:
    first = reliability.agreement(random_ratings, by=(), n_boot=400, seed=3)
    again = reliability.agreement(random_ratings, by=(), n_boot=400, seed=3)
    other = reliability.agreement(random_ratings, by=(), n_boot=400, seed=4)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["ci_low"], other["ci_low"])
    assert (first["ci_low"] < first["estimate"]).all()
    assert (first["estimate"] < first["ci_high"]).all()
    narrow = reliability.agreement(random_ratings, by=(), n_boot=400, seed=3, confidence=0.5)
    assert (narrow["ci_high"] - narrow["ci_low"] < first["ci_high"] - first["ci_low"]).all()
    none = reliability.agreement(random_ratings, by=(), n_boot=0)
    assert none["ci_low"].isna().all() and none["estimate"].notna().all()


def test_a_groups_interval_does_not_depend_on_the_other_groups(
    random_ratings: pd.DataFrame,
) -> None:
    both = pd.concat([random_ratings.assign(code=c) for c in ("x", "y")], ignore_index=True)
    together = reliability.agreement(both, by=["code"], n_boot=200, seed=9)
    alone = reliability.agreement(both[both["code"] == "y"], by=["code"], n_boot=200, seed=9)
    pd.testing.assert_frame_equal(together[together["code"] == "y"].reset_index(drop=True), alone)


def test_a_code_nobody_varies_on_has_no_coefficient() -> None:
    frame = _long({"a": [False] * 5, "b": [False] * 5})
    out = reliability.agreement(frame, by=(), n_boot=50).set_index("coefficient")
    kappas = out.drop(index="gwet_ac1")
    assert kappas["estimate"].isna().all() and (out["observed_agreement"] == 1).all()
    # AC1's chance agreement for a present/absent code never used is 0 (pi = (1, 0)),
    # so perfect agreement is AC1 = 1 (Gwet 2008), the stability wanted for rare codes.
    assert out.loc["gwet_ac1", "estimate"] == 1.0


def test_bad_arguments_are_named() -> None:
    frame = _long({"a": [1, 0], "b": [1, 1]})
    with pytest.raises(ValueError, match="known: cohen_kappa, fleiss_kappa, krippendorff_alpha"):
        reliability.agreement(frame, coefficients=["scotts_pi"], by=())
    with pytest.raises(ValueError, match="no column"):
        reliability.agreement(frame)  # no scheme or code columns
    twice = pd.concat([frame, frame.head(1)], ignore_index=True)
    with pytest.raises(ValueError, match="more than one value"):
        reliability.agreement(twice, by=())


# -- codebook version ---------------------------------------------------------------------
def _versioned() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_id": ["u1", "u1", "u2", "u2"],
            "coder": ["a", "b", "a", "b"],
            "codebook_version": ["1.0", "1.0", "1.0", "0.9"],
            "scheme": "barrier",
            "code": "reclassification",
            "present": [True, True, False, True],
        }
    )


def test_codings_of_another_codebook_version_are_refused_or_excluded() -> None:
    codings = _versioned()
    with pytest.raises(CaseFileError, match=r"version\(s\) 0.9, not 1.0.*coders: b.*units: u2"):
        reliability.check_versions(codings, "1.0")
    try:
        reliability.check_versions(codings, "1.0")
    except CaseFileError as exc:
        assert exc.problems is not None and list(exc.problems["value"]) == ["0.9"]
    kept = reliability.check_versions(codings, "1.0", other_versions="exclude")
    assert len(kept) == 3 and set(kept["codebook_version"]) == {"1.0"}
    same = codings.assign(codebook_version="1.0")
    pd.testing.assert_frame_equal(reliability.check_versions(same, "1.0"), same)
    with pytest.raises(ValueError, match="known: refuse, exclude"):
        reliability.check_versions(codings, "1.0", other_versions="ignore")


# -- disagreements ------------------------------------------------------------------------
def test_disagreements_list_each_coders_value() -> None:
    codings = pd.DataFrame(
        {
            "unit_id": ["d1", "d1", "d1", "d1", "d2", "d2", "d2", "c9"],
            "coder": ["a", "b", "a", "b", "a", "b", "c", "a"],
            "scheme": "barrier",
            "code": ["x", "x", "y", "y", "x", "x", "x", "x"],
            "present": [True, False, True, True, False, False, True, True],
        }
    )
    listed = reliability.disagreements(codings)
    assert listed[["unit_id", "code"]].to_numpy().tolist() == [["d1", "x"], ["d2", "x"]]
    assert list(listed.columns) == ["unit_id", "scheme", "code", "a", "b", "c", "n_coders"]
    assert listed["c"].isna().tolist() == [True, False] and listed["n_coders"].tolist() == [2, 3]
    counts = reliability.disagreement_counts(codings)
    # c9 has one coder only and is not counted; x: d1 and d2 differ; y: d1 agrees.
    assert counts[["code", "n_units", "n_disagree"]].to_numpy().tolist() == [
        ["x", 2, 2],
        ["y", 1, 0],
    ]


# -- the demo data recover the planted agreement ------------------------------------------
@pytest.fixture(scope="module")
def demo() -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = project().demo_case_file
    case = loaders.load_case_file(folder, read_documents=False)
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return case.codings, pd.DataFrame(truth["reliability"]["codes"])


@pytest.mark.parametrize(
    ("coefficient", "expected"),
    [
        ("cohen_kappa", "expected_cohen_kappa"),
        ("krippendorff_alpha", "expected_krippendorff_alpha"),
    ],
)
def test_demo_agreement_per_code_recovers_the_planted_values(
    demo: tuple[pd.DataFrame, pd.DataFrame], coefficient: str, expected: str
) -> None:
    """Each code's 95 % bootstrap interval should hold the value the generator planted
    (truth.json: the expected agreement of coders with the code's sensitivity and
    specificity at its latent prevalence). With 31 codes at 95 %, about 1.5 misses are
    expected; if misses were independent, 6 or more would happen with probability
    0.004 (0.03 if the intervals covered only 92 %, as the fewest-unit codes do in
    simulation), so at most 5 are allowed."""
    codings, truth = demo
    found = reliability.agreement(
        codings, coefficients=(coefficient,), n_boot=1000, seed=20240501
    ).merge(truth, on=["scheme", "code"], validate="one_to_one")
    assert len(found) == len(truth) == 31
    inside = (found["ci_low"] <= found[expected]) & (found[expected] <= found["ci_high"])
    assert (~inside).sum() <= 5, found.loc[~inside, ["code", "estimate", "ci_low", "ci_high"]]
    # And the estimates track the planted values across codes.
    assert np.corrcoef(found["estimate"], found[expected])[0, 1] > 0.8


def test_kappa_summary_over_the_codes_the_evaluated_method_has() -> None:
    nan = float("nan")
    kappas = {
        "a": (0.8, 0.5, 0.7),
        "b": (0.4, nan, 0.6),
        "c": (nan, 0.9, 0.9),  # no classifier kappa: left out
        "d": (0.6, 0.1, nan),
    }
    table = pd.DataFrame(
        [
            {"code": c, "method": m, "kappa": k}
            for c, values in kappas.items()
            for m, k in zip(("classifier", "dictionary", "human"), values, strict=True)
        ]
    )
    summary = reliability.kappa_summary(table).set_index("method")
    # by hand: medians over a, b, d; compared where the method and human both have one
    assert summary["n_codes"].tolist() == [3, 3, 3]
    assert summary["median"].tolist() == pytest.approx([0.6, 0.3, 0.65])
    assert summary["n_compared"].tolist() == [2, 1, 2]
    assert summary["n_reaching"].tolist() == [1, 0, 2]  # 0.8 >= 0.7; 0.5 < 0.7
