"""Inter-coder reliability: how far coders agree, and where they do not.

Every coding is one coder's value for one code on one coding unit (a case or a
document): the ``codings`` table, one row per unit, coder, scheme and code. The
functions here take such a long table plus column names, so they serve the study's
codings (``present`` true or false) as well as any other nominal ratings, for example
a classifier against a human coder.

Coefficients (nominal data; chance-corrected agreement, 1 = perfect, 0 = chance):

* **Cohen's kappa** (Cohen 1960) for one pair of coders, on the units both coded;
  chance agreement from each coder's own distribution of values.
* **Fleiss' kappa** (Fleiss 1971) for any number of coders, on the units coded by
  every coder of the group (Fleiss' kappa needs the same number of ratings per unit);
  chance agreement from the pooled distribution. For two coders it is Scott's pi.
* **Krippendorff's alpha** (Krippendorff 2011; nominal metric) for any number of
  coders and missing values: every unit with at least two values counts.
* **Gwet's AC1** (Gwet 2008) for any number of coders and missing values: chance
  agreement sum_c pi_c (1 - pi_c) / (q - 1) stays small when a code is rare, so AC1 does
  not collapse, as kappa does, when nearly every unit is "absent" (the kappa paradox,
  Feinstein & Cicchetti 1990). Report it beside kappa, not instead.

Asymptotic standard errors and tests, weighted kappa, per-category Fleiss' kappa and
Krippendorff's alpha for ordinal, interval and ratio data are in
:mod:`cape_study.stats.kappa`.

Intervals are percentile bootstrap intervals (Efron & Tibshirani 1993, ch. 13) that
resample *units* with replacement and keep all of a unit's values together, as
Zapf et al. (2016) recommend for Fleiss' kappa and Krippendorff's alpha. Units can be
grouped into clusters that are resampled whole (``cluster``): a scheme's pooled
coefficient treats every unit and code as one item but resamples units. The
resampling is vectorised: each replicate is a vector of unit weights (how often each
unit was drawn), and every coefficient is a ratio of weighted sums over units. A
group's random stream is derived from ``seed`` and the group's key, so its interval
does not depend on which other groups were analysed.

Codings are tied to a codebook version (``codebook_version``): :func:`check_versions`
refuses (or drops, when asked) codings made with another version, because a code's
meaning may have changed between versions.

References
----------
Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
Psychological Measurement* 20, 37-46.
Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
*Psychological Bulletin* 76, 378-382.
Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School
for Communication, University of Pennsylvania. https://repository.upenn.edu/asc_papers/43
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the presence of
high agreement. *British Journal of Mathematical and Statistical Psychology* 61, 29-48.
Feinstein, A. R. & Cicchetti, D. V. (1990). High agreement but low kappa: I. The problems
of two paradoxes. *Journal of Clinical Epidemiology* 43, 543-549.
Zapf, A., Castell, S., Morawietz, L., & Karch, A. (2016). Measuring inter-rater
reliability for nominal data - which coefficients and confidence intervals are
appropriate? *BMC Medical Research Methodology* 16, 93.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from cape_study.data.problems import problems_frame
from cape_study.errors import CaseFileError
from cape_study.stats.coefficients import (
    Stat,
    cohen_stat,
    fleiss_stat,
    gwet_stat,
    krippendorff_stat,
)

__all__ = [
    "COEFFICIENTS",
    "OTHER_VERSIONS",
    "agreement",
    "check_versions",
    "cohen_kappa",
    "disagreement_counts",
    "disagreements",
    "fleiss_kappa",
    "gwet_ac1",
    "kappa_summary",
    "krippendorff_alpha",
]

#: What :func:`check_versions` does with codings made with another codebook version.
OTHER_VERSIONS = ("refuse", "exclude")
_CHUNK = 256  # bootstrap replicates computed at once (bounds memory)


# -- codebook version -------------------------------------------------------------------
def check_versions(
    codings: pd.DataFrame,
    version: str,
    *,
    other_versions: str = "refuse",
    column: str = "codebook_version",
) -> pd.DataFrame:
    """Keep the codings made with codebook ``version``; refuse or drop the others.

    Parameters
    ----------
    codings
        The codings table.
    version
        The codebook version of the analysis (``CaseFile.codebook_version``).
    other_versions
        ``refuse`` (default): any coding of another version is an error. ``exclude``:
        such codings are left out of every analysis (say so where results are shown).
    column
        The column holding each coding's codebook version.

    Raises
    ------
    CaseFileError
        With ``refuse``, when codings of another version exist; the message names the
        versions, the coders and some units, and ``problems`` lists every such row.
    """
    if other_versions not in OTHER_VERSIONS:
        raise ValueError(
            f"unknown other_versions {other_versions!r}; known: {', '.join(OTHER_VERSIONS)}"
        )
    found = codings[column].astype("string")
    other = found != str(version)
    if not other.any() or other_versions == "exclude":
        return codings[~other.to_numpy()].reset_index(drop=True)
    bad = codings[other.to_numpy()]
    versions = ", ".join(sorted(found[other].unique()))
    coders = ", ".join(sorted(bad["coder"].astype("string").unique()))
    units = list(dict.fromkeys(bad["unit_id"].astype("string")))
    problems = problems_frame(
        [
            {"file": "codings", "column": column, "value": v, "expected": str(version)}
            for v in found[other]
        ]
    )
    raise CaseFileError(
        f"codings: {int(other.sum())} coding(s) were made with codebook version(s) "
        f"{versions}, not {version}, the version of this analysis (coders: {coders}; "
        f"units: {', '.join(units[:5])}{' ...' if len(units) > 5 else ''}). Re-code them "
        "with this version, or leave them out with other_versions='exclude'.",
        problems,
    )


#: The coefficients by name (see the module's description).
COEFFICIENTS: dict[str, Callable[..., Stat]] = {
    "cohen_kappa": cohen_stat,
    "fleiss_kappa": fleiss_stat,
    "krippendorff_alpha": krippendorff_stat,
    "gwet_ac1": gwet_stat,
}

_COLUMNS = [
    "coefficient",
    "estimate",
    "ci_low",
    "ci_high",
    "observed_agreement",
    "chance_agreement",
    "n_units",
    "n_values",
    "n_coders",
    "coders",
    "confidence",
    "n_boot",
]


def agreement(
    codings: pd.DataFrame,
    *,
    coefficients: Sequence[str] = (
        "cohen_kappa",
        "fleiss_kappa",
        "krippendorff_alpha",
        "gwet_ac1",
    ),
    by: Sequence[str] = ("scheme", "code"),
    unit: str | Sequence[str] = "unit_id",
    coder: str = "coder",
    value: str = "present",
    cluster: str | None = None,
    coders: Sequence[str] | None = None,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Chance-corrected agreement between coders, per group, with bootstrap intervals.

    Parameters
    ----------
    codings
        Long table: one row per unit, coder and group (for example scheme and code)
        with the coder's nominal ``value``. A missing value means "not coded".
    coefficients
        Names in :data:`COEFFICIENTS`: ``cohen_kappa``, ``fleiss_kappa``,
        ``krippendorff_alpha``, ``gwet_ac1``.
    by
        Columns that define the groups (default: one group per scheme and code);
        empty for one group.
    unit
        Column(s) identifying a unit within a group. For a scheme's pooled coefficient
        use ``by=["scheme"], unit=["unit_id", "code"], cluster="unit_id"``: every
        (unit, code) is an item, chance agreement comes from the scheme's pooled
        distribution, and units are resampled with all their codes.
    coder, value
        The coder's id and value columns.
    cluster
        Column whose values are resampled whole by the bootstrap (default: the unit).
    coders
        Restrict to these coders. For Cohen's kappa, exactly the pair to compare;
        without it, the two coders who coded the most units together.
    confidence
        Coverage of the percentile intervals.
    n_boot
        Bootstrap replicates (0: no intervals). Replicates where a coefficient is
        undefined (no variation left in the resample) are left out of its interval.
    seed
        Seed of the bootstrap; with the group's key it fixes each group's draws.

    Returns
    -------
    DataFrame
        One row per group and coefficient: ``by`` columns, ``coefficient``,
        ``estimate``, ``ci_low``, ``ci_high``, ``observed_agreement`` and
        ``chance_agreement`` (the coefficient is (observed - chance) / (1 - chance)),
        ``n_units`` (units, or clusters, used), ``n_values`` (ratings used),
        ``n_coders``, ``coders`` (comma-separated), ``confidence``, ``n_boot``. The
        estimate is missing where the coefficient is undefined (chance agreement 1).

    Raises
    ------
    ValueError
        For an unknown coefficient, a missing column, or a coder rating the same unit
        twice in a group.
    """
    unknown = [c for c in coefficients if c not in COEFFICIENTS]
    if unknown:
        raise ValueError(f"unknown coefficient(s) {unknown}; known: {', '.join(COEFFICIENTS)}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    if n_boot < 0:
        raise ValueError(f"n_boot must be at least 0, not {n_boot}")
    units = [unit] if isinstance(unit, str) else list(unit)
    by = list(by)
    needed = [*by, *units, coder, value, *([cluster] if cluster else [])]
    missing = [c for c in needed if c not in codings.columns]
    if missing:
        raise ValueError(f"codings have no column(s) {missing}; columns: {list(codings.columns)}")
    data = codings.dropna(subset=[value])
    if coders is not None:
        data = data[data[coder].astype("string").isin([str(c) for c in coders])]
    groups = data.groupby(by, sort=False, observed=True) if by else [((), data)]
    rows = []
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        where = dict(zip(by, key, strict=True))
        values, names, clusters = _matrix(group, units, coder, value, cluster, where)
        k = int(values.max()) + 1 if values.size else 0
        for name in coefficients:
            pair = coders if name == "cohen_kappa" else None
            stat = COEFFICIENTS[name](values, names, k, pair)
            stream = zlib.crc32("|".join(map(str, [*key, name])).encode())
            rng = np.random.default_rng([seed, stream])
            estimate = _estimate(stat, clusters, rng, confidence, n_boot)
            rows.append(where | {"coefficient": name} | estimate)
    return pd.DataFrame(rows, columns=[*by, *_COLUMNS])


def _matrix(
    group: pd.DataFrame,
    units: list[str],
    coder: str,
    value: str,
    cluster: str | None,
    where: dict,
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Units x coders matrix of category numbers (-1 = not coded), coder names and each
    unit's cluster number."""
    keys = [*units, coder]
    dup = group.duplicated(keys, keep=False)
    if dup.any():
        first = group.loc[dup, keys].iloc[0].to_dict()
        raise ValueError(f"{where or 'codings'}: more than one value for {first}")
    unit_key = pd.MultiIndex.from_frame(group[units].astype("string"))
    unit_no, unit_index = pd.factorize(unit_key)
    coder_no, coder_names = pd.factorize(group[coder].astype("string"), sort=True)
    category, _ = pd.factorize(group[value], sort=True)
    values = np.full((len(unit_index), len(coder_names)), -1)
    values[unit_no, coder_no] = category
    if cluster is None:
        clusters = np.arange(len(unit_index))
    else:
        first = pd.Series(group[cluster].astype("string").to_numpy()).groupby(unit_no).first()
        clusters = pd.factorize(first.sort_index())[0]
    return values, [str(c) for c in coder_names], clusters


def _estimate(
    stat: Stat,
    clusters: np.ndarray,
    rng: np.random.Generator,
    confidence: float,
    n_boot: int,
) -> dict:
    used_clusters, member = np.unique(clusters[stat.used], return_inverse=True)
    n_clusters = len(used_clusters)
    estimate, observed, chance = (float(x[0]) for x in stat.compute(np.ones((1, stat.used.sum()))))
    low = high = np.nan
    if n_boot and n_clusters and not np.isnan(estimate):
        replicates = []
        for start in range(0, n_boot, _CHUNK):
            size = min(_CHUNK, n_boot - start)
            drawn = rng.multinomial(n_clusters, np.full(n_clusters, 1 / n_clusters), size=size)
            replicates.append(stat.compute(drawn[:, member].astype(float))[0])
        boot = np.concatenate(replicates)
        boot = boot[~np.isnan(boot)]
        if len(boot):
            tail = (1 - confidence) / 2
            low, high = (float(q) for q in np.quantile(boot, [tail, 1 - tail]))
    return {
        "estimate": estimate,
        "ci_low": low,
        "ci_high": high,
        "observed_agreement": observed,
        "chance_agreement": chance,
        "n_units": n_clusters,
        "n_values": stat.n_values,
        "n_coders": len(stat.coders),
        "coders": ", ".join(stat.coders),
        "confidence": confidence,
        "n_boot": n_boot,
    }


def cohen_kappa(codings: pd.DataFrame, **options) -> pd.DataFrame:
    """Cohen's kappa for two coders, per group, with a bootstrap interval.

    kappa = (p_o - p_e) / (1 - p_e), where p_o is the share of units on which the two
    coders agree and p_e = sum_c p_c(A) p_c(B) the agreement expected if they coded
    independently with their own marginal distributions (Cohen 1960). Only units both
    coders coded count. ``coders`` names the pair; without it, the two coders who coded
    the most units together. Takes the arguments of :func:`agreement`.
    """
    return agreement(codings, coefficients=("cohen_kappa",), **options)


def fleiss_kappa(codings: pd.DataFrame, **options) -> pd.DataFrame:
    """Fleiss' kappa for m coders, per group, with a bootstrap interval.

    With n_uc coders giving unit u category c, P_u = (sum_c n_uc^2 - m) / (m (m - 1))
    is the agreement among the unit's pairs of ratings, P = mean P_u, and chance
    agreement P_e = sum_c p_c^2 with p_c the pooled share of category c; kappa =
    (P - P_e) / (1 - P_e) (Fleiss 1971). Units coded by every coder of the group count
    (the coefficient needs the same number of ratings per unit). Takes the arguments of
    :func:`agreement`.
    """
    return agreement(codings, coefficients=("fleiss_kappa",), **options)


def krippendorff_alpha(codings: pd.DataFrame, **options) -> pd.DataFrame:
    """Krippendorff's alpha (nominal), per group, with a bootstrap interval.

    alpha = 1 - D_o / D_e from the coincidence matrix of pairable values: every unit
    with m_u >= 2 values contributes its ordered pairs of values with weight
    1 / (m_u - 1); with n pairable values and n_c of category c, nominal alpha =
    1 - (n - 1) sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1) / (n^2 - sum_c n_c^2)
    (Krippendorff 2011, section C). Handles any number of coders and missing values.
    Takes the arguments of :func:`agreement`.
    """
    return agreement(codings, coefficients=("krippendorff_alpha",), **options)


def gwet_ac1(codings: pd.DataFrame, **options) -> pd.DataFrame:
    """Gwet's AC1, per group, with a bootstrap interval.

    With r_u values on unit u, n_uc of them category c and q categories (two for a
    present/absent code), p_a is the mean over units with r_u >= 2 of
    sum_c n_uc (n_uc - 1) / (r_u (r_u - 1)), pi_c the mean over units of n_uc / r_u,
    p_e = sum_c pi_c (1 - pi_c) / (q - 1) and AC1 = (p_a - p_e) / (1 - p_e) (Gwet 2008;
    R's ``irrCAC::gwet.ac1.raw``). Any number of coders and missing values. Takes the
    arguments of :func:`agreement`; Gwet's standard error is
    :func:`cape_study.stats.kappa.gwet_ac1_test`.
    """
    return agreement(codings, coefficients=("gwet_ac1",), **options)


# -- disagreements ----------------------------------------------------------------------
def disagreements(
    codings: pd.DataFrame,
    *,
    by: Sequence[str] = ("scheme", "code"),
    unit: str = "unit_id",
    coder: str = "coder",
    value: str = "present",
) -> pd.DataFrame:
    """The units on which coders disagree, one row per unit and group, to resolve.

    Returns
    -------
    DataFrame
        ``unit``, the ``by`` columns, then one column per coder (in name order) with
        that coder's value (missing where the coder did not code the unit), and
        ``n_coders``. A row is listed when the unit's coders gave more than one
        distinct value. Rows are ordered by unit, then groups in order of appearance.
    """
    by = list(by)
    data = codings.dropna(subset=[value])
    keys = [unit, *by]
    distinct = data.groupby(keys, sort=False, observed=True)[value].transform("nunique")
    split = data[distinct > 1]
    names = sorted(split[coder].astype("string").unique())
    wide = (
        split.assign(**{coder: split[coder].astype("string")})
        .pivot(index=keys, columns=coder, values=value)
        .reindex(columns=names)
    )
    wide.columns.name = None
    wide["n_coders"] = wide[names].notna().sum(axis=1)
    order = pd.Index(pd.MultiIndex.from_frame(split[by]).unique()) if by else None
    out = wide.reset_index()
    rank = (
        pd.Series(range(len(order)), index=order).reindex(pd.MultiIndex.from_frame(out[by]))
        if by
        else pd.Series(0, index=out.index)
    )
    out = out.assign(_rank=rank.to_numpy()).sort_values([unit, "_rank"], kind="stable")
    return out.drop(columns="_rank").reset_index(drop=True)


def disagreement_counts(
    codings: pd.DataFrame,
    *,
    by: Sequence[str] = ("scheme", "code"),
    unit: str = "unit_id",
    value: str = "present",
) -> pd.DataFrame:
    """Per group: units coded by two or more coders, and those with a disagreement.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``n_units`` (units with at least two values), ``n_disagree``
        (of those, units whose values differ) and ``share`` (n_disagree / n_units).
    """
    by = list(by)
    data = codings.dropna(subset=[value])
    per_unit = data.groupby([*by, unit], sort=False, observed=True)[value].agg(["size", "nunique"])
    per_unit = per_unit[per_unit["size"] >= 2]
    table = (
        per_unit.assign(disagree=per_unit["nunique"] > 1)
        .groupby(by, sort=False, observed=True)["disagree"]
        .agg(n_units="size", n_disagree="sum")
        .reset_index()
    )
    table["n_disagree"] = table["n_disagree"].astype(int)
    table["share"] = table["n_disagree"] / table["n_units"]
    return table


# -- comparing methods by their kappas ----------------------------------------------------
def kappa_summary(
    table: pd.DataFrame,
    *,
    evaluated: str = "classifier",
    reference: str = "human",
    methods: Sequence[str] = ("classifier", "dictionary", "human"),
    code: str = "code",
    method: str = "method",
    value: str = "kappa",
) -> pd.DataFrame:
    """Per-code kappas of several coding methods summarised over the codes on which
    the ``evaluated`` method has a kappa.

    Parameters
    ----------
    table
        One row per code and method with its kappa (missing where it cannot be
        computed or was hidden), such as
        :func:`cape_study.stats.textcoding.agreement_table` after disclosure control.
    evaluated
        The method whose codes are summarised: codes without its kappa are left out.
    reference
        The method each is compared with (by default two human coders' agreement).

    Returns
    -------
    pandas.DataFrame
        One row per method of ``methods``: ``n_codes`` (codes with a kappa of
        ``evaluated``), ``median`` (the method's median kappa over those codes, missing
        kappas left out), ``n_compared`` (those of the codes where the method and
        ``reference`` both have a kappa) and ``n_reaching`` (of these, codes where the
        method's kappa is at least the reference's).
    """
    columns = list(dict.fromkeys([*methods, evaluated, reference]))
    kappa = table.pivot(index=code, columns=method, values=value).reindex(columns=columns)
    kappa = kappa[kappa[evaluated].notna()]
    rows = []
    for name in methods:
        known = kappa[name].notna() & kappa[reference].notna()
        reaching = kappa.loc[known, name] >= kappa.loc[known, reference]
        rows.append(
            {
                "method": name,
                "n_codes": len(kappa),
                "median": kappa[name].median(),
                "n_compared": int(known.sum()),
                "n_reaching": int(reaching.sum()),
            }
        )
    return pd.DataFrame(rows)
