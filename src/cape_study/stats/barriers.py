"""What the codings say about cases: barriers and indicators in closed and prosecuted cases.

Coders code barriers, ILO indicators and agency signs on *units*: a case (``unit_id``
is a ``case_id``) or one of its documents (a ``doc_id``). The analysis is of cases,
by these documented rules:

1. **Coders combined** (:data:`CODER_RULES`, parameter ``coder_rule``). On each unit,
   a code is present under ``majority`` when more than half of the unit's coders
   coded it present (with two coders who disagree, it is not: an unresolved
   disagreement does not establish a code; it is listed for resolution by
   :func:`cape_study.stats.reliability.disagreements`), under ``any`` when at least one
   coder did (the most sensitive reading), and under ``unanimous`` when every coder
   did (the most specific). A unit's code that was adjudicated has a coding by the
   coder ``consensus`` (:mod:`cape_study.coding.adjudication`); that coding alone
   counts for it (:func:`cape_study.data.codings.for_analysis`), so the rules agree.
2. **Units to cases.** A case has a code when the case itself or *any* of its
   documents has it (a barrier named in the closure decision is a barrier of the
   case). A case counts as coded for a scheme when it, or one of its documents, was
   coded for that scheme; cases never coded are left out of every denominator.
3. **Outcome groups** (:func:`outcome_groups`). *Prosecuted*: the case reached
   prosecution (any suspect charged, :func:`cape_study.stats.attrition.case_status`).
   *Closed*: it did not, and its closure rows cover the whole case (closed before
   prosecution). Open cases (censored at the data cut-off) belong to neither group.

:func:`prevalence` gives each code's share of coded cases in each group with a
binomial interval, :func:`prevalence_difference` the difference between the groups
with Newcombe's hybrid score interval, and :func:`cooccurrence` how often two codes
occur in the same case with the phi coefficient and the Jaccard index.

References
----------
Newcombe, R. G. (1998). Interval estimation for the difference between independent
proportions: comparison of eleven methods. *Statistics in Medicine* 17, 873-890.
Yule, G. U. (1912). On the methods of measuring association between two attributes.
*Journal of the Royal Statistical Society* 75, 579-652 (the phi coefficient).
Jaccard, P. (1912). The distribution of the flora in the alpine zone. *New Phytologist*
11, 37-50.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from cape_study.data.codings import for_analysis
from cape_study.errors import CannotEstimate
from cape_study.privacy import disclosure
from cape_study.stats.proportions import add_proportion, difference_ci

__all__ = [
    "CODER_RULES",
    "GROUPS",
    "case_codes",
    "cooccurrence",
    "outcome_groups",
    "prevalence",
    "prevalence_difference",
    "suppress_pairs",
]

#: How the coders of one unit are combined: (coders who coded present, coders) -> present.
CODER_RULES: dict[str, Callable[[pd.Series, pd.Series], pd.Series]] = {
    "majority": lambda present, coders: 2 * present > coders,
    "any": lambda present, coders: present > 0,
    "unanimous": lambda present, coders: present == coders,
}
#: The outcome groups compared, in display order.
GROUPS = ("closed", "prosecuted")


def case_codes(
    codings: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    rule: str = "majority",
    unit: str = "unit_id",
    value: str = "present",
) -> pd.DataFrame:
    """Each coded case's codes: coders combined on each unit, units combined per case.

    Parameters
    ----------
    codings
        The codings table (``unit_id``, ``coder``, ``scheme``, ``code``, ``present``).
    documents
        The documents table: maps a document unit (``doc_id``) to its ``case_id``; any
        other unit is a case.
    rule
        How coders are combined on a unit, a key of :data:`CODER_RULES`.

    Returns
    -------
    DataFrame
        One row per case, scheme and code of a scheme the case was coded for:
        ``case_id``, ``scheme``, ``code``, ``present`` (bool), ``n_units`` (units of
        the case coded for the scheme).

    Raises
    ------
    CannotEstimate
        ``no_codings`` when there is no coding at all (nothing to combine).
    """
    if rule not in CODER_RULES:
        raise ValueError(f"unknown coder rule {rule!r}; known: {', '.join(CODER_RULES)}")
    data = for_analysis(codings).dropna(subset=[value])
    if data.empty:
        raise CannotEstimate("no_codings", "the case file has no codings", scheme="")
    per_unit = (
        data.assign(_present=data[value].astype(bool))
        .groupby([unit, "scheme", "code"], sort=False, observed=True)["_present"]
        .agg(n_present="sum", n_coders="size")
        .reset_index()
    )
    per_unit["present"] = CODER_RULES[rule](per_unit["n_present"], per_unit["n_coders"])
    doc_case = dict(
        zip(
            documents["doc_id"].astype("string"),
            documents["case_id"].astype("string"),
            strict=True,
        )
    )
    units = per_unit[unit].astype("string")
    per_unit["case_id"] = units.map(lambda u: doc_case.get(u, u)).astype("string")
    out = (
        per_unit.groupby(["case_id", "scheme", "code"], sort=False, observed=True)
        .agg(present=("present", "any"), n_units=(unit, "nunique"))
        .reset_index()
    )
    out["scheme"] = out["scheme"].astype("string")
    out["code"] = out["code"].astype("string")
    return out


def outcome_groups(status: pd.DataFrame) -> pd.Series:
    """Each case's outcome group: ``prosecuted``, ``closed`` (before prosecution) or
    missing (open at the data cut-off), indexed by ``case_id``.

    Expects the output of :func:`cape_study.stats.attrition.case_status`.
    """
    group = pd.Series(pd.NA, index=status["case_id"].astype("string"), dtype="string")
    prosecuted = status["reached_prosecuted"].to_numpy(bool)
    closed = status["closed"].to_numpy(bool) & ~prosecuted
    group[prosecuted] = "prosecuted"
    group[closed] = "closed"
    return group


def prevalence(
    codes: pd.DataFrame,
    status: pd.DataFrame,
    *,
    confidence: float = 0.95,
    method: str = "wilson",
) -> pd.DataFrame:
    """Share of coded cases with each code, in closed and in prosecuted cases.

    Parameters
    ----------
    codes
        The output of :func:`case_codes`.
    status
        The output of :func:`cape_study.stats.attrition.case_status` (outcome groups).
    confidence, method
        Passed to :func:`cape_study.stats.proportions.proportion_ci` (Wilson by default).

    Returns
    -------
    DataFrame
        Tidy: ``scheme``, ``code``, ``group`` (closed, prosecuted), ``n_cases`` (cases
        of the group coded for the scheme), ``present`` (of those, cases with the
        code), ``proportion``, ``ci_low``, ``ci_high``, ``ci_method``, ``confidence``.
    """
    group = outcome_groups(status)
    data = codes.assign(group=codes["case_id"].astype("string").map(group))
    data = data.dropna(subset=["group"])
    order = codes[["scheme", "code"]].drop_duplicates()
    frame = order.merge(pd.DataFrame({"group": list(GROUPS)}), how="cross")
    counts = (
        data.groupby(["scheme", "code", "group"], observed=True)["present"]
        .agg(n_cases="size", present="sum")
        .reset_index()
    )
    table = frame.merge(counts, on=["scheme", "code", "group"], how="left")
    # A scheme's denominator in a group is the same for every code: cases coded for it.
    coded = data.groupby(["scheme", "group"], observed=True)["case_id"].nunique()
    key = pd.MultiIndex.from_frame(table[["scheme", "group"]])
    table["n_cases"] = coded.reindex(key).fillna(0).astype(int).to_numpy()
    table["present"] = table["present"].fillna(0).astype(int)
    return add_proportion(table, "present", "n_cases", confidence, method)


def prevalence_difference(
    table: pd.DataFrame, *, groups: Sequence[str] = GROUPS, confidence: float | None = None
) -> pd.DataFrame:
    """Difference in prevalence between two groups, with Newcombe's hybrid score interval.

    Parameters
    ----------
    table
        The output of :func:`prevalence`, usually after disclosure control: where a
        count or denominator of either group is hidden, so is the difference.
    groups
        ``(a, b)``: the difference is a - b (default closed minus prosecuted).
    confidence
        Coverage (default: the table's).

    Returns
    -------
    DataFrame
        ``scheme``, ``code``, ``difference``, ``ci_low``, ``ci_high`` (Newcombe 1998,
        method 10, :func:`cape_study.stats.proportions.difference_ci`).
    """
    a, b = groups
    if table.empty:
        return pd.DataFrame(columns=["scheme", "code", "difference", "ci_low", "ci_high"])
    conf = confidence if confidence is not None else float(table["confidence"].iloc[0])
    wide = table.pivot(index=["scheme", "code"], columns="group", values=["present", "n_cases"])
    # A group with no coded case (no acquittal) has no column: its differences are missing.
    wide = wide.reindex(columns=pd.MultiIndex.from_product([["present", "n_cases"], [a, b]]))
    order = pd.MultiIndex.from_frame(table[["scheme", "code"]].drop_duplicates())
    wide = wide.reindex(order)
    rows = []
    for (scheme, code), row in wide.iterrows():
        xa, na, xb, nb = (
            row[("present", a)],
            row[("n_cases", a)],
            row[("present", b)],
            row[("n_cases", b)],
        )
        diff = low = high = np.nan
        if not any(pd.isna(v) for v in (xa, na, xb, nb)) and na > 0 and nb > 0:
            diff = xa / na - xb / nb
            low, high = difference_ci(int(xa), int(na), int(xb), int(nb), conf)
        rows.append(
            {
                "scheme": scheme,
                "code": code,
                "difference": diff,
                "ci_low": float(low),
                "ci_high": float(high),
            }
        )
    return pd.DataFrame(rows, columns=["scheme", "code", "difference", "ci_low", "ci_high"])


def cooccurrence(codes: pd.DataFrame, *, schemes: Sequence[str] | None = None) -> pd.DataFrame:
    """How often two codes occur in the same case, with phi and the Jaccard index.

    Parameters
    ----------
    codes
        The output of :func:`case_codes`.
    schemes
        The schemes whose codes are paired (default: all); only cases coded for every
        one of them count.

    Returns
    -------
    DataFrame
        One row per unordered pair of codes (a before b in the codes' order):
        ``scheme_a``, ``code_a``, ``scheme_b``, ``code_b``, ``n_cases``, the 2 x 2
        table ``both``, ``a_only``, ``b_only``, ``neither``, and

        * ``phi`` = (both * neither - a_only * b_only) / sqrt(n_a n_not_a n_b n_not_b),
          Pearson's correlation of the two 0/1 codes over cases (Yule 1912), from -1
          to 1, 0 when they occur independently; missing when a code is present in all
          or none of the cases;
        * ``jaccard`` = both / (both + a_only + b_only), the share of cases with either
          code that have both (Jaccard 1912), from 0 to 1.
    """
    data = codes if schemes is None else codes[codes["scheme"].isin(list(schemes))]
    wide = data.pivot_table(
        index="case_id",
        columns=["scheme", "code"],
        values="present",
        aggfunc="any",
        sort=False,
    )
    wide = wide.dropna()  # cases coded for every scheme
    items = list(wide.columns)
    x = wide.to_numpy(dtype=float)
    n = len(x)
    rows = []
    for i, (sa, ca) in enumerate(items):
        for j in range(i + 1, len(items)):
            sb, cb = items[j]
            a, b = x[:, i], x[:, j]
            both = int((a * b).sum())
            a_only, b_only = int(a.sum()) - both, int(b.sum()) - both
            neither = n - both - a_only - b_only
            den = np.sqrt(a.sum() * (n - a.sum()) * b.sum() * (n - b.sum()))
            phi = (both * neither - a_only * b_only) / den if den > 0 else np.nan
            union = both + a_only + b_only
            rows.append(
                {
                    "scheme_a": sa,
                    "code_a": ca,
                    "scheme_b": sb,
                    "code_b": cb,
                    "n_cases": n,
                    "both": both,
                    "a_only": a_only,
                    "b_only": b_only,
                    "neither": neither,
                    "phi": phi,
                    "jaccard": both / union if union else np.nan,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "scheme_a",
            "code_a",
            "scheme_b",
            "code_b",
            "n_cases",
            "both",
            "a_only",
            "b_only",
            "neither",
            "phi",
            "jaccard",
        ],
    )


def suppress_pairs(
    table: pd.DataFrame, *, threshold: int, name: str, audit: disclosure.Disclosure | None = None
) -> pd.DataFrame:
    """Disclosure control of a co-occurrence table: a pair is shown only when no cell of
    its 2 x 2 table is small.

    Any one cell of a pair's 2 x 2 table can be recovered from the count of cases with
    both codes and the codes' own counts, so each of ``both``, ``a_only``, ``b_only``
    and ``neither`` goes through :func:`cape_study.privacy.disclosure.suppress` in turn, and
    when any of them is hidden, so are the pair's ``both``, ``phi`` and ``jaccard``.
    The result has ``suppressed`` true for every hidden pair; what was hidden is
    recorded in ``audit`` under ``name``.
    """
    cells = ["both", "a_only", "b_only", "neither"]
    shown = ["both", "phi", "jaccard"]
    out = table
    hidden = pd.Series(False, index=table.index)
    records = []
    marks = None
    for cell in cells:
        scratch = disclosure.Disclosure()
        out = disclosure.suppress(
            out,
            cell,
            threshold=threshold,
            name=name,
            label=["code_a", "code_b"],
            derived=[c for c in shown if c != cell],
            audit=scratch,
        )
        records += scratch.records(name)
        hidden |= out["suppressed"].to_numpy()
        if marks is None:  # the mark of ``both``, the count shown
            marks = out[disclosure.HIDDEN].copy()
    for column in shown:
        out[column] = out[column].mask(hidden)
    out["suppressed"] = hidden.to_numpy()
    out[disclosure.HIDDEN] = marks.where(
        (marks == disclosure.SMALL).fillna(False), disclosure.ANY
    ).mask(~hidden)
    if audit is not None:
        audit.record(name, records)
    return out
