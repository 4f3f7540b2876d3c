"""Which legal element fails at which instance, where instances disagree, and whether
that changed at a date.

The codebook's table ``elements`` records, per defendant, offence and instance, how the
court assessed each element of the offence (scheme ``legal_element``: the act, the
improper means, the exploited vulnerability or svår situation, the purpose of
exploitation ...) as ``proven``, ``not_proven``, ``not_assessed`` or ``unknown``.

* :func:`element_rows` adds the case's country and the judgment's date.
* :func:`failure_table`: per country, instance and element, the share **not proven
  among the assessed** (proven or not proven), with the project's proportion interval
  (:func:`cape_study.stats.proportions.add_proportion`). Elements not assessed or of
  unknown outcome are counted but are not in the denominator: a court that stops at the
  first failing element leaves the others unassessed.
* :func:`instance_disagreement`: the same defendant, offence and element assessed at
  two instances (district court and appeal court by default): how often the two
  assessments differ, and in which direction.
* :func:`before_after`: the share not proven before and from a legal-change date
  (:mod:`cape_study.stats.legal`), by the judgment's date (a precedent binds the
  judgments delivered after it), and the difference with Newcombe's interval
  (:func:`cape_study.stats.proportions.difference_ci`).
* :func:`suppress_elements` protects each table before it is published.

What the design can show: how the courts' reasons treat each element, among the
judgments coded. It cannot show why an element was not proven (weak evidence, a
narrow reading of the law, or a case that should not have been charged).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from cape_study.errors import CannotEstimate
from cape_study.privacy.disclosure import Disclosure, suppress, suppress_part
from cape_study.stats.legal import LegalChange
from cape_study.stats.proportions import add_proportion, difference_ci

__all__ = [
    "ASSESSED",
    "RESULTS",
    "before_after",
    "element_rows",
    "failure_table",
    "instance_disagreement",
    "suppress_before_after",
    "suppress_elements",
]

#: The outcomes of an element (codebook scheme ``element_result``), in order.
RESULTS = ("proven", "not_proven", "not_assessed", "unknown")
#: The outcomes that count as an assessment of the element.
ASSESSED = ("proven", "not_proven")
_KEY = ["case_id", "suspect_id", "stage", "offence"]


def element_rows(elements: pd.DataFrame, cases: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The element rows with the case's ``country`` and the judgment's ``date`` (the
    earliest date of the events row of the same case, defendant, instance and offence).

    Raises
    ------
    CannotEstimate
        ``no_elements`` when the case file records no element (the table is optional).
    """
    if elements.empty:
        raise CannotEstimate(
            "no_elements", "the case file has no rows in the elements table (legal elements)"
        )
    out = elements.copy()
    for column in ["stage", "offence", "element", "result"]:
        out[column] = out[column].astype("string")
    out["country"] = out["case_id"].map(
        cases.drop_duplicates("case_id").set_index("case_id")["country"]
    )
    out["country"] = out["country"].astype("string")
    ev = events.dropna(subset=["suspect_id", "offence"]).copy()
    for column in ["stage", "offence"]:
        ev[column] = ev[column].astype("string")
    dates = ev.groupby(_KEY, observed=True)["date"].min().rename("date").reset_index()
    return out.merge(dates, on=_KEY, how="left")


def _counts(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Rows per group and result, wide: n_rows, proven, not_proven, not_assessed,
    unknown, n_assessed."""
    wide = (
        rows.groupby([*by, "result"], observed=True, dropna=False)
        .size()
        .unstack("result", fill_value=0)
        .reindex(columns=list(RESULTS), fill_value=0)
        .reset_index()
    )
    wide.columns.name = None
    wide["n_rows"] = wide[list(RESULTS)].sum(axis=1)
    wide["n_assessed"] = wide[list(ASSESSED)].sum(axis=1)
    return wide


def failure_table(
    rows: pd.DataFrame,
    *,
    by: Sequence[str] = ("country", "stage", "element"),
    confidence: float = 0.95,
    method: str = "wilson",
) -> pd.DataFrame:
    """The share of assessed elements found not proven, by ``by``.

    Parameters
    ----------
    rows
        :func:`element_rows`.
    by
        Grouping columns (default: country, instance and element; add ``offence`` to
        split by the offence tried).

    Returns
    -------
    DataFrame
        One row per group: ``n_rows``, the count of each outcome, ``n_assessed``
        (proven + not proven), ``proportion`` (not proven / assessed) with ``ci_low``,
        ``ci_high``, ``ci_method`` and ``confidence``; in codebook order of the groups.
    """
    by = list(by)
    table = _counts(rows, by).sort_values(by, kind="stable").reset_index(drop=True)
    return add_proportion(table, "not_proven", "n_assessed", confidence, method)


def instance_disagreement(
    rows: pd.DataFrame,
    *,
    lower: str = "judgment_first_instance",
    upper: str = "judgment_appeal",
    by: Sequence[str] = ("country", "element"),
    confidence: float = 0.95,
    method: str = "wilson",
) -> pd.DataFrame:
    """Where two instances disagree on the same defendant, offence and element.

    Pairs are the elements assessed (proven or not proven) at both ``lower`` and
    ``upper`` for the same case, defendant and offence.

    Returns
    -------
    DataFrame
        Per group of ``by``: ``n_pairs``, ``agree``, ``proven_then_not`` (proven at
        ``lower``, not proven at ``upper``), ``not_then_proven`` (the reverse),
        ``disagree`` (their sum) and its share of the pairs with the proportion
        interval; ``lower`` and ``upper`` name the instances.
    """
    by = list(by)
    assessed = rows[rows["result"].isin(ASSESSED)]
    key = ["case_id", "suspect_id", "offence", "element"]
    extra = [c for c in by if c not in key]
    low = assessed[assessed["stage"] == lower][[*key, *extra, "result"]]
    high = assessed[assessed["stage"] == upper][[*key, "result"]]
    pairs = low.merge(high, on=key, suffixes=("_lower", "_upper"))
    pairs["agree"] = pairs["result_lower"] == pairs["result_upper"]
    pairs["proven_then_not"] = (pairs["result_lower"] == "proven") & ~pairs["agree"]
    pairs["not_then_proven"] = (pairs["result_lower"] == "not_proven") & ~pairs["agree"]
    flags = ["agree", "proven_then_not", "not_then_proven"]
    table = (
        pairs.groupby(by, observed=True)[flags]
        .sum()
        .astype(int)
        .reset_index()
        .assign(n_pairs=lambda t: t[flags].sum(axis=1))
    )
    table["disagree"] = table["proven_then_not"] + table["not_then_proven"]
    table = table[[*by, "n_pairs", *flags, "disagree"]].sort_values(by).reset_index(drop=True)
    table = add_proportion(table, "disagree", "n_pairs", confidence, method)
    return table.assign(lower=lower, upper=upper)


def before_after(
    rows: pd.DataFrame,
    changes: Sequence[LegalChange],
    *,
    elements: Sequence[str] | None = None,
    by: Sequence[str] = ("element",),
    confidence: float = 0.95,
    method: str = "wilson",
) -> pd.DataFrame:
    """The share not proven among assessed elements before and from each change's date.

    Each change takes the element rows of its country; a row is ``before`` when its
    judgment was delivered before the change's date and ``after`` on or after it (rows
    without a judgment date are left out).

    Parameters
    ----------
    rows
        :func:`element_rows`.
    changes
        :func:`cape_study.stats.legal.legal_changes`.
    elements
        Only these elements (default: all).
    by
        Grouping columns within a change (default: the element; add ``stage`` for the
        instance).

    Returns
    -------
    DataFrame
        Per change and group: ``change``, ``country``, ``date``; for each side
        ``n_assessed_before``, ``not_proven_before``, ``proportion_before`` (and
        ``_after``); ``difference`` (before minus after) with Newcombe's ``ci_low`` and
        ``ci_high`` (missing when a side has no assessed element), ``confidence``.
    """
    by = list(by)
    parts = []
    dated = rows.dropna(subset=["date"])
    dated = dated[dated["result"].isin(ASSESSED)]
    if elements is not None:
        dated = dated[dated["element"].isin(list(elements))]
    for change in changes:
        mine = dated[dated["country"] == change.country]
        side = (mine["date"] >= pd.Timestamp(change.date)).map({False: "before", True: "after"})
        counts = _counts(mine.assign(side=side), [*by, "side"])
        wide = counts.pivot_table(
            index=by, columns="side", values=["not_proven", "n_assessed"], fill_value=0
        )
        wide.columns = [f"{v}_{s}" for v, s in wide.columns]
        wide = wide.reindex(
            columns=[f"{v}_{s}" for v in ("not_proven", "n_assessed") for s in ("before", "after")],
            fill_value=0,
        ).astype(int)
        wide = wide.reset_index()
        wide.insert(0, "change", change.id)
        wide.insert(1, "country", change.country)
        wide.insert(2, "date", pd.Timestamp(change.date))
        parts.append(wide)
    columns = ["change", "country", "date", *by]
    if not parts:
        return pd.DataFrame(columns=columns)
    table = pd.concat(parts, ignore_index=True)
    for side in ("before", "after"):
        n = table[f"n_assessed_{side}"]
        table[f"proportion_{side}"] = table[f"not_proven_{side}"] / n.where(n > 0)
    table["difference"] = table["proportion_before"] - table["proportion_after"]
    intervals = [
        difference_ci(a, na, b, nb, confidence) if min(na, nb) > 0 else (float("nan"),) * 2
        for a, na, b, nb in zip(
            table["not_proven_before"],
            table["n_assessed_before"],
            table["not_proven_after"],
            table["n_assessed_after"],
            strict=True,
        )
    ]
    table["ci_low"] = [lo for lo, _ in intervals]
    table["ci_high"] = [hi for _, hi in intervals]
    table["ci_method"] = "newcombe"
    table["confidence"] = confidence
    return table


def suppress_elements(
    table: pd.DataFrame,
    count: str,
    total: str,
    *,
    threshold: int,
    name: str,
    audit: Disclosure | None = None,
    derived: Sequence[str] = ("proportion", "ci_low", "ci_high"),
) -> pd.DataFrame:
    """One of this module's tables ready to publish: ``count`` (the elements not proven,
    or the pairs that disagree) protected against its ``total`` (assessed elements,
    pairs), small counts and small complements hidden with their shares and intervals
    (:func:`cape_study.privacy.disclosure.suppress`). The cells are not additive (an
    element is assessed in several judgments), so no secondary suppression runs along
    them; the other counts of the row (proven, not assessed, the direction of a
    disagreement ...) are dropped."""
    label = [
        c for c in table.columns if table[c].dtype == object or str(table[c].dtype) == "string"
    ]
    label = [c for c in label if c not in ("ci_method", "lower", "upper")]
    drop = [
        c for c in (*RESULTS, "n_rows", "agree", "proven_then_not", "not_then_proven") if c != count
    ]
    kept = table.drop(columns=[c for c in drop if c in table.columns and c != total])
    return suppress(
        kept,
        count,
        total=total,
        threshold=threshold,
        name=name,
        derived=list(derived),
        label=label,
        audit=audit,
    )


def suppress_before_after(
    table: pd.DataFrame, *, threshold: int, name: str, audit: Disclosure | None = None
) -> pd.DataFrame:
    """:func:`before_after` ready to publish: each side's elements not proven protected
    against its assessed elements (:func:`suppress_elements`), and the difference and its
    interval hidden when either side's share is."""
    label = [
        "change",
        "country",
        *[c for c in table.columns if c in ("element", "stage", "offence")],
    ]
    out = table.copy()
    records = []
    for side in ("before", "after"):
        part = table[[*label, f"not_proven_{side}", f"n_assessed_{side}", f"proportion_{side}"]]
        safe = suppress_part(
            part.assign(side=side),
            f"not_proven_{side}",
            records,
            total=f"n_assessed_{side}",
            threshold=threshold,
            name=name,
            derived=[f"proportion_{side}"],
            label=[*label, "side"],
        )
        for column in (f"not_proven_{side}", f"n_assessed_{side}", f"proportion_{side}"):
            out[column] = safe[column].to_numpy()
    hidden = out[["proportion_before", "proportion_after"]].isna().any(axis=1)
    out.loc[hidden, ["difference", "ci_low", "ci_high"]] = float("nan")
    out["suppressed"] = (
        out[[f"{v}_{s}" for v in ("not_proven", "n_assessed") for s in ("before", "after")]]
        .isna()
        .any(axis=1)
    )
    if audit is not None:
        audit.record(name, records)
    return out
