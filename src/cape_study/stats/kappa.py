"""Agreement coefficients with their asymptotic standard errors and tests.

:mod:`cape_study.stats.reliability` gives every coefficient per code with a bootstrap
interval; a methods reviewer also expects the classical large-sample results that R's
``irr``, ``irrCAC`` and SAS ``PROC FREQ`` print. All functions take the long codings
table (one row per unit and coder, with the coder's value) plus column names and
return a tidy table:

* :func:`cohen_kappa_test`: Cohen's kappa, unweighted or weighted (linear or quadratic
  agreement weights, for ordered categories), with Fleiss, Cohen & Everitt's (1969)
  standard error, the standard error under kappa = 0 and its z test.
* :func:`fleiss_kappa_test`: Fleiss' kappa overall and per category (Fleiss 1971), with
  the standard errors under kappa = 0 of Fleiss, Nee & Landis (1979) and z tests.
* :func:`gwet_ac1_test`: Gwet's AC1 with Gwet's (2008) variance, as ``irrCAC``.
* :func:`krippendorff_alpha_level`: Krippendorff's alpha for nominal, ordinal, interval
  or ratio data (Krippendorff 2011), computed by the ``krippendorff`` package.

Each is checked against published values (Fleiss 1971; Krippendorff 2011; ``irrCAC``'s
published output; Cardillo's Fleiss kappa) or statsmodels and scikit-learn in
tests/test_kappa.py.

References
----------
Fleiss, J. L., Cohen, J. & Everitt, B. S. (1969). Large sample standard errors of kappa
and weighted kappa. *Psychological Bulletin* 72, 323-327.
Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
*Psychological Bulletin* 76, 378-382.
Fleiss, J. L., Nee, J. C. M. & Landis, J. R. (1979). Large sample variance of kappa in
the case of different sets of raters. *Psychological Bulletin* 86, 974-977.
Fleiss, J. L., Levin, B. & Paik, M. C. (2003). *Statistical Methods for Rates and
Proportions*, 3rd ed. Wiley, chapter 18.
Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the presence
of high agreement. *British Journal of Mathematical and Statistical Psychology* 61,
29-48. Gwet, K. L., irrCAC (R package), ``gwet.ac1.raw``.
Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School
for Communication, University of Pennsylvania.
"""

from __future__ import annotations

from collections.abc import Sequence

import krippendorff
import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "LEVELS",
    "WEIGHTS",
    "cohen_kappa_test",
    "fleiss_kappa_test",
    "gwet_ac1_test",
    "krippendorff_alpha_level",
]

#: Agreement weights of :func:`cohen_kappa_test` (``None``: unweighted).
WEIGHTS = ("linear", "quadratic")
#: Levels of measurement of :func:`krippendorff_alpha_level`.
LEVELS = ("nominal", "ordinal", "interval", "ratio")


def _wide(
    codings: pd.DataFrame,
    unit: str,
    coder: str,
    value: str,
    coders: Sequence[str] | None,
    categories: Sequence[object] | None,
) -> tuple[np.ndarray, list[str], list[object]]:
    """Units x coders matrix of category positions (-1 = not coded), coders, categories."""
    missing = [c for c in (unit, coder, value) if c not in codings.columns]
    if missing:
        raise ValueError(f"codings have no column(s) {missing}; columns: {list(codings.columns)}")
    data = codings.dropna(subset=[value])
    if coders is not None:
        data = data[data[coder].astype("string").isin([str(c) for c in coders])]
    twice = data.duplicated([unit, coder], keep=False)
    if twice.any():
        first = data.loc[twice, [unit, coder]].iloc[0].to_dict()
        raise ValueError(f"codings: more than one value for {first}")
    found = sorted(pd.unique(data[value]), key=lambda v: (str(type(v)), v))
    categories = list(categories) if categories is not None else found
    unknown = [v for v in found if v not in categories]
    if unknown:
        raise ValueError(f"values {unknown} are not among the categories {categories}")
    position = {c: i for i, c in enumerate(categories)}
    wide = data.pivot(index=unit, columns=coder, values=value)
    names = sorted(map(str, wide.columns))
    wide.columns = wide.columns.map(str)
    wide = wide[names]
    matrix = wide.apply(lambda col: col.map(position)).fillna(-1).to_numpy(int)
    return matrix, names, categories


def _agreement_weights(q: int, weights: str | None) -> np.ndarray:
    if weights is None:
        return np.eye(q)
    if weights not in WEIGHTS:
        raise ValueError(f"unknown weights {weights!r}; known: {', '.join(WEIGHTS)} or None")
    distance = np.abs(np.subtract.outer(np.arange(q), np.arange(q))) / max(q - 1, 1)
    return 1 - distance if weights == "linear" else 1 - distance**2


def _z_interval(estimate: float, se: float, confidence: float) -> tuple[float, float]:
    z = stats.norm.ppf(0.5 + confidence / 2)
    return estimate - z * se, estimate + z * se


def cohen_kappa_test(
    codings: pd.DataFrame,
    *,
    coders: Sequence[str] | None = None,
    weights: str | None = None,
    categories: Sequence[object] | None = None,
    unit: str = "unit_id",
    coder: str = "coder",
    value: str = "present",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Cohen's (weighted) kappa for two coders with its asymptotic standard errors.

    From the two coders' joint proportions p_ij over the units both coded, agreement
    weights w_ij (1 on the diagonal; ``linear`` 1 - |i - j| / (q - 1), Cicchetti &
    Allison 1971; ``quadratic`` 1 - (i - j)^2 / (q - 1)^2, Fleiss & Cohen 1973, for
    ordered ``categories``), p_o = sum w_ij p_ij, p_e = sum w_ij p_i. p_.j and kappa =
    (p_o - p_e) / (1 - p_e). The standard error is Fleiss, Cohen & Everitt's (1969)
    large-sample one,

        Var = [sum_ij p_ij (w_ij - (wbar_i. + wbar_.j)(1 - kappa))^2
               - (kappa - p_e (1 - kappa))^2] / (n (1 - p_e)^2),

    with wbar_i. = sum_j p_.j w_ij and wbar_.j = sum_i p_i. w_ij, used for the Wald
    interval; the standard error under kappa = 0,
    [sum_ij p_i. p_.j (w_ij - (wbar_i. + wbar_.j))^2 - p_e^2] / (n (1 - p_e)^2), gives
    z = kappa / SE_0 (Fleiss, Levin & Paik 2003, sections 18.1 and 18.3; SAS ``PROC
    FREQ``, statsmodels ``cohens_kappa``).

    Parameters
    ----------
    codings
        Long table, one row per unit and coder.
    coders
        The two coders; without it the data must hold exactly two.
    weights
        ``None`` (unweighted), ``linear`` or ``quadratic``.
    categories
        The categories in their order (needed for weights when not every one was
        used, or when sorting does not give their order).
    unit, coder, value
        Column names.
    confidence
        Coverage of the Wald interval.

    Returns
    -------
    DataFrame
        One row: ``coefficient``, ``weights``, ``estimate``, ``std_error``, ``ci_low``,
        ``ci_high``, ``std_error_null``, ``z``, ``p_value`` (two-sided),
        ``observed_agreement``, ``chance_agreement``, ``n_units``, ``confidence``.
    """
    matrix, names, categories = _wide(codings, unit, coder, value, coders, categories)
    if len(names) != 2:
        raise ValueError(f"Cohen's kappa needs exactly two coders; got {names}")
    both = (matrix >= 0).all(axis=1)
    a, b = matrix[both, 0], matrix[both, 1]
    n, q = len(a), len(categories)
    if n == 0:
        raise ValueError(f"coders {names} coded no unit in common")
    p = np.zeros((q, q))
    np.add.at(p, (a, b), 1.0)
    p /= n
    w = _agreement_weights(q, weights)
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    observed = float((w * p).sum())
    chance = float((w * np.outer(rows, cols)).sum())
    kappa = (observed - chance) / (1 - chance) if chance < 1 else float("nan")
    w_row, w_col = w @ cols, rows @ w
    spread = w_row[:, None] + w_col[None, :]
    variance = (
        (p * (w - spread * (1 - kappa)) ** 2).sum() - (kappa - chance * (1 - kappa)) ** 2
    ) / (n * (1 - chance) ** 2)
    variance_null = ((np.outer(rows, cols) * (w - spread) ** 2).sum() - chance**2) / (
        n * (1 - chance) ** 2
    )
    se, se0 = float(np.sqrt(max(variance, 0))), float(np.sqrt(max(variance_null, 0)))
    z = kappa / se0 if se0 > 0 else float("nan")
    low, high = _z_interval(kappa, se, confidence)
    return pd.DataFrame(
        [
            {
                "coefficient": "cohen_kappa" if weights is None else f"cohen_kappa_{weights}",
                "weights": weights or "none",
                "estimate": kappa,
                "std_error": se,
                "ci_low": low,
                "ci_high": high,
                "std_error_null": se0,
                "z": z,
                "p_value": float(2 * stats.norm.sf(abs(z))),
                "observed_agreement": observed,
                "chance_agreement": chance,
                "n_units": n,
                "confidence": confidence,
            }
        ]
    )


def fleiss_kappa_test(
    codings: pd.DataFrame,
    *,
    coders: Sequence[str] | None = None,
    categories: Sequence[object] | None = None,
    unit: str = "unit_id",
    coder: str = "coder",
    value: str = "present",
    counts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Fleiss' kappa, overall and per category, with z tests of kappa = 0.

    With n units each rated by m coders, x_ij of them giving category j, and p_j the
    pooled share of category j (q_j = 1 - p_j), the kappa of category j is
    1 - sum_i x_ij (m - x_ij) / (n m (m - 1) p_j q_j) and the overall kappa is their
    average weighted by p_j q_j (Fleiss 1971). Under kappa = 0 the standard error of a
    category's kappa is sqrt(2 / (n m (m - 1))) and that of the overall kappa
    sqrt(2) / (sum p_j q_j sqrt(n m (m - 1))) sqrt((sum p_j q_j)^2 - sum p_j q_j (q_j - p_j))
    (Fleiss, Nee & Landis 1979; Fleiss, Levin & Paik 2003, section 18.7); z = kappa / SE_0.
    These standard errors hold only under the null; the bootstrap interval of
    :func:`cape_study.stats.reliability.fleiss_kappa` describes the estimate.

    Parameters
    ----------
    codings
        Long table; units rated by every coder count (the same m for every unit).
    coders, categories, unit, coder, value
        As in :func:`cohen_kappa_test`.
    counts
        Instead of ``codings``: a units x categories table of how many coders gave each
        category (every row summing to m), as Fleiss (1971) tabulates.

    Returns
    -------
    DataFrame
        One row for ``all`` categories and one per category: ``category``,
        ``estimate``, ``std_error_null``, ``z``, ``p_value`` (two-sided), ``share``
        (p_j), ``n_units``, ``n_coders``.
    """
    if counts is None:
        matrix, _, categories = _wide(codings, unit, coder, value, coders, categories)
        full = matrix[(matrix >= 0).all(axis=1)]
        x = np.stack([(full == j).sum(axis=1) for j in range(len(categories))], axis=1)
    else:
        x = counts.to_numpy(float)
        categories = list(counts.columns)
    x = np.asarray(x, float)
    n = len(x)
    m = int(x[0].sum()) if n else 0
    if n == 0 or m < 2 or not np.allclose(x.sum(axis=1), m):
        raise ValueError(
            "Fleiss' kappa needs units rated by the same number (two or more) of coders; "
            f"got {n} unit(s) with {sorted(set(x.sum(axis=1).astype(int)))} ratings"
        )
    p = x.sum(axis=0) / (n * m)
    pq = p * (1 - p)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_category = 1 - (x * (m - x)).sum(axis=0) / (n * m * (m - 1) * pq)
    overall = float((pq * np.nan_to_num(per_category)).sum() / pq.sum()) if pq.sum() else np.nan
    scale = n * m * (m - 1)
    se_category = np.sqrt(2 / scale)
    se_overall = (
        np.sqrt(2) / (pq.sum() * np.sqrt(scale)) * np.sqrt(pq.sum() ** 2 - (pq * (1 - 2 * p)).sum())
    )
    rows = [("all", overall, se_overall, np.nan)] + [
        (c, k, se_category, s) for c, k, s in zip(categories, per_category, p, strict=True)
    ]
    out = pd.DataFrame(rows, columns=["category", "estimate", "std_error_null", "share"])
    out["z"] = out["estimate"] / out["std_error_null"]
    out["p_value"] = 2 * stats.norm.sf(out["z"].abs())
    out["n_units"], out["n_coders"] = n, m
    return out[
        ["category", "estimate", "std_error_null", "z", "p_value", "share", "n_units", "n_coders"]
    ]


def gwet_ac1_test(
    codings: pd.DataFrame,
    *,
    coders: Sequence[str] | None = None,
    categories: Sequence[object] | None = None,
    unit: str = "unit_id",
    coder: str = "coder",
    value: str = "present",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Gwet's AC1 with Gwet's (2008) variance, any number of coders and missing values.

    The estimate is :func:`cape_study.stats.reliability.gwet_ac1`'s. Its variance is
    Gwet's linearisation over units (coders fixed, units sampled from an infinite
    population): with AC1_u = (n / n_2)(p_a,u - p_e [r_u >= 2]) / (1 - p_e) and p_e,u =
    sum_c (r_uc / r_u)(1 - pi_c) / (q - 1), each unit contributes
    AC1*_u = AC1_u - 2 (1 - AC1)(p_e,u - p_e) / (1 - p_e) and Var = sum (AC1*_u - AC1)^2
    / (n (n - 1)). The interval uses Student's t with n - 1 degrees of freedom, capped at
    1, as R's ``irrCAC`` does.

    Returns
    -------
    DataFrame
        One row: ``coefficient`` ("gwet_ac1"), ``estimate``, ``std_error``, ``ci_low``,
        ``ci_high``, ``p_value`` (two-sided t test of AC1 = 0), ``observed_agreement``,
        ``chance_agreement``, ``n_units``, ``confidence``.
    """
    matrix, _, categories = _wide(codings, unit, coder, value, coders, categories)
    matrix = matrix[(matrix >= 0).any(axis=1)]
    q = max(len(categories), 2)
    counts = np.stack([(matrix == j).sum(axis=1) for j in range(len(categories))], axis=1)
    counts = counts.astype(float)
    r = counts.sum(axis=1)
    n = len(r)
    pairs = r >= 2
    n2 = int(pairs.sum())
    if n2 == 0:
        raise ValueError("Gwet's AC1 needs a unit with two or more values")
    p_unit = np.where(
        pairs, (counts * (counts - 1)).sum(axis=1) / np.where(pairs, r * (r - 1), 1), 0
    )
    observed = float(p_unit[pairs].mean())
    pi = (counts / r[:, None]).mean(axis=0)
    chance = float((pi * (1 - pi)).sum() / (q - 1))
    ac1 = (observed - chance) / (1 - chance)
    unit_ac1 = (n / n2) * (p_unit - chance * pairs) / (1 - chance)
    unit_chance = (counts @ (1 - pi)) / r / (q - 1)
    linear = unit_ac1 - 2 * (1 - ac1) * (unit_chance - chance) / (1 - chance)
    se = float(np.sqrt(((linear - ac1) ** 2).sum() / (n * (n - 1)))) if n > 1 else np.nan
    t = stats.t.ppf(0.5 + confidence / 2, n - 1) if n > 1 else np.nan
    return pd.DataFrame(
        [
            {
                "coefficient": "gwet_ac1",
                "estimate": ac1,
                "std_error": se,
                "ci_low": ac1 - t * se,
                "ci_high": min(1.0, ac1 + t * se),
                "p_value": float(2 * stats.t.sf(abs(ac1 / se), n - 1)) if se > 0 else np.nan,
                "observed_agreement": observed,
                "chance_agreement": chance,
                "n_units": n,
                "confidence": confidence,
            }
        ]
    )


def krippendorff_alpha_level(
    codings: pd.DataFrame,
    *,
    level: str = "ordinal",
    coders: Sequence[str] | None = None,
    categories: Sequence[object] | None = None,
    unit: str = "unit_id",
    coder: str = "coder",
    value: str = "present",
) -> pd.DataFrame:
    """Krippendorff's alpha at a level of measurement: nominal, ordinal, interval, ratio.

    alpha = 1 - D_o / D_e with the level's difference function delta^2 between values:
    nominal 0/1; ordinal the squared sum of the frequencies between two ranks (less half
    the two ends); interval (c - k)^2; ratio ((c - k) / (c + k))^2 (Krippendorff 2011,
    section E). Values must be numbers for interval and ratio; for ordinal data
    ``categories`` gives the order (default: sorted). Computed by the ``krippendorff``
    package (Castro), whose ordinal metric counts the frequencies of every value in the
    data, as Krippendorff does.

    Returns
    -------
    DataFrame
        One row: ``coefficient`` ("krippendorff_alpha"), ``level``, ``estimate``,
        ``n_units`` (units with two or more values), ``n_values`` (pairable values).
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; known: {', '.join(LEVELS)}")
    matrix, _, categories = _wide(codings, unit, coder, value, coders, categories)
    if level in ("interval", "ratio"):
        values = np.array(categories, dtype=float)
        ratings = np.where(matrix >= 0, values[np.clip(matrix, 0, None)], np.nan)
    else:
        ratings = np.where(matrix >= 0, matrix, np.nan).astype(float)
    pairable = (matrix >= 0).sum(axis=1) >= 2
    alpha = krippendorff.alpha(
        reliability_data=ratings.T,
        level_of_measurement=level,
        value_domain=np.arange(len(categories)) if level in ("nominal", "ordinal") else None,
    )
    return pd.DataFrame(
        [
            {
                "coefficient": "krippendorff_alpha",
                "level": level,
                "estimate": float(alpha),
                "n_units": int(pairable.sum()),
                "n_values": int((matrix[pairable] >= 0).sum()),
            }
        ]
    )
