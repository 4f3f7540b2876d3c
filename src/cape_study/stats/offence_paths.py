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
from cape_study.privacy.disclosure import HIDDEN, Disclosure
from cape_study.privacy.linked import Dimension
from cape_study.stats.case_status import (
    FAMILIES,
    PATH_CATEGORIES,
    case_status,
)
from cape_study.stats.funnel import COURSE

__all__ = ["flow_table", "offence_paths", "suppress_flows"]

#: How a value of ``judged`` among charged cases reads as a case's course
#: (:mod:`cape_study.stats.course`): an outcome as itself, ``not_judged`` as no outcome.
_JUDGED = {"not_judged": "no_outcome"}


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


def suppress_flows(
    paths: pd.DataFrame,
    row: str,
    col: str,
    *,
    country: str,
    threshold: int,
    name: str,
    audit: Disclosure,
) -> pd.DataFrame:
    """One country's flows of charged cases from ``row`` to ``col`` (:func:`flow_table`)
    ready to publish, protected with the report's other tables.

    Small counts are hidden with their lines along both steps
    (:meth:`~cape_study.privacy.disclosure.Disclosure.suppress`); then the table, with
    the paths no case took as published zeros, is linked (:meth:`Disclosure.link`):
    ``reported`` and ``charged`` are dimensions of their own (a charged case counts in
    its reported family, every case in one charged family, ``not_prosecuted`` for the
    others), ``judged`` is a case's course (an outcome, or ``not_judged``: every course
    without one). A flow to ``charged`` is every course, a flow from ``charged`` every
    reported family, so both tables lie in one group of dimensions with the funnel by
    offence reported.

    Returns
    -------
    DataFrame
        The paths some case took (as :func:`flow_table`) and the paths none took (zeros),
        with ``suppressed`` and ``hidden`` as
        :func:`cape_study.privacy.disclosure.suppress` gives them.
    """
    charged = paths[paths["charged"] != "not_prosecuted"]
    table = flow_table(charged[charged["country"] == country], [row, col])
    safe = audit.suppress(table, "cases", threshold=threshold, keys=[row, col], name=name)
    categories = {
        step: [c for c in PATH_CATEGORIES[step] if c != "not_prosecuted"] for step in (row, col)
    }
    every = pd.MultiIndex.from_product([categories[row], categories[col]], names=[row, col])
    taken = pd.MultiIndex.from_frame(safe[[row, col]].astype("string"))
    zeros = every[~every.isin(taken)].to_frame(index=False)
    zeros = zeros.assign(cases=0, suppressed=False)
    full = pd.concat([safe, zeros], ignore_index=True)
    full = full.astype({"cases": "Int64", row: table[row].dtype, col: table[col].dtype})
    frame = full.assign(
        country=country,
        **{step: full[step].astype("string").replace(_JUDGED) for step in (row, col)},
    )
    dims = {"country": "country", row: row, col: col}
    for step in ("reported", "charged", "judged"):
        if step not in (row, col):
            frame[step] = "all"
            dims[step] = step
    dims["judged"] = "stage"
    linked = audit.link(
        name,
        frame,
        pd.concat([table["cases"], zeros["cases"]], ignore_index=True),
        count="cases",
        dims=dims,
        threshold=threshold,
        dimensions={
            "stage": COURSE,
            **{s: Dimension("code", tuple(PATH_CATEGORIES[s])) for s in ("reported", "charged")},
        },
        label=[row, col],
    )
    full[["cases", "suppressed", HIDDEN]] = linked[["cases", "suppressed", HIDDEN]]
    return full
