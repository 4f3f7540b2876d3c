"""Offence paths: each case's offence family as reported, as charged and as judged.

:func:`offence_paths` follows each case's offence from report to charge to judgment
(the outcome rules of :mod:`cape_study.stats.case_status`), and :func:`flow_table`
counts the paths.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from cape_study.data.codebook import Codebook, codebook_or_default
from cape_study.errors import CannotEstimate
from cape_study.stats.case_status import (
    FAMILIES,
    PATH_CATEGORIES,
    case_status,
)

__all__ = ["flow_table", "offence_paths"]


def offence_paths(
    cases: pd.DataFrame, events: pd.DataFrame, codebook: Codebook | None = None
) -> pd.DataFrame:
    """Each case's offence as reported, as charged and as judged, by offence family.

    * **reported**: the family (trafficking, exploitation, other) of
      ``cases.offence_reported``;
    * **charged**: the family of the case's principal charge, the most serious
      offence charged to any suspect at prosecution, preferring charges that are not
      in the alternative (rows at stage ``prosecuted``; if the case has none, its
      first-instance judgment rows); ``not_prosecuted`` if never charged;
    * **judged**: the case's final outcome (:func:`case_status`), ``not_judged`` if
      charged but not (yet) judged, ``not_prosecuted`` otherwise.

    Returns
    -------
    DataFrame
        ``case_id``, ``country``, ``reported_offence``, ``charged_offence`` (codes),
        ``reported``, ``charged`` and ``judged``: ordered categoricals with the
        categories of :data:`PATH_CATEGORIES`.
    """
    book = codebook_or_default(codebook)
    family = {c.code: c.family for c in book.scheme("offence").codes}
    order = {code: i for i, code in enumerate(book.codes("offence"))}
    ev = events.assign(
        stage=events["stage"].astype("string"), offence=events["offence"].astype("string")
    )
    charges = ev[(ev["stage"] == "prosecuted") & ev["offence"].notna()]
    judged_only = ev[
        (ev["stage"] == "judgment_first_instance")
        & ev["offence"].notna()
        & ~ev["case_id"].isin(charges["case_id"])
    ]
    charges = pd.concat([charges, judged_only])
    charges = charges.assign(
        _alt=charges["alternative"].fillna(False).astype(bool),
        _family=charges["offence"].map(family).map(FAMILIES.index),
        _order=charges["offence"].map(order),
    ).sort_values(["case_id", "_alt", "_family", "_order"])
    principal = charges.groupby("case_id")["offence"].first()
    status = case_status(cases, events, book).set_index("case_id")
    out = cases[["case_id", "country"]].copy()
    out["country"] = out["country"].astype("string")
    out["reported_offence"] = cases["offence_reported"].astype("string")
    out["charged_offence"] = out["case_id"].map(principal).astype("string")
    charged = out["charged_offence"].map(family).fillna("not_prosecuted")
    outcome = out["case_id"].map(status["outcome"]).astype("string")
    judged = outcome.fillna(
        charged.map(lambda f: "not_prosecuted" if f == "not_prosecuted" else "not_judged")
    )
    for column, values in (
        ("reported", out["reported_offence"].map(family)),
        ("charged", charged),
        ("judged", judged),
    ):
        out[column] = pd.Categorical(values, categories=PATH_CATEGORIES[column], ordered=True)
    return out.reset_index(drop=True)


def flow_table(
    paths: pd.DataFrame,
    steps: Sequence[str] = ("reported", "charged", "judged"),
    *,
    by: str | Sequence[str] | None = None,
    complete: bool = False,
) -> pd.DataFrame:
    """Count the cases along each path through ``steps`` of :func:`offence_paths`.

    Parameters
    ----------
    paths
        The output of :func:`offence_paths`.
    steps
        The columns whose combinations are counted, in order.
    by
        Further column(s) to count within (``country``).
    complete
        Include every combination of the steps' categories (zeros too), as a
        cross-table or heatmap needs; otherwise only paths some case took.

    Returns
    -------
    DataFrame
        Tidy: the ``by`` columns, the ``steps``, and ``cases``. The counts add up along
        every step: pass ``keys=steps`` to :func:`cape_study.privacy.disclosure.suppress`.

    Raises
    ------
    CannotEstimate
        ``none_prosecuted`` when ``paths`` has no case (no case was prosecuted).
    """
    if paths.empty:
        raise CannotEstimate("none_prosecuted", "no case to follow through the offences")
    keys = ([] if by is None else [by] if isinstance(by, str) else list(by)) + list(steps)
    counts = paths.groupby(keys, observed=not complete).size().rename("cases").reset_index()
    if not complete:
        counts = counts[counts["cases"] > 0]
    return counts.reset_index(drop=True)
