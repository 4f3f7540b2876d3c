"""Coding progress: how much of the plan is coded, by coder and scheme, and the overlap codings.

:func:`progress` counts, per coder and scheme, the units planned, those coded (every code
answered), the overlap units among them, the answers left *unclear* and the minutes
spent (median per unit). :func:`overlap_codings` gives the codings of the overlap sample
coded so far by two or more of its planned coders: what reliability
(:func:`cape_study.stats.reliability.agreement`) is computed on as soon as it is coded,
so that a team knows early whether to train more before coding the rest.
"""

from __future__ import annotations

import pandas as pd

from cape_study.coding.words import text, words
from cape_study.data.codebook import Codebook
from cape_study.data.codings import raw

__all__ = ["PROGRESS_COLUMNS", "coded_units", "format_coded_units", "overlap_codings", "progress"]

PROGRESS_COLUMNS = [
    "coder",
    "scheme",
    "planned",
    "coded",
    "share",
    "overlap_planned",
    "overlap_coded",
    "unclear",
    "minutes_median",
    "minutes_total",
]


def progress(plan: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    """Units planned and coded per coder and scheme (:data:`PROGRESS_COLUMNS`).

    ``answers`` are a round's answers (:func:`cape_study.coding.returned.read_answers`);
    a unit counts as coded by a coder when the coder answered it for the scheme. Coders
    with answers but no plan (a .qdpx import) are counted with 0 planned.
    """
    keys = ["coder", "scheme", "unit_id"]
    planned = plan[[*keys, "overlap"]].astype({k: "string" for k in keys})
    done = (
        answers.astype({k: "string" for k in keys})
        .groupby(keys, sort=False)
        .agg(
            unclear=("value", lambda v: int((v == "unclear").sum())),
            minutes=("minutes", "first"),
        )
    )
    done = done.reset_index()
    both = planned.merge(done, on=keys, how="outer", indicator=True)
    both["overlap"] = both["overlap"].fillna(False).astype(bool)
    both["is_planned"] = both["_merge"] != "right_only"
    both["is_coded"] = both["_merge"] != "left_only"
    rows = []
    for (coder, scheme), part in both.groupby(["coder", "scheme"], sort=True):
        coded = part[part["is_coded"]]
        n_planned = int(part["is_planned"].sum())
        rows.append(
            {
                "coder": coder,
                "scheme": scheme,
                "planned": n_planned,
                "coded": int((part["is_planned"] & part["is_coded"]).sum()),
                "share": (part["is_planned"] & part["is_coded"]).sum() / n_planned
                if n_planned
                else float("nan"),
                "overlap_planned": int((part["is_planned"] & part["overlap"]).sum()),
                "overlap_coded": int((part["is_coded"] & part["overlap"]).sum()),
                "unclear": int(coded["unclear"].fillna(0).sum()),
                "minutes_median": coded["minutes"].median(),
                "minutes_total": coded["minutes"].sum(min_count=1),
            }
        )
    return pd.DataFrame(rows, columns=PROGRESS_COLUMNS)


def overlap_codings(plan: pd.DataFrame, codings: pd.DataFrame) -> pd.DataFrame:
    """The raw codings of the overlap sample by its planned coders, for the units that two
    or more of them have coded (consensus codings are left out)."""
    keys = ["coder", "scheme", "unit_id"]
    twice = plan[plan["overlap"]][keys].astype("string").drop_duplicates()
    own = raw(codings).astype({k: "string" for k in keys})
    inside = own.merge(twice, on=keys, how="inner")
    n = inside.groupby(["scheme", "unit_id"])["coder"].transform("nunique")
    return inside[n >= 2].reset_index(drop=True)


def coded_units(codings: pd.DataFrame) -> pd.DataFrame:
    """Progress as the codings alone show it (no plan needed): per coder and scheme, the
    units coded (``n_units``) and those of them that another coder coded too
    (``n_shared``, the units reliability can use). Consensus codings are left out."""
    own = raw(codings)[["coder", "scheme", "unit_id"]].astype("string").drop_duplicates()
    if own.empty:
        return pd.DataFrame(columns=["coder", "scheme", "n_units", "n_shared"])
    others = own.groupby(["scheme", "unit_id"])["coder"].transform("nunique") > 1
    return (
        own.assign(shared=others)
        .groupby(["coder", "scheme"], sort=True)["shared"]
        .agg(n_units="size", n_shared="sum")
        .reset_index()
        .astype({"n_units": int, "n_shared": int})
    )


def format_coded_units(table: pd.DataFrame, book: Codebook, lang: str = "en") -> pd.DataFrame:
    """:func:`coded_units` (after disclosure control) for display: scheme labels and
    headings in ``lang``; a hidden count stays missing (shown as hidden)."""
    w = words(lang)
    schemes = {s: text(book.scheme(s).label, lang) for s in book.schemes}
    out = table.drop(columns=["suppressed", "hidden"], errors="ignore")
    out = out.assign(scheme=out["scheme"].map(lambda s: schemes.get(s, s)))
    return out.rename(
        columns={
            "coder": w["coder"],
            "scheme": w["scheme"],
            "n_units": w["units_coded"],
            "n_shared": w["units_shared"],
        }
    )
