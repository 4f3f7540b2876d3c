"""Consistency rules between the rows of the events table (used by data.schema): an
appeal needs the judgment below it, an outcome belongs to a judgment, and a pending
decision is the last one recorded."""

from __future__ import annotations

import itertools

import pandas as pd

JUDGMENTS = ("judgment_first_instance", "judgment_appeal", "judgment_supreme")


def lower_instance(d: pd.DataFrame) -> pd.Series:
    """False for an appeal (supreme) judgment row of a suspect, or of the whole case,
    that has no row of the instance below."""
    suspect = d["suspect_id"].astype("string").fillna("")
    present = set(zip(d["case_id"], suspect, d["stage"].astype("string"), strict=True))
    below = {b: a for a, b in itertools.pairwise(JUDGMENTS)}
    needed = d["stage"].astype("string").map(below)
    return pd.Series(
        [
            pd.isna(n) or (c, s, n) in present
            for c, s, n in zip(d["case_id"], suspect, needed, strict=True)
        ],
        index=d.index,
    )


def outcome_stage(d: pd.DataFrame) -> pd.Series:
    """False for an outcome on a row that is not a judgment, except ``pending`` at
    ``prosecuted`` (a charging decision not yet taken)."""
    stage = d["stage"].astype("string")
    outcome = d["outcome"].astype("string")
    allowed = stage.isin(JUDGMENTS) | ((stage == "prosecuted") & (outcome == "pending"))
    return (outcome.isna() | allowed.fillna(False)).astype(bool)


def pending_last(d: pd.DataFrame, ranked: list[str]) -> pd.Series:
    """False for a ``pending`` row (a decision not yet taken) when the same case,
    suspect and offence has a row at a later stage: a judgment or appeal cannot follow
    a decision that has not been taken."""
    rank = d["stage"].map({s: i for i, s in enumerate(ranked)})
    key = pd.DataFrame(
        {
            "case": d["case_id"].astype("string").fillna(""),
            "suspect": d["suspect_id"].astype("string").fillna(""),
            "offence": d["offence"].astype("string").fillna(""),
        }
    )
    highest = rank.groupby([key["case"], key["suspect"], key["offence"]]).transform("max")
    pending = (d["outcome"].astype("string") == "pending").fillna(False)
    return ~(pending & (rank < highest).fillna(False)).astype(bool)


def judged(events: pd.DataFrame, d: pd.DataFrame, columns: list[str]) -> pd.Series:
    """False for a row of ``d`` whose ``columns`` (among them ``stage``) match no
    judgment row of ``events`` (a row with a blank among them is left to the
    required-value checks)."""
    rows = events[events["stage"].isin(JUDGMENTS).fillna(False).astype(bool)]
    known = frozenset(zip(*(rows[c].astype(str) for c in columns), strict=True))
    return pd.Series(
        [
            any(pd.isna(v) for v in r) or tuple(map(str, r)) in known
            for r in zip(*(d[c] for c in columns), strict=True)
        ],
        index=d.index,
        dtype=bool,
    )
