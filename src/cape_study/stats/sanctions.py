"""Sanctions by offence family and country: prison, conditional sentences, day fines and
damages of the defendants convicted.

The codebook's ``sanctions`` table holds one row per part of the sanction a judgment
imposed on a defendant (18 months in prison and a business ban are two rows; damages one
row per victim). :func:`sentences` reads the sanction that stands, the one of the
defendant's **highest instance** with a sanction row, and places the defendant in the
offence family of the most serious conviction at that instance (trafficking, then
exploitation, then another offence; :data:`FAMILIES`, from the events' outcomes).
:func:`sanction_table` summarises them by country and family: how many were sentenced,
how many to prison (with the median and quartiles of the months), to a conditional
sentence, to day fines (median number) and to damages (median total per defendant, in
the currency written; Swedish kronor and euros are never added together).

What the design can show: the sanctions of the judgments in the case file. It cannot
show what sanction a case "should" have had, and a sanction covers every offence of the
judgment, not only the one that places it in a family.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cape_study.errors import CannotEstimate
from cape_study.privacy.disclosure import Disclosure, suppress_part

__all__ = ["FAMILIES", "sanction_table", "sentences", "suppress_sanctions"]

#: The conviction outcomes, most serious first, and the family each places a sentence in.
FAMILIES = {
    "convicted_trafficking": "trafficking",
    "convicted_exploitation": "exploitation",
    "convicted_other": "other",
}
_INSTANCES = ("judgment_first_instance", "judgment_appeal", "judgment_supreme")
_MONTHS = {"months": 1.0, "years": 12.0}


def sentences(sanctions: pd.DataFrame, events: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """One row per defendant sentenced: the sanction of the highest instance with one.

    Returns
    -------
    DataFrame
        ``case_id``, ``suspect_id``, ``stage`` (the instance), ``country``, ``family``
        (of the most serious conviction at that instance; ``other`` when the events
        give none, as for a company fined), ``prison_months`` (prison, years as 12
        months; missing without prison or with its length unknown), ``prison``,
        ``conditional``, ``day_fines`` (their number, summed), ``damages`` (summed over
        the victims), ``currency`` (of the damages: ``sek`` or ``eur``).

    Raises
    ------
    CannotEstimate
        ``no_sanctions`` when the case file records no sanction.
    """
    if sanctions.empty:
        raise CannotEstimate("no_sanctions", "no sanction in the case file")
    sa = sanctions.copy()
    for column in ("stage", "sanction", "unit"):
        sa[column] = sa[column].astype("string")
    sa["rank"] = sa["stage"].map({s: i for i, s in enumerate(_INSTANCES)})
    top = sa.groupby(["case_id", "suspect_id"])["rank"].transform("max")
    sa = sa[sa["rank"] == top]
    keys = ["case_id", "suspect_id", "stage"]
    amount = pd.to_numeric(sa["amount"], errors="coerce")

    def total(kind: str, scale: pd.Series | float = 1.0) -> pd.Series:
        rows = sa["sanction"] == kind
        return (amount * scale).where(rows).groupby([sa[k] for k in keys]).sum(min_count=1)

    out = sa[keys].drop_duplicates().set_index(keys)
    has = sa.groupby(keys)["sanction"].agg(set)
    out["prison"] = has.map(lambda s: "prison" in s)
    out["conditional"] = has.map(lambda s: "conditional" in s or "probation" in s)
    out["prison_months"] = total("prison", sa["unit"].map(_MONTHS))
    out["day_fines"] = total("day_fines")
    out["damages"] = total("damages")
    damages = sa[sa["sanction"] == "damages"]
    out["currency"] = damages.groupby([damages[k] for k in keys])["unit"].first()
    out = out.reset_index()
    out["country"] = (
        out["case_id"]
        .map(cases.drop_duplicates("case_id").set_index("case_id")["country"])
        .astype("string")
    )
    out["family"] = _families(out, events)
    columns = [
        "case_id", "suspect_id", "stage", "country", "family", "prison", "prison_months",
        "conditional", "day_fines", "damages", "currency",
    ]  # fmt: skip
    return out[columns]


def _families(out: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """The family of each sentence's most serious conviction at its instance."""
    ev = events[events["outcome"].astype("string").isin(list(FAMILIES))]
    rank = {o: i for i, o in enumerate(FAMILIES)}
    best = (
        ev.assign(
            stage=ev["stage"].astype("string"),
            rank=ev["outcome"].astype("string").map(rank),
        )
        .groupby(["case_id", "suspect_id", "stage"])["rank"]
        .min()
    )
    found = [
        best.get((c, s, st))
        for c, s, st in zip(out["case_id"], out["suspect_id"], out["stage"], strict=True)
    ]
    families = list(FAMILIES.values())
    return pd.Series(
        [families[int(r)] if r is not None and not pd.isna(r) else "other" for r in found],
        index=out.index,
        dtype="string",
    )


def _quantile(values: pd.Series, q: float) -> float:
    values = values.dropna()
    return float(np.quantile(values, q)) if len(values) else float("nan")


def sanction_table(
    sentenced: pd.DataFrame, *, by: Sequence[str] = ("country", "family")
) -> pd.DataFrame:
    """Sanctions by group (default: country and offence family).

    Parameters
    ----------
    sentenced
        :func:`sentences`.

    Returns
    -------
    DataFrame
        Per group: ``n_sentenced``; ``n_prison`` with ``prison_median``,
        ``prison_q1`` and ``prison_q3`` (months, over the prison sentences of known
        length; quartiles by linear interpolation, numpy's default); ``n_conditional``;
        ``n_day_fines`` with ``day_fines_median``; ``n_damages`` with
        ``damages_median`` (total per defendant) and ``currency``.
    """
    by = list(by)
    rows = []
    for key, group in sentenced.groupby(by, observed=True, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        damages = group.dropna(subset=["damages"])
        currencies = sorted(set(damages["currency"].dropna()))
        rows.append(
            dict(zip(by, key, strict=True))
            | {
                "n_sentenced": len(group),
                "n_prison": int(group["prison"].sum()),
                "prison_median": _quantile(group["prison_months"], 0.5),
                "prison_q1": _quantile(group["prison_months"], 0.25),
                "prison_q3": _quantile(group["prison_months"], 0.75),
                "n_conditional": int(group["conditional"].sum()),
                "n_day_fines": int(group["day_fines"].notna().sum()),
                "day_fines_median": _quantile(group["day_fines"], 0.5),
                "n_damages": len(damages),
                "damages_median": _quantile(damages["damages"], 0.5)
                if len(currencies) <= 1
                else float("nan"),
                "currency": currencies[0] if len(currencies) == 1 else pd.NA,
            }
        )
    return pd.DataFrame(rows)


def suppress_sanctions(
    table: pd.DataFrame, *, threshold: int, name: str, audit: Disclosure | None = None
) -> pd.DataFrame:
    """:func:`sanction_table` ready to publish: each count of sentenced defendants with a
    kind of sanction is protected against the sentenced of its group (small counts and
    small complements hidden, :func:`cape_study.privacy.disclosure.suppress`), and a
    median or quartile is hidden with the count it is computed over (a median of one or
    two sentences is a sentence)."""
    label = [c for c in table.columns if not c.startswith(("n_", "prison_", "day_", "dam"))]
    label = [c for c in label if c != "currency"]
    out = table.copy()
    records = []
    parts = {
        "n_prison": ["prison_median", "prison_q1", "prison_q3"],
        "n_conditional": [],
        "n_day_fines": ["day_fines_median"],
        "n_damages": ["damages_median"],
    }
    for count, derived in parts.items():
        safe = suppress_part(
            table[[*label, count, "n_sentenced", *derived]],
            count,
            records,
            total="n_sentenced",
            threshold=threshold,
            name=name,
            derived=derived,
            label=label,
        )
        for column in [count, *derived, "n_sentenced"]:
            out[column] = safe[column].to_numpy()
    if audit is not None:
        audit.record(name, records)
    return out
