"""Consistency rules between the rows of the events table (used by data.schema): an
appeal needs the judgment below it, an outcome belongs to a judgment, and a pending
decision is the last one recorded."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import pandas as pd

from cape_study.data.cells import period_end, precision_column

JUDGMENTS = ("judgment_first_instance", "judgment_appeal", "judgment_supreme")


def cell_values(column: pd.Series) -> Iterable[object]:
    """A column's cells to loop over: what iterating it gives (the same ``str`` and
    ``pd.NA`` objects), a text column's as one object array rather than boxed one by
    one by pandas (the events table of 100,000 cases has 356,000 rows)."""
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "python":
        return column.to_numpy(dtype=object)
    return column


def lower_instance(d: pd.DataFrame) -> pd.Series:
    """False for an appeal (supreme) judgment row of a suspect, or of the whole case,
    that has no row of the instance below."""
    suspect = d["suspect_id"].astype("string").fillna("")
    case, stage = cell_values(d["case_id"]), cell_values(d["stage"].astype("string"))
    present = set(zip(case, cell_values(suspect), stage, strict=True))
    below = {b: a for a, b in itertools.pairwise(JUDGMENTS)}
    needed = d["stage"].astype("string").map(below)
    return pd.Series(
        [
            pd.isna(n) or (c, s, n) in present
            for c, s, n in zip(case, cell_values(suspect), cell_values(needed), strict=True)
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
    required-value checks, and a stage that is no judgment instance to the check of
    the stage, so that one wrong cell gets one message)."""
    rows = events[events["stage"].isin(JUDGMENTS).fillna(False).astype(bool)]
    known = frozenset(zip(*(rows[c].astype(str) for c in columns), strict=True))
    stage = columns.index("stage")
    return pd.Series(
        [
            any(pd.isna(v) for v in r) or r[stage] not in JUDGMENTS or tuple(map(str, r)) in known
            for r in zip(*(cell_values(d[c]) for c in columns), strict=True)
        ],
        index=d.index,
        dtype=bool,
    )


def same_case(d: pd.DataFrame, column: str, owners: pd.DataFrame | None) -> pd.Series:
    """False where the id in ``column`` (a suspect or victim) belongs to another case
    than the row's case_id, by the ``owners`` table (suspects or victims: id and
    case_id); an id the table lacks is left to the foreign-key check."""
    if owners is None or not {column, "case_id"} <= set(owners.columns):
        return pd.Series(True, index=d.index)
    case_of = dict(zip(owners[column].astype(str), owners["case_id"].astype(str), strict=True))
    return pd.Series(
        [
            pd.isna(i) or pd.isna(c) or case_of.get(str(i), str(c)) == str(c)
            for i, c in zip(cell_values(d[column]), cell_values(d["case_id"]), strict=True)
        ],
        index=d.index,
        dtype=bool,
    )


def charged(events: pd.DataFrame | None, d: pd.DataFrame) -> pd.Series:
    """False for a row whose offence the events table has no row of, for the same
    case and suspect (any stage)."""
    keys = ["case_id", "suspect_id", "offence"]
    if events is None or not set(keys) <= set(events.columns):
        return pd.Series(True, index=d.index)
    known = frozenset(zip(*(events[c].astype(str) for c in keys), strict=True))
    return pd.Series(
        [
            any(pd.isna(v) for v in r) or tuple(map(str, r)) in known
            for r in zip(*(cell_values(d[c]) for c in keys), strict=True)
        ],
        index=d.index,
        dtype=bool,
    )


def date_end(d: pd.DataFrame, column: str) -> pd.Series:
    """The last day of each row's date period (the date itself when day-precise)."""
    precision = d.get(precision_column(column))
    if precision is None:
        return d[column]
    return period_end(d[column], precision)


def stage_order(d: pd.DataFrame, ranked: list[str]) -> pd.Series:
    """False for an event dated before an earlier stage of the same case.

    An event of one suspect is compared with that suspect's earlier stages and
    with the whole case's; an event of the whole case (no suspect) with every
    earlier stage in the case. Terminal stages (closed) have no place in the order.
    Dates known to the month or year are periods: an event is out of order only
    when the earlier stage's period begins after the event's period ends.
    """
    frame = pd.DataFrame(
        {
            "row": d.index,
            "case": d["case_id"],
            "suspect": d["suspect_id"],
            "rank": d["stage"].map({s: i for i, s in enumerate(ranked)}),
            "date": d["date"],
            "end": date_end(d, "date"),
        }
    ).dropna(subset=["case", "rank", "date"])
    pairs = frame.merge(frame, on="case", suffixes=("", "_prior"))
    related = (
        pairs["suspect"].isna()
        | pairs["suspect_prior"].isna()
        | (pairs["suspect"] == pairs["suspect_prior"])
    ).fillna(False)
    bad = related & (pairs["rank_prior"] < pairs["rank"]) & (pairs["date_prior"] > pairs["end"])
    return pd.Series(~d.index.isin(pairs.loc[bad.astype(bool), "row"]), index=d.index)
